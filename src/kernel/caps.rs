//! Capabilities (capabilities(7)) and no_new_privs: what a container's root may still do.

use super::{KernelError, logged, zero};

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
        let r = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
        if r != 0 {
            return logged(
                "prctl",
                format!("PR_CAPBSET_DROP, {cap}"),
                Err(nix::errno::Errno::last()),
                zero,
            );
        }
        dropped += 1;
    }
    logged(
        "prctl",
        format!("PR_CAPBSET_DROP, each of {dropped} capabilities not in Docker's default set"),
        Ok(()),
        zero,
    )
}

/// The capability mask of `caps` (bit N for capability N), as /proc/PID/status shows it.
pub fn mask(caps: &[u32]) -> u64 {
    caps.iter().fold(0, |m, c| m | 1 << c)
}

/// Docker's default set as a mask.
pub fn docker_default_mask() -> u64 {
    mask(&DOCKER_DEFAULT.map(|(n, _)| n))
}

/// capset(2) of the calling process: effective, permitted and inheritable sets all become
/// `keep`. A process already running (the box) loses the others now, not only at its next
/// execve(2) as with the bounding set.
pub fn set_all(keep: &[u32]) -> Result<(), KernelError> {
    // linux/capability.h: _LINUX_CAPABILITY_VERSION_3 takes two 32-bit words per set.
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let m = mask(keep);
    let word = |w: u32| Data {
        effective: w,
        permitted: w,
        inheritable: w,
    };
    let header = Header {
        version: 0x2008_0522,
        pid: 0,
    };
    let data = [word(m as u32), word((m >> 32) as u32)];
    let r = unsafe { libc::syscall(libc::SYS_capset, &header, data.as_ptr()) };
    let r = if r == 0 {
        Ok(())
    } else {
        Err(nix::errno::Errno::last())
    };
    logged(
        "capset",
        format!("{{v3, 0}}, {{effective=permitted=inheritable={m:#x}}}"),
        r,
        zero,
    )
}

/// finit_module(-1, "", 0): asks to load a kernel module from no file. The kernel checks
/// CAP_SYS_MODULE (EPERM) before the file descriptor (EBADF); a seccomp filter may refuse the
/// call before either (EPERM).
pub fn load_no_module() -> Result<(), KernelError> {
    let r = unsafe { libc::syscall(libc::SYS_finit_module, -1, c"".as_ptr(), 0) };
    let r = if r == 0 {
        Ok(())
    } else {
        Err(nix::errno::Errno::last())
    };
    logged("finit_module", "-1, \"\", 0".into(), r, zero)
}

/// prctl(PR_SET_NO_NEW_PRIVS, 1): no execve(2) can grant privileges again (setuid binaries,
/// file capabilities), for this process and its children.
pub fn no_new_privs() -> Result<(), KernelError> {
    let r = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    let r = if r == 0 {
        Ok(())
    } else {
        Err(nix::errno::Errno::last())
    };
    logged("prctl", "PR_SET_NO_NEW_PRIVS, 1".into(), r, zero)
}
