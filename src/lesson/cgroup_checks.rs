//! The cgroup lessons' checks: what the box's cgroup files say, and what the loads measured.
//! [`super::checks::Check`] holds the vocabulary; the descriptions and verdicts live here.

use super::checks::{Check, Evidence};
use super::limits::IoFact;
use crate::agent::BOMB_CAP;
use crate::kernel::cgroups::{Limit, Version, v1};
use crate::probe::resources::human_bytes;

/// What a cgroup check confirms, in English and Korean.
pub fn describe(check: &Check) -> (String, String) {
    let s = |en: &str, ko: &str| (en.to_string(), ko.to_string());
    match check {
        Check::BoxInOwnCgroup => s(
            "the box is in a cgroup of its own; boxlab is not",
            "박스는 자기 cgroup에 있고, boxlab은 그대로다",
        ),
        Check::LimitsInPlace => s(
            "every limit written reads back from the box's cgroup files",
            "써 넣은 제한이 모두 박스의 cgroup 파일에서 그대로 읽힌다",
        ),
        Check::OomKilled => s(
            "the kernel's OOM killer ended the memory hog (SIGKILL)",
            "커널의 OOM 킬러가 메모리 먹는 프로세스를 끝냈다 (SIGKILL)",
        ),
        Check::MemoryReachedLimit => s(
            "the box's memory climbed to its limit and no further",
            "박스의 메모리가 제한까지 올라가고 더는 넘지 않았다",
        ),
        Check::HostHogCompleted => s(
            "the same hog on the host ran to the end",
            "같은 프로그램이 호스트에서는 끝까지 실행되었다",
        ),
        Check::WorkRatioNearOne { within_percent } => (
            format!("the same work takes as long in the box as on the host (±{within_percent}%)"),
            format!("같은 작업이 박스에서도 호스트와 같은 시간이 걸린다 (±{within_percent}%)"),
        ),
        Check::BoxCpuNear { percent, within } => (
            format!("the box's loop gets about {percent}% of a CPU (±{within})"),
            format!("박스의 루프는 CPU 하나의 약 {percent}%를 받는다 (±{within})"),
        ),
        Check::HostCpuAboveBox => s(
            "the host's loop gets more CPU than the box's",
            "호스트의 루프가 박스의 루프보다 CPU를 더 받는다",
        ),
        Check::BoxThrottled => s(
            "the kernel throttled the box in some periods (cpu.stat)",
            "커널이 일부 주기에서 박스를 멈춰 세웠다 (cpu.stat)",
        ),
        Check::WeightsShareCpu => s(
            "one CPU was shared in proportion to the weights",
            "CPU 하나가 가중치에 비례해 나뉘었다",
        ),
        Check::ForkRefused { errno } => (
            format!("fork() failed with {errno} at the limit"),
            format!("제한에 닿자 fork()가 {errno} 오류로 실패했다"),
        ),
        Check::BombHeldAtLimit => s(
            "the bomb stopped exactly at pids.max",
            "포크 폭탄이 정확히 pids.max에서 멈췄다",
        ),
        Check::HostSpawnedQuickly => s(
            "the host started a new program at once meanwhile",
            "그동안 호스트는 새 프로그램을 곧바로 실행했다",
        ),
        Check::BoxPidsAtMost { count } => (
            format!("the box's cgroup holds at most {count} process(es)"),
            format!("박스의 cgroup에는 프로세스가 {count}개 이하다"),
        ),
        Check::BombCleared => s(
            "every bomb process is gone from the box's cgroup",
            "박스의 cgroup에서 폭탄 프로세스가 모두 사라졌다",
        ),
        Check::IoWriteHeld => s(
            "the box's writes were held to the limit; the host's were not",
            "박스의 쓰기는 제한에 묶였고, 호스트의 쓰기는 아니었다",
        ),
        _ => s("", ""),
    }
}

/// Whether a cgroup check passes, and the values it compared.
pub fn judge(check: &Check, ev: &Evidence) -> (bool, String) {
    let facts = &ev.facts.cgroup;
    let Some(usage) = ev.usage else {
        return (false, "the box has no cgroup of its own".into());
    };
    match check {
        Check::BoxInOwnCgroup => {
            let own: Vec<&str> = facts
                .dirs
                .iter()
                .filter_map(|d| d.file_name()?.to_str())
                .collect();
            let boxed = match &ev.outside.cgroups {
                Ok(lines) => lines
                    .iter()
                    .filter(|l| l.contains("/boxlab/") && own.iter().any(|o| l.ends_with(o)))
                    .count(),
                Err(e) => return (false, e.clone()),
            };
            let host_moved = ev
                .host
                .cgroups
                .as_ref()
                .is_ok_and(|l| l.iter().any(|l| l.contains("/boxlab/")));
            (
                boxed > 0 && !host_moved,
                if host_moved {
                    "boxlab itself moved into a boxlab cgroup".to_string()
                } else {
                    format!(
                        "the box is in its own boxlab cgroup in {boxed} hierarchies; boxlab is not"
                    )
                },
            )
        }
        Check::LimitsInPlace => {
            let mut bad = Vec::new();
            for limit in &facts.limits {
                let ok = match limit {
                    Limit::MemoryBytes(b) => {
                        usage.memory.as_ref().is_some_and(|m| m.limit == Some(*b))
                    }
                    Limit::CpuQuota {
                        quota_us,
                        period_us,
                    } => usage
                        .cpu
                        .as_ref()
                        .is_some_and(|c| c.quota == Some((*quota_us, *period_us))),
                    Limit::CpuWeight(w) => usage.cpu.as_ref().is_some_and(|c| {
                        c.weight
                            == Some(match c.version {
                                Version::V1 => v1::shares(*w),
                                Version::V2 => *w,
                            })
                    }),
                    Limit::Pids(n) => usage.pids.as_ref().is_some_and(|p| p.limit == Some(*n)),
                    Limit::IoWriteBps { bps, .. } => usage
                        .io
                        .as_ref()
                        .is_some_and(|io| io.write_limit.as_ref().is_some_and(|l| l.1 == *bps)),
                };
                if !ok {
                    bad.push(format!("{limit:?}"));
                }
            }
            if facts.limits.is_empty() && !matches!(facts.io, Some(IoFact::NoDevice(_))) {
                return (false, "no limit was written".into());
            }
            (
                bad.is_empty(),
                if bad.is_empty() {
                    format!("{} limit(s) read back", facts.limits.len())
                } else {
                    format!("not read back: {}", bad.join(", "))
                },
            )
        }
        Check::OomKilled => {
            let kills = usage.memory.as_ref().map_or(0, |m| m.oom_kills);
            match facts.hog {
                Some((status, mb)) => (
                    status == 128 + 9 && kills >= 1,
                    format!("hog exit status {status} after {mb} MiB; oom_kill {kills}"),
                ),
                None => (false, "the hog has not ended".into()),
            }
        }
        Check::MemoryReachedLimit => {
            let Some(m) = &usage.memory else {
                return (false, "no memory controller".into());
            };
            let Some(limit) = m.limit else {
                return (false, "no memory limit".into());
            };
            let reached = m
                .peak
                .unwrap_or_else(|| facts.hog.map_or(0, |(_, mb)| mb << 20));
            (
                reached >= limit * 8 / 10 && reached <= limit,
                format!(
                    "peak {} of limit {}",
                    human_bytes(reached),
                    human_bytes(limit)
                ),
            )
        }
        Check::HostHogCompleted => match &facts.host_hog {
            Some(Ok(0)) => (true, "exit status 0".into()),
            Some(Ok(s)) => (false, format!("exit status {s}")),
            Some(Err(e)) => (false, e.clone()),
            None => (false, "the host's hog did not run".into()),
        },
        Check::WorkRatioNearOne { within_percent } => match facts.work {
            Some((host, boxed)) => {
                let ratio = boxed as f64 / host.max(1) as f64;
                (
                    (ratio - 1.0).abs() * 100.0 <= *within_percent as f64,
                    format!(
                        "host {:.0} ms, box {:.0} ms: ratio {ratio:.2}",
                        host as f64 / 1000.0,
                        boxed as f64 / 1000.0
                    ),
                )
            }
            None => (false, "the work was not timed".into()),
        },
        Check::BoxCpuNear { percent, within } => match &facts.cpu {
            Some(c) => (
                (c.box_percent - *percent as f64).abs() <= *within as f64,
                format!("box {:.0}%, host {:.0}%", c.box_percent, c.host_percent),
            ),
            None => (false, "the CPU was not measured".into()),
        },
        Check::HostCpuAboveBox => match &facts.cpu {
            Some(c) => (
                c.host_percent > c.box_percent * 1.3,
                format!("host {:.0}%, box {:.0}%", c.host_percent, c.box_percent),
            ),
            None => (false, "the CPU was not measured".into()),
        },
        Check::BoxThrottled => match &facts.cpu {
            Some(c) => (
                c.throttled > 0,
                format!("throttled in {} of {} periods", c.throttled, c.periods),
            ),
            None => (false, "the CPU was not measured".into()),
        },
        Check::WeightsShareCpu => match facts.compete.as_slice() {
            [(w1, p1), (w2, p2)] => {
                let want = *w2 as f64 / *w1 as f64;
                let got = p2 / p1.max(0.1);
                (
                    got / want > 0.6 && got / want < 1.6 && p1 + p2 > 70.0,
                    format!(
                        "weight {w1}: {p1:.0}%, weight {w2}: {p2:.0}% (ratio {got:.1}, weights {want:.1})"
                    ),
                )
            }
            _ => (false, "two cgroups did not compete".into()),
        },
        Check::ForkRefused { errno } => match &facts.bomb {
            Some((forked, e)) => (
                e == errno && *forked < BOMB_CAP,
                format!("{forked} forks, then {e}"),
            ),
            None => (false, "no fork bomb ran".into()),
        },
        Check::BombHeldAtLimit => match &facts.bomb_pids {
            Some(p) => (
                p.limit.is_some_and(|l| p.current == l),
                format!(
                    "pids.current {} of pids.max {}",
                    p.current,
                    p.limit.map_or("max".into(), |l| l.to_string())
                ),
            ),
            None => (false, "no pids count during the bomb".into()),
        },
        Check::HostSpawnedQuickly => match &facts.host_spawn {
            Some(Ok(us)) => (*us < 1_000_000, format!("{:.1} ms", *us as f64 / 1000.0)),
            Some(Err(e)) => (false, e.clone()),
            None => (false, "the host started nothing".into()),
        },
        Check::BoxPidsAtMost { count } => match &usage.pids {
            Some(p) => (p.current <= *count, format!("pids.current {}", p.current)),
            None => (false, "no pids controller".into()),
        },
        Check::BombCleared => match facts.bomb_left {
            Some(left) => (
                left == 0,
                format!(
                    "{left} fork-bomb process(es) left; pids.current {}",
                    usage.pids.as_ref().map_or(0, |p| p.current)
                ),
            ),
            None => (false, "the bomb was not ended".into()),
        },
        Check::IoWriteHeld => match &facts.io {
            Some(IoFact::NoDevice(why)) => (true, format!("not measurable here: {why}")),
            Some(IoFact::Device {
                limit_bps: Some(limit),
                box_write: Some((bmb, bus)),
                host_write: Some((hmb, hus)),
                ..
            }) => {
                let rate = |mb: u64, us: u64| (mb << 20) as f64 / (us.max(1) as f64 / 1e6);
                let (b, h) = (rate(*bmb, *bus), rate(*hmb, *hus));
                (
                    b <= *limit as f64 * 1.25 && h > b,
                    format!(
                        "box {}/s, host {}/s, limit {}/s",
                        human_bytes(b as u64),
                        human_bytes(h as u64),
                        human_bytes(*limit)
                    ),
                )
            }
            _ => (false, "both sides must write after an I/O limit".into()),
        },
        _ => (false, String::new()),
    }
}
