//! Snapshots of the rendered screens (ratatui's TestBackend) in both languages at 80x24 and
//! 120x40. The reports are fixtures, so the screens are the same on every machine; the checks
//! in them are still evaluated by the real check code.

use std::collections::{BTreeMap, BTreeSet};

use boxlab::kernel::SyscallRecord;
use boxlab::kernel::namespaces::Namespace;
use boxlab::kernel::process::{CommandOutput, Heading};
use boxlab::lang::{Detail, Lang};
use boxlab::lesson::checks::{Evidence, Facts};
use boxlab::lesson::progress::Progress;
use boxlab::lesson::types::Text;
use boxlab::lesson::{Lesson, StepReport, load};
use boxlab::probe::resources::Sample;
use boxlab::probe::status::Creds;
use boxlab::probe::{Clocks, FileId, Outside, ProcessInfo, RootInfo, View};
use boxlab::tui::app::Entry;
use boxlab::tui::resources::History;
use boxlab::tui::ui::{self, Focus, LessonScreen, ListScreen, ShellView, ShellsView};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn lesson(id: &str) -> Lesson {
    load::load_all(None)
        .unwrap()
        .into_iter()
        .find(|l| l.id == id)
        .unwrap()
}

fn proc(pid: i32, ppid: i32, state: char, name: &str, nspid: &[i32]) -> ProcessInfo {
    ProcessInfo {
        pid,
        ppid,
        state,
        name: name.into(),
        nspid: nspid.to_vec(),
        start_time: 100 + pid as u64,
        kernel_thread: false,
    }
}

fn view(hostname: &str, pid: i32, uts: u64, pidns: u64, processes: Vec<ProcessInfo>) -> View {
    View {
        pid,
        hostname: hostname.into(),
        kernel: "6.1.0-27-amd64".into(),
        boot_id: Ok("5f1c2b7e-0d3a-4c55-9a61-2f0e8b4d7c10".into()),
        root: Ok(RootInfo {
            id: FileId { dev: 65024, ino: 2 },
            entries: vec!["bin".into(), "etc".into(), "proc".into(), "usr".into()],
        }),
        namespaces: Ok(BTreeMap::from([
            (Namespace::Uts, uts),
            (Namespace::Pid, pidns),
            (Namespace::Mount, 4026531841),
        ])),
        for_children: BTreeMap::from([
            (Namespace::Pid, Ok(pidns)),
            (Namespace::Time, Ok(4026531834)),
        ]),
        clocks: Clocks {
            monotonic: 2581.5,
            boottime: 2581.5,
            realtime: 1_795_000_000.0,
        },
        cgroups: Ok(vec![
            "0::/user.slice/user-1000.slice/session-2.scope".into(),
        ]),
        creds: Ok(Creds {
            uid: 0,
            gid: 0,
            cap_eff: 0x1ff_ffff_ffff,
            cap_bnd: u64::MAX,
            uid_map: "0 0 4294967295".into(),
            gid_map: "0 0 4294967295".into(),
            no_new_privs: false,
            seccomp: 0,
        }),
        proc_pid: Some(pid),
        net: Err(Detail::same("not read in this fixture")),
        ipc: Ok(Vec::new()),
        processes: Ok(processes),
        mounts: Ok(Vec::new()),
    }
}

fn report(
    lesson: &Lesson,
    index: usize,
    (host, boxed): (View, View),
    box_pid: i32,
    records: &[&str],
    output: Option<(&str, &str)>,
    facts: Facts,
) -> StepReport {
    let outside = Outside {
        namespaces: boxed.namespaces.clone(),
        for_children: boxed.for_children.clone(),
        cgroups: host.cgroups.clone(),
        creds: boxed.creds.clone(),
    };
    let outputs: Vec<CommandOutput> = output
        .map(|(cmd, out)| CommandOutput {
            heading: Heading::Ran(vec![cmd.into()]),
            status: Some(0),
            stdout: out.into(),
            stderr: String::new(),
        })
        .into_iter()
        .collect();
    let facts = Facts {
        last_output: outputs.first().cloned(),
        ..facts
    };
    let ev = Evidence {
        usage: None,
        host: &host,
        boxed: Some(&boxed),
        box_pid: Some(box_pid),
        outside: &outside,
        facts: &facts,
    };
    let checks = lesson.steps[index]
        .checks
        .iter()
        .map(|c| c.evaluate(&ev))
        .collect();
    let records = records
        .iter()
        .map(|r| {
            let (call, rest) = r.split_once('(').unwrap();
            let (args, result) = rest.rsplit_once(") = ").unwrap();
            SyscallRecord::ok(call, args, result.into())
        })
        .collect();
    StepReport {
        index,
        records,
        outputs,
        error: None,
        host,
        boxed: Some(boxed),
        box_pid: Some(box_pid),
        outside,
        checks,
        resources: None,
        vars: vec![("box_pid", box_pid.to_string())],
        layers: None,
    }
}

/// kthreadd and one of its kernel threads: counted by the box pane, never listed.
fn kernel_thread(pid: i32, ppid: i32, name: &str) -> ProcessInfo {
    ProcessInfo {
        kernel_thread: true,
        ..proc(pid, ppid, 'S', name, &[pid])
    }
}

fn host_processes(extra: Vec<ProcessInfo>) -> Vec<ProcessInfo> {
    let mut ps = vec![
        proc(1, 0, 'S', "systemd", &[1]),
        kernel_thread(2, 0, "kthreadd"),
        kernel_thread(3, 2, "kworker/0:0"),
        proc(812, 1, 'S', "bash", &[812]),
        proc(4100, 812, 'S', "boxlab", &[4100]),
    ];
    ps.extend(extra);
    ps
}

/// The UTS lesson after its first three steps.
fn uts_reports(lesson: &Lesson) -> Vec<StepReport> {
    let host = || {
        view(
            "devbox",
            4100,
            4026531838,
            4026531836,
            host_processes(vec![proc(4101, 4100, 'S', "boxlab-box", &[4101])]),
        )
    };
    let boxed = |name: &str, uts| {
        view(
            name,
            4101,
            uts,
            4026531836,
            host_processes(vec![proc(4101, 4100, 'R', "boxlab-box", &[4101])]),
        )
    };
    vec![
        report(
            lesson,
            0,
            (host(), boxed("devbox", 4026531838)),
            4101,
            &[
                "fork() = 4101",
                "execve(\"/proc/self/exe\", [\"boxlab\", \"__agent\", ...]) = 0",
            ],
            None,
            Facts::default(),
        ),
        report(
            lesson,
            1,
            (host(), boxed("devbox", 4026532201)),
            4101,
            &["unshare(CLONE_NEWUTS) = 0"],
            None,
            Facts::default(),
        ),
        report(
            lesson,
            2,
            (host(), boxed("box", 4026532201)),
            4101,
            &["sethostname(\"box\", 3) = 0"],
            None,
            Facts::default(),
        ),
        report(
            lesson,
            3,
            (host(), boxed("box", 4026532201)),
            4101,
            &["execve(\"hostname\", [\"hostname\"]) = 0 (exit status 0)"],
            Some(("hostname", "box\n")),
            Facts::default(),
        ),
    ]
}

/// The PID lesson at its zombie step.
fn pid_reports(lesson: &Lesson) -> Vec<StepReport> {
    let host = |orphan_state| {
        view(
            "devbox",
            4100,
            4026531838,
            4026531836,
            host_processes(vec![
                proc(4102, 4101, 'S', "boxlab-box", &[4102, 1]),
                proc(4105, 4102, orphan_state, "orphan", &[4105, 3]),
            ]),
        )
    };
    let boxed = |orphan_state| {
        view(
            "devbox",
            1,
            4026531838,
            4026532300,
            vec![
                proc(1, 0, 'R', "boxlab-box", &[1]),
                proc(3, 1, orphan_state, "orphan", &[3]),
            ],
        )
    };
    let facts = || Facts {
        orphan: Some(3),
        ..Facts::default()
    };
    let mut reports: Vec<StepReport> = (0..4)
        .map(|i| {
            report(
                lesson,
                i,
                (host('S'), boxed('S')),
                4102,
                &[],
                None,
                Facts::default(),
            )
        })
        .collect();
    reports.push(report(
        lesson,
        4,
        (host('S'), boxed('S')),
        4102,
        &["getpid() = 1", "fork() = 2", "waitpid(2, &status, 0) = 2"],
        None,
        facts(),
    ));
    reports.push(report(
        lesson,
        5,
        (host('Z'), boxed('Z')),
        4102,
        &["kill(3, SIGTERM) = 0"],
        None,
        facts(),
    ));
    reports
}

fn render<R>(
    width: u16,
    height: u16,
    draw: impl FnOnce(&mut ratatui::Frame) -> R,
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| {
            draw(f);
        })
        .unwrap();
    terminal
}

#[test]
fn lesson_list() {
    let entries: Vec<Entry> = load::load_all(None)
        .unwrap()
        .into_iter()
        .map(|lesson| {
            let unavailable = (lesson.id == "pid").then(|| Text {
                en: "needs root: run boxlab with sudo".into(),
                ko: "root 권한이 필요합니다: sudo로 boxlab을 실행하세요".into(),
            });
            Entry {
                lesson,
                unavailable,
            }
        })
        .collect();
    let progress = Progress {
        started: BTreeSet::from(["why-containers".to_string(), "uts".to_string()]),
        done: BTreeSet::from(["why-containers".to_string()]),
    };
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let screen = ListScreen {
                entries: &entries,
                selected: 3,
                top: 0,
                progress: &progress,
            };
            let t = render(w, h, |f| ui::draw_list(f, &screen, lang, false));
            insta::assert_snapshot!(format!("list_{name}_{w}x{h}"), t.backend());
        }
    }
}

/// Every built-in lesson as the list shows it, all available.
fn all_entries() -> Vec<Entry> {
    load::load_all(None)
        .unwrap()
        .into_iter()
        .map(|lesson| Entry {
            lesson,
            unavailable: None,
        })
        .collect()
}

/// The list scrolls as any list does: after End, ↑ moves the mark up within the view rather
/// than the view with the mark stuck on its last row; past the top of the view, it scrolls.
#[test]
fn lesson_list_scrolls_only_when_the_mark_leaves_the_view() {
    let entries = all_entries();
    let progress = Progress::default();
    let last = entries.len() - 1;
    let top_after = |selected, top| {
        let screen = ListScreen {
            entries: &entries,
            selected,
            top,
            progress: &progress,
        };
        let mut drawn = ui::Scrolled::default();
        render(80, 24, |f| {
            drawn = ui::draw_list(f, &screen, Lang::En, false)
        });
        drawn.top
    };
    let at_end = top_after(last, 0);
    assert!(
        at_end > 0,
        "at 80x24 the {} lessons do not all fit",
        entries.len()
    );
    assert_eq!(
        top_after(last - 1, at_end),
        at_end,
        "↑ after End moved the view"
    );
    assert_eq!(
        top_after(at_end - 1, at_end),
        at_end - 1,
        "↑ above the view did not scroll"
    );
    assert_eq!(
        top_after(0, at_end),
        0,
        "Home did not show the first lesson"
    );
}

/// Every lesson's summary, in both languages and at every width from 60 to 80 columns, shows
/// whole in the list's detail: no character lost where a two-column one meets the edge.
#[test]
fn lesson_list_keeps_every_character_of_the_summary() {
    let entries = all_entries();
    let progress = Progress::default();
    for lang in [Lang::En, Lang::Ko] {
        for w in 60..=80 {
            for (selected, e) in entries.iter().enumerate() {
                let screen = ListScreen {
                    entries: &entries,
                    selected,
                    top: 0,
                    progress: &progress,
                };
                // Tall enough that the detail is not cut.
                let t = render(w, 60, |f| ui::draw_list(f, &screen, lang, false));
                let shown: String = screen_rows(&t).concat();
                let want = e.lesson.summary.get(lang).replace(' ', "");
                assert!(
                    shown.replace(' ', "").contains(&want),
                    "{} at {w} columns ({lang:?}): the summary is not whole in\n{}",
                    e.lesson.id,
                    screen_rows(&t).join("\n")
                );
            }
        }
    }
}

/// The screen's rows as text, each wide character once (the cell it covers is skipped).
fn screen_rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = t.backend().buffer();
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..area.width {
                let symbol = buffer[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

#[test]
fn uts_lesson_step_3() {
    let lesson = lesson("uts");
    let reports = uts_reports(&lesson);
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let screen = LessonScreen {
                lesson: &lesson,
                reports: &reports,
                shown: 2,
                scroll: 0,
                shells: None,
                resources: None,
                working: false,
                calls: false,
            };
            let t = render(w, h, |f| ui::draw_lesson(f, &screen, lang, false));
            insta::assert_snapshot!(format!("uts_step3_{name}_{w}x{h}"), t.backend());
        }
    }
}

/// `c`: the step's calls and checks on the whole screen, at the size where the step view
/// shows only a line of them.
#[test]
fn uts_lesson_step_3_calls() {
    let lesson = lesson("uts");
    let reports = uts_reports(&lesson);
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        let screen = LessonScreen {
            lesson: &lesson,
            reports: &reports,
            shown: 2,
            scroll: 0,
            shells: None,
            resources: None,
            working: false,
            calls: true,
        };
        let t = render(80, 24, |f| ui::draw_lesson(f, &screen, lang, false));
        insta::assert_snapshot!(format!("uts_step3_calls_{name}_80x24"), t.backend());
    }
}

/// The `c` view's title says which way there is more, and a draw reports a page as the lines
/// it shows, for PgUp/PgDn.
#[test]
fn the_calls_view_marks_which_way_there_is_more() {
    let lesson = lesson("uts");
    let reports = uts_reports(&lesson);
    for (scroll, marker) in [
        (0, "▼ more: ↓"),
        (2, "▲▼ more: ↑↓"),
        (u16::MAX, "▲ more: ↑"),
    ] {
        let screen = LessonScreen {
            lesson: &lesson,
            reports: &reports,
            shown: 2,
            scroll,
            shells: None,
            resources: None,
            working: false,
            calls: true,
        };
        let mut drawn = ui::Scrolled::default();
        let t = render(80, 12, |f| {
            drawn = ui::draw_lesson(f, &screen, Lang::En, false)
        });
        // 12 rows less the title bar, the footer and the part's title line.
        assert_eq!(drawn.page, 9);
        assert!(drawn.most > 2, "{drawn:?}");
        let title = &screen_rows(&t)[1];
        assert!(title.contains(marker), "scroll {scroll}: {title}");
    }
}

#[test]
fn uts_lesson_last_step_with_output() {
    let lesson = lesson("uts");
    let reports = uts_reports(&lesson);
    let screen = LessonScreen {
        lesson: &lesson,
        reports: &reports,
        shown: 3,
        scroll: 0,
        shells: None,
        resources: None,
        working: false,
        calls: false,
    };
    let t = render(80, 24, |f| ui::draw_lesson(f, &screen, Lang::En, false));
    insta::assert_snapshot!("uts_step4_en_80x24", t.backend());
}

#[test]
fn pid_lesson_zombie() {
    let lesson = lesson("pid");
    let reports = pid_reports(&lesson);
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let screen = LessonScreen {
                lesson: &lesson,
                reports: &reports,
                shown: 5,
                scroll: 0,
                shells: None,
                resources: None,
                working: false,
                calls: false,
            };
            let t = render(w, h, |f| ui::draw_lesson(f, &screen, lang, false));
            insta::assert_snapshot!(format!("pid_zombie_{name}_{w}x{h}"), t.backend());
        }
    }
}

/// A terminal screen of `rows` x `cols` after `bytes`, as a shell pane's parser holds it.
fn terminal(rows: u16, cols: u16, bytes: &str) -> vt100::Screen {
    let mut parser = vt100::Parser::new(rows, cols, 0);
    parser.process(bytes.as_bytes());
    parser.screen().clone()
}

/// The shells open on the UTS lesson's third step: `hostname` typed in the box shell (which
/// has the focus) and in the host shell, and Korean text, two columns a character.
#[test]
fn uts_lesson_with_shells() {
    let lesson = lesson("uts");
    let reports = uts_reports(&lesson);
    let boxed = "\x1b[2mjoined box 4101 as docker exec does:\r\nsetns(5, CLONE_NEWUTS) = 0\r\n\
                 fchdir(11) = 0\r\nchroot(\".\") = 0\r\nfchdir(12) = 0\r\nfork() = 4150\r\n\x1b[0m\
                 box# hostname\r\nbox\r\nbox# echo 한국어\r\n한국어\r\nbox# ";
    let host = "host# hostname\r\ndevbox\r\nhost# echo 한국어 ok\r\n한국어 ok\r\nhost# ";
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut screen = LessonScreen {
                lesson: &lesson,
                reports: &reports,
                shown: 2,
                scroll: 0,
                shells: None,
                resources: None,
                working: false,
                calls: false,
            };
            let area = ratatui::layout::Rect::new(0, 0, w, h);
            let [(br, bc), (hr, hc)] = ui::shell_sizes(area, &screen, lang);
            screen.shells = Some(ShellsView {
                focus: Focus::BoxShell,
                boxed: ShellView::Screen {
                    screen: terminal(br, bc, boxed),
                    ended: false,
                },
                host: ShellView::Screen {
                    screen: terminal(hr, hc, host),
                    ended: false,
                },
                box_pid: Some(4101),
            });
            let t = render(w, h, |f| ui::draw_lesson(f, &screen, lang, false));
            insta::assert_snapshot!(format!("uts_shells_{name}_{w}x{h}"), t.backend());
        }
    }
}

/// Before the box exists the box pane says so; the lesson has the focus.
#[test]
fn shells_before_the_box() {
    let lesson = lesson("uts");
    let reports = uts_reports(&lesson);
    let mut screen = LessonScreen {
        lesson: &lesson,
        reports: &reports,
        shown: 0,
        scroll: 0,
        shells: None,
        resources: None,
        working: false,
        calls: false,
    };
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let [_, (hr, hc)] = ui::shell_sizes(area, &screen, Lang::En);
    screen.shells = Some(ShellsView {
        focus: Focus::Lesson,
        boxed: ShellView::Message(
            "No box is running yet. The box shell starts as soon as a step starts the box (→)."
                .into(),
        ),
        host: ShellView::Screen {
            screen: terminal(hr, hc, "host# "),
            ended: false,
        },
        box_pid: None,
    });
    let t = render(80, 24, |f| ui::draw_lesson(f, &screen, Lang::En, false));
    insta::assert_snapshot!("shells_no_box_en_80x24", t.backend());
}

#[test]
fn help_overlay() {
    let lesson = lesson("uts");
    let reports = uts_reports(&lesson);
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        let screen = LessonScreen {
            lesson: &lesson,
            reports: &reports,
            shown: 1,
            scroll: 0,
            shells: None,
            resources: None,
            working: false,
            calls: false,
        };
        let t = render(80, 24, |f| ui::draw_lesson(f, &screen, lang, true));
        insta::assert_snapshot!(format!("help_{name}_80x24"), t.backend());
    }
}

/// A failed syscall shows its errno in plain words, and the step's error and failed checks.
#[test]
fn failed_syscall() {
    let lesson = lesson("uts");
    let mut reports = uts_reports(&lesson);
    let step = &mut reports[2];
    step.records = vec![SyscallRecord::failed(
        "sethostname",
        "\"box\", 3",
        nix::errno::Errno::EPERM,
    )];
    step.error = Some("sethostname(\"box\", 3) failed with EPERM: operation not permitted".into());
    step.boxed.as_mut().unwrap().hostname = "devbox".into();
    let boxed = step.boxed.clone().unwrap();
    let facts = Facts::default();
    let ev = Evidence {
        usage: None,
        host: &step.host,
        boxed: Some(&boxed),
        box_pid: step.box_pid,
        outside: &step.outside,
        facts: &facts,
    };
    step.checks = lesson.steps[2]
        .checks
        .iter()
        .map(|c| c.evaluate(&ev))
        .collect();
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        let screen = LessonScreen {
            lesson: &lesson,
            reports: &reports,
            shown: 2,
            scroll: 0,
            shells: None,
            resources: None,
            working: false,
            calls: false,
        };
        let t = render(80, 24, |f| ui::draw_lesson(f, &screen, lang, false));
        insta::assert_snapshot!(format!("failed_syscall_{name}_80x24"), t.backend());
    }
}

/// A lesson whose steps show the live resource display above the PID row, as the cgroup
/// lessons do.
fn resources_lesson() -> Lesson {
    load::parse(
        "90-resources.toml",
        r#"
format = 1
id = "resources"
show = ["resources", "pid"]
title = { en = "Cgroups: limits the kernel enforces", ko = "cgroup: 커널이 지키는 제한" }
summary = { en = "Memory, CPU, pids and I/O limits on the box.", ko = "박스의 메모리, CPU, 프로세스 수, I/O 제한." }

[[steps]]
title = { en = "Start the box", ko = "박스 시작하기" }
explain = { en = "The box starts in boxlab's cgroups.", ko = "박스는 boxlab의 cgroup에서 시작합니다." }
actions = [{ do = "spawn" }]

[[steps]]
title = { en = "Put the box in a cgroup with limits", ko = "제한이 있는 cgroup에 박스 넣기" }
explain.en = """
boxlab makes a cgroup for the box, writes its limits (memory.max 64M, cpu.max 50000 100000, \
pids.max 20, io.max wbps=2M) and moves the box into it by writing its pid to cgroup.procs. The \
box now allocates memory, spins on the CPU and forks: watch each figure run into its limit."""
explain.ko = """
boxlab이 박스용 cgroup을 만들고 제한을 씁니다(memory.max 64M, cpu.max 50000 100000, pids.max 20, \
io.max wbps=2M). 그리고 cgroup.procs에 박스의 pid를 써서 박스를 옮깁니다. 이제 박스가 메모리를 \
할당하고 CPU를 쓰고 fork를 합니다. 각 수치가 제한에 닿는 모습을 보세요."""
actions = [{ do = "run", argv = ["stress"] }]
checks = [{ is = "hostname_same" }]
try = [{ in = "host", cmd = "cat /sys/fs/cgroup/boxlab/memory.events" }]
"#,
    )
    .unwrap()
}

/// A minute of samples every half second: the box at half a CPU under a 50% quota, its memory
/// climbing to the 64M limit (one OOM kill, then climbing again to 48.2M), 20 of 20 pids,
/// writing at 1.9M/s under a 2M/s limit; the host at about 12% of its four CPUs.
fn resource_history() -> History {
    use boxlab::kernel::cgroups::{CpuUsage, IoUsage, MemoryUsage, PidsUsage, Usage, Version};
    use boxlab::probe::resources::HostTotals;
    const M: f64 = 1024.0 * 1024.0;
    let mut history = History::new();
    for i in 0..=120u64 {
        let t = i as f64 / 2.0;
        // Memory: 8M climbing to 64M at 40 s, the OOM killer at 44 s, then 30M up to 48.2M.
        let (current, oom_kills) = if t < 40.0 {
            (8.0 * M + t / 40.0 * 56.0 * M, 0)
        } else if t < 44.0 {
            (64.0 * M, 0)
        } else {
            (30.0 * M + (t - 44.0) / 16.0 * 18.2 * M, 1)
        };
        // CPU: idle for the first 10 s, then half a CPU, a little uneven.
        let busy_secs = (t - 10.0).max(0.0);
        let wobble = if i % 3 == 0 { 4_000.0 } else { 0.0 };
        let usage_usec = (busy_secs * 500_000.0 - wobble).max(0.0) as u64;
        let periods = (busy_secs * 10.0) as u64;
        let written = ((t - 56.0).max(0.0) * 1.9 * M) as u64 + 500_000;
        let sample = Sample {
            host: HostTotals {
                memory_total: 24_684_096 * 1024,
                memory_available: 21_390_000 * 1024,
                cpu_busy_ticks: 40_000 + i * 25 + (busy_secs * 50.0) as u64,
                cpu_total_ticks: 900_000 + i * 200,
                ticks_per_sec: 100,
                cpus: 4,
                processes: 212,
                disk_read_bytes: 1_810_000_000,
                disk_write_bytes: 1_480_000_000 + i * 600_000,
            },
            boxed: Some(Usage {
                memory: Some(MemoryUsage {
                    current: current as u64,
                    limit: Some(64 << 20),
                    peak: Some(64 << 20),
                    hit_limit: 57,
                    oom_kills,
                }),
                cpu: Some(CpuUsage {
                    version: Version::V2,
                    usage_usec,
                    quota: Some((50_000, 100_000)),
                    weight: Some(100),
                    periods,
                    throttled: periods * 9 / 10,
                    throttled_usec: periods * 45_000,
                }),
                pids: Some(PidsUsage {
                    current: 20,
                    limit: Some(20),
                    refused: 37,
                }),
                io: Some(IoUsage {
                    read_bytes: 1_200_000,
                    write_bytes: written,
                    write_limit: Some(("254:0".into(), 2 << 20)),
                }),
            }),
        };
        history.push(std::time::Duration::from_secs_f64(t), sample);
    }
    history
}

fn resource_reports(lesson: &Lesson, history: &History) -> Vec<StepReport> {
    let host = || {
        view(
            "devbox",
            4100,
            4026531838,
            4026531836,
            host_processes(vec![proc(4101, 4100, 'S', "boxlab-box", &[4101])]),
        )
    };
    let boxed = || {
        view(
            "devbox",
            4101,
            4026531838,
            4026531836,
            host_processes(vec![proc(4101, 4100, 'R', "boxlab-box", &[4101])]),
        )
    };
    let mut reports = vec![
        report(
            lesson,
            0,
            (host(), boxed()),
            4101,
            &["fork() = 4101"],
            None,
            Facts::default(),
        ),
        report(
            lesson,
            1,
            (host(), boxed()),
            4101,
            &[
                "mkdir(\"/sys/fs/cgroup/boxlab-1f3a\", 0755) = 0",
                "write(\"/sys/fs/cgroup/boxlab-1f3a/memory.max\", \"67108864\") = 9",
                "write(\"/sys/fs/cgroup/boxlab-1f3a/cgroup.procs\", \"4101\") = 4",
            ],
            None,
            Facts::default(),
        ),
    ];
    reports[1].resources = history.latest().cloned();
    // The first step: the box runs, but has no cgroup of its own yet.
    reports[0].resources = history.latest().map(|s| Sample {
        boxed: None,
        ..s.clone()
    });
    reports
}

/// The live resource display: gauges, the CPU graph with its quota, pids and I/O, host | box.
#[test]
fn resources_live() {
    let lesson = resources_lesson();
    let history = resource_history();
    let reports = resource_reports(&lesson, &history);
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let screen = LessonScreen {
                lesson: &lesson,
                reports: &reports,
                shown: 1,
                scroll: 0,
                shells: None,
                resources: Some(&history),
                working: false,
                calls: false,
            };
            let t = render(w, h, |f| ui::draw_lesson(f, &screen, lang, false));
            insta::assert_snapshot!(format!("resources_{name}_{w}x{h}"), t.backend());
        }
    }
}

/// Before the first live sample the display shows the step's own sample, without rates.
#[test]
fn resources_before_live_samples() {
    let lesson = resources_lesson();
    let history = resource_history();
    let reports = resource_reports(&lesson, &history);
    let screen = LessonScreen {
        lesson: &lesson,
        reports: &reports,
        shown: 1,
        scroll: 0,
        shells: None,
        resources: None,
        working: false,
        calls: false,
    };
    let t = render(80, 24, |f| ui::draw_lesson(f, &screen, Lang::En, false));
    insta::assert_snapshot!("resources_step_sample_en_80x24", t.backend());
}

/// Before the box has a cgroup of its own, its side says so; the host's figures show.
#[test]
fn resources_before_the_cgroup() {
    let lesson = resources_lesson();
    let history = resource_history();
    let reports = resource_reports(&lesson, &history);
    let screen = LessonScreen {
        lesson: &lesson,
        reports: &reports,
        shown: 0,
        scroll: 0,
        shells: None,
        resources: None,
        working: false,
        calls: false,
    };
    let t = render(80, 24, |f| ui::draw_lesson(f, &screen, Lang::Ko, false));
    insta::assert_snapshot!("resources_no_cgroup_ko_80x24", t.backend());
}

/// With the shells open, one line per side above them sums the resources up.
#[test]
fn resources_with_shells() {
    let lesson = resources_lesson();
    let history = resource_history();
    let reports = resource_reports(&lesson, &history);
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut screen = LessonScreen {
                lesson: &lesson,
                reports: &reports,
                shown: 1,
                scroll: 0,
                shells: None,
                resources: Some(&history),
                working: false,
                calls: false,
            };
            let area = ratatui::layout::Rect::new(0, 0, w, h);
            let [(br, bc), (hr, hc)] = ui::shell_sizes(area, &screen, lang);
            screen.shells = Some(ShellsView {
                focus: Focus::Lesson,
                boxed: ShellView::Screen {
                    screen: terminal(
                        br,
                        bc,
                        "box# cat /sys/fs/cgroup/memory.max\r\n67108864\r\nbox# ",
                    ),
                    ended: false,
                },
                host: ShellView::Screen {
                    screen: terminal(hr, hc, "host# "),
                    ended: false,
                },
                box_pid: Some(4101),
            });
            let t = render(w, h, |f| ui::draw_lesson(f, &screen, lang, false));
            insta::assert_snapshot!(format!("resources_shells_{name}_{w}x{h}"), t.backend());
        }
    }
}
