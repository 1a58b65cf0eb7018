//! How far the learner got: lessons started and lessons finished, kept in
//! `$XDG_STATE_HOME/boxlab/progress` as `started ID` and `done ID` lines.

use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub started: BTreeSet<String>,
    pub done: BTreeSet<String>,
}

fn file() -> PathBuf {
    crate::paths::xdg_dir("XDG_STATE_HOME", ".local/state")
        .join("boxlab")
        .join("progress")
}

pub fn load() -> Progress {
    let mut p = Progress::default();
    for line in std::fs::read_to_string(file()).unwrap_or_default().lines() {
        match line.split_once(' ') {
            Some(("started", id)) => p.started.insert(id.to_string()),
            Some(("done", id)) => p.done.insert(id.to_string()),
            _ => false,
        };
    }
    p
}

/// Records that a lesson was opened.
pub fn mark_started(id: &str) {
    update(|p| p.started.insert(id.to_string()));
}

/// Records a finished lesson.
pub fn mark_done(id: &str) {
    update(|p| p.done.insert(id.to_string()));
}

/// Progress is a convenience: failing to save it is not an error.
fn update(change: impl FnOnce(&mut Progress) -> bool) {
    let mut p = load();
    if !change(&mut p) {
        return;
    }
    let lines: Vec<String> = p
        .started
        .iter()
        .map(|id| format!("started {id}"))
        .chain(p.done.iter().map(|id| format!("done {id}")))
        .collect();
    let path = file();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, lines.join("\n") + "\n");
}
