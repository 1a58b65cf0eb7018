//! The box side: reads requests on stdin, performs them on this very process, answers on
//! stdout. Must stay single-threaded: unshare(CLONE_NEWUSER) refuses multi-threaded callers.
//! stderr is a log file, never the learner's terminal.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::unistd::ForkResult;

use super::protocol::{Action, Outcome, Reply, Request};
use crate::kernel::namespaces::Namespace;
use crate::kernel::{self, mounts, namespaces, process, root, uts};
use crate::probe::{self, View};

/// What the agent remembers between actions; the guards here keep every mount off the host.
struct Agent {
    rootfs: PathBuf,
    instance: String,
    own_mount_ns: bool,
    mounts_private: bool,
    chrooted: bool,
    orphan: Option<i32>,
}

/// Runs the agent until its socket closes. `rootfs` is where `chroot` goes; `instance` makes
/// the names it creates unique per boxlab run.
pub fn serve(rootfs: PathBuf, instance: String) -> anyhow::Result<()> {
    process::die_with_parent()?;
    // Re-executed through /proc/self/exe, the process would be called "exe": name it so both
    // panes can point at it (prctl(PR_SET_NAME)).
    let _ = nix::sys::prctl::set_name(c"boxlab-box");
    let mut agent = Agent {
        rootfs,
        instance,
        own_mount_ns: false,
        mounts_private: false,
        chrooted: false,
        orphan: None,
    };
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        line.clear();
        if stdin.lock().read_line(&mut line)? == 0 {
            return Ok(()); // boxlab closed the socket: the box ends
        }
        let request: Request = serde_json::from_str(&line)?;
        let _ = kernel::take_records();
        let reply = match request {
            Request::Probe => Reply {
                records: Vec::new(),
                outcome: Outcome::Nothing,
                view: Some(View::collect()),
                error: None,
            },
            Request::Perform(Action::Fork) => match agent.fork() {
                // The child is the box from now on; it answers the next request, not this one.
                Ok(ForkResult::Child) => continue,
                Ok(ForkResult::Parent { child }) => {
                    let outcome = Outcome::Forked {
                        child: child.as_raw(),
                    };
                    send(&Reply {
                        records: kernel::take_records(),
                        outcome,
                        view: None,
                        error: None,
                    })?;
                    // Like any parent, wait for the child, and leave with its status.
                    std::process::exit(process::wait_exit_code(child.as_raw()).unwrap_or(1));
                }
                Err(e) => agent.reply(Err(e)),
            },
            Request::Perform(action) => {
                let result = agent.act(action);
                agent.reply(result)
            }
        };
        send(&reply)?;
    }
}

fn send(reply: &Reply) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string(reply)?)?;
    out.flush()?;
    Ok(())
}

impl Agent {
    /// The reply to an action: its syscalls, and the view after it even when it failed.
    fn reply(&mut self, result: anyhow::Result<Outcome>) -> Reply {
        let records = kernel::take_records();
        let (outcome, error) = match result {
            Ok(outcome) => (outcome, None),
            Err(e) => (Outcome::Nothing, Some(format!("{e:#}"))),
        };
        Reply {
            records,
            outcome,
            view: Some(View::collect()),
            error,
        }
    }

    fn act(&mut self, action: Action) -> anyhow::Result<Outcome> {
        match action {
            Action::Spawn => anyhow::bail!("the box is already running"),
            Action::Unshare { ns } => {
                namespaces::unshare(&ns)?;
                if ns.contains(&Namespace::Mount) {
                    self.own_mount_ns = true;
                    self.mounts_private = false;
                }
                Ok(Outcome::Nothing)
            }
            Action::SetHostname { name } => {
                uts::set_hostname(&name)?;
                Ok(Outcome::Nothing)
            }
            Action::Chroot => {
                root::chroot(&self.rootfs)?;
                root::chdir(Path::new("/"))?;
                self.chrooted = true;
                Ok(Outcome::Nothing)
            }
            Action::Fork => {
                anyhow::bail!("fork is handled by the request loop: only the parent replies")
            }
            Action::MakeMountsPrivate => {
                anyhow::ensure!(
                    self.own_mount_ns,
                    "refusing to change mount propagation outside the box's own mount namespace: unshare mnt first"
                );
                mounts::make_root_private()?;
                self.mounts_private = true;
                Ok(Outcome::Nothing)
            }
            Action::MountProc => {
                anyhow::ensure!(
                    self.mounts_private,
                    "refusing to mount before the box's mounts are private: the mount could reach the host"
                );
                mounts::mount_proc("/proc")?;
                Ok(Outcome::Nothing)
            }
            Action::Run { argv } => Ok(Outcome::Output(process::run_captured(
                &argv,
                Duration::from_secs(5),
            ))),
            Action::ChrootEscape => self.chroot_escape(),
            Action::MakeOrphan => self.make_orphan(),
            Action::EndOrphan => {
                let pid = self.orphan.ok_or_else(|| {
                    anyhow::anyhow!("there is no orphan to end: make_orphan first")
                })?;
                process::kill(pid, Signal::SIGTERM)?;
                wait_for_state(pid, 'Z');
                Ok(Outcome::Orphan { pid })
            }
            Action::Reap => Ok(Outcome::Reaped {
                pids: process::reap_exited(),
            }),
        }
    }

    /// fork(2) for the `fork` action: in the child, which becomes the box, arrange to die with
    /// the parent.
    fn fork(&mut self) -> anyhow::Result<ForkResult> {
        // Safe: the agent is single-threaded.
        let forked = unsafe { process::fork()? };
        if let ForkResult::Child = forked {
            process::die_with_parent()?;
            let _ = kernel::take_records();
        }
        Ok(forked)
    }

    /// The escape runs in a child so the box itself stays inside its root. The child reports
    /// through a pipe: its syscall records and what `/` is once it is out.
    fn chroot_escape(&mut self) -> anyhow::Result<Outcome> {
        anyhow::ensure!(self.chrooted, "the box is not in a chroot: chroot first");
        let dir = PathBuf::from(format!("/.boxlab-escape-{}", self.instance));
        let (mut rx, tx) = std::io::pipe()?;
        match unsafe { process::fork()? } {
            ForkResult::Child => {
                drop(rx);
                let report = escape(&dir).map_err(|e| e.to_string());
                let msg =
                    serde_json::to_string(&(kernel::take_records(), report)).unwrap_or_default();
                let mut tx = tx;
                let _ = tx.write_all(msg.as_bytes());
                unsafe { libc::_exit(0) }
            }
            ForkResult::Parent { child } => {
                drop(tx);
                let mut msg = String::new();
                rx.read_to_string(&mut msg)?;
                let (child_records, report): (
                    Vec<kernel::SyscallRecord>,
                    Result<probe::RootInfo, String>,
                ) = serde_json::from_str(&msg)?;
                // Keep the order the calls happened in: our fork, the child's calls, our wait.
                let mut ordered = kernel::take_records();
                ordered.extend(child_records);
                kernel::adopt_records(ordered);
                process::wait_exit_code(child.as_raw())?;
                let _ = root::rmdir(&dir);
                let root = report.map_err(|e| anyhow::anyhow!(e))?;
                Ok(Outcome::Escaped {
                    root: root.id,
                    entries: root.entries,
                })
            }
        }
    }

    fn make_orphan(&mut self) -> anyhow::Result<Outcome> {
        anyhow::ensure!(
            process::getpid() == 1,
            "only PID 1 of a PID namespace adopts orphans here: fork into a new PID namespace first"
        );
        let (mut rx, tx) = std::io::pipe()?;
        match unsafe { process::fork()? } {
            ForkResult::Child => {
                drop(rx);
                let mut tx = tx;
                if let Ok(ForkResult::Parent { child }) = unsafe { process::fork() } {
                    let _ = tx.write_all(child.as_raw().to_string().as_bytes());
                    unsafe { libc::_exit(0) } // the parent leaves: its child is now an orphan
                }
                // The orphan: named so both panes can point at it, waiting to be ended.
                let _ = nix::sys::prctl::set_name(c"orphan");
                drop(tx);
                loop {
                    nix::unistd::pause();
                }
            }
            ForkResult::Parent { child } => {
                drop(tx);
                let mut pid = String::new();
                rx.read_to_string(&mut pid)?;
                process::wait_exit_code(child.as_raw())?;
                let pid: i32 = pid.trim().parse()?;
                self.orphan = Some(pid);
                Ok(Outcome::Orphan { pid })
            }
        }
    }
}

/// The classic chroot escape (chroot(2) NOTES): chroot into a subdirectory while the working
/// directory stays above it, walk up with chdir(".."), then chroot(".") at the real root.
fn escape(dir: &Path) -> Result<probe::RootInfo, String> {
    let walk_out = || -> Result<(), kernel::KernelError> {
        root::mkdir(dir)?;
        root::chroot(dir)?;
        for _ in 0..64 {
            root::chdir(Path::new(".."))?;
        }
        root::chroot(Path::new("."))
    };
    walk_out().map_err(|e| e.to_string())?;
    probe::root_info()
}

/// Waits up to half a second for a process to reach a state (signals are delivered async).
fn wait_for_state(pid: i32, state: char) {
    let deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < deadline {
        let now = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| probe::stat::parse(&s));
        if now.is_none_or(|s| s.state == state) {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
