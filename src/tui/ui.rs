//! Drawing. Everything here is a pure function of the data it is given, so snapshot tests can
//! render fixture reports exactly as the app renders real ones.
//!
//! Layout of a lesson (top to bottom): title bar; the step's explanation; host | box panes;
//! syscalls; checks and commands to try; key hints. Fixed parts get their lines first, the
//! explanation gets up to 40% of the rest, the panes everything left, so 80x24 stays readable
//! and a projector-sized terminal shows more of every part.

use std::collections::BTreeSet;

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
    pub done: &'a BTreeSet<String>,
}

pub struct LessonScreen<'a> {
    pub lesson: &'a Lesson,
    pub reports: &'a [StepReport],
    pub shown: usize,
    pub scroll: u16,
}

const LABEL_WIDTH: usize = 12;

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
            } else if screen.done.contains(&e.lesson.id) {
                (s::DONE.get(lang), good())
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
    let tall = area.height >= 35;

    let sys = syscall_lines(report, lang, area.width);
    let checks = check_lines(screen, report, lang);
    let explain = explain_lines(
        step.title.get(lang),
        step.explain.get(lang),
        area.width.saturating_sub(2) as usize,
    );
    let rows = lesson.rows(report.index);
    let max_processes = if tall { 14 } else { 6 };
    let pane_width = (area.width / 2).saturating_sub(1) as usize;
    let pane_need = [Side::Host, Side::Box]
        .iter()
        .map(|&side| wrapped_height(&pane(rows, report, side, lang, max_processes), pane_width))
        .max()
        .unwrap_or(1) as u16
        + 1;

    // Fixed bars first, then the explanation (up to 40%), then the panes as tall as their
    // content, then syscalls and checks; whatever is left goes back to the panes.
    let mut left = area.height.saturating_sub(2);
    let explain_h = (explain.len() as u16).min((left * 2 / 5).max(3));
    left -= explain_h.min(left);
    let check_min = if checks.is_empty() { 0 } else { 2 };
    let pane_h = pane_need
        .min(left.saturating_sub(2 + check_min))
        .max(4.min(left));
    left -= pane_h;
    let sys_h = (1 + sys.len() as u16)
        .min(left.saturating_sub(check_min))
        .max(2.min(left));
    left -= sys_h;
    let check_h = if checks.is_empty() {
        0
    } else {
        (1 + checks.len() as u16).min(left)
    };
    left -= check_h;
    let [top, explain_area, panes, sys_area, check_area, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(explain_h),
        Constraint::Length(pane_h + left),
        Constraint::Length(sys_h),
        Constraint::Length(check_h),
        Constraint::Length(1),
    ])
    .areas(area);

    let mark = if report.passed() { "✓" } else { "✗" };
    let right = format!(
        "{} {}/{} {mark} · {} ",
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

    let max_scroll = (explain.len() as u16).saturating_sub(explain_h);
    let scroll = screen.scroll.min(max_scroll);
    frame.render_widget(
        Paragraph::new(explain)
            .scroll((scroll, 0))
            .block(Block::new().borders(Borders::NONE)),
        explain_area.inner(ratatui::layout::Margin::new(1, 0)),
    );

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
            .clamp(1, max_processes.max(rect.height as usize));
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
        frame.render_widget(
            Paragraph::new(pane_lines(&now, before.as_deref()))
                .wrap(Wrap { trim: false })
                .block(block),
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
    let room = (area.width as usize).saturating_sub(Span::raw(right).width() + 1);
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

fn explain_lines(title: &str, text: &str, width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(title.to_string(), bold().fg(Color::Cyan))];
    lines.extend(wrap(text, width).into_iter().map(Line::raw));
    lines
}

/// A pane's rows; rows whose lines differ from the previous step are highlighted.
fn pane_lines(now: &[PaneRow], before: Option<&[PaneRow]>) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for row in now {
        let was = before.and_then(|b| b.iter().find(|r| r.row == row.row && r.label == row.label));
        let is_changed = before.is_some() && was.is_none_or(|w| w.lines != row.lines);
        let value_style = if is_changed { changed() } else { Style::new() };
        let label_width = Span::raw(&row.label).width();
        for (i, l) in row.lines.iter().enumerate() {
            // Process tables use the pane's full width under their label.
            let indent = if row.row == Row::Processes {
                0
            } else {
                LABEL_WIDTH
            };
            let label = if i == 0 {
                format!(
                    "{}{}",
                    row.label,
                    " ".repeat(LABEL_WIDTH.saturating_sub(label_width))
                )
            } else {
                " ".repeat(indent)
            };
            let marker = if is_changed && i == 0 { "▸" } else { " " };
            out.push(Line::from(vec![
                Span::styled(label, dim()),
                Span::styled(marker, changed()),
                Span::styled(l.clone(), value_style),
            ]));
        }
    }
    out
}

fn syscall_lines(report: &StepReport, lang: Lang, width: u16) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for r in &report.records {
        let style = if r.errno.is_some() {
            bad()
        } else {
            Style::new()
        };
        out.push(Line::styled(format!(" {}", r.line()), style));
        if let Some(name) = &r.errno {
            let (en, ko) = errno::explain_name(name);
            out.push(Line::styled(
                format!("   └ {name}: {}", if lang == Lang::Ko { ko } else { en }),
                Style::new().fg(Color::Red),
            ));
        }
    }
    for o in &report.outputs {
        let printed = format!("{}{}", o.stdout, o.stderr)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let line = format!(" $ {}  →  {printed}", o.argv.join(" "));
        out.push(Line::styled(
            line.chars().take(width as usize).collect::<String>(),
            Style::new().fg(Color::Cyan),
        ));
    }
    if let Some(e) = &report.error {
        out.push(Line::styled(format!(" {}: {e}", s::ERROR.get(lang)), bad()));
    }
    if out.is_empty() {
        out.push(Line::styled(
            format!(" {}", s::NO_SYSCALLS.get(lang)),
            dim(),
        ));
    }
    out
}

fn check_lines(screen: &LessonScreen, report: &StepReport, lang: Lang) -> Vec<Line<'static>> {
    let mut out: Vec<Line> = report
        .checks
        .iter()
        .map(|c| {
            let (mark, style) = if c.passed {
                ("✓", good())
            } else {
                ("✗", bad())
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::raw(c.check.describe(lang)),
                Span::styled(format!("  {}", c.detail), dim()),
            ])
        })
        .collect();
    let step = &screen.lesson.steps[report.index];
    for t in step.try_commands.iter().take(2) {
        let place = match t.place {
            Place::Host => s::HOST.get(lang),
            Place::Box => s::BOX.get(lang),
        };
        let cmd = t.cmd.replace(
            "{box_pid}",
            &report.box_pid.map_or("PID".into(), |p| p.to_string()),
        );
        out.push(Line::from(vec![
            Span::styled(format!(" {}: ", s::TRY.get(lang)), dim()),
            Span::styled(format!("{place}$ {cmd}"), bold()),
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
            format!(" {text}"),
            if all_ok { good() } else { dim() },
        ));
    }
    out
}

/// Lines a pane's rows take once wrapped to `width`.
fn wrapped_height(rows: &[PaneRow], width: usize) -> usize {
    rows.iter()
        .flat_map(|r| &r.lines)
        .map(|l| {
            (LABEL_WIDTH + 1 + Span::raw(l).width())
                .div_ceil(width.max(1))
                .max(1)
        })
        .sum()
}

fn capped(mut lines: Vec<Line<'static>>, cap: usize, lang: Lang) -> Vec<Line<'static>> {
    if lines.len() > cap && cap > 0 {
        let more = lines.len() - cap + 1;
        lines.truncate(cap - 1);
        lines.push(Line::styled(
            if lang == Lang::Ko {
                format!(" … 외 {more}줄 (창을 키우면 보입니다)")
            } else {
                format!(" … {more} more lines (enlarge the terminal to see them)")
            },
            dim(),
        ));
    }
    lines
}

fn draw_help(frame: &mut Frame, lang: Lang) {
    let area = frame.area();
    let w = area.width.min(64);
    let h = (s::HELP.len() as u16 + 4).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let mut lines: Vec<Line> = s::HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<16}"), bold()),
                Span::raw(what.get(lang)),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            " {}",
            if lang == Lang::Ko {
                "아무 키나 누르면 닫힙니다"
            } else {
                "any key closes this"
            }
        ),
        dim(),
    ));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(Span::styled(
            format!(" {} ", s::HELP_TITLE.get(lang)),
            bold(),
        ))),
        rect,
    );
}
