//! Processes: fork(2), posix_spawn(3), waitpid(2), kill(2), prctl(2) and running a program
//! with its output captured (fork + execve(2)).

use std::io::Read;
use std::os::fd::{AsFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;
use nix::sys::signal::{Signal, kill as nix_kill};
use nix::sys::stat::Mode;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid};
use serde::{Deserialize, Serialize};

use super::{KernelError, SyscallRecord, logged, record, zero};
use crate::lang::{Detail, Lang, detail};

/// fork(2). The caller must be single-threaded (the box agent is).
///
/// # Safety
/// Only async-signal-safe work may happen in the child of a multi-threaded parent.
pub unsafe fn fork() -> Result<ForkResult, KernelError> {
    let r = unsafe { nix::unistd::fork() };
    logged("fork", String::new(), r, |f| match f {
        ForkResult::Parent { child } => child.to_string(),
        ForkResult::Child => "0".into(),
    })
}

/// Forks the caller's PID 1 of a new PID namespace, as clone(2) with `CLONE_NEWPID`: the parent
/// stays in its own namespace. Given a cgroup v2 directory, clone3(2) with `CLONE_INTO_CGROUP`
/// (Linux 5.7) starts the child already in it: no later write of its pid to `cgroup.procs`,
/// which waits for an RCU grace period (milliseconds) when no other move happened just before.
/// Where clone3 is missing or refuses the flag (ENOSYS, E2BIG, EINVAL), plain clone(2); the
/// bool says whether the child started in the cgroup.
///
/// # Safety
/// As fork(2) of a single-threaded caller; the child shares no memory with the parent. Unlike
/// glibc's fork(), this runs no atfork handlers, which a single-threaded boxlab has no use for.
pub unsafe fn fork_pid1(
    cgroup: Option<std::os::fd::BorrowedFd>,
) -> Result<(ForkResult, bool), KernelError> {
    use std::os::fd::AsRawFd;
    let as_fork = |r: libc::c_long| match r {
        -1 => Err(nix::errno::Errno::last()),
        0 => Ok(ForkResult::Child),
        pid => Ok(ForkResult::Parent {
            child: Pid::from_raw(pid as i32),
        }),
    };
    let shown = |f: &ForkResult| match f {
        ForkResult::Parent { child } => child.to_string(),
        ForkResult::Child => "0".into(),
    };
    if let Some(fd) = cgroup {
        // CLONE_INTO_CGROUP as the kernel's uapi defines it (libc types it differently per libc).
        const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;
        let mut args: libc::clone_args = unsafe { std::mem::zeroed() };
        args.flags = libc::CLONE_NEWPID as u64 | CLONE_INTO_CGROUP;
        args.exit_signal = libc::SIGCHLD as u64;
        args.cgroup = fd.as_raw_fd() as u64;
        let r = unsafe {
            libc::syscall(
                libc::SYS_clone3,
                &args as *const libc::clone_args,
                std::mem::size_of::<libc::clone_args>(),
            )
        };
        let r = as_fork(r);
        let unsupported = [
            nix::errno::Errno::ENOSYS,
            nix::errno::Errno::E2BIG,
            nix::errno::Errno::EINVAL,
        ];
        if !matches!(r, Err(e) if unsupported.contains(&e)) {
            let args = format!(
                "{{flags=CLONE_NEWPID|CLONE_INTO_CGROUP, cgroup={}, exit_signal=SIGCHLD}}",
                fd.as_raw_fd()
            );
            return logged("clone3", args, r, shown).map(|f| (f, true));
        }
    }
    // No stack and no tid pointers: clone(2) behaves as fork(2), whatever the architecture's
    // argument order.
    let flags = (libc::CLONE_NEWPID | libc::SIGCHLD) as libc::c_long;
    let r = unsafe { libc::syscall(libc::SYS_clone, flags, 0, 0, 0, 0) };
    logged("clone", "CLONE_NEWPID|SIGCHLD".into(), as_fork(r), shown).map(|f| (f, false))
}

/// getpid(2): the pid as the caller's own PID namespace numbers it.
pub fn getpid() -> i32 {
    let pid = nix::unistd::getpid().as_raw();
    record::push(SyscallRecord::ok("getpid", "", pid.to_string()));
    pid
}

/// Closes every descriptor from 3 up but `keep`: what the caller inherited from whoever
/// started boxlab (a shell's open files, a pipe) must not reach a container, where a
/// descriptor on a host directory leads out of it. Read from /proc/self/fd, so that it works
/// on any kernel (close_range(2) came with 5.9). Not recorded: it is plumbing.
pub fn close_fds_except(keep: &[RawFd]) {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    // Collected first: the listing's own descriptor is among them while it is read.
    let open: Vec<RawFd> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    for fd in open.into_iter().filter(|fd| *fd > 2 && !keep.contains(fd)) {
        // Safe: these descriptors are owned by nothing in this process that will use them.
        unsafe { libc::close(fd) };
    }
}

/// prctl(PR_SET_DUMPABLE, 0): /proc/PID/fd, /proc/PID/mem and the like of this process become
/// root's alone, and ptrace(2) is refused, for processes without CAP_SYS_PTRACE (a
/// container's). A child it starts is dumpable again once it calls execve(2) (prctl(2)).
pub fn not_dumpable() -> Result<(), KernelError> {
    let r = nix::errno::Errno::result(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) });
    logged("prctl", "PR_SET_DUMPABLE, 0".into(), r, zero).map(drop)
}

/// The CPUs this thread may run on (sched_getaffinity(2)), lowest first.
pub fn allowed_cpus() -> Vec<usize> {
    let set = nix::sched::sched_getaffinity(Pid::from_raw(0));
    (0..nix::sched::CpuSet::count())
        .filter(|&c| set.as_ref().is_ok_and(|s| s.is_set(c).unwrap_or(false)))
        .collect()
}

/// sched_setaffinity(pid, {cpu}): the process (0: this thread) runs only on that CPU.
pub fn pin_to_cpu(pid: i32, cpu: usize) -> Result<(), KernelError> {
    let mut set = nix::sched::CpuSet::new();
    let r = set
        .set(cpu)
        .and_then(|()| nix::sched::sched_setaffinity(Pid::from_raw(pid), &set));
    logged(
        "sched_setaffinity",
        format!("{pid}, {{CPU {cpu}}}"),
        r,
        zero,
    )
}

/// prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills this process when its parent dies, so a
/// box never outlives the boxlab that made it (prctl(2)). Not recorded: it is plumbing.
pub fn die_with_parent() -> std::io::Result<()> {
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Makes the process `cmd` spawns die by `signal` when the thread spawning it does
/// (prctl(PR_SET_PDEATHSIG)), set between fork and exec so that it never runs a moment
/// without it; the setting survives execve(2) of a binary that is not set-user-ID and has no
/// file capabilities. Had the parent died before the prctl, no signal would ever come: so the
/// child then checks that its parent is still the spawner (getppid(2), as prctl(2) advises)
/// and exits at once if not.
pub fn dies_with_spawner(cmd: &mut Command, signal: Signal) {
    use std::os::unix::process::CommandExt;
    let spawner = std::process::id() as libc::pid_t;
    let signal = signal as libc::c_int;
    // Safe: between fork and exec the closure makes only async-signal-safe calls.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, signal) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != spawner {
                libc::_exit(128 + signal);
            }
            Ok(())
        });
    }
}

/// kill(2).
pub fn kill(pid: i32, signal: Signal) -> Result<(), KernelError> {
    logged(
        "kill",
        format!("{pid}, {signal}"),
        nix_kill(Pid::from_raw(pid), signal),
        zero,
    )
}

/// waitpid(pid, WNOHANG) for every child that has exited: what a PID 1 must do for orphans.
/// Returns the pids reaped.
pub fn reap_exited() -> Vec<i32> {
    let mut reaped = Vec::new();
    loop {
        let r = waitpid(None, Some(WaitPidFlag::WNOHANG));
        let pid = match &r {
            Ok(WaitStatus::StillAlive) | Err(_) => None,
            Ok(status) => status.pid().map(Pid::as_raw),
        };
        let shown = match (&r, pid) {
            (Ok(_), Some(p)) => Ok(p),
            (Ok(_), None) => Ok(0),
            (Err(e), _) => Err(*e),
        };
        let _ = logged("waitpid", "-1, &status, WNOHANG".into(), shown, |p| {
            p.to_string()
        });
        match pid {
            Some(p) => reaped.push(p),
            None => return reaped,
        }
    }
}

/// What waitpid returned, as the syscall pane shows it: the pid and the status in the names of
/// waitpid(2)'s macros (`12445 [WTERMSIG SIGKILL]`), which read the same in every language.
pub fn show_wait(status: &WaitStatus) -> String {
    let pid = status.pid().map_or(0, Pid::as_raw);
    match status {
        WaitStatus::Exited(_, code) => format!("{pid} [WEXITSTATUS {code}]"),
        WaitStatus::Signaled(_, sig, _) => format!("{pid} [WTERMSIG {sig}]"),
        _ => pid.to_string(),
    }
}

/// waitpid(pid, 0): waits for one child and returns its exit code (128+signal if killed).
pub fn wait_exit_code(pid: i32) -> Result<i32, KernelError> {
    let status = logged(
        "waitpid",
        format!("{pid}, &status, 0"),
        waitpid(Pid::from_raw(pid), None),
        show_wait,
    )?;
    Ok(exit_code(&status))
}

/// A status as a shell reports it: the exit code, or 128+signal if a signal ended the process.
pub fn exit_code(status: &WaitStatus) -> i32 {
    match status {
        WaitStatus::Exited(_, code) => *code,
        WaitStatus::Signaled(_, sig, _) => 128 + *sig as i32,
        _ => 0,
    }
}

/// [`exit_code`] for a child std::process waited for.
pub fn shell_status(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// What a program run inside the box printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOutput {
    pub heading: Heading,
    /// Exit code, 128+signal when killed, or None when it could not be started.
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// The line above a command's output on the screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Heading {
    /// A program that ran, shown as `$ argv`.
    Ran(Vec<String>),
    /// Output boxlab made itself (a listing, a command line it did not run): what it is, in
    /// both languages, so that nothing on screen pretends a program ran.
    Made(Detail),
}

impl CommandOutput {
    /// The heading in the learner's language: `$ sh -c hostname` or `(image layers)`.
    pub fn heading(&self, lang: Lang) -> String {
        match &self.heading {
            Heading::Ran(argv) => format!("$ {}", typed(argv)),
            Heading::Made(what) => what.get(lang).to_string(),
        }
    }
}

/// `argv` as a shell would need it typed: an argument with a space in it (a script after
/// `sh -c`) quoted, in double quotes unless it holds one.
pub fn typed(argv: &[String]) -> String {
    let word = |a: &String| {
        if !a.contains(char::is_whitespace) {
            a.clone()
        } else if a.contains('"') {
            format!("'{a}'")
        } else {
            format!("\"{a}\"")
        }
    };
    argv.iter().map(word).collect::<Vec<_>>().join(" ")
}

/// The words of a command line as a shell splits it: at whitespace outside quotes.
pub fn shell_words(command: &str) -> Vec<String> {
    let (mut words, mut word, mut quote) = (Vec::new(), String::new(), None);
    for c in command.chars() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                continue;
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        word.push(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `words` typed over lines that paste back as the same command: the first line `first`
/// columns wide, the others `width`. Each line but the last ends in ` \` (a line continuation,
/// sh(1)) and the next starts with `indent`, as in a README. A word too long for a line is
/// broken inside it with a bare `\`, and goes on at the very start of the next line (an indent
/// there would become part of the word); never inside single quotes, where a backslash is
/// only a backslash.
pub fn continued(words: &[String], first: usize, width: usize, indent: &str) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut lines = Vec::new();
    // The line being filled, and whether it has a word yet (an indent alone does not count).
    let (mut line, mut started) = (String::new(), false);
    let room = |lines: &Vec<String>| if lines.is_empty() { first } else { width };
    for w in words {
        // Two columns kept for the ` \` the line may end in.
        if started && line.width() + 1 + w.width() + 2 > room(&lines) {
            lines.push(format!("{line} \\"));
            (line, started) = (indent.to_string(), false);
        }
        if started {
            line.push(' ');
        }
        started = true;
        let mut rest = w.as_str();
        while line.width() + rest.width() + 2 > room(&lines) {
            let Some(at) = break_point(rest, room(&lines).saturating_sub(line.width() + 1)) else {
                break;
            };
            lines.push(format!("{line}{}\\", &rest[..at]));
            line = String::new();
            rest = &rest[at..];
        }
        line.push_str(rest);
    }
    lines.push(line);
    lines
}

/// The last byte offset in `word` at most `cols` columns in, where a `\`-newline may go: not
/// inside single quotes and not after a backslash; after a `/` if there is one in the second
/// half, so that a path breaks between its parts. None when there is no such place.
fn break_point(word: &str, cols: usize) -> Option<usize> {
    use unicode_width::UnicodeWidthChar;
    let (mut used, mut quote, mut best, mut previous) = (0, None, None, None);
    let mut after_slash = None;
    // `used` is the width of word[..at], `quote` the quote open there.
    for (at, c) in word.char_indices() {
        if used > cols {
            break;
        }
        if at > 0 && quote != Some('\'') && previous != Some('\\') {
            best = Some(at);
            if previous == Some('/') && used > cols / 2 {
                after_slash = Some(at);
            }
        }
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        used += c.width().unwrap_or(0);
        previous = Some(c);
    }
    after_slash.or(best)
}

/// fork + execve(2) of `argv` with a small, fixed environment, an empty stdin and output
/// captured; killed after `timeout`. Recorded as one execve line with the exit status.
pub fn run_captured(argv: &[String], timeout: Duration) -> CommandOutput {
    let mut out = CommandOutput {
        heading: Heading::Ran(argv.to_vec()),
        status: None,
        stdout: String::new(),
        stderr: String::new(),
    };
    let shown_args = format!("{:?}, {argv:?}", argv.first().cloned().unwrap_or_default());
    let Some((prog, args)) = argv.split_first() else {
        return out;
    };
    let spawned = Command::new(prog)
        .args(args)
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("HOME", "/root")
        .env("TERM", "dumb")
        // A closed pipe, not /dev/null: a fresh root filesystem may have no /dev/null.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            let errno = super::errno_of(&e);
            record::push(SyscallRecord::failed("fork+execve", &shown_args, errno));
            out.stderr = e.to_string();
            return out;
        }
    };
    drop(child.stdin.take());
    let (mut so, mut se) = (
        child.stdout.take().expect("piped"),
        child.stderr.take().expect("piped"),
    );
    let deadline = Instant::now() + timeout;
    let (mut so_open, mut se_open) = (true, true);
    let mut buf = [0u8; 4096];
    // Read both pipes until EOF without threads (the agent stays single-threaded): poll(2).
    while (so_open || se_open) && Instant::now() < deadline {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds = Vec::new();
        if so_open {
            fds.push(PollFd::new(so.as_fd(), PollFlags::POLLIN));
        }
        if se_open {
            fds.push(PollFd::new(se.as_fd(), PollFlags::POLLIN));
        }
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_millis()
            .min(1000) as u16;
        if poll(&mut fds, PollTimeout::from(left)).unwrap_or(0) == 0 {
            continue;
        }
        let ready: Vec<bool> = fds
            .iter()
            .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        let mut i = 0;
        if so_open {
            if ready[i] {
                match so.read(&mut buf) {
                    Ok(0) | Err(_) => so_open = false,
                    Ok(n) => out.stdout.push_str(&String::from_utf8_lossy(&buf[..n])),
                }
            }
            i += 1;
        }
        if se_open && ready[i] {
            match se.read(&mut buf) {
                Ok(0) | Err(_) => se_open = false,
                Ok(n) => out.stderr.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
    }
    if so_open || se_open {
        let _ = child.kill();
        out.stderr
            .push_str(&format!("(killed after {}s)", timeout.as_secs()));
    }
    let code = child.wait().ok().map(shell_status);
    out.status = code;
    // One line for fork, execve in the child (PATH search) and waitpid in the parent.
    // fork's result, the child's pid; what waitpid found, in the note.
    let status = code.unwrap_or(-1);
    record::push(
        SyscallRecord::ok("fork+execve", &shown_args, child.id().to_string())
            .noted(detail!("exit status {status}", "종료 상태 {status}")),
    );
    out
}

/// signal(2) with SIG_IGN for the keyboard's job-control signals (SIGINT, SIGQUIT, SIGTSTP,
/// SIGTTIN, SIGTTOU): what a parent that only waits for its child does, as system(3) does, so
/// Ctrl-C in the child's terminal reaches the child without ending the parent. Not recorded:
/// it is plumbing. Dispositions set to "ignore" survive execve, so call it only in a process
/// that will not exec.
pub fn ignore_terminal_signals() {
    use nix::sys::signal::{SigHandler, signal};
    for sig in [
        Signal::SIGINT,
        Signal::SIGQUIT,
        Signal::SIGTSTP,
        Signal::SIGTTIN,
        Signal::SIGTTOU,
    ] {
        // Safe: SIG_IGN installs no handler code.
        let _ = unsafe { signal(sig, SigHandler::SigIgn) };
    }
}

/// Where a spawned program's standard streams come from.
pub enum Streams<'a> {
    /// The caller's own.
    Inherit,
    /// stdin from /dev/null; stdout and stderr the caller's.
    NullStdin,
    /// All three on this terminal (its path, and the caller's descriptor on it, which the
    /// child does not keep), made the child's controlling terminal: a new session
    /// (`POSIX_SPAWN_SETSID`) whose leader opens it.
    Terminal(&'a Path, RawFd),
}

/// posix_spawn(3) of `argv`, looked up on the `PATH` in `env` as execvp(3) would but in the
/// caller's root, with exactly `env` as its environment and no signal blocked. glibc starts
/// the child with clone(CLONE_VM|CLONE_VFORK), which copies none of the caller's page tables:
/// for a process as big as boxlab, most of what a fork(2) costs. Returns the child's pid.
pub fn spawn(argv: &[String], env: &[(&str, String)], streams: Streams) -> std::io::Result<i32> {
    use nix::spawn::{PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags, posix_spawn};
    use std::ffi::CString;
    let Some(prog) = argv.first() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "no program to run",
        ));
    };
    let path_var = env
        .iter()
        .find(|(k, _)| *k == "PATH")
        .map(|(_, v)| v.as_str());
    let program = find_program(prog, path_var.unwrap_or(""))?;
    let c = |s: &str| CString::new(s).map_err(std::io::Error::other);
    let args = argv
        .iter()
        .map(|a| c(a))
        .collect::<std::io::Result<Vec<_>>>()?;
    let envp = env
        .iter()
        .map(|(k, v)| c(&format!("{k}={v}")))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut attr = PosixSpawnAttr::init()?;
    let mut flags = PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK;
    let mut actions = PosixSpawnFileActions::init()?;
    match streams {
        Streams::Inherit => {}
        Streams::NullStdin => actions.add_open(0, "/dev/null", OFlag::O_RDONLY, Mode::empty())?,
        Streams::Terminal(tty, fd) => {
            flags |= PosixSpawnFlags::from_bits_retain(libc::POSIX_SPAWN_SETSID.into());
            actions.add_close(fd)?;
            actions.add_open(0, tty, OFlag::O_RDWR, Mode::empty())?;
            actions.add_dup2(0, 1)?;
            actions.add_dup2(0, 2)?;
        }
    }
    // Every signal back to its default action: an ignored signal stays ignored across
    // execve(2), and boxlab's own SIGPIPE is (as in every Rust program), as may be SIGHUP or
    // SIGINT when boxlab itself was started by nohup or in a script's background.
    attr.set_sigdefault(&nix::sys::signal::SigSet::all())?;
    attr.set_sigmask(&nix::sys::signal::SigSet::empty())?;
    attr.set_flags(flags | PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF)?;
    let r = posix_spawn(program.as_path(), &actions, &attr, &args, &envp);
    let shown = format!("{program:?}, {argv:?}");
    let pid = logged("posix_spawn", shown, r, |p| p.to_string())
        .map_err(|e| std::io::Error::from(e.errno))?;
    Ok(pid.as_raw())
}

/// A program name as execvp(3) finds it: a path as it is, a bare name in the first `PATH`
/// directory that has a file of that name.
pub fn find_program(name: &str, path: &str) -> std::io::Result<PathBuf> {
    if name.contains('/') {
        return Ok(PathBuf::from(name));
    }
    path.split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| std::io::Error::from_raw_os_error(libc::ENOENT))
}

/// execve(2) of `argv` (looked up on the `PATH` given in `env`) with exactly `env` as its
/// environment. Returns only when the exec failed.
pub fn exec(argv: &[String], env: &[(&str, String)]) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    let Some((prog, args)) = argv.split_first() else {
        return std::io::Error::new(std::io::ErrorKind::InvalidInput, "no program to run");
    };
    Command::new(prog)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .exec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_keep_quoted_spaces() {
        assert_eq!(
            shell_words("stat -c '%i %n'  a \"b c\""),
            ["stat", "-c", "'%i %n'", "a", "\"b c\""]
        );
    }

    /// What sh(1) makes of `lines`, pasted as they are: the words `printf` gets, one a line.
    fn as_pasted(lines: &[String]) -> String {
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(lines.join("\n"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    }

    /// Broken at spaces, inside a long path and inside double quotes (never single ones), the
    /// lines fit and paste back as the command on one line.
    #[test]
    fn a_continued_command_pastes_back_whole() {
        let path = format!(
            "/sys/fs/cgroup/memory/process_api/{}/memory.max",
            "0c96".repeat(16)
        );
        let command = format!(
            "printf '[%s]\\n' -c '%i %n is long enough to need a line' {path} \"a; b {path}\" end"
        );
        let words = shell_words(&command);
        for (first, width) in [(30, 40), (20, 80), (60, 60)] {
            let lines = continued(&words, first, width, "    ");
            for (n, l) in lines.iter().enumerate() {
                let room = if n == 0 { first } else { width };
                assert!(
                    l.len() <= room || l.contains("'%i"),
                    "{l:?} is wider than {room}"
                );
            }
            assert!(lines.len() > 1);
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains("'%i %n is long enough to need a line'"))
            );
            assert_eq!(
                as_pasted(&lines),
                as_pasted(std::slice::from_ref(&command)),
                "{lines:#?}"
            );
        }
    }
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;

    /// Set for the copy of this test binary that plays the spawner: the write end of the pipe
    /// its child reports its pid on.
    const SPAWNER_PIPE: &str = "BOXLAB_TEST_SPAWNER_PIPE";

    /// The race that left a host busy loop behind a `kill -9`: the spawner dies after fork but
    /// before the child's prctl. Here the child waits for exactly that before the prctl runs;
    /// it must end then, not go on to exec `sleep`.
    #[test]
    fn a_child_whose_spawner_died_before_the_prctl_ends_at_once() {
        if let Ok(fd) = std::env::var(SPAWNER_PIPE) {
            let fd: RawFd = fd.parse().unwrap();
            let spawner = std::process::id() as libc::pid_t;
            let mut cmd = Command::new("sleep");
            cmd.arg("60");
            // Safe: only write, getppid and usleep between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    let pid = libc::getpid().to_ne_bytes();
                    libc::write(fd, pid.as_ptr().cast(), pid.len());
                    while libc::getppid() == spawner {
                        libc::usleep(1000);
                    }
                    Ok(())
                });
            }
            dies_with_spawner(&mut cmd, Signal::SIGKILL);
            let _ = cmd.spawn();
            return;
        }
        // nix's pipe(2) leaves both ends inheritable, as the spawner's copy needs.
        let (rx, tx) = nix::unistd::pipe().unwrap();
        let mut spawner = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "kernel::process::tests::a_child_whose_spawner_died_before_the_prctl_ends_at_once",
            ])
            .env(SPAWNER_PIPE, tx.as_raw_fd().to_string())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        drop(tx);
        let mut pid = [0u8; 4];
        std::fs::File::from(rx).read_exact(&mut pid).unwrap();
        let child = i32::from_ne_bytes(pid);
        let _ = spawner.kill();
        let _ = spawner.wait();
        // Gone, or a zombie its new parent has yet to reap.
        let running = || {
            std::fs::read_to_string(format!("/proc/{child}/stat")).is_ok_and(|s| {
                s.rsplit_once(") ")
                    .is_some_and(|(_, rest)| !rest.starts_with('Z'))
            })
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let left = running();
        if left {
            let _ = nix_kill(Pid::from_raw(child), Signal::SIGKILL);
        }
        assert!(!left, "the child of a dead spawner went on to run `sleep`");
    }
}
