//! boxlab: learn Linux containers by building one, live, with real syscalls.
//!
//! Layers, each depending only on the ones below it:
//! `tui` → `lesson` → `agent` / `probe` → `kernel`. `ledger` and `rootfs` are used by the
//! layers that create things; `doctor` and `transcript` are front ends beside the TUI.

pub mod agent;
pub mod container;
pub mod doctor;
pub mod kernel;
pub mod lang;
pub mod ledger;
pub mod lesson;
pub mod paths;
pub mod probe;
pub mod rootfs;
pub mod transcript;
pub mod tui;
pub mod workload;
