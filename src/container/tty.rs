//! `-t`: the command gets a terminal of its own, a pseudo-terminal (pty(7)) whose other side
//! boxlab relays to the learner's terminal, as `docker run -t` does. Ctrl-C then reaches the
//! command through the pty's line discipline, job control works inside, and window-size
//! changes (SIGWINCH) are passed on.

use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::sys::termios::{self, SetArg, Termios};

/// Both sides of the command's terminal.
pub struct Pty {
    pub master: OwnedFd,
    pub slave: OwnedFd,
}

/// openpty(3), sized like boxlab's own terminal.
pub fn open() -> anyhow::Result<Pty> {
    use std::io::IsTerminal;
    anyhow::ensure!(
        std::io::stdin().is_terminal(),
        "-t needs a terminal on stdin: leave out -t, or run it from a terminal"
    );
    let pty = nix::pty::openpty(None, None)?;
    let pty = Pty {
        master: pty.master,
        slave: pty.slave,
    };
    copy_size(&pty.master);
    Ok(pty)
}

/// The learner's window size onto the pty (TIOCGWINSZ, TIOCSWINSZ).
pub fn copy_size(master: &OwnedFd) {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    unsafe {
        if libc::ioctl(0, libc::TIOCGWINSZ, &mut ws) == 0 {
            libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &ws);
        }
    }
}

/// In the command's process: a session of its own whose controlling terminal is the pty's
/// slave side (setsid(2), ioctl(TIOCSCTTY)), on stdin, stdout and stderr.
pub fn take_as_controlling(slave: OwnedFd) -> std::io::Result<()> {
    nix::unistd::setsid()?;
    if unsafe { libc::ioctl(slave.as_raw_fd(), libc::TIOCSCTTY, 0) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    nix::unistd::dup2_stdin(&slave)?;
    nix::unistd::dup2_stdout(&slave)?;
    nix::unistd::dup2_stderr(&slave)?;
    Ok(())
}

/// boxlab's terminal in raw mode, its bytes copied to the pty and the pty's back, until the
/// command's side closes. Dropping it restores the terminal.
pub struct Relay {
    saved: Option<Termios>,
    output: Option<std::thread::JoinHandle<()>>,
}

pub fn relay(master: OwnedFd) -> Relay {
    let stdin = std::io::stdin();
    let saved = termios::tcgetattr(stdin.as_fd()).ok();
    if let Some(t) = &saved {
        let mut raw = t.clone();
        termios::cfmakeraw(&mut raw);
        let _ = termios::tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw);
    }
    let Ok(to_pty) = master.try_clone() else {
        return Relay {
            saved,
            output: None,
        };
    };
    // Keys to the command. This thread may stay blocked in read(2) until boxlab exits.
    std::thread::spawn(move || {
        let mut to_pty = std::fs::File::from(to_pty);
        let mut buf = [0u8; 1024];
        while let Ok(n) = std::io::stdin().read(&mut buf) {
            if n == 0 || to_pty.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    // The command's output to the learner, until the pty reports EIO (its last holder closed).
    let output = std::thread::spawn(move || {
        let mut from_pty = std::fs::File::from(master);
        let mut buf = [0u8; 4096];
        let mut out = std::io::stdout();
        while let Ok(n) = from_pty.read(&mut buf) {
            if n == 0 || out.write_all(&buf[..n]).and_then(|()| out.flush()).is_err() {
                break;
            }
        }
    });
    Relay {
        saved,
        output: Some(output),
    }
}

impl Drop for Relay {
    /// Once the container is gone: the last output written, then the terminal as it was.
    fn drop(&mut self) {
        if let Some(t) = self.output.take() {
            let _ = t.join();
        }
        if let Some(t) = &self.saved {
            let _ = termios::tcsetattr(std::io::stdin().as_fd(), SetArg::TCSANOW, t);
        }
    }
}
