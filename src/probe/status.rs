//! `/proc/PID/status` (proc(5)): the fields boxlab shows.

/// The parts of a status file the probe uses.
#[derive(Debug, PartialEq, Eq)]
pub struct Status {
    pub name: String,
    pub ppid: i32,
    /// Pid in each nested PID namespace, outermost first; empty on kernels before 4.1.
    pub nspid: Vec<i32>,
}

/// Who a process is: ids in the reader's user namespace, effective capabilities, id maps.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Creds {
    /// Real uid and gid, as the reading process's user namespace numbers them.
    pub uid: u32,
    pub gid: u32,
    /// CapEff: the capabilities the process has, in its own user namespace.
    pub cap_eff: u64,
    /// CapBnd: the most it could ever have after an execve(2) (every bit where unreadable).
    #[serde(default = "every_cap")]
    pub cap_bnd: u64,
    /// `/proc/PID/uid_map` in one line ("0 100000 1"), empty if unreadable.
    pub uid_map: String,
    pub gid_map: String,
    /// NoNewPrivs: 1 once prctl(PR_SET_NO_NEW_PRIVS) was set.
    #[serde(default)]
    pub no_new_privs: bool,
    /// Seccomp: 0 none, 1 strict, 2 a filter.
    #[serde(default)]
    pub seccomp: u32,
}

/// What a process may still do, as `docker exec` copies it from a container: its bounding set,
/// effective capabilities, no_new_privs and seccomp mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walls {
    pub cap_bnd: u64,
    pub cap_eff: u64,
    pub no_new_privs: bool,
    pub seccomp: u32,
}

impl Creds {
    /// This process's [`Walls`].
    pub fn walls(&self) -> Walls {
        Walls {
            cap_bnd: self.cap_bnd,
            cap_eff: self.cap_eff,
            no_new_privs: self.no_new_privs,
            seccomp: self.seccomp,
        }
    }

    /// How many capabilities are in the effective set.
    pub fn cap_count(&self) -> u32 {
        self.cap_eff.count_ones()
    }
}

/// The Uid, Gid and CapEff lines of a status file; the maps are left empty.
pub fn creds(text: &str) -> Option<Creds> {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
    };
    let first = |key: &str| field(key)?.split_whitespace().next()?.parse().ok();
    Some(Creds {
        uid: first("Uid:")?,
        gid: first("Gid:")?,
        cap_eff: u64::from_str_radix(field("CapEff:")?, 16).ok()?,
        cap_bnd: field("CapBnd:")
            .and_then(|b| u64::from_str_radix(b, 16).ok())
            .unwrap_or_else(every_cap),
        uid_map: String::new(),
        gid_map: String::new(),
        // Lines that older kernels lack read as "not set".
        no_new_privs: first("NoNewPrivs:").is_some_and(|n: u32| n == 1),
        seccomp: first("Seccomp:").unwrap_or(0),
    })
}

fn every_cap() -> u64 {
    u64::MAX
}

/// Parses a status file; None if `Name` or `PPid` is missing.
pub fn parse(text: &str) -> Option<Status> {
    let mut name = None;
    let mut ppid = None;
    let mut nspid = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "Name" => name = Some(value.to_string()),
            "PPid" => ppid = value.parse().ok(),
            "NSpid" => {
                nspid = value
                    .split_whitespace()
                    .filter_map(|v| v.parse().ok())
                    .collect()
            }
            _ => {}
        }
    }
    Some(Status {
        name: name?,
        ppid: ppid?,
        nspid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_process() {
        let s = parse(include_str!("../../tests/fixtures/proc/status-host.txt")).unwrap();
        assert_eq!(
            s,
            Status {
                name: "bash".into(),
                ppid: 411,
                nspid: vec![812]
            }
        );
    }

    #[test]
    fn process_in_a_pid_namespace_has_two_numbers() {
        let s = parse(include_str!("../../tests/fixtures/proc/status-nested.txt")).unwrap();
        assert_eq!(s.nspid, vec![23071, 1]);
        assert_eq!(s.ppid, 23070);
    }

    #[test]
    fn credentials() {
        let c = creds(include_str!("../../tests/fixtures/proc/status-host.txt")).unwrap();
        assert_eq!((c.uid, c.gid, c.cap_count()), (0, 0, 41));
        let c = creds(include_str!("../../tests/fixtures/proc/status-userns.txt")).unwrap();
        assert_eq!(
            (c.uid, c.gid, c.cap_eff, c.cap_count()),
            (100000, 100000, 0, 0)
        );
        assert_eq!(creds("Uid:\tx\n"), None);
    }

    #[test]
    fn missing_fields_are_none() {
        assert_eq!(parse("Name:\tx\n"), None);
        assert_eq!(parse(""), None);
    }
}
