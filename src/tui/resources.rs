//! The live resource display: a minute of samples (the host's totals and the box's cgroup
//! usage), the rates derived from them, and the widgets that show them in the host and box
//! panes.
//!
//! A [`Sample`] holds counters (CPU time, bytes read and written); rates come from two samples
//! and the wall time between them. Samples carry their time as a [`Duration`] from any fixed
//! origin, so tests can build a history without waiting.

use std::collections::VecDeque;
use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph, Sparkline};

use super::strings::{self as s, S};
use crate::lang::Lang;
use crate::lesson::present::Side;
use crate::probe::resources::{Sample, human_bytes};

/// How far back the history and the CPU graph reach.
pub const WINDOW: Duration = Duration::from_secs(60);
/// How often the app takes a sample while the display is shown.
pub const INTERVAL: Duration = Duration::from_millis(500);
/// The "now" figures are rates over about this long: steadier than the last half second.
const RECENT: Duration = Duration::from_secs(2);
/// A bound on the ring, whatever the sampling rate.
const MAX_SAMPLES: usize = 400;

/// A rate between two samples `secs` seconds apart; None when either lacks the figure or a
/// counter went backwards (a new box, a new cgroup).
pub type Rate = fn(&Sample, &Sample, f64) -> Option<f64>;

/// The samples of the last [`WINDOW`], oldest first, with the time each was taken.
#[derive(Clone, Debug, Default)]
pub struct History {
    samples: VecDeque<(Duration, Sample)>,
}

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// A history of one sample: what a step's report holds, before any live sample.
    pub fn of(sample: Sample) -> History {
        let mut h = History::new();
        h.push(Duration::ZERO, sample);
        h
    }

    pub fn clear(&mut self) {
        self.samples.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Adds a sample taken at `at`; one not later than the newest is ignored. Samples older
    /// than the window leave, except the last of them, which still covers its start.
    pub fn push(&mut self, at: Duration, sample: Sample) {
        if self.now().is_some_and(|now| at <= now) {
            return;
        }
        self.samples.push_back((at, sample));
        while self.samples.len() > 2 && self.samples[1].0 + WINDOW <= at {
            self.samples.pop_front();
        }
        while self.samples.len() > MAX_SAMPLES {
            self.samples.pop_front();
        }
    }

    /// When the newest sample was taken.
    pub fn now(&self) -> Option<Duration> {
        self.samples.back().map(|(at, _)| *at)
    }

    pub fn latest(&self) -> Option<&Sample> {
        self.samples.back().map(|(_, s)| s)
    }

    /// `rate` between each two consecutive samples: (from, to, value), oldest first.
    pub fn intervals(&self, rate: Rate) -> Vec<(Duration, Duration, f64)> {
        self.samples
            .iter()
            .zip(self.samples.iter().skip(1))
            .filter_map(|((a_at, a), (b_at, b))| {
                let secs = (*b_at - *a_at).as_secs_f64();
                rate(a, b, secs).map(|v| (*a_at, *b_at, v))
            })
            .collect()
    }

    /// `rate` now: from the newest sample at least [`RECENT`] old (or else the oldest) to the
    /// newest. None with fewer than two samples.
    pub fn recent(&self, rate: Rate) -> Option<f64> {
        let (now, newest) = self.samples.back()?;
        let (at, from) = self
            .samples
            .iter()
            .rev()
            .find(|(at, _)| *at + RECENT <= *now)
            .or_else(|| self.samples.front())?;
        if at == now {
            return None;
        }
        rate(from, newest, (*now - *at).as_secs_f64())
    }

    /// `rate` over the window in `width` columns, the newest on the right: each column is the
    /// time-weighted mean of the intervals overlapping its slice of the minute, None where no
    /// sample covers it yet.
    pub fn columns(&self, rate: Rate, width: usize) -> Vec<Option<f64>> {
        let Some(now) = self.now() else {
            return vec![None; width];
        };
        let end = now.as_secs_f64();
        let span = WINDOW.as_secs_f64();
        let start = end - span;
        let slice = span / width.max(1) as f64;
        let intervals = self.intervals(rate);
        (0..width)
            .map(|i| {
                let (c0, c1) = (start + i as f64 * slice, start + (i + 1) as f64 * slice);
                let (mut sum, mut covered) = (0.0, 0.0);
                for (a, b, v) in &intervals {
                    let overlap = c1.min(b.as_secs_f64()) - c0.max(a.as_secs_f64());
                    if overlap > 0.0 {
                        sum += overlap * v;
                        covered += overlap;
                    }
                }
                (covered > 0.0).then(|| sum / covered)
            })
            .collect()
    }
}

/// `b - a` per second.
fn per_second(a: u64, b: u64, secs: f64) -> Option<f64> {
    (b >= a && secs > 0.0).then(|| (b - a) as f64 / secs)
}

/// The box's CPU use as a percentage of one CPU: CPU time used over wall time.
pub fn box_cpu_percent(a: &Sample, b: &Sample, secs: f64) -> Option<f64> {
    let (a, b) = (
        a.boxed.as_ref()?.cpu.as_ref()?,
        b.boxed.as_ref()?.cpu.as_ref()?,
    );
    per_second(a.usage_usec, b.usage_usec, secs).map(|usec| usec / 1e4)
}

/// The host's CPU use as a percentage of all its CPUs: busy ticks over all ticks.
pub fn host_cpu_percent(a: &Sample, b: &Sample, _secs: f64) -> Option<f64> {
    let (a, b) = (&a.host, &b.host);
    let busy = b.cpu_busy_ticks.checked_sub(a.cpu_busy_ticks)?;
    let total = b.cpu_total_ticks.checked_sub(a.cpu_total_ticks)?;
    (total > 0).then(|| (busy.min(total) as f64 / total as f64) * 100.0)
}

/// Bytes per second the box read and wrote.
pub fn box_read_rate(a: &Sample, b: &Sample, secs: f64) -> Option<f64> {
    let (a, b) = (
        a.boxed.as_ref()?.io.as_ref()?,
        b.boxed.as_ref()?.io.as_ref()?,
    );
    per_second(a.read_bytes, b.read_bytes, secs)
}

pub fn box_write_rate(a: &Sample, b: &Sample, secs: f64) -> Option<f64> {
    let (a, b) = (
        a.boxed.as_ref()?.io.as_ref()?,
        b.boxed.as_ref()?.io.as_ref()?,
    );
    per_second(a.write_bytes, b.write_bytes, secs)
}

/// Bytes per second the host's disks read and wrote.
pub fn disk_read_rate(a: &Sample, b: &Sample, secs: f64) -> Option<f64> {
    per_second(a.host.disk_read_bytes, b.host.disk_read_bytes, secs)
}

pub fn disk_write_rate(a: &Sample, b: &Sample, secs: f64) -> Option<f64> {
    per_second(a.host.disk_write_bytes, b.host.disk_write_bytes, secs)
}

// ---------------------------------------------------------------------------------------------
// The widgets. Each side shows the same lines in the same order, so host and box line up:
//
//   memory  48.2M/64.0M ████████████░ OOM kills 1      a gauge against the limit
//           peak 64.0M · limit hit 57                  (detail)
//   CPU     49.8%/50% ███████████████ throttled 112    used/quota
//     100%  ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄         the last minute, newest on the right
//           quota 50% · 100% = one CPU · last 60 s     (detail)
//   pids    20/20 ██████████████████ forks refused 37
//   I/O     w 1.9M/s (limit 2.0M/s) · r 0B/s
//           in all r 1.2M w 8.0M · limit on 254:0      (detail)
//
// Every graphic has its numbers in text beside it; colour only repeats what the text says.

/// Lines the display needs: memory, CPU, pids and I/O, and one row of CPU graph.
pub const MIN_HEIGHT: u16 = 5;
/// Lines it asks for: the main lines, a row of graph and the memory detail. It gets more when
/// the screen has more (it does not take them from the syscalls).
pub const PREFERRED_HEIGHT: u16 = 6;
/// Lines it can use at most.
pub const MAX_HEIGHT: u16 = 7 + MAX_GRAPH_ROWS;
const MAX_GRAPH_ROWS: u16 = 8;
/// A gauge narrower than this (its gap included) is left out; the numbers stay.
const MIN_GAUGE: usize = 5;

/// Which lines fit in `height`: the four main lines first, then a row of CPU graph, the
/// details of memory, CPU and I/O, then more rows of graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Plan {
    graph_rows: u16,
    memory_detail: bool,
    cpu_detail: bool,
    io_detail: bool,
}

fn plan(height: u16) -> Plan {
    let extra = height.saturating_sub(4);
    Plan {
        graph_rows: match extra {
            0 => 0,
            1..=4 => 1,
            n => (n - 3).min(MAX_GRAPH_ROWS),
        },
        memory_detail: extra >= 2,
        cpu_detail: extra >= 3,
        io_detail: extra >= 4,
    }
}

/// One main line: a label, the leading numbers (before a gauge, when there is a limit), then
/// parts that give way from the end when the line is too narrow (they move to the detail
/// line when it is shown).
struct Row {
    label: &'static S,
    gauge: Option<f64>,
    lead: String,
    tail: Vec<String>,
    detail: Vec<String>,
    /// No figures: the lead says why.
    missing: bool,
    /// What the one-line summary adds to the lead: OOM kills or refused forks, once there are.
    alert: Option<String>,
    /// What the summary shows instead of the lead, when that is too long.
    short: Option<String>,
    /// How close to its limit (1: at it): the summary shows the most pressed first.
    pressure: f64,
}

impl Row {
    fn new(label: &'static S, lead: String) -> Row {
        Row {
            label,
            gauge: None,
            lead,
            tail: Vec::new(),
            detail: Vec::new(),
            missing: false,
            alert: None,
            short: None,
            pressure: 0.0,
        }
    }

    fn missing(label: &'static S, lang: Lang) -> Row {
        Row {
            missing: true,
            ..Row::new(label, s::R_NO_CONTROLLER.get(lang).into())
        }
    }
}

/// What a CPU graph draws: `rate` over the minute, against one CPU (the box) or all (the host).
struct Graph {
    rate: Rate,
    /// The quota, in percent of one CPU.
    quota: Option<f64>,
}

/// One side's figures, ready to draw.
struct Figures {
    memory: Row,
    cpu: Row,
    graph: Option<Graph>,
    pids: Row,
    io: Row,
}

/// "49.8%", and whole percents from 100 up ("150%").
fn percent(v: f64) -> String {
    if v < 99.95 {
        format!("{v:.1}%")
    } else {
        format!("{v:.0}%")
    }
}

/// A percentage without ".0" when it is whole: a quota of "50%", a scale of "200%".
fn percent_label(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{v:.0}%")
    } else {
        percent(v)
    }
}

fn per_sec(v: f64) -> String {
    format!("{}/s", human_bytes(v.max(0.0) as u64))
}

fn read_write(lang: Lang, r: &str, w: &str) -> String {
    format!(
        "{} {} {r} {} {w}",
        s::R_IN_ALL.get(lang),
        s::R_READ.get(lang),
        s::R_WRITE.get(lang)
    )
}

/// The figures of one side from the history; Err with a note when there are none.
fn figures(side: Side, h: &History, lang: Lang) -> Result<Figures, &'static str> {
    let latest = h.latest().ok_or(s::R_MEASURING.get(lang))?;
    let measuring = || "—".to_string();
    match side {
        Side::Host => {
            let t = &latest.host;
            let used = t.memory_total.saturating_sub(t.memory_available);
            let mut memory = Row::new(
                &s::R_MEMORY,
                format!("{}/{}", human_bytes(used), human_bytes(t.memory_total)),
            );
            memory.gauge = (t.memory_total > 0).then(|| used as f64 / t.memory_total as f64);
            memory.detail = vec![format!(
                "{} {}",
                s::R_AVAILABLE.get(lang),
                human_bytes(t.memory_available)
            )];
            let now = h.recent(host_cpu_percent);
            let mut cpu = Row::new(&s::R_CPU, now.map_or_else(measuring, percent));
            cpu.gauge = now.map(|v| v / 100.0);
            cpu.tail = vec![s::r_cpus(lang, t.cpus)];
            cpu.detail = vec![
                s::r_cpu_scale(lang, Some(t.cpus)),
                s::R_LAST_MINUTE.get(lang).into(),
            ];
            let pids = Row::new(&s::R_PIDS, s::r_processes(lang, t.processes));
            let total = read_write(
                lang,
                &human_bytes(t.disk_read_bytes),
                &human_bytes(t.disk_write_bytes),
            );
            let io = match (h.recent(disk_write_rate), h.recent(disk_read_rate)) {
                (Some(w), Some(r)) => Row {
                    tail: vec![format!("{} {}", s::R_READ.get(lang), per_sec(r))],
                    detail: vec![total],
                    ..Row::new(&s::R_DISK, s::r_write_rate(lang, &per_sec(w), None))
                },
                _ => Row::new(&s::R_DISK, total),
            };
            Ok(Figures {
                memory,
                cpu,
                graph: Some(Graph {
                    rate: host_cpu_percent,
                    quota: None,
                }),
                pids,
                io,
            })
        }
        Side::Box => {
            let u = latest.boxed.as_ref().ok_or(s::R_NO_CGROUP.get(lang))?;
            let no_limit = || s::R_NO_LIMIT.get(lang).to_string();
            let memory = match &u.memory {
                None => Row::missing(&s::R_MEMORY, lang),
                Some(m) => {
                    let mut row = Row::new(&s::R_MEMORY, human_bytes(m.current));
                    if let Some(limit) = m.limit {
                        row.lead = format!("{}/{}", human_bytes(m.current), human_bytes(limit));
                        row.gauge = Some(m.current as f64 / limit.max(1) as f64);
                    } else {
                        row.tail.push(no_limit());
                    }
                    let oom = s::r_count(lang, &s::R_OOM_KILLS, m.oom_kills);
                    row.alert = (m.oom_kills > 0).then(|| oom.clone());
                    row.tail.push(oom);
                    if let Some(peak) = m.peak {
                        row.detail
                            .push(format!("{} {}", s::R_PEAK.get(lang), human_bytes(peak)));
                    }
                    row.detail
                        .push(s::r_count(lang, &s::R_LIMIT_HIT, m.hit_limit));
                    row
                }
            };
            let (cpu, graph) = match &u.cpu {
                None => (Row::missing(&s::R_CPU, lang), None),
                Some(c) => {
                    let quota = c.quota.map(|(q, p)| q as f64 / p.max(1) as f64 * 100.0);
                    // Like memory and pids: used/limit and a gauge, when there is a quota.
                    let now = h.recent(box_cpu_percent);
                    let used = now.map_or_else(measuring, percent);
                    let mut row = Row::new(&s::R_CPU, used.clone());
                    let throttled = s::r_count(lang, &s::R_THROTTLED, c.throttled);
                    match quota {
                        Some(q) => {
                            row.lead = format!("{used}/{}", percent_label(q));
                            row.gauge = now.map(|v| v / q);
                            row.tail = vec![throttled];
                            row.detail =
                                vec![format!("{} {}", s::R_QUOTA.get(lang), percent_label(q))];
                        }
                        None => {
                            row.tail = vec![s::R_NO_QUOTA.get(lang).to_string(), throttled];
                        }
                    }
                    row.detail.extend([
                        s::r_cpu_scale(lang, None),
                        s::R_LAST_MINUTE.get(lang).into(),
                    ]);
                    let graph = Graph {
                        rate: box_cpu_percent,
                        quota,
                    };
                    (row, Some(graph))
                }
            };
            let pids = match &u.pids {
                None => Row::missing(&s::R_PIDS, lang),
                Some(p) => {
                    let mut row = Row::new(&s::R_PIDS, p.current.to_string());
                    if let Some(limit) = p.limit {
                        row.lead = format!("{}/{limit}", p.current);
                        row.gauge = Some(p.current as f64 / limit.max(1) as f64);
                    } else {
                        row.tail.push(no_limit());
                    }
                    let refused = s::r_count(lang, &s::R_REFUSED, p.refused);
                    row.alert = (p.refused > 0).then(|| refused.clone());
                    row.tail.push(refused);
                    row
                }
            };
            let io = match &u.io {
                None => Row::missing(&s::R_IO, lang),
                Some(io) => {
                    let limit = io.write_limit.as_ref().map(|(_, b)| per_sec(*b as f64));
                    let total = read_write(
                        lang,
                        &human_bytes(io.read_bytes),
                        &human_bytes(io.write_bytes),
                    );
                    let mut row = match (h.recent(box_write_rate), h.recent(box_read_rate)) {
                        (Some(w), Some(r)) => Row {
                            tail: vec![format!("{} {}", s::R_READ.get(lang), per_sec(r))],
                            detail: vec![total],
                            short: Some(s::r_write_rate(lang, &per_sec(w), None)),
                            pressure: io
                                .write_limit
                                .as_ref()
                                .map_or(0.0, |(_, l)| w / (*l).max(1) as f64),
                            ..Row::new(
                                &s::R_IO,
                                s::r_write_rate(lang, &per_sec(w), limit.as_deref()),
                            )
                        },
                        // No rates before a second sample: the totals, and the limit.
                        _ => Row {
                            tail: limit.iter().map(|l| s::r_write_limit(lang, l)).collect(),
                            ..Row::new(&s::R_IO, total)
                        },
                    };
                    if let Some((dev, _)) = &io.write_limit {
                        row.detail.push(s::r_on_device(lang, dev));
                    } else {
                        row.tail.insert(0, no_limit());
                    }
                    row
                }
            };
            Ok(Figures {
                memory,
                cpu,
                graph,
                pids,
                io,
            })
        }
    }
}

fn width(text: &str) -> usize {
    Span::raw(text).width()
}

/// The label column: the widest label of the language, and a space.
pub fn label_width(lang: Lang) -> usize {
    [&s::R_MEMORY, &s::R_CPU, &s::R_PIDS, &s::R_IO, &s::R_DISK]
        .iter()
        .map(|l| width(l.get(lang)))
        .max()
        .unwrap_or(0)
        + 1
}

fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// The style of a gauge's filled part: it turns yellow, then red, near the limit.
fn gauge_style(ratio: f64) -> Style {
    let colour = if ratio >= 0.95 {
        Color::Red
    } else if ratio >= 0.75 {
        Color::Yellow
    } else {
        Color::Green
    };
    Style::new().fg(colour)
}

/// `text` padded with spaces to `columns` display columns, on the left when `right` aligned.
fn pad(text: &str, columns: usize, right: bool) -> String {
    let spaces = " ".repeat(columns.saturating_sub(width(text)));
    if right {
        format!("{spaces}{text}")
    } else {
        format!("{text}{spaces}")
    }
}

/// Cuts `text` to `room` columns, with "…" when something was cut.
fn fit(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if width(&out) + width(&c.to_string()) + 1 > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Draws a main line in `area` (one row); returns the tail parts that did not fit.
fn draw_row(frame: &mut Frame, area: Rect, label_w: usize, row: &Row, lang: Lang) -> Vec<String> {
    let room = (area.width as usize).saturating_sub(label_w);
    let label = fit(
        &pad(row.label.get(lang), label_w, false),
        area.width as usize,
    );
    let lead = fit(&row.lead, room);
    let lead_w = width(&lead);
    // The gauge wants MIN_GAUGE columns; the tail parts come after it while they fit.
    let gauge_need = if row.gauge.is_some() { MIN_GAUGE } else { 0 };
    let mut used = lead_w + gauge_need;
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for part in &row.tail {
        let w = width(part)
            + if kept.is_empty() && gauge_need > 0 {
                1
            } else {
                3
            };
        if dropped.is_empty() && used + w <= room {
            used += w;
            kept.push(part.clone());
        } else {
            dropped.push(part.clone());
        }
    }
    let lead_style = if row.missing {
        dim()
    } else {
        Style::new().add_modifier(Modifier::BOLD)
    };
    let mut spans = vec![Span::styled(label, dim()), Span::styled(lead, lead_style)];
    let x = area.x + label_w as u16;
    match row.gauge {
        Some(ratio) if lead_w + MIN_GAUGE <= room => {
            let tail = kept.join(" · ");
            let tail_w = if tail.is_empty() { 0 } else { width(&tail) + 1 };
            let gauge_w = room - lead_w - tail_w;
            frame.render_widget(Paragraph::new(Line::from(spans)), area);
            // LineGauge: the numbers, a space, then the bar to the end of its area.
            let ratio = ratio.clamp(0.0, 1.0);
            let gauge = LineGauge::default()
                .ratio(ratio)
                .label(Span::styled(row.lead.clone(), lead_style))
                .filled_symbol("█")
                .unfilled_symbol("░")
                .filled_style(gauge_style(ratio))
                .unfilled_style(dim());
            let gauge_area = Rect::new(x, area.y, (lead_w + gauge_w) as u16, 1);
            frame.render_widget(gauge, gauge_area);
            if !tail.is_empty() {
                let tail_area = Rect::new(gauge_area.right() + 1, area.y, (tail_w - 1) as u16, 1);
                frame.render_widget(Paragraph::new(tail), tail_area);
            }
        }
        _ => {
            for part in kept {
                spans.push(Span::raw(format!(" · {part}")));
            }
            frame.render_widget(Paragraph::new(Line::from(spans)), area);
        }
    }
    dropped
}

/// A detail line under a main line: dim, in the value column.
fn draw_detail(frame: &mut Frame, area: Rect, label_w: usize, parts: &[String]) {
    let room = (area.width as usize).saturating_sub(label_w);
    let text = fit(&parts.join(" · "), room);
    let line = Line::from(vec![
        Span::raw(" ".repeat(label_w)),
        Span::styled(text, dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// What the CPU graph's bottom row shows where there is no bar.
const FLOOR: &str = "▁";

/// The CPU graph over the last minute in `area`, its scale in the label column: the top is
/// 100% (more when the box may use more than one CPU); a line marks the quota.
fn draw_graph(
    frame: &mut Frame,
    area: Rect,
    label_w: usize,
    history: &History,
    graph: &Graph,
    lang: Lang,
) {
    let bars_w = (area.width as usize).saturating_sub(label_w);
    if bars_w == 0 || area.height == 0 {
        return;
    }
    let columns = history.columns(graph.rate, bars_w);
    let highest = columns.iter().flatten().fold(0.0_f64, |a, &b| a.max(b));
    let scale = [
        100.0,
        graph.quota.unwrap_or(0.0),
        (highest / 100.0).ceil() * 100.0,
    ]
    .into_iter()
    .fold(0.0_f64, f64::max);
    let data: Vec<Option<u64>> = columns
        .iter()
        .map(|c| c.map(|v| (v * 10.0).round() as u64))
        .collect();
    let bars = Rect::new(area.x + label_w as u16, area.y, bars_w as u16, area.height);
    frame.render_widget(
        Sparkline::default()
            .data(data)
            .max((scale * 10.0) as u64)
            .style(Style::new().fg(Color::Cyan)),
        bars,
    );
    let gutter = |frame: &mut Frame, y: u16, text: &str| {
        let text = format!("{} ", pad(&fit(text, label_w - 1), label_w - 1, true));
        frame.render_widget(
            Paragraph::new(Span::styled(text, dim())),
            Rect::new(area.x, y, label_w as u16, 1),
        );
    };
    gutter(frame, area.y, &percent_label(scale));
    // A dim floor under the bars, so that an idle minute (0%) reads as a graph, not as a
    // stray "100%".
    let floor = area.bottom() - 1;
    for x in bars.left()..bars.right() {
        let cell = &mut frame.buffer_mut()[(x, floor)];
        if cell.symbol() == " " {
            cell.set_symbol(FLOOR).set_style(dim());
        }
    }
    // The quota as a line through the empty cells of the row it falls in, at the height within
    // the row closest to it (bars that reach it stop just under it).
    let Some(quota) = graph.quota.filter(|_| area.height >= 2) else {
        return;
    };
    let eighths = (quota / scale * f64::from(area.height) * 8.0).round() as u16;
    let row = (eighths / 8).min(area.height - 1);
    let symbol = match eighths.saturating_sub(row * 8) {
        0..=1 => "▁",
        2..=5 => "─",
        _ => "▔",
    };
    let y = area.bottom() - 1 - row;
    let buf = frame.buffer_mut();
    for x in bars.left()..bars.right() {
        let cell = &mut buf[(x, y)];
        if cell.symbol() == " " || cell.symbol() == FLOOR {
            cell.set_symbol(symbol).set_style(dim());
        }
    }
    gutter(frame, y, s::R_QUOTA.get(lang));
}

/// The live display of one side in `area`, as many of its lines as fit.
pub fn draw(frame: &mut Frame, area: Rect, side: Side, history: &History, lang: Lang) {
    let f = match figures(side, history, lang) {
        Ok(f) => f,
        Err(note) => {
            let text = fit(note, area.width as usize);
            frame.render_widget(Paragraph::new(Span::styled(text, dim())), area);
            return;
        }
    };
    let plan = plan(area.height);
    let label_w = label_width(lang);
    let mut y = area.y;
    let mut line = |rows: u16| {
        let rows = rows.min(area.bottom().saturating_sub(y));
        let r = Rect::new(area.x, y, area.width, rows);
        y += rows;
        (rows > 0).then_some(r)
    };
    let with_detail = |frame: &mut Frame, row: &Row, at: Option<Rect>, detail: Option<Rect>| {
        let Some(at) = at else { return };
        let dropped = draw_row(frame, at, label_w, row, lang);
        if let Some(d) = detail {
            let parts: Vec<String> = dropped.into_iter().chain(row.detail.clone()).collect();
            draw_detail(frame, d, label_w, &parts);
        }
    };
    let (at, detail) = (line(1), if plan.memory_detail { line(1) } else { None });
    with_detail(frame, &f.memory, at, detail);
    let cpu_at = line(1);
    let graph_at = line(if f.graph.is_some() {
        plan.graph_rows
    } else {
        0
    });
    let cpu_detail = if plan.cpu_detail { line(1) } else { None };
    with_detail(frame, &f.cpu, cpu_at, cpu_detail);
    if let (Some(graph), Some(at)) = (&f.graph, graph_at) {
        draw_graph(frame, at, label_w, history, graph, lang);
    }
    let at = line(1);
    with_detail(frame, &f.pids, at, None);
    let (at, detail) = (line(1), if plan.io_detail { line(1) } else { None });
    with_detail(frame, &f.io, at, detail);
}

/// One line of one side for above the shells: memory, CPU, pids and I/O as they fit.
pub fn summary(side: Side, history: &History, lang: Lang, width_: usize) -> Line<'static> {
    let f = match figures(side, history, lang) {
        Ok(f) => f,
        Err(note) => return Line::styled(fit(note, width_), dim()),
    };
    // The rows closest to their limits are chosen first, while they fit; they show in the
    // usual order. Then the alerts (OOM kills, refused forks) of those shown, while they fit.
    let rows: Vec<&Row> = [&f.memory, &f.cpu, &f.pids, &f.io]
        .into_iter()
        .filter(|r| !r.missing)
        .collect();
    let value = |r: &Row| r.short.clone().unwrap_or_else(|| r.lead.clone());
    let part_width = |r: &Row, alert: bool| {
        let alert = match (&r.alert, alert) {
            (Some(a), true) => width(a) + 3,
            _ => 0,
        };
        width(r.label.get(lang)) + 1 + width(&value(r)) + alert
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let p = |r: &Row| r.pressure.max(r.gauge.unwrap_or(0.0));
        p(rows[b]).total_cmp(&p(rows[a]))
    });
    let mut shown = vec![false; rows.len()];
    let mut alerted = vec![false; rows.len()];
    let mut used = 0;
    for &i in &order {
        let w = part_width(rows[i], false) + if used == 0 { 0 } else { 3 };
        if used + w <= width_ {
            used += w;
            shown[i] = true;
        }
    }
    for &i in &order {
        let extra = part_width(rows[i], true) - part_width(rows[i], false);
        if shown[i] && extra > 0 && used + extra <= width_ {
            used += extra;
            alerted[i] = true;
        }
    }
    let mut spans = Vec::new();
    for (i, r) in rows.iter().enumerate().filter(|(i, _)| shown[*i]) {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", dim()));
        }
        spans.push(Span::styled(format!("{} ", r.label.get(lang)), dim()));
        let mut text = value(r);
        if let (true, Some(alert)) = (alerted[i], &r.alert) {
            text = format!("{text} ({alert})");
        }
        spans.push(Span::styled(
            text,
            Style::new().add_modifier(Modifier::BOLD),
        ));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::cgroups::{CpuUsage, IoUsage, Usage, Version};
    use crate::probe::resources::HostTotals;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    /// A sample with the box's CPU time, the host's busy and total ticks, and bytes written.
    fn sample(box_usec: u64, busy: u64, total: u64, written: u64) -> Sample {
        Sample {
            host: HostTotals {
                cpu_busy_ticks: busy,
                cpu_total_ticks: total,
                disk_write_bytes: written,
                ..HostTotals::default()
            },
            boxed: Some(Usage {
                cpu: Some(CpuUsage {
                    version: Version::V2,
                    usage_usec: box_usec,
                    quota: Some((50_000, 100_000)),
                    weight: None,
                    periods: 0,
                    throttled: 0,
                    throttled_usec: 0,
                }),
                io: Some(IoUsage {
                    write_bytes: written,
                    ..IoUsage::default()
                }),
                ..Usage::default()
            }),
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-6)
    }

    #[test]
    fn box_cpu_is_cpu_time_over_wall_time() {
        // 250 ms of CPU time in half a second: half of one CPU.
        let (a, b) = (sample(1_000_000, 0, 0, 0), sample(1_250_000, 0, 0, 0));
        assert!(close(box_cpu_percent(&a, &b, 0.5), 50.0));
        // Two CPUs busy for a second: 200% of one CPU.
        let c = sample(3_250_000, 0, 0, 0);
        assert!(close(box_cpu_percent(&b, &c, 1.0), 200.0));
    }

    #[test]
    fn host_cpu_is_busy_over_all_ticks() {
        let (a, b) = (sample(0, 100, 1000, 0), sample(0, 150, 1400, 0));
        assert!(close(host_cpu_percent(&a, &b, 0.5), 12.5));
        // No ticks went by: no figure, not a division by zero.
        assert_eq!(host_cpu_percent(&a, &a, 0.5), None);
    }

    #[test]
    fn counters_going_back_give_no_rate() {
        let (a, b) = (sample(5_000_000, 200, 2000, 4096), sample(0, 100, 1000, 0));
        assert_eq!(box_cpu_percent(&a, &b, 0.5), None);
        assert_eq!(host_cpu_percent(&a, &b, 0.5), None);
        assert_eq!(box_write_rate(&a, &b, 0.5), None);
        // No time between them: no rate either.
        assert_eq!(disk_write_rate(&b, &a, 0.0), None);
    }

    #[test]
    fn bytes_per_second() {
        let (a, b) = (sample(0, 0, 0, 1 << 20), sample(0, 0, 0, 2 << 20));
        assert!(close(box_write_rate(&a, &b, 0.5), 2.0 * 1048576.0));
        assert!(close(disk_write_rate(&a, &b, 2.0), 524288.0));
        assert_eq!(box_read_rate(&a, &b, 0.5), Some(0.0));
        // A box without a cgroup has no box figures.
        let none = Sample::default();
        assert_eq!(box_read_rate(&none, &none, 0.5), None);
    }

    #[test]
    fn keeps_a_minute_and_the_sample_before_it() {
        let mut h = History::new();
        for i in 0..=200 {
            h.push(secs(i as f64 * 0.5), Sample::default());
        }
        // 100 s of samples: those of the last 60 s, from 40 s (which starts the window) on.
        assert_eq!(h.now(), Some(secs(100.0)));
        assert_eq!(h.len(), 121);
        assert_eq!(h.samples.front().unwrap().0, secs(40.0));
        // With a gap, the last sample before the window stays: it covers the window's start.
        let mut h = History::new();
        h.push(secs(0.0), Sample::default());
        h.push(secs(30.0), Sample::default());
        h.push(secs(100.0), Sample::default());
        assert_eq!(h.len(), 2);
        assert_eq!(h.samples.front().unwrap().0, secs(30.0));
        // A sample from the past is ignored.
        h.push(secs(10.0), Sample::default());
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn recent_spans_about_two_seconds() {
        let mut h = History::new();
        // The box used 20% of a CPU for 10 s, then 50% for the last 2 s.
        for i in 0..=24 {
            let t = i as f64 * 0.5;
            let usec = if t <= 10.0 {
                t * 200_000.0
            } else {
                2_000_000.0 + (t - 10.0) * 500_000.0
            };
            h.push(secs(t), sample(usec as u64, 0, 0, 0));
        }
        assert!(close(h.recent(box_cpu_percent), 50.0));
        // One sample: no rate yet.
        assert_eq!(
            History::of(sample(0, 0, 0, 0)).recent(box_cpu_percent),
            None
        );
        // Two samples a second apart: the rate between them.
        let mut h = History::new();
        h.push(secs(0.0), sample(0, 0, 0, 0));
        h.push(secs(1.0), sample(300_000, 0, 0, 0));
        assert!(close(h.recent(box_cpu_percent), 30.0));
    }

    #[test]
    fn columns_are_time_weighted_and_empty_before_the_first_sample() {
        let mut h = History::new();
        // 30 s of history: 0% for 15 s, then 100% of a CPU for 15 s.
        h.push(secs(100.0), sample(0, 0, 0, 0));
        h.push(secs(115.0), sample(0, 0, 0, 0));
        h.push(secs(130.0), sample(15_000_000, 0, 0, 0));
        // Six columns of 10 s: the first three are before any sample.
        let c = h.columns(box_cpu_percent, 6);
        assert_eq!(&c[..3], &[None, None, None]);
        assert!(close(c[3], 0.0));
        // 10..20 s into the history: half at 0%, half at 100%.
        assert!(close(c[4], 50.0));
        assert!(close(c[5], 100.0));
    }

    #[test]
    fn columns_narrower_than_samples_average_them() {
        let mut h = History::new();
        // Alternating 40% and 60% every half second for a minute.
        let mut usec = 0.0;
        h.push(secs(0.0), sample(0, 0, 0, 0));
        for i in 1..=120 {
            usec += if i % 2 == 0 { 200_000.0 } else { 300_000.0 };
            h.push(secs(i as f64 * 0.5), sample(usec as u64, 0, 0, 0));
        }
        let c = h.columns(box_cpu_percent, 30);
        assert_eq!(c.len(), 30);
        assert!(c.iter().all(|v| close(*v, 50.0)), "{c:?}");
    }

    #[test]
    fn lines_are_given_out_in_order_of_need() {
        let p = |graph_rows, m, c, i| Plan {
            graph_rows,
            memory_detail: m,
            cpu_detail: c,
            io_detail: i,
        };
        assert_eq!(plan(4), p(0, false, false, false));
        assert_eq!(plan(MIN_HEIGHT), p(1, false, false, false));
        assert_eq!(plan(PREFERRED_HEIGHT), p(1, true, false, false));
        assert_eq!(plan(8), p(1, true, true, true));
        assert_eq!(plan(10), p(3, true, true, true));
        assert_eq!(plan(MAX_HEIGHT), p(MAX_GRAPH_ROWS, true, true, true));
        assert_eq!(plan(40), p(MAX_GRAPH_ROWS, true, true, true));
    }

    #[test]
    fn percents() {
        assert_eq!(percent(49.84), "49.8%");
        assert_eq!(percent(99.96), "100%");
        assert_eq!(percent(250.4), "250%");
        assert_eq!(percent_label(50.0), "50%");
        assert_eq!(percent_label(12.5), "12.5%");
        assert_eq!(per_sec(2.0 * 1048576.0), "2.0M/s");
    }
}
