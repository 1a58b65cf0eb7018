//! The shell pane driven through tmux, as a learner's terminal would: open the UTS lesson,
//! open the shells, type `hostname` in the box shell and read the answer off the screen, and
//! scroll back through output longer than the pane.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{BOXLAB, box_processes, root_or_skip, serial, state_dir, wait_no_new_box_processes};

/// A private tmux server (its own socket, no config), killed when dropped.
struct Tmux(String);

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.0, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("running tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    fn wait_for(&self, pred: impl Fn(&str) -> bool, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen was:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

#[test]
fn box_shell_answers_hostname_in_tmux() {
    if !root_or_skip("box_shell_answers_hostname_in_tmux")
        || !common::installed("tmux", "tmux", "the test")
    {
        return;
    }
    let _one_at_a_time = serial();
    let boxes = box_processes();
    let tmux = Tmux(format!("boxlab-test-{}", std::process::id()));
    let state = format!("XDG_STATE_HOME={}", state_dir().display());
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "100",
        "-y",
        "30",
        "env",
        &state,
        BOXLAB,
        "--lang",
        "en",
        "learn",
        "uts",
    ]);
    tmux.wait_for(|s| s.contains("step 1/4"), "the lesson");
    tmux.run(&["send-keys", "-t", "t", "Right", "Right"]);
    tmux.wait_for(|s| s.contains("step 3/4"), "step 3");
    tmux.run(&["send-keys", "-t", "t", "s"]);
    tmux.wait_for(|s| s.contains("box# "), "the box shell's prompt");
    tmux.run(&["send-keys", "-t", "t", "Tab"]);
    tmux.run(&["send-keys", "-t", "t", "-l", "hostname"]);
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    // The box shell is the left pane: its lines start at column 0, up to the divider.
    let left = |s: &str| {
        s.lines()
            .map(|l| l.split('│').next().unwrap_or("").trim().to_string())
            .collect::<Vec<_>>()
    };
    let screen = tmux.wait_for(
        |s| {
            left(s)
                .windows(2)
                .any(|w| w[0].ends_with("box# hostname") && w[1] == "box")
        },
        "`box` under `hostname`",
    );
    assert!(
        screen.contains("setns("),
        "the pane shows how it joined the box:\n{screen}"
    );
    // Output longer than the pane: Shift-PageUp brings back what scrolled past, and typing
    // returns to the prompt, as in a terminal emulator.
    tmux.run(&["send-keys", "-t", "t", "-l", "seq 1 60"]);
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    tmux.wait_for(|s| left(s).iter().any(|l| l == "60"), "the end of seq");
    tmux.run(&["send-keys", "-t", "t", "S-PPage", "S-PPage"]);
    let back = tmux.wait_for(|s| s.contains("lines up: ⇧PgDn"), "the scrolled title");
    assert!(
        !left(&back).iter().any(|l| l == "60"),
        "scrolled back, the last lines are out of view:\n{back}"
    );
    tmux.run(&["send-keys", "-t", "t", "-l", "x"]);
    tmux.wait_for(
        |s| !s.contains("lines up") && left(s).iter().any(|l| l.starts_with("box# x")),
        "the prompt again after typing",
    );
    tmux.run(&["send-keys", "-t", "t", "Tab", "Tab", "q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.run(&["list-sessions"]).contains("t:") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
}

/// `boxlab run -it -- /bin/sh` in a terminal: a shell with a terminal of its own (/dev/pts/0
/// inside), where Ctrl-C
/// interrupts a command inside the box (not boxlab), and `exit 7` ends it with status 7.
#[test]
fn run_it_gives_the_command_a_terminal() {
    if !root_or_skip("run_it_gives_the_command_a_terminal")
        || !common::installed("tmux", "tmux", "the test")
    {
        return;
    }
    let _one_at_a_time = serial();
    let boxes = box_processes();
    let tmux = Tmux(format!("boxlab-run-test-{}", std::process::id()));
    let script = format!(
        "XDG_STATE_HOME={} {BOXLAB} run -it --hostname web -- /bin/sh; echo EXIT=$?; sleep 60",
        state_dir().display()
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &script,
    ]);
    // Root's prompt: "# " (dash, from a rootfs of the host's programs) or "/ # " (busybox).
    tmux.wait_for(
        |s| s.lines().any(|l| l.trim_end().ends_with('#')),
        "the shell's prompt",
    );
    // The terminal is the container's own, from its devpts: /dev/pts/0.
    tmux.run(&[
        "send-keys",
        "-t",
        "t",
        "-l",
        "hostname; echo $((6*7)); readlink /proc/self/fd/0",
    ]);
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    tmux.wait_for(
        |s| s.contains("\nweb\n42\n/dev/pts/0"),
        "web, 42, /dev/pts/0",
    );
    tmux.run(&["send-keys", "-t", "t", "-l", "sleep 100"]);
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    // Ctrl-C once sleep runs: sent earlier, it meets the shell still reading its line, and the
    // terminal flushes that line (busybox's ash then never runs it).
    let deadline = Instant::now() + Duration::from_secs(15);
    while !sleep_100_runs() {
        assert!(Instant::now() < deadline, "sleep 100 never ran");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.run(&["send-keys", "-t", "t", "C-c"]);
    tmux.run(&["send-keys", "-t", "t", "-l", "echo still here"]);
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    tmux.wait_for(|s| s.contains("\nstill here"), "the shell after Ctrl-C");
    tmux.run(&["send-keys", "-t", "t", "-l", "exit 7"]);
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    tmux.wait_for(|s| s.contains("EXIT=7"), "exit status 7");
    assert_eq!(wait_no_new_box_processes(&boxes, 5), Vec::<String>::new());
}

/// Whether a `sleep 100` runs on this machine (the box's processes are in the host's /proc).
fn sleep_100_runs() -> bool {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .any(|p| std::fs::read(p.path().join("cmdline")).is_ok_and(|c| c == b"sleep\x00100\x00"))
}
