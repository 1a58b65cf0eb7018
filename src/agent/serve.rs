//! The box side: reads requests on stdin, performs them on this very process, answers on
//! stdout. Must stay single-threaded: unshare(CLONE_NEWUSER) refuses multi-threaded callers.
//! stderr is a log file, never the learner's terminal.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::unistd::ForkResult;

use super::loads::Loads;
use super::protocol::{Action, Outcome, OverlayPaths, Reply, Request};
use crate::kernel::namespaces::Namespace;
use crate::kernel::{
    self, caps, files, ipc, mounts, namespaces, net, process, root, seccomp, users, uts,
};
use crate::lang::{Detail, detail};
use crate::probe::{self, View};
use std::net::Ipv4Addr;

/// What the agent remembers between actions; the guards here keep every mount off the host.
struct Agent {
    rootfs: PathBuf,
    instance: String,
    own_mount_ns: bool,
    mounts_private: bool,
    own_uts: bool,
    own_user: bool,
    own_ipc: bool,
    /// The host's end of the veth, once the box has an address on it.
    peer: Option<Ipv4Addr>,
    rooted: bool,
    /// The box's root is an overlay of image layers: only then may it write and delete files.
    overlay_root: bool,
    orphan: Option<i32>,
    loads: Loads,
}

/// Runs the agent until its socket closes. `rootfs` is where `chroot` goes; `instance` makes
/// the names it creates unique per boxlab run. boxlab started it set to die with boxlab
/// (process::dies_with_spawner).
pub fn serve(rootfs: PathBuf, instance: String) -> anyhow::Result<()> {
    // It talks to boxlab over stdin and stdout; nothing else it was started with (a shell's
    // open files) may follow it into the box.
    process::close_fds_except(&[]);
    // Re-executed through /proc/self/exe, the process would be called "exe": name it so both
    // panes can point at it (prctl(PR_SET_NAME)).
    let _ = nix::sys::prctl::set_name(c"boxlab-box");
    let mut agent = Agent {
        rootfs,
        instance,
        own_mount_ns: false,
        mounts_private: false,
        own_uts: false,
        own_user: false,
        own_ipc: false,
        peer: None,
        rooted: false,
        overlay_root: false,
        orphan: None,
        loads: Loads::default(),
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
            Request::Look { paths } => Reply {
                records: Vec::new(),
                outcome: Outcome::Looked {
                    seen: paths
                        .into_iter()
                        .map(|p| {
                            let stat = files::peek(Path::new(&p));
                            (p, stat)
                        })
                        .collect(),
                },
                view: None,
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
                self.own_uts |= ns.contains(&Namespace::Uts);
                self.own_user |= ns.contains(&Namespace::User);
                self.own_ipc |= ns.contains(&Namespace::Ipc);
                if ns.contains(&Namespace::Mount) {
                    self.own_mount_ns = true;
                    self.mounts_private = false;
                }
                Ok(Outcome::Nothing)
            }
            Action::SetHostname { name } => {
                // In the host's UTS namespace this would rename the machine. It is allowed only
                // from the box's own user namespace, where the kernel itself refuses (EPERM).
                anyhow::ensure!(
                    self.own_uts || self.own_user,
                    "refusing to set the hostname outside the box's own UTS namespace: it would rename the host"
                );
                uts::set_hostname(&name)?;
                Ok(Outcome::Nothing)
            }
            Action::Chroot => {
                root::chroot(&self.rootfs)?;
                root::chdir(Path::new("/"))?;
                self.rooted = true;
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
            Action::MountTmpfs { at } => {
                anyhow::ensure!(
                    self.mounts_private,
                    "refusing to mount before the box's mounts are private: the mount could reach the host"
                );
                mounts::mount_tmpfs(&at)?;
                Ok(Outcome::Nothing)
            }
            Action::PropagationLeak => self.propagation_leak(),
            Action::PivotRoot => self.pivot_root(),
            Action::CreateIpc { kind, key } => {
                ipc::create(
                    kind,
                    key.ok_or_else(|| anyhow::anyhow!("no key: boxlab fills it in"))?,
                )?;
                Ok(Outcome::Nothing)
            }
            Action::RemoveIpc { kind, key } => {
                ipc::remove(
                    kind,
                    key.ok_or_else(|| anyhow::anyhow!("no key: boxlab fills it in"))?,
                )?;
                Ok(Outcome::Nothing)
            }
            Action::CreateMq { name } => {
                // In the host's IPC namespace the queue would outlive the box: refused.
                anyhow::ensure!(
                    self.own_ipc,
                    "refusing to create a message queue outside the box's own IPC namespace: unshare ipc first"
                );
                ipc::mq_create(
                    &name.ok_or_else(|| anyhow::anyhow!("no name: boxlab fills it in"))?,
                )?;
                Ok(Outcome::Nothing)
            }
            Action::LookForMq { name } => {
                let found = ipc::mq_exists(
                    &name.ok_or_else(|| anyhow::anyhow!("no name: boxlab fills it in"))?,
                )?;
                Ok(Outcome::MqFound { found })
            }
            Action::LinkUp { name } => {
                net::set_up(&name)?;
                Ok(Outcome::Nothing)
            }
            Action::AddressLink { name, addr, prefix } => {
                net::add_ipv4(&name, addr, prefix)?;
                net::set_up(&name)?;
                self.peer = Some(peer_of(addr));
                Ok(Outcome::Nothing)
            }
            Action::Ping { to } => {
                let to = match to.as_str() {
                    "host" => self.peer.ok_or_else(|| {
                        anyhow::anyhow!("the box has no link to the host yet: veth first")
                    })?,
                    other => other.parse()?,
                };
                let result = net::ping(to, Duration::from_secs(1))
                    .map(|rtt| rtt.as_micros() as u64)
                    .map_err(|e| e.to_string());
                Ok(Outcome::Pinged { to, result })
            }
            Action::ServeHttp { port } => self.serve_http(port),
            Action::Veth
            | Action::HostPing
            | Action::Publish { .. }
            | Action::HostFetch
            | Action::HostCreateIpc { .. }
            | Action::HostLookForMq
            | Action::MakeCgroup
            | Action::MoveToCgroup
            | Action::ShowCgroupLayout
            | Action::Limit { .. }
            | Action::HostMemoryHog { .. }
            | Action::HostBusy { .. }
            | Action::MeasureCpu { .. }
            | Action::Compete { .. }
            | Action::CompareWork { .. }
            | Action::HostSpawn
            | Action::HostWriteFile { .. }
            | Action::MakeImage
            | Action::HostWriteVolume { .. }
            | Action::SecondBox { .. }
            | Action::ExportOciBundle { .. }
            | Action::RuntimeRun
            | Action::DockerCommand
            | Action::TermBox
            | Action::StopContainer { .. } => {
                anyhow::bail!("this action is done by boxlab on the host side, not by the box")
            }
            Action::BecomeRoot => {
                users::become_root()?;
                Ok(Outcome::Nothing)
            }
            Action::Attempt { what } => {
                let error = self.act(*what).err().map(|e| {
                    let en = format!("{e:#}");
                    let ko = e
                        .downcast_ref::<kernel::KernelError>()
                        .map(kernel::KernelError::in_korean);
                    Detail {
                        ko: ko.unwrap_or_else(|| en.clone()),
                        en,
                    }
                });
                Ok(Outcome::Attempted { error })
            }
            Action::MapRoot => {
                anyhow::bail!("map_root is done by boxlab on the host side, not by the box")
            }
            Action::SetTimeOffsets { seconds } => {
                namespaces::set_time_offsets(seconds)?;
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
                // The zombie lasts only until the reap that follows: say so by the kill.
                let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|s| probe::stat::parse(&s))
                    .map(|s| s.state);
                if state == Some('Z') {
                    let mut records = kernel::take_records();
                    if let Some(kill) = records.pop() {
                        records.push(kill.noted(detail!(
                            "PID {pid} ended: now a zombie (state Z in /proc/{pid}/stat) until PID 1 waits for it",
                            "PID {pid} 종료: PID 1이 기다려 줄 때까지 좀비(/proc/{pid}/stat의 상태 Z)"
                        )));
                    }
                    kernel::adopt_records(records);
                }
                Ok(Outcome::Orphan { pid })
            }
            Action::Reap => Ok(Outcome::Reaped {
                pids: process::reap_exited(),
            }),
            Action::MemoryHog { mb } => self.loads.memory_hog(mb),
            Action::WaitHog => self.loads.wait_hog(),
            Action::Busy { seconds } => self.loads.busy(seconds),
            Action::StopBusy => self.loads.stop_busy(),
            Action::Work { rounds, cpu } => self.loads.work(rounds, cpu),
            Action::ForkBomb => self.loads.fork_bomb(),
            Action::EndForkBomb => self.loads.end_fork_bomb(),
            Action::OverlayRoot { layers, volume } => {
                let layers =
                    layers.ok_or_else(|| anyhow::anyhow!("no layers: make_image first"))?;
                self.overlay_root(&layers, volume.as_deref())
            }
            Action::WriteText { path, text, append } => {
                self.ensure_overlay_root()?;
                files::write_text(Path::new(&path), &text, append)?;
                Ok(Outcome::Nothing)
            }
            Action::RemoveFile { path } => {
                self.ensure_overlay_root()?;
                files::unlink(Path::new(&path))?;
                Ok(Outcome::Nothing)
            }
            Action::StatFile { path } => {
                let stat = files::stat(Path::new(&path))?;
                Ok(Outcome::Stat { path, stat })
            }
            Action::NestedOverlay => self.nested_overlay(),
            Action::DropCapabilities => {
                let keep: Vec<u32> = caps::DOCKER_DEFAULT.iter().map(|(n, _)| *n).collect();
                caps::drop_bounding_except(&keep)?;
                caps::set_all(&keep)?;
                Ok(Outcome::Nothing)
            }
            Action::DropCapability { cap } => {
                caps::drop_one(cap)?;
                Ok(Outcome::Nothing)
            }
            Action::NotDumpable => {
                process::not_dumpable()?;
                Ok(Outcome::Nothing)
            }
            Action::RawSocket => {
                net::open_raw_socket()?;
                Ok(Outcome::Nothing)
            }
            Action::NoNewPrivs => {
                caps::no_new_privs()?;
                Ok(Outcome::Nothing)
            }
            Action::Seccomp => {
                seccomp::install()?;
                Ok(Outcome::Nothing)
            }
            Action::LoadModule => {
                caps::load_no_module()?;
                Ok(Outcome::Nothing)
            }
            Action::WriteFile { mb, dir } => {
                let dir = dir.ok_or_else(|| anyhow::anyhow!("no scratch directory was given"))?;
                self.loads.write_file(Path::new(&dir), mb)
            }
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

    /// The escape runs in a child so the box itself stays inside its root.
    fn chroot_escape(&mut self) -> anyhow::Result<Outcome> {
        anyhow::ensure!(
            self.rooted,
            "the box has no root of its own yet: chroot or pivot_root first"
        );
        let dir = PathBuf::from(format!("/.boxlab-escape-{}", self.instance));
        let report = in_child(|| escape(&dir));
        let _ = root::rmdir(&dir);
        let root = report?;
        Ok(Outcome::Escaped {
            root: root.id,
            entries: root.entries,
        })
    }

    fn make_orphan(&mut self) -> anyhow::Result<Outcome> {
        anyhow::ensure!(
            process::getpid() == 1,
            "only PID 1 of a PID namespace adopts orphans here: fork into a new PID namespace first"
        );
        // A child forks the orphan-to-be and exits at once, leaving it without a parent.
        let pid = in_child(|| match unsafe { process::fork() } {
            Ok(ForkResult::Parent { child }) => {
                // The trace would show two forks as if PID 1 made both: say who made this one.
                let (me, orphan) = (std::process::id(), child.as_raw());
                let mut records = kernel::take_records();
                if let Some(fork) = records.pop() {
                    records.push(fork.noted(detail!(
                        "made by PID {me}, which exits now: PID {orphan} is an orphan",
                        "부른 쪽은 PID {me}, 곧 종료 → PID {orphan}: 고아"
                    )));
                }
                kernel::adopt_records(records);
                Ok(orphan)
            }
            Ok(ForkResult::Child) => {
                // The orphan: named so both panes can point at it, waiting to be ended.
                let _ = nix::sys::prctl::set_name(c"orphan");
                loop {
                    nix::unistd::pause();
                }
            }
            Err(e) => Err(e.to_string()),
        })?;
        self.orphan = Some(pid);
        Ok(Outcome::Orphan { pid })
    }

    /// "Break it", safely: the box's own shared /mnt plays the host. A child copies the mount
    /// table without making its copy private and mounts under /mnt: the mount propagates back.
    fn propagation_leak(&mut self) -> anyhow::Result<Outcome> {
        anyhow::ensure!(
            self.mounts_private,
            "refusing: the box's mounts must be private from the host first"
        );
        mounts::make_shared("/mnt")?;
        in_child(|| {
            namespaces::unshare(&[Namespace::Mount]).map_err(|e| e.to_string())?;
            root::mkdir(Path::new("/mnt/leak")).map_err(|e| e.to_string())?;
            mounts::mount_tmpfs("/mnt/leak").map_err(|e| e.to_string())
        })?;
        Ok(Outcome::Nothing)
    }

    /// A child of the box that serves HTTP on 0.0.0.0:PORT until the box ends. It reports
    /// whether bind(2) worked before the box answers, then stays: it is the box's service.
    fn serve_http(&mut self, port: u16) -> anyhow::Result<Outcome> {
        let (rx, mut tx) = std::io::pipe()?;
        match unsafe { process::fork()? } {
            ForkResult::Child => {
                drop(rx);
                let _ = kernel::take_records();
                let _ = process::die_with_parent();
                let _ = nix::sys::prctl::set_name(c"httpd");
                let listener = std::net::TcpListener::bind(("0.0.0.0", port));
                let bound = listener.as_ref().map(|_| ()).map_err(|e| e.to_string());
                let args = format!("0.0.0.0:{port}");
                let record = match &listener {
                    Ok(_) => kernel::SyscallRecord::ok("bind+listen", &args, "0".into()),
                    Err(e) => {
                        kernel::SyscallRecord::failed("bind+listen", &args, kernel::errno_of(e))
                    }
                };
                let _ = writeln!(
                    tx,
                    "{}",
                    serde_json::to_string(&(vec![record], bound)).unwrap_or_default()
                );
                drop(tx);
                if let Ok(listener) = listener {
                    for stream in listener.incoming().flatten() {
                        answer_http(stream);
                    }
                }
                unsafe { libc::_exit(0) }
            }
            ForkResult::Parent { child } => {
                drop(tx);
                let mut line = String::new();
                std::io::BufReader::new(rx).read_line(&mut line)?;
                let (records, bound): (Vec<kernel::SyscallRecord>, Result<(), String>) =
                    serde_json::from_str(&line)?;
                kernel::adopt_records(records);
                bound.map_err(|e| anyhow::anyhow!(e))?;
                // What the server inherited: the full container's lesson checks it holds the
                // box's walls (a child keeps its parent's cgroups, capability sets,
                // no_new_privs and seccomp filter: fork(2), seccomp(2)).
                let pid = child.as_raw().to_string();
                Ok(Outcome::Served {
                    pid: child.as_raw(),
                    creds: probe::creds_of(&pid),
                    cgroups: probe::cgroups_of(&pid),
                })
            }
        }
    }

    /// Writing or deleting a file is the layers lesson's, on the box's own overlay: anywhere
    /// else the file would be the host's.
    fn ensure_overlay_root(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.overlay_root,
            "refusing to change files outside the box's overlay root: they would be the host's files"
        );
        Ok(())
    }

    /// The image's layers merged by overlayfs, in the box's private mount namespace, with the
    /// volume bound into it, then made the box's root the way `pivot_root` does (the overlay
    /// is a mount point already).
    fn overlay_root(
        &mut self,
        layers: &OverlayPaths,
        volume: Option<&str>,
    ) -> anyhow::Result<Outcome> {
        anyhow::ensure!(
            self.own_mount_ns && self.mounts_private,
            "refusing to mount before the box's mounts are private: the mount could reach the host"
        );
        let lower: Vec<&str> = layers.lower.iter().map(String::as_str).collect();
        root::chdir(Path::new(&layers.dir))?;
        mounts::mount_overlay(&lower, &layers.upper, &layers.work, &layers.merged)?;
        if let Some(at) = volume {
            bind_volume(layers, at)?;
        }
        root::chdir(Path::new(&layers.merged))?;
        mounts::pivot_root(".", ".")?;
        mounts::detach(".")?;
        root::chdir(Path::new("/"))?;
        self.rooted = true;
        self.overlay_root = true;
        Ok(Outcome::Nothing)
    }

    /// Overlay on overlay: an upper directory (/tmp) inside the box's own overlay root. The kernel
    /// refuses it (EINVAL); if this kernel ever allowed it, the mount stays in the box's
    /// namespace and ends with it.
    fn nested_overlay(&mut self) -> anyhow::Result<Outcome> {
        self.ensure_overlay_root()?;
        anyhow::ensure!(
            self.mounts_private,
            "refusing to mount before the box's mounts are private"
        );
        // Directories every root filesystem here has, all on the box's overlay: over /app, which
        // every image of this lesson has, with the base's /etc as the lower layer.
        mounts::mount_overlay(&["/etc"], "/tmp", "/root", "/app")?;
        Ok(Outcome::Nothing)
    }

    /// pivot_root(2) onto the root filesystem: bind it onto itself (the new root must be a mount
    /// point), enter it, pivot with both arguments ".", and detach the old root, which leaves
    /// the box's mount namespace for good (unlike chroot, which only moves one process).
    fn pivot_root(&mut self) -> anyhow::Result<Outcome> {
        anyhow::ensure!(
            self.mounts_private,
            "refusing to pivot_root before the box's mounts are private"
        );
        let new_root = self.rootfs.to_string_lossy().into_owned();
        mounts::bind_onto_itself(&new_root)?;
        root::chdir(&self.rootfs)?;
        mounts::pivot_root(".", ".")?;
        mounts::detach(".")?;
        root::chdir(Path::new("/"))?;
        self.rooted = true;
        Ok(Outcome::Nothing)
    }
}

/// The volume's host directory bound onto `at` in the merged tree (made there, in the box's
/// upper layer, if the image lacks it). The box's mounts are private, so the bind stays in its
/// mount namespace: the host's mount table never shows it.
fn bind_volume(layers: &OverlayPaths, at: &str) -> anyhow::Result<()> {
    let host = layers
        .volume
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("the volume has no host directory: boxlab fills it in"))?;
    anyhow::ensure!(
        at.starts_with('/') && !at.split('/').any(|c| c == ".."),
        "the volume's place in the box must be an absolute path without `..`, not `{at}`"
    );
    let target = format!("{}{at}", layers.merged);
    if files::peek(Path::new(&target)).is_none() {
        root::mkdir(Path::new(&target))?;
    }
    mounts::bind(host, &target, false)?;
    Ok(())
}

/// The other usable address of a /30: .1 and .2 face each other.
fn peer_of(addr: Ipv4Addr) -> Ipv4Addr {
    let [a, b, c, d] = addr.octets();
    Ipv4Addr::new(a, b, c, if d % 4 == 1 { d + 1 } else { d - 1 })
}

/// Runs `f` in a forked child of the box and returns its result, with the child's syscall
/// records added to the box's, in the order they happened. The child reports one JSON line
/// through a pipe and exits; anything it leaves running (the orphan) is the lesson's business.
fn in_child<T: serde::Serialize + serde::de::DeserializeOwned>(
    f: impl FnOnce() -> Result<T, String>,
) -> anyhow::Result<T> {
    let (rx, mut tx) = std::io::pipe()?;
    match unsafe { process::fork()? } {
        ForkResult::Child => {
            drop(rx);
            let _ = kernel::take_records(); // the parent already has everything up to the fork
            let result = f();
            let msg = serde_json::to_string(&(kernel::take_records(), result)).unwrap_or_default();
            let _ = writeln!(tx, "{msg}");
            unsafe { libc::_exit(0) }
        }
        ForkResult::Parent { child } => {
            drop(tx);
            let mut line = String::new();
            std::io::BufReader::new(rx).read_line(&mut line)?;
            let (child_records, result): (Vec<kernel::SyscallRecord>, Result<T, String>) =
                serde_json::from_str(&line)?;
            let mut ordered = kernel::take_records();
            ordered.extend(child_records);
            kernel::adopt_records(ordered);
            process::wait_exit_code(child.as_raw())?;
            result.map_err(|e| anyhow::anyhow!(e))
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
    probe::root_info().map_err(|e| e.en)
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

/// Reads one request (or gives up after a second) and answers it.
fn answer_http(mut stream: std::net::TcpStream) {
    use std::io::Read;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buf = [0u8; 2048];
    let _ = stream.read(&mut buf);
    let body = "hello from the box\n";
    let reply = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}
