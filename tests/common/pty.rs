//! Drives the real binary through a pseudo-terminal and reads the screen it draws with a vt100
//! parser, as a person at a terminal would see it.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::pty::{Winsize, openpty};

pub struct Term {
    pub child: Child,
    master: std::fs::File,
    screen: Arc<Mutex<vt100::Parser>>,
}

impl Term {
    /// Starts `boxlab ARGS` on a cols x rows terminal.
    pub fn start(args: &[&str], cols: u16, rows: u16) -> Term {
        let ws = Winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = openpty(Some(&ws), None).expect("openpty");
        let slave: OwnedFd = pty.slave;
        let slave_fd = slave.as_raw_fd();
        let mut cmd = Command::new(super::BOXLAB);
        cmd.args(args)
            .env("TERM", "xterm-256color")
            .env("XDG_STATE_HOME", super::state_dir())
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // A session of its own with the pty as controlling terminal, like a login shell.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setsid() < 0 || libc::ioctl(slave_fd, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("starting boxlab on a pty");
        let master = std::fs::File::from(pty.master);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let (mut reader, parser) = (master.try_clone().unwrap(), screen.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
            }
        });
        Term {
            child,
            master,
            screen,
        }
    }

    pub fn screen(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// The screen's rows cut to the columns `col..col + width` (one pane of a split screen);
    /// a double-width character counts two columns, as on screen.
    pub fn rows(&self, col: u16, width: u16) -> Vec<String> {
        self.screen
            .lock()
            .unwrap()
            .screen()
            .rows(col, width)
            .collect()
    }

    /// Waits until `check` holds for the screen; panics with the screen after `secs`.
    pub fn wait_until(&self, what: &str, secs: u64, check: impl Fn(&Term) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !check(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen was:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types keys: text as is; use "\x1b[C" for Right, "\r" for Enter, "\x1b" for Esc.
    pub fn keys(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    /// Waits until the screen contains `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; the screen was:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Presses → until the lesson shows `step {to}/{total}`, waiting for each step on the way.
    pub fn step_to(&mut self, to: usize, total: usize) -> String {
        let mut screen = self.screen();
        let shown = |s: &str| {
            (1..=total)
                .rev()
                .find(|k| s.contains(&format!("step {k}/{total}")))
                .unwrap_or(1)
        };
        for k in shown(&screen) + 1..=to {
            self.keys(RIGHT);
            // Some steps run loads for seconds (cpu, memory, io): room for a loaded machine.
            screen = self.wait_for(&format!("step {k}/{total}"), 30);
        }
        screen
    }

    /// SIGKILL to the program, as a crash or `kill -9` would end it, then waits for it.
    pub fn kill9(&mut self) {
        self.signal(nix::sys::signal::Signal::SIGKILL);
        self.wait_exit(10);
    }

    /// Sends `sig` to the program.
    pub fn signal(&mut self, sig: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, sig).unwrap();
    }

    /// Waits for the program to exit and returns its exit code.
    pub fn wait_exit(&mut self, secs: u64) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

/// A test that fails with the program still running ends it with SIGTERM, which boxlab answers
/// by removing its box, so the next test starts on the host as found; SIGKILL only if it does
/// not exit within 10 s.
impl Drop for Term {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const RIGHT: &str = "\x1b[C";
pub const LEFT: &str = "\x1b[D";
pub const UP: &str = "\x1b[A";
pub const DOWN: &str = "\x1b[B";
pub const HOME: &str = "\x1b[H";
pub const END: &str = "\x1b[F";
pub const PAGE_DOWN: &str = "\x1b[6~";
pub const ENTER: &str = "\r";
pub const TAB: &str = "\t";
pub const ESC: &str = "\x1b";
