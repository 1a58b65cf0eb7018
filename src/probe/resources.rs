//! The host's totals for the resource pane: memory (/proc/meminfo), CPU time (/proc/stat),
//! processes (/proc), and bytes moved by its disks (/proc/diskstats). proc(5).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostTotals {
    pub memory_total: u64,
    /// What the kernel could give out without swapping (MemAvailable).
    pub memory_available: u64,
    /// CPU time spent busy and in all, summed over CPUs, in clock ticks (`ticks_per_sec`).
    pub cpu_busy_ticks: u64,
    pub cpu_total_ticks: u64,
    pub ticks_per_sec: u64,
    pub cpus: u64,
    pub processes: u64,
    /// Bytes read and written by the physical disks since boot.
    pub disk_read_bytes: u64,
    pub disk_write_bytes: u64,
}

impl HostTotals {
    pub fn read() -> HostTotals {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let (memory_total, memory_available) = parse_meminfo(&read("/proc/meminfo"));
        let (cpu_busy_ticks, cpu_total_ticks) = parse_stat(&read("/proc/stat"));
        let (disk_read_bytes, disk_write_bytes) = parse_diskstats(&read("/proc/diskstats"), |n| {
            // A physical disk has a `device` link; loop, zram and device-mapper disks do not and
            // would count the same bytes twice.
            std::path::Path::new("/sys/block")
                .join(n)
                .join("device")
                .exists()
        });
        let processes = std::fs::read_dir("/proc").map_or(0, |d| {
            d.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                })
                .count() as u64
        });
        let sysconf = |v| nix::unistd::sysconf(v).ok().flatten().unwrap_or(0) as u64;
        HostTotals {
            memory_total,
            memory_available,
            cpu_busy_ticks,
            cpu_total_ticks,
            ticks_per_sec: sysconf(nix::unistd::SysconfVar::CLK_TCK).max(1),
            cpus: sysconf(nix::unistd::SysconfVar::_NPROCESSORS_ONLN).max(1),
            processes,
            disk_read_bytes,
            disk_write_bytes,
        }
    }
}

/// (MemTotal, MemAvailable) in bytes.
pub fn parse_meminfo(text: &str) -> (u64, u64) {
    let kb = |key: &str| -> u64 {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(key)?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse()
                    .ok()
            })
            .unwrap_or(0)
    };
    (kb("MemTotal:") * 1024, kb("MemAvailable:") * 1024)
}

/// (busy, total) ticks from the `cpu` line: busy is user+nice+system+irq+softirq+steal,
/// total adds idle and iowait.
pub fn parse_stat(text: &str) -> (u64, u64) {
    let Some(line) = text.lines().find(|l| l.starts_with("cpu ")) else {
        return (0, 0);
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    let busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
    (busy, busy + at(3) + at(4))
}

/// Bytes read and written (sectors of 512 bytes) by the disks `counted` accepts.
pub fn parse_diskstats(text: &str, counted: impl Fn(&str) -> bool) -> (u64, u64) {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 10 && counted(f[2])).then(|| {
                let n = |i: usize| f[i].parse::<u64>().unwrap_or(0) * 512;
                (n(5), n(9))
            })
        })
        .fold((0, 0), |(r, w), (a, b)| (r + a, w + b))
}

/// `64.0M`, `1.5G`: binary units, one decimal.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "K", "M", "G", "T"];
    let mut v = b as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b}B")
    } else {
        format!("{v:.1}{}", UNITS[unit])
    }
}

/// Both sides of the resource pane at one moment: the host's totals and the box's cgroup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub host: HostTotals,
    /// None until the box has a cgroup of its own.
    pub boxed: Option<crate::kernel::cgroups::Usage>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/resources/");

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{DIR}{name}")).unwrap()
    }

    #[test]
    fn human() {
        assert_eq!(human_bytes(512), "512B");
        assert_eq!(human_bytes(64 << 20), "64.0M");
        assert_eq!(human_bytes(3 << 29), "1.5G");
    }

    #[test]
    fn meminfo() {
        assert_eq!(
            parse_meminfo(&fixture("meminfo.txt")),
            (24684096 * 1024, 24344288 * 1024)
        );
    }

    #[test]
    fn stat_sums_the_cpu_line_only() {
        assert_eq!(
            parse_stat(&fixture("stat.txt")),
            (4661 + 1835 + 14 + 8, 4661 + 1835 + 14 + 8 + 95071 + 134)
        );
    }

    #[test]
    fn diskstats_counts_whole_physical_disks() {
        let (r, w) = parse_diskstats(&fixture("diskstats.txt"), |n| n == "vda");
        assert_eq!((r, w), (1766082 * 512, 1445728 * 512));
    }

    #[test]
    fn reads_this_host() {
        let h = HostTotals::read();
        assert!(h.memory_total > 0 && h.memory_available <= h.memory_total);
        assert!(h.cpu_total_ticks >= h.cpu_busy_ticks && h.cpus >= 1);
        assert!(h.processes >= 1);
    }
}
