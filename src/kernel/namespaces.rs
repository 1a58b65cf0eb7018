//! Namespaces: unshare(2). See namespaces(7) for what each kind isolates.

use nix::sched::CloneFlags;
use serde::{Deserialize, Serialize};

use super::{KernelError, logged, zero};

/// One kind of namespace, named as in `/proc/PID/ns/` (namespaces(7)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Namespace {
    Uts,
    Pid,
    #[serde(rename = "mnt")]
    Mount,
    Ipc,
    Net,
    User,
    Cgroup,
    Time,
}

impl Namespace {
    pub const ALL: [Namespace; 8] = [
        Namespace::Uts,
        Namespace::Pid,
        Namespace::Mount,
        Namespace::Ipc,
        Namespace::Net,
        Namespace::User,
        Namespace::Cgroup,
        Namespace::Time,
    ];

    /// The file under `/proc/PID/ns/`.
    pub fn proc_name(self) -> &'static str {
        match self {
            Namespace::Uts => "uts",
            Namespace::Pid => "pid",
            Namespace::Mount => "mnt",
            Namespace::Ipc => "ipc",
            Namespace::Net => "net",
            Namespace::User => "user",
            Namespace::Cgroup => "cgroup",
            Namespace::Time => "time",
        }
    }

    pub fn from_proc_name(name: &str) -> Option<Namespace> {
        Namespace::ALL.into_iter().find(|ns| ns.proc_name() == name)
    }

    /// The unshare(2)/clone(2) flag. CLONE_NEWTIME comes from libc: nix has no constant for it.
    pub fn flag(self) -> CloneFlags {
        match self {
            Namespace::Uts => CloneFlags::CLONE_NEWUTS,
            Namespace::Pid => CloneFlags::CLONE_NEWPID,
            Namespace::Mount => CloneFlags::CLONE_NEWNS,
            Namespace::Ipc => CloneFlags::CLONE_NEWIPC,
            Namespace::Net => CloneFlags::CLONE_NEWNET,
            Namespace::User => CloneFlags::CLONE_NEWUSER,
            Namespace::Cgroup => CloneFlags::CLONE_NEWCGROUP,
            Namespace::Time => CloneFlags::from_bits_retain(libc::CLONE_NEWTIME),
        }
    }

    pub fn flag_name(self) -> &'static str {
        match self {
            Namespace::Uts => "CLONE_NEWUTS",
            Namespace::Pid => "CLONE_NEWPID",
            Namespace::Mount => "CLONE_NEWNS",
            Namespace::Ipc => "CLONE_NEWIPC",
            Namespace::Net => "CLONE_NEWNET",
            Namespace::User => "CLONE_NEWUSER",
            Namespace::Cgroup => "CLONE_NEWCGROUP",
            Namespace::Time => "CLONE_NEWTIME",
        }
    }
}

/// unshare(2): moves the calling process into new namespaces of the given kinds. For PID and
/// time namespaces only the caller's *future children* enter the new namespace.
pub fn unshare(kinds: &[Namespace]) -> Result<(), KernelError> {
    let flags = kinds
        .iter()
        .fold(CloneFlags::empty(), |f, ns| f | ns.flag());
    let names: Vec<_> = kinds.iter().map(|ns| ns.flag_name()).collect();
    logged("unshare", names.join("|"), nix::sched::unshare(flags), zero)
}

/// write(2) to /proc/self/timens_offsets: sets how far CLOCK_MONOTONIC and CLOCK_BOOTTIME run
/// ahead in the time namespace made by unshare(CLONE_NEWTIME). Allowed only before any process
/// has entered that namespace (time_namespaces(7)).
pub fn set_time_offsets(seconds: i64) -> Result<(), KernelError> {
    let text = format!("monotonic {seconds} 0\nboottime {seconds} 0\n");
    let r = std::fs::write("/proc/self/timens_offsets", &text)
        .map_err(|e| nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(0)));
    logged(
        "write",
        format!("\"/proc/self/timens_offsets\", {text:?}"),
        r,
        |_| text.len().to_string(),
    )
}
