//! `/proc/PID/stat` (proc(5)): state, session and start time. The command name (field 2) may itself
//! contain spaces and parentheses, so fields are counted after the *last* `)`.

#[derive(Debug, PartialEq, Eq)]
pub struct Stat {
    pub state: char,
    /// Field 6: the session id (the pid of the session's leader, as this /proc numbers it).
    pub session: i32,
    /// Fields 14 and 15: clock ticks spent in user and kernel mode.
    pub utime: u64,
    pub stime: u64,
    /// Field 22: clock ticks after boot when the process started.
    pub start_time: u64,
}

pub fn parse(text: &str) -> Option<Stat> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state); field 22 is at index 22 - 3.
    Some(Stat {
        state: fields.first()?.chars().next()?,
        session: fields.get(3)?.parse().ok()?,
        utime: fields.get(11)?.parse().ok()?,
        stime: fields.get(12)?.parse().ok()?,
        start_time: fields.get(19)?.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_with_spaces_and_parens() {
        let s = parse(include_str!("../../tests/fixtures/proc/stat-odd-name.txt")).unwrap();
        assert_eq!(
            s,
            Stat {
                state: 'S',
                session: 4242,
                utime: 7,
                stime: 3,
                start_time: 8734
            }
        );
    }

    #[test]
    fn zombie() {
        let s = parse(include_str!("../../tests/fixtures/proc/stat-zombie.txt")).unwrap();
        assert_eq!(s.state, 'Z');
    }

    #[test]
    fn truncated_is_none() {
        assert_eq!(parse("12 (sh) S 1 2"), None);
        assert_eq!(parse("garbage"), None);
    }
}
