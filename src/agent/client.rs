//! The host side of the box agent: starts it, sends it actions, reads its replies.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use nix::sys::signal::Signal;

use super::protocol::{Outcome, Reply, Request};
use crate::kernel::{SyscallRecord, process};
use crate::ledger::Ledger;

/// A running box: the agent process boxlab started, and whichever process answers for the box
/// now (after a fork into a new PID namespace that is the child).
pub struct BoxAgent {
    outer: Child,
    pid: i32,
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl BoxAgent {
    /// fork + execve(/proc/self/exe, ["boxlab", "__agent", ...]): the box starts as an
    /// ordinary copy of boxlab. Its stdin/stdout are one end of a socketpair; its stderr goes
    /// to a log in the ledger directory, never to the learner's terminal.
    pub fn spawn(rootfs: &Path, ledger: &Ledger) -> anyhow::Result<(BoxAgent, Vec<SyscallRecord>)> {
        let (ours, theirs) = UnixStream::pair().context("creating the socketpair to the box")?;
        let log = std::fs::File::create(ledger.dir().join("agent.log"))
            .context("creating the box's log")?;
        let mut cmd = Command::new("/proc/self/exe");
        cmd.arg0("boxlab")
            .arg("__agent")
            .arg("--rootfs")
            .arg(rootfs)
            .arg("--instance")
            .arg(ledger.id())
            .stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs.try_clone()?)))
            .stdout(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
            .stderr(Stdio::from(log))
            // Its own process group: signals aimed at the terminal's foreground group miss the box.
            .process_group(0);
        process::dies_with_spawner(&mut cmd, Signal::SIGKILL);
        let outer = cmd
            .spawn()
            .context("starting the box agent (/proc/self/exe __agent)")?;
        let pid = outer.id() as i32;
        ledger.add_process(pid);
        ours.set_read_timeout(Some(Duration::from_secs(15)))?;
        let records = vec![
            SyscallRecord::ok("fork", "", pid.to_string()),
            SyscallRecord::ok(
                "execve",
                "\"/proc/self/exe\", [\"boxlab\", \"__agent\", ...]",
                "0".into(),
            ),
        ];
        let reader = BufReader::new(ours.try_clone()?);
        Ok((
            BoxAgent {
                outer,
                pid,
                reader,
                writer: ours,
            },
            records,
        ))
    }

    /// The pid of the process that is the box, numbered as the host sees it.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Sends one request and waits for the reply. After a fork, the new child answers next.
    pub fn request(&mut self, request: &Request, ledger: &Ledger) -> anyhow::Result<Reply> {
        let line = serde_json::to_string(request)?;
        writeln!(self.writer, "{line}").context("sending to the box agent")?;
        let mut answer = String::new();
        let n = self
            .reader
            .read_line(&mut answer)
            .context("waiting for the box agent")?;
        anyhow::ensure!(
            n > 0,
            "the box agent exited unexpectedly (its log: {})",
            ledger.dir().join("agent.log").display()
        );
        let reply: Reply =
            serde_json::from_str(&answer).context("reading the box agent's reply")?;
        if let Outcome::Forked { child } = reply.outcome {
            self.pid = child;
            ledger.add_process(child);
        }
        Ok(reply)
    }
}

impl Drop for BoxAgent {
    /// Ends the box: SIGKILL to the process that is the box now (killing a PID namespace's
    /// PID 1 ends everything inside it). When that is a forked child, the process boxlab
    /// started is its parent: it reaps the child and exits by itself, so no zombie is left for
    /// the host's init; it is killed only if it has not exited within a second.
    fn drop(&mut self) {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        if self.pid != self.outer.id() as i32 {
            let _ = kill(Pid::from_raw(self.pid), Signal::SIGKILL);
            let deadline = std::time::Instant::now() + Duration::from_secs(1);
            while std::time::Instant::now() < deadline {
                if matches!(self.outer.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        let _ = self.outer.kill();
        let _ = self.outer.wait();
    }
}
