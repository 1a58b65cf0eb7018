//! The box agent: boxlab re-executed as a single-threaded process that performs lesson actions
//! on itself, so the box is a real process whose namespaces, root and children are the lesson.

pub mod client;
pub mod exec;
mod loads;
pub use loads::BOMB_CAP;
pub mod protocol;
mod serve;
pub mod shell;

pub use client::BoxAgent;
pub use serve::serve;
