//! Capabilities (capabilities(7)) and no_new_privs: what a container's root may still do.

use serde::{Deserialize, Serialize};

use super::{KernelError, logged, logged_noted, zero};
use crate::lang::detail;

/// Docker's default capability set (moby's `oci/caps/defaults.go`), by number
/// (linux/capability.h): what a container's root keeps.
pub const DOCKER_DEFAULT: [(u32, &str); 14] = [
    (0, "CAP_CHOWN"),
    (1, "CAP_DAC_OVERRIDE"),
    (3, "CAP_FOWNER"),
    (4, "CAP_FSETID"),
    (5, "CAP_KILL"),
    (6, "CAP_SETGID"),
    (7, "CAP_SETUID"),
    (8, "CAP_SETPCAP"),
    (10, "CAP_NET_BIND_SERVICE"),
    (13, "CAP_NET_RAW"),
    (18, "CAP_SYS_CHROOT"),
    (27, "CAP_MKNOD"),
    (29, "CAP_AUDIT_WRITE"),
    (31, "CAP_SETFCAP"),
];

/// The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap).
pub fn last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40)
}

/// prctl(PR_CAPBSET_DROP, cap) for every capability not in `keep`: after the next execve(2),
/// even root holds at most the capabilities left in the bounding set. Recorded as one line.
pub fn drop_bounding_except(keep: &[u32]) -> Result<(), KernelError> {
    let mut dropped = 0;
    for cap in 0..=last_cap() {
        if keep.contains(&cap) {
            continue;
        }
        if let Err(e) = bounding_drop(cap) {
            return logged("prctl", format!("PR_CAPBSET_DROP, {cap}"), Err(e), zero);
        }
        dropped += 1;
    }
    logged_noted(
        detail!(
            "{dropped} times: each capability not kept",
            "{dropped}회: 남기지 않는 capability 하나씩"
        ),
        "prctl",
        "PR_CAPBSET_DROP, cap".into(),
        Ok(()),
        zero,
    )
}

/// The capability mask of `caps` (bit N for capability N), as /proc/PID/status shows it.
pub fn mask(caps: &[u32]) -> u64 {
    caps.iter().fold(0, |m, c| m | 1 << c)
}

/// The capability numbers in the mask `m`: [`mask`] the other way.
pub fn numbers(m: u64) -> Vec<u32> {
    (0..64).filter(|c| m & 1 << c != 0).collect()
}

/// Docker's default set as a mask.
pub fn docker_default_mask() -> u64 {
    mask(&DOCKER_DEFAULT.map(|(n, _)| n))
}

/// capset(2) of the calling process: the effective and permitted sets become `keep` and the
/// inheritable set is emptied, as Docker does since 20.10.14 (CVE-2022-24769: an inheritable
/// capability let a program with file capabilities gain it back). A process already running
/// (the box) loses the others now, not only at its next execve(2) as with the bounding set.
pub fn set_all(keep: &[u32]) -> Result<(), KernelError> {
    set_mask(mask(keep))
}

/// linux/capability.h: _LINUX_CAPABILITY_VERSION_3 takes two 32-bit words per set.
#[repr(C)]
struct Header {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Data {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const HEADER: Header = Header {
    version: 0x2008_0522,
    pid: 0,
};

/// capset(2): the effective and permitted sets of the calling process equal to the mask `m`,
/// the inheritable set empty.
fn set_mask(m: u64) -> Result<(), KernelError> {
    let word = |w: u32| Data {
        effective: w,
        permitted: w,
        inheritable: 0,
    };
    let data = [word(m as u32), word((m >> 32) as u32)];
    let r = unsafe { libc::syscall(libc::SYS_capset, &HEADER, data.as_ptr()) };
    let r = nix::errno::Errno::result(r).map(drop);
    logged(
        "capset",
        format!("{{v3, 0}}, {{effective=permitted={m:#x}, inheritable=0}}"),
        r,
        zero,
    )
}

/// capget(2) of the calling process: its effective set as a mask.
fn effective() -> Result<u64, KernelError> {
    let mut data = [Data::default(); 2];
    let r = unsafe { libc::syscall(libc::SYS_capget, &HEADER, data.as_mut_ptr()) };
    let r = nix::errno::Errno::result(r)
        .map(|_| u64::from(data[0].effective) | u64::from(data[1].effective) << 32);
    logged("capget", "{v3, 0}, &data".into(), r, |m| {
        format!("0 {{effective={m:#x}}}")
    })
}

/// One capability of Docker's default set, by the name `docker run --cap-drop` takes
/// (`NET_RAW`; `CAP_NET_RAW` works too). Capabilities outside that set are gone from a
/// container already: there is nothing to drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Capability(pub u32);

impl Capability {
    /// `CAP_NET_RAW`, as capabilities(7) names it.
    pub fn name(self) -> &'static str {
        DOCKER_DEFAULT
            .iter()
            .find(|(n, _)| *n == self.0)
            .map_or("CAP_?", |(_, name)| name)
    }
}

impl TryFrom<String> for Capability {
    type Error = String;
    fn try_from(s: String) -> Result<Capability, String> {
        let want = s.strip_prefix("CAP_").unwrap_or(&s);
        DOCKER_DEFAULT
            .iter()
            .find(|(_, name)| name.strip_prefix("CAP_") == Some(want))
            .map(|(n, _)| Capability(*n))
            .ok_or_else(|| {
                let names: Vec<&str> = DOCKER_DEFAULT
                    .iter()
                    .map(|(_, name)| name.trim_start_matches("CAP_"))
                    .collect();
                format!(
                    "unknown capability `{s}`: name one of Docker's default set: {}",
                    names.join(", ")
                )
            })
    }
}

impl From<Capability> for String {
    fn from(c: Capability) -> String {
        c.name().trim_start_matches("CAP_").to_string()
    }
}

/// What `docker run --cap-drop NAME` does to a container that has Docker's default set: the
/// capability leaves the bounding set (prctl PR_CAPBSET_DROP), then capget(2) and capset(2)
/// take it out of the process's own sets, keeping the rest.
pub fn drop_one(cap: Capability) -> Result<(), KernelError> {
    let r = bounding_drop(cap.0);
    logged(
        "prctl",
        format!("PR_CAPBSET_DROP, {} ({})", cap.0, cap.name()),
        r,
        zero,
    )?;
    set_mask(effective()? & !mask(&[cap.0]))
}

/// prctl(PR_CAPBSET_DROP, cap): out of the bounding set, for good.
fn bounding_drop(cap: u32) -> nix::Result<()> {
    let r = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
    nix::errno::Errno::result(r).map(drop)
}

/// finit_module(-1, "", 0): asks to load a kernel module from no file. The kernel checks
/// CAP_SYS_MODULE (EPERM) before the file descriptor (EBADF); a seccomp filter may refuse the
/// call before either (EPERM).
pub fn load_no_module() -> Result<(), KernelError> {
    let r = unsafe { libc::syscall(libc::SYS_finit_module, -1, c"".as_ptr(), 0) };
    let r = nix::errno::Errno::result(r).map(drop);
    logged("finit_module", "-1, \"\", 0".into(), r, zero)
}

/// prctl(PR_SET_NO_NEW_PRIVS, 1): no execve(2) can grant privileges again (setuid binaries,
/// file capabilities), for this process and its children.
pub fn no_new_privs() -> Result<(), KernelError> {
    let r = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    let r = nix::errno::Errno::result(r).map(drop);
    logged("prctl", "PR_SET_NO_NEW_PRIVS, 1".into(), r, zero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_by_the_names_docker_takes() {
        let raw = Capability::try_from("NET_RAW".to_string()).unwrap();
        assert_eq!((raw.0, raw.name()), (13, "CAP_NET_RAW"));
        assert_eq!(Capability::try_from("CAP_NET_RAW".to_string()), Ok(raw));
        assert_eq!(String::from(raw), "NET_RAW");
        // Not in Docker's set: a container has lost it already.
        let e = Capability::try_from("SYS_ADMIN".to_string()).unwrap_err();
        assert!(
            e.contains("SYS_ADMIN") && e.contains("NET_RAW, SYS_CHROOT"),
            "{e}"
        );
    }
}
