//! Checks: predicates over the host's and the box's views that confirm a step's effect from
//! real kernel state. The vocabulary is fixed here; lesson files pick from it with `is = "..."`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::cgroup_checks;
use super::layer_checks;
use super::layers::LayerFacts;
use super::limits::CgroupFacts;
use super::network::Veth;
use super::types::Place;
use crate::kernel::caps::Capability;
use crate::kernel::cgroups::{Layout, Scheme, Usage};
use crate::kernel::ipc::IpcKind;
use crate::kernel::namespaces::Namespace;
use crate::kernel::process::CommandOutput;
use crate::lang::{Detail, Lang, detail};
use crate::probe::{self, FileId, Outside, Probed, View};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "is", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Same kernel release and boot id on both sides: one kernel.
    SameKernel,
    /// The host's process list contains the box process.
    BoxInHostProcesses,
    /// The box can list the host's PID 1 (same start time): no PID isolation.
    BoxSeesHostProcesses,
    /// Every process the box lists is one of its own, and it lists fewer than the host.
    BoxSeesOnlyItsOwn,
    HostnameSame,
    HostnameDiffers,
    BoxHostname {
        name: String,
    },
    NsSame {
        ns: Namespace,
    },
    NsDiffers {
        ns: Namespace,
    },
    /// The box's `/` is a different directory from the host's.
    RootDiffers,
    /// After `chroot_escape`, the escaping process's `/` is the host's `/`.
    EscapedToHostRoot,
    /// The box numbers itself with this pid.
    BoxPid {
        pid: i32,
    },
    /// The host numbers the box differently than the box does (NSpid has two numbers).
    HostPidDiffers,
    /// The box's next child goes into a different PID namespace than the box itself.
    ForChildrenDiffers {
        ns: Namespace,
    },
    /// The box's MONOTONIC and BOOTTIME clocks are this many seconds ahead of the host's.
    BoxClockAhead {
        seconds: i64,
    },
    /// The box's clocks read what the host's do (within a second).
    ClocksAgree,
    /// Every line of the box's /proc/self/cgroup ends in `:/`: it sits at its namespace's root.
    BoxCgroupIsRoot,
    /// The host, reading /proc/BOXPID/cgroup, sees the box's real cgroup paths (the same as
    /// boxlab's own, since the box has not moved).
    HostSeesBoxCgroupPath,
    /// After `show_cgroup_layout`: the host mounts v1 hierarchies, the v2 one, or both
    /// (hybrid); the detail says which.
    CgroupVersions,
    /// The orphan's parent is now the box's PID 1.
    OrphanAdopted,
    OrphanIsZombie,
    /// PID 1's `reap` collected the orphan: one of its waitpid calls returned the orphan's pid.
    OrphanReaped,
    /// No zombie process is left in the box.
    NoZombies,
    /// The last command run in the box printed this text.
    OutputContains {
        text: String,
    },
    /// Every line the last command printed ends in this text.
    OutputLinesEndWith {
        text: String,
    },
    /// The last command run exited with this status.
    ExitStatus {
        status: i32,
    },
    /// After `term_box`, the host still finds the box's PID 1 running: the kernel dropped the
    /// SIGTERM.
    BoxOutlivedTerm,
    /// The box's mount table has a mount at this path.
    BoxHasMount {
        at: String,
    },
    /// The host's mount table has no mount at this path.
    HostLacksMount {
        at: String,
    },
    /// The box's mount at this path propagates nothing (no shared/master tag).
    BoxMountPrivate {
        at: String,
    },
    /// The box's mount table is smaller than the host's.
    BoxSeesFewerMounts,
    /// After `chroot_escape`, the escaping process's `/` is still the box's `/`.
    EscapeStayedInside,
    /// The box's own uid, as its user namespace numbers it.
    BoxUid {
        uid: u32,
    },
    /// The host, reading /proc/BOXPID/status, sees the box as a uid other than 0.
    HostSeesUnprivilegedBox,
    /// The box holds (nearly) every capability: at least 38 in its effective set.
    BoxHasAllCaps,
    /// The box's effective capabilities are exactly Docker's default 14.
    BoxCapsDockerDefault,
    /// The box's effective set holds `cap` (`held = true`) or lacks it.
    BoxCap {
        cap: Capability,
        held: bool,
    },
    /// The box's /proc/self/status says NoNewPrivs: 1.
    BoxNoNewPrivs,
    /// The box's /proc/self/status says Seccomp: 2 (a filter).
    BoxSeccompFilter,
    /// The service the box last started (`serve_http`) has the box's walls: the same
    /// capability sets and cgroups, no_new_privs and a seccomp filter.
    ServiceInsideWalls,
    /// The OCI runtime ran the bundle and its container reported hostname `web`, Docker's
    /// bounding set, no_new_privs and a seccomp filter; passes, saying so, where neither runc
    /// nor crun is installed.
    RuntimeAgrees,
    /// The last `attempt` failed with this errno.
    AttemptFailed {
        errno: String,
    },
    /// The box's only network interface is `lo`.
    BoxOnlyLoopback,
    /// The box's interface NAME is up.
    BoxLinkUp {
        name: String,
    },
    /// Both ends of the veth are up with their addresses, each in its own namespace.
    VethConnected,
    /// Whether the newest IPC object of `kind` made by one side is listed (`seen`) in the other
    /// side's /proc/sysvipc.
    IpcSeen {
        made_by: Place,
        kind: IpcKind,
        seen_by: Place,
        seen: bool,
    },
    /// Whether `seen_by` could open the lesson's POSIX message queue when it last looked.
    MqSeen {
        seen_by: Place,
        seen: bool,
    },
    /// The last ping from this side got its echo reply.
    PingOk {
        from: Place,
    },
    /// Read by the host, the box's /proc/PID/cgroup names its own boxlab cgroup, and boxlab's
    /// own cgroup has not changed.
    BoxInOwnCgroup,
    /// Every limit the lesson wrote reads back from the box's cgroup files.
    LimitsInPlace,
    /// The box's memory hog was killed by SIGKILL and the cgroup counts an OOM kill.
    OomKilled,
    /// The box's peak memory reached at least 80% of its limit, and not beyond.
    MemoryReachedLimit,
    /// The host's memory hog exited with status 0.
    HostHogCompleted,
    /// `compare_work`: the box's time is within this percentage of the host's.
    WorkRatioNearOne {
        within_percent: u64,
    },
    /// `measure_cpu`: the box's loop got `percent` of one CPU, give or take `within`.
    BoxCpuNear {
        percent: u64,
        within: u64,
    },
    /// `measure_cpu`: the host's loop got clearly more CPU than the box's.
    HostCpuAboveBox,
    /// `measure_cpu`: the box was throttled in at least one period.
    BoxThrottled,
    /// `compete`: the two cgroups' CPU shares follow their weights (within 60%-160%).
    WeightsShareCpu,
    /// The fork bomb stopped with this errno before boxlab's own cap.
    ForkRefused {
        errno: String,
    },
    /// During the bomb, the box's pids.current equalled pids.max.
    BombHeldAtLimit,
    /// `host_spawn` started a program within a second.
    HostSpawnedQuickly,
    /// The box's cgroup holds at most this many processes.
    BoxPidsAtMost {
        count: u64,
    },
    /// After `end_fork_bomb`, no process named `fork-bomb` is left in the box's cgroup.
    BombCleared,
    /// After an I/O limit, the box wrote at most 125% of it and the host faster; passes with
    /// the reason where no disk can be limited.
    IoWriteHeld,
    /// The box's merged view has this path (lstat from inside the box).
    BoxSees {
        path: String,
    },
    /// The box's / is an overlay mount, and the host's mount table has no mount at the first
    /// box's merged directory: the overlay exists only in the box's mount namespace.
    BoxRootIsOverlay,
    /// The host finds this path as a regular file in the first box's upper directory, and in
    /// no lower layer.
    InUpper {
        path: String,
    },
    /// The first box's upper directory has its own copy of this base file, different from the
    /// base layer's, which is still there.
    CopiedUp {
        path: String,
    },
    /// The first box's upper directory has a whiteout (a character device 0:0) at this path,
    /// a lower layer still has the file, and the box no longer sees it.
    Whiteout {
        path: String,
    },
    /// The lower layers' fingerprint (every entry's inode, mode, size, mtime, ctime) is the one
    /// taken when the image was made.
    LayersUntouched,
    /// Both boxes' lstat of this path gave the same st_ino, the lower file's inode on the host,
    /// and neither box has copied it up.
    SharedInode {
        path: String,
    },
    /// Both boxes' upper directories hold this path, with different contents.
    OwnUpper {
        path: String,
    },
    /// The host reads `file` in the volume's host directory and finds `text` there, and the
    /// first box's upper layer has no file of that name: the box wrote through the bind mount,
    /// past its overlay.
    VolumeHolds {
        file: String,
        text: String,
    },
}

/// The cgroup lessons' checks, as one pattern: [`cgroup_checks`] describes and judges them.
macro_rules! cgroup_check {
    () => {
        Check::BoxInOwnCgroup
            | Check::LimitsInPlace
            | Check::OomKilled
            | Check::MemoryReachedLimit
            | Check::HostHogCompleted
            | Check::WorkRatioNearOne { .. }
            | Check::BoxCpuNear { .. }
            | Check::HostCpuAboveBox
            | Check::BoxThrottled
            | Check::WeightsShareCpu
            | Check::ForkRefused { .. }
            | Check::BombHeldAtLimit
            | Check::HostSpawnedQuickly
            | Check::BoxPidsAtMost { .. }
            | Check::BombCleared
            | Check::IoWriteHeld
    };
}

/// The images lesson's checks, as one pattern: [`layer_checks`] describes and judges them.
macro_rules! layer_check {
    () => {
        Check::BoxSees { .. }
            | Check::BoxRootIsOverlay
            | Check::InUpper { .. }
            | Check::CopiedUp { .. }
            | Check::Whiteout { .. }
            | Check::LayersUntouched
            | Check::SharedInode { .. }
            | Check::OwnUpper { .. }
            | Check::VolumeHolds { .. }
    };
}

/// What happened in the lesson so far, beyond the views.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub escaped_root: Option<FileId>,
    pub orphan: Option<i32>,
    /// The service the box last started, as the box read it right after.
    pub service: Option<Service>,
    /// The pids the box last collected with waitpid (`reap`, or a load it ended), in order.
    pub reaped: Vec<i32>,
    pub last_output: Option<CommandOutput>,
    /// The last `attempt`: None inside when it succeeded, else its error.
    pub attempt: Option<Option<Detail>>,
    pub veth: Option<Veth>,
    /// Round-trip times in microseconds, or why the ping failed.
    pub ping_from_box: Option<Result<u64, String>>,
    pub ping_from_host: Option<Result<u64, String>>,
    /// The published port on the host's 127.0.0.1.
    pub host_port: Option<u16>,
    /// System V IPC objects the lesson made, in order.
    pub ipc: Vec<IpcFact>,
    /// Whether each side could open the lesson's POSIX message queue, when it looked.
    pub mq_seen_by_box: Option<bool>,
    pub mq_seen_by_host: Option<bool>,
    pub cgroup: CgroupFacts,
    pub layers: LayerFacts,
    /// After `term_box`: whether the box was still running a moment later.
    pub box_after_term: Option<bool>,
    /// What an OCI runtime did with the lesson's bundle.
    pub runtime: Option<super::docker::RuntimeRun>,
}

/// A service the box started (`serve_http`): its pid as the box numbers it, and what
/// /proc/PID said of it.
#[derive(Clone, Debug)]
pub struct Service {
    pub pid: i32,
    pub creds: Probed<crate::probe::status::Creds>,
    pub cgroups: Probed<Vec<String>>,
}

/// A System V IPC object the lesson made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpcFact {
    pub kind: IpcKind,
    pub key: i32,
    pub made_by: Place,
}

/// Everything a check may look at.
pub struct Evidence<'a> {
    pub host: &'a View,
    pub boxed: Option<&'a View>,
    /// The box's pid as the host numbers it.
    pub box_pid: Option<i32>,
    /// The box as the host reads it through `/proc/BOXPID`.
    pub outside: &'a Outside,
    pub facts: &'a Facts,
    /// The box's cgroup usage and limits, once it has a cgroup.
    pub usage: Option<&'a Usage>,
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    /// Not run: this machine lacks a program the check needs (the detail says which and how to
    /// install it). It fails no step; it must not read as passed either.
    Skipped,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub check: Check,
    pub verdict: Verdict,
    /// The values compared, so a failure shows why.
    pub detail: Detail,
}

impl CheckResult {
    pub fn failed(&self) -> bool {
        self.verdict == Verdict::Failed
    }
}

impl Check {
    /// What the check confirms, in the learner's language.
    pub fn describe(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        let pick = |en: &str, k: &str| if ko { k.to_string() } else { en.to_string() };
        match self {
            Check::SameKernel => pick(
                "host and box run on the same kernel",
                "호스트와 박스가 같은 커널에서 실행된다",
            ),
            Check::BoxInHostProcesses => pick(
                "the box is an ordinary process in the host's list",
                "박스는 호스트 프로세스 목록에 보이는 평범한 프로세스다",
            ),
            Check::BoxSeesHostProcesses => pick(
                "the box can see the host's processes",
                "박스가 호스트의 프로세스를 볼 수 있다",
            ),
            Check::BoxSeesOnlyItsOwn => pick(
                "the box sees only its own processes",
                "박스에는 자기 프로세스만 보인다",
            ),
            Check::HostnameSame => pick(
                "host and box report the same hostname",
                "호스트와 박스의 호스트 이름이 같다",
            ),
            Check::HostnameDiffers => pick(
                "host and box report different hostnames",
                "호스트와 박스의 호스트 이름이 다르다",
            ),
            Check::BoxHostname { name } => pick(
                &format!("the box's hostname is \"{name}\""),
                &format!("박스의 호스트 이름은 \"{name}\"이다"),
            ),
            Check::NsSame { ns } => pick(
                &format!("box shares the host's {} namespace", ns.proc_name()),
                &format!(
                    "박스가 호스트의 {} 네임스페이스를 함께 쓴다",
                    ns.proc_name()
                ),
            ),
            Check::NsDiffers { ns } => pick(
                &format!("box has its own {} namespace", ns.proc_name()),
                &format!("박스에 자기만의 {} 네임스페이스가 있다", ns.proc_name()),
            ),
            Check::RootDiffers => pick(
                "the box's / is another directory than the host's /",
                "박스의 / 는 호스트의 / 와 다른 디렉터리다",
            ),
            Check::EscapedToHostRoot => pick(
                "the escaping process reached the host's real /",
                "탈출한 프로세스가 호스트의 진짜 / 에 도달했다",
            ),
            Check::BoxPid { pid } => pick(
                &format!("the box sees itself as PID {pid}"),
                &format!("박스가 보는 자기 PID: {pid}"),
            ),
            Check::HostPidDiffers => pick(
                "the host numbers the box with another pid",
                "호스트는 박스에 다른 PID를 붙인다",
            ),
            Check::ForChildrenDiffers { ns } => pick(
                &format!(
                    "the box's next child goes into a new {} namespace",
                    ns.proc_name()
                ),
                &format!(
                    "박스의 다음 자식은 새 {} 네임스페이스에 들어간다",
                    ns.proc_name()
                ),
            ),
            Check::BoxClockAhead { seconds } => pick(
                &format!("the box's clocks run {seconds} s ahead of the host's"),
                &format!("박스의 시계가 호스트보다 {seconds}초 앞서 있다"),
            ),
            Check::ClocksAgree => pick(
                "host and box read the same clocks",
                "호스트와 박스의 시계가 같다",
            ),
            Check::BoxCgroupIsRoot => pick(
                "the box sees itself at the root of every cgroup tree",
                "박스는 자기가 모든 cgroup 트리의 루트에 있다고 본다",
            ),
            Check::HostSeesBoxCgroupPath => pick(
                "the host sees the box's real cgroup path",
                "호스트는 박스의 실제 cgroup 경로를 본다",
            ),
            Check::CgroupVersions => pick(
                "cgroup versions mounted here",
                "이 머신에 마운트된 cgroup 버전",
            ),
            Check::OrphanAdopted => pick(
                "PID 1 adopted the orphan",
                "PID 1이 고아 프로세스를 입양했다",
            ),
            Check::OrphanIsZombie => pick(
                "the ended orphan is a zombie until PID 1 waits",
                "끝난 고아는 PID 1이 wait할 때까지 좀비로 남는다",
            ),
            Check::OrphanReaped => pick("PID 1 reaped the orphan", "PID 1이 고아를 거둬들였다"),
            Check::NoZombies => pick(
                "no zombie is left in the box",
                "박스에 좀비가 남아 있지 않다",
            ),
            Check::BoxHasMount { at } => pick(
                &format!("the box has a mount at {at}"),
                &format!("박스에는 {at}에 마운트가 있다"),
            ),
            Check::HostLacksMount { at } => pick(
                &format!("the host has no mount at {at}"),
                &format!("호스트에는 {at}에 마운트가 없다"),
            ),
            Check::BoxMountPrivate { at } => pick(
                &format!("the box's {at} is private"),
                &format!("박스의 {at}는 private이다"),
            ),
            Check::BoxSeesFewerMounts => pick(
                "the box's mount table is smaller than the host's",
                "박스의 마운트 테이블이 호스트보다 작다",
            ),
            Check::EscapeStayedInside => pick(
                "the escape ended inside the box's root",
                "탈출 시도가 박스의 루트 안에서 끝났다",
            ),
            Check::BoxUid { uid } => pick(
                &format!("the box is uid {uid} in its own eyes"),
                &format!("박스가 보는 자기 uid: {uid}"),
            ),
            Check::HostSeesUnprivilegedBox => pick(
                "the host sees the box as an unprivileged uid",
                "호스트는 박스를 권한 없는 uid로 본다",
            ),
            Check::BoxHasAllCaps => pick(
                "the box holds every capability, in its own user namespace",
                "박스는 자기 사용자 네임스페이스 안에서 모든 capability를 갖고 있다",
            ),
            Check::BoxCapsDockerDefault => pick(
                "the box keeps exactly Docker's 14 default capabilities",
                "박스에는 Docker 기본 capability 14개만 남았다",
            ),
            Check::BoxCap { cap, held: true } => pick(
                &format!("the box still holds {}", cap.name()),
                &format!("박스에 아직 {} 권한이 있다", cap.name()),
            ),
            Check::BoxCap { cap, held: false } => pick(
                &format!("the box no longer holds {}", cap.name()),
                &format!("박스에서 {} 권한이 빠졌다", cap.name()),
            ),
            Check::BoxNoNewPrivs => pick(
                "no_new_privs is set in the box",
                "박스에 no_new_privs가 걸렸다",
            ),
            Check::BoxSeccompFilter => pick(
                "a seccomp filter checks every syscall of the box",
                "seccomp 필터가 박스의 모든 시스템 콜을 검사한다",
            ),
            Check::ServiceInsideWalls => pick(
                "the web server has the box's walls: capabilities, no_new_privs, seccomp, cgroups",
                "웹 서버도 박스의 벽 안에 있다: capability, no_new_privs, seccomp, cgroup",
            ),
            Check::RuntimeAgrees => pick(
                "the OCI runtime built the same box from config.json",
                "OCI 런타임이 config.json으로 같은 박스를 만들었다",
            ),
            Check::AttemptFailed { errno } => pick(
                &format!("the attempt failed with {errno}"),
                &format!("예상대로 실패했다: {errno}"),
            ),
            Check::IpcSeen {
                made_by,
                kind,
                seen_by,
                seen,
            } => {
                let side = |p: &Place, en: bool| match (p, en) {
                    (Place::Host, true) => "the host",
                    (Place::Box, true) => "the box",
                    (Place::Host, false) => "호스트",
                    (Place::Box, false) => "박스",
                };
                let what = |en: bool| match (kind, en) {
                    (IpcKind::Shm, true) => "shared memory segment",
                    (IpcKind::Msg, true) => "message queue",
                    (IpcKind::Shm, false) => "공유 메모리",
                    (IpcKind::Msg, false) => "메시지 큐",
                };
                pick(
                    &format!(
                        "{} {} the {} made by {}",
                        side(seen_by, true),
                        if *seen { "sees" } else { "does not see" },
                        what(true),
                        side(made_by, true)
                    ),
                    &format!(
                        "{}가 만든 {}가 {}에게 {}",
                        side(made_by, false),
                        what(false),
                        side(seen_by, false),
                        if *seen {
                            "보인다"
                        } else {
                            "보이지 않는다"
                        }
                    ),
                )
            }
            Check::MqSeen { seen_by, seen } => match (seen_by, seen) {
                (Place::Box, true) => pick(
                    "the box can open its POSIX message queue",
                    "박스는 자기 POSIX 메시지 큐를 열 수 있다",
                ),
                (Place::Box, false) => pick(
                    "the box cannot open the POSIX message queue",
                    "박스는 POSIX 메시지 큐를 열 수 없다",
                ),
                (Place::Host, true) => pick(
                    "the host can open the box's POSIX message queue",
                    "호스트는 박스의 POSIX 메시지 큐를 열 수 있다",
                ),
                (Place::Host, false) => pick(
                    "the host cannot open the box's POSIX message queue",
                    "호스트는 박스의 POSIX 메시지 큐를 열 수 없다",
                ),
            },
            Check::BoxOnlyLoopback => pick(
                "the box has only a loopback interface",
                "박스에는 루프백 인터페이스만 있다",
            ),
            Check::BoxLinkUp { name } => pick(
                &format!("the box's {name} is up"),
                &format!("박스의 {name}가 켜져 있다"),
            ),
            Check::VethConnected => pick(
                "the veth joins host and box, an address at each end",
                "veth가 호스트와 박스를 잇고, 양 끝에 주소가 있다",
            ),
            cgroup_check!() => {
                let (en, k) = cgroup_checks::describe(self);
                pick(&en, &k)
            }
            layer_check!() => {
                let (en, k) = layer_checks::describe(self);
                pick(&en, &k)
            }
            Check::PingOk { from } => match from {
                Place::Host => pick(
                    "the host's ping got its echo reply",
                    "호스트의 ping이 응답을 받았다",
                ),
                Place::Box => pick(
                    "the box's ping got its echo reply",
                    "박스의 ping이 응답을 받았다",
                ),
            },
            Check::OutputContains { text } => pick(
                &format!("the output shows {}", quoted(text)),
                &format!("출력에 다음이 들어 있다: {}", quoted(text)),
            ),
            Check::OutputLinesEndWith { text } => pick(
                &format!("every line of the output ends in {}", quoted(text)),
                &format!("출력의 모든 줄이 다음으로 끝난다: {}", quoted(text)),
            ),
            Check::ExitStatus { status } => pick(
                &format!("the command exited with status {status}"),
                &format!("명령의 종료 상태: {status}"),
            ),
            Check::BoxOutlivedTerm => pick(
                "the box's PID 1 is still running after SIGTERM",
                "SIGTERM을 받고도 박스의 PID 1은 그대로 돈다",
            ),
        }
    }

    pub fn evaluate(&self, ev: &Evidence) -> CheckResult {
        let (verdict, detail) = match self {
            // The one check that can be skipped: it needs runc or crun installed.
            Check::RuntimeAgrees => super::docker::judge(ev.facts.runtime.as_ref()),
            _ => match self.judge(ev) {
                (true, detail) => (Verdict::Passed, detail),
                (false, detail) => (Verdict::Failed, detail),
            },
        };
        CheckResult {
            check: self.clone(),
            verdict,
            detail,
        }
    }

    fn judge(&self, ev: &Evidence) -> (bool, Detail) {
        let host = ev.host;
        let Some(boxed) = ev.boxed else {
            return (false, detail!("no box is running", "실행 중인 박스가 없다"));
        };
        match self {
            Check::SameKernel => (
                host.kernel == boxed.kernel
                    && host.boot_id.is_ok()
                    && host.boot_id == boxed.boot_id,
                if host.boot_id == boxed.boot_id {
                    detail!(
                        "host {} / box {}; boot id equal",
                        "호스트 {} / 박스 {}; boot id 같음",
                        host.kernel,
                        boxed.kernel
                    )
                } else {
                    detail!(
                        "host {} / box {}; boot id differs",
                        "호스트 {} / 박스 {}; boot id 다름",
                        host.kernel,
                        boxed.kernel
                    )
                },
            ),
            Check::BoxInHostProcesses => match ev.box_pid {
                Some(pid) => (
                    host.process(pid).is_some(),
                    if host.process(pid).is_some() {
                        detail!("host lists pid {pid}: true", "호스트 목록에 pid {pid} 있음")
                    } else {
                        detail!(
                            "host lists pid {pid}: false",
                            "호스트 목록에 pid {pid} 없음"
                        )
                    },
                ),
                None => (false, detail!("no box pid", "박스 pid가 없다")),
            },
            Check::BoxSeesHostProcesses => {
                let init = host.process(1);
                let seen = init.is_some_and(|i| {
                    boxed
                        .process(1)
                        .is_some_and(|b| b.start_time == i.start_time)
                });
                (
                    seen,
                    detail!(
                        "processes listed: box {}, host {}",
                        "박스 프로세스 {}개, 호스트 {}개",
                        count(&boxed.processes),
                        count(&host.processes)
                    ),
                )
            }
            Check::BoxSeesOnlyItsOwn => {
                // The box's own processes are its descendants, and whatever was started in it
                // from outside the way `docker exec` does (the shell pane's `boxlab __exec`
                // children, which joined its PID namespace).
                let joined = host
                    .processes
                    .iter()
                    .flatten()
                    .filter(|p| p.name == crate::agent::exec::PROCESS_NAME)
                    .flat_map(|p| host.tree(p.pid));
                let own: BTreeSet<i32> = ev
                    .box_pid
                    .map(|p| host.tree(p))
                    .unwrap_or_default()
                    .into_iter()
                    .chain(joined)
                    .filter_map(|p| p.nspid.last().copied())
                    .collect();
                let seen: Vec<i32> = boxed
                    .processes
                    .as_ref()
                    .map(|ps| ps.iter().map(|p| p.pid).collect())
                    .unwrap_or_default();
                let ok = !seen.is_empty()
                    && seen.iter().all(|p| own.contains(p))
                    && seen.len() < count(&host.processes);
                (
                    ok,
                    detail!(
                        "processes listed: box {}, host {}",
                        "박스 프로세스 {}개, 호스트 {}개",
                        seen.len(),
                        count(&host.processes)
                    ),
                )
            }
            Check::HostnameSame => (
                host.hostname == boxed.hostname,
                host_and_box(&host.hostname, &boxed.hostname),
            ),
            Check::HostnameDiffers => (
                host.hostname != boxed.hostname,
                host_and_box(&host.hostname, &boxed.hostname),
            ),
            Check::BoxHostname { name } => (
                &boxed.hostname == name,
                detail!("box \"{}\"", "박스 \"{}\"", boxed.hostname),
            ),
            Check::NsSame { ns } | Check::NsDiffers { ns } => {
                let h = host
                    .namespaces
                    .as_ref()
                    .ok()
                    .and_then(|m| m.get(ns).copied());
                let b = ev
                    .outside
                    .namespaces
                    .as_ref()
                    .ok()
                    .and_then(|m| m.get(ns).copied());
                let same = h.is_some() && h == b;
                let detail = detail!(
                    "host {}:[{}], box {}:[{}]",
                    "호스트 {}:[{}], 박스 {}:[{}]",
                    ns.proc_name(),
                    show(h),
                    ns.proc_name(),
                    show(b)
                );
                (
                    if matches!(self, Check::NsSame { .. }) {
                        same
                    } else {
                        h.is_some() && b.is_some() && !same
                    },
                    detail,
                )
            }
            Check::RootDiffers => match (&host.root, &boxed.root) {
                (Ok(h), Ok(b)) => (
                    h.id != b.id,
                    detail!(
                        "host / is {}, box / is {}",
                        "호스트 / = {}, 박스 / = {}",
                        h.id,
                        b.id
                    ),
                ),
                _ => (
                    false,
                    detail!("a root could not be read", "루트를 읽지 못했다"),
                ),
            },
            Check::EscapedToHostRoot => match (&host.root, ev.facts.escaped_root) {
                (Ok(h), Some(e)) => (
                    h.id == e,
                    detail!(
                        "host / is {}, escaped / is {}",
                        "호스트 / = {}, 탈출한 곳의 / = {}",
                        h.id,
                        e
                    ),
                ),
                _ => (false, no_escape()),
            },
            Check::BoxPid { pid } => (
                boxed.pid == *pid,
                detail!("box getpid() = {}", "박스의 getpid() = {}", boxed.pid),
            ),
            Check::HostPidDiffers => {
                let nspid = ev
                    .box_pid
                    .and_then(|p| host.process(p))
                    .map(|p| p.nspid.clone())
                    .unwrap_or_default();
                (
                    nspid.len() >= 2 && nspid.first() != nspid.last(),
                    detail!(
                        "NSpid as the host reads it: {nspid:?}",
                        "호스트가 읽은 NSpid: {nspid:?}"
                    ),
                )
            }
            Check::ForChildrenDiffers { ns } => {
                let own = boxed
                    .namespaces
                    .as_ref()
                    .ok()
                    .and_then(|m| m.get(ns).copied());
                // Both links as the ns/ and "children ns" rows show them.
                let kind = ns.proc_name();
                // Until its first process exists, a new PID or time namespace cannot be opened:
                // the link then fails with ENOENT, which itself shows the switch.
                let (moved, children) = match boxed.for_children.get(ns) {
                    Some(Ok(c)) => (
                        own.is_some_and(|p| p != *c),
                        Detail::same(format!("{kind}:[{c}]")),
                    ),
                    Some(Err(e)) => (
                        own.is_some() && probe::not_there(e),
                        detail!(
                            "new ns, no process yet (ENOENT)",
                            "새 ns, 아직 프로세스 없음 (ENOENT)"
                        ),
                    ),
                    None => (false, Detail::same("?")),
                };
                let own = format!("{kind}:[{}]", show(own));
                (
                    moved,
                    Detail {
                        en: format!("own {own}; for children: {}", children.en),
                        ko: format!("자기 {own}; 자식용: {}", children.ko),
                    },
                )
            }
            Check::BoxClockAhead { seconds } => {
                let ahead = boxed.clocks.monotonic - host.clocks.monotonic;
                let boot = boxed.clocks.boottime - host.clocks.boottime;
                // The two views are read a few milliseconds apart: allow a second either way.
                let near = |d: f64| (d - *seconds as f64).abs() < 1.0;
                (
                    near(ahead) && near(boot),
                    detail!(
                        "box monotonic {ahead:+.1} s, boottime {boot:+.1} s",
                        "박스 monotonic {ahead:+.1}초, boottime {boot:+.1}초"
                    ),
                )
            }
            Check::ClocksAgree => {
                let d = |a: f64, b: f64| (a - b).abs();
                let (m, r) = (
                    d(boxed.clocks.monotonic, host.clocks.monotonic),
                    d(boxed.clocks.realtime, host.clocks.realtime),
                );
                (
                    m < 1.0 && r < 1.0,
                    detail!(
                        "monotonic differs by {m:.2} s, realtime by {r:.2} s",
                        "monotonic 차이 {m:.2}초, realtime 차이 {r:.2}초"
                    ),
                )
            }
            Check::BoxCgroupIsRoot => match &boxed.cgroups {
                Ok(lines) => (
                    all_end_with(lines, ":/"),
                    detail!("box reads {}", "박스가 읽은 값: {}", lines.join(" | ")),
                ),
                Err(e) => (false, e.clone()),
            },
            Check::CgroupVersions => match ev.facts.cgroup.layout.as_ref().map(Layout::scheme) {
                Some(Some(scheme)) => (true, scheme_detail(&scheme)),
                Some(None) => (
                    false,
                    detail!(
                        "no cgroup hierarchy is mounted",
                        "마운트된 cgroup 계층이 없다"
                    ),
                ),
                None => (
                    false,
                    detail!(
                        "the cgroup layout was not shown",
                        "cgroup 배치를 보여 주지 않았다"
                    ),
                ),
            },
            Check::HostSeesBoxCgroupPath => match (&ev.outside.cgroups, &host.cgroups) {
                // The box has not moved: read from outside, its cgroups are boxlab's own.
                (Ok(b), Ok(h)) => (
                    b == h,
                    detail!("host reads {}", "호스트가 읽은 값: {}", b.join(" | ")),
                ),
                (Err(e), _) | (_, Err(e)) => (false, e.clone()),
            },
            Check::OrphanAdopted => match ev.facts.orphan.and_then(|o| boxed.process(o)) {
                Some(p) => (
                    p.ppid == 1,
                    detail!(
                        "orphan pid {} has parent {}",
                        "고아 pid {}의 부모: {}",
                        p.pid,
                        p.ppid
                    ),
                ),
                None => (false, orphan_missing()),
            },
            Check::OrphanIsZombie => match ev.facts.orphan.and_then(|o| boxed.process(o)) {
                Some(p) => (
                    p.state == 'Z',
                    detail!(
                        "orphan pid {} is in state {}",
                        "고아 pid {}의 상태: {}",
                        p.pid,
                        p.state
                    ),
                ),
                None => (false, orphan_missing()),
            },
            Check::OrphanReaped => match ev.facts.orphan {
                Some(orphan) => {
                    let reaped = ev.facts.reaped.iter().map(i32::to_string);
                    let reaped = reaped.collect::<Vec<_>>().join(", ");
                    (
                        ev.facts.reaped.contains(&orphan),
                        match reaped.as_str() {
                            "" => detail!(
                                "waitpid collected nobody; the orphan is PID {orphan}",
                                "waitpid가 거둔 프로세스 없음, 고아는 PID {orphan}"
                            ),
                            _ => detail!(
                                "waitpid collected PID {reaped}; the orphan is PID {orphan}",
                                "waitpid가 거둔 프로세스: PID {reaped}, 고아는 PID {orphan}"
                            ),
                        },
                    )
                }
                None => (false, orphan_missing()),
            },
            Check::NoZombies => {
                let zombies: Vec<i32> = boxed
                    .processes
                    .as_ref()
                    .map(|ps| {
                        ps.iter()
                            .filter(|p| p.state == 'Z')
                            .map(|p| p.pid)
                            .collect()
                    })
                    .unwrap_or_default();
                let detail = match (&boxed.processes, zombies.as_slice()) {
                    (Err(e), _) => e.clone(),
                    (Ok(_), []) => detail!(
                        "the box lists no process in state Z",
                        "박스 목록에 상태 Z인 프로세스가 없다"
                    ),
                    (Ok(_), pids) => {
                        let pids = pids.iter().map(i32::to_string).collect::<Vec<_>>();
                        let pids = pids.join(", ");
                        detail!("zombies left: PID {pids}", "남은 좀비: PID {pids}")
                    }
                };
                (boxed.processes.is_ok() && zombies.is_empty(), detail)
            }
            Check::BoxHasMount { at } => {
                let m = mount_at(boxed, at);
                (
                    m.is_some(),
                    m.map_or(nothing_at(Place::Box, at), |m| {
                        mounted_at(Place::Box, at, &m.fs_type)
                    }),
                )
            }
            Check::HostLacksMount { at } => {
                let m = mount_at(host, at);
                (
                    host.mounts.is_ok() && m.is_none(),
                    m.map_or(nothing_at(Place::Host, at), |m| {
                        mounted_at(Place::Host, at, &m.fs_type)
                    }),
                )
            }
            Check::BoxMountPrivate { at } => match mount_at(boxed, at) {
                Some(m) => (
                    m.propagation.is_empty(),
                    mounted_at(Place::Box, at, &m.propagation_label()),
                ),
                None => (false, nothing_at(Place::Box, at)),
            },
            Check::BoxSeesFewerMounts => {
                let (h, b) = (count(&host.mounts), count(&boxed.mounts));
                (
                    b > 0 && b < h,
                    detail!(
                        "host {h} mounts, box {b}",
                        "마운트: 호스트 {h}개, 박스 {b}개"
                    ),
                )
            }
            Check::EscapeStayedInside => match (&boxed.root, ev.facts.escaped_root) {
                (Ok(b), Some(e)) => (
                    b.id == e,
                    detail!(
                        "box / is {}, escaped / is {}",
                        "박스 / = {}, 탈출한 곳의 / = {}",
                        b.id,
                        e
                    ),
                ),
                _ => (false, no_escape()),
            },
            Check::BoxUid { uid } => match &boxed.creds {
                Ok(c) => (
                    c.uid == *uid,
                    if c.uid_map.is_empty() {
                        detail!(
                            "box: uid {} (uid_map empty)",
                            "박스: uid {} (uid_map 비어 있음)",
                            c.uid
                        )
                    } else {
                        detail!(
                            "box: uid {} (uid_map {})",
                            "박스: uid {} (uid_map {})",
                            c.uid,
                            c.uid_map
                        )
                    },
                ),
                Err(e) => (false, e.clone()),
            },
            Check::HostSeesUnprivilegedBox => match &ev.outside.creds {
                Ok(c) => (
                    c.uid != 0,
                    detail!(
                        "host reads uid {} gid {}",
                        "호스트가 읽은 값: uid {} gid {}",
                        c.uid,
                        c.gid
                    ),
                ),
                Err(e) => (false, e.clone()),
            },
            Check::BoxHasAllCaps => match &boxed.creds {
                Ok(c) => (
                    c.cap_count() >= 38,
                    detail!(
                        "CapEff has {} capabilities",
                        "CapEff의 capability: {}개",
                        c.cap_count()
                    ),
                ),
                Err(e) => (false, e.clone()),
            },
            Check::BoxCapsDockerDefault => match &boxed.creds {
                Ok(c) => (
                    c.cap_eff == crate::kernel::caps::docker_default_mask(),
                    Detail::same(format!("CapEff {:016x}", c.cap_eff)),
                ),
                Err(e) => (false, e.clone()),
            },
            Check::BoxCap { cap, held } => match &boxed.creds {
                Ok(c) => {
                    let has = c.cap_eff & crate::kernel::caps::mask(&[cap.0]) != 0;
                    (
                        has == *held,
                        if has {
                            detail!(
                                "CapEff {:016x}: {} set",
                                "CapEff {:016x}: {} 있음",
                                c.cap_eff,
                                cap.name()
                            )
                        } else {
                            detail!(
                                "CapEff {:016x}: {} clear",
                                "CapEff {:016x}: {} 없음",
                                c.cap_eff,
                                cap.name()
                            )
                        },
                    )
                }
                Err(e) => (false, e.clone()),
            },
            Check::BoxNoNewPrivs => match &boxed.creds {
                Ok(c) => (
                    c.no_new_privs,
                    Detail::same(format!("NoNewPrivs: {}", c.no_new_privs as u8)),
                ),
                Err(e) => (false, e.clone()),
            },
            Check::BoxSeccompFilter => match &boxed.creds {
                Ok(c) => (
                    c.seccomp == 2,
                    Detail::same(format!("Seccomp: {}", c.seccomp)),
                ),
                Err(e) => (false, e.clone()),
            },
            Check::ServiceInsideWalls => service_inside_walls(ev.facts.service.as_ref(), boxed),
            Check::RuntimeAgrees => unreachable!("`evaluate` asks docker::judge"),
            Check::AttemptFailed { errno } => match &ev.facts.attempt {
                Some(Some(e)) => (e.en.contains(errno.as_str()), e.clone()),
                Some(None) => (false, detail!("it succeeded", "성공했다")),
                None => (
                    false,
                    detail!("nothing was attempted", "아무것도 시도하지 않았다"),
                ),
            },
            Check::IpcSeen {
                made_by,
                kind,
                seen_by,
                seen,
            } => {
                let Some(fact) = ev
                    .facts
                    .ipc
                    .iter()
                    .rev()
                    .find(|f| f.made_by == *made_by && f.kind == *kind)
                else {
                    return (
                        false,
                        detail!("no such object was made", "그런 객체는 만들어지지 않았다"),
                    );
                };
                let view = match seen_by {
                    Place::Host => host,
                    Place::Box => boxed,
                };
                match &view.ipc {
                    Ok(objects) => {
                        let listed = objects
                            .iter()
                            .any(|o| o.kind == fact.kind && o.key == fact.key);
                        (
                            listed == *seen,
                            if listed {
                                detail!("key {:#x}: listed", "키 {:#x}: 목록에 있음", fact.key)
                            } else {
                                detail!("key {:#x}: not listed", "키 {:#x}: 목록에 없음", fact.key)
                            },
                        )
                    }
                    Err(e) => (false, e.clone()),
                }
            }
            Check::MqSeen { seen_by, seen } => {
                let looked = match seen_by {
                    Place::Box => ev.facts.mq_seen_by_box,
                    Place::Host => ev.facts.mq_seen_by_host,
                };
                match looked {
                    Some(found) => (
                        found == *seen,
                        if found {
                            detail!("mq_open succeeded", "mq_open 성공")
                        } else {
                            Detail::same("mq_open: ENOENT")
                        },
                    ),
                    None => (
                        false,
                        detail!("that side did not look", "그쪽에서는 열어 보지 않았다"),
                    ),
                }
            }
            Check::BoxOnlyLoopback => match &boxed.net {
                Ok(n) => {
                    let names: Vec<&str> = n.links.iter().map(|l| l.name.as_str()).collect();
                    (
                        names == ["lo"],
                        detail!("box links: {}", "박스의 인터페이스: {}", names.join(" ")),
                    )
                }
                Err(e) => (false, e.clone()),
            },
            Check::BoxLinkUp { name } => match boxed.net.as_ref().ok().and_then(|n| n.link(name)) {
                Some(l) => (
                    l.up,
                    Detail::same(format!("{name}: {}", if l.up { "UP" } else { "DOWN" })),
                ),
                None => (
                    false,
                    detail!("the box has no {name}", "박스에 {name} 없음"),
                ),
            },
            Check::VethConnected => match (&ev.facts.veth, &host.net, &boxed.net) {
                (Some(v), Ok(h), Ok(b)) => {
                    let end = |n: &crate::probe::net::NetView, name: &str, ip| {
                        n.link(name)
                            .is_some_and(|l| l.up && l.addrs.iter().any(|(a, _)| *a == ip))
                    };
                    let ok = end(h, &v.host_if, v.host_ip)
                        && end(b, &v.box_if, v.box_ip)
                        && h.link(&v.box_if).is_none();
                    (
                        ok,
                        detail!(
                            "host {} {}, box {} {}",
                            "호스트 {} {}, 박스 {} {}",
                            v.host_if,
                            v.host_ip,
                            v.box_if,
                            v.box_ip
                        ),
                    )
                }
                _ => (false, detail!("no veth yet", "아직 veth가 없다")),
            },
            cgroup_check!() => cgroup_checks::judge(self, ev),
            layer_check!() => layer_checks::judge(self, ev),
            Check::PingOk { from } => {
                let ping = match from {
                    Place::Host => &ev.facts.ping_from_host,
                    Place::Box => &ev.facts.ping_from_box,
                };
                match ping {
                    Some(Ok(us)) => (
                        true,
                        detail!(
                            "reply in {:.2} ms",
                            "응답까지 {:.2} ms",
                            *us as f64 / 1000.0
                        ),
                    ),
                    Some(Err(e)) => (false, Detail::same(e)),
                    None => (false, detail!("no ping was sent", "ping을 보내지 않았다")),
                }
            }
            Check::ExitStatus { status } => match &ev.facts.last_output {
                Some(o) => (
                    o.status == Some(*status),
                    match o.status {
                        Some(s) => detail!("exit status {s}", "종료 상태 {s}"),
                        None => detail!(
                            "exit status none (killed?)",
                            "종료 상태 없음 (시그널로 끝났나?)"
                        ),
                    },
                ),
                None => (false, no_command()),
            },
            Check::BoxOutlivedTerm => {
                let state = ev.box_pid.and_then(|p| host.process(p)).map(|p| p.state);
                match ev.facts.box_after_term {
                    None => (
                        false,
                        detail!("no SIGTERM was sent", "SIGTERM을 보내지 않았다"),
                    ),
                    Some(alive) => (
                        alive && state.is_some_and(|s| s != 'Z'),
                        match state {
                            Some(s) => detail!(
                                "host lists the box in state {s}",
                                "호스트 목록의 박스 상태: {s}"
                            ),
                            None => detail!(
                                "the host no longer lists the box",
                                "호스트 목록에 박스가 더는 없다"
                            ),
                        },
                    ),
                }
            }
            Check::OutputLinesEndWith { text } => match &ev.facts.last_output {
                Some(o) => {
                    let lines: Vec<&str> = o.stdout.lines().map(str::trim_end).collect();
                    (
                        all_end_with(&lines, text),
                        detail!("it shows {}", "출력: {}", lines.join(" | ")),
                    )
                }
                None => (false, no_command()),
            },
            Check::OutputContains { text } => match &ev.facts.last_output {
                // The line that has it, or else all that was printed.
                Some(o) => match o.stdout.lines().find(|l| l.contains(text.as_str())) {
                    Some(line) => {
                        // A command's line continuation is not what it printed.
                        let line = quoted(line.trim().trim_end_matches(" \\"));
                        (true, detail!("output: {}", "출력: {}", line))
                    }
                    None => (
                        false,
                        detail!("it shows {:?}", "출력: {:?}", o.stdout.trim()),
                    ),
                },
                None => (false, no_command()),
            },
        }
    }
}

/// "host \"a\", box \"b\"": two hostnames side by side.
fn host_and_box(host: &str, boxed: &str) -> Detail {
    detail!(
        "host \"{host}\", box \"{boxed}\"",
        "호스트 \"{host}\", 박스 \"{boxed}\""
    )
}

/// Whether there are lines and each ends in `suffix` (`:/`: a cgroup namespace's root).
/// The service's capability sets, no_new_privs, seccomp mode and cgroups against the box's.
fn service_inside_walls(service: Option<&Service>, boxed: &View) -> (bool, Detail) {
    let Some(service) = service else {
        return (
            false,
            detail!("no service was started", "시작한 서비스가 없다"),
        );
    };
    let (theirs, ours) = match (&service.creds, &boxed.creds) {
        (Ok(t), Ok(o)) => (t, o),
        (Err(e), _) | (_, Err(e)) => return (false, e.clone()),
    };
    let same_cgroups = match (&service.cgroups, &boxed.cgroups) {
        (Ok(t), Ok(o)) => t == o,
        _ => false,
    };
    let walled = theirs.cap_eff == ours.cap_eff
        && theirs.cap_bnd == ours.cap_bnd
        && theirs.no_new_privs
        && theirs.seccomp == 2
        && same_cgroups;
    let (pid, eff, nnp, seccomp) = (
        service.pid,
        theirs.cap_eff,
        theirs.no_new_privs as u8,
        theirs.seccomp,
    );
    let detail = if same_cgroups {
        detail!(
            "PID {pid}: CapEff {eff:016x}, NoNewPrivs {nnp}, Seccomp {seccomp}, the box's cgroups",
            "PID {pid}: CapEff {eff:016x}, NoNewPrivs {nnp}, Seccomp {seccomp}, 박스와 같은 cgroup"
        )
    } else {
        detail!(
            "PID {pid}: CapEff {eff:016x}, NoNewPrivs {nnp}, Seccomp {seccomp}, other cgroups than the box's",
            "PID {pid}: CapEff {eff:016x}, NoNewPrivs {nnp}, Seccomp {seccomp}, 박스와 다른 cgroup"
        )
    };
    (walled, detail)
}

fn all_end_with(lines: &[impl AsRef<str>], suffix: &str) -> bool {
    !lines.is_empty() && lines.iter().all(|l| l.as_ref().ends_with(suffix))
}

/// Which versions carry the host's cgroups, and where the v2 tree is mounted.
fn scheme_detail(scheme: &Scheme) -> Detail {
    match scheme {
        Scheme::V1 => detail!("v1 only: no cgroup2 mount", "v1만: cgroup2 마운트 없음"),
        Scheme::V2(at) => detail!(
            "v2 only: one tree at {}",
            "v2만: {}에 트리 하나",
            at.display()
        ),
        Scheme::Hybrid(at) => detail!(
            "hybrid: v1, plus v2 at {}",
            "혼합: v1, 그리고 {}에 v2",
            at.display()
        ),
    }
}

fn no_escape() -> Detail {
    detail!("no escape was attempted", "탈출을 시도하지 않았다")
}

fn orphan_missing() -> Detail {
    detail!(
        "the box does not list the orphan",
        "박스 목록에 고아 프로세스가 없다"
    )
}

/// `text` in double quotes, or in backquotes when it holds double quotes itself (a line of
/// config.json), so the quoting stays readable.
fn quoted(text: &str) -> String {
    if text.contains('"') {
        format!("`{text}`")
    } else {
        format!("\"{text}\"")
    }
}

fn no_command() -> Detail {
    detail!("no command was run", "실행한 명령이 없다")
}

/// A side's name in a mount check's detail: (English, Korean).
fn side_names(side: Place) -> (&'static str, &'static str) {
    match side {
        Place::Host => ("host", "호스트"),
        Place::Box => ("box", "박스"),
    }
}

/// "box: nothing at /x" on one side.
fn nothing_at(side: Place, at: &str) -> Detail {
    let (en, ko) = side_names(side);
    detail!("{en}: nothing at {at}", "{ko}: {at}에 마운트 없음")
}

/// "box: /x tmpfs": what is mounted at `at` on one side.
fn mounted_at(side: Place, at: &str, what: &str) -> Detail {
    let (en, ko) = side_names(side);
    detail!("{en}: {at} {what}", "{ko}: {at} {what}")
}

/// The topmost mount at `path` in a view (the last one listed wins, as in the kernel).
fn mount_at<'a>(view: &'a View, path: &str) -> Option<&'a crate::probe::MountEntry> {
    view.mounts
        .as_ref()
        .ok()?
        .iter()
        .rev()
        .find(|m| m.mount_point == path)
}

fn count<T>(list: &Probed<Vec<T>>) -> usize {
    list.as_ref().map_or(0, Vec::len)
}

fn show(v: Option<u64>) -> String {
    v.map_or("?".into(), |v| v.to_string())
}
