//! Views of the system as one process sees it: hostname, kernel, root directory, namespaces,
//! processes and mounts.
//!
//! The same [`View::collect`] runs in the TUI (the host's view) and in the box agent (the box's
//! view). Different answers from the same code are the whole point of every lesson.
//! Parsers are pure functions over file contents, tested on fixtures in `tests/fixtures/proc`.

pub mod mountinfo;
pub mod net;
pub mod nslink;
pub mod resources;
pub mod stat;
pub mod status;
pub mod sysvipc;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;

use serde::{Deserialize, Serialize};

use crate::kernel::namespaces::Namespace;
use crate::lang::{Detail, detail};
pub use mountinfo::MountEntry;

/// A part of a view that may be unreadable from where the probe runs (no /proc in a fresh
/// chroot): the error says why, in either language (mostly the system's own words: a path and
/// its strerror, the same in both).
pub type Probed<T> = Result<T, Detail>;

/// Whether a probe failed because its path was not there (ENOENT): no /proc in the box yet, or
/// a namespace link with no process behind it. The error keeps std's strerror for it.
pub fn not_there(e: &Detail) -> bool {
    e.en.contains("No such file")
}

/// Identity of a directory: two processes see the same `/` when dev and inode match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

/// `dev 254:0 inode 2`: the device as major:minor, as `ls -l` and `stat` show device numbers.
impl std::fmt::Display for FileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dev = self.dev as libc::dev_t;
        let (major, minor) = (libc::major(dev), libc::minor(dev));
        write!(f, "dev {major}:{minor} inode {}", self.ino)
    }
}

/// What `/` looks like to the prober.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootInfo {
    pub id: FileId,
    /// Names in `/`, sorted.
    pub entries: Vec<String>,
}

/// One process as seen through the prober's /proc.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessInfo {
    pub pid: i32,
    pub ppid: i32,
    /// R, S, D, Z, T... (proc(5), /proc/PID/stat field 3).
    pub state: char,
    pub name: String,
    /// The pid in each PID namespace from the /proc mount's namespace inwards (NSpid).
    pub nspid: Vec<i32>,
    /// Clock ticks after boot: with pid, it names a process even after its pid is reused.
    pub start_time: u64,
    /// A kernel thread (kthreadd and its children), which the box pane counts but does not list.
    #[serde(default)]
    pub kernel_thread: bool,
}

/// Everything one process can see of the system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// getpid(): how the prober's own PID namespace numbers it.
    pub pid: i32,
    pub hostname: String,
    pub kernel: String,
    pub boot_id: Probed<String>,
    pub root: Probed<RootInfo>,
    /// Namespace inode numbers of the prober (`/proc/self/ns/*`).
    pub namespaces: Probed<BTreeMap<Namespace, u64>>,
    /// The PID and time namespaces the prober's next child will be in
    /// (`/proc/self/ns/pid_for_children`, `time_for_children`).
    pub for_children: BTreeMap<Namespace, Probed<u64>>,
    pub clocks: Clocks,
    /// `/proc/self/cgroup`: the prober's cgroup in each hierarchy, relative to its cgroup
    /// namespace's root.
    pub cgroups: Probed<Vec<String>>,
    pub processes: Probed<Vec<ProcessInfo>>,
    pub mounts: Probed<Vec<MountEntry>>,
    /// The prober's uids, gids, capabilities and id maps.
    pub creds: Probed<status::Creds>,
    /// Interfaces, addresses and routes of the prober's network namespace (netlink).
    pub net: Probed<net::NetView>,
    /// System V shared memory segments and message queues of the prober's IPC namespace.
    pub ipc: Probed<Vec<sysvipc::IpcObject>>,
    /// The prober's pid in the PID namespace of the /proc it reads (readlink /proc/self): not
    /// getpid() when the box still reads the host's /proc.
    pub proc_pid: Option<i32>,
}

impl View {
    /// Reads the view of the calling process.
    pub fn collect() -> View {
        let (hostname, kernel) = uname();
        View {
            pid: std::process::id() as i32,
            hostname,
            kernel,
            boot_id: read("/proc/sys/kernel/random/boot_id").map(|s| s.trim().to_string()),
            root: root_info(),
            namespaces: namespaces_of("self"),
            for_children: for_children_of("self"),
            clocks: Clocks::read(),
            cgroups: cgroups_of("self"),
            creds: creds_of("self"),
            net: net::collect(),
            ipc: ipc_objects(),
            proc_pid: fs::read_link("/proc/self")
                .ok()
                .and_then(|p| p.to_str()?.parse().ok()),
            processes: processes(),
            mounts: read("/proc/self/mountinfo").map(|s| mountinfo::parse(&s)),
        }
    }

    pub fn process(&self, pid: i32) -> Option<&ProcessInfo> {
        self.processes.as_ref().ok()?.iter().find(|p| p.pid == pid)
    }

    /// `pid` and every process descended from it, parents before children.
    pub fn tree(&self, pid: i32) -> Vec<&ProcessInfo> {
        let Ok(all) = &self.processes else {
            return Vec::new();
        };
        let mut out: Vec<&ProcessInfo> = all.iter().filter(|p| p.pid == pid).collect();
        let mut i = 0;
        while i < out.len() {
            let parent = out[i].pid;
            out.extend(all.iter().filter(|p| p.ppid == parent && p.pid != parent));
            i += 1;
        }
        out
    }
}

/// Seconds on three clocks (clock_gettime(2)). A time namespace offsets MONOTONIC and BOOTTIME;
/// REALTIME, the wall clock, is the same everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clocks {
    pub monotonic: f64,
    pub boottime: f64,
    pub realtime: f64,
}

impl Clocks {
    pub fn read() -> Clocks {
        let read = |id| {
            let mut ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            unsafe { libc::clock_gettime(id, &mut ts) };
            ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
        };
        Clocks {
            monotonic: read(libc::CLOCK_MONOTONIC),
            boottime: read(libc::CLOCK_BOOTTIME),
            realtime: read(libc::CLOCK_REALTIME),
        }
    }
}

/// A box as the host sees it from outside, through `/proc/BOXPID`: it works even when the box
/// has no /proc of its own, and it is the other half of every "inside vs outside" comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outside {
    pub namespaces: Probed<BTreeMap<Namespace, u64>>,
    pub for_children: BTreeMap<Namespace, Probed<u64>>,
    pub cgroups: Probed<Vec<String>>,
    pub creds: Probed<status::Creds>,
}

impl Outside {
    pub fn read(pid: i32) -> Outside {
        let pid = pid.to_string();
        Outside {
            namespaces: namespaces_of(&pid),
            for_children: for_children_of(&pid),
            cgroups: cgroups_of(&pid),
            creds: creds_of(&pid),
        }
    }

    /// For a step with no box.
    pub fn none() -> Outside {
        let no = detail!("no box", "박스 없음");
        Outside {
            namespaces: Err(no.clone()),
            for_children: BTreeMap::new(),
            cgroups: Err(no.clone()),
            creds: Err(no),
        }
    }
}

/// `/proc/PID/ns/{pid,time}_for_children`.
fn for_children_of(pid: &str) -> BTreeMap<Namespace, Probed<u64>> {
    [Namespace::Pid, Namespace::Time]
        .into_iter()
        .map(|ns| {
            (
                ns,
                ns_inode(&format!("/proc/{pid}/ns/{}_for_children", ns.proc_name())),
            )
        })
        .collect()
}

/// Uids, gids and effective capabilities from `/proc/PID/status`, with the id maps of its user
/// namespace (`/proc/PID/uid_map`, `gid_map`).
pub fn creds_of(pid: &str) -> Probed<status::Creds> {
    let text = read(&format!("/proc/{pid}/status"))?;
    let mut creds = status::creds(&text)
        .ok_or_else(|| Detail::same(format!("/proc/{pid}/status: no Uid/Gid/CapEff lines")))?;
    creds.uid_map = read(&format!("/proc/{pid}/uid_map"))
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    creds.gid_map = read(&format!("/proc/{pid}/gid_map"))
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(creds)
}

/// The lines of `/proc/PID/cgroup` (`"self"` or a pid), as the reader's cgroup namespace shows them.
pub fn cgroups_of(pid: &str) -> Probed<Vec<String>> {
    read(&format!("/proc/{pid}/cgroup")).map(|s| s.lines().map(str::to_owned).collect())
}

/// Namespace inodes of a process (`"self"` or a pid), read from `/proc/PID/ns/*` links.
pub fn namespaces_of(pid: &str) -> Probed<BTreeMap<Namespace, u64>> {
    let dir = format!("/proc/{pid}/ns");
    let entries = fs::read_dir(&dir).map_err(|e| Detail::same(format!("{dir}: {e}")))?;
    let mut out = BTreeMap::new();
    for entry in entries.flatten() {
        let Some(ns) = entry
            .file_name()
            .to_str()
            .and_then(Namespace::from_proc_name)
        else {
            continue;
        };
        if let Ok(inode) = ns_inode(&entry.path().to_string_lossy()) {
            out.insert(ns, inode);
        }
    }
    Ok(out)
}

fn ns_inode(link: &str) -> Probed<u64> {
    let target = fs::read_link(link).map_err(|e| Detail::same(format!("{link}: {e}")))?;
    let target = target.to_string_lossy();
    nslink::parse(&target)
        .map(|(_, inode)| inode)
        .ok_or_else(|| Detail::same(format!("{link}: unexpected target {target}")))
}

fn read(path: &str) -> Probed<String> {
    fs::read_to_string(path).map_err(|e| Detail::same(format!("{path}: {e}")))
}

/// uname(2): works without /proc, so a bare chroot still knows its hostname.
fn uname() -> (String, String) {
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return (String::from("?"), String::from("?"));
    }
    let field = |f: &[libc::c_char]| {
        let bytes: Vec<u8> = f
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (field(&u.nodename), field(&u.release))
}

/// stat(2) and a listing of `/` as the caller sees it.
pub fn root_info() -> Probed<RootInfo> {
    let meta = fs::metadata("/").map_err(|e| Detail::same(format!("/: {e}")))?;
    let mut entries: Vec<String> = fs::read_dir("/")
        .map_err(|e| Detail::same(format!("/: {e}")))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    Ok(RootInfo {
        id: FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        },
        entries,
    })
}

fn processes() -> Probed<Vec<ProcessInfo>> {
    let dir = fs::read_dir("/proc").map_err(|e| Detail::same(format!("/proc: {e}")))?;
    let mut out: Vec<ProcessInfo> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            // A process may exit between listing and reading: skip it.
            let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let st = status::parse(&status)?;
            let sf = stat::parse(&stat)?;
            Some(ProcessInfo {
                pid,
                ppid: st.ppid,
                state: sf.state,
                name: st.name,
                nspid: if st.nspid.is_empty() {
                    vec![pid]
                } else {
                    st.nspid
                },
                start_time: sf.start_time,
                kernel_thread: sf.kernel_thread,
            })
        })
        .collect();
    // Nothing (or no procfs) mounted there, as in a chroot before its /proc is mounted.
    if out.is_empty() {
        return Err(detail!(
            "/proc: no processes listed (is it a procfs?)",
            "/proc에 프로세스가 없습니다(procfs가 마운트되지 않았나요?)"
        ));
    }
    out.sort_by_key(|p| p.pid);
    Ok(out)
}

fn ipc_objects() -> Probed<Vec<sysvipc::IpcObject>> {
    use crate::kernel::ipc::IpcKind;
    let mut out = sysvipc::parse(IpcKind::Shm, &read("/proc/sysvipc/shm")?);
    out.extend(sysvipc::parse(IpcKind::Msg, &read("/proc/sysvipc/msg")?));
    Ok(out)
}

/// statfs(2): whether `path` is on overlayfs (boxlab inside a container such as Docker's, where
/// an overlay's upper directory cannot live).
pub fn is_overlayfs(path: &std::path::Path) -> bool {
    use nix::sys::statfs::{OVERLAYFS_SUPER_MAGIC, statfs};
    statfs(path).is_ok_and(|s| s.filesystem_type() == OVERLAYFS_SUPER_MAGIC)
}

/// Start time of a live process, to recognise it later despite pid reuse.
pub fn start_time(pid: i32) -> Option<u64> {
    stat::parse(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?).map(|s| s.start_time)
}

/// Every live process in session `sid` (a shell's session: the shell and the jobs it started),
/// as the caller's /proc numbers them.
pub fn session_members(sid: i32) -> Vec<i32> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| stat::parse(&s))
                .is_some_and(|s| s.session == sid && s.state != 'Z')
        })
        .collect()
}
