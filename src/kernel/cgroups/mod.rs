//! Control groups (cgroups(7)): where each controller lives on this host, a box's own cgroup
//! with its limits, its usage, and its removal.
//!
//! A host has one of three layouts: v1 (a hierarchy per controller or group of controllers),
//! v2 (one unified hierarchy) or hybrid (v1 controllers with cgroup2 mounted beside them, where a
//! controller not bound to a v1 hierarchy may sit on the cgroup2 side). So the layout is read per
//! controller, and every operation dispatches on the version of the controller it touches:
//! [`v1`] and [`v2`] hold the file names and formats of each.
//!
//! The files are written directly, because writing them is the lesson; every write, mkdir and
//! rmdir leaves a record for the syscall pane. Every path comes from a [`Layout`] read under a
//! `root` (the real `/`, or a test's directory of fixture files).

pub mod delegated;
pub mod v1;
pub mod v2;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use serde::{Deserialize, Serialize};

use super::{KernelError, logged, root};
use crate::probe::mountinfo;

/// The resources boxlab limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Controller {
    Memory,
    Cpu,
    Pids,
    Io,
}

impl Controller {
    pub const ALL: [Controller; 4] = [
        Controller::Memory,
        Controller::Cpu,
        Controller::Pids,
        Controller::Io,
    ];

    /// Its name in a v2 `cgroup.controllers`.
    pub fn v2_name(self) -> &'static str {
        match self {
            Controller::Memory => "memory",
            Controller::Cpu => "cpu",
            Controller::Pids => "pids",
            Controller::Io => "io",
        }
    }

    /// Its name as a v1 hierarchy's mount option (I/O is `blkio` there).
    pub fn v1_name(self) -> &'static str {
        match self {
            Controller::Io => "blkio",
            c => c.v2_name(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Version {
    V1,
    V2,
}

/// One mounted cgroup hierarchy and the reading process's cgroup in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    pub version: Version,
    /// The mount point, under the layout's root.
    pub mount: PathBuf,
    /// The reader's cgroup, relative to the mount (`/`, `/user.slice/...`).
    pub own: String,
    /// v1: the controllers bound to it (`cpu`, `cpuacct`); v2: those in its `cgroup.controllers`.
    pub controllers: Vec<String>,
}

impl Hierarchy {
    pub fn carries(&self, name: &str) -> bool {
        self.controllers.iter().any(|c| c == name)
    }

    /// The reader's own cgroup directory.
    pub fn own_dir(&self) -> PathBuf {
        self.mount.join(self.own.trim_start_matches('/'))
    }
}

/// Where every controller lives on this host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub hierarchies: Vec<Hierarchy>,
}

impl Layout {
    /// The calling process's layout, from its mountinfo and /proc/self/cgroup.
    pub fn detect() -> Layout {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        Layout::parse(
            &read("/proc/self/mountinfo"),
            &read("/proc/self/cgroup"),
            Path::new("/"),
        )
    }

    /// Reads the layout from a mountinfo and a /proc/PID/cgroup text; mount points are taken
    /// under `root`, where a v2 mount's `cgroup.controllers` is read.
    pub fn parse(mountinfo: &str, proc_cgroup: &str, root: &Path) -> Layout {
        // /proc/PID/cgroup: `4:memory:/path`, `2:cpu,cpuacct:/path`, `0::/path` (v2).
        let own: Vec<(&str, &str)> = proc_cgroup
            .lines()
            .filter_map(|l| {
                let mut it = l.splitn(3, ':');
                it.next()?;
                Some((it.next()?, it.next()?))
            })
            .collect();
        let mut hierarchies = Vec::new();
        for m in mountinfo::parse(mountinfo) {
            let mount = root.join(m.mount_point.trim_start_matches('/'));
            let (version, controllers, names) = match m.fs_type.as_str() {
                "cgroup2" => {
                    let list = std::fs::read_to_string(mount.join("cgroup.controllers"))
                        .unwrap_or_default();
                    let list = list.split_whitespace().map(str::to_owned).collect();
                    (Version::V2, list, String::new())
                }
                "cgroup" => {
                    // The hierarchy's line in /proc/PID/cgroup names exactly its controllers.
                    let options: Vec<&str> = m.super_options.split(',').collect();
                    let Some(&(names, _)) = own.iter().find(|(names, _)| {
                        !names.is_empty() && names.split(',').all(|n| options.contains(&n))
                    }) else {
                        continue;
                    };
                    let list = names.split(',').map(str::to_owned).collect();
                    (Version::V1, list, names.to_string())
                }
                _ => continue,
            };
            // The same hierarchy mounted twice: the first mount serves.
            if hierarchies
                .iter()
                .any(|h: &Hierarchy| h.version == version && h.controllers == controllers)
            {
                continue;
            }
            let Some(&(_, path)) = own.iter().find(|(n, _)| *n == names) else {
                continue;
            };
            // A mount of a subtree (a container's view without a cgroup namespace) starts at
            // `m.root`: the reader's path is relative to that.
            let own = match path.strip_prefix(m.root.as_str()) {
                Some(rest) if m.root != "/" => format!("/{}", rest.trim_start_matches('/')),
                _ => path.to_string(),
            };
            hierarchies.push(Hierarchy {
                version,
                mount,
                own,
                controllers,
            });
        }
        Layout { hierarchies }
    }

    /// The hierarchy a controller is used through: a v1 hierarchy it is bound to, or else the
    /// v2 hierarchy that offers it. None when this host does not have it.
    pub fn place(&self, c: Controller) -> Option<&Hierarchy> {
        self.v1(c.v1_name()).or_else(|| {
            self.hierarchies
                .iter()
                .find(|h| h.version == Version::V2 && h.carries(c.v2_name()))
        })
    }

    /// The v1 hierarchy carrying `name` (`cpuacct`, which only v1 has, holds v1's CPU usage).
    pub fn v1(&self, name: &str) -> Option<&Hierarchy> {
        self.hierarchies
            .iter()
            .find(|h| h.version == Version::V1 && h.carries(name))
    }

    /// The cgroup2 mount, whether or not it carries controllers.
    pub fn unified(&self) -> Option<&Hierarchy> {
        self.hierarchies.iter().find(|h| h.version == Version::V2)
    }

    /// Which versions carry this host's cgroups; None when no hierarchy is mounted.
    pub fn scheme(&self) -> Option<Scheme> {
        // A v1 hierarchy counts when it carries a controller: systemd's `name=systemd`
        // hierarchy carries none, and a v2 host may still mount it.
        let v1 = Controller::ALL
            .iter()
            .any(|&c| self.place(c).is_some_and(|h| h.version == Version::V1));
        match (v1, self.unified()) {
            (true, Some(u)) => Some(Scheme::Hybrid(u.mount.clone())),
            (true, None) => Some(Scheme::V1),
            (false, Some(u)) => Some(Scheme::V2(u.mount.clone())),
            (false, None) => None,
        }
    }

    /// The hierarchies a box's cgroup needs a directory in to use `controllers`.
    fn needed(&self, controllers: &[Controller]) -> Vec<&Hierarchy> {
        let mut out: Vec<&Hierarchy> = Vec::new();
        for &c in controllers {
            let place = self.place(c);
            // v1 keeps CPU usage in cpuacct, which may be a hierarchy of its own.
            let acct = place
                .filter(|h| c == Controller::Cpu && h.version == Version::V1)
                .and_then(|_| self.v1("cpuacct"));
            for h in [place, acct].into_iter().flatten() {
                if !out.contains(&h) {
                    out.push(h);
                }
            }
        }
        out
    }

    /// One line per controller: where it lives here (`memory  v1  /sys/fs/cgroup/memory`).
    pub fn describe(&self) -> Vec<String> {
        Controller::ALL
            .iter()
            .map(|&c| match self.place(c) {
                Some(h) => format!(
                    "{:<7} {}  {}",
                    c.v2_name(),
                    if h.version == Version::V1 { "v1" } else { "v2" },
                    h.mount.display()
                ),
                None => format!("{:<7} -   not available", c.v2_name()),
            })
            .collect()
    }
}

/// Which cgroup versions a host mounts (cgroups(7), "CGROUPS VERSION 1 AND VERSION 2").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// v1 hierarchies only.
    V1,
    /// The unified v2 hierarchy only, mounted here.
    V2(PathBuf),
    /// v1 controllers, and a cgroup2 mount beside them here (`/sys/fs/cgroup/unified`).
    Hybrid(PathBuf),
}

/// Something a box's cgroup made on the host, told to the caller before it is made so a crash
/// cannot leave it behind unlisted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Made {
    /// A cgroup of boxlab's own: its processes are boxlab's and are killed before rmdir.
    Cgroup(PathBuf),
    /// A shared parent (`boxlab`, a run's directory): removed if empty.
    Parent(PathBuf),
    /// A controller enabled in a v2 `cgroup.subtree_control` that did not have it.
    Enabled(PathBuf, Controller),
    /// A controller found enabled already: another run's to take out again, if another boxlab
    /// enabled it (whichever run ends last does, since a controller in use cannot be taken out).
    FoundEnabled(PathBuf, Controller),
}

/// The directory name all of boxlab's cgroups live under.
pub const PARENT: &str = "boxlab";

/// The name of a run's only box's cgroup: `boxlab-RUN` ([`BoxCgroup::create_alone`]).
pub fn alone_name(run: &str) -> String {
    format!("{PARENT}-{run}")
}

/// A limit boxlab can set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Limit {
    MemoryBytes(u64),
    /// `quota_us` of CPU time in every `period_us`: 50000/100000 is half a CPU.
    CpuQuota {
        quota_us: u64,
        period_us: u64,
    },
    /// A relative weight in v2's scale (1-10000, default 100); v1 writes shares (x10.24).
    CpuWeight(u64),
    Pids(u64),
    /// Bytes per second written to one block device (major, minor).
    IoWriteBps {
        device: (u32, u32),
        bps: u64,
    },
}

impl Limit {
    pub fn controller(&self) -> Controller {
        match self {
            Limit::MemoryBytes(_) => Controller::Memory,
            Limit::CpuQuota { .. } | Limit::CpuWeight(_) => Controller::Cpu,
            Limit::Pids(_) => Controller::Pids,
            Limit::IoWriteBps { .. } => Controller::Io,
        }
    }
}

/// A box's cgroup: a directory of the same name in every hierarchy it uses.
#[derive(Debug)]
pub struct BoxCgroup {
    layout: Layout,
    /// (version, directory) in creation order.
    dirs: Vec<(Version, PathBuf)>,
    /// The shared parents above each directory, deepest first: removed when empty at the end
    /// of the run.
    parents: Vec<PathBuf>,
}

impl BoxCgroup {
    /// Makes `PARENT/run/name` in every hierarchy carrying one of `controllers`: on v1 under
    /// the caller's own cgroup; on v2 under the root, since a v2 cgroup with processes in it
    /// (the caller's own) cannot hand controllers to children ("no internal processes"), and
    /// with each controller enabled in the parents' `cgroup.subtree_control` on the way down.
    /// `note` hears of each thing before it is made.
    pub fn create(
        layout: &Layout,
        run: &str,
        name: &str,
        controllers: &[Controller],
        note: &mut dyn FnMut(Made),
    ) -> Result<BoxCgroup, KernelError> {
        Self::make(layout, None, &[PARENT, run, name], controllers, note)
    }

    /// [`create`](Self::create) for a run's only box (`boxlab run`): `PARENT-run`, a single
    /// directory per hierarchy, since every cgroup made and removed costs time at start-up.
    pub fn create_alone(
        layout: &Layout,
        run: &str,
        controllers: &[Controller],
        note: &mut dyn FnMut(Made),
    ) -> Result<BoxCgroup, KernelError> {
        Self::make(layout, None, &[&alone_name(run)], controllers, note)
    }

    /// [`create_alone`](Self::create_alone) without root: `PARENT-run` inside the caller's
    /// delegated cgroup v2, which the caller has left for a leaf of its own.
    pub fn create_delegated(
        layout: &Layout,
        delegated: &delegated::Delegated,
        controllers: &[Controller],
        note: &mut dyn FnMut(Made),
    ) -> Result<BoxCgroup, KernelError> {
        let name = delegated.box_name();
        Self::make(layout, Some(delegated.own()), &[name], controllers, note)
    }

    /// Makes `path` (its last part the box's own, the rest shared parents) under each
    /// hierarchy's top: on v2 the root, or `v2_top` (a delegated cgroup).
    fn make(
        layout: &Layout,
        v2_top: Option<&Path>,
        path: &[&str],
        controllers: &[Controller],
        note: &mut dyn FnMut(Made),
    ) -> Result<BoxCgroup, KernelError> {
        let mut cgroup = BoxCgroup {
            layout: layout.clone(),
            dirs: Vec::new(),
            parents: Vec::new(),
        };
        let (name, shared) = path.split_last().expect("a cgroup path has a name");
        for h in layout.needed(controllers) {
            let top = match (h.version, v2_top) {
                (Version::V1, _) => h.own_dir(),
                (Version::V2, Some(top)) => top.to_path_buf(),
                (Version::V2, None) => h.mount.clone(),
            };
            let parents: Vec<PathBuf> = (1..=shared.len())
                .map(|n| shared[..n].iter().fold(top.clone(), |p, c| p.join(c)))
                .collect();
            let dir = parents.last().unwrap_or(&top).join(name);
            let wanted: Vec<Controller> = controllers
                .iter()
                .copied()
                .filter(|&c| h.version == Version::V2 && h.carries(c.v2_name()))
                .collect();
            v2::enable(&top, &wanted, note)?;
            // Another boxlab ending at this moment may remove the shared `boxlab` directory
            // between our seeing it and making ours inside (ENOENT): then start again.
            let mut tries = 0;
            loop {
                let made = (|| {
                    for p in &parents {
                        if !p.is_dir() {
                            note(Made::Parent(p.clone()));
                            match mkdir(p) {
                                Err(e) if e.errno != Errno::EEXIST => return Err(e),
                                _ => {}
                            }
                        }
                        v2::enable(p, &wanted, note)?;
                    }
                    note(Made::Cgroup(dir.clone()));
                    mkdir(&dir)
                })();
                match made {
                    Err(e) if e.errno == Errno::ENOENT && tries < 5 => tries += 1,
                    other => break other?,
                }
            }
            cgroup.dirs.push((h.version, dir));
            cgroup.parents.extend(parents.into_iter().rev());
        }
        Ok(cgroup)
    }

    /// Whether all of the box's directories are on cgroup v2.
    pub fn only_v2(&self) -> bool {
        !self.dirs.is_empty() && self.dirs.iter().all(|(v, _)| *v == Version::V2)
    }

    /// The box's directories, v1 ones first as the layout lists them.
    pub fn dirs(&self) -> impl Iterator<Item = &Path> {
        self.dirs.iter().map(|(_, d)| d.as_path())
    }

    /// Moves a process (and so its future children) in: its pid into every `cgroup.procs`.
    pub fn add(&self, pid: i32) -> Result<(), KernelError> {
        self.add_where(pid, |_| true)
    }

    /// [`add`](Self::add) for the v2 directory only: the v1 ones were joined by the process
    /// itself ([`join_v1`](Self::join_v1)).
    pub fn add_v2(&self, pid: i32) -> Result<(), KernelError> {
        self.add_where(pid, |v| v == Version::V2)
    }

    fn add_where(&self, pid: i32, which: impl Fn(Version) -> bool) -> Result<(), KernelError> {
        for (_, dir) in self.dirs.iter().filter(|(v, _)| which(*v)) {
            write(&dir.join("cgroup.procs"), &pid.to_string())?;
        }
        Ok(())
    }

    /// The directory on cgroup v2, if a controller lives there: where clone3(2) with
    /// `CLONE_INTO_CGROUP` can start a process.
    pub fn v2_dir(&self) -> Option<&Path> {
        self.dirs
            .iter()
            .find(|(v, _)| *v == Version::V2)
            .map(|(_, d)| d.as_path())
    }

    /// Moves the calling single-threaded process into its v1 directories: "0" (itself) into
    /// each `tasks` file. Moving one thread of the caller skips the global
    /// `cgroup_threadgroup_rwsem` that a `cgroup.procs` write takes, whose writer waits for an
    /// RCU grace period, milliseconds after an idle moment (cgroup_procs_write_start in
    /// kernel/cgroup/cgroup.c). v2 domain cgroups have no such file: there the process is
    /// started inside instead (clone3's `CLONE_INTO_CGROUP`).
    pub fn join_v1(&self) -> Result<(), KernelError> {
        for (_, dir) in self.dirs.iter().filter(|(v, _)| *v == Version::V1) {
            write(&dir.join("tasks"), "0")?;
        }
        Ok(())
    }

    /// The directory through which `c` is used, with its version.
    pub fn dir_of(&self, c: Controller) -> Option<(Version, &Path)> {
        let h = self.layout.place(c)?;
        let top = match h.version {
            Version::V1 => h.own_dir(),
            Version::V2 => h.mount.clone(),
        };
        self.dirs
            .iter()
            .find(|(_, d)| d.starts_with(&top))
            .map(|(v, d)| (*v, d.as_path()))
    }

    pub fn set(&self, limit: &Limit) -> Result<(), KernelError> {
        let Some((version, dir)) = self.dir_of(limit.controller()) else {
            return Err(not_here(limit.controller()));
        };
        match version {
            Version::V1 => v1::set(dir, limit),
            Version::V2 => v2::set(dir, limit),
        }
    }

    /// The file a limit goes in and the value written there, for showing what would be written
    /// where nothing can be (an I/O limit without a block device).
    pub fn file_for(&self, limit: &Limit) -> Option<(PathBuf, String)> {
        let (version, dir) = self.dir_of(limit.controller())?;
        let (file, value) = match version {
            Version::V1 => v1::file_for(limit),
            Version::V2 => v2::file_for(limit),
        };
        Some((dir.join(file), value))
    }

    /// Where the box's CPU time is read: the cpu directory (cpu.stat: periods, throttling) and
    /// the one holding the time used, cpuacct's on v1 (cpuacct.usage), the same one on v2
    /// (cpu.stat's usage_usec).
    pub fn cpu_dirs(&self) -> Option<(Version, &Path, &Path)> {
        let (version, dir) = self.dir_of(Controller::Cpu)?;
        let acct = match version {
            Version::V1 => self
                .dirs
                .iter()
                .map(|(_, d)| d.as_path())
                .find(|d| {
                    self.layout
                        .v1("cpuacct")
                        .is_some_and(|h| d.starts_with(h.own_dir()))
                })
                .unwrap_or(dir),
            Version::V2 => dir,
        };
        Some((version, dir, acct))
    }

    /// What the box uses now, read from its files.
    pub fn usage(&self) -> Usage {
        let mut usage = Usage::default();
        if let Some((version, dir)) = self.dir_of(Controller::Memory) {
            usage.memory = match version {
                Version::V1 => v1::memory(dir),
                Version::V2 => v2::memory(dir),
            };
        }
        if let Some((version, dir, acct)) = self.cpu_dirs() {
            usage.cpu = match version {
                Version::V1 => v1::cpu(dir, acct),
                Version::V2 => v2::cpu(dir),
            };
        }
        if let Some((_, dir)) = self.dir_of(Controller::Pids) {
            // pids.max, pids.current and pids.events are named alike in v1 and v2.
            usage.pids = v2::pids(dir);
        }
        if let Some((version, dir)) = self.dir_of(Controller::Io) {
            usage.io = match version {
                Version::V1 => v1::io(dir),
                Version::V2 => v2::io(dir),
            };
        }
        usage
    }

    /// Ends every process in the box's cgroups and removes them, then, when the run is done,
    /// its shared parents if empty. Processes were all started by boxlab: they live in cgroups
    /// it made.
    pub fn remove(self, run_done: bool) {
        for (_, dir) in self.dirs.iter().rev() {
            let _ = remove_cgroup(dir);
        }
        if run_done {
            for parent in &self.parents {
                let _ = root::rmdir(parent);
            }
        }
    }
}

/// Kills every process in a cgroup boxlab made, waits for it to empty, and removes it:
/// `cgroup.kill` where there is one (v2, Linux 5.14+), otherwise SIGKILL to each pid in `cgroup.procs`, again until
/// none is left (a process may fork while being killed).
pub fn remove_cgroup(dir: &Path) -> Result<(), KernelError> {
    if !dir.is_dir() {
        return Ok(());
    }
    let kill_file = dir.join("cgroup.kill");
    if kill_file.exists() {
        let _ = write(&kill_file, "1");
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let pids = members(dir);
        if pids.is_empty() || Instant::now() > deadline {
            break;
        }
        for pid in pids {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Exiting processes leave the cgroup a moment after they stop being listed.
    let mut tries = 0;
    loop {
        match root::rmdir(dir) {
            Err(e) if e.errno == Errno::EBUSY && tries < 200 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

/// Moves the calling process into every cgroup `pid` is in where they differ: its pid into
/// that cgroup's `cgroup.procs`, hierarchy by hierarchy, as `docker exec` does.
pub fn join_cgroups_of(pid: i32) -> Result<(), KernelError> {
    let layout = Layout::detect();
    let theirs = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
    let me = std::process::id().to_string();
    for line in theirs.lines() {
        let mut it = line.splitn(3, ':');
        let (Some(_), Some(names), Some(path)) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        let hierarchy = layout.hierarchies.iter().find(|h| match h.version {
            Version::V2 => names.is_empty(),
            Version::V1 => h.controllers.join(",") == names,
        });
        if let Some(h) = hierarchy
            && path != h.own
        {
            let dir = h.mount.join(path.trim_start_matches('/'));
            write(&dir.join("cgroup.procs"), &me)?;
        }
    }
    Ok(())
}

/// The pids in a cgroup's `cgroup.procs`.
pub fn members(dir: &Path) -> Vec<i32> {
    std::fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Why a path's file system cannot get an I/O limit (worded for the learner by the lesson).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoDisk {
    /// The file system has no block device (stat's st_dev has major 0).
    NoDevice { path: PathBuf, fs: DeviceLess },
    /// stat(2) or sysfs could not be read: the system's own words.
    Unreadable(String),
}

/// A file system without a block device, as statfs(2)'s f_type tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceLess {
    Tmpfs,
    Overlay,
    Other,
}

/// The whole disk holding `path`'s file system, as (major, minor) for an I/O limit. Throttling
/// applies to disks, not partitions; a file system with no block device (tmpfs, overlay)
/// cannot be limited this way.
pub fn disk_of(path: &Path) -> Result<(u32, u32), NoDisk> {
    use nix::sys::statfs::{OVERLAYFS_SUPER_MAGIC, TMPFS_MAGIC};
    use std::os::unix::fs::MetadataExt;
    let unreadable =
        |p: &Path, e: &dyn std::fmt::Display| NoDisk::Unreadable(format!("{}: {e}", p.display()));
    let dev = std::fs::metadata(path)
        .map_err(|e| unreadable(path, &e))?
        .dev();
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    if major == 0 {
        let fs = match nix::sys::statfs::statfs(path).map(|s| s.filesystem_type()) {
            Ok(t) if t == TMPFS_MAGIC => DeviceLess::Tmpfs,
            Ok(t) if t == OVERLAYFS_SUPER_MAGIC => DeviceLess::Overlay,
            _ => DeviceLess::Other,
        };
        return Err(NoDisk::NoDevice {
            path: path.to_path_buf(),
            fs,
        });
    }
    let sys = PathBuf::from(format!("/sys/dev/block/{major}:{minor}"));
    if sys.join("partition").exists() {
        let dev_file = sys.join("../dev");
        let parent = std::fs::read_to_string(&dev_file).map_err(|e| unreadable(&dev_file, &e))?;
        let malformed = || unreadable(&dev_file, &"not MAJOR:MINOR");
        let (ma, mi) = parent.trim().split_once(':').ok_or_else(malformed)?;
        return Ok((
            ma.parse().map_err(|_| malformed())?,
            mi.parse().map_err(|_| malformed())?,
        ));
    }
    Ok((major, minor))
}

fn not_here(c: Controller) -> KernelError {
    KernelError {
        call: "open",
        args: format!("the {} controller", c.v2_name()),
        errno: Errno::ENOENT,
    }
}

/// mkdir(2) of a cgroup: the kernel fills the new directory with the controllers' files.
fn mkdir(path: &Path) -> Result<(), KernelError> {
    use nix::sys::stat::Mode;
    logged(
        "mkdir",
        format!("{path:?}, 0755"),
        nix::unistd::mkdir(path, Mode::from_bits_truncate(0o755)),
        super::zero,
    )
}

/// Writes one value into a cgroup file, recorded as the write(2) it is.
pub(crate) fn write(path: &Path, value: &str) -> Result<(), KernelError> {
    let r = std::fs::write(path, value)
        .map(|()| value.len())
        .map_err(|e| super::errno_of(&e));
    logged("write", format!("{path:?}, \"{value}\""), r, |n| {
        n.to_string()
    })
    .map(|_| ())
}

/// A cgroup file's value: a number, or None for `max` (no limit).
pub(crate) fn read_limit(path: &Path) -> Option<Option<u64>> {
    let s = std::fs::read_to_string(path).ok()?;
    let s = s.trim();
    if s == "max" {
        Some(None)
    } else {
        s.parse().ok().map(Some)
    }
}

pub(crate) fn read_u64(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// `key value` lines (memory.events, cpu.stat): the value of `key`.
pub(crate) fn keyed(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}

/// What a box's cgroup uses and may use; None where its host lacks the controller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub memory: Option<MemoryUsage>,
    pub cpu: Option<CpuUsage>,
    pub pids: Option<PidsUsage>,
    pub io: Option<IoUsage>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryUsage {
    pub current: u64,
    /// None: no limit.
    pub limit: Option<u64>,
    /// The most it ever used (v2 memory.peak from Linux 5.19; v1 max_usage_in_bytes).
    pub peak: Option<u64>,
    /// How often usage hit the limit (v2 memory.events `max`; v1 memory.failcnt).
    pub hit_limit: u64,
    /// Processes the OOM killer ended in it.
    pub oom_kills: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuUsage {
    pub version: Version,
    /// CPU time used, all CPUs together.
    pub usage_usec: u64,
    /// (quota, period) in microseconds; None: no quota.
    pub quota: Option<(u64, u64)>,
    /// v2 cpu.weight or v1 cpu.shares, in its own version's scale.
    pub weight: Option<u64>,
    pub periods: u64,
    pub throttled: u64,
    pub throttled_usec: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PidsUsage {
    pub current: u64,
    pub limit: Option<u64>,
    /// Forks refused because of the limit (pids.events `max`).
    pub refused: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoUsage {
    pub read_bytes: u64,
    pub write_bytes: u64,
    /// (device `maj:min`, bytes per second) of a write limit.
    pub write_limit: Option<(String, u64)>,
}

/// A set of names for what a cgroup lesson needs: the controllers a host lacks.
pub fn missing(layout: &Layout, wanted: &[Controller]) -> BTreeSet<Controller> {
    wanted
        .iter()
        .copied()
        .filter(|&c| layout.place(c).is_none())
        .collect()
}

#[cfg(test)]
mod tests;
