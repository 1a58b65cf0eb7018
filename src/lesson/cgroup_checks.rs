//! The cgroup lessons' checks: what the box's cgroup files say, and what the loads measured.
//! [`super::checks::Check`] holds the vocabulary; the descriptions and verdicts live here.

use super::checks::{Check, Evidence};
use super::limits::IoFact;
use crate::agent::BOMB_CAP;
use crate::kernel::cgroups::{Limit, Version, v1};
use crate::lang::{Detail, detail};
use crate::probe::resources::human_bytes;

/// What a cgroup check confirms, in English and Korean.
pub fn describe(check: &Check) -> (String, String) {
    let s = |en: &str, ko: &str| (en.to_string(), ko.to_string());
    match check {
        Check::BoxInOwnCgroup => s(
            "the box is in a cgroup of its own; boxlab is not",
            "박스는 자기 cgroup에 있고, boxlab 자신은 원래 cgroup 그대로다",
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
            "cpu.stat: the kernel throttled the box",
            "cpu.stat: 커널이 박스를 멈춰 세웠다",
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
            format!(
                "the box's cgroup holds no more than {}",
                crate::lang::count_of(*count, "process", "processes")
            ),
            format!("박스의 cgroup에는 프로세스가 {count}개 이하다"),
        ),
        Check::BombCleared => s(
            "every bomb process is gone from the box's cgroup",
            "박스의 cgroup에서 폭탄 프로세스가 모두 사라졌다",
        ),
        Check::IoWriteHeld => s(
            "the box's writes were held to the limit; the host's were not",
            "박스의 쓰기는 제한에 묶였고, 호스트의 쓰기는 묶이지 않았다",
        ),
        _ => s("", ""),
    }
}

/// Whether a cgroup check passes, and the values it compared.
pub fn judge(check: &Check, ev: &Evidence) -> (bool, Detail) {
    let facts = &ev.facts.cgroup;
    let Some(usage) = ev.usage else {
        return (
            false,
            detail!(
                "the box has no cgroup of its own",
                "박스에 자기 cgroup이 없다"
            ),
        );
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
                    detail!(
                        "boxlab itself moved into a boxlab cgroup",
                        "boxlab 자체가 boxlab cgroup으로 옮겨졌다"
                    )
                } else {
                    detail!(
                        "the box is in its own boxlab cgroup in {boxed} hierarchies; boxlab is not",
                        "cgroup 계층 {boxed}개에서 박스가 자기 boxlab cgroup에 있음; boxlab 자신은 옮겨지지 않음"
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
                    bad.push(show_limit(limit));
                }
            }
            if facts.limits.is_empty() && !matches!(facts.io, Some(IoFact::NoDevice(_))) {
                return (
                    false,
                    detail!("no limit was written", "써 넣은 제한이 없다"),
                );
            }
            (
                bad.is_empty(),
                if bad.is_empty() {
                    // Named, not counted: one limit may take two files (v1's memory and
                    // memsw limits, cfs quota and period), so a count would not match the
                    // writes the syscall pane lists.
                    detail!(
                        "limits read back: {}",
                        "그대로 읽힌 제한: {}",
                        facts
                            .limits
                            .iter()
                            .map(show_limit)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    detail!("not read back: {}", "읽히지 않은 제한: {}", bad.join(", "))
                },
            )
        }
        Check::OomKilled => {
            let kills = usage.memory.as_ref().map_or(0, |m| m.oom_kills);
            match facts.hog {
                Some((status, mb)) => (
                    status == 128 + 9 && kills >= 1,
                    detail!(
                        "hog exit status {status} after {mb} MiB; oom_kill {kills}",
                        "메모리 먹는 프로세스: {mb} MiB 할당 뒤 종료 상태 {status}; oom_kill {kills}"
                    ),
                ),
                None => (
                    false,
                    detail!(
                        "the hog has not ended",
                        "메모리 먹는 프로세스가 아직 끝나지 않았다"
                    ),
                ),
            }
        }
        Check::MemoryReachedLimit => {
            let Some(m) = &usage.memory else {
                return (
                    false,
                    detail!("no memory controller", "memory 컨트롤러가 없다"),
                );
            };
            let Some(limit) = m.limit else {
                return (false, detail!("no memory limit", "메모리 제한이 없다"));
            };
            let reached = m
                .peak
                .unwrap_or_else(|| facts.hog.map_or(0, |(_, mb)| mb << 20));
            (
                reached >= limit * 8 / 10 && reached <= limit,
                detail!(
                    "peak {} of limit {}",
                    "최고 사용량 {}, 제한 {}",
                    human_bytes(reached),
                    human_bytes(limit)
                ),
            )
        }
        Check::HostHogCompleted => match &facts.host_hog {
            Some(Ok(0)) => (true, detail!("exit status 0", "종료 상태 0")),
            Some(Ok(s)) => (false, detail!("exit status {s}", "종료 상태 {s}")),
            Some(Err(e)) => (false, Detail::same(e.clone())),
            None => (
                false,
                detail!(
                    "the host's hog did not run",
                    "호스트에서 메모리 먹는 프로세스가 실행되지 않았다"
                ),
            ),
        },
        Check::WorkRatioNearOne { within_percent } => match facts.work {
            Some((host, boxed)) => {
                let ratio = boxed as f64 / host.max(1) as f64;
                (
                    (ratio - 1.0).abs() * 100.0 <= *within_percent as f64,
                    detail!(
                        "host {:.0} ms, box {:.0} ms: ratio {ratio:.2}",
                        "호스트 {:.0} ms, 박스 {:.0} ms: 비율 {ratio:.2}",
                        host as f64 / 1000.0,
                        boxed as f64 / 1000.0
                    ),
                )
            }
            None => (
                false,
                detail!("the work was not timed", "작업 시간을 재지 않았다"),
            ),
        },
        Check::BoxCpuNear { percent, within } => match &facts.cpu {
            Some(c) => (
                (c.box_percent - *percent as f64).abs() <= *within as f64,
                detail!(
                    "box {:.0}%, host {:.0}%",
                    "박스 {:.0}%, 호스트 {:.0}%",
                    c.box_percent,
                    c.host_percent
                ),
            ),
            None => (false, cpu_not_measured()),
        },
        Check::HostCpuAboveBox => match &facts.cpu {
            Some(c) => (
                c.host_percent > c.box_percent * 1.3,
                detail!(
                    "host {:.0}%, box {:.0}%",
                    "호스트 {:.0}%, 박스 {:.0}%",
                    c.host_percent,
                    c.box_percent
                ),
            ),
            None => (false, cpu_not_measured()),
        },
        Check::BoxThrottled => match &facts.cpu {
            Some(c) => (
                c.throttled > 0,
                detail!(
                    "in {} of the {} periods measured",
                    "측정한 주기 {1}개 중 {0}개",
                    c.throttled,
                    c.periods
                ),
            ),
            None => (false, cpu_not_measured()),
        },
        Check::WeightsShareCpu => match facts.compete.as_slice() {
            [(w1, p1), (w2, p2)] => {
                let want = *w2 as f64 / *w1 as f64;
                let got = p2 / p1.max(0.1);
                (
                    got / want > 0.6 && got / want < 1.6 && p1 + p2 > 70.0,
                    detail!(
                        "weight {w1}: {p1:.0}%, weight {w2}: {p2:.0}% (ratio {got:.1}, weights {want:.1})",
                        "가중치 {w1}: {p1:.0}%, 가중치 {w2}: {p2:.0}% (CPU 비 {got:.1}, 가중치 비 {want:.1})"
                    ),
                )
            }
            _ => (
                false,
                detail!("two cgroups did not compete", "두 cgroup이 경쟁하지 않았다"),
            ),
        },
        Check::ForkRefused { errno } => match &facts.bomb {
            Some((forked, e)) => (
                e == errno && *forked < BOMB_CAP,
                detail!(
                    "the leader's {forked} forks, then {e}",
                    "리더의 fork {forked}번 성공 뒤 오류: {e}"
                ),
            ),
            None => (
                false,
                detail!("no fork bomb ran", "포크 폭탄이 실행되지 않았다"),
            ),
        },
        Check::BombHeldAtLimit => match &facts.bomb_pids {
            Some(p) => (
                p.limit.is_some_and(|l| p.current == l),
                detail!(
                    "pids.current {} of pids.max {}",
                    "pids.current {} / pids.max {}",
                    p.current,
                    p.limit.map_or("max".into(), |l| l.to_string())
                ),
            ),
            None => (
                false,
                detail!(
                    "no pids count during the bomb",
                    "포크 폭탄 실행 중에 프로세스 수(pids.current)를 읽지 못했다"
                ),
            ),
        },
        Check::HostSpawnedQuickly => match &facts.host_spawn {
            Some(Ok(us)) => (
                *us < 1_000_000,
                Detail::same(format!("{:.1} ms", *us as f64 / 1000.0)),
            ),
            Some(Err(e)) => (false, Detail::same(e.clone())),
            None => (
                false,
                detail!(
                    "the host started nothing",
                    "호스트가 아무것도 실행하지 않았다"
                ),
            ),
        },
        Check::BoxPidsAtMost { count } => match &usage.pids {
            Some(p) => (
                p.current <= *count,
                Detail::same(format!("pids.current {}", p.current)),
            ),
            None => (false, detail!("no pids controller", "pids 컨트롤러가 없다")),
        },
        Check::BombCleared => match facts.bomb_left {
            Some(left) => (
                left == 0,
                detail!(
                    "fork-bomb processes left: {left}; pids.current {}",
                    "남은 포크 폭탄 프로세스 {left}개; pids.current {}",
                    usage.pids.as_ref().map_or(0, |p| p.current)
                ),
            ),
            None => (
                false,
                detail!("the bomb was not ended", "포크 폭탄을 끝내지 않았다"),
            ),
        },
        Check::IoWriteHeld => match &facts.io {
            Some(IoFact::NoDevice(why)) => (
                true,
                why.led_by("not measurable here: ", "여기서는 잴 수 없다: "),
            ),
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
                    detail!(
                        "box {}/s, host {}/s, limit {}/s",
                        "박스 {}/s, 호스트 {}/s, 제한 {}/s",
                        human_bytes(b as u64),
                        human_bytes(h as u64),
                        human_bytes(*limit)
                    ),
                )
            }
            _ => (
                false,
                detail!(
                    "both sides must write after an I/O limit",
                    "I/O 제한을 건 뒤 호스트와 박스 모두 쓰기를 해야 한다"
                ),
            ),
        },
        _ => (false, Detail::same("")),
    }
}

fn cpu_not_measured() -> Detail {
    detail!("the CPU was not measured", "CPU 사용량을 재지 않았다")
}

/// A limit as the "not read back" detail names it: the controller and the value written, in
/// the kernel's units, which read the same in both languages.
fn show_limit(limit: &Limit) -> String {
    match limit {
        Limit::MemoryBytes(b) => format!("memory {}", human_bytes(*b)),
        Limit::CpuQuota {
            quota_us,
            period_us,
        } => format!("cpu {quota_us}/{period_us} us"),
        Limit::CpuWeight(w) => format!("cpu weight {w}"),
        Limit::Pids(n) => format!("pids {n}"),
        Limit::IoWriteBps {
            device: (major, minor),
            bps,
        } => format!("io {major}:{minor} {}/s", human_bytes(*bps)),
    }
}
