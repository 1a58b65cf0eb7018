//! cgroup v1 (Documentation/admin-guide/cgroup-v1/): a hierarchy per controller (or a few
//! mounted together, like `cpu,cpuacct`), each with its own files and units.

use std::path::Path;

use super::{
    CpuUsage, IoUsage, KernelError, Limit, MemoryUsage, Version, keyed, read_limit, read_u64, write,
};

/// v1 writes "no limit" as the largest page-aligned long; anything this large means none.
const UNLIMITED: u64 = 1 << 62;

/// The file and value of a limit.
pub fn file_for(limit: &Limit) -> (&'static str, String) {
    match limit {
        Limit::MemoryBytes(b) => ("memory.limit_in_bytes", b.to_string()),
        Limit::CpuQuota { quota_us, .. } => ("cpu.cfs_quota_us", quota_us.to_string()),
        Limit::CpuWeight(w) => ("cpu.shares", shares(*w).to_string()),
        Limit::Pids(n) => ("pids.max", n.to_string()),
        Limit::IoWriteBps {
            device: (ma, mi),
            bps,
        } => (
            "blkio.throttle.write_bps_device",
            format!("{ma}:{mi} {bps}"),
        ),
    }
}

/// v2's weight 100 is v1's 1024 shares.
pub fn shares(weight: u64) -> u64 {
    weight * 1024 / 100
}

pub fn set(dir: &Path, limit: &Limit) -> Result<(), KernelError> {
    if let Limit::CpuQuota { period_us, .. } = limit {
        write(&dir.join("cpu.cfs_period_us"), &period_us.to_string())?;
    }
    let (file, value) = file_for(limit);
    write(&dir.join(file), &value)?;
    // The memory+swap limit, where swap accounting is on, keeps the box from swapping instead
    // of meeting the OOM killer. It may not be below memory.limit_in_bytes: set after it.
    let memsw = dir.join("memory.memsw.limit_in_bytes");
    if let Limit::MemoryBytes(b) = limit
        && memsw.exists()
    {
        write(&memsw, &b.to_string())?;
    }
    Ok(())
}

pub fn memory(dir: &Path) -> Option<MemoryUsage> {
    let oom = std::fs::read_to_string(dir.join("memory.oom_control")).unwrap_or_default();
    Some(MemoryUsage {
        current: read_u64(&dir.join("memory.usage_in_bytes"))?,
        limit: read_u64(&dir.join("memory.limit_in_bytes")).filter(|&l| l < UNLIMITED),
        peak: read_u64(&dir.join("memory.max_usage_in_bytes")),
        hit_limit: read_u64(&dir.join("memory.failcnt")).unwrap_or(0),
        // `oom_kill N` is in memory.oom_control from Linux 4.13.
        oom_kills: keyed(&oom, "oom_kill").unwrap_or(0),
    })
}

/// Throttling from the cpu hierarchy's cpu.stat (times in ns), usage from cpuacct.usage (ns),
/// which may live in another hierarchy (`acct`).
pub fn cpu(dir: &Path, acct: &Path) -> Option<CpuUsage> {
    let stat = std::fs::read_to_string(dir.join("cpu.stat")).unwrap_or_default();
    let quota = read_limit(&dir.join("cpu.cfs_quota_us"))
        .flatten()
        .zip(read_u64(&dir.join("cpu.cfs_period_us")));
    Some(CpuUsage {
        version: Version::V1,
        usage_usec: read_u64(&acct.join("cpuacct.usage"))? / 1000,
        quota,
        weight: read_u64(&dir.join("cpu.shares")),
        periods: keyed(&stat, "nr_periods").unwrap_or(0),
        throttled: keyed(&stat, "nr_throttled").unwrap_or(0),
        throttled_usec: keyed(&stat, "throttled_time").unwrap_or(0) / 1000,
    })
}

pub fn io(dir: &Path) -> Option<IoUsage> {
    let stat = std::fs::read_to_string(dir.join("blkio.throttle.io_service_bytes")).ok()?;
    let max =
        std::fs::read_to_string(dir.join("blkio.throttle.write_bps_device")).unwrap_or_default();
    let (read_bytes, write_bytes) = parse_service_bytes(&stat);
    Some(IoUsage {
        read_bytes,
        write_bytes,
        write_limit: max.lines().find_map(|l| {
            let (dev, bps) = l.split_once(' ')?;
            Some((dev.to_string(), bps.trim().parse().ok()?))
        }),
    })
}

/// Sums the `Read` and `Write` lines of blkio.throttle.io_service_bytes
/// (`254:0 Read 4096`, ..., `Total 4096`).
pub fn parse_service_bytes(text: &str) -> (u64, u64) {
    let sum = |op: &str| -> u64 {
        text.lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.len() == 3 && f[1] == op).then(|| f[2].parse::<u64>().ok())?
            })
            .sum()
    };
    (sum("Read"), sum("Write"))
}
