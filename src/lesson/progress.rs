//! Which lessons the learner finished, kept in `$XDG_STATE_HOME/boxlab/done` (one id a line).

use std::collections::BTreeSet;
use std::path::PathBuf;

fn file() -> PathBuf {
    let state = crate::paths::xdg_dir("XDG_STATE_HOME", ".local/state");
    state.join("boxlab").join("done")
}

pub fn load() -> BTreeSet<String> {
    std::fs::read_to_string(file())
        .map(|s| s.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Records a finished lesson. Progress is a convenience: failing to save it is not an error.
pub fn mark_done(id: &str) {
    let mut done = load();
    if done.insert(id.to_string()) {
        let path = file();
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::write(path, done.into_iter().collect::<Vec<_>>().join("\n") + "\n");
    }
}
