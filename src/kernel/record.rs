//! The log of syscalls a box made, drained after each action for the syscall pane.

use std::cell::RefCell;

use nix::errno::Errno;
use serde::{Deserialize, Serialize};

/// One syscall as the learner sees it: `unshare(CLONE_NEWUTS) = 0`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyscallRecord {
    pub call: String,
    pub args: String,
    /// The return value as the man page describes it (`0`, a pid, `-1`).
    pub result: String,
    /// The errno name (`EPERM`) when the call failed; see [`super::errno::explain_name`].
    pub errno: Option<String>,
    /// Made by boxlab on the host side (a veth, an id map, a proxy), not by the box.
    #[serde(default)]
    pub by_host: bool,
}

impl SyscallRecord {
    pub fn ok(call: &str, args: &str, result: String) -> Self {
        SyscallRecord {
            call: call.into(),
            args: args.into(),
            result,
            errno: None,
            by_host: false,
        }
    }

    pub fn failed(call: &str, args: &str, errno: Errno) -> Self {
        SyscallRecord {
            call: call.into(),
            args: args.into(),
            result: "-1".into(),
            errno: Some(format!("{errno:?}")),
            by_host: false,
        }
    }

    /// `unshare(CLONE_NEWUTS) = 0`, `... = -1 EPERM`; `host: ...` for a call boxlab made on the
    /// host side.
    pub fn line(&self) -> String {
        let by = if self.by_host { "host: " } else { "" };
        match &self.errno {
            Some(e) => format!("{by}{}({}) = {} {}", self.call, self.args, self.result, e),
            None => format!("{by}{}({}) = {}", self.call, self.args, self.result),
        }
    }

    /// The same record, marked as made on the host side.
    pub fn on_host(self) -> Self {
        SyscallRecord {
            by_host: true,
            ..self
        }
    }
}

thread_local! {
    static LOG: RefCell<Vec<SyscallRecord>> = const { RefCell::new(Vec::new()) };
}

pub(super) fn push(r: SyscallRecord) {
    LOG.with(|log| log.borrow_mut().push(r));
}

/// Takes every record made on this thread since the last call.
pub fn take_records() -> Vec<SyscallRecord> {
    LOG.with(|log| std::mem::take(&mut *log.borrow_mut()))
}

/// Appends records another process made (a forked helper reports its calls through a pipe).
pub fn adopt_records(records: Vec<SyscallRecord>) {
    LOG.with(|log| log.borrow_mut().extend(records));
}
