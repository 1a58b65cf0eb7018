//! `boxlab run`: the full container without the TUI, made with the same kernel wrappers the
//! lessons use.
//!
//! Two processes do the work. boxlab itself (the parent, on the host side) checks the request,
//! makes the cgroup and clones the child into a new PID namespace (and straight into a v2
//! cgroup). The child is PID 1 of that namespace ([`init`]): it joins its v1 cgroups itself,
//! unshares the mount, UTS and IPC namespaces and builds the root (a tmpfs for the writable
//! layer, overlay, volumes, /proc, /dev). Meanwhile a thread of the parent makes the network
//! namespace, and the parent a veth into it if ports are published, then lets PID 1 go: PID 1
//! joins that namespace, makes its cgroup namespace, mounts a read-only /sys (and on cgroup v2
//! its cgroup at /sys/fs/cgroup), pivots into the root, drops capabilities to Docker's default
//! set, sets no_new_privs and seccomp, starts the command and stays as its init: forwarding
//! signals, reaping orphans, leaving with the command's status.
//!
//! Starting fast matters here as in any runtime (see bench/): with root, nothing is written to
//! the host's disk but the run's ledger, and no process is moved between cgroups by its pid.
//!
//! Exit status, as `docker run`: the command's, 128+signal if it was killed (137 for SIGKILL,
//! which is what the OOM killer sends), 125 when boxlab itself failed.

mod init;
pub mod oci;
pub mod spec;
mod tty;

use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use anyhow::Context;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid};

use crate::kernel::cgroups::delegated::{self, Delegated};
use crate::kernel::cgroups::{BoxCgroup, Controller, Layout, Limit};
use crate::kernel::namespaces::{self, Namespace};
use crate::kernel::net::Netns;
use crate::kernel::{self, KernelError, process};
use crate::lang::Lang;
use crate::ledger::Ledger;
use crate::lesson::network::BoxLink;
use crate::lesson::publish::Proxy;
pub use spec::Spec;

/// boxlab's own failure, as Docker reports it.
pub const FAILED: i32 = 125;

/// The signals the parent and PID 1 pass on to the command rather than act on.
const FORWARDED: [Signal; 6] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

/// Runs the container to its end; returns the exit status to leave with.
pub fn run(spec: &Spec, ledger: &Ledger) -> anyhow::Result<i32> {
    spec.check()?;
    // Made before any user namespace: with --rootless, by the caller in its delegated cgroup.
    let (cgroup, delegated) = limits(spec, ledger)?;
    if spec.rootless {
        enter_user_namespace(spec, delegated)?;
    }
    // With -t, the socket over which PID 1 hands over its terminal's master side.
    let console = if spec.tty {
        tty::check()?;
        Some(UnixStream::pair()?)
    } else {
        None
    };
    let (go_rx, go_tx) = std::io::pipe()?;
    // Blocked here and in the child until each waits for them: none can slip by in between.
    let mut waited = SigSet::empty();
    for s in FORWARDED
        .iter()
        .chain([&Signal::SIGCHLD, &Signal::SIGWINCH])
    {
        waited.add(*s);
    }
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&waited), None)?;
    // The v2 cgroup, if any, for clone3 to start PID 1 in.
    let v2_cgroup = match cgroup.as_ref().and_then(BoxCgroup::v2_dir) {
        Some(dir) => Some(std::fs::File::open(dir)?),
        None => None,
    };
    let boxlab = std::process::id();
    // Safe: `boxlab run` has not started a thread.
    let (forked, in_v2) = unsafe { process::fork_pid1(v2_cgroup.as_ref().map(|f| f.as_fd()))? };
    let pid = match forked {
        ForkResult::Child => {
            // The host's cgroup directory stays out of the container (see init::start).
            drop(v2_cgroup);
            drop(go_tx);
            let console = console.map(|(_, inside)| inside);
            init::start(spec, ledger.dir(), cgroup.as_ref(), boxlab, go_rx, console)
        }
        // Not listed in the ledger: PID 1 dies with boxlab (PR_SET_PDEATHSIG, and before that
        // a closed pipe), and the whole PID namespace with PID 1.
        ForkResult::Parent { child } => child.as_raw(),
    };
    drop(v2_cgroup);
    let console = console.map(|(outside, _)| outside);
    drop(go_rx);
    // Kept until the container ends: the network namespace, the host end of its veth and the
    // port proxies. If any of it fails, PID 1 goes at once, rather than be left waiting for a
    // go that never comes.
    let (_netns, link, proxies) = match let_go(spec, ledger, cgroup.as_ref(), pid, in_v2, go_tx) {
        Ok(kept) => kept,
        Err(e) => {
            let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
            let _ = waitpid(Pid::from_raw(pid), None);
            return Err(e);
        }
    };
    // The command's terminal: boxlab gets its master side from PID 1 and relays it.
    let relay = console.as_ref().and_then(tty::receive).map(|master| {
        tty::copy_size(&master);
        let kept = master.try_clone().ok();
        (tty::relay(master), kept)
    });
    let master = relay.as_ref().and_then(|(_, m)| m.as_ref());
    let status = wait_forwarding(pid, &waited, master);
    drop(relay);
    if let Some(cg) = cgroup {
        // A failure: did a limit cause it? (Read only then: every file read costs.)
        if status != 0 {
            let usage = cg.usage();
            if status == 128 + 9 && usage.memory.is_some_and(|m| m.oom_kills > 0) {
                eprintln!(
                    "boxlab run: the command was killed by the OOM killer at the memory limit (--memory {})",
                    spec::show_size(spec.memory.unwrap_or(0))
                );
            }
            if let Some(p) = usage.pids.filter(|p| p.refused > 0) {
                eprintln!(
                    "boxlab run: {} refused at the pids limit (--pids {})",
                    crate::lang::count_of(p.refused, "fork", "forks"),
                    p.limit.unwrap_or(0)
                );
            }
        }
        cg.remove(true);
    }
    drop(proxies);
    drop(link);
    let _ = kernel::take_records();
    Ok(status)
}

/// What boxlab does while PID 1 builds the root, until it lets PID 1 go (the go line says
/// which descriptor of boxlab's holds the network namespace, and the box's veth end if any);
/// then the port proxies. Returns the namespace (open until PID 1 has joined it, which is
/// after the go), the veth and the proxies, to keep until the end.
fn let_go(
    spec: &Spec,
    ledger: &Ledger,
    cgroup: Option<&BoxCgroup>,
    pid: i32,
    in_v2: bool,
    mut go_tx: std::io::PipeWriter,
) -> anyhow::Result<(OwnedFd, Option<BoxLink>, Vec<Proxy>)> {
    // The network namespace is made on a thread while PID 1 builds the root: it is the slowest
    // single step (each network subsystem sets up its state for it: setup_net() in
    // net/core/net_namespace.c) and needs nothing from the mounts. Docker splits it the same
    // way: its network code makes the namespace, and runc joins it with setns(2).
    let netns = std::thread::spawn(box_netns);
    // PID 1 joined the v1 cgroups itself; v2 only if clone3 could not start it there.
    if let Some(cg) = cgroup.filter(|_| !in_v2) {
        cg.add_v2(pid)?;
    }
    let (netns, records) = netns.join().expect("the network thread does not panic");
    kernel::adopt_records(records);
    let netns = netns?;
    let mut link = None;
    // "g FD": join the network namespace boxlab holds open as FD; "g FD BOX_IF BOX_IP" when
    // PID 1 must also address its end of a veth.
    let mut go = format!("g {}", netns.as_raw_fd());
    if !spec.publish.is_empty() && !spec.rootless {
        let host_net = crate::probe::net::collect().map_err(|e| anyhow::Error::msg(e.en))?;
        let made = BoxLink::create(Netns::Held(netns.as_fd()), &host_net, ledger)
            .map_err(anyhow::Error::msg)?;
        go += &format!(" {} {}", made.veth.box_if, made.veth.box_ip);
        link = Some(made);
    }
    // The host side's syscalls first: PID 1 prints its own once it goes on.
    trace(spec, true);
    // PID 1 may have failed already, and said so: its status tells.
    let _ = writeln!(go_tx, "{go}");
    let mut proxies = Vec::new();
    for &(host, boxed) in &spec.publish {
        // With root through the veth, as Docker's bridge; rootless (no veth) from a socket
        // made inside the box's network namespace.
        let proxy = match &link {
            Some(l) => Proxy::start_on(host, l.veth.box_ip, boxed),
            None => netns
                .try_clone()
                .and_then(|netns| Proxy::start_into(host, netns, boxed)),
        };
        proxies.push(
            proxy.with_context(|| format!("-p {host}:{boxed}: listening on 127.0.0.1:{host}"))?,
        );
    }
    Ok((netns, link, proxies))
}

/// On a thread of its own: a new network namespace with its loopback up. Returns a handle on
/// it, which keeps it alive once the thread is gone, and the thread's syscall records (also
/// when a call failed, for --trace to show it).
fn box_netns() -> (Result<OwnedFd, KernelError>, Vec<kernel::SyscallRecord>) {
    let made = namespaces::unshare(&[Namespace::Net])
        .and_then(|()| crate::kernel::net::set_up("lo"))
        .and_then(|()| namespaces::open_ns_file("/proc/thread-self/ns/net"));
    (made, kernel::take_records())
}

/// `--rootless`: fork; the child unshares a user namespace, the parent maps the child's root to
/// its own uid and gid (uid_map, setgroups deny, gid_map: the only mapping an unprivileged
/// process may write), and the child becomes that root and returns to build the container as
/// it would with root. The parent passes signals on, and leaves with the child's status: it
/// never returns. Before that it goes back to its `delegated` cgroup (see
/// [`Delegated::leave`]).
fn enter_user_namespace(spec: &Spec, delegated: Option<Delegated>) -> anyhow::Result<()> {
    use crate::kernel::users;
    let (uid, gid) = (
        nix::unistd::geteuid().as_raw(),
        nix::unistd::getegid().as_raw(),
    );
    let (mut unshared_rx, mut unshared_tx) = std::io::pipe()?;
    let (mut mapped_rx, mut mapped_tx) = std::io::pipe()?;
    // The delegated cgroup's syscalls, once: the child's copy of the records goes empty.
    trace(spec, true);
    let mut waited = SigSet::empty();
    for s in FORWARDED.iter().chain([&Signal::SIGCHLD]) {
        waited.add(*s);
    }
    sigprocmask(SigmaskHow::SIG_BLOCK, Some(&waited), None)?;
    // Safe: `boxlab run` has not started a thread.
    match unsafe { process::fork()? } {
        ForkResult::Child => {
            drop(unshared_rx);
            drop(mapped_tx);
            process::die_with_parent()?;
            namespaces::unshare(&[Namespace::User])?;
            // Printed before the parent writes the maps, so that --trace shows them in order.
            trace(spec, true);
            unshared_tx.write_all(b"u")?;
            let mut byte = [0u8; 1];
            anyhow::ensure!(
                mapped_rx.read(&mut byte)? == 1,
                "boxlab went away before mapping the user namespace"
            );
            users::become_root()?;
            Ok(())
        }
        ForkResult::Parent { child } => {
            drop(unshared_tx);
            drop(mapped_rx);
            let mapped = (|| -> anyhow::Result<()> {
                let mut byte = [0u8; 1];
                if unshared_rx.read(&mut byte)? == 1 {
                    users::map_root(child.as_raw(), uid, gid)?;
                    mapped_tx.write_all(b"m")?;
                }
                Ok(())
            })();
            drop(mapped_tx);
            if mapped.is_err() {
                let _ = nix::sys::signal::kill(child, Signal::SIGKILL);
            }
            trace(spec, true);
            let status = wait_forwarding(child.as_raw(), &waited, None);
            if let Some(d) = delegated {
                d.leave();
            }
            // On a failure boxlab leaves as it always does (the message, the ledger undone).
            mapped?;
            std::process::exit(status)
        }
    }
}

/// The box's cgroup with the limits asked for; none when no limit is. With `--rootless`, made
/// in the caller's delegated cgroup, which the caller leaves for a leaf until the run ends.
fn limits(spec: &Spec, ledger: &Ledger) -> anyhow::Result<(Option<BoxCgroup>, Option<Delegated>)> {
    let mut limits = Vec::new();
    if let Some(b) = spec.memory {
        limits.push(Limit::MemoryBytes(b));
    }
    if let Some(p) = spec.cpu_percent {
        limits.push(Limit::CpuQuota {
            quota_us: p * 1000,
            period_us: 100_000,
        });
    }
    if let Some(n) = spec.pids {
        limits.push(Limit::Pids(n));
    }
    if limits.is_empty() {
        return Ok((None, None));
    }
    let layout = Layout::detect();
    let controllers: Vec<Controller> = limits.iter().map(Limit::controller).collect();
    if let Some(c) = crate::kernel::cgroups::missing(&layout, &controllers).first() {
        anyhow::bail!(
            "this host has no {} cgroup controller for the limit (see `boxlab doctor`)",
            c.v2_name()
        );
    }
    let note = &mut |m| ledger.add_cgroup(&m);
    let with_limits = |cgroup: Result<BoxCgroup, _>| -> Result<BoxCgroup, KernelError> {
        let cgroup = cgroup?;
        for l in &limits {
            cgroup.set(l)?;
        }
        Ok(cgroup)
    };
    if !spec.rootless {
        let cgroup = BoxCgroup::create_alone(&layout, ledger.id(), &controllers, note);
        return Ok((Some(with_limits(cgroup)?), None));
    }
    let own = delegated::find(&layout, &controllers).map_err(|why| {
        let given = [
            ("--memory", spec.memory.is_some()),
            ("--cpus", spec.cpu_percent.is_some()),
            ("--pids", spec.pids.is_some()),
        ];
        let flags: Vec<&str> = given.iter().filter(|g| g.1).map(|g| g.0).collect();
        let flags = flags.join(" and ");
        anyhow::anyhow!("{flags} with --rootless: {why}; or leave out {flags}, or run as root")
    })?;
    let d = Delegated::enter(own, ledger.id(), note)?;
    match with_limits(BoxCgroup::create_delegated(&layout, &d, &controllers, note)) {
        Ok(cgroup) => Ok((Some(cgroup), Some(d))),
        Err(e) => {
            // Back where it was; the ledger removes the box's cgroup.
            d.leave();
            Err(e.into())
        }
    }
}

/// Waits for PID 1, passing on the signals boxlab gets (Ctrl-C, `kill`) until it has gone.
fn wait_forwarding(pid: i32, waited: &SigSet, pty: Option<&std::os::fd::OwnedFd>) -> i32 {
    loop {
        match waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)) {
            Ok(ended @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                return process::exit_code(&ended);
            }
            Ok(_) => {}
            Err(_) => return FAILED,
        }
        match waited.wait() {
            Ok(Signal::SIGWINCH) => {
                if let Some(master) = pty {
                    tty::copy_size(master);
                }
            }
            Ok(Signal::SIGCHLD) | Err(_) => {}
            Ok(sig) => {
                let _ = nix::sys::signal::kill(Pid::from_raw(pid), sig);
            }
        }
    }
}

/// With `--trace`, the syscalls made since the last call, on stderr; boxlab's own (`on_host`)
/// are marked `host:` by [`kernel::SyscallRecord::line`], PID 1's `init:`. With `-t` each line
/// ends in CR LF: the terminal may be raw by then (boxlab relays the pty), and a bare LF would
/// not return to the first column.
fn trace(spec: &Spec, on_host: bool) {
    let end = if spec.tty { "\r\n" } else { "\n" };
    for r in kernel::take_records() {
        if spec.trace {
            if on_host {
                eprint!("{}{end}", r.on_host().line(Lang::En, 1));
            } else {
                eprint!("init: {}{end}", r.line(Lang::En, 1));
            }
        }
    }
}
