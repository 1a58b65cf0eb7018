//! cgroup v2 (Documentation/admin-guide/cgroup-v2.rst): one hierarchy; a controller reaches a
//! cgroup only if its parent lists it in `cgroup.subtree_control`, and a cgroup with processes
//! in it cannot do that (the root cgroup excepted).

use std::path::Path;

use super::{
    Controller, CpuUsage, IoUsage, KernelError, Limit, Made, MemoryUsage, PidsUsage, Version,
    keyed, read_limit, read_u64, write,
};

/// Enables `wanted` in `dir/cgroup.subtree_control` where it is offered and not yet enabled,
/// in one write (`+memory +cpu`), noting each one first.
pub fn enable(
    dir: &Path,
    wanted: &[Controller],
    note: &mut dyn FnMut(Made),
) -> Result<(), KernelError> {
    if wanted.is_empty() {
        return Ok(());
    }
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    let (offered, enabled) = (read("cgroup.controllers"), read("cgroup.subtree_control"));
    let has = |list: &str, c: Controller| list.split_whitespace().any(|n| n == c.v2_name());
    for &c in wanted.iter().filter(|&&c| has(&enabled, c)) {
        note(Made::FoundEnabled(dir.to_path_buf(), c));
    }
    let add: Vec<Controller> = wanted
        .iter()
        .copied()
        .filter(|&c| has(&offered, c) && !has(&enabled, c))
        .collect();
    if add.is_empty() {
        return Ok(());
    }
    for &c in &add {
        note(Made::Enabled(dir.to_path_buf(), c));
    }
    let value: Vec<String> = add.iter().map(|c| format!("+{}", c.v2_name())).collect();
    write(&dir.join("cgroup.subtree_control"), &value.join(" "))
}

/// Takes a controller back out of `dir/cgroup.subtree_control` (undoing [`enable`]).
pub fn disable(dir: &Path, c: Controller) -> Result<(), KernelError> {
    write(
        &dir.join("cgroup.subtree_control"),
        &format!("-{}", c.v2_name()),
    )
}

/// The file and value of a limit.
pub fn file_for(limit: &Limit) -> (&'static str, String) {
    match limit {
        Limit::MemoryBytes(b) => ("memory.max", b.to_string()),
        Limit::CpuQuota {
            quota_us,
            period_us,
        } => ("cpu.max", format!("{quota_us} {period_us}")),
        Limit::CpuWeight(w) => ("cpu.weight", w.to_string()),
        Limit::Pids(n) => ("pids.max", n.to_string()),
        Limit::IoWriteBps {
            device: (ma, mi),
            bps,
        } => ("io.max", format!("{ma}:{mi} wbps={bps}")),
    }
}

pub fn set(dir: &Path, limit: &Limit) -> Result<(), KernelError> {
    let (file, value) = file_for(limit);
    write(&dir.join(file), &value)?;
    // Without swap the memory limit is a hard wall; with it, the box would swap instead of
    // meeting the OOM killer (memory.swap.max exists only where swap accounting is on).
    let swap = dir.join("memory.swap.max");
    if matches!(limit, Limit::MemoryBytes(_)) && swap.exists() {
        write(&swap, "0")?;
    }
    Ok(())
}

pub fn memory(dir: &Path) -> Option<MemoryUsage> {
    let events = std::fs::read_to_string(dir.join("memory.events")).unwrap_or_default();
    Some(MemoryUsage {
        current: read_u64(&dir.join("memory.current"))?,
        limit: read_limit(&dir.join("memory.max")).flatten(),
        peak: read_u64(&dir.join("memory.peak")),
        hit_limit: keyed(&events, "max").unwrap_or(0),
        oom_kills: keyed(&events, "oom_kill").unwrap_or(0),
    })
}

/// cpu.stat has usage in every v2 cgroup; the throttling counts come with the cpu controller.
pub fn cpu(dir: &Path) -> Option<CpuUsage> {
    let stat = std::fs::read_to_string(dir.join("cpu.stat")).ok()?;
    let quota = std::fs::read_to_string(dir.join("cpu.max"))
        .ok()
        .and_then(|s| parse_cpu_max(&s));
    Some(CpuUsage {
        version: Version::V2,
        usage_usec: keyed(&stat, "usage_usec")?,
        quota,
        weight: read_u64(&dir.join("cpu.weight")),
        periods: keyed(&stat, "nr_periods").unwrap_or(0),
        throttled: keyed(&stat, "nr_throttled").unwrap_or(0),
        throttled_usec: keyed(&stat, "throttled_usec").unwrap_or(0),
    })
}

/// `50000 100000` → Some((50000, 100000)); `max 100000` → None.
pub fn parse_cpu_max(s: &str) -> Option<(u64, u64)> {
    let (q, p) = s.trim().split_once(' ')?;
    Some((q.parse().ok()?, p.parse().ok()?))
}

/// pids.current, pids.max and pids.events: the same names on v1.
pub fn pids(dir: &Path) -> Option<PidsUsage> {
    let events = std::fs::read_to_string(dir.join("pids.events")).unwrap_or_default();
    Some(PidsUsage {
        current: read_u64(&dir.join("pids.current"))?,
        limit: read_limit(&dir.join("pids.max")).flatten(),
        refused: keyed(&events, "max").unwrap_or(0),
    })
}

pub fn io(dir: &Path) -> Option<IoUsage> {
    let stat = std::fs::read_to_string(dir.join("io.stat")).ok()?;
    let max = std::fs::read_to_string(dir.join("io.max")).unwrap_or_default();
    let (read_bytes, write_bytes) = parse_io_stat(&stat);
    Some(IoUsage {
        read_bytes,
        write_bytes,
        write_limit: parse_io_max(&max),
    })
}

/// Sums `rbytes=` and `wbytes=` over the devices of io.stat
/// (`254:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0`).
pub fn parse_io_stat(text: &str) -> (u64, u64) {
    let field = |key: &str| -> u64 {
        text.split_whitespace()
            .filter_map(|kv| kv.strip_prefix(key)?.parse::<u64>().ok())
            .sum()
    };
    (field("rbytes="), field("wbytes="))
}

/// The first device with a write limit in io.max (`254:0 rbps=max wbps=2097152 ...`).
pub fn parse_io_max(text: &str) -> Option<(String, u64)> {
    text.lines().find_map(|l| {
        let mut it = l.split_whitespace();
        let dev = it.next()?;
        let bps = it.find_map(|kv| kv.strip_prefix("wbps="))?.parse().ok()?;
        Some((dev.to_string(), bps))
    })
}
