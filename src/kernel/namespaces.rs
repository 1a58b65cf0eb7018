//! Namespaces: unshare(2) and setns(2). See namespaces(7) for what each kind isolates.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::sys::stat::Mode;
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
    let r = std::fs::write("/proc/self/timens_offsets", &text).map_err(|e| super::errno_of(&e));
    logged(
        "write",
        format!("\"/proc/self/timens_offsets\", {text:?}"),
        r,
        |_| text.len().to_string(),
    )
}

/// open(2) of `/proc/PID/ns/KIND`, read-only and close-on-exec: a handle on one namespace of a
/// process, which [`setns`] takes. Holding it keeps the namespace alive even if the process
/// exits.
pub fn open_ns(pid: i32, ns: Namespace) -> Result<OwnedFd, KernelError> {
    open_ns_file(&format!("/proc/{pid}/ns/{}", ns.proc_name()))
}

/// [`open_ns`] by path: `/proc/thread-self/ns/net` (the calling thread's own), or
/// `/proc/PID/fd/N`, another process's open namespace file.
pub fn open_ns_file(path: &str) -> Result<OwnedFd, KernelError> {
    let r = nix::fcntl::open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty());
    logged("open", format!("{path:?}, O_RDONLY"), r, |fd| {
        fd.as_raw_fd().to_string()
    })
}

/// setns(2): moves the calling process into the namespace `fd` refers to (an open
/// `/proc/PID/ns/KIND`); `ns` must name the same kind. This is how `nsenter` and `docker exec`
/// get inside a running container. Joining a PID namespace moves only the caller's future
/// children; joining a user namespace or a time namespace needs a single-threaded caller, and
/// joining the user namespace the caller is already in fails with EINVAL.
pub fn setns(fd: impl AsFd, ns: Namespace) -> Result<(), KernelError> {
    let fd = fd.as_fd();
    logged(
        "setns",
        format!("{}, {}", fd.as_raw_fd(), ns.flag_name()),
        nix::sched::setns(fd, ns.flag()),
        zero,
    )
}
