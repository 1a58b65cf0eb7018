//! Host side of PID 1's other duty in the full-container lesson: signals. The kernel drops a
//! signal sent to a PID namespace's init unless init has a handler for it (pid_namespaces(7)),
//! so `docker stop`'s SIGTERM would vanish at a PID 1 that never asked for it. Two real
//! demonstrations: SIGTERM to the lesson's own box (its PID 1 has no handler: dropped), and a
//! real `boxlab run` container whose init catches SIGTERM and passes it on to the command.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;

use crate::kernel::process::{self, CommandOutput, Heading};
use crate::kernel::{KernelError, SyscallRecord};
use crate::ledger::Ledger;

/// The line the command prints once its handler is in place: only then is SIGTERM sent.
pub const READY: &str = "ready";
/// How long the container may take to start and print [`READY`].
const START: Duration = Duration::from_secs(10);
/// How long it may take to end after SIGTERM.
const STOP: Duration = Duration::from_secs(5);
/// How long a signal the kernel would deliver takes to end the process it is sent to.
const GRACE: Duration = Duration::from_millis(200);

/// kill(BOXPID, SIGTERM) from the host, then a short wait: what `docker stop` sends first.
/// Returns whether the box is still running afterwards.
pub fn term_box(pid: i32) -> Result<bool, KernelError> {
    process::kill(pid, Signal::SIGTERM)?;
    std::thread::sleep(GRACE);
    Ok(running(pid))
}

/// The process exists and is not a zombie (/proc/PID/stat).
pub fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| crate::probe::stat::parse(&s))
        .is_some_and(|s| s.state != 'Z')
}

/// `boxlab run --rootfs ROOTFS -- ARGV`, this very boxlab as a child, stopped the way `docker
/// stop` stops a container: once the command prints [`READY`], SIGTERM to the `boxlab run`
/// process, which passes it to its PID 1, which passes it to the command. Every wait is
/// bounded; a container that does not end in time is killed (SIGKILL) and the step fails.
/// Its calls are recorded as host calls; `records` gets them.
pub fn stop_container(
    rootfs: &Path,
    argv: &[String],
    ledger: &Ledger,
    records: &mut Vec<SyscallRecord>,
) -> Result<CommandOutput, String> {
    let exe = std::env::current_exe().map_err(|e| format!("finding boxlab's own binary: {e}"))?;
    let mut shown = vec![
        "boxlab".to_string(),
        "--rootfs".into(),
        rootfs.display().to_string(),
        "run".into(),
        "--".into(),
    ];
    shown.extend(argv.iter().cloned());
    let mut cmd = Command::new(&exe);
    cmd.args(&shown[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // If boxlab itself dies meanwhile, the container gets the same SIGTERM and ends cleanly.
    process::dies_with_spawner(&mut cmd, Signal::SIGTERM);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("starting {}: {e}", exe.display()))?;
    let pid = child.id() as i32;
    ledger.add_process(pid);
    records.push(
        SyscallRecord::ok(
            "fork+execve",
            &format!("{:?}, {shown:?}", exe.display().to_string()),
            pid.to_string(),
        )
        .on_host(),
    );
    let lines = read_lines(&mut child);
    let stderr = read_all(&mut child);
    let mut stdout = String::new();
    let ended = wait_for_ready(&lines, &mut stdout)
        .and_then(|()| {
            let sent = process::kill(pid, Signal::SIGTERM);
            records.extend(
                crate::kernel::take_records()
                    .into_iter()
                    .map(SyscallRecord::on_host),
            );
            sent.map_err(|e| e.to_string())
        })
        .and_then(|()| wait_for_end(&lines, &mut stdout, &mut child));
    let ended = match ended {
        Ok(ended) => ended,
        Err(why) => {
            let _ = child.kill();
            let _ = child.wait();
            let said = stderr.recv_timeout(GRACE).unwrap_or_default();
            return Err(format!(
                "{why}; it printed {:?} {:?}",
                stdout.trim(),
                said.trim()
            ));
        }
    };
    records.push(
        SyscallRecord::ok(
            "waitpid",
            &format!("{pid}, &status, 0"),
            process::show_wait(&ended),
        )
        .on_host(),
    );
    let status = process::exit_code(&ended);
    Ok(CommandOutput {
        heading: Heading::Ran(shown),
        status: Some(status),
        stdout,
        stderr: stderr.recv_timeout(GRACE).unwrap_or_default(),
    })
}

/// The child's stdout, line by line, from a thread (the TUI process may have threads; the box
/// agent never runs this).
fn read_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// The child's whole stderr, once it closes.
fn read_all(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut err) = child.stderr.take() {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            let _ = tx.send(text);
        });
    }
    rx
}

fn wait_for_ready(lines: &mpsc::Receiver<String>, stdout: &mut String) -> Result<(), String> {
    collect(lines, stdout, Instant::now() + START, true)
}

/// Copies the child's lines into `stdout` until one is [`READY`] (`until_ready`) or, otherwise,
/// until its stdout closes; an error says which wait ran out, or that it ended too soon.
fn collect(
    lines: &mpsc::Receiver<String>,
    stdout: &mut String,
    deadline: Instant,
    until_ready: bool,
) -> Result<(), String> {
    loop {
        match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                stdout.push_str(&line);
                stdout.push('\n');
                if until_ready && line.trim() == READY {
                    return Ok(());
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) if !until_ready => return Ok(()),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(format!("the container ended before printing {READY:?}"));
            }
            Err(mpsc::RecvTimeoutError::Timeout) if until_ready => {
                return Err(format!(
                    "the container did not print {READY:?} within {} s",
                    START.as_secs()
                ));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "the container did not end within {} s of SIGTERM",
                    STOP.as_secs()
                ));
            }
        }
    }
}

/// The rest of the output, then how boxlab run ended.
fn wait_for_end(
    lines: &mpsc::Receiver<String>,
    stdout: &mut String,
    child: &mut Child,
) -> Result<WaitStatus, String> {
    use std::os::unix::process::ExitStatusExt;
    let deadline = Instant::now() + STOP;
    collect(lines, stdout, deadline, false)?;
    // stdout closed: the command is gone; boxlab run follows as soon as it has cleaned up.
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(s)) => {
                let pid = Pid::from_raw(child.id() as i32);
                return WaitStatus::from_raw(pid, s.into_raw()).map_err(|e| e.to_string());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for boxlab run: {e}")),
        }
    }
    Err(format!(
        "boxlab run did not end within {} s of SIGTERM",
        STOP.as_secs()
    ))
}
