//! A shell on a pseudo-terminal, for the shell pane: a host shell, or a shell inside the box
//! started through `boxlab __exec` (see [`super::exec`]). A reader thread feeds everything the
//! shell prints to a vt100 parser, whose screen the TUI draws.
//!
//! The shell gets the pty's slave side as its controlling terminal (setsid(2) +
//! ioctl(TIOCSCTTY)), so Ctrl-C, job control and window-size changes work as in any terminal;
//! it never sees the TUI's own terminal, and since it is exec'ed it keeps nothing of boxlab
//! (no panic hook, no threads). It dies with boxlab (PR_SET_PDEATHSIG) and when dropped.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::pty::{Winsize, openpty};
use nix::sys::signal::{Signal, kill};
use nix::sys::termios;
use nix::unistd::Pid;

use super::exec::clean_env;
use crate::kernel::process;

/// Lines a shell pane keeps above its screen, for Shift-PageUp to bring back (a pane is a few
/// rows tall: `ps` or `mount` scroll most of their output past it).
const SCROLLBACK: usize = 500;

pub struct Shell {
    child: Child,
    master: File,
    parser: Arc<Mutex<vt100::Parser>>,
    /// Bumped on every read; the TUI redraws when it changes.
    output: Arc<AtomicU64>,
    /// The pty's slave side is closed: the shell (and everything it started there) has exited.
    ended: Arc<AtomicBool>,
    size: (u16, u16),
}

impl Shell {
    /// `/bin/sh -i` on the host, in boxlab's working directory, with the prompt `host# `.
    pub fn host(rows: u16, cols: u16) -> std::io::Result<Shell> {
        let mut cmd = Command::new("/bin/sh");
        cmd.arg0("sh").arg("-i").env_clear();
        for (k, v) in clean_env("host# ") {
            cmd.env(k, v);
        }
        if let Some(home) = std::env::var_os("HOME") {
            cmd.env("HOME", home);
        }
        // The host's programs (ls, ...) show Korean file names in a UTF-8 locale.
        cmd.env("LANG", "C.UTF-8");
        Shell::spawn(cmd, rows, cols, b"")
    }

    /// `boxlab __exec --pid PID --trace -- /bin/sh -i`: a shell inside the box whose host pid
    /// is `box_pid`, joined the way `docker exec` does; it starts by printing the syscalls
    /// that joined the box (headed in Korean when `korean`). `banner` is shown first.
    pub fn in_box(
        box_pid: i32,
        rows: u16,
        cols: u16,
        korean: bool,
        banner: &str,
    ) -> std::io::Result<Shell> {
        let mut cmd = Command::new("/proc/self/exe");
        cmd.arg0("boxlab")
            .args(["--lang", if korean { "ko" } else { "en" }])
            .args(["__exec", "--pid", &box_pid.to_string(), "--trace", "--"])
            .args(["/bin/sh", "-i"])
            // __exec sets the box's environment itself; it needs only TERM from here.
            .env_clear()
            .env(
                "TERM",
                std::env::var("TERM").unwrap_or_else(|_| "xterm-256color".into()),
            );
        Shell::spawn(cmd, rows, cols, banner.as_bytes())
    }

    fn spawn(mut cmd: Command, rows: u16, cols: u16, banner: &[u8]) -> std::io::Result<Shell> {
        let (rows, cols) = (rows.max(2), cols.max(10));
        let ws = Winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = openpty(Some(&ws), None).map_err(std::io::Error::from)?;
        // IUTF8: in line mode, Backspace erases a whole UTF-8 character (a Korean syllable is
        // three bytes), not one byte of it.
        if let Ok(mut t) = termios::tcgetattr(&pty.slave) {
            t.input_flags |= termios::InputFlags::IUTF8;
            let _ = termios::tcsetattr(&pty.slave, termios::SetArg::TCSANOW, &t);
        }
        // openpty(3) leaves both ends inheritable: without close-on-exec every later child
        // (another shell, the box) would hold this pty open.
        for fd in [&pty.master, &pty.slave] {
            close_on_exec(fd)?;
        }
        let slave: OwnedFd = pty.slave;
        cmd.stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave));
        // Runs in the child between fork and exec, after stdio is set up: only async-signal-
        // safe calls. A session of its own with the pty as its controlling terminal, like a
        // login shell.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        process::dies_with_spawner(&mut cmd, Signal::SIGKILL);
        let child = cmd.spawn()?;
        let master = File::from(pty.master);
        let mut parser = vt100::Parser::new(rows, cols, SCROLLBACK);
        parser.process(banner);
        let parser = Arc::new(Mutex::new(parser));
        let output = Arc::new(AtomicU64::new(0));
        let ended = Arc::new(AtomicBool::new(false));
        let mut reader = master.try_clone()?;
        let (p, o, e) = (parser.clone(), output.clone(), ended.clone());
        std::thread::Builder::new()
            .name("shell-pty".into())
            .spawn(move || {
                let mut buf = [0u8; 8192];
                // read(2) returns EIO once no process holds the slave side open.
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut parser) = p.lock() {
                        parser.process(&buf[..n]);
                    }
                    o.fetch_add(1, Ordering::Release);
                }
                e.store(true, Ordering::Release);
                o.fetch_add(1, Ordering::Release);
            })?;
        Ok(Shell {
            child,
            master,
            parser,
            output,
            ended,
            size: (rows, cols),
        })
    }

    /// The host pid of the process boxlab started (the shell, or `__exec` waiting for it).
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Sends typed bytes to the shell, as a terminal does; like a terminal, typing brings the
    /// view back from the scroll-back to the screen.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.scroll_to(0);
        self.master.write_all(bytes)?;
        self.master.flush()
    }

    /// ioctl(TIOCSWINSZ) on the pty: the kernel sends SIGWINCH to the shell's foreground
    /// job, which redraws for the new size. The parser's screen changes size with it.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let (rows, cols) = (rows.max(2), cols.max(10));
        if (rows, cols) == self.size {
            return;
        }
        let ws = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        unsafe {
            libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &ws);
        }
        if let Ok(mut p) = self.parser.lock() {
            set_size(&mut p, rows, cols);
        }
        self.size = (rows, cols);
    }

    /// Shift-PageUp (`up`) or Shift-PageDown: the view moves a page, less one line that stays
    /// in view for context, into the scroll-back or back towards the screen. The parser keeps
    /// the view where it is while more output arrives.
    pub fn scroll_page(&mut self, up: bool) {
        let page = self.size.0.saturating_sub(1).max(1) as usize;
        let now = self.parser.lock().map_or(0, |p| p.screen().scrollback());
        self.scroll_to(if up {
            now + page
        } else {
            now.saturating_sub(page)
        });
    }

    fn scroll_to(&mut self, lines: usize) {
        if let Ok(mut p) = self.parser.lock() {
            // Clamped by vt100 to the lines the scroll-back holds.
            p.screen_mut().set_scrollback(lines);
        }
    }

    /// (rows, columns) of the pty.
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    /// A copy of what the shell's terminal shows now.
    pub fn screen(&self) -> vt100::Screen {
        match self.parser.lock() {
            Ok(p) => p.screen().clone(),
            Err(poisoned) => poisoned.into_inner().screen().clone(),
        }
    }

    /// The shell asked for "application cursor keys" (DECCKM): arrows then send `ESC O A`.
    pub fn application_cursor(&self) -> bool {
        self.parser
            .lock()
            .map(|p| p.screen().application_cursor())
            .unwrap_or(false)
    }

    /// Shows `text` in the shell's terminal as if the shell had printed it (boxlab's own notes).
    pub fn note(&self, text: &str) {
        if let Ok(mut p) = self.parser.lock() {
            p.process(text.as_bytes());
        }
        self.output.fetch_add(1, Ordering::Release);
    }

    /// Grows whenever the shell printed something; compare to know when to redraw.
    pub fn output_count(&self) -> u64 {
        self.output.load(Ordering::Acquire)
    }

    /// The shell exited (its terminal has no process left).
    pub fn ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// waitpid for the process boxlab started, once the shell has ended.
    pub fn reap_if_ended(&mut self) {
        if self.ended() {
            let _ = self.child.try_wait();
        }
    }
}

impl Drop for Shell {
    /// Ends the shell and every process of its session (jobs started in it), then reaps the
    /// process boxlab started. The other members go first, so that a box shell's `__exec`
    /// reaps its child and exits by itself instead of leaving it to the host's init.
    fn drop(&mut self) {
        let leader = self.pid();
        let deadline = Instant::now() + Duration::from_millis(500);
        loop {
            let others: Vec<i32> = crate::probe::session_members(leader)
                .into_iter()
                .filter(|p| *p != leader)
                .collect();
            for pid in &others {
                let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
            }
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            if others.is_empty() || Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // Anything that was still starting when the leader went.
        for pid in crate::probe::session_members(leader) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

/// Resizes the parser's screen. vt100 cuts rows off the bottom when a screen shrinks; a
/// terminal scrolls up instead, so the line with the cursor (the prompt) stays in view.
fn set_size(parser: &mut vt100::Parser, rows: u16, cols: u16) {
    let (row, _) = parser.screen().cursor_position();
    let over = (row + 1).saturating_sub(rows);
    if over > 0 {
        // SU (scroll up) by `over` lines, then the cursor up as much.
        parser.process(format!("\x1b[{over}S\x1b[{over}A").as_bytes());
    }
    parser.screen_mut().set_size(rows, cols);
}

/// fcntl(F_SETFD, FD_CLOEXEC).
fn close_on_exec(fd: &OwnedFd) -> std::io::Result<()> {
    use nix::fcntl::{FcntlArg, FdFlag, fcntl};
    fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).map_err(std::io::Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_keeps_the_prompt_in_view() {
        let mut p = vt100::Parser::new(6, 20, 0);
        p.process(b"one\r\ntwo\r\nthree\r\nfour\r\nbox# ");
        set_size(&mut p, 3, 20);
        assert_eq!(p.screen().contents(), "three\nfour\nbox# ");
        assert_eq!(p.screen().cursor_position(), (2, 5));
        // Growing again leaves the text where it is.
        set_size(&mut p, 6, 20);
        assert_eq!(p.screen().cursor_position(), (2, 5));
    }

    #[test]
    fn shrinking_with_room_changes_nothing() {
        let mut p = vt100::Parser::new(6, 20, 0);
        p.process(b"box# ");
        set_size(&mut p, 3, 20);
        assert_eq!(p.screen().contents(), "box# ");
        assert_eq!(p.screen().cursor_position(), (0, 5));
    }
}
