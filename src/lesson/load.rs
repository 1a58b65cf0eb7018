//! Reading lesson files and validating them. Every error names the file, the line and the field.

use std::path::Path;

use super::types::{FORMAT, Lesson};
use crate::agent::protocol::Action;

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// A lesson file that cannot be used, and where the problem is.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: `{field}`: {message}")]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// Parses and validates one lesson file. `file` is the name used in errors; its `NN-slug`
/// stem must match the lesson's `id` (`03-uts.toml` holds `id = "uts"`).
pub fn parse(file: &str, text: &str) -> Result<Lesson, LessonError> {
    let error = |line, field: &str, message: String| LessonError {
        file: file.into(),
        line,
        field: field.into(),
        message,
    };
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let (line, message) = syntax_error(text, e.span(), e.message());
        error(line, "(syntax)", message)
    })?;
    let lesson: Lesson = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        error(
            line_of(text, e.inner().span()),
            &field,
            with_suggestion(e.inner().message()),
        )
    })?;
    if let Some((line, field, message)) = ignored_key(text, &lesson) {
        return Err(error(line, &field, message));
    }
    if lesson.format != FORMAT {
        return Err(error(
            key_line(text, "format", 0),
            "format",
            format!("this boxlab reads format {FORMAT}, not {}", lesson.format),
        ));
    }
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let slug = stem.split_once('-').map_or(stem, |(_, s)| s);
    if lesson.id != slug {
        return Err(error(
            key_line(text, "id", 0),
            "id",
            format!(
                "`{}` does not match the file name: name the file NN-{}.toml or set id = \"{slug}\"",
                lesson.id, lesson.id
            ),
        ));
    }
    if lesson.steps.is_empty() {
        return Err(error(
            1,
            "steps",
            "a lesson needs at least one [[steps]]".into(),
        ));
    }
    let mut spawned = false;
    for (i, step) in lesson.steps.iter().enumerate() {
        for (j, action) in step.actions.iter().enumerate() {
            let field = format!("steps[{i}].actions[{j}]");
            match (action, spawned) {
                (Action::Spawn, true) => {
                    return Err(error(
                        key_line(text, "[[steps]]", i),
                        &field,
                        "the box is already started; spawn once per lesson".into(),
                    ));
                }
                (Action::Spawn, false) => spawned = true,
                (_, false) => {
                    return Err(error(
                        key_line(text, "[[steps]]", i),
                        &field,
                        "no box yet: start it with { do = \"spawn\" } in this or an earlier step"
                            .into(),
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(lesson)
}

/// Loads every lesson, from `dir` when given (for authors) or the copies built into boxlab.
/// Returns the lessons in file-name order, or every error found.
pub fn load_all(dir: Option<&Path>) -> Result<Vec<Lesson>, Vec<LessonError>> {
    let files: Vec<(String, String)> = match dir {
        None => EMBEDDED
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect(),
        Some(dir) => {
            let read = std::fs::read_dir(dir).map_err(|e| vec![io_error(dir, e)])?;
            let mut paths: Vec<_> = read
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            paths
                .into_iter()
                .map(|p| {
                    std::fs::read_to_string(&p)
                        .map(|t| (p.display().to_string(), t))
                        .map_err(|e| vec![io_error(&p, e)])
                })
                .collect::<Result<_, _>>()?
        }
    };
    let (mut lessons, mut errors) = (Vec::new(), Vec::new());
    for (file, text) in &files {
        match parse(file, text) {
            Ok(l) if lessons.iter().any(|o: &Lesson| o.id == l.id) => errors.push(LessonError {
                file: file.clone(),
                line: key_line(text, "id", 0),
                field: "id".into(),
                message: format!("another lesson already has id `{}`", l.id),
            }),
            Ok(l) => lessons.push(l),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(lessons)
    } else {
        Err(errors)
    }
}

/// The tables of the actions and checks as written, with where each one starts.
#[derive(serde::Deserialize)]
struct Written {
    #[serde(default)]
    steps: Vec<WrittenStep>,
}

#[derive(serde::Deserialize)]
struct WrittenStep {
    #[serde(default)]
    actions: Vec<toml::Spanned<toml::Table>>,
    #[serde(default)]
    checks: Vec<toml::Spanned<toml::Table>>,
}

/// A key serde let through: an action or check without parameters (`{ do = "spawn" }`)
/// accepts any other key, deny_unknown_fields or not (serde-rs/serde#2123), so a misspelt or
/// misplaced parameter would be dropped without a word. Each table as written is compared
/// with the keys of what was parsed from it. Returns (line, field path, message).
fn ignored_key(text: &str, lesson: &Lesson) -> Option<(usize, String, String)> {
    let written: Written = toml::from_str(text).ok()?;
    for (i, (step, parsed)) in written.steps.iter().zip(&lesson.steps).enumerate() {
        let actions = parsed.actions.iter().map(toml::Table::try_from);
        let checks = parsed.checks.iter().map(toml::Table::try_from);
        let tables = [
            ("actions", "do", &step.actions, actions.collect::<Vec<_>>()),
            ("checks", "is", &step.checks, checks.collect()),
        ];
        for (list, tag, as_written, as_parsed) in tables {
            for (j, (w, p)) in as_written.iter().zip(as_parsed).enumerate() {
                let Ok(p) = p else { continue };
                if let Some(key) = w.get_ref().keys().find(|k| !p.contains_key(*k)) {
                    let name = p.get(tag).and_then(|v| v.as_str()).unwrap_or("?");
                    let takes: Vec<String> = p
                        .keys()
                        .filter(|k| *k != tag)
                        .map(|k| format!("`{k}`"))
                        .collect();
                    let takes = if takes.is_empty() {
                        "no parameters".to_string()
                    } else {
                        takes.join(", ")
                    };
                    return Some((
                        line_of(text, Some(w.span())),
                        format!("steps[{i}].{list}[{j}].{key}"),
                        format!("unknown field `{key}`: `{name}` takes {takes}"),
                    ));
                }
            }
        }
    }
    None
}

/// The name among `names` that `given` is a slip of a letter or two from (strsim, as clap
/// suggests a misspelt flag), for a "did you mean".
pub fn nearest<'a>(given: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    names
        .into_iter()
        .map(|n| (strsim::damerau_levenshtein(given, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .min()
        .map(|(_, n)| n)
}

/// serde's "unknown variant `unshre`, expected one of `spawn`, `unshare`, ..." with the
/// nearest name first: "unknown variant `unshre`: did you mean `unshare`?". A long list (the
/// actions are 70) is then left out, since the name is what the author wanted; a short one is
/// kept after it. Any other message, or a name near none, is as serde wrote it.
fn with_suggestion(message: &str) -> String {
    let parsed = (|| {
        let (head, list) = message.split_once(", expected one of ")?;
        let given = head.rsplit_once(" `")?.1.strip_suffix('`')?;
        let names: Vec<&str> = list.split(", ").map(|n| n.trim_matches('`')).collect();
        let near = nearest(given, names.iter().copied())?;
        Some((head, list, names.len(), near))
    })();
    match parsed {
        Some((head, _, n, near)) if n > 8 => format!("{head}: did you mean `{near}`?"),
        Some((head, list, _, near)) => {
            format!("{head}: did you mean `{near}`? (expected one of {list})")
        }
        None => message.to_string(),
    }
}

fn io_error(path: &Path, e: std::io::Error) -> LessonError {
    LessonError {
        file: path.display().to_string(),
        line: 0,
        field: "(file)".into(),
        message: e.to_string(),
    }
}

/// toml's syntax error, on the line to fix. An array left open at the end of a line (a `]` or
/// a `,` forgotten) is only noticed where the next line starts, as a missing comma: that one
/// is reported on the last line before, saying what may be missing there.
fn syntax_error(
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
) -> (usize, String) {
    let line = line_of(text, span.clone());
    let at_line_start = span.is_some_and(|s| {
        text[..s.start.min(text.len())]
            .trim_end_matches([' ', '\t'])
            .ends_with('\n')
    });
    if message.starts_with("missing comma between array elements") && at_line_start {
        let before = text
            .lines()
            .take(line - 1)
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .last();
        if let Some((n, _)) = before {
            let message =
                format!("{message}: a `,` or the array's `]` is missing at the end of this line");
            return (n + 1, message);
        }
    }
    (line, message.into())
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> usize {
    span.map_or(1, |s| {
        text[..s.start.min(text.len())].matches('\n').count() + 1
    })
}

/// Line of the `nth` line starting with `key` (for errors found after parsing).
fn key_line(text: &str, key: &str, nth: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(key))
        .nth(nth)
        .map_or(1, |(i, _)| i + 1)
}
