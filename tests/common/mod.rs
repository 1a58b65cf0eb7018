//! Helpers shared by the integration tests: root gating, the host snapshot the invariant tests
//! compare, and running the built `boxlab` binary in an isolated state directory.
#![allow(dead_code)] // each test file uses a different subset

pub mod pty;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BOXLAB: &str = env!("CARGO_BIN_EXE_boxlab");

/// True when running as root. Otherwise the test is skipped with a message, except under
/// `CI=true`, where a skipped root test is a failure.
pub fn root_or_skip(test: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    assert!(
        !in_ci(),
        "{test} needs root, and CI=true: run the tests as root"
    );
    eprintln!("skipped {test}: needs root (run the tests as root)");
    false
}

/// Whether the tests run under `CI=true`, where nothing may be skipped.
fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Says that a test, or the part of it named by `skipped`, is skipped because `what` is not on
/// this host, and the package that brings it. Under `CI=true`, where `.ci/run` installs every
/// package the tests need, that is a failure instead.
pub fn skip_without(what: &str, package: &str, skipped: &str) {
    assert!(
        !in_ci(),
        "{what} is missing, and CI=true: .ci/run installs {package}"
    );
    eprintln!("{skipped} skipped: no {what} on this host (apt-get install {package})");
}

/// Whether `command` can be started here (as `command --version`, whatever it then says);
/// where it cannot, [`skip_without`].
pub fn installed(command: &str, package: &str, skipped: &str) -> bool {
    let found = Command::new(command).arg("--version").output().is_ok();
    if !found {
        skip_without(command, package, skipped);
    }
    found
}

/// [`root_or_skip`], and whether this kernel lets an unprivileged user make a user namespace
/// (which tests run as nobody need); says why not when it does not.
pub fn unprivileged_userns_or_skip(test: &str) -> bool {
    if !root_or_skip(test) {
        return false; // becoming another user needs root
    }
    if let Some((why, _)) = boxlab::doctor::userns_restriction() {
        eprintln!("skipped {test}: this kernel blocks unprivileged user namespaces ({why})");
        return false;
    }
    true
}

/// A private state dir so tests never touch the learner's progress file.
pub fn state_dir() -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("boxlab-test-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn boxlab(args: &[&str]) -> Output {
    Command::new(BOXLAB)
        .args(args)
        .env("XDG_STATE_HOME", state_dir())
        .output()
        .expect("running boxlab")
}

/// What the host must look like before and after anything boxlab does.
#[derive(Debug, PartialEq, Eq)]
pub struct HostSnapshot {
    /// (mount point, type, source, propagation) of every mount the test process sees.
    pub mounts: BTreeSet<(String, String, String, String)>,
    pub hostname: String,
    /// Inodes of the test process's own namespaces.
    pub namespaces: String,
    /// Escape directories left in the default root filesystem, and layers scratch directories.
    pub rootfs_leftovers: Vec<String>,
    /// Network interfaces with their state and addresses, and routes (netlink).
    pub net: String,
    /// Sysctls a network lesson could be tempted to change.
    pub sysctls: Vec<String>,
    /// System V IPC objects (/proc/sysvipc/*).
    pub sysv_ipc: Vec<String>,
    /// Every cgroup directory under /sys/fs/cgroup (six levels deep), with the values of its
    /// limit files and of its cgroup.subtree_control.
    pub cgroups: Vec<String>,
    /// The run ledgers in boxlab's base directory (none when it is gone).
    pub ledgers: Vec<String>,
}

pub fn host_snapshot() -> HostSnapshot {
    let mounts =
        boxlab::probe::mountinfo::parse(&std::fs::read_to_string("/proc/self/mountinfo").unwrap())
            .into_iter()
            .map(|m| {
                (
                    m.mount_point.clone(),
                    m.fs_type.clone(),
                    m.source.clone(),
                    m.propagation_label(),
                )
            })
            .collect();
    let namespaces = ["uts", "pid", "mnt", "ipc", "net", "user", "cgroup"]
        .iter()
        .map(|n| {
            std::fs::read_link(format!("/proc/self/ns/{n}"))
                .map(|l| l.display().to_string())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    HostSnapshot {
        mounts,
        hostname: nix::unistd::gethostname()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
        namespaces,
        rootfs_leftovers: rootfs_leftovers(&boxlab::rootfs::default_dir()),
        net: format!("{:?}", boxlab::probe::net::collect()),
        sysctls: [
            "net/ipv4/ip_forward",
            "net/ipv4/conf/all/forwarding",
            "net/ipv4/ping_group_range",
        ]
        .iter()
        .map(|s| std::fs::read_to_string(format!("/proc/sys/{s}")).unwrap_or_default())
        .collect(),
        sysv_ipc: ["shm", "msg", "sem"]
            .iter()
            .map(|k| std::fs::read_to_string(format!("/proc/sysvipc/{k}")).unwrap_or_default())
            .collect(),
        cgroups: cgroup_dirs(),
        ledgers: ledgers(),
    }
}

fn ledgers() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(boxlab::ledger::base_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Box processes still alive anywhere on the host, as "pid name".
pub fn box_processes() -> Vec<String> {
    let view = boxlab::probe::View::collect();
    view.processes
        .unwrap()
        .into_iter()
        .filter(|p| {
            [
                "boxlab-box",
                "orphan",
                "memory-hog",
                "busy-loop",
                "fork-bomb",
                "disk-writer",
                "cpu-work",
            ]
            .contains(&p.name.as_str())
        })
        .map(|p| format!("{} {}", p.pid, p.name))
        .collect()
}

fn cgroup_dirs() -> Vec<String> {
    const LIMIT_FILES: [&str; 11] = [
        "cgroup.subtree_control",
        "memory.max",
        "memory.limit_in_bytes",
        "memory.memsw.limit_in_bytes",
        "cpu.max",
        "cpu.cfs_quota_us",
        "cpu.shares",
        "cpu.weight",
        "pids.max",
        "io.max",
        "blkio.throttle.write_bps_device",
    ];
    let mut out = Vec::new();
    let mut walk = vec![(std::path::PathBuf::from("/sys/fs/cgroup"), 0)];
    while let Some((dir, depth)) = walk.pop() {
        for file in LIMIT_FILES {
            if let Ok(v) = std::fs::read_to_string(dir.join(file)) {
                out.push(format!("{}/{file} = {}", dir.display(), v.trim()));
            }
        }
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.push(e.path().display().to_string());
                if depth < 6 {
                    walk.push((e.path(), depth + 1));
                }
            }
        }
    }
    out.sort();
    out
}

/// Escape directories in the root filesystem, and the images lesson's scratch directories
/// (`layers-*`) beside it or in /dev/shm.
fn rootfs_leftovers(root: &Path) -> Vec<String> {
    let names = |dir: &Path, prefix: &str| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with(prefix))
                    .map(|n| dir.join(n).display().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = names(root, ".boxlab-escape");
    out.extend(names(root.parent().unwrap_or(root), "layers-"));
    out.extend(names(Path::new("/dev/shm"), "layers-"));
    out.sort();
    out
}

/// Box processes that were not in `baseline` (another boxlab on the machine may own those).
pub fn new_box_processes(baseline: &[String]) -> Vec<String> {
    box_processes()
        .into_iter()
        .filter(|p| !baseline.contains(p))
        .collect()
}

/// Waits up to `secs` for every box process started since `baseline` to be gone (SIGKILL
/// delivery is asynchronous); returns those still left.
pub fn wait_no_new_box_processes(baseline: &[String], secs: u64) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let left = new_box_processes(baseline);
        if left.is_empty() || std::time::Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Box tests touch the host's process table and mount namespaces; running them one at a time
/// keeps "no box process is left" meaningful.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A root test that starts boxes: root checked ([`root_or_skip`]), one such test at a time
/// ([`serial`]), and the host as it was before, to compare with at the end.
pub struct HostTest {
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
    pub before: HostSnapshot,
    pub boxes: Vec<String>,
}

/// None when the test is skipped (not root, and not CI).
pub fn host_test(test: &str) -> Option<HostTest> {
    if !root_or_skip(test) {
        return None;
    }
    let one_at_a_time = serial();
    Some(HostTest {
        _one_at_a_time: one_at_a_time,
        before: host_snapshot(),
        boxes: box_processes(),
    })
}

impl HostTest {
    /// [`assert_host_as_found`] against the host as it was when the test began.
    pub fn assert_as_found(&self, when: &str) {
        assert_host_as_found(&self.before, &self.boxes, when);
    }
}

/// The host after a test: every box the test started is gone, and the host snapshot equals
/// `before`. The kernel tears a veth down with its namespace asynchronously, so the snapshot
/// gets a few seconds to settle before it is compared.
pub fn assert_host_as_found(before: &HostSnapshot, boxes: &[String], when: &str) {
    assert_eq!(
        wait_no_new_box_processes(boxes, 5),
        Vec::<String>::new(),
        "box processes left {when}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while host_snapshot() != *before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(host_snapshot(), *before, "the host changed {when}");
}

/// `boxlab` as `nobody` (uid and gid 65534), with a home of its own for the test (its cache,
/// state and runtime directories inside); returns the home, to remove afterwards, and the
/// command, to which the caller adds boxlab's arguments.
pub fn boxlab_as_nobody(name: &str) -> (PathBuf, Command) {
    boxlab_as_nobody_in(name, None)
}

/// [`boxlab_as_nobody`], started in `cgroup` (moved there while still root, since nobody may
/// not move itself out of root's cgroup).
pub fn boxlab_as_nobody_in(name: &str, cgroup: Option<&Path>) -> (PathBuf, Command) {
    use std::os::unix::process::CommandExt;
    let home = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("boxlab-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    nix::unistd::chown(
        &home,
        Some(nix::unistd::Uid::from_raw(65534)),
        Some(nix::unistd::Gid::from_raw(65534)),
    )
    .unwrap();
    let mut cmd = Command::new(BOXLAB);
    cmd.env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_RUNTIME_DIR", home.join("run"));
    // Made before the fork: between fork and exec only async-signal-safe calls.
    let procs = cgroup.map(|c| {
        std::ffi::CString::new(c.join("cgroup.procs").into_os_string().into_encoded_bytes())
            .unwrap()
    });
    // Safe: open, write, close, setgroups, setgid and setuid are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            if let Some(procs) = &procs {
                // "0": the writing process itself.
                let fd = libc::open(procs.as_ptr(), libc::O_WRONLY);
                if fd < 0 || libc::write(fd, c"0".as_ptr().cast(), 1) != 1 {
                    return Err(std::io::Error::last_os_error());
                }
                libc::close(fd);
            }
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    (home, cmd)
}
