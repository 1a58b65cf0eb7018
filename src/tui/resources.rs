//! The live resource display: a minute of samples (the host's totals and the box's cgroup
//! usage), the rates derived from them, and the widgets that show them in the host and box
//! panes.
//!
//! A [`Sample`] holds counters (CPU time, bytes read and written); rates come from two samples
//! and the wall time between them. Samples carry their time as a [`Duration`] from any fixed
//! origin, so tests can build a history without waiting.

use std::collections::VecDeque;
use std::time::Duration;

use crate::probe::resources::Sample;

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
}
