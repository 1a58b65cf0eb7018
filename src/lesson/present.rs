//! The host and box panes as text rows, in the learner's language. The TUI styles these rows;
//! `boxlab transcript` prints them. One place decides what each row says.

use super::layer_checks;
use super::layers::LayersSample;
use super::runner::StepReport;
use super::types::Row;
use crate::lang::{Lang, count_of};
use crate::probe::resources::{Sample, human_bytes};
use crate::probe::{self, MountEntry, ProcessInfo, View};
use crate::tui::resources;
use crate::tui::strings::{self as s, S};
use unicode_width::UnicodeWidthStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Host,
    Box,
}

/// One row of a pane: a label and one or more lines of values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaneRow {
    pub row: Row,
    pub label: String,
    pub lines: Vec<String>,
}

/// The rows of one side for a step. `max_processes` caps the lines of a process list.
pub fn pane(
    rows: &[Row],
    report: &StepReport,
    side: Side,
    lang: Lang,
    max_processes: usize,
) -> Vec<PaneRow> {
    let ko = lang == Lang::Ko;
    let view = match side {
        Side::Host => Some(&report.host),
        Side::Box => report.boxed.as_ref(),
    };
    let Some(view) = view else {
        let text = if ko {
            "(아직 박스가 없습니다)"
        } else {
            "(no box yet)"
        };
        return vec![PaneRow {
            row: Row::Hostname,
            label: String::new(),
            lines: vec![text.into()],
        }];
    };
    rows.iter()
        .map(|&row| PaneRow {
            row,
            label: label(row, lang),
            lines: lines(row, view, report, side, lang, max_processes),
        })
        .collect()
}

pub fn label(row: Row, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    match row {
        Row::Hostname => if ko { "호스트 이름" } else { "hostname" }.into(),
        Row::Kernel => if ko { "커널" } else { "kernel" }.into(),
        Row::Pid => "PID".into(),
        Row::Root => if ko { "루트 /" } else { "root /" }.into(),
        Row::Ns(ns) => format!("ns/{}", ns.proc_name()),
        Row::ForChildren(_) => if ko { "자식용 ns" } else { "children ns" }.into(),
        Row::Creds => if ko { "사용자" } else { "ids" }.into(),
        Row::Net => if ko { "네트워크" } else { "network" }.into(),
        Row::Ipc => if ko { "IPC 객체" } else { "IPC objects" }.into(),
        Row::Clocks => if ko { "시계" } else { "clocks" }.into(),
        Row::Cgroup => "cgroup".into(),
        Row::Processes => if ko { "프로세스" } else { "processes" }.into(),
        Row::Mounts => if ko { "마운트" } else { "mounts" }.into(),
        Row::Resources => if ko { "자원" } else { "resources" }.into(),
        Row::Layers => if ko { "레이어" } else { "layers" }.into(),
    }
}

fn lines(
    row: Row,
    view: &View,
    report: &StepReport,
    side: Side,
    lang: Lang,
    max: usize,
) -> Vec<String> {
    let ko = lang == Lang::Ko;
    match row {
        Row::Hostname => vec![view.hostname.clone()],
        Row::Kernel => {
            let boot = view
                .boot_id
                .as_ref()
                .map_or_else(|_| "?".into(), |b| b.chars().take(8).collect::<String>());
            vec![format!("{}  boot_id {boot}…", view.kernel)]
        }
        Row::Pid => match side {
            Side::Box => vec![if ko {
                format!("내 PID: {}", view.pid)
            } else {
                format!("my PID: {}", view.pid)
            }],
            Side::Host => {
                let Some(pid) = report.box_pid else {
                    return vec!["-".into()];
                };
                let nspid = view.process(pid).map(nspid).unwrap_or_default();
                let first = if ko {
                    format!("박스 = PID {pid}")
                } else {
                    format!("box = PID {pid}")
                };
                vec![first, format!("NSpid: {nspid}")]
            }
        },
        Row::Root => match &view.root {
            Ok(r) => vec![r.entries.join(" "), r.id.to_string()],
            Err(e) => vec![e.get(lang).to_string()],
        },
        Row::Ns(ns) => {
            let own = view
                .namespaces
                .as_ref()
                .ok()
                .and_then(|m| m.get(&ns).copied());
            match (own, side) {
                (Some(inode), _) => vec![format!("{}:[{inode}]", ns.proc_name())],
                // A box without /proc cannot read its own ids; the host can, from outside.
                (None, Side::Box) => match report
                    .outside
                    .namespaces
                    .as_ref()
                    .ok()
                    .and_then(|m| m.get(&ns))
                {
                    Some(inode) => {
                        // Say why the box could not read it: no /proc at all, or another error.
                        let why = match &view.namespaces {
                            Err(e) if probe::not_there(e) => if ko {
                                "(박스엔 /proc 없음: 호스트가 읽음)"
                            } else {
                                "(no /proc in box: read by host)"
                            }
                            .to_string(),
                            Err(e) => {
                                let e = e.get(lang);
                                if ko {
                                    format!("(박스가 못 읽음: {e}; 호스트가 읽음)")
                                } else {
                                    format!("(box cannot read it: {e}; read by host)")
                                }
                            }
                            Ok(_) => String::new(),
                        };
                        vec![format!("{}:[{inode}]", ns.proc_name()), why]
                    }
                    None => vec!["?".into()],
                },
                (None, Side::Host) => vec!["?".into()],
            }
        }
        Row::ForChildren(ns) => {
            // The host pane shows the box as the host reads it from outside.
            let (own, children) = match side {
                Side::Box => (
                    view.namespaces
                        .as_ref()
                        .ok()
                        .and_then(|m| m.get(&ns).copied()),
                    view.for_children.get(&ns),
                ),
                Side::Host => (
                    report
                        .outside
                        .namespaces
                        .as_ref()
                        .ok()
                        .and_then(|m| m.get(&ns).copied()),
                    report.outside.for_children.get(&ns),
                ),
            };
            let kind = ns.proc_name();
            let own = own.map_or("?".to_string(), |v| format!("{kind}:[{v}]"));
            let children = match children {
                Some(Ok(c)) => format!("{kind}:[{c}]"),
                Some(Err(e)) if probe::not_there(e) => (if ko {
                    "새 ns, 아직 프로세스 없음"
                } else {
                    "new ns, no process yet"
                })
                .into(),
                _ => "?".into(),
            };
            let mut out = vec![format!("{own} →"), format!("  {children}")];
            if side == Side::Host {
                out.push(read_from_outside(lang));
            }
            out
        }
        Row::Ipc => match &view.ipc {
            Ok(objects) => {
                let mut newest: Vec<&crate::probe::sysvipc::IpcObject> = objects.iter().collect();
                newest.sort_by_key(|o| std::cmp::Reverse(o.id));
                let mut out = vec![if ko {
                    format!("객체 {}개", objects.len())
                } else {
                    format!("{} objects", objects.len())
                }];
                out.extend(newest.iter().take(4).map(|o| {
                    let kind = match o.kind {
                        crate::kernel::ipc::IpcKind::Shm => "shm",
                        crate::kernel::ipc::IpcKind::Msg => "msg",
                    };
                    format!("{kind} key {:#x} id {}", o.key, o.id)
                }));
                out
            }
            Err(e) => vec![e.get(lang).to_string()],
        },
        Row::Net => match &view.net {
            Ok(n) => {
                let mut out: Vec<String> = n
                    .links
                    .iter()
                    .take(6)
                    .map(|l| {
                        let state = if l.up { "UP" } else { "DOWN" };
                        let kind = l
                            .kind
                            .as_deref()
                            .map(|k| format!(" ({k})"))
                            .unwrap_or_default();
                        let addrs: Vec<String> =
                            l.addrs.iter().map(|(a, p)| format!("{a}/{p}")).collect();
                        format!("{} {state}{kind} {}", l.name, addrs.join(" "))
                            .trim_end()
                            .to_string()
                    })
                    .collect();
                if n.links.len() > 6 {
                    out.push(if ko {
                        format!("… 외 {}개", n.links.len() - 6)
                    } else {
                        format!("… {} more", n.links.len() - 6)
                    });
                }
                if n.routes.is_empty() {
                    out.push((if ko { "경로 없음" } else { "no routes" }).into());
                }
                out.extend(n.routes.iter().take(3).map(|r| match r.gateway {
                    Some(gw) if r.prefix == 0 => format!("default via {gw} dev {}", r.dev),
                    _ => format!("{}/{} dev {}", r.dst, r.prefix, r.dev),
                }));
                out
            }
            Err(e) => vec![e.get(lang).to_string()],
        },
        Row::Creds => {
            let creds = match side {
                Side::Box => &view.creds,
                Side::Host => &report.outside.creds,
            };
            match creds {
                Ok(c) => {
                    let mut out = vec![
                        format!("uid {} gid {}", c.uid, c.gid),
                        if ko {
                            format!("CapEff: {}개", c.cap_count())
                        } else {
                            format!("CapEff: {} caps", c.cap_count())
                        },
                    ];
                    if side == Side::Host {
                        out.push(read_from_outside(lang));
                    } else {
                        out.push(format!(
                            "uid_map: {}",
                            if c.uid_map.is_empty() {
                                if ko { "(비어 있음)" } else { "(empty)" }
                            } else {
                                &c.uid_map
                            }
                        ));
                    }
                    out
                }
                Err(e) => vec![e.get(lang).to_string()],
            }
        }
        Row::Clocks => {
            let c = view.clocks;
            vec![
                format!("MONOTONIC {}", duration(c.monotonic)),
                format!("BOOTTIME  {}", duration(c.boottime)),
                format!("REALTIME  {}", wall_clock(c.realtime)),
            ]
        }
        Row::Cgroup => {
            // The host pane shows the box as the host sees it; the box pane, itself.
            let lines = match side {
                Side::Host => &report.outside.cgroups,
                Side::Box => &view.cgroups,
            };
            match lines {
                Ok(l) => {
                    let mut out = vec![match side {
                        Side::Host => if ko {
                            "박스의 cgroup (호스트가 읽음):"
                        } else {
                            "the box's cgroups, read by the host:"
                        }
                        .to_string(),
                        Side::Box => if ko {
                            "박스가 읽은 자기 cgroup:"
                        } else {
                            "its own cgroups, read by the box:"
                        }
                        .to_string(),
                    }];
                    out.extend(by_interest(l).into_iter().take(6).cloned());
                    if l.len() > 6 {
                        out.push(if ko {
                            format!("  … 외 {}줄", l.len() - 6)
                        } else {
                            format!("  … {} more", l.len() - 6)
                        });
                    }
                    out
                }
                Err(e) => vec![e.get(lang).to_string()],
            }
        }
        Row::Processes => processes(view, report, side, lang, max),
        Row::Resources => match &report.resources {
            Some(sample) => resource_lines(sample, side, lang),
            None => vec![],
        },
        Row::Mounts => match &view.mounts {
            Ok(ms) => mount_lines(ms, report, side, lang),
            Err(e) => vec![e.get(lang).to_string()],
        },
        Row::Layers => match &report.layers {
            Some(sample) => layer_lines(sample, side, lang),
            None => vec![],
        },
    }
}

/// The host lists each box's upper directory (what `ls -lR` shows: whiteouts as `c 0,0`) and
/// whether the lower layers changed; the box, the lesson's files in its merged view. Both put
/// the name first and then what it is, so that one file reads alike on both sides.
fn layer_lines(sample: &LayersSample, side: Side, lang: Lang) -> Vec<String> {
    let ko = lang == Lang::Ko;
    match side {
        Side::Host => {
            let Some((base, app)) = sample.image else {
                return vec![
                    (if ko {
                        "(아직 이미지 없음)"
                    } else {
                        "(no image yet)"
                    })
                    .into(),
                ];
            };
            let same = sample.untouched == Some(true);
            let mut out = vec![match (same, ko) {
                (true, true) => format!("lower: 항목 {}개, 그대로", base + app),
                (true, false) => format!("lower: {} entries, intact", base + app),
                (false, true) => format!("lower: 항목 {}개, 바뀜!", base + app),
                (false, false) => format!("lower: {} entries, CHANGED", base + app),
            }];
            for i in &sample.inodes {
                out.push(format!("lower {}:", i.path));
                out.push(match &i.lower {
                    Some(st) => format!(" ino {} dev {}:{}", st.ino, st.dev.0, st.dev.1),
                    None => " ?".into(),
                });
            }
            for (n, entries) in &sample.uppers {
                out.push(match (entries.is_empty(), ko) {
                    (true, true) => format!("박스 {n} upper: 비어 있음"),
                    (true, false) => format!("box {n} upper: empty"),
                    (false, true) => format!("박스 {n} upper:"),
                    (false, false) => format!("box {n} upper:"),
                });
                out.extend(
                    entries
                        .iter()
                        .map(|(name, st)| format!(" {name} {}", layer_checks::kind(st))),
                );
            }
            out
        }
        Side::Box => match &sample.seen {
            None => vec![
                (if ko {
                    "(루트가 아직 이미지가 아님)"
                } else {
                    "(its root is not the image yet)"
                })
                .into(),
            ],
            Some(seen) => {
                let mut out = Vec::new();
                for (path, st) in seen {
                    out.push(match st {
                        Some(st) => format!("{path} {}", layer_checks::kind(st)),
                        None => format!("{path} {}", if ko { "(없음)" } else { "(gone)" }),
                    });
                    // What each box's lstat said of it, under the path.
                    let stats = sample.inodes.iter().filter(|i| &i.path == path);
                    for (n, st) in stats.flat_map(|i| &i.by) {
                        out.push(if ko {
                            format!(" 박스 {n}: ino {}", st.ino)
                        } else {
                            format!(" box {n}: ino {}", st.ino)
                        });
                    }
                }
                out
            }
        },
    }
}

/// The mount count and /'s propagation, then the mounts the other side does not have: after
/// unshare they are the box's new mounts; after pivot_root, everything the host kept for itself.
fn mount_lines(ms: &[MountEntry], report: &StepReport, side: Side, lang: Lang) -> Vec<String> {
    let ko = lang == Lang::Ko;
    let root = ms
        .iter()
        .rev()
        .find(|m| m.mount_point == "/")
        .map_or("?".into(), |m| m.propagation_label());
    let mut out = vec![if ko {
        format!("{}개, / 는 {root}", ms.len())
    } else {
        format!("{} mounts, / is {root}", ms.len())
    }];
    let other = match side {
        Side::Host => report.boxed.as_ref().and_then(|b| b.mounts.as_ref().ok()),
        Side::Box => report.host.mounts.as_ref().ok(),
    };
    let Some(other) = other else { return out };
    let key = |m: &MountEntry| (m.mount_point.clone(), m.fs_type.clone(), m.root.clone());
    let only_here: Vec<&MountEntry> = ms
        .iter()
        .filter(|m| !other.iter().any(|o| key(o) == key(m)))
        .collect();
    if only_here.is_empty() {
        return out;
    }
    out.push(if ko {
        "이쪽에만 있는 마운트:".into()
    } else {
        "only on this side:".into()
    });
    for m in only_here.iter().take(3) {
        let from = if m.root == "/" {
            String::new()
        } else {
            format!(" ← {}", m.root)
        };
        out.push(format!(
            "+ {} {} ({}){from}",
            m.mount_point,
            m.fs_type,
            m.propagation_label()
        ));
    }
    if only_here.len() > 3 {
        out.push(if ko {
            format!("  … 외 {}개", only_here.len() - 3)
        } else {
            format!("  … {} more", only_here.len() - 3)
        });
    }
    out
}

/// The note under values the host pane shows of the box, read through /proc/BOXPID.
fn read_from_outside(lang: Lang) -> String {
    (if lang == Lang::Ko {
        "(박스를 밖에서 읽음)"
    } else {
        "(the box, read from outside)"
    })
    .into()
}

fn processes(view: &View, report: &StepReport, side: Side, lang: Lang, max: usize) -> Vec<String> {
    let ko = lang == Lang::Ko;
    let all = match &view.processes {
        Ok(all) => all,
        Err(e) => return vec![e.get(lang).to_string()],
    };
    // Kernel threads are counted at the foot of the box's list, never listed: they only fill
    // the pane (a box reading the host's /proc sees dozens of them).
    let mut kernel_threads = 0;
    let (head, shown): (String, Vec<&ProcessInfo>) = match side {
        Side::Host => {
            let tree = report.box_pid.map(|p| view.tree(p)).unwrap_or_default();
            let head = if ko {
                format!("전체 {}개 중 박스:", all.len())
            } else {
                format!("{} in all; the box's:", all.len())
            };
            (head, tree)
        }
        Side::Box => {
            // Own process tree first (found by the pid this /proc gives it, which is the host's
            // pid while the box still reads the host's /proc), then what else it can see.
            let me = view.proc_pid.unwrap_or(view.pid);
            let mut list = view.tree(me);
            kernel_threads = all.iter().filter(|p| p.kernel_thread).count();
            let others: Vec<&ProcessInfo> = all
                .iter()
                .filter(|p| !p.kernel_thread && !list.iter().any(|q| q.pid == p.pid))
                .collect();
            list.extend(others);
            let head = if ko {
                format!("보이는 프로세스 {}개:", all.len())
            } else {
                format!("sees {}:", all.len())
            };
            (head, list)
        }
    };
    // Compact columns: a pane is half of an 80-column screen.
    let columns = match side {
        Side::Host => {
            if ko {
                "   PID 박스 안 S 이름"
            } else {
                "   PID  inside S NAME"
            }
        }
        Side::Box => {
            if ko {
                "   PID   PPID S 이름"
            } else {
                "   PID   PPID S NAME"
            }
        }
    };
    let mut out = vec![head, columns.to_string()];
    let shown_count = shown.len().min(max.max(1));
    out.extend(shown.iter().take(shown_count).map(|p| match side {
        Side::Host => {
            let inside = if p.nspid.len() > 1 {
                p.nspid.last().map_or("-".into(), |n| n.to_string())
            } else {
                "-".into()
            };
            format!("{:>6} {:>7} {} {}", p.pid, inside, p.state, p.name)
        }
        Side::Box => format!("{:>6} {:>6} {} {}", p.pid, p.ppid, p.state, p.name),
    }));
    let more = shown.len() - shown_count;
    let threads = |k: usize| count_of(k as u64, "kernel thread", "kernel threads");
    out.extend(match (more, kernel_threads, ko) {
        (0, 0, _) => None,
        (m, 0, false) => Some(format!("  … {m} more")),
        (m, 0, true) => Some(format!("  … 외 {m}개")),
        (0, k, false) => Some(format!("  + {}", threads(k))),
        (0, k, true) => Some(format!("  + 커널 스레드 {k}개")),
        (m, k, false) => Some(format!("  … {m} more + {}", threads(k))),
        (m, k, true) => Some(format!("  … 외 {m}개 + 커널 스레드 {k}개")),
    });
    out
}

/// /proc/PID/cgroup lines, the controllers the lessons limit first (memory, cpu, pids, I/O,
/// then v2's single line), the others (name=systemd, freezer, devices...) after them.
fn by_interest(lines: &[String]) -> Vec<&String> {
    const FIRST: [&str; 6] = ["memory", "cpu", "cpuacct", "pids", "blkio", ""];
    let rank = |l: &String| {
        let names = l.split(':').nth(1).unwrap_or_default();
        FIRST
            .iter()
            .position(|f| names == *f || (!f.is_empty() && names.split(',').any(|n| n == *f)))
            .unwrap_or(FIRST.len())
    };
    let mut sorted: Vec<&String> = lines.iter().collect();
    sorted.sort_by_key(|l| rank(l));
    sorted
}

/// The resource row as text, from the step's one sample: totals and limits (rates need two
/// samples, so the live display's rates and graph are not here). The words are the live
/// display's, so the transcript and the screen name things alike.
fn resource_lines(sample: &Sample, side: Side, lang: Lang) -> Vec<String> {
    let label_w = resources::label_width(lang);
    let line = |label: &S, parts: Vec<String>| {
        let label = label.get(lang);
        let pad = " ".repeat(label_w.saturating_sub(UnicodeWidthStr::width(label)));
        format!("{label}{pad}{}", parts.join(" · "))
    };
    let in_all = |r: u64, w: u64| {
        format!(
            "{} {} {} {} {}",
            s::R_IN_ALL.get(lang),
            s::R_READ.get(lang),
            human_bytes(r),
            s::R_WRITE.get(lang),
            human_bytes(w)
        )
    };
    let no_limit = || s::R_NO_LIMIT.get(lang).to_string();
    let h = &sample.host;
    match side {
        Side::Host => {
            let used = h.memory_total.saturating_sub(h.memory_available);
            vec![
                line(
                    &s::R_MEMORY,
                    vec![
                        format!("{}/{}", human_bytes(used), human_bytes(h.memory_total)),
                        format!(
                            "{} {}",
                            s::R_AVAILABLE.get(lang),
                            human_bytes(h.memory_available)
                        ),
                    ],
                ),
                line(&s::R_CPU, vec![s::r_cpus(lang, h.cpus)]),
                line(&s::R_PIDS, vec![s::r_processes(lang, h.processes)]),
                line(
                    &s::R_DISK,
                    vec![in_all(h.disk_read_bytes, h.disk_write_bytes)],
                ),
            ]
        }
        Side::Box => {
            let Some(u) = &sample.boxed else {
                return vec![s::R_NO_CGROUP.get(lang).into()];
            };
            let mut out = Vec::new();
            if let Some(m) = &u.memory {
                // As on the screen: "used/limit", or "used · no limit".
                let mut parts = match m.limit {
                    Some(l) => vec![format!("{}/{}", human_bytes(m.current), human_bytes(l))],
                    None => vec![human_bytes(m.current), no_limit()],
                };
                parts.push(s::r_count(lang, &s::R_OOM_KILLS, m.oom_kills));
                out.push(line(&s::R_MEMORY, parts));
            }
            if let Some(c) = &u.cpu {
                let quota = c.quota.map_or_else(
                    || s::R_NO_QUOTA.get(lang).to_string(),
                    |(q, p)| format!("{} {}%", s::R_QUOTA.get(lang), q * 100 / p.max(1)),
                );
                out.push(line(
                    &s::R_CPU,
                    vec![
                        format!("{:.1}s", c.usage_usec as f64 / 1e6),
                        quota,
                        // Throttled periods of all periods so far (cpu.stat).
                        format!("{} {}/{}", s::R_THROTTLED.get(lang), c.throttled, c.periods),
                    ],
                ));
            }
            if let Some(p) = &u.pids {
                let mut parts = match p.limit {
                    Some(l) => vec![format!("{}/{l}", p.current)],
                    None => vec![p.current.to_string(), no_limit()],
                };
                parts.push(s::r_count(lang, &s::R_REFUSED, p.refused));
                out.push(line(&s::R_PIDS, parts));
            }
            if let Some(io) = &u.io {
                let limit = io.write_limit.as_ref().map_or_else(no_limit, |(dev, b)| {
                    format!(
                        "{} · {}",
                        s::r_write_limit(lang, &format!("{}/s", human_bytes(*b))),
                        s::r_on_device(lang, dev)
                    )
                });
                out.push(line(
                    &s::R_IO,
                    vec![in_all(io.read_bytes, io.write_bytes), limit],
                ));
            }
            out
        }
    }
}

/// Seconds as "3d 04:05:06".
fn duration(secs: f64) -> String {
    let s = secs as u64;
    let (d, h, m, sec) = (s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}d {h:02}:{m:02}:{sec:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

/// Seconds since the epoch as "2026-11-23 11:40:00 UTC" (days to a civil date: the algorithm
/// from Howard Hinnant's date library, which std lacks).
fn wall_clock(secs: f64) -> String {
    let s = secs as i64;
    let (days, rem) = (s.div_euclid(86400), s.rem_euclid(86400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn nspid(p: &ProcessInfo) -> String {
    p.nspid
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgroup_lines_of_interest_first() {
        let lines: Vec<String> = [
            "9:name=systemd:/",
            "6:freezer:/",
            "3:cpu,cpuacct:/b",
            "0::/u",
            "4:memory:/m",
        ]
        .map(String::from)
        .to_vec();
        let sorted: Vec<&str> = by_interest(&lines)
            .into_iter()
            .map(String::as_str)
            .collect();
        assert_eq!(
            sorted,
            [
                "4:memory:/m",
                "3:cpu,cpuacct:/b",
                "0::/u",
                "9:name=systemd:/",
                "6:freezer:/"
            ]
        );
    }

    #[test]
    fn clock_formats() {
        assert_eq!(duration(59.9), "00:00:59");
        assert_eq!(duration(86400.0 + 3661.0), "1d 01:01:01");
        assert_eq!(wall_clock(0.0), "1970-01-01 00:00:00 UTC");
        assert_eq!(wall_clock(1_795_000_000.0), "2026-11-18 11:06:40 UTC");
        assert_eq!(wall_clock(951_782_400.0), "2000-02-29 00:00:00 UTC");
    }
}
