//! `boxlab __exec --pid PID -- PROGRAM`, the shell pane's way into the box (what `docker exec`
//! does), run against real boxes that the TUI made in a pseudo-terminal.

mod common;

use std::process::Command;

use common::pty::{RIGHT, Term};
use common::{BOXLAB, box_processes, host_test, root_or_skip, serial, wait_no_new_box_processes};

/// The box's pid as the box pane's title shows it (` box · pid 1234 `).
fn box_pid_on(screen: &str) -> i32 {
    let at = screen
        .find("· pid ")
        .expect("the box pane shows the box's pid");
    screen[at + "· pid ".len()..]
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a pid after `· pid`:\n{screen}"))
}

fn exec(pid: i32, argv: &[&str]) -> (i32, String, String) {
    let out = Command::new(BOXLAB)
        .args(["__exec", "--pid", &pid.to_string(), "--"])
        .args(argv)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ns_link(pid: &str, ns: &str) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/{ns}"))
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn exec_joins_the_uts_box() {
    let Some(host) = host_test("exec_joins_the_uts_box") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "uts"], 100, 30);
    t.wait_for("step 1/4", 20);
    t.keys(RIGHT);
    t.wait_for("step 2/4", 10);
    t.keys(RIGHT);
    let screen = t.wait_for("step 3/4", 10);
    let pid = box_pid_on(&screen);

    let (code, out, err) = exec(pid, &["hostname"]);
    assert_eq!((code, out.as_str()), (0, "box"), "stderr: {err}");
    let (code, out, err) = exec(pid, &["readlink", "/proc/self/ns/uts"]);
    assert_eq!(code, 0, "stderr: {err}");
    let box_uts = ns_link(&pid.to_string(), "uts");
    assert_eq!(out, box_uts, "inside, the UTS namespace is the box's");
    assert_ne!(box_uts, ns_link("self", "uts"), "and not the host's");
    // The exit status comes through the waiting parent.
    assert_eq!(exec(pid, &["sh", "-c", "exit 7"]).0, 7);
    // A box that does not exist: a clear error, no crash.
    let (code, _, err) = exec(i32::MAX, &["true"]);
    assert_eq!(code, 1);
    assert!(err.contains("is the box still running?"), "{err}");

    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}

#[test]
fn exec_joins_the_pid_box_as_a_child() {
    let Some(host) = host_test("exec_joins_the_pid_box_as_a_child") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "pid"], 100, 30);
    t.wait_for("step 1/7", 20);
    t.step_to(4, 7);
    // Step 4: the box is PID 1 of its own PID namespace, with its own /proc.
    let screen = t.wait_for("step 4/7", 10);
    let pid = box_pid_on(&screen);
    let (code, out, err) = exec(pid, &["sh", "-c", "echo $$; readlink /proc/self/ns/pid"]);
    assert_eq!(code, 0, "stderr: {err}");
    let lines: Vec<&str> = out.lines().collect();
    let inside: i32 = lines[0].parse().unwrap();
    assert!(
        inside > 1 && inside < 100,
        "the program got a small pid in the box's PID namespace, not a host pid: {out}"
    );
    assert_eq!(lines[1], ns_link(&pid.to_string(), "pid"));
    // The box's own /proc (its mount namespace): PID 1 is the box.
    let (_, comm, _) = exec(pid, &["cat", "/proc/1/comm"]);
    assert_eq!(comm, "boxlab-box");

    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}

/// Like `docker exec` into a user namespace: once the box's root is mapped, the joined program
/// is that root too (uid 0 with every capability inside), not an unmapped `nobody`.
#[test]
fn exec_into_a_user_namespace_becomes_its_root() {
    if !root_or_skip("exec_into_a_user_namespace_becomes_its_root") {
        return;
    }
    let _one_at_a_time = serial();
    let boxes = box_processes();
    let mut t = Term::start(&["--lang", "en", "learn", "user"], 100, 30);
    t.wait_for("step 1/5", 20);
    t.keys(RIGHT);
    t.wait_for("step 2/5", 10);
    t.keys(RIGHT);
    let screen = t.wait_for("step 3/5", 10);
    let pid = box_pid_on(&screen);
    let (code, out, err) = exec(pid, &["sh", "-c", "id -u; grep CapEff /proc/self/status"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("0"),
        "uid inside the box's user namespace:\n{out}\n{err}"
    );
    let caps = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0);
    assert!(caps.count_ones() >= 38, "every capability inside:\n{out}");
    let outside = std::fs::read_to_string(format!("/proc/{pid}/uid_map")).unwrap();
    assert!(
        outside.split_whitespace().eq(["0", "100000", "1"]),
        "{outside}"
    );
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
}

/// Like `docker exec` into a locked-down container: once the full container has dropped
/// NET_RAW and set no_new_privs and its seccomp filter, a program joined from outside has the
/// same bounding set, capabilities, no_new_privs and filter, so it cannot mount either.
#[test]
fn exec_into_the_full_container_gets_its_walls() {
    let Some(host) = host_test("exec_into_the_full_container_gets_its_walls") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "container"], 100, 30);
    t.wait_for("step 1/12", 20);
    let screen = t.step_to(8, 12);
    let pid = box_pid_on(&screen);
    let status = "grep -E '^(CapBnd|CapEff|CapInh|NoNewPrivs|Seccomp):' /proc/self/status";
    let (code, out, err) = exec(pid, &["sh", "-c", status]);
    assert_eq!(code, 0, "stderr: {err}");
    let walls = boxlab::kernel::caps::docker_default_mask() & !(1 << 13); // no CAP_NET_RAW
    let want = format!(
        "CapInh:\t0000000000000000\nCapEff:\t{walls:016x}\nCapBnd:\t{walls:016x}\n\
         NoNewPrivs:\t1\nSeccomp:\t2"
    );
    assert_eq!(out, want, "stderr: {err}");
    let (code, _, err) = exec(pid, &["mount", "-t", "tmpfs", "x", "/mnt"]);
    assert_ne!(code, 0, "a mount from the joined program must fail: {err}");
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}
