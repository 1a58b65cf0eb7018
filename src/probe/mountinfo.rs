//! `/proc/PID/mountinfo` (proc(5)): one mount per line,
//! `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountEntry {
    pub id: u32,
    pub parent: u32,
    /// The directory of the file system that is mounted (`/` unless it is a bind mount of a
    /// subdirectory, as a container's root often is).
    pub root: String,
    /// Where it is mounted, as the reading process sees it (octal escapes decoded).
    pub mount_point: String,
    pub fs_type: String,
    pub source: String,
    /// Options of the file system itself; for a cgroup v1 mount, its controllers (`rw,cpu,cpuacct`).
    pub super_options: String,
    /// Propagation tags: `shared:N`, `master:N`, `propagate_from:N`, `unbindable`; empty = private.
    pub propagation: Vec<String>,
}

impl MountEntry {
    /// `shared:1`, or `private` when no tag is present (mount_namespaces(7)).
    pub fn propagation_label(&self) -> String {
        if self.propagation.is_empty() {
            "private".into()
        } else {
            self.propagation.join(",")
        }
    }
}

/// Parses every well-formed line; malformed lines are skipped.
pub fn parse(text: &str) -> Vec<MountEntry> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<MountEntry> {
    let (left, right) = line.split_once(" - ")?;
    let l: Vec<&str> = left.split(' ').collect();
    let r: Vec<&str> = right.split(' ').collect();
    if l.len() < 6 || r.len() < 2 {
        return None;
    }
    Some(MountEntry {
        id: l[0].parse().ok()?,
        parent: l[1].parse().ok()?,
        root: unescape(l[3]),
        mount_point: unescape(l[4]),
        fs_type: r[0].to_string(),
        source: unescape(r[1]),
        super_options: r.get(2).map_or_else(String::new, |o| o.to_string()),
        propagation: l[6..].iter().map(|s| s.to_string()).collect(),
    })
}

/// Undoes the kernel's `\040`-style octal escaping of spaces, tabs, newlines and backslashes.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemd_host() {
        let m = parse(include_str!(
            "../../tests/fixtures/proc/mountinfo-systemd.txt"
        ));
        assert_eq!(m.len(), 7);
        assert_eq!(m[0].mount_point, "/");
        assert_eq!(m[0].propagation_label(), "shared:1");
        assert_eq!(m[2].fs_type, "proc");
        assert_eq!(m[4].mount_point, "/mnt/with space");
        assert_eq!(m[5].propagation_label(), "private");
        assert_eq!(m[0].root, "/");
        assert_eq!(m[6].root, "/srv/box root");
        assert_eq!(m[6].mount_point, "/");
    }

    #[test]
    fn malformed_lines_are_skipped() {
        assert!(parse("1 2 3\nnot a mount - x\n").is_empty());
    }
}
