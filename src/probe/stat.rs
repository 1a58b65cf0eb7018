//! `/proc/PID/stat` (proc(5)): state, session and start time. The command name (field 2) may itself
//! contain spaces and parentheses, so fields are counted after the *last* `)`.

#[derive(Debug, PartialEq, Eq)]
pub struct Stat {
    pub state: char,
    /// Field 6: the session id (the pid of the session's leader, as this /proc numbers it).
    pub session: i32,
    /// Field 9 has PF_KTHREAD (0x00200000, include/linux/sched.h): a kernel thread, with no
    /// program of its own. The sure test: a process outside the box's tree may have ppid 0 too.
    pub kernel_thread: bool,
    /// Fields 14 and 15: clock ticks spent in user and kernel mode.
    pub utime: u64,
    pub stime: u64,
    /// Field 22: clock ticks after boot when the process started.
    pub start_time: u64,
}

const PF_KTHREAD: u64 = 0x0020_0000;

pub fn parse(text: &str) -> Option<Stat> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state); field 22 is at index 22 - 3.
    Some(Stat {
        state: fields.first()?.chars().next()?,
        session: fields.get(3)?.parse().ok()?,
        kernel_thread: fields.get(6)?.parse::<u64>().ok()? & PF_KTHREAD != 0,
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
                kernel_thread: false,
                utime: 7,
                stime: 3,
                start_time: 8734
            }
        );
    }

    #[test]
    fn kernel_thread() {
        let line =
            "3 (pool_workqueue_release) S 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 25 0 0";
        assert!(parse(line).unwrap().kernel_thread);
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
