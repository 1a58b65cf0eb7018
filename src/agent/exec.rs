//! `boxlab __exec --pid PID -- PROGRAM [ARGS]`: runs a program inside a running box the way
//! `docker exec` (and `nsenter`) does. boxlab is re-executed through `/proc/self/exe`, so this
//! process is single-threaded, which setns(2) into a user or time namespace requires.
//!
//! 0. The box's cgroups: our pid into each `cgroup.procs` of a cgroup the box is in and we
//!    are not, so what we run counts against the box's limits.
//! 1. open(2) every `/proc/PID/ns/*` of the box, and its `/proc/PID/root` and `/proc/PID/cwd`
//!    as directories, before entering anything: once inside the box's mount namespace,
//!    `/proc` may be the box's own and those paths would mean something else.
//! 2. setns(2) into each namespace that differs from ours (joining the user namespace we are
//!    already in fails with EINVAL): the user namespace first, since it grants the
//!    capabilities to join the others; the mount namespace last, since entering it changes what
//!    every path means.
//! 3. fchdir(root) + chroot(".") + fchdir(cwd): the box's `/` and working directory.
//! 4. The box's walls, read from `/proc/PID/status` before entering, as `docker exec` gives
//!    the process it starts the container's: where the box's bounding set is smaller, the same
//!    bounding set and capabilities (prctl PR_CAPBSET_DROP, capset); its no_new_privs; and, if it
//!    has a seccomp filter, boxlab's filter (the only one a box of boxlab's has). A shell in
//!    the full container can then no more mount or load a module than the box.
//! 5. fork(2): joining a PID namespace moves only the caller's children, so the program runs as
//!    a child (that is why `docker exec` runs your command as a child process) while this
//!    process waits and exits with the child's status.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use nix::unistd::ForkResult;

use crate::kernel::namespaces::{self, Namespace};
use crate::kernel::{self, caps, cgroups, process, root, seccomp, users};
use crate::lang::Lang;
use crate::probe::{self, status::Walls};

/// The name `__exec` gives itself (prctl(PR_SET_NAME)), so the host's process list shows
/// which processes were started in a box from outside.
pub const PROCESS_NAME: &str = "boxlab-exec";

/// The order namespaces are joined in: user first, mount last.
pub const JOIN_ORDER: [Namespace; 8] = [
    Namespace::User,
    Namespace::Ipc,
    Namespace::Uts,
    Namespace::Net,
    Namespace::Pid,
    Namespace::Cgroup,
    Namespace::Time,
    Namespace::Mount,
];

/// The environment the program gets: nothing of boxlab's own, a prompt that says where it is.
pub fn clean_env(prompt: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
        ),
        (
            "TERM",
            std::env::var("TERM").unwrap_or_else(|_| "xterm-256color".into()),
        ),
        ("HOME", "/root".into()),
        // No LANG: busybox's shell, in a UTF-8 locale, shows each Korean character typed at its
        // prompt as "?" (it draws only characters below U+0300); without one it passes the
        // bytes through and the terminal shows them right.
        ("PS1", prompt.into()),
    ]
}

/// Joins the box whose host pid is `pid` and runs `argv` there; returns its exit status (128 +
/// signal when it was killed). With `trace`, the syscalls that joined the box are printed on
/// stderr first, one per line (in `lang`), so the shell pane
/// starts by showing them.
pub fn run(pid: i32, argv: &[String], trace: bool, lang: Lang) -> anyhow::Result<i32> {
    anyhow::ensure!(!argv.is_empty(), "no program to run: give one after `--`");
    // Ends with the boxlab that started it (the shell pane), like the box itself.
    process::die_with_parent()?;
    if let Ok(name) = std::ffi::CString::new(PROCESS_NAME) {
        let _ = nix::sys::prctl::set_name(&name);
    }
    let _ = kernel::take_records();

    let joined = join(pid);
    let mut records = kernel::take_records();
    if let Err(e) = joined {
        if trace {
            print_trace(&records, pid, lang);
        }
        return Err(e);
    }
    // The parent prints the trace (with fork's result) before the child may exec, so the
    // program's first output comes after it: the child waits for the pipe to close.
    let (mut go_read, go_write) = std::io::pipe()?;
    // Safe: this process is single-threaded (re-executed boxlab, no threads started).
    match unsafe { process::fork()? } {
        ForkResult::Child => {
            let _ = process::die_with_parent();
            drop(go_write);
            let _ = go_read.read(&mut [0u8; 1]);
            drop(go_read);
            let env = clean_env("box# ");
            let e = process::exec(argv, &env);
            eprintln!("boxlab __exec: cannot run {}: {e}", argv[0]);
            std::process::exit(127);
        }
        ForkResult::Parent { child } => {
            process::ignore_terminal_signals();
            drop(go_read);
            records.extend(kernel::take_records());
            if trace {
                print_trace(&records, pid, lang);
            }
            drop(go_write);
            Ok(process::wait_exit_code(child.as_raw())?)
        }
    }
}

/// Steps 0 to 4: cgroups, open, setns, root, walls. Every call leaves its record.
fn join(pid: i32) -> anyhow::Result<()> {
    // Paths under /sys/fs/cgroup mean the host's tree only before any namespace is entered.
    cgroups::join_cgroups_of(pid)
        .map_err(|e| anyhow::Error::new(e).context(format!("joining box {pid}'s cgroups")))?;
    let mut handles: Vec<(Namespace, OwnedFd)> = Vec::new();
    for ns in JOIN_ORDER {
        match namespaces::open_ns(pid, ns) {
            Ok(fd) => handles.push((ns, fd)),
            // An older kernel without this kind of namespace (time before 5.6).
            Err(e) if e.errno == nix::errno::Errno::ENOENT && ns == Namespace::Time => {}
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "opening box {pid}'s namespaces (is the box still running?)"
                )));
            }
        }
    }
    let walls = probe::creds_of(&pid.to_string()).map_err(|e| {
        anyhow::anyhow!(
            "reading box {pid}'s capabilities: {} (is the box still running?)",
            e.en
        )
    })?;
    let ours = probe::creds_of("self").map_err(|e| anyhow::anyhow!("{}", e.en))?;
    let (walls, ours) = (walls.walls(), ours.walls());
    // Like docker exec: in a user namespace that maps root, become that root (the box did the
    // same with setresuid). Supplementary groups are dropped first, while setgroups(2) is
    // still allowed; inside, "deny" forbids it.
    let become_root = std::fs::read_to_string(format!("/proc/{pid}/uid_map"))
        .is_ok_and(|m| m.lines().any(|l| l.split_whitespace().next() == Some("0")));
    let root_fd = root::open_dir(Path::new(&format!("/proc/{pid}/root")))?;
    let cwd_fd = root::open_dir(Path::new(&format!("/proc/{pid}/cwd")))?;
    // Which ones differ from ours, decided before entering any (our /proc/self/ns is read
    // through our /proc, which the mount namespace would change).
    let differs: Vec<bool> = handles
        .iter()
        .map(|(ns, fd)| !same_namespace(ns, fd))
        .collect();
    let joins_user = handles
        .iter()
        .zip(&differs)
        .any(|((ns, _), d)| *d && *ns == Namespace::User);
    if joins_user && become_root {
        users::drop_groups()?;
    }
    for ((ns, fd), differs) in handles.iter().zip(differs) {
        if differs {
            namespaces::setns(fd, *ns)?;
        }
    }
    if joins_user && become_root {
        users::become_root()?;
    }
    root::fchdir(&root_fd)?;
    root::chroot(Path::new("."))?;
    root::fchdir(&cwd_fd)?;
    put_up(&walls, &ours)?;
    Ok(())
}

/// Step 4: the box's bounding set and capabilities where it gave up some of `ours` (the host
/// itself may lack some: a machine that is a container), its no_new_privs, its seccomp filter.
/// In this order: dropping needs CAP_SETPCAP, which capset may take away, and a filter needs
/// no_new_privs (or CAP_SYS_ADMIN) to be installed (seccomp(2)).
fn put_up(walls: &Walls, ours: &Walls) -> Result<(), kernel::KernelError> {
    if ours.cap_bnd & !walls.cap_bnd != 0 {
        caps::drop_bounding_except(&caps::numbers(walls.cap_bnd))?;
        caps::set_all(&caps::numbers(walls.cap_eff))?;
    }
    if walls.no_new_privs {
        caps::no_new_privs()?;
    }
    if walls.seccomp == 2 {
        seccomp::install()?;
    }
    Ok(())
}

/// Two namespace files are the same namespace when device and inode match (namespaces(7)).
fn same_namespace(ns: &Namespace, fd: &OwnedFd) -> bool {
    let theirs = fd
        .try_clone()
        .map(std::fs::File::from)
        .and_then(|f| f.metadata());
    let ours = std::fs::metadata(format!("/proc/self/ns/{}", ns.proc_name()));
    match (theirs, ours) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The joining syscalls, without the open(2) calls that only prepared them.
fn print_trace(records: &[kernel::SyscallRecord], pid: i32, lang: Lang) {
    let mut err = std::io::stderr().lock();
    let head = if lang == Lang::Ko {
        format!("docker exec처럼 박스 {pid}에 들어감:")
    } else {
        format!("joined box {pid} as docker exec does:")
    };
    // Dim, so the shell's own output stands out after it.
    let _ = writeln!(err, "\x1b[2m{head}");
    for r in records
        .iter()
        .filter(|r| r.call != "open" || r.errno.is_some())
    {
        let _ = writeln!(err, "{}", r.line(lang, 1));
    }
    let _ = write!(err, "\x1b[0m");
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_fits_in_comm() {
        // /proc/PID/comm holds at most 15 bytes; a longer name would be cut, and the checks
        // that look for it would miss it.
        assert!(PROCESS_NAME.len() <= 15);
    }

    #[test]
    fn user_first_mount_last_each_once() {
        assert_eq!(JOIN_ORDER[0], Namespace::User);
        assert_eq!(JOIN_ORDER[JOIN_ORDER.len() - 1], Namespace::Mount);
        for ns in Namespace::ALL {
            assert_eq!(JOIN_ORDER.iter().filter(|n| **n == ns).count(), 1, "{ns:?}");
        }
    }

    #[test]
    fn clean_env_has_only_what_it_names() {
        let env = clean_env("box# ");
        let keys: Vec<&str> = env.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["PATH", "TERM", "HOME", "PS1"]);
        assert!(env.contains(&("PS1", "box# ".into())));
        assert!(env.contains(&("HOME", "/root".into())));
    }
}
