//! The ledger: a directory per running boxlab that lists what it created outside its own
//! memory (box processes, directories), so a run killed with SIGKILL is undone by the next start
//! or by `boxlab cleanup`.
//!
//! Mounts are not listed: every mount boxlab makes happens inside a box's private mount
//! namespace, which the kernel tears down when the box's last process exits.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::kernel::cgroups::{self, Controller, Made};
use crate::probe::start_time;

/// Where ledgers live: `/run/boxlab` for root (a tmpfs, empty after reboot), otherwise the
/// user's runtime dir, or a directory of the user's own in /tmp.
pub fn base_dir() -> PathBuf {
    if nix::unistd::geteuid().is_root() {
        return PathBuf::from("/run/boxlab");
    }
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(d) => PathBuf::from(d).join("boxlab"),
        None => std::env::temp_dir().join(format!("boxlab-{}", nix::unistd::getuid())),
    }
}

/// This run's ledger. Dropping it undoes everything still listed.
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    id: String,
}

impl Ledger {
    /// Creates the ledger of the calling process, named so two runs never collide.
    pub fn open() -> std::io::Result<Ledger> {
        let pid = std::process::id() as i32;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let id = format!("{pid}-{nanos:08x}");
        // Made under a dot name and renamed when its owner file is in: a sweep by another run
        // starting at the same moment never sees a ledger without its owner.
        let (base, making) = make_in_base(&format!(".{id}"))?;
        fs::write(
            making.join("owner"),
            format!("{pid} {}\n", start_time(pid).unwrap_or(0)),
        )?;
        let dir = base.join(&id);
        fs::rename(&making, &dir)?;
        Ok(Ledger { dir, id })
    }

    /// Unique id of this run, used in the names of things it creates.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Lists a process this run started (with its start time, so a reused pid is never killed).
    pub fn add_process(&self, pid: i32) {
        self.append(
            "processes",
            &format!("{pid} {}", start_time(pid).unwrap_or(0)),
        );
    }

    /// A number derived from the run's id, for names that must not collide with another run's
    /// (a veth's name, an IPC key).
    pub fn tag(&self) -> u32 {
        self.id.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ b as u32).wrapping_mul(0x0100_0193)
        })
    }

    /// Lists a System V IPC object made in the host's IPC namespace.
    pub fn add_ipc(&self, kind: crate::kernel::ipc::IpcKind, key: i32) {
        self.append("ipc", &format!("{kind:?} {key}"));
    }

    /// Lists a network link on the host side (the host end of a box's veth).
    pub fn add_link(&self, name: &str) {
        self.append("links", name);
    }

    /// Lists a cgroup, a parent directory of one, or a controller enabled for one, before it
    /// is made. A controller found enabled is listed too when another running boxlab's ledger
    /// lists it: the two share it, and whichever ends last takes it out (the kernel would let
    /// the first take it out from under the other's cgroup, its limit gone).
    pub fn add_cgroup(&self, made: &Made) {
        let enabled = |p: &Path, c: Controller| format!("enabled {} {}", c.v2_name(), p.display());
        let line = match made {
            Made::Cgroup(p) => format!("cgroup {}", p.display()),
            Made::Parent(p) => format!("parent {}", p.display()),
            Made::Enabled(p, c) => enabled(p, *c),
            Made::FoundEnabled(p, c) => {
                let line = enabled(p, *c);
                if !listed_elsewhere(&self.dir, &line) {
                    return;
                }
                line
            }
        };
        self.append("cgroups", &line);
    }

    /// Lists a directory that a box may leave behind if it is killed mid-step.
    pub fn add_path(&self, path: &Path) {
        self.append("paths", &path.to_string_lossy());
    }

    /// Lists a directory tree this run made and removes whole (the layers lesson's scratch
    /// directory: image layers, upper and work directories with their whiteouts).
    pub fn add_tree(&self, path: &Path) {
        self.append("trees", &path.to_string_lossy());
    }

    fn append(&self, file: &str, line: &str) {
        let f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(file));
        // A ledger that cannot be written only weakens crash cleanup; the run itself goes on.
        // One write(2) per line: a line is whole or missing, never torn.
        if let Ok(mut f) = f {
            let _ = f.write_all(format!("{line}\n").as_bytes());
        }
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        undo(&self.dir);
    }
}

/// What a sweep removed, for `boxlab cleanup` to report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Ledgers undone; each one's run directory goes with it.
    pub runs: usize,
    pub processes: usize,
    /// What the ledgers listed that was still there: cgroups, links, IPC objects, directories.
    pub leftovers: usize,
}

/// Undoes every ledger whose owner is no longer running (killed, crashed).
pub fn sweep_stale() -> Swept {
    let mut swept = Swept::default();
    // Only a directory that is ours: a ledger lists pids to kill.
    let Ok(base) = own_base_dir() else {
        return swept;
    };
    let Ok(entries) = fs::read_dir(base) else {
        return swept;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            // A ledger being made; one left by a run killed in that moment holds nothing yet.
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|e| e.as_secs() > 60));
            if old {
                let _ = fs::remove_dir_all(&dir);
            }
            continue;
        }
        if !owner_alive(&dir) {
            let (processes, leftovers) = undo(&dir);
            swept.runs += 1;
            swept.processes += processes;
            swept.leftovers += leftovers;
        }
    }
    swept
}

/// Whether another boxlab of this user is running now (a ledger whose owner is alive), as
/// one in another terminal with a box on the default root filesystem.
pub fn others_running() -> bool {
    let Ok(entries) = fs::read_dir(base_dir()) else {
        return false;
    };
    entries.flatten().any(|e| {
        // A ledger being made (a dot name) is another run starting.
        e.file_name().to_string_lossy().starts_with('.') || owner_alive(&e.path())
    })
}

/// Whether the run that owns the ledger `dir` is still running.
fn owner_alive(dir: &Path) -> bool {
    fs::read_to_string(dir.join("owner"))
        .ok()
        .and_then(|s| parse_pid_line(&s))
        .is_some_and(alive)
}

/// Kills the listed processes that are still the same processes, removes listed paths, then
/// the ledger itself. Returns how many processes, and how many other listed things (cgroups,
/// links, IPC objects, directories), were still there. Used by the
/// sweep, the Drop, and a TUI that must end at once (on a hangup) without its Drop.
pub fn undo(dir: &Path) -> (usize, usize) {
    let mut killed = 0;
    for (pid, start) in lines(dir, "processes")
        .iter()
        .filter_map(|l| parse_pid_line(l))
    {
        if alive((pid, start)) && kill(Pid::from_raw(pid), Signal::SIGKILL).is_ok() {
            killed += 1;
        }
    }
    let mut removed = 0;
    // Newest first: a cgroup before its parent, a parent before the controller enabled for it.
    for line in lines(dir, "cgroups").iter().rev() {
        let Some((kind, rest)) = line.split_once(' ') else {
            continue;
        };
        let done = match kind {
            "cgroup" => {
                let existed = Path::new(rest).is_dir();
                cgroups::remove_cgroup(Path::new(rest)).is_ok() && existed
            }
            "parent" => crate::kernel::root::rmdir(Path::new(rest)).is_ok(),
            // Shared with another run that still lists it: taken out when that one ends, not
            // now from under its cgroup.
            "enabled" if listed_elsewhere(dir, line) => false,
            "enabled" => rest.split_once(' ').is_some_and(|(c, p)| {
                Controller::ALL
                    .into_iter()
                    .find(|x| x.v2_name() == c)
                    .is_some_and(|c| cgroups::v2::disable(Path::new(p), c).is_ok())
            }),
            _ => false,
        };
        removed += done as usize;
    }
    // A veth goes with its box's network namespace; deleting a leftover host end is a no-op
    // (ENODEV) when it is already gone.
    for link in lines(dir, "links") {
        if crate::kernel::net::delete_link(&link).is_ok() {
            removed += 1;
        }
    }
    // IPC keys are unique to the run, so an object under one is the run's own.
    for line in lines(dir, "ipc") {
        use crate::kernel::ipc::{IpcKind, remove};
        let kind = if line.starts_with("Msg") {
            IpcKind::Msg
        } else {
            IpcKind::Shm
        };
        if let Some(key) = line.split_whitespace().nth(1).and_then(|k| k.parse().ok())
            && remove(kind, key).is_ok()
        {
            removed += 1;
        }
    }
    let _ = crate::kernel::take_records();
    for path in lines(dir, "paths") {
        if fs::remove_dir(&path).is_ok() {
            removed += 1;
        }
    }
    // Only trees named as the layers lesson names them: a ledger line never removes more.
    for tree in lines(dir, "trees") {
        let ours = Path::new(&tree)
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("layers-"));
        if ours && fs::remove_dir_all(&tree).is_ok() {
            removed += 1;
        }
    }
    let _ = fs::remove_dir_all(dir);
    // The base directory goes with its last ledger (rmdir(2) refuses one that is not empty),
    // so no boxlab leaves even an empty directory on the host.
    if let Some(base) = dir.parent() {
        let _ = fs::remove_dir(base);
    }
    (killed, removed)
}

/// Whether a ledger beside `dir` (another run's, running or not yet swept) has `line` in its
/// cgroups.
fn listed_elsewhere(dir: &Path, line: &str) -> bool {
    let Some(base) = dir.parent() else {
        return false;
    };
    fs::read_dir(base)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.path() != dir && lines(&e.path(), "cgroups").iter().any(|l| l == line))
}

fn lines(dir: &Path, file: &str) -> Vec<String> {
    fs::read_to_string(dir.join(file))
        .map(|s| s.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn parse_pid_line(line: &str) -> Option<(i32, u64)> {
    let mut it = line.split_whitespace();
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// The process `pid` runs and started at `start`: not a new process that reused the pid, and
/// not a zombie, which is already dead.
fn alive((pid, start): (i32, u64)) -> bool {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| crate::probe::stat::parse(&s));
    stat.is_some_and(|s| s.start_time == start && s.state != 'Z')
}

/// Makes the directory `name` in the ledger base directory; returns both. Another run may
/// remove the base, empty, between its creation and ours (when its last ledger goes), so a
/// base found gone is made again.
fn make_in_base(name: &str) -> std::io::Result<(PathBuf, PathBuf)> {
    let mut tries = 0;
    loop {
        let base = own_base_dir()?;
        let dir = base.join(name);
        match fs::create_dir(&dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && tries < 5 => tries += 1,
            made => return made.map(|()| (base, dir)),
        }
    }
}

/// The ledger base directory, created with mode 0700 if missing, and refused unless it is a
/// real directory owned by us and writable by no one else: in /tmp anyone could make it first.
fn own_base_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let dir = base_dir();
    match fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = fs::symlink_metadata(&dir)?;
    if !meta.is_dir() || meta.uid() != nix::unistd::geteuid().as_raw() || meta.mode() & 0o022 != 0 {
        let msg = format!(
            "{} is not a private directory of this user; remove it or set XDG_RUNTIME_DIR",
            dir.display()
        );
        return Err(std::io::Error::other(msg));
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_lines() {
        assert_eq!(parse_pid_line("12 3456"), Some((12, 3456)));
        assert_eq!(parse_pid_line("12"), None);
        assert_eq!(parse_pid_line("x 1"), None);
    }

    /// A controller found enabled is this run's to take out too only if another boxlab's
    /// ledger lists it (then whichever ends last does); one enabled by someone else is not.
    #[test]
    fn a_controller_another_run_enabled_is_shared() {
        // Paths that do not exist: undoing them at drop changes nothing.
        let ours = Path::new("/nonexistent/boxlab-test/shared");
        let theirs = Path::new("/nonexistent/boxlab-test/admin");
        let (a, b) = (Ledger::open().unwrap(), Ledger::open().unwrap());
        a.add_cgroup(&Made::Enabled(ours.into(), Controller::Memory));
        b.add_cgroup(&Made::FoundEnabled(ours.into(), Controller::Memory));
        b.add_cgroup(&Made::FoundEnabled(theirs.into(), Controller::Memory));
        b.add_cgroup(&Made::FoundEnabled(ours.into(), Controller::Pids));
        assert_eq!(
            lines(b.dir(), "cgroups"),
            ["enabled memory /nonexistent/boxlab-test/shared"]
        );
    }

    #[test]
    fn own_process_is_alive_and_a_wrong_start_time_is_not() {
        let me = std::process::id() as i32;
        let start = start_time(me).unwrap();
        assert!(alive((me, start)));
        assert!(!alive((me, start + 1)));
    }
}
