//! `/proc/sysvipc/shm` and `/proc/sysvipc/msg` (proc(5)): the System V IPC objects of the
//! reader's IPC namespace, one per line after a header.

use serde::{Deserialize, Serialize};

use crate::kernel::ipc::IpcKind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcObject {
    pub kind: IpcKind,
    pub key: i32,
    pub id: i32,
    /// Bytes: the segment's size, or the bytes queued in a message queue.
    pub bytes: u64,
}

/// Parses one of the two files; lines that do not parse are skipped.
pub fn parse(kind: IpcKind, text: &str) -> Vec<IpcObject> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // shm: key shmid perms size ...; msg: key msqid perms cbytes ...
            Some(IpcObject {
                kind,
                key: f.first()?.parse().ok()?,
                id: f.get(1)?.parse().ok()?,
                bytes: f.get(3)?.parse().ok()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures() {
        let shm = parse(
            IpcKind::Shm,
            include_str!("../../tests/fixtures/proc/sysvipc-shm.txt"),
        );
        assert_eq!(
            shm,
            vec![IpcObject {
                kind: IpcKind::Shm,
                key: 1482937473,
                id: 0,
                bytes: 4096
            }]
        );
        let msg = parse(
            IpcKind::Msg,
            include_str!("../../tests/fixtures/proc/sysvipc-msg.txt"),
        );
        assert_eq!(
            msg,
            vec![IpcObject {
                kind: IpcKind::Msg,
                key: -9717703,
                id: 0,
                bytes: 0
            }]
        );
        assert!(parse(IpcKind::Shm, "header only\n").is_empty());
        assert!(parse(IpcKind::Shm, "h\nnot numbers at all\n").is_empty());
    }
}
