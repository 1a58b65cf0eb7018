//! `/proc/PID/status` (proc(5)): the fields boxlab shows.

/// The parts of a status file the probe uses.
#[derive(Debug, PartialEq, Eq)]
pub struct Status {
    pub name: String,
    pub ppid: i32,
    /// Pid in each nested PID namespace, outermost first; empty on kernels before 4.1.
    pub nspid: Vec<i32>,
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
    fn missing_fields_are_none() {
        assert_eq!(parse("Name:\tx\n"), None);
        assert_eq!(parse(""), None);
    }
}
