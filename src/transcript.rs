//! `boxlab transcript LESSON`: every step of a lesson run for real, printed as plain text
//! (for screen readers, handouts and scripted checks).

use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

use unicode_width::UnicodeWidthStr;

use crate::kernel::errno;
use crate::lang::Lang;
use crate::ledger::Ledger;
use crate::lesson::checks::Verdict;
use crate::lesson::present::{Side, pane};
use crate::lesson::types::Place;
use crate::lesson::{Lesson, Session};

/// Runs every step and writes what it shows; Ok(false) when an action or a check failed.
pub fn run(
    lesson: Lesson,
    rootfs: PathBuf,
    ledger: Rc<Ledger>,
    lang: Lang,
    out: &mut dyn Write,
) -> anyhow::Result<bool> {
    let ko = lang == Lang::Ko;
    let mut session = Session::new(lesson.clone(), rootfs, ledger);
    writeln!(
        out,
        "# {} ({})\n\n{}\n",
        lesson.title.get(lang),
        lesson.id,
        lesson.summary.get(lang).trim()
    )?;
    let mut all_passed = true;
    let mut skipped = 0;
    while let Some(report) = session.perform_next() {
        let step = &lesson.steps[report.index];
        writeln!(
            out,
            "## {} {}/{}: {}\n",
            if ko { "단계" } else { "Step" },
            report.index + 1,
            lesson.steps.len(),
            step.title.get(lang)
        )?;
        writeln!(out, "{}\n", step.explain.get(lang).trim())?;
        if !report.records.is_empty() {
            writeln!(out, "{}:", if ko { "시스템 콜" } else { "syscalls" })?;
            for r in &report.records {
                writeln!(out, "  {}", r.line(lang, 1))?;
                if let Some(name) = &r.errno {
                    writeln!(out, "    {}", errno::explained(name, lang))?;
                }
            }
        }
        for o in &report.outputs {
            writeln!(
                out,
                "{}\n{}",
                o.heading(lang),
                indent(&format!("{}{}", o.stdout, o.stderr))
            )?;
        }
        if let Some(e) = &report.error {
            writeln!(out, "{}: {e}", if ko { "오류" } else { "error" })?;
        }
        let rows = lesson.rows(report.index);
        for (side, name) in [
            (Side::Host, if ko { "호스트" } else { "host" }),
            (Side::Box, if ko { "박스" } else { "box" }),
        ] {
            writeln!(out, "{name}:")?;
            for row in pane(rows, report, side, lang, 8) {
                let mut lines = row.lines.iter();
                // Pad by display width: a Korean label is two columns a character.
                let pad = 18usize.saturating_sub(UnicodeWidthStr::width(row.label.as_str()));
                writeln!(
                    out,
                    "  {}{} {}",
                    row.label,
                    " ".repeat(pad),
                    lines.next().map_or("", String::as_str)
                )?;
                for l in lines {
                    writeln!(out, "  {:<18} {l}", "")?;
                }
            }
        }
        if !report.checks.is_empty() {
            writeln!(out, "{}:", if ko { "확인" } else { "checks" })?;
            for c in &report.checks {
                writeln!(
                    out,
                    "  [{}] {} ({})",
                    match c.verdict {
                        Verdict::Passed => "ok",
                        Verdict::Failed => "FAIL",
                        Verdict::Skipped => "skip",
                    },
                    c.check.describe(lang),
                    c.detail.get(lang)
                )?;
            }
        }
        if !step.try_commands.is_empty() {
            writeln!(out, "{}:", if ko { "해 볼 명령" } else { "try" })?;
            for t in &step.try_commands {
                let place = match t.place {
                    Place::Host => {
                        if ko {
                            "호스트"
                        } else {
                            "host"
                        }
                    }
                    Place::Box => {
                        if ko {
                            "박스"
                        } else {
                            "box"
                        }
                    }
                };
                writeln!(out, "  {place}$ {}", report.fill(&t.cmd))?;
            }
        }
        writeln!(out)?;
        all_passed &= report.passed();
        skipped += report
            .checks
            .iter()
            .filter(|c| c.verdict == Verdict::Skipped)
            .count();
    }
    writeln!(
        out,
        "{}",
        match (all_passed, skipped, ko) {
            (false, _, true) => "실패한 확인이 있습니다.".to_string(),
            (false, _, false) => "Some checks failed.".to_string(),
            (true, 0, true) => "모든 확인을 통과했습니다.".to_string(),
            (true, 0, false) => "All checks passed.".to_string(),
            (true, n, true) =>
                format!("실행한 확인은 모두 통과했습니다 ({n}개는 여기서 실행하지 않음)."),
            (true, n, false) => format!("Every check that ran passed ({n} not run here)."),
        }
    )?;
    Ok(all_passed)
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
