//! Lessons: the file format, loading and validation, the checks, the step runner, and the
//! text of the host and box panes.

pub mod cgroup_checks;
pub mod checks;
pub mod docker;
pub mod layer_checks;
pub mod layers;
pub mod limits;
pub mod load;
pub mod network;
pub mod present;
pub mod progress;
pub mod publish;
pub mod runner;
pub mod signals;
pub mod types;

pub use runner::{Session, StepReport};
pub use types::Lesson;
