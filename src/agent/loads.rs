//! The loads a cgroup lesson runs inside the box: each in a forked child of the agent (so it is
//! in the box's namespaces and cgroup), most in the background while the panes watch.

use std::fs::File;
use std::io::{BufRead, Read, Write};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid};

use super::protocol::Outcome;
use crate::kernel::{self, SyscallRecord, process};
use crate::lang::detail;
use crate::workload;

/// The most processes the fork bomb makes, whatever the limits: even in a box with no pids
/// limit (a lesson file gone wrong), it cannot exhaust the host.
pub const BOMB_CAP: u64 = 256;

/// The box's running loads.
#[derive(Default)]
pub struct Loads {
    /// The memory hog's pid and the pipe it reports each MiB on.
    hog: Option<(i32, File)>,
    busy: Option<i32>,
    /// The fork bomb's leader, whose process group holds every bomb process.
    bomb: Option<i32>,
}

impl Loads {
    pub fn memory_hog(&mut self, mb: u64) -> anyhow::Result<Outcome> {
        anyhow::ensure!(self.hog.is_none(), "the memory hog is already running");
        let (rx, tx) = std::io::pipe()?;
        let pid = spawn("memory-hog", move || {
            workload::hog(
                mb,
                Duration::from_millis(50),
                Some(File::from(OwnedFd::from(tx))),
            );
        })?;
        self.hog = Some((pid, File::from(OwnedFd::from(rx))));
        Ok(Outcome::Started { pid })
    }

    /// Waits (at most a minute) for the hog to end, then counts the MiB it reported.
    pub fn wait_hog(&mut self) -> anyhow::Result<Outcome> {
        let (pid, mut progress) = self
            .hog
            .take()
            .ok_or_else(|| anyhow::anyhow!("no memory hog is running: memory_hog first"))?;
        let status = wait_at_most(pid, Duration::from_secs(60))?;
        let mut dots = Vec::new();
        progress.read_to_end(&mut dots)?;
        Ok(Outcome::HogEnded {
            status,
            touched_mb: dots.len() as u64,
        })
    }

    pub fn busy(&mut self, seconds: u64) -> anyhow::Result<Outcome> {
        anyhow::ensure!(self.busy.is_none(), "the busy loop is already running");
        let pid = spawn("busy-loop", move || {
            workload::spin(Duration::from_secs(seconds))
        })?;
        self.busy = Some(pid);
        Ok(Outcome::Started { pid })
    }

    pub fn stop_busy(&mut self) -> anyhow::Result<Outcome> {
        let pid = self
            .busy
            .take()
            .ok_or_else(|| anyhow::anyhow!("no busy loop is running"))?;
        let _ = process::kill(pid, Signal::SIGKILL);
        process::wait_exit_code(pid)?;
        Ok(Outcome::Reaped { pids: vec![pid] })
    }

    /// The work runs in the agent itself: it is in the box's cgroup like any child would be.
    /// No syscall starts it, so its lines are the CPU it is pinned to (sched_setaffinity(2),
    /// recorded by workload::work) and the clock it is timed by (clock_gettime(2)).
    pub fn work(&mut self, rounds: u64, cpu: usize) -> anyhow::Result<Outcome> {
        let micros = workload::work(rounds, cpu)?.as_micros() as u64;
        kernel::adopt_records(vec![
            SyscallRecord::ok("clock_gettime", "CLOCK_THREAD_CPUTIME_ID, …", "0".into())
                .noted(workload::work_note(micros)),
        ]);
        Ok(Outcome::Timed { micros })
    }

    /// A leader in a process group of its own forks children that just wait, until fork(2)
    /// fails or [`BOMB_CAP`] is reached, and reports back through a pipe. The agent becomes a
    /// child subreaper first (prctl(PR_SET_CHILD_SUBREAPER)), so when the leader is killed its
    /// children come back to the agent to be reaped, not to the host's init.
    pub fn fork_bomb(&mut self) -> anyhow::Result<Outcome> {
        anyhow::ensure!(self.bomb.is_none(), "the fork bomb is already running");
        nix::sys::prctl::set_child_subreaper(true)?;
        let (rx, mut tx) = std::io::pipe()?;
        let leader = spawn("fork-bomb", move || {
            let _ = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
            let _ = kernel::take_records();
            let mut forked = 0;
            let mut errno = String::from("none");
            while forked < BOMB_CAP {
                match unsafe { process::fork() } {
                    Ok(ForkResult::Child) => loop {
                        nix::unistd::pause();
                    },
                    Ok(ForkResult::Parent { .. }) => forked += 1,
                    Err(e) => {
                        errno = format!("{:?}", e.errno);
                        break;
                    }
                }
            }
            // The pane shows how it began and how it ended, not every fork.
            let mut records = kernel::take_records();
            if records.len() > 5 {
                let tail = records.split_off(records.len() - 2);
                records.truncate(3);
                let more = forked.saturating_sub(4);
                records.push(SyscallRecord::ok("fork", "", "…".into()).noted(detail!(
                    "{more} more, each a new pid",
                    "{more}번 더, 매번 새 pid"
                )));
                records.extend(tail);
            }
            let msg = serde_json::to_string(&(forked, errno, records)).unwrap_or_default();
            let _ = writeln!(tx, "{msg}");
            loop {
                nix::unistd::pause();
            }
        })?;
        self.bomb = Some(leader);
        let mut line = String::new();
        std::io::BufReader::new(rx).read_line(&mut line)?;
        let (forked, errno, records): (u64, String, Vec<SyscallRecord>) =
            serde_json::from_str(&line)?;
        // The agent's own fork made the leader; said so, or it reads as one of the bomb's.
        let mut all: Vec<SyscallRecord> = kernel::take_records()
            .into_iter()
            .map(|r| match r.call.as_str() {
                "fork" => r.noted(detail!(
                    "the bomb's leader, which makes the forks below",
                    "폭탄의 리더: 아래의 fork는 모두 리더가 합니다"
                )),
                _ => r,
            })
            .collect();
        all.extend(records);
        kernel::adopt_records(all);
        Ok(Outcome::Bomb { forked, errno })
    }

    /// kill(-leader, SIGKILL) ends the whole process group; waitpid(-leader) reaps its members
    /// as they come back to the agent.
    pub fn end_fork_bomb(&mut self) -> anyhow::Result<Outcome> {
        let leader = self
            .bomb
            .take()
            .ok_or_else(|| anyhow::anyhow!("no fork bomb is running: fork_bomb first"))?;
        process::kill(-leader, Signal::SIGKILL)?;
        let mut pids = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            match waitpid(Pid::from_raw(-leader), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => std::thread::sleep(Duration::from_millis(2)),
                Ok(s) => pids.extend(s.pid().map(Pid::as_raw)),
                Err(Errno::ECHILD) => break,
                Err(e) => return Err(e.into()),
            }
        }
        let reaped = pids.len();
        kernel::adopt_records(vec![
            SyscallRecord::ok("waitpid", &format!("-{leader}, &status, 0"), "…".into()).noted(
                detail!("{reaped} processes reaped", "프로세스 {reaped}개를 거둠"),
            ),
        ]);
        Ok(Outcome::Reaped { pids })
    }

    pub fn write_file(&mut self, dir: &Path, mb: u64) -> anyhow::Result<Outcome> {
        let took = workload::write_direct(dir, mb);
        let args = format!("{dir:?}, O_WRONLY|O_TMPFILE|O_DIRECT");
        let took = match took {
            Ok(t) => t,
            Err(e) => {
                let errno = kernel::errno_of(&e);
                kernel::adopt_records(vec![SyscallRecord::failed("open", &args, errno)]);
                anyhow::bail!("writing to {}: {e}", dir.display());
            }
        };
        let ms = took.as_millis();
        kernel::adopt_records(vec![
            SyscallRecord::ok("open", &args, "3".into()),
            SyscallRecord::ok("write", "3, buf, 1048576", "1048576".into())
                .noted(detail!("{mb} times in {ms} ms", "{mb}번, {ms} ms")),
        ]);
        Ok(Outcome::Timed {
            micros: took.as_micros() as u64,
        })
    }
}

/// Forks a child of the agent that names itself and runs `load`, then exits.
fn spawn(name: &str, load: impl FnOnce()) -> anyhow::Result<i32> {
    // Safe: the agent is single-threaded.
    match unsafe { process::fork()? } {
        ForkResult::Child => {
            workload::name_process(name);
            load();
            unsafe { libc::_exit(0) }
        }
        ForkResult::Parent { child } => Ok(child.as_raw()),
    }
}

/// waitpid(pid) for up to `limit` (then SIGKILL); returns its exit code, 128+signal if killed.
fn wait_at_most(pid: i32, limit: Duration) -> anyhow::Result<i32> {
    let deadline = Instant::now() + limit;
    loop {
        let waited = waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG))?;
        match waited {
            WaitStatus::StillAlive => {
                if Instant::now() > deadline {
                    let _ = process::kill(pid, Signal::SIGKILL);
                }
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            WaitStatus::Exited(..) | WaitStatus::Signaled(..) => {}
            _ => continue,
        }
        kernel::adopt_records(vec![SyscallRecord::ok(
            "waitpid",
            &format!("{pid}, &status, 0"),
            process::show_wait(&waited),
        )]);
        return Ok(process::exit_code(&waited));
    }
}
