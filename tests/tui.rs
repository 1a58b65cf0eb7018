//! The real binary in a real terminal (a pty read through a vt100 parser): a learner's walk
//! through the UTS lesson, reset, recovery after `kill -9` of the TUI mid-lesson, and the shell
//! panes (a shell in the box next to a host shell).

mod common;

use common::pty::{DOWN, END, ENTER, ESC, HOME, LEFT, PAGE_DOWN, RIGHT, TAB, Term, UP};
use common::{
    assert_host_as_found, box_processes, boxlab, host_snapshot, host_test, new_box_processes,
    root_or_skip, serial, wait_no_new_box_processes,
};

#[test]
fn uts_lesson_in_a_terminal() {
    let Some(host) = host_test("uts_lesson_in_a_terminal") else {
        return;
    };
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
    let pid = new_box_processes(&host.boxes)[0]
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
    // `c`: every call and check of the step on the whole screen; `c` again goes back.
    t.keys("c");
    let screen = t.wait_for("back to the step", 10);
    assert!(screen.contains("$ hostname"), "{screen}");
    t.keys("c");
    t.wait_for("whole step", 10);
    t.keys("L");
    let screen = t.wait_for("단계 4/4", 10);
    assert!(screen.contains("수업 완료"), "{screen}");
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}

/// The `c` view of a long step at 80x24: End shows its last line, ↓ past the end does not
/// pile up (one ↑ scrolls back at once), Home goes back to the top, PgDn moves a screenful
/// less the line that stays in view.
#[test]
fn calls_view_scrolls_to_the_end_and_back() {
    let Some(host) = host_test("calls_view_scrolls_to_the_end_and_back") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "container"], 80, 24);
    t.wait_for("step 1/12", 20);
    t.step_to(5, 12);
    t.keys("c");
    let top = t.wait_for("more: ↓", 10);
    t.keys(END);
    // The end is the box's pane, under the calls and checks.
    let end = t.wait_for("sees 1:", 10);
    assert!(!end.contains("more: ↓"), "{end}");
    for _ in 0..5 {
        t.keys(DOWN);
    }
    t.keys(UP);
    t.wait_for("▲▼ more: ↑↓", 10);
    t.keys(HOME);
    // The screen's first call, as it was before any scrolling.
    let first = top.lines().nth(3).unwrap().trim();
    assert!(!end.contains(first), "{end}");
    t.wait_for(first, 10);
    // Rows 2 to 22 show the view: after PgDn the last of them is the first.
    let last = top.lines().nth(22).unwrap().trim().to_string();
    t.keys(PAGE_DOWN);
    // Waits for the row, not the title: a frame can be read half drawn.
    t.wait_until("a page down", 10, |t| {
        t.screen().lines().nth(2).map(str::trim) == Some(last.as_str())
    });
    t.wait_for("▲▼ more: ↑↓", 10);
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}

#[test]
fn reset_ends_the_box_and_starts_clean() {
    let Some(host) = host_test("reset_ends_the_box_and_starts_clean") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "pid"], 100, 30);
    t.wait_for("step 1/7", 20);
    t.keys(RIGHT);
    t.keys(RIGHT);
    t.wait_for("step 3/7", 10);
    let old = new_box_processes(&host.boxes);
    assert!(!old.is_empty(), "a box runs before the reset");
    t.keys("r");
    t.wait_for("step 1/7", 10);
    let now = new_box_processes(&host.boxes);
    assert!(
        old.iter().all(|p| !now.contains(p)),
        "the old box is gone after r: before {old:?}, now {now:?}"
    );
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}

#[test]
fn kill_9_mid_lesson_is_undone_by_the_next_start() {
    let Some(host) = host_test("kill_9_mid_lesson_is_undone_by_the_next_start") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "pid"], 100, 30);
    t.wait_for("step 1/7", 20);
    t.step_to(5, 7);
    // The box now has its own mount namespace with a procfs mounted, and an orphan.
    assert!(!new_box_processes(&host.boxes).is_empty());
    let tui = t.child.id() as i32;
    t.kill9();
    // The kernel ends the box with its parent (PR_SET_PDEATHSIG), and its PID namespace with it.
    assert_eq!(
        wait_no_new_box_processes(&host.boxes, 5),
        Vec::<String>::new()
    );
    let ledger = boxlab::ledger::base_dir();
    let stale = ledgers_of(tui);
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
        !stale[0].exists(),
        "the next start removed the stale ledger"
    );
    next.keys("q");
    assert_eq!(next.wait_exit(10), Some(0));
    host.assert_as_found("after kill -9 and the next start");
}

/// The ledger directories of the boxlab whose pid is `tui` (named `PID-TAG`).
fn ledgers_of(tui: i32) -> Vec<std::path::PathBuf> {
    // No directory at all once the last ledger went.
    std::fs::read_dir(boxlab::ledger::base_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{tui}-"))
        })
        .map(|e| e.path())
        .collect()
}

/// A hangup (the terminal window closed) or a SIGTERM mid-lesson: boxlab removes what it made
/// before it exits with 128+signal, with no `boxlab cleanup` or next start needed.
#[test]
fn hangup_or_term_mid_lesson_removes_everything_at_once() {
    if !root_or_skip("hangup_or_term_mid_lesson_removes_everything_at_once") {
        return;
    }
    use nix::sys::signal::Signal;
    let _one_at_a_time = serial();
    for (sig, code) in [(Signal::SIGHUP, 129), (Signal::SIGTERM, 143)] {
        let before = host_snapshot();
        let boxes = box_processes();
        let mut t = Term::start(&["--lang", "en", "learn", "pid"], 100, 30);
        t.wait_for("step 1/7", 20);
        t.step_to(5, 7);
        let tui = t.child.id() as i32;
        t.signal(sig);
        assert_eq!(t.wait_exit(10), Some(code), "{sig}");
        assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
        let left = ledgers_of(tui);
        assert!(left.is_empty(), "{sig} left its ledger: {left:?}");
        assert_host_as_found(&before, &boxes, &format!("after {sig} mid-lesson"));
    }
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
    t.kill9();
    let out = boxlab(&["--lang", "en", "cleanup"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("stale run"), "{text}");
    assert!(
        !text.starts_with("boxlab cleanup: stale runs undone: 0"),
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
    let Some(host) = host_test("kill_9_during_the_network_lesson") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "net"], 100, 30);
    t.wait_for("step 1/6", 20);
    t.step_to(6, 6);
    let screen = t.screen();
    assert!(!screen.contains('✗'), "{screen}");
    assert_ne!(
        host_snapshot().net,
        host.before.net,
        "the veth's host end exists while the lesson runs"
    );
    t.kill9();
    assert_eq!(
        wait_no_new_box_processes(&host.boxes, 5),
        Vec::<String>::new()
    );
    let mut next = Term::start(&["--lang", "en"], 80, 24);
    next.wait_for("Lessons", 20);
    next.keys("q");
    assert_eq!(next.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}

/// Every lesson, twice: walked to its last step, then `r` (a fresh box) and `q`; and walked
/// to its last step again, then `kill -9` of the TUI and a new start (which sweeps what the
/// killed run left). The host is as it was after each.
#[test]
fn every_lesson_then_reset_or_kill_leaves_the_host_as_found() {
    if !root_or_skip("every_lesson_then_reset_or_kill_leaves_the_host_as_found") {
        return;
    }
    let _one_at_a_time = serial();
    for lesson in boxlab::lesson::load::load_all(None).unwrap() {
        let steps = lesson.steps.len();
        let walk = || {
            let t = Term::start(&["--lang", "en", "learn", &lesson.id], 100, 30);
            t.wait_for(&format!("step 1/{steps}"), 20);
            let mut t = t;
            t.step_to(steps, steps);
            let screen = t.wait_for("Last step", 30);
            if !screen.contains("lesson complete") {
                // An earlier step failed: show that step's screen, with its check's detail.
                for k in (1..steps).rev() {
                    t.keys(LEFT);
                    let earlier = t.wait_for(&format!("step {k}/{steps}"), 10);
                    assert!(!earlier.contains('✗'), "{}:\n{earlier}", lesson.id);
                }
            }
            let screen = t.wait_for("lesson complete", 30);
            assert!(!screen.contains('✗'), "{}:\n{screen}", lesson.id);
            t
        };
        for kill in [false, true] {
            let before = host_snapshot();
            let boxes = box_processes();
            let mut t = walk();
            if kill {
                t.kill9();
                let mut next = Term::start(&["--lang", "en"], 80, 24);
                next.wait_for("Lessons", 20);
                next.keys("q");
                assert_eq!(next.wait_exit(10), Some(0));
            } else {
                t.keys("r");
                t.wait_for(&format!("step 1/{steps}"), 10);
                t.keys("q");
                assert_eq!(t.wait_exit(10), Some(0), "{}", lesson.id);
            }
            let after = if kill {
                "kill -9 and a new start"
            } else {
                "r and q"
            };
            assert_host_as_found(
                &before,
                &boxes,
                &format!("after lesson {} and {after}", lesson.id),
            );
        }
    }
}

/// Killed with SIGKILL while loads run (the cpu lesson's two busy loops, the memory lesson's
/// hog climbing to its limit), the next start removes the box's cgroup and everything in it.
#[test]
fn kill_during_cgroup_loads_then_next_start_leaves_the_host_as_found() {
    if !root_or_skip("kill_during_cgroup_loads_then_next_start_leaves_the_host_as_found") {
        return;
    }
    let _one_at_a_time = serial();
    for (lesson, step, steps) in [("cpu", 4, 6), ("memory", 3, 5)] {
        let before = host_snapshot();
        let boxes = box_processes();
        let mut t = Term::start(&["--lang", "en", "learn", lesson], 100, 30);
        t.wait_for(&format!("step 1/{steps}"), 20);
        t.step_to(step, steps);
        t.kill9();
        let mut next = Term::start(&["--lang", "en"], 80, 24);
        next.wait_for("Lessons", 20);
        next.keys("q");
        assert_eq!(next.wait_exit(10), Some(0));
        assert_host_as_found(
            &before,
            &boxes,
            &format!("after kill -9 at step {step} of {lesson} and a new start"),
        );
    }
}

/// A process that boxlab started for a shell pane, recognised later by its start time.
#[derive(Clone, Debug, PartialEq)]
struct Started {
    pid: i32,
    start: u64,
    name: String,
}

impl Started {
    fn alive(&self) -> bool {
        std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .ok()
            .and_then(|s| boxlab::probe::stat::parse(&s))
            .is_some_and(|s| s.start_time == self.start && s.state != 'Z')
    }
}

/// The shell panes' processes under the TUI `tui`: `sh` (the host shell), `boxlab-exec` (the
/// box shell's `boxlab __exec`) and its `sh`, and whatever those started; not the box itself.
fn shell_processes(tui: i32) -> Vec<Started> {
    let view = boxlab::probe::View::collect();
    let mut out = Vec::new();
    for child in view.processes.iter().flatten().filter(|p| p.ppid == tui) {
        if child.name == "boxlab-box" {
            continue;
        }
        out.extend(view.tree(child.pid).into_iter().map(|p| Started {
            pid: p.pid,
            start: p.start_time,
            name: p.name.clone(),
        }));
    }
    out
}

fn names(ps: &[Started]) -> Vec<&str> {
    let mut n: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
    n.sort();
    n
}

/// Waits up to `secs` for every process in `ps` to be gone; returns those left.
fn wait_gone(ps: &[Started], secs: u64) -> Vec<Started> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let left: Vec<Started> = ps.iter().filter(|p| p.alive()).cloned().collect();
        if left.is_empty() || std::time::Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The text lines of one shell pane of an 80-column screen: the rows between the shells'
/// title row and the syscall pane's, cut to the pane's columns.
fn pane(t: &Term, left: bool) -> Vec<String> {
    let rows = t.rows(0, 200);
    let Some(top) = rows.iter().position(|r| r.contains("host shell")) else {
        return Vec::new(); // not open (yet)
    };
    let bottom = rows
        .iter()
        .position(|r| r.starts_with(" syscalls"))
        .unwrap_or(rows.len());
    // The shells' title row is plain one-column text: `┐` ends the box shell's pane.
    let split = rows[top].chars().position(|c| c == '┐').unwrap_or(39) as u16;
    let total = rows[top].chars().count() as u16;
    let (col, width) = if left {
        (0, split)
    } else {
        (split + 1, total.saturating_sub(split + 1))
    };
    t.rows(col, width)[top + 1..bottom]
        .iter()
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Types `command` + Enter into the focused shell and waits until its pane shows `answer`
/// on a line of its own after the command line.
fn run_in(t: &mut Term, left: bool, command: &str, answer: &str) {
    t.keys(command);
    t.keys(ENTER);
    let what = format!(
        "{command:?} to print {answer:?} in the {} shell",
        if left { "box" } else { "host" }
    );
    t.wait_until(&what, 10, |t| {
        let lines = pane(t, left);
        let Some(at) = lines.iter().rposition(|l| l.ends_with(command)) else {
            return false;
        };
        lines[at + 1..].iter().any(|l| l == answer)
    });
}

#[test]
fn shell_panes_in_a_terminal() {
    let Some(host) = host_test("shell_panes_in_a_terminal") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "uts"], 80, 24);
    t.wait_for("step 1/4", 20);
    t.keys(RIGHT);
    t.wait_for("step 2/4", 10);
    t.keys(RIGHT);
    t.wait_for("step 3/4", 10);
    t.keys("s");
    t.wait_until("both prompts", 10, |t| {
        pane(t, true).iter().any(|l| l.starts_with("box#"))
            && pane(t, false).iter().any(|l| l.starts_with("host#"))
    });
    // The box shell shows how it joined the box: setns into its UTS namespace.
    let joined = pane(&t, true).join("\n");
    assert!(
        joined.contains("setns(") && joined.contains("CLONE_NEWUTS) = 0"),
        "{joined}"
    );
    assert!(joined.contains("chroot(\".\") = 0"), "{joined}");
    t.keys(TAB);
    t.wait_for("(typing here: Tab leaves)", 10);
    run_in(&mut t, true, "hostname", "box");
    run_in(&mut t, true, "echo 한국어", "한국어");

    t.keys(TAB);
    t.wait_for("host shell (typing here: Tab leaves)", 10);
    let hostname = nix::unistd::gethostname()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    run_in(&mut t, false, "hostname", &hostname);
    // While a shell has the focus, q is typed, not a quit.
    run_in(&mut t, false, "echo quit 한국어 ok", "quit 한국어 ok");

    let tui = t.child.id() as i32;
    let shells = shell_processes(tui);
    assert_eq!(names(&shells), ["boxlab-exec", "sh", "sh"], "{shells:?}");

    t.keys(TAB); // back to the lesson
    t.wait_until("the lesson's keys", 10, |t| {
        t.screen().contains("Tab type in a shell")
    });
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    assert_eq!(
        wait_gone(&shells, 5),
        Vec::<Started>::new(),
        "shells left after q"
    );
    host.assert_as_found("after the test");
}

#[test]
fn shells_end_with_reset_and_the_lesson_list() {
    let Some(host) = host_test("shells_end_with_reset_and_the_lesson_list") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "uts"], 80, 24);
    t.wait_for("step 1/4", 20);
    t.keys("s");
    t.wait_until("the box shell", 10, |t| {
        pane(t, true).iter().any(|l| l.starts_with("box#"))
    });
    t.keys(RIGHT);
    t.wait_for("step 2/4", 10);
    // The box entered a new UTS namespace: the box shell starts again, inside it.
    t.wait_until("the box shell in the new namespace", 10, |t| {
        let lines = pane(t, true).join(" ");
        lines.contains("new uts namespace") && lines.contains("CLONE_NEWUTS) = 0")
    });
    let tui = t.child.id() as i32;
    let first = shell_processes(tui);
    let first_box: Vec<Started> = first
        .iter()
        .filter(|p| p.name == "boxlab-exec")
        .cloned()
        .collect();
    assert_eq!(first_box.len(), 1, "{first:?}");

    // r: a new box, and a new box shell in it; the old box shell is gone.
    t.keys("r");
    t.wait_for("step 1/4", 10);
    t.wait_until("the box shell in the new box", 10, |t| {
        pane(t, true).join(" ").contains("The box changed (pid")
    });
    assert_eq!(
        wait_gone(&first_box, 5),
        Vec::<Started>::new(),
        "old box shell after r"
    );
    let second = shell_processes(tui);
    assert_eq!(names(&second), ["boxlab-exec", "sh", "sh"], "{second:?}");

    // Esc: back to the list, and no shell is left.
    t.keys(ESC);
    t.wait_for("Lessons", 10);
    assert_eq!(
        wait_gone(&second, 5),
        Vec::<Started>::new(),
        "shells left after Esc"
    );
    assert_eq!(shell_processes(tui), Vec::<Started>::new());
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}

/// kill -9 of the TUI with both shells open: the kernel ends the shells with it
/// (PR_SET_PDEATHSIG), and the box shell's `__exec` takes its child along.
#[test]
fn shells_die_with_a_killed_tui() {
    if !root_or_skip("shells_die_with_a_killed_tui") {
        return;
    }
    let _one_at_a_time = serial();
    let boxes = box_processes();
    let mut t = Term::start(&["--lang", "en", "learn", "uts"], 80, 24);
    t.wait_for("step 1/4", 20);
    t.keys("s");
    t.wait_until("both prompts", 10, |t| {
        pane(t, true).iter().any(|l| l.starts_with("box#"))
            && pane(t, false).iter().any(|l| l.starts_with("host#"))
    });
    let tui = t.child.id() as i32;
    let shells = shell_processes(tui);
    assert_eq!(names(&shells), ["boxlab-exec", "sh", "sh"], "{shells:?}");
    t.kill9();
    assert_eq!(
        wait_gone(&shells, 5),
        Vec::<Started>::new(),
        "shells left after kill -9"
    );
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
    // The next start sweeps the killed run's ledger.
    let mut next = Term::start(&["--lang", "en"], 80, 24);
    next.wait_for("Lessons", 20);
    next.keys("q");
    assert_eq!(next.wait_exit(10), Some(0));
}

/// The box shell lives in the box's PID namespace (as `docker exec`'s processes do): with it
/// open through the whole PID lesson, every check still passes, and the shell follows the box
/// into the forked child and its new mount namespace.
#[test]
fn pid_lesson_with_the_shells_open() {
    let Some(host) = host_test("pid_lesson_with_the_shells_open") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "pid"], 80, 24);
    t.wait_for("step 1/7", 20);
    t.keys("s");
    t.wait_until("the box shell", 10, |t| {
        pane(t, true).iter().any(|l| l.starts_with("box#"))
    });
    for step in 2..=7 {
        t.keys(RIGHT);
        let screen = t.wait_for(&format!("step {step}/7"), 10);
        assert!(
            !screen.contains('✗'),
            "step {step} with the shells open:\n{screen}"
        );
        if step == 4 {
            // Joined after the fork and the fresh /proc: the shell is a small pid in there.
            t.wait_until("the box shell in the new namespaces", 10, |t| {
                pane(t, true).join(" ").contains("new mnt namespace")
            });
            t.keys(TAB);
            t.wait_for("(typing here: Tab leaves)", 10);
            run_in(&mut t, true, "cat /proc/1/comm", "boxlab-box");
            t.keys("\x1b[Z"); // Shift-Tab: back to the lesson
            t.wait_for("Tab type in a shell", 10);
        }
    }
    t.wait_for("lesson complete", 10);
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}

/// The box shell joins the box's cgroups with its namespaces, so what runs there counts against
/// the box's limits: through the pids lesson with the shells open, the shell sees the box's
/// cgroup, and the fork bomb, the host's program and the clean-up checks all still pass.
#[test]
fn pids_lesson_with_the_shells_open() {
    let Some(host) = host_test("pids_lesson_with_the_shells_open") else {
        return;
    };
    let mut t = Term::start(&["--lang", "en", "learn", "pids"], 100, 30);
    t.wait_for("step 1/5", 20);
    t.keys("s");
    t.wait_until("the box shell", 10, |t| {
        pane(t, true).iter().any(|l| l.starts_with("box#"))
    });
    t.keys(TAB);
    t.wait_for("(typing here: Tab leaves)", 10);
    run_in(
        &mut t,
        true,
        "grep -q boxlab/ /proc/self/cgroup&&echo in",
        "in",
    );
    t.keys("\x1b[Z"); // Shift-Tab: back to the lesson
    t.wait_for("Tab type in a shell", 10);
    for step in 2..=5 {
        t.keys(RIGHT);
        let screen = t.wait_for(&format!("step {step}/5"), 10);
        assert!(
            !screen.contains('✗'),
            "step {step} with the shells open:\n{screen}"
        );
    }
    t.wait_for("lesson complete", 10);
    t.keys("q");
    assert_eq!(t.wait_exit(10), Some(0));
    host.assert_as_found("after the test");
}
