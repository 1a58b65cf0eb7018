//! `-t`: the command gets a terminal of its own, a pseudo-terminal (pty(7)) whose other side
//! boxlab relays to the learner's terminal, as `docker run -t` does. Ctrl-C then reaches the
//! command through the pty's line discipline, job control works inside, and window-size
//! changes (SIGWINCH) are passed on.
//!
//! The pty is made inside the container, from its own devpts instance, so the command sees
//! it as /dev/pts/0 (`tty` names it); PID 1 hands the master side to boxlab over a Unix
//! socket, as runc does with `--console-socket`.

use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use nix::sys::socket::{ControlMessage, ControlMessageOwned, MsgFlags, recvmsg, sendmsg};
use nix::sys::termios::{self, SetArg, Termios};

/// Refuses `-t` without a terminal to relay, before anything is made.
pub fn check() -> anyhow::Result<()> {
    use std::io::IsTerminal;
    anyhow::ensure!(
        std::io::stdin().is_terminal(),
        "-t needs a terminal on stdin: leave out -t, or run it from a terminal"
    );
    Ok(())
}

/// In PID 1, after pivot_root: openpty(3) on the container's /dev/ptmx, the master side sent
/// to boxlab over `console` (SCM_RIGHTS, unix(7)). Returns the slave side, for the command.
pub fn open_inside(console: &UnixStream) -> nix::Result<OwnedFd> {
    let pty = nix::pty::openpty(None, None)?;
    let fds = [pty.master.as_raw_fd()];
    sendmsg::<()>(
        console.as_raw_fd(),
        &[IoSlice::new(b"t")],
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::empty(),
        None,
    )?;
    Ok(pty.slave)
}

/// In boxlab: the master side PID 1 sent, or None if it ended first.
pub fn receive(console: &UnixStream) -> Option<OwnedFd> {
    let mut byte = [0u8; 1];
    let mut iov = [IoSliceMut::new(&mut byte)];
    let mut space = nix::cmsg_space!([std::os::fd::RawFd; 1]);
    let msg = recvmsg::<()>(
        console.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )
    .ok()?;
    let mut cmsgs = msg.cmsgs().ok()?;
    cmsgs.find_map(|c| match c {
        // Safe: the kernel just installed this descriptor in boxlab's table, owned by no one.
        ControlMessageOwned::ScmRights(fds) => {
            fds.first().map(|&fd| unsafe { OwnedFd::from_raw_fd(fd) })
        }
        _ => None,
    })
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
