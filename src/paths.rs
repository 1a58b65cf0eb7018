//! Where boxlab keeps files in the user's home, following the XDG base directory spec.

use std::path::PathBuf;

/// `$VAR`, or `$HOME/<fallback>` when it is unset (`/root/<fallback>` without a HOME).
pub fn xdg_dir(var: &str, fallback: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/root"))
            .join(fallback)
    })
}
