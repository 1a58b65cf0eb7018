//! A box's cgroup on the real kernel, through the code the lessons use: made, a process moved
//! in, limits written and read back, `__exec` joining it, removal taking every process with it,
//! and a run killed with SIGKILL mid-lesson undone by `boxlab cleanup`. Runs on this machine's
//! layout (hybrid here) and, through `.ci/run`, on pure cgroup v2 in the VM.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use boxlab::kernel::cgroups::{BoxCgroup, Controller, Layout, Limit, Made, members};
use common::{BOXLAB, box_processes, host_test, root_or_skip, serial};

fn run_id(name: &str) -> String {
    format!("test-{}-{name}", std::process::id())
}

/// A cgroup removed (with its processes) however the test ends, so a failed assertion leaves
/// nothing behind.
struct Removed(Option<BoxCgroup>);

impl Removed {
    fn get(&self) -> &BoxCgroup {
        self.0.as_ref().expect("not removed yet")
    }

    fn now(&mut self) {
        if let Some(c) = self.0.take() {
            c.remove(true);
        }
    }
}

impl Drop for Removed {
    fn drop(&mut self) {
        self.now();
    }
}

/// Every controller of the four that this host has.
fn available(layout: &Layout) -> Vec<Controller> {
    Controller::ALL
        .into_iter()
        .filter(|&c| layout.place(c).is_some())
        .collect()
}

#[test]
fn limits_read_back_and_removal_ends_every_process() {
    let Some(host) = host_test("limits_read_back_and_removal_ends_every_process") else {
        return;
    };
    let layout = Layout::detect();
    let mut made = Vec::new();
    let mut removed = Removed(Some(
        BoxCgroup::create(
            &layout,
            &run_id("limits"),
            "box",
            &available(&layout),
            &mut |m| made.push(m),
        )
        .unwrap(),
    ));
    let cgroup = removed.get();
    let mut child = Command::new("sleep").arg("60").spawn().unwrap();
    let pid = child.id() as i32;
    cgroup.add(pid).unwrap();
    for dir in cgroup.dirs() {
        assert_eq!(members(dir), [pid], "{}", dir.display());
    }
    cgroup.set(&Limit::MemoryBytes(32 << 20)).unwrap();
    cgroup.set(&Limit::Pids(5)).unwrap();
    cgroup
        .set(&Limit::CpuQuota {
            quota_us: 20_000,
            period_us: 100_000,
        })
        .unwrap();
    let usage = cgroup.usage();
    let memory = usage.memory.unwrap();
    assert_eq!(memory.limit, Some(32 << 20));
    let pids = usage.pids.unwrap();
    assert_eq!((pids.current, pids.limit), (1, Some(5)));
    assert_eq!(usage.cpu.unwrap().quota, Some((20_000, 100_000)));

    let dirs: Vec<PathBuf> = cgroup.dirs().map(PathBuf::from).collect();
    removed.now();
    assert_eq!(child.wait().unwrap().signal(), Some(9), "removal killed it");
    for m in &made {
        if let Made::Cgroup(d) | Made::Parent(d) = m {
            assert!(!d.exists(), "{} is left", d.display());
        }
    }
    assert!(dirs.iter().all(|d| !d.exists()));
    host.assert_as_found("after a cgroup was made and removed");
}

#[test]
fn exec_joins_the_box_cgroup() {
    if !root_or_skip("exec_joins_the_box_cgroup") {
        return;
    }
    let _one_at_a_time = serial();
    let layout = Layout::detect();
    let run = run_id("exec");
    let mut removed = Removed(Some(
        BoxCgroup::create(&layout, &run, "box", &available(&layout), &mut |_| {}).unwrap(),
    ));
    let cgroup = removed.get();
    let mut child = Command::new("sleep").arg("60").spawn().unwrap();
    cgroup.add(child.id() as i32).unwrap();
    let out = Command::new(BOXLAB)
        .args(["__exec", "--pid", &child.id().to_string(), "--"])
        .args(["cat", "/proc/self/cgroup"])
        .output()
        .unwrap();
    removed.now();
    let _ = child.wait();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("/boxlab/{run}/box")),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `boxlab transcript cpu` is killed with SIGKILL while the box's busy loop runs (a child of
/// the box with no parent-death signal): `boxlab cleanup` ends it with the cgroup.
#[test]
fn a_killed_run_leaves_nothing_after_cleanup() {
    let Some(host) = host_test("a_killed_run_leaves_nothing_after_cleanup") else {
        return;
    };
    let run = Command::new(BOXLAB)
        .args(["transcript", "cpu"])
        .env("XDG_STATE_HOME", common::state_dir())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Killed however this test ends (a first run may build the root filesystem first).
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let run = Killed(run);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !box_processes().iter().any(|p| p.ends_with("busy-loop")) {
        assert!(Instant::now() < deadline, "the busy loop never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(run);
    let out = common::boxlab(&["cleanup"]);
    assert!(out.status.success());
    host.assert_as_found("after kill -9 mid-lesson and cleanup");
}
