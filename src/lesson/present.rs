//! The host and box panes as text rows, in the learner's language. The TUI styles these rows;
//! `boxlab transcript` prints them. One place decides what each row says.

use super::runner::StepReport;
use super::types::{Lang, Row};
use crate::probe::{MountEntry, ProcessInfo, View};

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
        Row::PidForChildren => if ko {
            "자식의 PID ns"
        } else {
            "children's pid ns"
        }
        .into(),
        Row::Processes => if ko { "프로세스" } else { "processes" }.into(),
        Row::Mounts => if ko { "마운트" } else { "mounts" }.into(),
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
                format!("나는 PID {}", view.pid)
            } else {
                format!("I am PID {}", view.pid)
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
            Ok(r) => vec![
                r.entries.join(" "),
                format!("inode {}:{}", r.id.dev, r.id.ino),
            ],
            Err(e) => vec![e.clone()],
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
                (None, Side::Box) => match report.box_ns.as_ref().ok().and_then(|m| m.get(&ns)) {
                    Some(inode) => vec![
                        format!("{}:[{inode}]", ns.proc_name()),
                        if ko {
                            "(박스엔 /proc 없음: 호스트가 읽음)"
                        } else {
                            "(no /proc in box: read by host)"
                        }
                        .into(),
                    ],
                    None => vec!["?".into()],
                },
                (None, Side::Host) => vec!["?".into()],
            }
        }
        Row::PidForChildren => {
            let pid = view
                .namespaces
                .as_ref()
                .ok()
                .and_then(|m| m.get(&crate::kernel::namespaces::Namespace::Pid).copied());
            let pid = pid.map_or("?".to_string(), |v| format!("pid:[{v}]"));
            let children = match &view.pid_for_children {
                Ok(c) => format!("pid:[{c}]"),
                Err(e) if e.contains("No such file") => (if ko {
                    "새 ns, 아직 PID 1 없음"
                } else {
                    "new ns, no PID 1 yet"
                })
                .into(),
                Err(_) => "?".into(),
            };
            vec![format!("{pid} → {children}")]
        }
        Row::Processes => processes(view, report, side, lang, max),
        Row::Mounts => match &view.mounts {
            Ok(ms) => mount_lines(ms, report, side, lang),
            Err(e) => vec![e.clone()],
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

fn processes(view: &View, report: &StepReport, side: Side, lang: Lang, max: usize) -> Vec<String> {
    let ko = lang == Lang::Ko;
    let Ok(all) = &view.processes else {
        return vec![view.processes.clone().err().unwrap_or_default()];
    };
    let (head, shown): (String, Vec<&ProcessInfo>) = match side {
        Side::Host => {
            let tree = report.box_pid.map(|p| view.tree(p)).unwrap_or_default();
            let head = if ko {
                format!("{}개 중 박스 쪽:", all.len())
            } else {
                format!("{} in all; the box's:", all.len())
            };
            (head, tree)
        }
        Side::Box => {
            // Own process tree first, then whatever else the box can see.
            let mut list = view.tree(view.pid);
            let others: Vec<&ProcessInfo> = all
                .iter()
                .filter(|p| !list.iter().any(|q| q.pid == p.pid))
                .collect();
            list.extend(others);
            (
                if ko {
                    format!("{}개가 보임:", all.len())
                } else {
                    format!("sees {}:", all.len())
                },
                list,
            )
        }
    };
    // Compact columns: a pane is half of an 80-column screen.
    let columns = match side {
        Side::Host => {
            if ko {
                "   PID  박스안 S 이름"
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
    if shown.len() > shown_count {
        out.push(if ko {
            format!("  … 외 {}개", shown.len() - shown_count)
        } else {
            format!("  … {} more", shown.len() - shown_count)
        });
    }
    out
}

fn nspid(p: &ProcessInfo) -> String {
    p.nspid
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
