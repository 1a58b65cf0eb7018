//! Messages between boxlab (host side) and the box agent: one JSON object per line over a
//! socketpair that is the agent's stdin and stdout.
//!
//! [`Action`] is also the lesson files' action vocabulary (`actions = [{ do = "unshare", ns =
//! ["uts"] }]`): every action a lesson can take is a variant here, implemented in Rust.

use serde::{Deserialize, Serialize};

use crate::kernel::SyscallRecord;
use crate::kernel::files::FileStat;
use crate::kernel::ipc::IpcKind;
use crate::kernel::namespaces::Namespace;
use crate::kernel::process::CommandOutput;
use crate::lang::Detail;
use crate::probe::status::Creds;
use crate::probe::{FileId, Probed, View};

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
    /// Host side: the box's own cgroup, mkdir(2) in every hierarchy carrying a controller the
    /// box will be limited by (and controllers enabled in the parents on cgroup v2).
    MakeCgroup,
    /// Host side: the box's pid written into its cgroup's `cgroup.procs`: it and its future
    /// children are counted and limited there.
    MoveToCgroup,
    /// Host side: where each controller lives on this host (v1, v2), shown as output.
    ShowCgroupLayout,
    /// Host side: write limits into the box's cgroup. Sizes take K, M, G suffixes; `cpu_percent`
    /// is a quota in percent of one CPU over a 100 ms period; `io_write` is bytes per second to
    /// the disk holding the box's scratch directory.
    Limit {
        #[serde(default)]
        memory: Option<String>,
        #[serde(default)]
        cpu_percent: Option<u64>,
        #[serde(default)]
        cpu_weight: Option<u64>,
        #[serde(default)]
        pids: Option<u64>,
        #[serde(default)]
        io_write: Option<String>,
    },
    /// In the box: a child touching `mb` MiB of memory, 1 MiB every 50 ms, in the background.
    MemoryHog { mb: u64 },
    /// In the box: wait for the memory hog to end; reports how it ended and how far it got.
    WaitHog,
    /// In the box: a child keeping one CPU busy for `seconds`, in the background.
    Busy { seconds: u64 },
    /// In the box: end the busy loop (kill + waitpid).
    StopBusy,
    /// In the box: a fixed amount of CPU work (`rounds` of xorshift) on `cpu` alone, timed.
    Work { rounds: u64, cpu: usize },
    /// In the box: a fork bomb, capped at 256 processes whatever the limits: a leader forks
    /// children that wait, until fork(2) fails. They stay until `end_fork_bomb`.
    ForkBomb,
    /// In the box: kill the bomb's process group and reap every member.
    EndForkBomb,
    /// In the box: write `mb` MiB with O_DIRECT into an unnamed file in the scratch directory
    /// (boxlab fills `dir` in), timed.
    WriteFile {
        mb: u64,
        #[serde(default)]
        dir: Option<String>,
    },
    /// Host side: the same memory hog on the host (no limit applies), run to the end.
    HostMemoryHog { mb: u64 },
    /// Host side: a busy loop on the host beside the box's, for `seconds` or until the box ends.
    HostBusy { seconds: u64 },
    /// Host side: for `seconds`, the CPU the box's cgroup and the host's busy loop use.
    MeasureCpu { seconds: u64 },
    /// Host side: two more cgroups with these CPU weights, a busy loop in each, both on one
    /// CPU for `seconds`: how the kernel shares it.
    Compete { weights: Vec<u64>, seconds: u64 },
    /// Host side: the same `rounds` of `work` on the host and in the box, timed, as a ratio.
    CompareWork { rounds: u64 },
    /// Host side: fork + execve of a program on the host, timed, while the box is at its limit.
    HostSpawn,
    /// Host side: the same direct write on the host, into the same scratch directory.
    HostWriteFile { mb: u64 },
    /// Host side: an image of two read-only layers in a scratch directory of this run: the
    /// root filesystem as the base, and an "app" layer made here with mkdir(2) and write(2)
    /// (`/app/hello.txt`, `/etc/motd`); and the box's empty upper and work directories.
    MakeImage,
    /// chdir into the box's directory, mount("overlay", "merged", "overlay", 0,
    /// "lowerdir=APP:BASE,upperdir=upper,workdir=work"), then pivot_root into it and detach the old root. Only after `make_mounts_private`;
    /// boxlab fills `layers` in from `make_image`. With `volume` (a path in the box, "/data"),
    /// a host directory is bound there first, as `docker run -v HOST:/data` does: after
    /// pivot_root no host path is within reach.
    OverlayRoot {
        #[serde(default)]
        layers: Option<OverlayPaths>,
        #[serde(default)]
        volume: Option<String>,
    },
    /// Host side: open(2) + write(2) of `text` to `file` in the volume's host directory.
    HostWriteVolume { file: String, text: String },
    /// open(2) + write(2) of `text` to `path` in the box (O_TRUNC, or O_APPEND with `append`).
    /// Only inside the box's overlay root.
    WriteText {
        path: String,
        text: String,
        #[serde(default)]
        append: bool,
    },
    /// unlink(2) of `path` in the box. Only inside the box's overlay root.
    RemoveFile { path: String },
    /// lstat(2) of `path` in the box: st_dev and st_ino as the box's file system reports them.
    StatFile { path: String },
    /// Host side: a second box on the same image: another agent with its own mount namespace,
    /// its own upper and work directories and the same lower layers; it stats `stat` and
    /// writes its own `write`. It lives until the lesson ends.
    SecondBox { stat: String, write: String },
    /// "Break it" safely: the box mounts an overlay on /app whose upper directory is in its own
    /// overlay root (upperdir=/tmp, workdir=/root, lowerdir=/etc).
    NestedOverlay,
    /// In the box: the capability bounding set cut to Docker's default 14 (prctl
    /// PR_CAPBSET_DROP), then capset(2) so the box itself keeps only those from now on.
    DropCapabilities,
    /// In the box: `cap` leaves the bounding set (prctl PR_CAPBSET_DROP) and the box's own
    /// sets (capget, capset), as `docker run --cap-drop` does; the other capabilities stay.
    DropCapability {
        cap: crate::kernel::caps::Capability,
    },
    /// In the box: its PID 1 (the agent) marks itself not dumpable, prctl(PR_SET_DUMPABLE, 0),
    /// so what it holds (/proc/1/fd: its socket to boxlab, its log) is out of reach of the
    /// box's processes once CAP_SYS_PTRACE is gone.
    NotDumpable,
    /// In the box: socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), closed again at once: what
    /// `ping` needs CAP_NET_RAW for.
    RawSocket,
    /// In the box: prctl(PR_SET_NO_NEW_PRIVS, 1).
    NoNewPrivs,
    /// In the box: the seccomp filter of `boxlab run` (EPERM for what Docker's default
    /// profile denies). Needs `no_new_privs` first.
    Seccomp,
    /// In the box: finit_module(2) with no module (fd -1), to see what refuses it: without
    /// CAP_SYS_MODULE or under the seccomp filter, EPERM.
    LoadModule,
    /// Host side: the lesson's container (hostname web, 64 MiB, half a CPU, 20 pids, Docker's
    /// capabilities, no_new_privs, seccomp) written as an OCI bundle's config.json, running
    /// `argv`; the root is the root filesystem, read-only.
    ExportOciBundle { argv: Vec<String> },
    /// Host side: `runc run` (or `crun run`) of that bundle, if one is installed.
    RuntimeRun,
    /// Host side: the `docker run` line for the bundle's box, as output.
    DockerCommand,
    /// Host side: kill(BOXPID, SIGTERM), what `docker stop` sends first. The box is PID 1 of
    /// its PID namespace with no handler for SIGTERM, so the kernel drops it.
    TermBox,
    /// Host side: `boxlab run` of `argv` (this boxlab, the lesson's root filesystem); once the
    /// command prints `ready`, SIGTERM to the `boxlab run` process, as `docker stop` does.
    /// Its output and exit status are the step's output. Bounded waits: 10 s to start, 5 s
    /// to end.
    StopContainer { argv: Vec<String> },
}

/// Where one box's overlay takes its layers from (boxlab fills them in): the other paths are
/// relative to `dir`, the box's directory on the host, so the mount's line stays short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayPaths {
    pub dir: String,
    /// Top layer first, as overlayfs's lowerdir lists them.
    pub lower: Vec<String>,
    pub upper: String,
    pub work: String,
    pub merged: String,
    /// The volume's host directory, when the box has one (boxlab makes it in the lesson's
    /// scratch directory).
    #[serde(default)]
    pub volume: Option<String>,
}

/// What the host asks the agent.
#[derive(Debug, Serialize, Deserialize)]
pub enum Request {
    Perform(Action),
    /// Just report the current view.
    Probe,
    /// lstat(2) each path without recording it (what the box's pane shows of its files).
    Look {
        paths: Vec<String>,
    },
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
    /// A service the box started (`serve_http`), as the box read it from /proc/PID right
    /// after: its pid, capabilities and no_new_privs/seccomp state, and its cgroups.
    Served {
        pid: i32,
        creds: Probed<Creds>,
        cgroups: Probed<Vec<String>>,
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
    /// What an `attempt` ended with: None when it succeeded, else the error in both
    /// languages.
    Attempted {
        error: Option<Detail>,
    },
    /// A background load started, with its pid as the box numbers it.
    Started {
        pid: i32,
    },
    /// The memory hog ended: its exit status (128+signal) and the MiB it touched.
    HogEnded {
        status: i32,
        touched_mb: u64,
    },
    /// A timed load took this long.
    Timed {
        micros: u64,
    },
    /// The fork bomb: processes forked before fork(2) failed, and its errno.
    Bomb {
        forked: u64,
        errno: String,
    },
    /// lstat(2) of a path in the box.
    Stat {
        path: String,
        stat: FileStat,
    },
    /// What the box finds at each path (None: no such file).
    Looked {
        seen: Vec<(String, Option<FileStat>)>,
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
