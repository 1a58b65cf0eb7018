//! Drawing. Everything here is a pure function of the data it is given, so snapshot tests can
//! render fixture reports exactly as the app renders real ones.
//!
//! Layout of a lesson (top to bottom): title bar; the step's explanation; host | box panes;
//! syscalls; checks and commands to try; key hints. Fixed parts get their lines first, the
//! explanation gets up to 40% of the rest, the panes everything left, so 80x24 stays readable
//! and a projector-sized terminal shows more of every part. With the shells open, the box shell
//! | host shell take the panes' place and at least half the screen's height; [`shell_sizes`]
//! gives their size from the same layout, so the ptys are sized before anything is drawn.
//! A step showing resources has the live display of [`super::resources`] in its panes, the
//! step's other rows as text around it; with the shells open, a line above them sums it up.

use crate::lesson::progress::Progress;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::app::Entry;
use super::resources::{self, History};
use super::strings::{self as s, S};
use crate::kernel::{errno, process};
use crate::lang::Lang;
use crate::lesson::checks::Verdict;
use crate::lesson::present::{PaneRow, Side, pane};
use crate::lesson::types::{Place, Row};
use crate::lesson::{Lesson, StepReport};

pub struct ListScreen<'a> {
    pub entries: &'a [Entry],
    pub selected: usize,
    /// The first lesson in view at the last draw: the list scrolls only when the chosen one
    /// would leave the view, as in any list (↑ after End moves the mark, not the window).
    pub top: usize,
    pub progress: &'a Progress,
}

pub struct LessonScreen<'a> {
    pub lesson: &'a Lesson,
    pub reports: &'a [StepReport],
    pub shown: usize,
    pub scroll: u16,
    /// The shell panes, when open.
    pub shells: Option<ShellsView>,
    /// The live resource samples, for steps that show resources (None: the report's sample).
    pub resources: Option<&'a History>,
    /// The next step (or, after `r`, the first) is being performed.
    pub working: bool,
    /// `c`: the step's system calls and checks on the whole screen.
    pub calls: bool,
}

/// Which part of the lesson screen gets the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Lesson,
    BoxShell,
    HostShell,
}

/// What one shell pane shows.
pub enum ShellView {
    /// The shell's terminal as it is now; `ended` once the shell exited.
    Screen { screen: vt100::Screen, ended: bool },
    /// Why there is no shell (no box yet, or it could not start).
    Message(String),
}

pub struct ShellsView {
    pub focus: Focus,
    pub boxed: ShellView,
    pub host: ShellView,
    /// The box the box shell joined, as the host numbers it.
    pub box_pid: Option<i32>,
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

/// Draws the lesson list; returns the first lesson it shows (in `Scrolled::top`).
pub fn draw_list(frame: &mut Frame, screen: &ListScreen, lang: Lang, help: bool) -> Scrolled {
    let area = frame.area();
    // The list gets what the title bar, the footer and the detail leave; when the lessons do
    // not all fit, it scrolls to keep the chosen one in view. The detail has a rule and four
    // lines, or as many as the longest title and summary take at this width and one more (the
    // same for every lesson, so that the list does not jump from one to the next): a summary
    // is always whole, with the first line of what follows it (the study notes), which alone
    // may be cut.
    let n = screen.entries.len();
    let width = area.width as usize;
    let longest = screen
        .entries
        .iter()
        .map(|e| {
            wrap(e.lesson.title.get(lang), width).len()
                + wrap(e.lesson.summary.get(lang).trim(), width).len()
        })
        .max()
        .unwrap_or(0);
    let detail_h = 1 + (longest + 1).max(4);
    let visible = n.min(
        (area.height as usize)
            .saturating_sub(1 + 1 + 1 + detail_h)
            .max(3),
    );
    let offset = screen
        .top
        .min(screen.selected)
        .max((screen.selected + 1).saturating_sub(visible))
        .min(n - visible);
    let [top, list_area, detail, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(visible as u16 + 1),
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
        .skip(offset)
        .take(visible)
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
            // A long title is cut (…) so the state always shows in full after a space.
            let title = fit(
                &format!(
                    " {}{:>2}. {}",
                    if i == screen.selected { "▶" } else { " " },
                    i + 1,
                    e.lesson.title.get(lang)
                ),
                width.saturating_sub(Span::raw(state).width() + 2),
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
    let title = if visible < n {
        format!(
            " {} {}-{}/{n} ",
            s::LESSONS.get(lang),
            offset + 1,
            offset + visible
        )
    } else {
        format!(" {} ", s::LESSONS.get(lang))
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, bold()));
    frame.render_widget(Paragraph::new(lines).block(block), list_area);

    if let Some(e) = screen.entries.get(screen.selected) {
        // Wrapped by boxlab's own `wrap`, as every other text here: ratatui's word wrapper
        // lost a Korean character where a two-column one met the right edge.
        let width = detail.width as usize;
        let mut lines = labelled("", Style::new(), e.lesson.title.get(lang), width, bold());
        lines.extend(labelled(
            "",
            Style::new(),
            e.lesson.summary.get(lang).trim(),
            width,
            Style::new(),
        ));
        if let Some(reason) = &e.unavailable {
            lines.push(Line::raw(""));
            let label = format!("{}: ", s::UNAVAILABLE.get(lang));
            lines.extend(labelled(
                &label,
                bad(),
                reason.get(lang),
                width,
                Style::new(),
            ));
        }
        if !e.lesson.notes.is_empty() {
            lines.push(Line::raw(""));
            let label = format!("{}: ", s::PAIRS_WITH.get(lang));
            lines.extend(labelled(
                &label,
                dim(),
                &e.lesson.notes.join(" · "),
                width,
                Style::new(),
            ));
        }
        // Under the rule; a detail taller than the room ends in "…" on its last row.
        let room = (detail.height as usize).saturating_sub(1);
        if lines.len() > room && room > 0 {
            // A blank line that would have led to what is cut gives its row to the first line
            // of it: "Study notes: … …", not a "…" after a summary that is whole.
            if lines[room - 1].width() == 0 {
                lines.remove(room - 1);
            }
            // Without that blank line, all of it may fit.
            if lines.len() > room {
                lines.truncate(room);
                let last: String = lines[room - 1]
                    .spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect();
                lines[room - 1] = Line::raw(fit(&format!("{last} …"), width));
            }
        }
        frame.render_widget(
            Paragraph::new(lines).block(Block::new().borders(Borders::TOP)),
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
    Scrolled {
        top: offset,
        ..Scrolled::default()
    }
}

/// How the screen's scrolled part was drawn. On a lesson screen (the explanation, or the `c`
/// view): the furthest it can scroll, for the app to keep `scroll` within, and how many lines
/// it shows, for PgUp/PgDn to move by a screenful. On the list: the first lesson in view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scrolled {
    pub most: u16,
    pub page: u16,
    pub top: usize,
}

impl Scrolled {
    fn of(len: usize, visible: usize) -> Scrolled {
        let most = len.saturating_sub(visible);
        Scrolled {
            most: u16::try_from(most).unwrap_or(u16::MAX),
            page: u16::try_from(visible).unwrap_or(u16::MAX),
            top: 0,
        }
    }
}

/// "▼ more: ↓" under the top, "▲ more: ↑" at the end, both between: which way there is more.
fn more_marker(scroll: usize, more_below: bool, lang: Lang) -> Option<&'static str> {
    match (scroll > 0, more_below) {
        (false, false) => None,
        (false, true) => Some(s::MORE_BELOW.get(lang)),
        (true, false) => Some(s::MORE_ABOVE.get(lang)),
        (true, true) => Some(s::MORE_BOTH.get(lang)),
    }
}

/// Draws the lesson screen; returns how its scrolled part was drawn.
pub fn draw_lesson(frame: &mut Frame, screen: &LessonScreen, lang: Lang, help: bool) -> Scrolled {
    let area = frame.area();
    let Some(report) = screen.reports.get(screen.shown) else {
        return Scrolled::default();
    };
    let lesson = screen.lesson;
    let step = &lesson.steps[report.index];
    let width = area.width as usize;

    let sys = syscall_lines(report, lang, width, screen.calls);
    let checks = check_lines(screen, report, lang, width, screen.calls);
    if screen.calls {
        let most = draw_calls(frame, screen, report, sys.all(), checks, lang);
        if help {
            draw_help(frame, lang);
        }
        return most;
    }
    let body = wrap(step.explain.get(lang), width.saturating_sub(2));
    let rows = lesson.rows(report.index);
    // A step showing resources has the live display in place of that row, with the step's other
    // rows above and below it as text.
    let live = rows.contains(&Row::Resources);
    // The live history, or before it has a sample, the one the step's report holds.
    let seeded;
    let history = match screen.resources.filter(|h| !h.is_empty()) {
        Some(h) => h,
        None => {
            seeded = report
                .resources
                .clone()
                .map(History::of)
                .unwrap_or_default();
            &seeded
        }
    };
    if let Some(shells) = &screen.shells {
        let (explain_area, summary_area, shells_area, sys_area, check_area, footer) =
            shell_layout(area, body.len(), checks.len(), sys.len(), live);
        draw_top(frame, screen, report, lang);
        let most = draw_explanation(frame, screen, &body, explain_area, lang);
        if summary_area.height > 0 {
            // Each side's summary above its shell: the box on the left, the host on the right.
            let [b, h] = shell_rects(summary_area);
            for (side, rect) in [(Side::Box, b), (Side::Host, h)] {
                let inner = rect.inner(ratatui::layout::Margin::new(1, 0));
                let line = resources::summary(side, history, lang, inner.width as usize);
                frame.render_widget(Paragraph::new(line), inner);
            }
        }
        draw_shells(frame, shells, shells_area, lang);
        draw_syscalls(frame, sys, sys_area, lang);
        draw_checks(frame, checks, check_area, lang);
        shell_hints(frame, footer, lang, shells.focus, is_last(screen, report));
        if help {
            draw_help(frame, lang);
        }
        return most;
    }
    let pane_width = (width / 2).saturating_sub(1);
    let max_processes = if area.height >= 35 { 14 } else { 6 };
    let text_rows = split_at_resources(rows);
    let text_need = |side| -> usize {
        text_rows
            .iter()
            .map(|part| {
                pane_lines(
                    &pane(part, report, side, lang, max_processes),
                    None,
                    pane_width,
                )
                .len()
            })
            .sum()
    };
    let pane_need = [Side::Host, Side::Box]
        .iter()
        .map(|&side| {
            if live {
                text_need(side) + resources::PREFERRED_HEIGHT as usize
            } else {
                text_need(side)
            }
        })
        .max()
        .unwrap_or(1) as u16
        + 1;
    // The panes' least: their title and four lines (fewer when that is all they hold), or
    // the live display's least.
    let pane_min = if live {
        1 + resources::MIN_HEIGHT
    } else {
        pane_need.clamp(2, 5)
    };

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
        (1 + checks.len() as u16).min(left.saturating_sub(2 + pane_min))
    };
    left -= check_h;
    let sys_h = (1 + sys.len() as u16)
        .min(
            left.saturating_sub(pane_need)
                .max(3)
                .max(1 + sys.least() as u16),
        )
        .min(left.saturating_sub(pane_min))
        .max(2.min(left));
    // Rows the panes would leave empty go to the rest of what the commands printed.
    let sys_h = sys_h
        + (1 + sys.whole_len() as u16)
            .saturating_sub(sys_h)
            .min(left.saturating_sub(sys_h).saturating_sub(pane_need));
    left -= sys_h;
    let [_, explain_area, panes, sys_area, check_area, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(explain_h),
        Constraint::Length(left),
        Constraint::Length(sys_h),
        Constraint::Length(check_h),
        Constraint::Length(1),
    ])
    .areas(area);

    draw_top(frame, screen, report, lang);
    let most = draw_explanation(frame, screen, &body, explain_area, lang);

    let [host_area, box_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(panes);
    let previous = previous_of(screen, report);
    // Both sides give the display the same lines, so host and box line up.
    let inner_h = panes.height.saturating_sub(1);
    let live_h = inner_h
        .saturating_sub(pane_need.saturating_sub(1 + resources::PREFERRED_HEIGHT))
        .clamp(resources::MIN_HEIGHT.min(inner_h), resources::MAX_HEIGHT)
        .min(inner_h);
    for (side, rect, name) in [
        (Side::Host, host_area, &s::HOST),
        (Side::Box, box_area, &s::BOX),
    ] {
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
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let text_width = inner.width as usize;
        let no_box = side == Side::Box && report.boxed.is_none();
        if !live || no_box {
            let max = (rect.height as usize)
                .saturating_sub(3 + rows.len())
                .clamp(1, max_processes.max(1));
            let now = pane(rows, report, side, lang, max);
            let before = previous.map(|p| pane(rows, p, side, lang, max));
            let lines = fitted_pane(
                &now,
                before.as_deref(),
                text_width,
                inner.height.into(),
                lang,
            );
            frame.render_widget(Paragraph::new(lines), inner);
            continue;
        }
        // Text rows above the display, the display, then text rows below it.
        let room = inner.height.saturating_sub(live_h) as usize;
        let max = room
            .saturating_sub(2 + rows.len())
            .clamp(1, max_processes.max(1));
        // Each part as the step has it and as the step before had it.
        let part = |rows: &[Row]| {
            let now = pane(rows, report, side, lang, max);
            (now, previous.map(|p| pane(rows, p, side, lang, max)))
        };
        let [above, below] = [part(&text_rows[0]), part(&text_rows[1])];
        let fitted = |(now, before): &(Vec<PaneRow>, Option<Vec<PaneRow>>), height: u16| {
            fitted_pane(now, before.as_deref(), text_width, height.into(), lang)
        };
        let above_need = pane_lines(&above.0, above.1.as_deref(), text_width).len();
        let above_h = (above_need as u16).min(inner.height - live_h);
        let [above_area, live_area, below_area] = Layout::vertical([
            Constraint::Length(above_h),
            Constraint::Length(live_h),
            Constraint::Fill(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(fitted(&above, above_h)), above_area);
        resources::draw(frame, live_area, side, history, lang);
        let below = fitted(&below, below_area.height);
        frame.render_widget(Paragraph::new(below), below_area);
    }

    draw_syscalls(frame, sys, sys_area, lang);
    draw_checks(frame, checks, check_area, lang);
    step_hints(
        frame,
        footer,
        lang,
        is_last(screen, report),
        &[
            ("→", &s::K_NEXT),
            ("←", &s::K_BACK),
            ("↑↓", &s::K_SCROLL),
            ("c", &s::K_CALLS),
            ("s", &s::K_SHELLS),
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
    most
}

/// The title bar: lesson, step, language.
fn draw_top(frame: &mut Frame, screen: &LessonScreen, report: &StepReport, lang: Lang) {
    let lesson = screen.lesson;
    let mark = if report.passed() { "✓" } else { "✗" };
    let review = if screen.shown + 1 < screen.reports.len() {
        s::REVIEWING.get(lang)
    } else {
        ""
    };
    let right = if screen.working {
        format!("{} · {} ", s::RUNNING.get(lang), lang_tag(lang))
    } else {
        format!(
            "{review}{} {}/{} {mark} · {} ",
            s::STEP.get(lang),
            report.index + 1,
            lesson.steps.len(),
            lang_tag(lang)
        )
    };
    let top = Rect {
        height: 1,
        ..frame.area()
    };
    bar(
        frame,
        top,
        &format!(" boxlab · {}", lesson.title.get(lang)),
        &right,
    );
}

/// A step's rows without the resources row, as the rows before it and the rows after it (all
/// of them before it when there is none).
fn split_at_resources(rows: &[Row]) -> [Vec<Row>; 2] {
    match rows.iter().position(|r| *r == Row::Resources) {
        Some(i) => [
            rows[..i].to_vec(),
            rows[i + 1..]
                .iter()
                .copied()
                .filter(|r| *r != Row::Resources)
                .collect(),
        ],
        None => [rows.to_vec(), Vec::new()],
    }
}

/// The step title stays put; the text under it scrolls, with a marker when there is more.
fn draw_explanation(
    frame: &mut Frame,
    screen: &LessonScreen,
    body: &[String],
    area: Rect,
    lang: Lang,
) -> Scrolled {
    let Some(report) = screen.reports.get(screen.shown) else {
        return Scrolled::default();
    };
    let step = &screen.lesson.steps[report.index];
    let inner = area.inner(ratatui::layout::Margin::new(1, 0));
    let visible = inner.height.saturating_sub(1) as usize;
    let scrolled = Scrolled::of(body.len(), visible);
    let scroll = screen.scroll.min(scrolled.most) as usize;
    let more = body.len() > scroll + visible;
    let mut title = vec![Span::styled(
        step.title.get(lang).to_string(),
        bold().fg(Color::Cyan),
    )];
    if let Some(marker) = more_marker(scroll, more, lang) {
        title.push(Span::styled(format!("   {marker}"), dim()));
    }
    let mut lines = vec![Line::from(title)];
    lines.extend(
        body.iter()
            .skip(scroll)
            .take(visible)
            .map(|l| Line::raw(l.clone())),
    );
    frame.render_widget(Paragraph::new(lines), inner);
    scrolled
}

fn draw_syscalls(frame: &mut Frame, sys: CallLines, area: Rect, lang: Lang) {
    let width = area.width as usize;
    let (lines, hidden) = sys.capped(area.height.saturating_sub(1) as usize, width, lang);
    let name = format!(" {} ", s::SYSCALLS.get(lang));
    let mut title = vec![Span::styled(name.clone(), bold())];
    if hidden > 0 {
        let room = width.saturating_sub(Span::raw(&name).width() + 2);
        title.push(Span::styled(hidden_calls(hidden, room, lang), dim()));
    }
    let block = Block::new().borders(Borders::TOP).title(Line::from(title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_checks(frame: &mut Frame, checks: Vec<Line<'static>>, area: Rect, lang: Lang) {
    if area.height == 0 {
        return;
    }
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(format!(" {} ", s::CHECKS.get(lang)), bold()));
    frame.render_widget(
        Paragraph::new(capped(
            checks,
            area.height.saturating_sub(1) as usize,
            "",
            area.width.into(),
            lang,
        ))
        .block(block),
        area,
    );
}

/// The box shell's and the host shell's outer rectangles inside `row`, side by side.
fn shell_rects(row: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(row)
}

/// The border around each shell: the left one also draws the line between the two.
fn shell_block(left: bool) -> Block<'static> {
    Block::new().borders(if left {
        Borders::TOP | Borders::RIGHT
    } else {
        Borders::TOP
    })
}

/// (rows, columns) of the box shell's and the host shell's terminals when `screen` is drawn
/// on `area` with the shells open: the app sizes the ptys with it before drawing.
pub fn shell_sizes(area: Rect, screen: &LessonScreen, lang: Lang) -> [(u16, u16); 2] {
    let Some(report) = screen.reports.get(screen.shown) else {
        return [(0, 0); 2];
    };
    let width = area.width as usize;
    let step = &screen.lesson.steps[report.index];
    let (_, _, shells, ..) = shell_layout(
        area,
        wrap(step.explain.get(lang), width.saturating_sub(2)).len(),
        check_lines(screen, report, lang, width, false).len(),
        syscall_lines(report, lang, width, false).len(),
        screen.lesson.rows(report.index).contains(&Row::Resources),
    );
    let [b, h] = shell_rects(shells);
    let inner = |r: Rect, left: bool| {
        let i = shell_block(left).inner(r);
        (i.height, i.width)
    };
    [inner(b, true), inner(h, false)]
}

/// With the shells open: the explanation (a quarter of what the shells leave, at least its
/// title and two lines; it scrolls), the shells (at least 45% of the screen), the syscalls, the
/// checks and the commands to try in the shells. Lines left over show the rest of the
/// explanation, then go to the shells. On a step showing resources, a line above the shells
/// sums them up when the shells can spare it (then: explanation, summary, shells, ...).
fn shell_layout(
    area: Rect,
    body: usize,
    checks: usize,
    sys: usize,
    resources: bool,
) -> (Rect, Rect, Rect, Rect, Rect, Rect) {
    let available = area.height.saturating_sub(2);
    let mut shells_h = available * 9 / 20;
    let mut left = available - shells_h;
    let mut explain_h = (1 + body as u16).min((left / 4).max(3)).min(left);
    left -= explain_h;
    // The syscalls keep at least their title and a line; the checks come first after that.
    let check_h = if checks == 0 {
        0
    } else {
        (1 + checks as u16).min(left.saturating_sub(2))
    };
    left -= check_h;
    let sys_h = left.min(1 + sys as u16).max(left.min(2));
    left -= sys_h;
    // What is left over shows the rest of the explanation first, then goes to the shells.
    let more = (1 + body as u16).saturating_sub(explain_h).min(left);
    explain_h += more;
    shells_h += left - more;
    // The summary comes out of the shells, which keep at least 8 lines.
    let summary_h = u16::from(resources && shells_h >= 9);
    shells_h -= summary_h;
    let [_, explain, summary, shells, sys_area, check_area, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(explain_h),
        Constraint::Length(summary_h),
        Constraint::Length(shells_h),
        Constraint::Length(sys_h),
        Constraint::Length(check_h),
        Constraint::Length(1),
    ])
    .areas(area);
    (explain, summary, shells, sys_area, check_area, footer)
}

fn draw_shells(frame: &mut Frame, shells: &ShellsView, area: Rect, lang: Lang) {
    use tui_term::widget::{Cursor, PseudoTerminal};
    let [box_area, host_area] = shell_rects(area);
    for (view, rect, left, focus, name) in [
        (
            &shells.boxed,
            box_area,
            true,
            Focus::BoxShell,
            &s::BOX_SHELL,
        ),
        (
            &shells.host,
            host_area,
            false,
            Focus::HostShell,
            &s::HOST_SHELL,
        ),
    ] {
        let focused = shells.focus == focus;
        let ended = matches!(view, ShellView::Screen { ended: true, .. });
        let back = match view {
            ShellView::Screen { screen, .. } => screen.scrollback(),
            ShellView::Message(_) => 0,
        };
        let pid = match (left, shells.box_pid) {
            (true, Some(pid)) => format!(" · pid {pid}"),
            _ => String::new(),
        };
        let state = if ended {
            format!(" {}", s::SHELL_ENDED.get(lang))
        } else if back > 0 {
            format!(" {}", s::scrolled_back(lang, back))
        } else if focused {
            format!(" {}", s::TYPING_HERE.get(lang))
        } else {
            String::new()
        };
        let room = (rect.width as usize).saturating_sub(2);
        let mut title = format!(" {}{pid}{state} ", name.get(lang));
        if Span::raw(&title).width() > room {
            // The state matters more than the pid, which the syscall pane shows too.
            title = fit(&format!(" {}{state} ", name.get(lang)), room);
        }
        let (border, title_style) = if focused {
            (
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                Style::new()
                    .fg(Color::Black)
                    .bg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
            )
        } else {
            (dim(), bold())
        };
        let block = shell_block(left)
            .border_style(border)
            .title(Span::styled(title, title_style));
        match view {
            ShellView::Screen { screen, .. } => {
                // Scrolled back, the cursor's row is not in view.
                let cursor = Cursor::default().visibility(focused && !ended && back == 0);
                frame.render_widget(
                    PseudoTerminal::new(screen).block(block).cursor(cursor),
                    rect,
                );
            }
            ShellView::Message(text) => {
                let inner = block.inner(rect);
                frame.render_widget(block, rect);
                let lines: Vec<Line> = wrap(text, inner.width.saturating_sub(2) as usize)
                    .into_iter()
                    .map(|l| Line::styled(format!(" {l}"), dim()))
                    .collect();
                frame.render_widget(Paragraph::new(lines), inner);
            }
        }
    }
}

/// Key hints with the shells open: the lesson's keys, or, while a shell takes the keys, how
/// to leave it.
fn shell_hints(frame: &mut Frame, area: Rect, lang: Lang, focus: Focus, last: bool) {
    if focus == Focus::Lesson {
        step_hints(
            frame,
            area,
            lang,
            last,
            &[
                ("→", &s::K_NEXT),
                ("←", &s::K_BACK),
                ("↑↓", &s::K_SCROLL),
                ("Tab", &s::K_TO_SHELL),
                ("s", &s::K_CLOSE_SHELLS),
                ("Esc", &s::K_LESSONS),
                ("r", &s::K_RESET),
                ("L", &s::OTHER_LANGUAGE),
                ("?", &s::K_HELP),
                ("q", &s::K_QUIT),
            ],
        );
        return;
    }
    let key = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let mut spans = vec![
        Span::styled("Tab", key),
        Span::raw(format!(" {}  ", s::K_NEXT_PANE.get(lang))),
        Span::styled("⇧Tab", key),
        Span::raw(format!(" {}  ", s::K_PREV_PANE.get(lang))),
    ];
    let used: usize = spans.iter().map(Span::width).sum();
    let room = (area.width as usize).saturating_sub(used);
    spans.push(Span::styled(fit(s::SHELL_KEYS_NOTE.get(lang), room), dim()));
    let line = Line::from(spans);
    frame.render_widget(Paragraph::new(line), area);
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "EN",
        Lang::Ko => "KO",
    }
}

fn bar(frame: &mut Frame, area: Rect, left: &str, right: &str) {
    // The right side (step, language) always shows. A long title gives its subtitle up first
    // (a lesson's title is "name: what it shows", and the name alone still says where one is),
    // then gives way with an ellipsis.
    let room = (area.width as usize).saturating_sub(Span::raw(right).width() + 2);
    let mut left = left.to_string();
    if Span::raw(&left).width() > room
        && let Some((name, _)) = left.rsplit_once(": ")
    {
        left = name.to_string();
    }
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

/// Keys that give way, in this order, when the hints do not fit: scrolling (the explanation
/// shows "▼ more: ↓" when there is more), going back, the language; then the others, from the
/// right. `?` lists every key.
const DROPPABLE_HINTS: [&str; 3] = ["↑↓", "←", "L"];

/// Whether `report` is of the lesson's last step, where → has nowhere to go.
fn is_last(screen: &LessonScreen, report: &StepReport) -> bool {
    report.index + 1 == screen.lesson.steps.len()
}

/// The key hints of a step, without → on the last step.
fn step_hints(frame: &mut Frame, area: Rect, lang: Lang, last: bool, keys: &[(&str, &S)]) {
    let keys: Vec<(&str, &S)> = keys
        .iter()
        .copied()
        .filter(|(k, _)| !(last && *k == "→"))
        .collect();
    hints(frame, area, lang, &keys);
}

fn hints(frame: &mut Frame, area: Rect, lang: Lang, keys: &[(&str, &S)]) {
    let mut keys: Vec<(&str, &S)> = keys.to_vec();
    let width = |keys: &[(&str, &S)], gap: usize| -> usize {
        keys.iter()
            .map(|(k, what)| Span::raw(format!("{k} {}", what.get(lang))).width() + gap)
            .sum()
    };
    let fits = |keys: &[(&str, &S)], gap: usize| width(keys, gap) <= area.width as usize;
    // Two spaces between hints; when they do not fit, scrolling leaves first, then the
    // spaces go down to one, then the other droppable hints leave.
    let mut gap = 2;
    if !fits(&keys, gap) {
        keys.retain(|(k, _)| *k != DROPPABLE_HINTS[0]);
    }
    if !fits(&keys, gap) {
        gap = 1;
    }
    for drop in &DROPPABLE_HINTS[1..] {
        if fits(&keys, gap) {
            break;
        }
        keys.retain(|(k, _)| k != drop);
    }
    // Still too wide (60 columns): the others go from the right, whole, rather than a hint cut
    // mid-word; the first (the next step), help and quit stay.
    while !fits(&keys, gap) {
        let Some(at) = (1..keys.len())
            .rev()
            .find(|&i| !matches!(keys[i].0, "?") && !keys[i].0.starts_with('q'))
        else {
            break;
        };
        keys.remove(at);
    }
    let mut spans = Vec::new();
    for (key, what) in keys {
        spans.push(Span::styled(
            key.to_string(),
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {}{}", what.get(lang), " ".repeat(gap))));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Word-wraps by display width, so Korean (two columns a character) wraps correctly.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut out = Vec::new();
    for para in text.trim().split('\n') {
        let mut line = String::new();
        // Split at plain spaces only: a no-break space (U+00A0) holds its neighbours together.
        for word in para.split(' ').filter(|w| !w.is_empty()) {
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

/// `label` (in `label_style`) then `text`, word-wrapped together to `width`: the label starts
/// the first line.
fn labelled(
    label: &str,
    label_style: Style,
    text: &str,
    width: usize,
    style: Style,
) -> Vec<Line<'static>> {
    wrap(&format!("{label}{text}"), width)
        .into_iter()
        .enumerate()
        .map(|(i, line)| match line.strip_prefix(label) {
            Some(rest) if i == 0 && !label.is_empty() => Line::from(vec![
                Span::styled(label.to_string(), label_style),
                Span::styled(rest.to_string(), style),
            ]),
            _ => Line::styled(line, style),
        })
        .collect()
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
/// instead of wrapped); the lines that are new since the previous step are highlighted (a
/// row that only lost lines or changed their order, its first line).
fn pane_lines(now: &[PaneRow], before: Option<&[PaneRow]>, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for row in now {
        let was = before.and_then(|b| b.iter().find(|r| r.row == row.row && r.label == row.label));
        let is_changed = row_changed(row, before);
        let is_new = |value: &String| is_changed && was.is_none_or(|w| !w.lines.contains(value));
        let only_lost = is_changed && !row.lines.iter().any(is_new);
        let label = fit(&row.label, LABEL_WIDTH - 1);
        let label = format!(
            "{label}{}",
            " ".repeat(LABEL_WIDTH - Span::raw(&label).width())
        );
        let table = row.row == Row::Processes;
        let mut first = true;
        for (i, value) in row.lines.iter().enumerate() {
            let new = is_new(value) || (only_lost && i == 0);
            let value_style = if new { changed() } else { Style::new() };
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
            for (n, piece) in pieces.into_iter().enumerate() {
                let lead = if first {
                    Span::styled(label.clone(), dim())
                } else {
                    Span::raw(" ".repeat(indent - 1))
                };
                let marker = if new && n == 0 { "▸" } else { " " };
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

/// Whether `row` differs from the same row in `before` (the previous step's pane).
fn row_changed(row: &PaneRow, before: Option<&[PaneRow]>) -> bool {
    let Some(before) = before else {
        return false;
    };
    let was = before
        .iter()
        .find(|r| r.row == row.row && r.label == row.label);
    was.is_none_or(|w| w.lines != row.lines)
}

/// A pane's lines in `height` rows. When they do not all fit, the rows the step changed (▸)
/// are kept before the others, each row whole where it can be and all in their order, and the
/// last line counts the lines left out: on a small screen the row a step is about (lesson 17's
/// CapEff after the bounding set is cut) must not be the one below the cut.
fn fitted_pane(
    now: &[PaneRow],
    before: Option<&[PaneRow]>,
    width: usize,
    height: usize,
    lang: Lang,
) -> Vec<Line<'static>> {
    let rows: Vec<Vec<Line<'static>>> = now
        .iter()
        .map(|r| pane_lines(std::slice::from_ref(r), before, width))
        .collect();
    let total: usize = rows.iter().map(Vec::len).sum();
    if total <= height || height < 2 {
        return capped(rows.concat(), height, "", width, lang);
    }
    // One line for the count; changed rows first, then the others, each while it fits.
    let mut room = height - 1;
    let mut shown = vec![0; rows.len()];
    let changed: Vec<bool> = now.iter().map(|r| row_changed(r, before)).collect();
    for pass in [true, false] {
        for (i, lines) in rows.iter().enumerate() {
            if changed[i] == pass && shown[i] == 0 && room > 0 {
                // A changed row longer than the room shows its first lines; another row only
                // whole, or not at all.
                let take = if pass {
                    lines.len().min(room)
                } else if lines.len() <= room {
                    lines.len()
                } else {
                    0
                };
                shown[i] = take;
                room -= take;
            }
        }
    }
    let mut out: Vec<Line<'static>> = rows
        .into_iter()
        .zip(&shown)
        .flat_map(|(lines, &n)| lines.into_iter().take(n))
        .collect();
    let more = total - out.len();
    out.push(Line::styled(more_lines(more, width, lang), dim()));
    out
}

/// Wraps at word boundaries, and inside words longer than the width (paths, ids): after the
/// last `/` or `,` that fits in the second half of the line, so a path breaks between its
/// components, else at the width.
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
            if let Some(at) = head.rfind(['/', ',']).filter(|&at| at + 1 > head.len() / 2) {
                head.truncate(at + 1);
            }
            rest = rest[head.len()..].to_string();
            out.push(head);
        }
        out.push(rest);
    }
    out
}

/// `text` wrapped to `width` under its own indent, continuation lines two further in. A line
/// that fits is kept as it is, spaces and all (a command's output in columns).
fn wrapped(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    if Span::raw(text).width() <= width.saturating_sub(1) {
        return vec![Line::styled(text.to_string(), style)];
    }
    let body = text.trim_start();
    let indent = text.len() - body.len();
    wrap_hard(body, width.saturating_sub(indent + 3))
        .into_iter()
        .enumerate()
        .map(|(n, part)| {
            let pad = if n == 0 { indent } else { indent + 2 };
            Line::styled(format!("{}{part}", " ".repeat(pad)), style)
        })
        .collect()
}

/// The syscall pane's lines: the step's calls, what its commands printed (each heading with
/// every line, cut only where drawn) and the step's error.
struct CallLines {
    calls: Vec<Line<'static>>,
    printed: Vec<(Line<'static>, Vec<Line<'static>>)>,
    error: Vec<Line<'static>>,
}

/// On the step screen a command's output shows at least three lines and the count of the rest
/// (four when that is all: the count would take the line anyway); more where the panes leave
/// rows empty.
const PRINTED_SHOWN: usize = 3;

impl CallLines {
    /// Lines one output takes on the step screen: its heading and up to four more.
    fn printed_want(lines: &[Line<'static>]) -> usize {
        1 + lines.len().min(PRINTED_SHOWN + 1)
    }

    /// Lines the step screen shows with every output whole.
    fn whole_len(&self) -> usize {
        self.calls.len()
            + self.printed.iter().map(|(_, l)| 1 + l.len()).sum::<usize>()
            + self.error.len()
    }

    /// Lines the step screen wants under the calls: the outputs and the error.
    fn below_len(&self) -> usize {
        self.printed
            .iter()
            .map(|(_, l)| Self::printed_want(l))
            .sum::<usize>()
            + self.error.len()
    }

    /// Lines the step screen shows when there is room for all.
    fn len(&self) -> usize {
        self.calls.len() + self.below_len()
    }

    /// The lines the step screen gives the pane before the panes get their fill: what the
    /// commands printed (often the step's point, as the layout lesson's table) and a line or
    /// two of calls.
    fn least(&self) -> usize {
        self.below_len() + self.calls.len().min(2)
    }

    /// Everything, whole: the `c` view.
    fn all(self) -> Vec<Line<'static>> {
        let mut lines = self.calls;
        for (heading, printed) in self.printed {
            lines.push(heading);
            lines.extend(printed);
        }
        lines.extend(self.error);
        lines
    }

    /// At most `cap` lines for the step screen, and how many lines of calls it left out (the
    /// pane's title counts them, so that the calls in view do not seem to be all). What the
    /// commands printed and the error come first, often the step's point (lesson 17's "got
    /// TERM"); the calls get the rows left, and rows the calls do not need go to the outputs'
    /// further lines, first output first.
    fn capped(self, cap: usize, width: usize, lang: Lang) -> (Vec<Line<'static>>, usize) {
        let calls_room = (cap - self.below_len().min(cap)).min(self.calls.len());
        let hidden = self.calls.len() - calls_room;
        let mut room = cap - calls_room;
        let mut lines = self.calls;
        lines.truncate(calls_room);
        let error = self.error;
        room = room.saturating_sub(error.len());
        let wanted: usize = self
            .printed
            .iter()
            .map(|(_, l)| Self::printed_want(l))
            .sum();
        let mut extra = room.saturating_sub(wanted);
        for (heading, printed) in self.printed {
            let want = Self::printed_want(&printed);
            let more = (1 + printed.len() - want).min(extra);
            extra -= more;
            let take = (want + more).min(room);
            room -= take;
            lines.extend(cut_printed(heading, printed, take, width, lang));
        }
        lines.extend(error);
        (lines, hidden)
    }
}

/// An output's heading and lines in `room` lines, its count of the rest indented as its lines.
fn cut_printed(
    heading: Line<'static>,
    printed: Vec<Line<'static>>,
    room: usize,
    width: usize,
    lang: Lang,
) -> Vec<Line<'static>> {
    if room == 0 {
        return Vec::new();
    }
    let mut lines = vec![heading];
    if room == 1 {
        // The heading alone would read as an output of nothing.
        count_after(&mut lines[0], printed.len(), width, lang);
    } else {
        lines.extend(capped(printed, room - 1, "  ", width, lang));
    }
    lines
}

/// The step's calls (an errno explained under a failed one), then what its commands printed:
/// each line cut to the width and three lines of output, or with `full` (the `c` view) every
/// line whole, wrapped.
fn syscall_lines(report: &StepReport, lang: Lang, width: usize, full: bool) -> CallLines {
    let mut out = Vec::new();
    let push = |out: &mut Vec<Line<'static>>, text: String, style: Style| {
        if full {
            out.extend(wrapped(&text, width, style));
        } else {
            out.push(Line::styled(fit(&text, width), style));
        }
    };
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
        let line = format!(" {}", r.line(lang, repeats));
        if !full || Span::raw(&line).width() < width {
            push(&mut out, line, style);
        } else {
            // Wrapped, a call keeps its maker (`host:`) and its `= result` on its own lines
            // (no-break spaces), and its note goes on the next line, under it.
            let maker = r.maker(lang);
            let call = r.call_line(lang, repeats);
            let call = call[maker.len()..].replacen(") = ", ")\u{a0}=\u{a0}", 1);
            push(
                &mut out,
                format!(" {}{call}", maker.replace(' ', "\u{a0}")),
                style,
            );
            if let Some(note) = r.note.as_ref().filter(|_| !r.call.is_empty()) {
                push(&mut out, format!("     // {}", note.get(lang)), dim());
            }
        }
        if let Some(name) = &r.errno {
            let text = format!("   └ {}", errno::explained(name, lang));
            push(&mut out, text, Style::new().fg(Color::Red));
        }
        i += repeats;
    }
    let cyan = Style::new().fg(Color::Cyan);
    let printed = report
        .outputs
        .iter()
        .map(|o| {
            let mut heading = Vec::new();
            push(&mut heading, format!(" {}", o.heading(lang)), cyan);
            let text = cell_text(&format!("{}{}", o.stdout, o.stderr));
            let mut lines = Vec::new();
            for l in text.lines() {
                push(&mut lines, format!("   {l}"), cyan);
            }
            // A heading wrapped in the `c` view: its first line heads, the rest lead the lines.
            let first = heading.remove(0);
            heading.extend(lines);
            (first, heading)
        })
        .collect();
    let mut error = Vec::new();
    if let Some(e) = &report.error {
        push(&mut error, format!(" {}: {e}", s::ERROR.get(lang)), bad());
    }
    if out.is_empty() && report.outputs.is_empty() && error.is_empty() {
        out.push(Line::styled(
            format!(" {}", s::NO_SYSCALLS.get(lang)),
            dim(),
        ));
    }
    CallLines {
        calls: out,
        printed,
        error,
    }
}

/// `text` with each tab (as in /proc/self/status) a space: a terminal cell would drop it, and
/// "CapBnd:\t0000…" read "CapBnd:0000…".
fn cell_text(text: &str) -> String {
    text.replace('\t', " ")
}

/// The checks with their details, the commands to try and the end of the lesson: a line each,
/// cut to the width, or with `full` (the `c` view) each detail whole on lines of its own.
fn check_lines(
    screen: &LessonScreen,
    report: &StepReport,
    lang: Lang,
    width: usize,
    full: bool,
) -> Vec<Line<'static>> {
    let mut out: Vec<Line> = Vec::new();
    for c in &report.checks {
        let detail = cell_text(c.detail.get(lang));
        let (mark, style) = match c.verdict {
            Verdict::Passed => ("✓", good()),
            Verdict::Failed => ("✗", bad()),
            Verdict::Skipped => ("–", dim()),
        };
        if full {
            // The title wrapped as the detail is, its first three columns given to the mark.
            let title = wrapped(
                &format!("   {}", c.check.describe(lang)),
                width,
                Style::new(),
            );
            for (n, line) in title.into_iter().enumerate() {
                let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                out.push(if n == 0 {
                    Line::from(vec![
                        Span::styled(format!(" {mark} "), style),
                        Span::raw(text[3..].to_string()),
                    ])
                } else {
                    Line::raw(text)
                });
            }
            out.extend(wrapped(&format!("   {detail}"), width, dim()));
            continue;
        }
        out.push({
            let what = fit(&c.check.describe(lang), width.saturating_sub(4));
            let room = width.saturating_sub(4 + Span::raw(&what).width() + 2);
            let detail = if room > 8 {
                format!("  {}", fit(&detail, room))
            } else {
                String::new()
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::raw(what),
                Span::styled(detail, dim()),
            ])
        });
    }
    let step = &screen.lesson.steps[report.index];
    for t in step.try_commands.iter().take(2) {
        let place = match t.place {
            Place::Host => s::HOST.get(lang),
            Place::Box => s::BOX_SHELL_PLACE.get(lang),
        };
        let cmd = report.fill(&t.cmd);
        let lead = format!(" {}: ", s::TRY.get(lang));
        if full {
            // Whole, to be read and typed or pasted: a v1 cgroup path does not fit in 80
            // columns, so the lines end in `\` where they break.
            let prompt = format!("{place}$ ");
            let first = Span::raw(&lead).width() + Span::raw(&prompt).width();
            let words = process::shell_words(&cmd);
            let lines = process::continued(
                &words,
                width.saturating_sub(first + 1),
                width.saturating_sub(1),
                "    ",
            );
            for (n, line) in lines.into_iter().enumerate() {
                out.push(if n == 0 {
                    Line::from(vec![
                        Span::styled(lead.clone(), dim()),
                        Span::styled(format!("{prompt}{line}"), bold()),
                    ])
                } else {
                    Line::styled(line, bold())
                });
            }
            continue;
        }
        let cmd = fit(
            &format!("{place}$ {cmd}"),
            width.saturating_sub(Span::raw(&lead).width()),
        );
        out.push(Line::from(vec![
            Span::styled(lead, dim()),
            Span::styled(cmd, bold()),
        ]));
    }
    if is_last(screen, report) {
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

/// Keeps `cap` lines, the last one (after `indent`) saying how many more there are and that
/// `c` shows them all, so that a list cut short does not seem to end where it was cut. A single
/// line stays a line of content: in one row, a count alone would say nothing of what is there;
/// the count goes after it where there is room (an output's first line, "ready", would
/// otherwise seem to be all it printed).
fn capped(
    mut lines: Vec<Line<'static>>,
    cap: usize,
    indent: &str,
    width: usize,
    lang: Lang,
) -> Vec<Line<'static>> {
    if lines.len() > cap && cap == 1 {
        let more = lines.len() - 1;
        lines.truncate(1);
        count_after(&mut lines[0], more, width, lang);
    } else if lines.len() > cap && cap > 0 {
        let more = lines.len() - cap + 1;
        lines.truncate(cap - 1);
        lines.push(Line::styled(
            format!(
                "{indent}{}",
                more_lines(more, width.saturating_sub(indent.len()), lang)
            ),
            dim(),
        ));
    }
    lines
}

/// Puts the count of `more` lines left out after `line`, where it fits in `width` columns.
fn count_after(line: &mut Line<'static>, more: usize, width: usize, lang: Lang) {
    if more == 0 {
        return;
    }
    let room = width.saturating_sub(line.width());
    let count = more_lines(more, room, lang);
    if Span::raw(&count).width() <= room {
        line.spans.push(Span::styled(count, dim()));
    }
}

/// " … 2 more lines (c shows them all)": what a cut list leaves out, in fewer words where
/// that does not fit in `width` columns (a pane at 60 columns would cut the hint mid-word).
fn more_lines(more: usize, width: usize, lang: Lang) -> String {
    let [long, short] = match lang {
        Lang::Ko => [
            format!(" … 외 {more}줄 (c: 전부 보기)"),
            format!(" … 외 {more}줄 (c)"),
        ],
        Lang::En => [
            match more {
                1 => " … 1 more line (c shows it)".to_string(),
                _ => format!(" … {more} more lines (c shows them all)"),
            },
            format!(" … {more} more (c)"),
        ],
    };
    fitting(long, short, width)
}

/// `long` where it fits in `width` columns, else `short`.
fn fitting(long: String, short: String, width: usize) -> String {
    if Span::raw(&long).width() <= width {
        long
    } else {
        short
    }
}

/// "· 7 more lines (c shows them) ": after the syscall pane's title, how many lines of calls
/// are not in view; fewer words where that does not fit in `width` columns.
fn hidden_calls(n: usize, width: usize, lang: Lang) -> String {
    let [long, short] = match lang {
        Lang::Ko => [
            format!("· 외 {n}줄 (c: 전부 보기) "),
            format!("· 외 {n}줄 (c) "),
        ],
        Lang::En => [
            match n {
                1 => "· 1 more line (c shows it) ".to_string(),
                _ => format!("· {n} more lines (c shows them) "),
            },
            format!("· {n} more (c) "),
        ],
    };
    fitting(long, short, width)
}

/// The report of the step before `report`'s, to mark what changed since.
fn previous_of<'a>(screen: &LessonScreen<'a>, report: &StepReport) -> Option<&'a StepReport> {
    report
        .index
        .checked_sub(1)
        .and_then(|i| screen.reports.get(i))
}

/// How many processes the `c` view lists on each side.
const WHOLE_PROCESS_LIST: usize = 40;

/// `c`: the step's system calls, then its checks and commands to try, then both panes, on the
/// whole screen below the title bar, scrolled with ↑↓: where an 80x24 terminal shows only a
/// line of the calls and cuts the panes.
fn draw_calls(
    frame: &mut Frame,
    screen: &LessonScreen,
    report: &StepReport,
    sys: Vec<Line<'static>>,
    checks: Vec<Line<'static>>,
    lang: Lang,
) -> Scrolled {
    let area = frame.area();
    let [_, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_top(frame, screen, report, lang);
    // Where each part starts, so the title names the part at the top as it scrolls.
    let mut parts = vec![(0, &s::SYSCALLS)];
    let mut lines = sys;
    if !checks.is_empty() {
        parts.push((lines.len(), &s::CHECKS));
        lines.push(Line::styled(format!(" {}", s::CHECKS.get(lang)), bold()));
        lines.extend(checks);
    }
    // Then both panes whole (the live display aside), which a small terminal cuts on the step
    // screen.
    let rows = split_at_resources(screen.lesson.rows(report.index)).concat();
    let previous = previous_of(screen, report);
    for (side, name) in [(Side::Host, &s::HOST), (Side::Box, &s::BOX)] {
        let now = pane(&rows, report, side, lang, WHOLE_PROCESS_LIST);
        let before = previous.map(|p| pane(&rows, p, side, lang, WHOLE_PROCESS_LIST));
        parts.push((lines.len(), name));
        lines.push(Line::styled(format!(" {}", name.get(lang)), bold()));
        lines.extend(pane_lines(&now, before.as_deref(), area.width as usize));
    }
    let visible = body.height.saturating_sub(1) as usize;
    let scrolled = Scrolled::of(lines.len(), visible);
    let scroll = screen.scroll.min(scrolled.most) as usize;
    let more = lines.len() > scroll + visible;
    let part = parts
        .iter()
        .rev()
        .find(|(start, _)| *start <= scroll)
        .map_or(&s::SYSCALLS, |(_, name)| *name)
        .get(lang);
    // A part's own heading at the top names it already: the title would say it twice.
    let heading_on_top = scroll > 0 && parts.iter().any(|(start, _)| *start == scroll);
    let title = match (more_marker(scroll, more, lang), heading_on_top) {
        (Some(marker), true) => format!(" {marker} "),
        (Some(marker), false) => format!(" {part} · {marker} "),
        (None, true) => String::new(),
        (None, false) => format!(" {part} "),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, bold()));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).collect();
    frame.render_widget(Paragraph::new(shown).block(block), body);
    step_hints(
        frame,
        footer,
        lang,
        is_last(screen, report),
        &[
            ("c", &s::K_STEP_VIEW),
            ("↑↓", &s::K_SCROLL),
            ("→", &s::K_NEXT),
            ("←", &s::K_BACK),
            ("?", &s::K_HELP),
            ("q", &s::K_QUIT),
        ],
    );
    scrolled
}

fn draw_help(frame: &mut Frame, lang: Lang) {
    let area = frame.area();
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
    // As wide as the longest line, a space after it and the borders, so no text touches them.
    let longest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let w = area.width.min(longest + 3);
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
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

#[cfg(test)]
mod tests {
    use super::{CallLines, Lang, Line, capped, fitted_pane, more_lines, wrap_hard};
    use crate::lesson::present::PaneRow;
    use crate::lesson::types::Row;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    /// A pane too small for its rows keeps the one the step changed, below the cut otherwise,
    /// then whole rows that still fit, all in their order, and counts the rest.
    #[test]
    fn a_cut_pane_keeps_the_changed_row() {
        let row = |row, label: &str, lines: &[&str]| PaneRow {
            row,
            label: label.into(),
            lines: lines.iter().map(|l| l.to_string()).collect(),
        };
        let before = [
            row(Row::Hostname, "hostname", &["web"]),
            row(Row::Pid, "PID", &["my PID: 1", "NSpid: 1"]),
            row(Row::Creds, "ids", &["uid 0", "CapEff: 40 caps"]),
        ];
        let mut now = before.clone();
        now[2].lines[1] = "CapEff: 14 caps".into();
        let lines = texts(&fitted_pane(&now, Some(&before), 40, 4, Lang::En));
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("hostname") && lines[0].ends_with("web"));
        assert!(lines[1].starts_with("ids"));
        assert!(lines[2].ends_with("▸CapEff: 14 caps"), "{lines:?}");
        assert!(lines[3].contains("2 more lines"), "{lines:?}");
        // Room for all: every row, as before.
        assert_eq!(fitted_pane(&now, Some(&before), 40, 5, Lang::En).len(), 5);
    }

    #[test]
    fn the_calls_are_cut_before_what_the_commands_printed() {
        let sys = || CallLines {
            calls: (0..20).map(|i| Line::raw(format!("call {i}"))).collect(),
            printed: vec![(
                Line::raw("(table)"),
                (0..10).map(|i| Line::raw(format!("row {i}"))).collect(),
            )],
            error: vec![Line::raw("error: x")],
        };
        // The table takes its heading, three rows and the count; the error its line; the
        // calls what is left, here one line, and the title counts the other 19.
        let (lines, hidden) = sys().capped(7, 80, Lang::En);
        assert_eq!(
            texts(&lines),
            [
                "call 0",
                "(table)",
                "row 0",
                "row 1",
                "row 2",
                "   … 7 more lines (c shows them all)",
                "error: x",
            ]
        );
        assert_eq!(hidden, 19);
        // With one row fewer, the table keeps its rows and no call shows.
        let (lines, hidden) = sys().capped(6, 80, Lang::En);
        assert_eq!(texts(&lines)[0], "(table)");
        assert_eq!(hidden, 20);
    }

    #[test]
    fn an_output_grows_into_the_rows_the_calls_leave() {
        let sys = || CallLines {
            calls: vec![Line::raw("call 0"), Line::raw("call 1")],
            printed: vec![(
                Line::raw("(config)"),
                (0..8).map(|i| Line::raw(format!("row {i}"))).collect(),
            )],
            error: Vec::new(),
        };
        // Two calls take two of eight rows; the output has six: five lines and the count,
        // not the four it shows at least.
        assert_eq!(
            texts(&sys().capped(8, 80, Lang::En).0),
            [
                "call 0",
                "call 1",
                "(config)",
                "row 0",
                "row 1",
                "row 2",
                "row 3",
                "   … 4 more lines (c shows them all)",
            ]
        );
        // With room for all, all of it.
        assert_eq!(sys().capped(11, 80, Lang::En), (sys().all(), 0));
        assert_eq!(sys().whole_len(), 11);
    }

    #[test]
    fn the_count_of_what_is_cut_fits_its_pane() {
        assert_eq!(
            more_lines(13, 40, Lang::En),
            " … 13 more lines (c shows them all)"
        );
        // A pane at 60 columns: fewer words, rather than a hint cut mid-word.
        assert_eq!(more_lines(13, 28, Lang::En), " … 13 more (c)");
        assert_eq!(more_lines(13, 28, Lang::Ko), " … 외 13줄 (c: 전부 보기)");
        assert_eq!(more_lines(13, 20, Lang::Ko), " … 외 13줄 (c)");
    }

    #[test]
    fn one_line_left_of_a_list_says_after_it_how_many_more() {
        let lines = || vec![Line::raw("ready"), Line::raw("got TERM")];
        assert_eq!(
            texts(&capped(lines(), 1, "  ", 80, Lang::En)),
            ["ready … 1 more line (c shows it)"]
        );
        assert_eq!(texts(&capped(lines(), 1, "  ", 12, Lang::En)), ["ready"]);
    }

    #[test]
    fn a_long_path_breaks_between_its_components() {
        let path = "mount(\"overlay\", \"/run/boxlab/123-abcdef/merged\")";
        assert_eq!(
            wrap_hard(path, 30),
            [
                "mount(\"overlay\",",
                "\"/run/boxlab/123-abcdef/",
                "merged\")"
            ]
        );
        // No `/` in the second half of the line: cut at the width.
        assert_eq!(wrap_hard("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }
}
