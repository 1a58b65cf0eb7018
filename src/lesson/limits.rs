//! Host-side work of the cgroup lessons: the box's cgroup and the limits written into it, the
//! loads the host runs beside the box (through `boxlab __load`), and the measurements the
//! checks compare. The TUI process does this, as DESIGN.md says: it never joins a cgroup itself.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::kernel::SyscallRecord;
use crate::kernel::cgroups::{
    self, BoxCgroup, Controller, DeviceLess, Layout, Limit, NoDisk, Usage,
};
use crate::kernel::process::{CommandOutput, Heading, shell_status};
use crate::lang::{Detail, detail};
use crate::ledger::Ledger;

/// What the cgroup lessons did and measured, for the checks.
#[derive(Clone, Debug, Default)]
pub struct CgroupFacts {
    /// The box's cgroup directories, once made.
    pub dirs: Vec<PathBuf>,
    /// Every limit written, in order.
    pub limits: Vec<Limit>,
    /// The box's memory hog: exit status (137 = SIGKILL) and MiB touched.
    pub hog: Option<(i32, u64)>,
    /// The host's memory hog: exit status, or why it could not run.
    pub host_hog: Option<Result<i32, String>>,
    pub cpu: Option<CpuShare>,
    /// (weight, % of one CPU) for each competing cgroup.
    pub compete: Vec<(u64, f64)>,
    /// The same work timed on the host and in the box, in microseconds.
    pub work: Option<(u64, u64)>,
    /// The fork bomb: processes forked and the errno that stopped it; the box's pids then.
    pub bomb: Option<(u64, String)>,
    pub bomb_pids: Option<cgroups::PidsUsage>,
    /// Bomb processes still in the box's cgroup after `end_fork_bomb`.
    pub bomb_left: Option<usize>,
    /// How long starting a program on the host took, in microseconds.
    pub host_spawn: Option<Result<u64, String>>,
    pub io: Option<IoFact>,
    /// The host's cgroup layout, once `show_cgroup_layout` has shown it.
    pub layout: Option<Layout>,
}

/// How much CPU each side got while both loops ran, in percent of one CPU.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuShare {
    pub box_percent: f64,
    pub host_percent: f64,
    /// Periods in which the box was throttled, during the measurement.
    pub throttled: u64,
    pub periods: u64,
}

/// The I/O lesson's device and what the writes took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IoFact {
    /// No block device can be limited here; why.
    NoDevice(Detail),
    Device {
        device: (u32, u32),
        limit_bps: Option<u64>,
        /// (MiB, microseconds) of the box's and the host's writes.
        box_write: Option<(u64, u64)>,
        host_write: Option<(u64, u64)>,
    },
}

/// The cgroup side of one lesson run: removed with the box.
pub struct Limits {
    layout: Layout,
    cgroup: Option<BoxCgroup>,
    host_busy: Option<Child>,
    /// A directory on a real disk (beside the root filesystem) for the I/O lesson's writes.
    scratch: PathBuf,
}

impl Limits {
    pub fn new(rootfs: &Path, ledger: &Ledger) -> Limits {
        let scratch = rootfs
            .parent()
            .unwrap_or(rootfs)
            .join(format!("scratch-{}", ledger.id()));
        Limits {
            layout: Layout::detect(),
            cgroup: None,
            host_busy: None,
            scratch,
        }
    }

    /// The box's directory for each controller it has (v1: one per hierarchy).
    pub fn dirs_by_controller(&self) -> Vec<(Controller, PathBuf)> {
        let Some(cgroup) = &self.cgroup else {
            return Vec::new();
        };
        Controller::ALL
            .into_iter()
            .filter_map(|c| Some((c, cgroup.dir_of(c)?.1.to_path_buf())))
            .collect()
    }

    /// How many processes named `name` are in the box's cgroup (by its pids directory, or its
    /// first).
    pub fn members_named(&self, name: &str) -> usize {
        let Some(cgroup) = &self.cgroup else {
            return 0;
        };
        let dir = cgroup
            .dir_of(Controller::Pids)
            .map(|(_, d)| d)
            .or_else(|| cgroup.dirs().next());
        dir.map_or(0, |d| {
            cgroups::members(d)
                .into_iter()
                .filter(|pid| {
                    std::fs::read_to_string(format!("/proc/{pid}/comm"))
                        .is_ok_and(|c| c.trim() == name)
                })
                .count()
        })
    }

    pub fn usage(&self) -> Option<Usage> {
        self.cgroup.as_ref().map(BoxCgroup::usage)
    }

    /// Ends the host's loads and the box's cgroup with every process still in it.
    pub fn end(&mut self) {
        if let Some(mut child) = self.host_busy.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(cgroup) = self.cgroup.take() {
            cgroup.remove(true);
        }
        let _ = std::fs::remove_dir(&self.scratch);
    }

    /// The box's cgroup, with every controller this host has among the four.
    pub fn make_cgroup(&mut self, ledger: &Ledger, facts: &mut CgroupFacts) -> Result<(), String> {
        if self.cgroup.is_some() {
            return Err("the box already has its cgroup".into());
        }
        let controllers: Vec<Controller> = Controller::ALL
            .into_iter()
            .filter(|&c| self.layout.place(c).is_some())
            .collect();
        if controllers.is_empty() {
            return Err("this host has none of the memory, cpu, pids and io controllers".into());
        }
        let made = BoxCgroup::create(&self.layout, ledger.id(), "box", &controllers, &mut |m| {
            ledger.add_cgroup(&m)
        })
        .map_err(|e| e.to_string())?;
        facts.dirs = made.dirs().map(Path::to_path_buf).collect();
        self.cgroup = Some(made);
        Ok(())
    }

    pub fn move_to_cgroup(&self, pid: i32) -> Result<(), String> {
        self.cgroup()?.add(pid).map_err(|e| e.to_string())
    }

    fn cgroup(&self) -> Result<&BoxCgroup, String> {
        self.cgroup
            .as_ref()
            .ok_or_else(|| "the box has no cgroup yet: make_cgroup first".to_string())
    }

    /// Where each controller lives, as a command's output would show it.
    pub fn show_layout(&self, facts: &mut CgroupFacts) -> CommandOutput {
        facts.layout = Some(self.layout.clone());
        let mut stdout = self.layout.describe().join("\n");
        stdout.push('\n');
        CommandOutput {
            heading: Heading::Made(detail!("(cgroup layout)", "(cgroup 배치)")),
            status: Some(0),
            stdout,
            stderr: String::new(),
        }
    }

    /// Writes each limit given. An I/O limit needs the disk under the scratch directory; where
    /// there is none, the file and value are shown, not written, and the reason kept.
    pub fn limit(
        &mut self,
        spec: &LimitSpec,
        ledger: &Ledger,
        facts: &mut CgroupFacts,
    ) -> Result<(), String> {
        let mut limits = Vec::new();
        if let Some(m) = &spec.memory {
            limits.push(Limit::MemoryBytes(parse_size(m)?));
        }
        if let Some(p) = spec.cpu_percent {
            limits.push(Limit::CpuQuota {
                quota_us: p * 1000,
                period_us: 100_000,
            });
        }
        if let Some(w) = spec.cpu_weight {
            limits.push(Limit::CpuWeight(w));
        }
        if let Some(n) = spec.pids {
            limits.push(Limit::Pids(n));
        }
        let cgroup = self
            .cgroup
            .as_ref()
            .ok_or("the box has no cgroup yet: make_cgroup first")?;
        for limit in &limits {
            cgroup.set(limit).map_err(|e| e.to_string())?;
            facts.limits.push(limit.clone());
        }
        if let Some(w) = &spec.io_write {
            let bps = parse_size(w)?;
            let disk = self
                .scratch_dir(ledger)
                .map_err(NoDisk::Unreadable)
                .and_then(|d| cgroups::disk_of(&d));
            match disk {
                Ok(device) => {
                    let limit = Limit::IoWriteBps { device, bps };
                    cgroup.set(&limit).map_err(|e| e.to_string())?;
                    facts.limits.push(limit);
                    facts.io = Some(IoFact::Device {
                        device,
                        limit_bps: Some(bps),
                        box_write: None,
                        host_write: None,
                    });
                }
                Err(why) => {
                    // Show what would be written, for a disk with major:minor 8:0.
                    let example = Limit::IoWriteBps {
                        device: (8, 0),
                        bps,
                    };
                    if let Some((file, value)) = cgroup.file_for(&example) {
                        crate::kernel::adopt_records(vec![SyscallRecord::note_only(detail!(
                            "not written, as there is no disk here: {file:?}, \"{value}\"",
                            "디스크가 없어 쓰지 않음: {file:?}, \"{value}\""
                        ))]);
                    }
                    facts.io = Some(IoFact::NoDevice(no_disk(&why)));
                }
            }
        }
        Ok(())
    }

    /// The scratch directory, made on first use (listed in the ledger first; it stays empty,
    /// since the writes go to unnamed files, so removing it is safe).
    pub fn scratch_dir(&self, ledger: &Ledger) -> Result<PathBuf, String> {
        if !self.scratch.is_dir() {
            ledger.add_path(&self.scratch);
            std::fs::create_dir_all(&self.scratch)
                .map_err(|e| format!("{}: {e}", self.scratch.display()))?;
        }
        Ok(self.scratch.clone())
    }

    /// The memory hog on the host, to the end: the host has no limit of the box's.
    pub fn host_memory_hog(&self, mb: u64, facts: &mut CgroupFacts) {
        let r = load(&["hog", &mb.to_string()]).map(|(status, _)| status);
        facts.host_hog = Some(r);
    }

    pub fn host_busy(&mut self, seconds: u64, ledger: &Ledger) -> Result<(), String> {
        if self.host_busy.is_some() {
            return Err("the host's busy loop is already running".into());
        }
        let child = load_command(&["spin", &seconds.to_string()])
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting the host's busy loop: {e}"))?;
        ledger.add_process(child.id() as i32);
        let record = load_record(&["spin", &seconds.to_string()], child.id().to_string());
        crate::kernel::adopt_records(vec![record]);
        self.host_busy = Some(child);
        Ok(())
    }

    /// For `seconds`: the box's cgroup CPU time (cpu.stat / cpuacct.usage) and the host loop's
    /// (utime+stime in /proc/PID/stat), each over the wall time.
    pub fn measure_cpu(&self, seconds: u64, facts: &mut CgroupFacts) -> Result<(), String> {
        let cgroup = self.cgroup()?;
        let host_pid = self.host_busy.as_ref().map(|c| c.id() as i32);
        let read = || {
            let cpu = cgroup.usage().cpu;
            (
                Instant::now(),
                cpu.clone().map_or(0, |c| c.usage_usec),
                cpu.clone().map_or(0, |c| c.throttled),
                cpu.map_or(0, |c| c.periods),
                host_pid.map_or(0, cpu_ticks_of),
            )
        };
        let (t0, b0, th0, p0, h0) = read();
        std::thread::sleep(Duration::from_secs(seconds));
        let (t1, b1, th1, p1, h1) = read();
        let wall = (t1 - t0).as_secs_f64();
        let tps = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
            .ok()
            .flatten()
            .unwrap_or(100) as f64;
        crate::kernel::adopt_records(cpu_reads(
            cgroup,
            host_pid,
            wall,
            [b1 - b0, p1 - p0, th1 - th0, h1 - h0],
        ));
        facts.cpu = Some(CpuShare {
            box_percent: (b1 - b0) as f64 / 1e6 / wall * 100.0,
            host_percent: (h1 - h0) as f64 / tps / wall * 100.0,
            throttled: th1 - th0,
            periods: p1 - p0,
        });
        Ok(())
    }

    /// Two sibling cgroups with these weights, a busy loop in each, pinned to one CPU so they
    /// must share it (sched_setaffinity(2)); their usage over `seconds`. Removed afterwards.
    /// The host's own busy loop ends first: it would take a share of that CPU too.
    pub fn compete(
        &mut self,
        weights: &[u64],
        seconds: u64,
        ledger: &Ledger,
        facts: &mut CgroupFacts,
    ) -> Result<(), String> {
        if let Some(mut child) = self.host_busy.take() {
            let _ =
                crate::kernel::process::kill(child.id() as i32, nix::sys::signal::Signal::SIGKILL);
            let _ = child.wait();
        }
        let cpu = crate::kernel::process::allowed_cpus()
            .first()
            .copied()
            .unwrap_or(0);
        let mut runners: Vec<(u64, BoxCgroup, Child)> = Vec::new();
        let result = (|| {
            for &w in weights {
                let cg = BoxCgroup::create(
                    &self.layout,
                    ledger.id(),
                    &format!("weight-{w}"),
                    &[Controller::Cpu],
                    &mut |m| ledger.add_cgroup(&m),
                )
                .map_err(|e| e.to_string())?;
                cg.set(&Limit::CpuWeight(w)).map_err(|e| e.to_string())?;
                let child = load_command(&["spin", &(seconds + 5).to_string()])
                    .spawn()
                    .map_err(|e| e.to_string())?;
                let pid = child.id() as i32;
                ledger.add_process(pid);
                runners.push((w, cg, child));
                let cg = &runners.last().expect("just pushed").1;
                cg.add(pid).map_err(|e| e.to_string())?;
                // After the move: joining a cgroup with another cpuset resets the affinity.
                crate::kernel::process::pin_to_cpu(pid, cpu).map_err(|e| e.to_string())?;
            }
            // A moment to settle, then measure both over the same interval.
            std::thread::sleep(Duration::from_millis(300));
            let usage = |cg: &BoxCgroup| cg.usage().cpu.map_or(0, |c| c.usage_usec);
            let start: Vec<u64> = runners.iter().map(|(_, cg, _)| usage(cg)).collect();
            let t0 = Instant::now();
            std::thread::sleep(Duration::from_secs(seconds));
            let wall = t0.elapsed().as_secs_f64();
            facts.compete = runners
                .iter()
                .zip(start)
                .map(|((w, cg, _), s)| (*w, (usage(cg) - s) as f64 / 1e6 / wall * 100.0))
                .collect();
            Ok(())
        })();
        for (_, cg, mut child) in runners {
            let _ = child.kill();
            let _ = child.wait();
            cg.remove(false);
        }
        result
    }

    /// The lesson's `work` on the host, on `cpu`: microseconds.
    pub fn host_work(&self, rounds: u64, cpu: usize) -> Result<u64, String> {
        load(&["work", &rounds.to_string(), &cpu.to_string()]).map(|(_, micros)| micros)
    }

    pub fn host_spawn(&self, facts: &mut CgroupFacts) {
        let args = "\"true\", [\"true\"]";
        let start = Instant::now();
        // Written as every other program's line: fork's result, the child's pid; what waitpid
        // found and how long from fork to exit, in the note.
        let (r, record) = match Command::new("true").spawn() {
            Ok(mut child) => {
                let status = child.wait().map_or(-1, shell_status);
                let us = start.elapsed().as_micros() as u64;
                let ms = us as f64 / 1000.0;
                let record =
                    SyscallRecord::ok("fork+execve", args, child.id().to_string()).noted(detail!(
                        "exit status {status} after {ms:.1} ms",
                        "{ms:.1} ms 뒤 종료 상태 {status}"
                    ));
                (Ok(us), record)
            }
            Err(e) => (
                Err(format!("true: {e}")),
                SyscallRecord::failed("fork+execve", args, crate::kernel::errno_of(&e)),
            ),
        };
        crate::kernel::adopt_records(vec![record]);
        facts.host_spawn = Some(r);
    }

    pub fn host_write_file(
        &self,
        mb: u64,
        ledger: &Ledger,
        facts: &mut CgroupFacts,
    ) -> Result<(), String> {
        if let Some(IoFact::NoDevice(why)) = &facts.io {
            skipped(why);
            return Ok(());
        }
        let dir = self.scratch_dir(ledger)?;
        let (_, micros) = load(&["write", &dir.to_string_lossy(), &mb.to_string()])?;
        if let Some(IoFact::Device { host_write, .. }) = &mut facts.io {
            *host_write = Some((mb, micros));
        }
        Ok(())
    }
}

/// The limits a `limit` action names (see [`crate::agent::protocol::Action::Limit`]).
pub struct LimitSpec {
    pub memory: Option<String>,
    pub cpu_percent: Option<u64>,
    pub cpu_weight: Option<u64>,
    pub pids: Option<u64>,
    pub io_write: Option<String>,
}

/// A write the I/O lesson leaves out where no disk can be limited, shown with the reason.
pub fn skipped(why: &Detail) {
    let note = why.led_by("no timed write: ", "시간을 재는 쓰기는 하지 않음: ");
    crate::kernel::adopt_records(vec![SyscallRecord::note_only(note)]);
}

/// Why the I/O lesson cannot limit a disk here, in both languages.
fn no_disk(why: &NoDisk) -> Detail {
    match why {
        NoDisk::NoDevice { path, fs } => {
            let path = path.display();
            let (en, ko) = match fs {
                DeviceLess::Tmpfs => ("tmpfs (memory)", "tmpfs(메모리)"),
                DeviceLess::Overlay => (
                    "overlayfs (a container's root)",
                    "overlayfs(컨테이너의 루트)",
                ),
                DeviceLess::Other => ("a file system without a device", "장치 없는 파일 시스템"),
            };
            detail!(
                "{path} is on {en}, which has no block device to throttle",
                "{path}: {ko} 위에 있어 쓰기 속도를 제한할 블록 장치가 없다"
            )
        }
        NoDisk::Unreadable(e) => Detail::same(e.clone()),
    }
}

/// `64M`, `512K`, `1G`, `1048576`: bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("\"{s}\" is not a size: use a number with K, M or G"))?;
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        u if u.starts_with('.') => {
            return Err(format!(
                "\"{s}\": whole numbers only: use a smaller unit (512M, not 0.5G)"
            ));
        }
        _ => return Err(format!("\"{s}\": unknown unit {unit:?}: use K, M or G")),
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("\"{s}\" is too large"))
}

/// `boxlab __load ARGS` as a command: the same binary, so the host runs the box's code. It
/// dies with boxlab: it is in no cgroup or namespace of the box that cleanup would end.
fn load_command(args: &[&str]) -> Command {
    let mut cmd = Command::new("/proc/self/exe");
    cmd.arg("__load").args(args).stdin(Stdio::null());
    crate::kernel::process::dies_with_spawner(&mut cmd, nix::sys::signal::Signal::SIGKILL);
    cmd
}

fn load_record(args: &[&str], result: String) -> SyscallRecord {
    SyscallRecord::ok(
        "fork+execve",
        &format!("\"boxlab\", [\"__load\", \"{}\"]", args.join("\", \"")),
        result,
    )
}

/// Runs a load to its end: (exit status, the microseconds it printed, if any).
fn load(args: &[&str]) -> Result<(i32, u64), String> {
    let failed = |e: std::io::Error| format!("boxlab __load {}: {e}", args.join(" "));
    let child = load_command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(failed)?;
    let pid = child.id();
    let out = child.wait_with_output().map_err(failed)?;
    let status = shell_status(out.status);
    crate::kernel::adopt_records(vec![
        load_record(args, pid.to_string())
            .noted(detail!("exit status {status}", "종료 상태 {status}")),
    ]);
    if status != 0 {
        return Err(format!(
            "boxlab __load {}: exit status {status}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let micros = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    Ok((status, micros))
}

/// utime + stime of a process, in clock ticks (proc(5)).
/// The lines for measure_cpu's reads, each file read twice `wall` seconds apart, noted with
/// what grew between: `used` µs of CPU time, `periods` and `throttled` in cpu.stat, the host
/// loop's `ticks` (see cgroups(7) on cpu.stat, proc_pid_stat(5) on utime and stime).
fn cpu_reads(
    cgroup: &BoxCgroup,
    host_pid: Option<i32>,
    wall: f64,
    [used, periods, throttled, ticks]: [u64; 4],
) -> Vec<SyscallRecord> {
    let read = |path: &Path, grew: Detail| {
        SyscallRecord::ok("read", &format!("{path:?}"), "…".into())
            .on_host()
            .noted(Detail {
                en: format!("{wall:.1} s apart: {}", grew.en),
                ko: format!("{wall:.1}초 간격: {}", grew.ko),
            })
    };
    let seconds = used as f64 / 1e6;
    let time = detail!("CPU time +{seconds:.2} s", "CPU 시간 +{seconds:.2}초");
    let counts = format!("nr_periods +{periods}, nr_throttled +{throttled}");
    let mut records = Vec::new();
    if let Some((version, dir, acct)) = cgroup.cpu_dirs() {
        match version {
            cgroups::Version::V2 => records.push(read(
                &dir.join("cpu.stat"),
                Detail {
                    en: format!("{}, {counts}", time.en),
                    ko: format!("{}, {counts}", time.ko),
                },
            )),
            cgroups::Version::V1 => {
                records.push(read(&acct.join("cpuacct.usage"), time));
                records.push(read(&dir.join("cpu.stat"), Detail::same(counts)));
            }
        }
    }
    if let Some(pid) = host_pid {
        let path = PathBuf::from(format!("/proc/{pid}/stat"));
        records.push(read(
            &path,
            detail!("utime+stime +{ticks} ticks", "utime+stime +{ticks}틱"),
        ));
    }
    records
}

fn cpu_ticks_of(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| crate::probe::stat::parse(&s))
        .map_or(0, |s| s.utime + s.stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("64X").unwrap_err().contains("unknown unit"));
        assert!(parse_size("0.5G").unwrap_err().contains("512M"));
        assert!(
            parse_size("99999999999G")
                .unwrap_err()
                .contains("too large")
        );
        assert!(parse_size("lots").unwrap_err().contains("not a size"));
    }

    /// The I/O lesson's reason for not limiting a disk, on a tmpfs and on /proc (no device,
    /// neither tmpfs nor overlay), in both languages.
    #[test]
    fn no_disk_reasons() {
        let tmpfs = no_disk(&cgroups::disk_of(Path::new("/dev/shm")).unwrap_err());
        assert!(
            tmpfs
                .en
                .contains("on tmpfs (memory), which has no block device")
        );
        assert!(tmpfs.ko.contains("tmpfs(메모리) 위에 있어"));
        let proc = no_disk(&cgroups::disk_of(Path::new("/proc")).unwrap_err());
        assert!(proc.ko.contains("장치 없는 파일 시스템"), "{proc:?}");
        let gone = no_disk(&cgroups::disk_of(Path::new("/no/such/dir")).unwrap_err());
        assert_eq!(gone.en, gone.ko);
        assert!(gone.en.starts_with("/no/such/dir: "));
    }
}
