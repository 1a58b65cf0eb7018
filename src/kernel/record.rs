//! The log of syscalls a box made, drained after each action for the syscall pane.

use std::cell::RefCell;

use nix::errno::Errno;
use serde::{Deserialize, Serialize};

use crate::lang::{Detail, Lang};

/// One syscall as the learner sees it: `unshare(CLONE_NEWUTS) = 0`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyscallRecord {
    pub call: String,
    pub args: String,
    /// The return value as the man page describes it (`0`, a pid, `-1`).
    pub result: String,
    /// The errno name (`EPERM`) when the call failed; see [`super::errno::explained`].
    pub errno: Option<String>,
    #[serde(default)]
    pub by: By,
    /// Words on what the line stands for (it sums up several calls: `27 times: ...`; or its
    /// result needs naming: `exit status`), shown after the call in the learner's language.
    #[serde(default)]
    pub note: Option<Detail>,
}

/// Who made a call: the box, unless its line names another maker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum By {
    #[default]
    Box,
    /// boxlab on the host side: a veth, an id map, a proxy.
    Host,
    /// The images lesson's second box on the same layers.
    SecondBox,
}

impl SyscallRecord {
    pub fn ok(call: &str, args: &str, result: String) -> Self {
        SyscallRecord {
            call: call.into(),
            args: args.into(),
            result,
            errno: None,
            by: By::Box,
            note: None,
        }
    }

    pub fn failed(call: &str, args: &str, errno: Errno) -> Self {
        SyscallRecord {
            result: "-1".into(),
            errno: Some(format!("{errno:?}")),
            ..SyscallRecord::ok(call, args, String::new())
        }
    }

    /// `unshare(CLONE_NEWUTS) = 0`, `... = -1 EPERM`; `host: ...` for a call boxlab made on the
    /// host side; `×3` when the same call was made `repeats` times in a row; a note after `//`.
    pub fn line(&self, lang: Lang, repeats: usize) -> String {
        match (&self.note, self.call.is_empty()) {
            (Some(note), false) => {
                format!("{}  // {}", self.call_line(lang, repeats), note.get(lang))
            }
            _ => self.call_line(lang, repeats),
        }
    }

    /// How a line names who made the call: `host: `, `box 2: `, or nothing for the box.
    pub fn maker(&self, lang: Lang) -> &'static str {
        match (self.by, lang) {
            (By::Box, _) => "",
            (By::Host, Lang::En) => "host: ",
            (By::Host, Lang::Ko) => "호스트: ",
            (By::SecondBox, Lang::En) => "box 2: ",
            (By::SecondBox, Lang::Ko) => "박스 2: ",
        }
    }

    /// [`Self::line`] without the note after the call, for a screen that puts the note on a
    /// line of its own when both do not fit; a note-only record is its note.
    pub fn call_line(&self, lang: Lang, repeats: usize) -> String {
        let by = self.maker(lang);
        if self.call.is_empty() {
            return format!("{by}// {}", self.note.as_ref().map_or("", |n| n.get(lang)));
        }
        let mut line = format!("{by}{}({}) = {}", self.call, self.args, self.result);
        if let Some(e) = &self.errno {
            line = format!("{line} {e}");
        }
        if repeats > 1 {
            line = format!("{line}   ×{repeats}");
        }
        line
    }

    /// The same record, marked as made on the host side.
    pub fn on_host(self) -> Self {
        SyscallRecord {
            by: By::Host,
            ..self
        }
    }

    /// A line that is only a note: what boxlab did not call, and why.
    pub fn note_only(note: Detail) -> Self {
        SyscallRecord::ok("", "", String::new()).noted(note)
    }

    /// The same record with a note on what it sums up.
    pub fn noted(self, note: Detail) -> Self {
        SyscallRecord {
            note: Some(note),
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

/// Puts `note` on the record made last on this thread.
pub(super) fn note_last(note: Detail) {
    LOG.with(|log| {
        if let Some(last) = log.borrow_mut().last_mut() {
            last.note = Some(note);
        }
    });
}

/// Takes every record made on this thread since the last call.
pub fn take_records() -> Vec<SyscallRecord> {
    LOG.with(|log| std::mem::take(&mut *log.borrow_mut()))
}

/// Appends records another process made (a forked helper reports its calls through a pipe).
pub fn adopt_records(records: Vec<SyscallRecord>) {
    LOG.with(|log| log.borrow_mut().extend(records));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::detail;

    #[test]
    fn a_line_names_its_maker_and_ends_in_its_note_in_the_learners_language() {
        let r = SyscallRecord::ok("prctl", "PR_CAPBSET_DROP, cap", "0".into())
            .noted(detail!("27 times", "27번"))
            .on_host();
        assert_eq!(
            r.line(Lang::En, 1),
            "host: prctl(PR_CAPBSET_DROP, cap) = 0  // 27 times"
        );
        assert_eq!(
            r.line(Lang::Ko, 2),
            "호스트: prctl(PR_CAPBSET_DROP, cap) = 0   ×2  // 27번"
        );
        let failed = SyscallRecord {
            by: By::SecondBox,
            ..SyscallRecord::failed("mount", "\"none\", \"/\"", Errno::EPERM)
        };
        assert_eq!(
            failed.line(Lang::Ko, 1),
            "박스 2: mount(\"none\", \"/\") = -1 EPERM"
        );
        let note = SyscallRecord::note_only(detail!("not written", "쓰지 않음"));
        assert_eq!(note.line(Lang::En, 1), "// not written");
        assert_eq!(note.line(Lang::Ko, 1), "// 쓰지 않음");
    }
}
