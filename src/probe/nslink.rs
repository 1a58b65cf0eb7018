//! The target of a `/proc/PID/ns/*` link: `uts:[4026531838]` (namespaces(7)). The link's own
//! name says which namespace it is: `pid_for_children` points at a `pid:[...]` target too.

/// Parses `kind:[inode]` into the kind and the inode.
pub fn parse(target: &str) -> Option<(&str, u64)> {
    let (kind, rest) = target.split_once(':')?;
    let inode = rest.strip_prefix('[')?.strip_suffix(']')?.parse().ok()?;
    Some((kind, inode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixture_links() {
        let links = include_str!("../../tests/fixtures/proc/ns-links.txt");
        let parsed: Vec<_> = links
            .lines()
            .filter_map(|l| l.split_once(" -> "))
            .filter_map(|(name, target)| Some((name, parse(target)?)))
            .collect();
        assert_eq!(parsed.len(), 10);
        assert_eq!(parsed[0], ("cgroup", ("cgroup", 4026531835)));
        assert_eq!(parsed[5].0, "pid_for_children");
        assert_eq!(
            parsed[5].1.0, "pid",
            "the target names the kind, not the link"
        );
        assert_eq!(parse("uts:4026531838"), None);
        assert_eq!(parse("uts:[x]"), None);
    }
}
