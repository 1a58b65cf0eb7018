//! The loads the cgroup lessons put on the box and on the host, so both sides run exactly the
//! same code: a memory hog, a busy loop, a fixed amount of CPU work, direct writes to disk.
//!
//! The box agent runs them in a forked child; the host side runs them through the hidden
//! `boxlab __load` command. Each names its process (prctl(PR_SET_NAME)) so the process panes
//! say what it is.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::lang::{Detail, detail};

/// Names the calling process as `ps` and the panes show it: its name (prctl PR_SET_NAME, 15
/// bytes at most) and its command line. A child forked without an exec (the container's init,
/// a lesson's memory hog) still has boxlab's command line, host paths and all, for `ps` in
/// the box to show.
pub fn name_process(name: &str) {
    if let Ok(c) = std::ffi::CString::new(name) {
        let _ = nix::sys::prctl::set_name(&c);
    }
    set_command_line(name);
}

/// Writes `name` over the calling process's argv strings, the memory /proc/PID/cmdline reads
/// (arg_start..arg_end, fields 48 and 49 of /proc/self/stat, proc(5)), as setproctitle(3)
/// does. Nothing in boxlab reads its arguments again after it has forked.
fn set_command_line(name: &str) {
    let Some((start, end)) = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the name, which may hold spaces, start at field 3.
            let rest = stat.rsplit_once(") ")?.1.to_string();
            let field = |n: usize| rest.split(' ').nth(n - 3)?.parse::<usize>().ok();
            Some((field(48)?, field(49)?))
        })
    else {
        return;
    };
    if end <= start || name.len() >= end - start {
        return;
    }
    // SAFETY: the kernel says the argv strings of this process are at start..end: writable
    // memory (the initial stack) that nothing else points into once the arguments are parsed.
    unsafe {
        std::ptr::write_bytes(start as *mut u8, 0, end - start);
        std::ptr::copy_nonoverlapping(name.as_ptr(), start as *mut u8, name.len());
    }
}

/// Touches `mb` MiB of fresh memory, a MiB at a time with `pace` between, writing a byte to
/// `progress` after each so the caller knows how far it got. Every page is written: memory
/// that is only reserved (mmap) is not charged to the cgroup until it is touched.
pub fn hog(mb: u64, pace: Duration, mut progress: Option<File>) -> u64 {
    const MIB: usize = 1 << 20;
    let len = mb as usize * MIB;
    // mmap, not Vec: no allocator lock is taken in a child forked from a threaded process.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return 0;
    }
    let page = 4096;
    for m in 0..mb as usize {
        for off in (0..MIB).step_by(page) {
            unsafe { *(base as *mut u8).add(m * MIB + off) = 1 };
        }
        if let Some(p) = &mut progress {
            let _ = p.write_all(b".");
        }
        std::thread::sleep(pace);
    }
    mb
}

/// Keeps one CPU busy for `time`.
pub fn spin(time: Duration) {
    let end = Instant::now() + time;
    let mut x = 1u64;
    while Instant::now() < end {
        for _ in 0..100_000 {
            x = xorshift(x);
        }
    }
    std::hint::black_box(x);
}

/// A fixed amount of CPU-bound work: the same `rounds` wherever it runs, so its time compares
/// a box with the host. Returns the CPU time it took: clock_gettime(2) with
/// CLOCK_THREAD_CPUTIME_ID counts only while this thread ran, so other work on the machine
/// (a kernel worker tearing down old namespaces, say) cannot lengthen one side's time.
///
/// The thread runs on `cpu` alone meanwhile (a recorded sched_setaffinity(2)), and gets its
/// CPUs back after. On a VM one virtual CPU can be slower than another (it takes the interrupts, or
/// the hypervisor's other guests share its core), and a new process and a long-lived one need
/// not land on the same one: unpinned, the host's runs took up to 1.7 times the box's.
pub fn work(rounds: u64, cpu: usize) -> anyhow::Result<Duration> {
    use nix::sched::{sched_getaffinity, sched_setaffinity};
    use nix::time::{ClockId, clock_gettime};
    let this_thread = nix::unistd::Pid::from_raw(0);
    let before = sched_getaffinity(this_thread)?;
    crate::kernel::process::pin_to_cpu(0, cpu)?;
    let now =
        || clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).map_or(Duration::ZERO, Duration::from);
    let start = now();
    let mut x = 1u64;
    for _ in 0..rounds {
        x = xorshift(x);
    }
    std::hint::black_box(x);
    let took = now().saturating_sub(start);
    sched_setaffinity(this_thread, &before)?;
    Ok(took)
}

/// What a syscall line says of a timed `work` run: its CPU time, the figure the CPU lesson
/// compares.
pub fn work_note(micros: u64) -> Detail {
    let ms = micros as f64 / 1000.0;
    detail!("work: {ms:.0} ms of CPU time", "일: CPU 시간 {ms:.0} ms")
}

fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^ (x << 17)
}

/// Writes `mb` MiB to an unnamed file in `dir` with O_DIRECT (straight to the disk, past the
/// page cache, so the write is charged to this process's cgroup when it happens) and returns
/// how long it took. O_TMPFILE makes a file with no name: nothing is left if the writer dies.
pub fn write_direct(dir: &Path, mb: u64) -> std::io::Result<Duration> {
    use std::os::unix::fs::OpenOptionsExt;
    const MIB: usize = 1 << 20;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_TMPFILE | libc::O_DIRECT)
        .mode(0o600)
        .open(dir)?;
    // O_DIRECT wants a buffer aligned to the device's block size; 4096 suits every disk.
    let layout = std::alloc::Layout::from_size_align(MIB, 4096).expect("valid layout");
    let buf = unsafe { std::alloc::alloc_zeroed(layout) };
    if buf.is_null() {
        return Err(std::io::Error::from(std::io::ErrorKind::OutOfMemory));
    }
    let slice = unsafe { std::slice::from_raw_parts(buf, MIB) };
    let start = Instant::now();
    let result = (0..mb).try_for_each(|_| file.write_all(slice));
    let elapsed = start.elapsed();
    unsafe { std::alloc::dealloc(buf, layout) };
    result.map(|()| elapsed)
}

/// The host side's `boxlab __load KIND [ARGS]`: runs one load in this process and prints what
/// it measured (milliseconds) on stdout. boxlab starts it set to die with boxlab
/// (process::dies_with_spawner), like a box.
pub fn run_command(args: &[String]) -> anyhow::Result<()> {
    use anyhow::Context;
    let arg = |i: usize| -> anyhow::Result<u64> {
        args.get(i)
            .context("missing argument")?
            .parse()
            .context("not a number")
    };
    match args.first().map(String::as_str) {
        Some("spin") => {
            name_process("busy-loop");
            spin(Duration::from_secs(arg(1)?));
        }
        Some("hog") => {
            name_process("memory-hog");
            hog(arg(1)?, Duration::ZERO, None);
        }
        Some("work") => {
            name_process("cpu-work");
            println!("{}", work(arg(1)?, arg(2)? as usize)?.as_micros());
        }
        Some("write") => {
            name_process("disk-writer");
            let dir = args.get(1).context("missing directory")?;
            println!("{}", write_direct(Path::new(dir), arg(2)?)?.as_micros());
        }
        _ => anyhow::bail!(
            "usage: boxlab __load spin SECS | hog MB | work ROUNDS CPU | write DIR MB"
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_takes_longer_for_more_rounds_and_gives_the_cpus_back() {
        use crate::kernel::process::allowed_cpus;
        let cpus = allowed_cpus();
        let cpu = *cpus.last().unwrap();
        let short = work(1_000_000, cpu).unwrap();
        let long = work(20_000_000, cpu).unwrap();
        assert!(long > short, "{long:?} vs {short:?}");
        assert_eq!(allowed_cpus(), cpus);
    }

    #[test]
    fn hog_reports_each_mib() {
        let (r, w) = std::io::pipe().unwrap();
        let w: std::os::fd::OwnedFd = w.into();
        assert_eq!(hog(3, Duration::ZERO, Some(File::from(w))), 3);
        let mut got = String::new();
        std::io::Read::read_to_string(&mut { r }, &mut got).unwrap();
        assert_eq!(got, "...");
    }
}
