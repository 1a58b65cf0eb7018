//! The real binary in a real terminal (a pty read through a vt100 parser): a learner's walk
//! through the UTS lesson, reset, and recovery after `kill -9` of the TUI mid-lesson.

mod common;

use common::pty::{ENTER, RIGHT, Term};
use common::{
    box_processes, boxlab, host_snapshot, new_box_processes, root_or_skip, serial,
    wait_no_new_box_processes,
};

#[test]
fn uts_lesson_in_a_terminal() {
    if !root_or_skip("uts_lesson_in_a_terminal") {
        return;
    }
    let _one_at_a_time = serial();
    let before = host_snapshot();
    let boxes = box_processes();
    let mut t = Term::start(&["--lang", "en"], 80, 24);
    t.wait_for("Lessons", 20);
    t.keys("3");
    t.wait_for("step 1/4", 10);
    t.keys(RIGHT);
    t.wait_for("step 2/4", 10);
    t.keys(RIGHT);
    let screen = t.wait_for("step 3/4", 10);
    assert!(screen.contains("sethostname(\"box\", 3) = 0"), "{screen}");
    assert!(
        screen.contains("▸box"),
        "the box pane shows the changed hostname:\n{screen}"
    );
    // External oracles: util-linux, not our probe, sees the box's own UTS namespace.
    let pid = new_box_processes(&boxes)[0]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let nsenter = std::process::Command::new("nsenter")
        .args(["-t", &pid, "-u", "hostname"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&nsenter.stdout).trim(), "box");
    let lsns = std::process::Command::new("lsns")
        .args(["-t", "uts", "-n", "-o", "NS,PID"])
        .output()
        .unwrap();
    let lsns = String::from_utf8_lossy(&lsns.stdout);
    let box_ns = std::fs::read_link(format!("/proc/{pid}/ns/uts"))
        .unwrap()
        .display()
        .to_string();
    let host_ns = std::fs::read_link("/proc/self/ns/uts")
        .unwrap()
        .display()
        .to_string();
    assert_ne!(box_ns, host_ns);
    let inode = |l: &str| {
        l.trim_start_matches("uts:[")
            .trim_end_matches(']')
            .to_string()
    };
    assert!(
        lsns.contains(&inode(&box_ns)) && lsns.contains(&inode(&host_ns)),
        "lsns lists both: {lsns}"
    );
    t.keys(RIGHT);
    let screen = t.wait_for("step 4/4", 10);
    let lines: Vec<&str> = screen.lines().map(str::trim).collect();
    let printed = lines.windows(2).any(|w| w == ["$ hostname", "box"]);
    assert!(printed, "the command and what it printed:\n{screen}");
    assert!(screen.contains("lesson complete"), "{screen}");
    assert!(!screen.contains('✗'), "no failed check:\n{screen}");
    t.keys("L");
    let screen = t.wait_for("단계 4/4", 10);
    assert!(screen.contains("수업 완료"), "{screen}");
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
    assert_eq!(host_snapshot(), before);
}

#[test]
fn reset_ends_the_box_and_starts_clean() {
    if !root_or_skip("reset_ends_the_box_and_starts_clean") {
        return;
    }
    let _one_at_a_time = serial();
    let before = host_snapshot();
    let boxes = box_processes();
    let mut t = Term::start(&["--lang", "en", "learn", "pid"], 100, 30);
    t.wait_for("step 1/7", 20);
    t.keys(RIGHT);
    t.keys(RIGHT);
    t.wait_for("step 3/7", 10);
    let old = new_box_processes(&boxes);
    assert!(!old.is_empty(), "a box runs before the reset");
    t.keys("r");
    t.wait_for("step 1/7", 10);
    let now = new_box_processes(&boxes);
    assert!(
        old.iter().all(|p| !now.contains(p)),
        "the old box is gone after r: before {old:?}, now {now:?}"
    );
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
    assert_eq!(host_snapshot(), before);
}

#[test]
fn kill_9_mid_lesson_is_undone_by_the_next_start() {
    if !root_or_skip("kill_9_mid_lesson_is_undone_by_the_next_start") {
        return;
    }
    let _one_at_a_time = serial();
    let before = host_snapshot();
    let boxes = box_processes();
    let mut t = Term::start(&["--lang", "en", "learn", "pid"], 100, 30);
    t.wait_for("step 1/7", 20);
    for step in 2..=5 {
        t.keys(RIGHT);
        t.wait_for(&format!("step {step}/7"), 10);
    }
    // The box now has its own mount namespace with a procfs mounted, and an orphan.
    assert!(!new_box_processes(&boxes).is_empty());
    let tui = t.child.id() as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(tui),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    t.wait_exit(10);
    // The kernel ends the box with its parent (PR_SET_PDEATHSIG), and its PID namespace with it.
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
    let ledger = boxlab::ledger::base_dir();
    let stale: Vec<_> = std::fs::read_dir(&ledger)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{tui}-"))
        })
        .collect();
    assert_eq!(
        stale.len(),
        1,
        "the killed run left its ledger in {}",
        ledger.display()
    );
    // The next start sweeps it.
    let mut next = Term::start(&["--lang", "en"], 80, 24);
    next.wait_for("Lessons", 20);
    assert!(
        !stale[0].path().exists(),
        "the next start removed the stale ledger"
    );
    next.keys("q");
    assert_eq!(next.wait_exit(10), Some(0));
    assert_eq!(host_snapshot(), before);
}

#[test]
fn cleanup_command_reports_and_removes_stale_runs() {
    if !root_or_skip("cleanup_command_reports_and_removes_stale_runs") {
        return;
    }
    let _one_at_a_time = serial();
    let boxes = box_processes();
    let mut t = Term::start(&["--lang", "en", "learn", "uts"], 80, 24);
    t.wait_for("step 1/4", 20);
    t.keys(RIGHT);
    t.wait_for("step 2/4", 10);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(t.child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    t.wait_exit(10);
    let out = boxlab(&["cleanup"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("stale run"), "{text}");
    assert!(
        !text.starts_with("boxlab cleanup: 0 stale"),
        "the killed run was found: {text}"
    );
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
}

#[test]
fn unavailable_lesson_stays_on_the_list_with_its_reason() {
    // Runs as anyone: the list opens without root, and lessons needing root say so.
    let _one_at_a_time = serial();
    let mut t = Term::start(&["--lang", "en"], 80, 24);
    t.wait_for("Lessons", 20);
    t.keys("\x1b[B"); // Down
    t.keys(ENTER);
    let screen = t.wait_for("chroot", 10);
    if !nix::unistd::geteuid().is_root() {
        assert!(screen.contains("needs root"), "{screen}");
    }
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
}

/// The network lesson leaves the most on the host while it runs (a veth, a proxy on
/// 127.0.0.1): killed with SIGKILL there, the next start must still leave the host as found.
#[test]
fn kill_9_during_the_network_lesson() {
    if !root_or_skip("kill_9_during_the_network_lesson") {
        return;
    }
    let _one_at_a_time = serial();
    let before = host_snapshot();
    let boxes = box_processes();
    let mut t = Term::start(&["--lang", "en", "learn", "net"], 100, 30);
    t.wait_for("step 1/6", 20);
    for step in 2..=6 {
        t.keys(RIGHT);
        t.wait_for(&format!("step {step}/6"), 10);
    }
    let screen = t.screen();
    assert!(!screen.contains('✗'), "{screen}");
    assert_ne!(
        host_snapshot().net,
        before.net,
        "the veth's host end exists while the lesson runs"
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(t.child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    t.wait_exit(10);
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
    let mut next = Term::start(&["--lang", "en"], 80, 24);
    next.wait_for("Lessons", 20);
    next.keys("q");
    assert_eq!(next.wait_exit(10), Some(0));
    // The kernel removes a veth with its namespace asynchronously: give it a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while host_snapshot() != before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(host_snapshot(), before);
}

/// Every lesson walked to its last step in the terminal, then `r` (a fresh box) and `q`: the
/// host is as it was after each one.
#[test]
fn every_lesson_then_reset_then_quit_leaves_the_host_as_found() {
    if !root_or_skip("every_lesson_then_reset_then_quit_leaves_the_host_as_found") {
        return;
    }
    let _one_at_a_time = serial();
    for lesson in boxlab::lesson::load::load_all(None).unwrap() {
        let before = host_snapshot();
        let boxes = box_processes();
        let steps = lesson.steps.len();
        let mut t = Term::start(&["--lang", "en", "learn", &lesson.id], 100, 30);
        t.wait_for(&format!("step 1/{steps}"), 20);
        for step in 2..=steps {
            t.keys(RIGHT);
            t.wait_for(&format!("step {step}/{steps}"), 10);
        }
        let screen = t.wait_for("lesson complete", 10);
        assert!(!screen.contains('✗'), "{}:\n{screen}", lesson.id);
        t.keys("r");
        t.wait_for(&format!("step 1/{steps}"), 10);
        t.keys("q");
        assert_eq!(t.wait_exit(10), Some(0), "{}", lesson.id);
        assert_eq!(
            wait_no_new_box_processes(&boxes, 5),
            Vec::<String>::new(),
            "{}",
            lesson.id
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while host_snapshot() != before && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert_eq!(host_snapshot(), before, "after lesson {}", lesson.id);
    }
}
