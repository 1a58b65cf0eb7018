//! PID 1 of a `boxlab run` container: builds the container around itself, starts the command
//! and stays as its init. Runs in the child boxlab forked; never returns.

use std::io::{BufRead, PipeReader};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use super::{FAILED, FORWARDED, Spec, trace};
use crate::kernel::cgroups::BoxCgroup;
use crate::kernel::namespaces::{self, Namespace};
use crate::kernel::{self, KernelError, caps, mounts, net, process, root, seccomp, uts};

/// The device nodes a container gets, bound from the host's /dev.
const DEVICES: [&str; 6] = ["null", "zero", "full", "random", "urandom", "tty"];

/// The command's PATH, as Docker sets it.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Symbolic links in the container's /dev: (name, target).
const DEV_LINKS: [(&str, &str); 5] = [
    ("ptmx", "pts/ptmx"),
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
];

/// `boxlab` is the host pid of boxlab, which holds the box's network namespace open and names
/// its descriptor on `go`.
pub fn start(
    spec: &Spec,
    base: &Path,
    cgroup: Option<&BoxCgroup>,
    boxlab: u32,
    go: PipeReader,
    console: Option<UnixStream>,
) -> ! {
    let _ = kernel::take_records();
    let _ = process::die_with_parent();
    // Only what PID 1 uses stays open: nothing of the host's reaches the container.
    let mut keep = vec![go.as_raw_fd()];
    keep.extend(console.as_ref().map(|c| c.as_raw_fd()));
    process::close_fds_except(&keep);
    crate::workload::name_process("boxlab-init");
    // Into the v1 cgroups first, before anything is charged or counted elsewhere.
    if let Some(Err(e)) = cgroup.map(BoxCgroup::join_v1) {
        fail(spec, &e.to_string());
    }
    // The network namespace comes from boxlab, made meanwhile.
    let prepared = namespaces::unshare(&[Namespace::Mount, Namespace::Uts, Namespace::Ipc]);
    if let Err(e) = prepared.and_then(|()| build_root(spec, base)) {
        fail(spec, &e.to_string());
    }
    // Go: boxlab has made the network namespace (and a veth into it), and moved us into a v2
    // cgroup clone3 could not start us in.
    let mut line = String::new();
    if std::io::BufReader::new(go).read_line(&mut line).ok() == Some(0) {
        fail(spec, "boxlab went away before the container was ready");
    }
    // With --trace, printed now, after boxlab's side (the clone, the network namespace, a
    // veth), so that the two never interleave.
    trace(spec, false);
    let mut words = line.split_whitespace().skip(1);
    let netns = words.next().unwrap_or_default();
    let veth = match (words.next(), words.next().and_then(|a| a.parse().ok())) {
        (Some(name), Some(addr)) => Some((name.to_string(), addr)),
        _ => None,
    };
    let joined = namespaces::open_ns_file(&format!("/proc/{boxlab}/fd/{netns}"))
        .and_then(|fd| namespaces::setns(fd, Namespace::Net));
    if let Err(e) = joined
        .and_then(|()| veth_end(veth))
        .and_then(|()| seal(spec, base, cgroup))
    {
        fail(spec, &e.to_string());
    }
    // -t: a terminal from the container's own devpts, its master side to boxlab.
    let tty = console.map(|c| {
        super::tty::open_inside(&c)
            .unwrap_or_else(|e| fail(spec, &format!("the command's terminal: {e}")))
    });
    // The command runs with PID 1's capabilities: without this it could open what PID 1 holds
    // through /proc/1/fd (so runc's init does too, since CVE-2016-9962). Before the command
    // starts, or it may read /proc/1/fd first (it did, in 5 of 80 runs in the cgroup v2 VM);
    // its own execve(2) makes it dumpable again.
    let _ = process::not_dumpable();
    let started = command(spec, tty);
    trace(spec, false);
    match started {
        Ok(pid) => std::process::exit(init_loop(pid)),
        Err(e) => {
            let cmd = &spec.argv[0];
            // Said of the container, since the learner may look for it on the host.
            let not_found = e.kind() == std::io::ErrorKind::NotFound;
            // execve(2) says ENOENT also when the file is there but the interpreter its #! line
            // or its ELF header names is not.
            let there = process::find_program(cmd, PATH).is_ok_and(|p| p.exists());
            let why = match e.raw_os_error() {
                _ if not_found && there => "its interpreter (the program its #! line names, \
                    or the ELF loader it needs) is not in the container"
                    .to_string(),
                _ if not_found && !cmd.contains('/') => {
                    format!("not found on the container's PATH ({PATH})")
                }
                _ if not_found => "no such file in the container".to_string(),
                Some(libc::EACCES) => {
                    "not executable (a directory, or a file without the x bit)".to_string()
                }
                _ => e.to_string(),
            };
            eprintln!("boxlab run: {cmd}: {why}");
            // As a shell says it: 127 not found, 126 found but not runnable.
            std::process::exit(if not_found { 127 } else { 126 })
        }
    }
}

/// The box's end of its veth, when it has one: a /30 shared with the host's end only; no route
/// outward. (boxlab brought the loopback up when it made the namespace.)
fn veth_end(veth: Option<(String, std::net::Ipv4Addr)>) -> Result<(), KernelError> {
    if let Some((name, addr)) = veth {
        net::add_ipv4(&name, addr, 30)?;
        net::set_up(&name)?;
    }
    Ok(())
}

/// The container's root, in the order a runtime builds it, up to what needs the network
/// namespace; the overlay's upper, work and merged directories are made in `base` (this run's
/// ledger directory, removed with it, also after a crash).
fn build_root(spec: &Spec, base: &Path) -> Result<(), KernelError> {
    let (upper, work, merged_dir) = (base.join("upper"), base.join("work"), base.join("merged"));
    // No terminal job control reaches in: boxlab passes signals on.
    let _ = nix::unistd::setsid();
    mounts::make_root_private()?;
    let path = |p: &Path| p.to_string_lossy().into_owned();
    // The writable layer: with root, a tmpfs over the run's directory in this mount namespace
    // only, so the host's disk sees no upper or work directory made or removed. Rootless, on
    // disk: overlay in a user namespace keeps its whiteouts in user xattrs, which tmpfs has
    // only since Linux 6.6.
    if !spec.rootless {
        mounts::mount_layer_tmpfs(&path(base))?;
    }
    for d in [&upper, &work, &merged_dir] {
        make_dir(&path(d))?;
    }
    let lower: Vec<String> = spec.layers.iter().map(|l| path(l)).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let merged = path(&merged_dir);
    let more = if spec.rootless { ",userxattr" } else { "" };
    mounts::mount_overlay_with(&lower, &path(&upper), &path(&work), &merged, more).inspect_err(
        |_| {
            // Overlay on overlay: the upper layer cannot live on an overlayfs (boxlab inside a
            // Docker container); `boxlab doctor` says so too.
            let on_overlay = nix::sys::statfs::statfs(&upper)
                .is_ok_and(|s| s.filesystem_type() == nix::sys::statfs::OVERLAYFS_SUPER_MAGIC);
            if on_overlay {
                eprintln!(
                    "boxlab run: {} is on overlayfs, which cannot hold another overlay's upper layer (is boxlab inside a container?)",
                    upper.display()
                );
            }
        },
    )?;
    for v in &spec.volumes {
        let target = format!("{merged}{}", v.target);
        // A file is bound onto a file, a directory onto a directory.
        if v.host.is_dir() {
            make_dir(&target)?;
        } else {
            make_dir(&path(Path::new(&target).parent().unwrap_or(Path::new("/"))))?;
            let _ = std::fs::File::create(&target);
        }
        mounts::bind(&path(&v.host), &target, v.readonly)?;
    }
    for d in ["proc", "dev", "sys"] {
        make_dir(&format!("{merged}/{d}"))?;
    }
    mounts::mount_proc(&format!("{merged}/proc"))?;
    mounts::mount_dev(&format!("{merged}/dev"))?;
    for dev in DEVICES {
        let target = format!("{merged}/dev/{dev}");
        // A bind mount needs something to cover: an empty file.
        let _ = std::fs::File::create(&target);
        mounts::bind(&format!("/dev/{dev}"), &target, false)?;
    }
    // Terminals from a devpts instance of the container's own (not the host's ptys), shared
    // memory, and the links programs expect, as Docker's /dev has them.
    for d in ["pts", "shm"] {
        make_dir(&format!("{merged}/dev/{d}"))?;
    }
    mounts::mount_devpts(&format!("{merged}/dev/pts"))?;
    mounts::mount_shm(&format!("{merged}/dev/shm"))?;
    for (link, to) in DEV_LINKS {
        let _ = std::os::unix::fs::symlink(to, format!("{merged}/dev/{link}"));
    }
    Ok(())
}

/// The rest, once boxlab has let PID 1 go: a cgroup namespace, a read-only /sys (whose
/// /sys/class/net shows the network namespace of whoever mounts it) with the box's cgroups
/// read-only at /sys/fs/cgroup, the hostname, pivot_root into `base/merged`, and the walls:
/// capabilities, no_new_privs, seccomp.
fn seal(spec: &Spec, base: &Path, cgroup: Option<&BoxCgroup>) -> Result<(), KernelError> {
    let merged_dir = base.join("merged");
    // Its own cgroup as the root of what it sees: it is in it by now, even where boxlab had to
    // move it (a v2 cgroup clone3 could not start it in).
    namespaces::unshare(&[Namespace::Cgroup])?;
    mounts::mount_sysfs_readonly(&format!("{}/sys", merged_dir.display()))?;
    if let Some(cgroup) = cgroup {
        mount_cgroups(&format!("{}/sys/fs/cgroup", merged_dir.display()), cgroup)?;
    }
    uts::set_hostname(&spec.hostname)?;
    root::chdir(&merged_dir)?;
    mounts::pivot_root(".", ".")?;
    mounts::detach(".")?;
    root::chdir(Path::new("/"))?;
    let keep = spec.capabilities();
    caps::drop_bounding_except(&keep)?;
    // PID 1 itself keeps no more than the command will.
    caps::set_all(&keep)?;
    caps::no_new_privs()?;
    seccomp::install()
}

/// The box's cgroup at `target`, read-only, so that the command can read its own limits and
/// usage, as in Docker: cgroup2, whose root in the cgroup namespace is the box's cgroup. Only
/// where every controller the box uses is on v2: v1 would take a tmpfs and a mount per
/// hierarchy, which made the whole start 0.37 ms slower on the v1 machine bench/ ran on.
fn mount_cgroups(target: &str, cgroup: &BoxCgroup) -> Result<(), KernelError> {
    if cgroup.only_v2() {
        mounts::mount_cgroup_readonly(target)?;
    }
    Ok(())
}

fn make_dir(path: &str) -> Result<(), KernelError> {
    std::fs::create_dir_all(path).map_err(|e| KernelError {
        call: "mkdir",
        args: format!("{path:?}"),
        errno: kernel::errno_of(&e),
    })
}

/// Starts the command (posix_spawn, see [`process::spawn`]): a small environment, stdin from
/// /dev/null unless `-i`, with `-t` the terminal on all three streams as its controlling
/// terminal. PID 1 keeps no copy of the terminal: when the command and its children are gone,
/// the pty closes and boxlab's relay ends.
fn command(spec: &Spec, tty: Option<OwnedFd>) -> std::io::Result<i32> {
    let mut env = vec![
        ("PATH", PATH.to_string()),
        ("HOSTNAME", spec.hostname.clone()),
        ("HOME", "/root".to_string()),
    ];
    // As `docker run -t` sets it, for programs that draw on the terminal.
    if spec.tty {
        env.push(("TERM", "xterm".to_string()));
    }
    let tty_path = match &tty {
        Some(slave) => Some(nix::unistd::ttyname(slave)?),
        None => None,
    };
    let streams = match (&tty, &tty_path) {
        (Some(slave), Some(path)) => process::Streams::Terminal(path, slave.as_raw_fd()),
        _ if spec.interactive => process::Streams::Inherit,
        _ => process::Streams::NullStdin,
    };
    process::spawn(&spec.argv, &env, streams)
}

/// PID 1's duty: pass signals on to the command, reap every child (orphans included), and
/// leave with the command's status when it ends (which ends the whole PID namespace).
///
/// The kernel drops a signal sent to a namespace's init for which it has no handler, so each
/// forwarded signal gets an empty one; they stay blocked and are taken with sigwait(3).
fn init_loop(command: i32) -> i32 {
    extern "C" fn noop(_: libc::c_int) {}
    let mut waited = SigSet::empty();
    waited.add(Signal::SIGCHLD);
    for s in FORWARDED {
        waited.add(s);
        let _ = unsafe {
            sigaction(
                s,
                &SigAction::new(SigHandler::Handler(noop), SaFlags::empty(), SigSet::empty()),
            )
        };
    }
    loop {
        loop {
            match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(ended @ (WaitStatus::Exited(pid, _) | WaitStatus::Signaled(pid, _, _)))
                    if pid.as_raw() == command =>
                {
                    return process::exit_code(&ended);
                }
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(_) => {}
            }
        }
        if let Ok(sig) = waited.wait()
            && sig != Signal::SIGCHLD
        {
            let _ = nix::sys::signal::kill(Pid::from_raw(command), sig);
        }
    }
}

fn fail(spec: &Spec, why: &str) -> ! {
    trace(spec, false);
    eprintln!("boxlab run: {why}");
    std::process::exit(FAILED)
}
