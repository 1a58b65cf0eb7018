//! The lesson file format (`lessons/NN-slug.toml`, `format = 1`). Serde does most of the
//! validation (unknown fields, unknown actions and checks, missing translations), so every
//! error comes back with the field's path and position; see [`super::load`].

use serde::{Deserialize, Serialize};

use super::checks::Check;
use crate::agent::protocol::Action;
use crate::kernel::namespaces::Namespace;
use crate::lang::Lang;

/// The lesson format this boxlab reads.
pub const FORMAT: u32 = 1;

/// A text in both languages. Both must be present and non-empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawText")]
pub struct Text {
    pub en: String,
    pub ko: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    en: String,
    ko: String,
}

impl TryFrom<RawText> for Text {
    type Error = String;
    fn try_from(raw: RawText) -> Result<Text, String> {
        for (lang, s) in [("en", &raw.en), ("ko", &raw.ko)] {
            if s.trim().is_empty() {
                return Err(format!("the `{lang}` text is empty: write it"));
            }
        }
        Ok(Text {
            en: raw.en,
            ko: raw.ko,
        })
    }
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        }
    }
}

/// What a lesson needs from the machine; unmet needs mark it unavailable with the reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    #[serde(default)]
    pub root: bool,
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
    /// cgroup controllers the lesson limits the box with.
    #[serde(default)]
    pub controllers: Vec<crate::kernel::cgroups::Controller>,
}

/// A row of the host and box panes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Row {
    Hostname,
    Kernel,
    Pid,
    Root,
    Ns(Namespace),
    /// `/proc/PID/ns/{pid,time}_for_children`
    ForChildren(Namespace),
    Clocks,
    Cgroup,
    /// uid, gid, effective capabilities and uid_map.
    Creds,
    /// Interfaces with their state and addresses, and routes.
    Net,
    /// System V shared memory segments and message queues.
    Ipc,
    Processes,
    Mounts,
    /// Memory, CPU, pids and I/O: the host's totals, the box's cgroup usage against its limits.
    Resources,
    /// The images lesson: each box's upper directory as the host lists it; the box's files as
    /// its merged view shows them.
    Layers,
}

impl Row {
    const PLAIN: [(&'static str, Row); 15] = [
        ("hostname", Row::Hostname),
        ("kernel", Row::Kernel),
        ("pid", Row::Pid),
        ("root", Row::Root),
        ("pid_for_children", Row::ForChildren(Namespace::Pid)),
        ("time_for_children", Row::ForChildren(Namespace::Time)),
        ("clocks", Row::Clocks),
        ("cgroup", Row::Cgroup),
        ("ids", Row::Creds),
        ("net", Row::Net),
        ("ipc", Row::Ipc),
        ("processes", Row::Processes),
        ("mounts", Row::Mounts),
        ("resources", Row::Resources),
        ("layers", Row::Layers),
    ];
}

impl TryFrom<String> for Row {
    type Error = String;
    fn try_from(s: String) -> Result<Row, String> {
        if let Some(kind) = s.strip_prefix("ns.") {
            return Namespace::from_proc_name(kind)
                .map(Row::Ns)
                .ok_or_else(|| format!("unknown namespace `{kind}` in `{s}`, expected one of uts, pid, mnt, ipc, net, user, cgroup, time"));
        }
        Row::PLAIN
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, r)| *r)
            .ok_or_else(|| {
                let names: Vec<_> = Row::PLAIN.iter().map(|(n, _)| *n).collect();
                format!(
                    "unknown view row `{s}`, expected one of {}, or ns.KIND",
                    names.join(", ")
                )
            })
    }
}

impl From<Row> for String {
    fn from(r: Row) -> String {
        match r {
            Row::Ns(ns) => format!("ns.{}", ns.proc_name()),
            other => Row::PLAIN
                .iter()
                .find(|(_, x)| *x == other)
                .map(|(n, _)| n.to_string())
                .unwrap_or_default(),
        }
    }
}

/// Where a suggested command is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Host,
    Box,
}

/// A command for the learner to try; `{box_pid}` is replaced by the box's host pid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TryCommand {
    #[serde(rename = "in")]
    pub place: Place,
    pub cmd: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: Text,
    pub explain: Text,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// Rows for this step; defaults to the lesson's `show`.
    #[serde(default)]
    pub show: Option<Vec<Row>>,
    #[serde(default)]
    pub checks: Vec<Check>,
    #[serde(default, rename = "try")]
    pub try_commands: Vec<TryCommand>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub format: u32,
    pub id: String,
    pub title: Text,
    pub summary: Text,
    /// Titles of the study notes this lesson pairs with.
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub requires: Requires,
    pub show: Vec<Row>,
    pub steps: Vec<Step>,
}

impl Lesson {
    pub fn rows(&self, step: usize) -> &[Row] {
        self.steps
            .get(step)
            .and_then(|s| s.show.as_deref())
            .unwrap_or(&self.show)
    }
}
