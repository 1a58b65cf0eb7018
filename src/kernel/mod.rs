//! Thin, documented wrappers over the syscalls boxlab teaches.
//!
//! Every wrapper leaves a [`SyscallRecord`] (name, arguments, result, errno) in a per-thread log
//! that the syscall pane shows; the box agent is single-threaded, so "per thread" means "per box".
//! Nothing here knows about lessons or the TUI.

pub mod caps;
pub mod cgroups;
pub mod errno;
pub mod files;
pub mod ipc;
pub mod mounts;
pub mod namespaces;
pub mod net;
pub mod process;
pub mod root;
pub mod seccomp;
pub mod users;
pub mod uts;

mod record;

pub use record::{By, SyscallRecord, adopt_records, take_records};

use nix::errno::Errno;

use crate::lang::Detail;

/// A syscall failed; carries the call so the message says what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{call}({args}) failed with {errno:?}: {}", errno::explain(*errno).0)]
pub struct KernelError {
    pub call: &'static str,
    pub args: String,
    pub errno: Errno,
}

impl KernelError {
    /// The same message in Korean (the Display impl is the English one).
    pub fn in_korean(&self) -> String {
        let (call, args, errno) = (self.call, &self.args, self.errno);
        format!(
            "{call}({args}) 실패({errno:?}): {}",
            errno::explain(errno).1
        )
    }
}

/// Runs the result of one syscall through the log: records it and turns the errno into a
/// [`KernelError`] that names the call. `show` renders a successful return value.
pub(crate) fn logged<T>(
    call: &'static str,
    args: String,
    result: nix::Result<T>,
    show: impl FnOnce(&T) -> String,
) -> Result<T, KernelError> {
    match result {
        Ok(value) => {
            record::push(SyscallRecord::ok(call, &args, show(&value)));
            Ok(value)
        }
        Err(errno) => {
            record::push(SyscallRecord::failed(call, &args, errno));
            Err(KernelError { call, args, errno })
        }
    }
}

/// [`logged`], with a note in both languages on what the one line stands for.
pub(crate) fn logged_noted<T>(
    note: Detail,
    call: &'static str,
    args: String,
    result: nix::Result<T>,
    show: impl FnOnce(&T) -> String,
) -> Result<T, KernelError> {
    let r = logged(call, args, result, show);
    record::note_last(note);
    r
}

/// The errno behind an I/O error from std (EIO when it carries none).
pub fn errno_of(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
}

/// `show` for calls that return 0 on success.
pub(crate) fn zero<T>(_: &T) -> String {
    "0".into()
}
