//! Snapshots of the rendered screens (ratatui's TestBackend) in both languages at 80x24 and
//! 120x40. The reports are fixtures, so the screens are the same on every machine; the checks
//! in them are still evaluated by the real check code.

use std::collections::{BTreeMap, BTreeSet};

use boxlab::kernel::SyscallRecord;
use boxlab::kernel::namespaces::Namespace;
use boxlab::kernel::process::CommandOutput;
use boxlab::lesson::checks::{Evidence, Facts};
use boxlab::lesson::progress::Progress;
use boxlab::lesson::types::Text;
use boxlab::lesson::{Lang, Lesson, StepReport, load};
use boxlab::probe::status::Creds;
use boxlab::probe::{Clocks, FileId, Outside, ProcessInfo, RootInfo, View};
use boxlab::tui::app::Entry;
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
            uid_map: "0 0 4294967295".into(),
            gid_map: "0 0 4294967295".into(),
        }),
        proc_pid: Some(pid),
        net: Err("not read in this fixture".into()),
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
            argv: vec![cmd.into()],
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
            SyscallRecord {
                call: call.into(),
                args: args.into(),
                result: result.into(),
                errno: None,
                by_host: false,
            }
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
    }
}

fn host_processes(extra: Vec<ProcessInfo>) -> Vec<ProcessInfo> {
    let mut ps = vec![
        proc(1, 0, 'S', "systemd", &[1]),
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

fn render(
    width: u16,
    height: u16,
    draw: impl FnOnce(&mut ratatui::Frame),
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(draw).unwrap();
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
                progress: &progress,
            };
            let t = render(w, h, |f| ui::draw_list(f, &screen, lang, false));
            insta::assert_snapshot!(format!("list_{name}_{w}x{h}"), t.backend());
        }
    }
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
            };
            let t = render(w, h, |f| ui::draw_lesson(f, &screen, lang, false));
            insta::assert_snapshot!(format!("uts_step3_{name}_{w}x{h}"), t.backend());
        }
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
    step.records = vec![SyscallRecord {
        call: "sethostname".into(),
        args: "\"box\", 3".into(),
        result: "-1".into(),
        errno: Some("EPERM".into()),
        by_host: false,
    }];
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
        };
        let t = render(80, 24, |f| ui::draw_lesson(f, &screen, lang, false));
        insta::assert_snapshot!(format!("failed_syscall_{name}_80x24"), t.backend());
    }
}
