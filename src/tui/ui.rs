//! Drawing. Everything here is a pure function of the data it is given, so snapshot tests can
//! render fixture reports exactly as the app renders real ones.
//!
//! Layout of a lesson (top to bottom): title bar; the step's explanation; host | box panes;
//! syscalls; checks and commands to try; key hints. Fixed parts get their lines first, the
//! explanation gets up to 40% of the rest, the panes everything left, so 80x24 stays readable
//! and a projector-sized terminal shows more of every part.

use crate::lesson::progress::Progress;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::Entry;
use super::strings::{self as s, S};
use crate::kernel::errno;
use crate::lesson::present::{PaneRow, Side, pane};
use crate::lesson::types::{Place, Row};
use crate::lesson::{Lang, Lesson, StepReport};

pub struct ListScreen<'a> {
    pub entries: &'a [Entry],
    pub selected: usize,
    pub progress: &'a Progress,
}

pub struct LessonScreen<'a> {
    pub lesson: &'a Lesson,
    pub reports: &'a [StepReport],
    pub shown: usize,
    pub scroll: u16,
}

const LABEL_WIDTH: usize = 12;
/// Lines one wrapped value may take in a pane.
const MAX_VALUE_LINES: usize = 3;

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
fn changed() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
fn good() -> Style {
    Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
}
fn bad() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
fn title_bar() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}

pub fn draw_list(frame: &mut Frame, screen: &ListScreen, lang: Lang, help: bool) {
    let area = frame.area();
    let [top, list_area, detail, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(screen.entries.len() as u16 + 2),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    bar(
        frame,
        top,
        &format!(" boxlab · {}", s::APP_TAGLINE.get(lang)),
        &format!("{} ", lang_tag(lang)),
    );

    let width = list_area.width as usize;
    let lines: Vec<Line> = screen
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (state, style) = if e.unavailable.is_some() {
                (s::UNAVAILABLE.get(lang), bad())
            } else if screen.progress.done.contains(&e.lesson.id) {
                (s::DONE.get(lang), good())
            } else if screen.progress.started.contains(&e.lesson.id) {
                (s::IN_PROGRESS.get(lang), Style::new().fg(Color::Yellow))
            } else {
                (s::NOT_STARTED.get(lang), dim())
            };
            let title = format!(
                " {}{:>2}. {}",
                if i == screen.selected { "▶" } else { " " },
                i + 1,
                e.lesson.title.get(lang)
            );
            let pad =
                width.saturating_sub(Span::raw(&title).width() + Span::raw(state).width() + 1);
            let row_style = if i == screen.selected {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(title, row_style),
                Span::raw(" ".repeat(pad)),
                Span::styled(state, style),
            ])
        })
        .collect();
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(format!(" {} ", s::LESSONS.get(lang)), bold()));
    frame.render_widget(Paragraph::new(lines).block(block), list_area);

    if let Some(e) = screen.entries.get(screen.selected) {
        let mut lines = vec![
            Line::styled(e.lesson.title.get(lang).to_string(), bold()),
            Line::raw(e.lesson.summary.get(lang).trim().to_string()),
        ];
        if let Some(reason) = &e.unavailable {
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", s::UNAVAILABLE.get(lang)), bad()),
                Span::raw(reason.get(lang).to_string()),
            ]));
        }
        if !e.lesson.notes.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", s::PAIRS_WITH.get(lang)), dim()),
                Span::raw(e.lesson.notes.join(" · ")),
            ]));
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::new().borders(Borders::TOP)),
            detail,
        );
    }
    hints(
        frame,
        footer,
        lang,
        &[
            ("↑↓", &s::K_CHOOSE),
            ("Enter", &s::K_OPEN),
            ("L", &s::OTHER_LANGUAGE),
            ("?", &s::K_HELP),
            ("q", &s::K_QUIT),
        ],
    );
    if help {
        draw_help(frame, lang);
    }
}

pub fn draw_lesson(frame: &mut Frame, screen: &LessonScreen, lang: Lang, help: bool) {
    let area = frame.area();
    let Some(report) = screen.reports.get(screen.shown) else {
        return;
    };
    let lesson = screen.lesson;
    let step = &lesson.steps[report.index];
    let width = area.width as usize;

    let sys = syscall_lines(report, lang, width);
    let checks = check_lines(screen, report, lang, width);
    let body = wrap(step.explain.get(lang), width.saturating_sub(2));
    let rows = lesson.rows(report.index);
    let pane_width = (width / 2).saturating_sub(1);
    let max_processes = if area.height >= 35 { 14 } else { 6 };
    let pane_need = [Side::Host, Side::Box]
        .iter()
        .map(|&side| {
            pane_lines(
                &pane(rows, report, side, lang, max_processes),
                None,
                pane_width,
            )
            .len()
        })
        .max()
        .unwrap_or(1) as u16
        + 1;

    // Lines are given out in order of what a learner needs most: the explanation (title plus
    // up to 35%), the checks and commands to try (the proof), the syscalls, then the panes,
    // which get at least 5 lines and everything left over.
    let mut left = area.height.saturating_sub(2);
    let explain_h = (1 + body.len() as u16)
        .min((left * 7 / 20).max(4))
        .min(left);
    left -= explain_h;
    let check_h = if checks.is_empty() {
        0
    } else {
        (1 + checks.len() as u16).min(left.saturating_sub(2 + 5))
    };
    left -= check_h;
    let sys_h = (1 + sys.len() as u16)
        .min(left.saturating_sub(pane_need).max(3))
        .min(left.saturating_sub(5))
        .max(2.min(left));
    left -= sys_h;
    let [top, explain_area, panes, sys_area, check_area, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(explain_h),
        Constraint::Length(left),
        Constraint::Length(sys_h),
        Constraint::Length(check_h),
        Constraint::Length(1),
    ])
    .areas(area);

    let mark = if report.passed() { "✓" } else { "✗" };
    let review = if screen.shown + 1 < screen.reports.len() {
        s::REVIEWING.get(lang)
    } else {
        ""
    };
    let right = format!(
        "{review}{} {}/{} {mark} · {} ",
        s::STEP.get(lang),
        report.index + 1,
        lesson.steps.len(),
        lang_tag(lang)
    );
    bar(
        frame,
        top,
        &format!(" boxlab · {}", lesson.title.get(lang)),
        &right,
    );

    // The step title stays put; the text under it scrolls, with a marker when there is more.
    let inner = explain_area.inner(ratatui::layout::Margin::new(1, 0));
    let visible = inner.height.saturating_sub(1) as usize;
    let scroll = (screen.scroll as usize).min(body.len().saturating_sub(visible));
    let more = body.len() > scroll + visible;
    let mut title = vec![Span::styled(
        step.title.get(lang).to_string(),
        bold().fg(Color::Cyan),
    )];
    if more {
        title.push(Span::styled(
            format!("   {}", s::MORE_BELOW.get(lang)),
            dim(),
        ));
    }
    let mut lines = vec![Line::from(title)];
    lines.extend(
        body.iter()
            .skip(scroll)
            .take(visible)
            .map(|l| Line::raw(l.clone())),
    );
    frame.render_widget(Paragraph::new(lines), inner);

    let [host_area, box_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(panes);
    let previous = report
        .index
        .checked_sub(1)
        .and_then(|i| screen.reports.get(i));
    for (side, rect, name) in [
        (Side::Host, host_area, &s::HOST),
        (Side::Box, box_area, &s::BOX),
    ] {
        let max = (rect.height as usize)
            .saturating_sub(3 + rows.len())
            .clamp(1, max_processes.max(1));
        let now = pane(rows, report, side, lang, max);
        let before = previous.map(|p| pane(rows, p, side, lang, max));
        let title = match (side, report.box_pid) {
            (Side::Box, Some(pid)) => format!(" {} · pid {pid} ", name.get(lang)),
            _ => format!(" {} ", name.get(lang)),
        };
        let borders = if side == Side::Host {
            Borders::TOP | Borders::RIGHT
        } else {
            Borders::TOP
        };
        let block = Block::new()
            .borders(borders)
            .title(Span::styled(title, bold()));
        let text_width =
            (rect.width as usize).saturating_sub(if side == Side::Host { 1 } else { 0 });
        frame.render_widget(
            Paragraph::new(pane_lines(&now, before.as_deref(), text_width)).block(block),
            rect,
        );
    }

    let sys_block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(format!(" {} ", s::SYSCALLS.get(lang)), bold()));
    frame.render_widget(
        Paragraph::new(capped(sys, sys_h.saturating_sub(1) as usize, lang)).block(sys_block),
        sys_area,
    );
    if check_h > 0 {
        let block = Block::new()
            .borders(Borders::TOP)
            .title(Span::styled(format!(" {} ", s::CHECKS.get(lang)), bold()));
        frame.render_widget(
            Paragraph::new(capped(checks, check_h.saturating_sub(1) as usize, lang)).block(block),
            check_area,
        );
    }
    hints(
        frame,
        footer,
        lang,
        &[
            ("→", &s::K_NEXT),
            ("←", &s::K_BACK),
            ("↑↓", &s::K_SCROLL),
            ("Esc", &s::K_LESSONS),
            ("r", &s::K_RESET),
            ("L", &s::OTHER_LANGUAGE),
            ("?", &s::K_HELP),
            ("q", &s::K_QUIT),
        ],
    );
    if help {
        draw_help(frame, lang);
    }
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "EN",
        Lang::Ko => "KO",
    }
}

fn bar(frame: &mut Frame, area: Rect, left: &str, right: &str) {
    // The right side (step, language) always shows; a long title gives way with an ellipsis.
    let room = (area.width as usize).saturating_sub(Span::raw(right).width() + 2);
    let mut left = left.to_string();
    if Span::raw(&left).width() > room {
        while Span::raw(&left).width() + 1 > room && left.pop().is_some() {}
        left.push('…');
    }
    frame.render_widget(Paragraph::new("").style(title_bar()), area);
    frame.render_widget(
        Paragraph::new(left).style(title_bar().add_modifier(Modifier::BOLD)),
        area,
    );
    frame.render_widget(
        Paragraph::new(right.to_string())
            .style(title_bar())
            .right_aligned(),
        area,
    );
}

fn hints(frame: &mut Frame, area: Rect, lang: Lang, keys: &[(&str, &S)]) {
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(
            key.to_string(),
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {}  ", what.get(lang))));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Word-wraps by display width, so Korean (two columns a character) wraps correctly.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut out = Vec::new();
    for para in text.trim().split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if Span::raw(&candidate).width() > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        out.push(line);
    }
    out
}

/// Cuts a line to `width` display columns, ending it with "…" when something was cut.
fn fit(text: &str, width: usize) -> String {
    if Span::raw(text).width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if Span::raw(format!("{out}{c}…")).width() > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A pane's rows, each value wrapped under its label (process tables at full width, cut
/// instead of wrapped); rows whose lines differ from the previous step's are highlighted.
fn pane_lines(now: &[PaneRow], before: Option<&[PaneRow]>, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for row in now {
        let was = before.and_then(|b| b.iter().find(|r| r.row == row.row && r.label == row.label));
        let is_changed = before.is_some() && was.is_none_or(|w| w.lines != row.lines);
        let value_style = if is_changed { changed() } else { Style::new() };
        let label = fit(&row.label, LABEL_WIDTH - 1);
        let label = format!(
            "{label}{}",
            " ".repeat(LABEL_WIDTH - Span::raw(&label).width())
        );
        let table = row.row == Row::Processes;
        let mut first = true;
        for (i, value) in row.lines.iter().enumerate() {
            let (indent, room) = if table && i > 0 {
                (1, width.saturating_sub(1))
            } else {
                (LABEL_WIDTH + 1, width.saturating_sub(LABEL_WIDTH + 1))
            };
            let mut pieces = if table && i > 0 {
                vec![fit(value, room)]
            } else {
                wrap_hard(value, room)
            };
            if pieces.len() > MAX_VALUE_LINES {
                // A long listing (the host's /) keeps its first lines; the pane has more to show.
                pieces.truncate(MAX_VALUE_LINES);
                let last = pieces.pop().unwrap_or_default();
                pieces.push(fit(&format!("{last} …"), room));
            }
            for piece in pieces {
                let lead = if first {
                    Span::styled(label.clone(), dim())
                } else {
                    Span::raw(" ".repeat(indent - 1))
                };
                let marker = if is_changed && first { "▸" } else { " " };
                out.push(Line::from(vec![
                    lead,
                    Span::styled(marker, changed()),
                    Span::styled(piece, value_style),
                ]));
                first = false;
            }
        }
    }
    out
}

/// Wraps at word boundaries, and inside words longer than the width (paths, ids).
fn wrap_hard(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in wrap(text, width) {
        let mut rest = line;
        while Span::raw(&rest).width() > width {
            let mut head = String::new();
            for c in rest.chars() {
                if Span::raw(format!("{head}{c}")).width() > width {
                    break;
                }
                head.push(c);
            }
            rest = rest[head.len()..].to_string();
            out.push(head);
        }
        out.push(rest);
    }
    out
}

fn syscall_lines(report: &StepReport, lang: Lang, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    // Repeated identical calls (64 times chdir("..")) are one line with a count.
    let mut i = 0;
    while i < report.records.len() {
        let r = &report.records[i];
        let repeats = report.records[i..].iter().take_while(|x| *x == r).count();
        let style = if r.errno.is_some() {
            bad()
        } else {
            Style::new()
        };
        let times = if repeats > 1 {
            format!("   ×{repeats}")
        } else {
            String::new()
        };
        out.push(Line::styled(
            fit(&format!(" {}{times}", r.line()), width),
            style,
        ));
        if let Some(name) = &r.errno {
            let (en, ko) = errno::explain_name(name);
            let text = format!("   └ {name}: {}", if lang == Lang::Ko { ko } else { en });
            out.push(Line::styled(fit(&text, width), Style::new().fg(Color::Red)));
        }
        i += repeats;
    }
    for o in &report.outputs {
        out.push(Line::styled(
            fit(&format!(" $ {}", o.argv.join(" ")), width),
            Style::new().fg(Color::Cyan),
        ));
        let printed = format!("{}{}", o.stdout, o.stderr);
        let lines: Vec<&str> = printed.lines().collect();
        for l in lines.iter().take(3) {
            out.push(Line::styled(
                fit(&format!("   {l}"), width),
                Style::new().fg(Color::Cyan),
            ));
        }
        if lines.len() > 3 {
            out.push(Line::styled(format!("   … {}", lines.len() - 3), dim()));
        }
    }
    if let Some(e) = &report.error {
        out.push(Line::styled(
            fit(&format!(" {}: {e}", s::ERROR.get(lang)), width),
            bad(),
        ));
    }
    if out.is_empty() {
        out.push(Line::styled(
            format!(" {}", s::NO_SYSCALLS.get(lang)),
            dim(),
        ));
    }
    out
}

fn check_lines(
    screen: &LessonScreen,
    report: &StepReport,
    lang: Lang,
    width: usize,
) -> Vec<Line<'static>> {
    let mut out: Vec<Line> = report
        .checks
        .iter()
        .map(|c| {
            let (mark, style) = if c.passed {
                ("✓", good())
            } else {
                ("✗", bad())
            };
            let what = fit(&c.check.describe(lang), width.saturating_sub(4));
            let room = width.saturating_sub(4 + Span::raw(&what).width() + 2);
            let detail = if room > 8 {
                format!("  {}", fit(&c.detail, room))
            } else {
                String::new()
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::raw(what),
                Span::styled(detail, dim()),
            ])
        })
        .collect();
    let step = &screen.lesson.steps[report.index];
    for t in step.try_commands.iter().take(2) {
        let place = match t.place {
            Place::Host => s::HOST.get(lang),
            Place::Box => s::BOX.get(lang),
        };
        let cmd = report.fill(&t.cmd);
        let lead = format!(" {}: ", s::TRY.get(lang));
        let cmd = fit(
            &format!("{place}$ {cmd}"),
            width.saturating_sub(Span::raw(&lead).width()),
        );
        out.push(Line::from(vec![
            Span::styled(lead, dim()),
            Span::styled(cmd, bold()),
        ]));
    }
    if report.index + 1 == screen.lesson.steps.len() {
        let all_ok = screen.reports.len() == screen.lesson.steps.len()
            && screen.reports.iter().all(StepReport::passed);
        let text = if all_ok {
            format!("★ {}. {}", s::LESSON_DONE.get(lang), s::LAST_STEP.get(lang))
        } else {
            s::LAST_STEP.get(lang).to_string()
        };
        out.push(Line::styled(
            fit(&format!(" {text}"), width),
            if all_ok { good() } else { dim() },
        ));
    }
    out
}

fn capped(mut lines: Vec<Line<'static>>, cap: usize, lang: Lang) -> Vec<Line<'static>> {
    if lines.len() > cap && cap > 0 {
        let more = lines.len() - cap + 1;
        lines.truncate(cap - 1);
        let text = if lang == Lang::Ko {
            format!(" … 외 {more}줄 (창을 키우면 보입니다)")
        } else {
            format!(" … {more} more lines (enlarge the terminal to see them)")
        };
        lines.push(Line::styled(text, dim()));
    }
    lines
}

fn draw_help(frame: &mut Frame, lang: Lang) {
    let area = frame.area();
    let w = area.width.min(66);
    let h = (s::HELP.len() as u16 + s::LEGEND.len() as u16 + 5).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let row = |k: &str, what: &str| {
        Line::from(vec![
            Span::styled(format!(" {k:<16}"), bold()),
            Span::raw(what.to_string()),
        ])
    };
    let mut lines: Vec<Line> = s::HELP
        .iter()
        .map(|(k, what)| row(k, what.get(lang)))
        .collect();
    lines.push(Line::raw(""));
    lines.extend(s::LEGEND.iter().map(|(k, what)| row(k, what.get(lang))));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(" {}", s::ANY_KEY_CLOSES.get(lang)),
        dim(),
    ));
    // Clear one column more on each side: a double-width character cut by the popup's edge
    // would otherwise spill over its border.
    let x = rect.x.saturating_sub(1);
    let wider = Rect {
        x,
        width: (rect.width + 2).min(area.width - x),
        ..rect
    };
    frame.render_widget(Clear, wider);
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", s::HELP_TITLE.get(lang)),
        bold(),
    ));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
