//! Messages between boxlab (host side) and the box agent: one JSON object per line over a
//! socketpair that is the agent's stdin and stdout.
//!
//! [`Action`] is also the lesson files' action vocabulary (`actions = [{ do = "unshare", ns =
//! ["uts"] }]`): every action a lesson can take is a variant here, implemented in Rust.

use serde::{Deserialize, Serialize};

use crate::kernel::SyscallRecord;
use crate::kernel::ipc::IpcKind;
use crate::kernel::namespaces::Namespace;
use crate::kernel::process::CommandOutput;
use crate::probe::{FileId, View};

/// What a lesson step can do. Each variant's doc says which syscalls it makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Start the box: fork + execve a fresh boxlab agent, a plain process with nothing isolated.
    Spawn,
    /// unshare(2) the given namespaces in the box process.
    Unshare { ns: Vec<Namespace> },
    /// sethostname(2) in the box.
    SetHostname { name: String },
    /// chroot(2) into the root filesystem, then chdir("/").
    Chroot,
    /// fork(2); the child carries on as the box (PID 1 of a new PID namespace after
    /// unshare(CLONE_NEWPID)) and the parent waits for it.
    Fork,
    /// mount(NULL, "/", NULL, MS_REC|MS_PRIVATE): only allowed in the box's own mount namespace.
    MakeMountsPrivate,
    /// mount("proc", "/proc", "proc"): only allowed after `make_mounts_private`.
    MountProc,
    /// mount("tmpfs", at, "tmpfs"): only allowed after `make_mounts_private`.
    MountTmpfs { at: String },
    /// "Break it" safely: the box's shared /mnt plays the host, and a child's mount under it
    /// propagates back. Needs a tmpfs on /mnt first.
    PropagationLeak,
    /// Bind the root filesystem onto itself, pivot_root(".", "."), detach the old root.
    PivotRoot,
    /// A System V IPC object in the box's IPC namespace, under a key unique to this run (boxlab
    /// fills `key` in).
    CreateIpc {
        kind: IpcKind,
        #[serde(default)]
        key: Option<i32>,
    },
    /// Remove the box's object of this kind (IPC_RMID).
    RemoveIpc {
        kind: IpcKind,
        #[serde(default)]
        key: Option<i32>,
    },
    /// A POSIX message queue in the box's own IPC namespace (boxlab fills the name in).
    CreateMq {
        #[serde(default)]
        name: Option<String>,
    },
    /// Whether the box can open the lesson's POSIX message queue.
    LookForMq {
        #[serde(default)]
        name: Option<String>,
    },
    /// Host side: whether the host can open the lesson's POSIX message queue.
    HostLookForMq,
    /// Host side: a System V IPC object in the host's IPC namespace, removed again when the
    /// lesson ends.
    HostCreateIpc { kind: IpcKind },
    /// ip link set NAME up, in the box.
    LinkUp { name: String },
    /// Address the box's end of the veth and bring it up (sent by boxlab after `veth`).
    AddressLink {
        name: String,
        addr: std::net::Ipv4Addr,
        prefix: u8,
    },
    /// One ICMP echo from the box: `to` is "host" (the host's end of the veth) or an address.
    Ping { to: String },
    /// A tiny web server in the box on 0.0.0.0:PORT, answering "hello from the box".
    ServeHttp { port: u16 },
    /// Host side: a veth pair, one end moved into the box's network namespace, both addressed.
    Veth,
    /// Host side: one ICMP echo from the host to the box's end of the veth.
    HostPing,
    /// Host side: a proxy on 127.0.0.1 (a free port) to the box's PORT, like `docker run -p`.
    Publish { port: u16 },
    /// Host side: an HTTP GET to the published port on 127.0.0.1.
    HostFetch,
    /// Host side: map uid and gid 0 inside the box's user namespace to an unprivileged id
    /// outside (100000 when boxlab is root, else boxlab's own ids).
    MapRoot,
    /// setresgid/setresuid(0, 0, 0) in the box, after `map_root`.
    BecomeRoot,
    /// Perform `what` expecting that it may fail: a failure is the lesson's point, recorded
    /// with its errno, not an error of the step.
    Attempt { what: Box<Action> },
    /// Write /proc/self/timens_offsets after unshare(CLONE_NEWTIME): MONOTONIC and BOOTTIME
    /// run this many seconds ahead for the box's children.
    SetTimeOffsets { seconds: i64 },
    /// fork + execve a program in the box and capture its output.
    Run { argv: Vec<String> },
    /// The classic escape, in a child of the box: mkdir + chroot into it, chdir("..") past the
    /// old root, chroot("."); reports what `/` is afterwards.
    ChrootEscape,
    /// Make a process whose parent exits, so PID 1 adopts it (only as PID 1 of a namespace).
    MakeOrphan,
    /// kill(2) the orphan: it stays a zombie until PID 1 waits for it.
    EndOrphan,
    /// waitpid(-1, WNOHANG) until no exited child is left: PID 1's duty.
    Reap,
}

/// What the host asks the agent.
#[derive(Debug, Serialize, Deserialize)]
pub enum Request {
    Perform(Action),
    /// Just report the current view.
    Probe,
}

/// What an action produced beyond its syscalls and the view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    #[default]
    Nothing,
    Output(CommandOutput),
    /// The agent forked; `child` (numbered in the parent's PID namespace) now answers.
    Forked {
        child: i32,
    },
    /// Where the escaping process ended up: its `/` and what it lists there.
    Escaped {
        root: FileId,
        entries: Vec<String>,
    },
    /// The orphan's pid, as the box numbers it.
    Orphan {
        pid: i32,
    },
    Reaped {
        pids: Vec<i32>,
    },
    /// One ping: the address and the round-trip time in microseconds, or the error.
    Pinged {
        to: std::net::Ipv4Addr,
        result: Result<u64, String>,
    },
    /// Whether a POSIX message queue could be opened.
    MqFound {
        found: bool,
    },
    /// What an `attempt` ended with: None when it succeeded, else the error.
    Attempted {
        error: Option<String>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Reply {
    pub records: Vec<SyscallRecord>,
    pub outcome: Outcome,
    /// The agent's view after the action (none from a parent that just forked).
    pub view: Option<View>,
    /// Set when the action failed; the records show which call.
    pub error: Option<String>,
}
