//! Files: open(2) + write(2), unlink(2), lstat(2). The layers lesson writes, changes and deletes
//! files in the box's overlay root and stats them, so each of these calls is shown.

use std::os::fd::AsRawFd;
use std::path::Path;

use nix::fcntl::OFlag;
use nix::sys::stat::{Mode, SFlag};
use serde::{Deserialize, Serialize};

use super::{KernelError, logged, zero};

/// What lstat(2) says of a file, as the lesson shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    /// st_dev as major:minor.
    pub dev: (u32, u32),
    pub ino: u64,
    /// `-` regular file, `d` directory, `c` character device, `l` symlink, `?` other.
    pub kind: char,
    pub size: u64,
    /// st_rdev as major:minor (a whiteout is a character device 0:0).
    pub rdev: (u32, u32),
}

impl FileStat {
    /// An overlayfs whiteout: a character device with device number 0:0.
    pub fn is_whiteout(&self) -> bool {
        self.kind == 'c' && self.rdev == (0, 0)
    }
}

fn split_dev(dev: u64) -> (u32, u32) {
    (libc::major(dev), libc::minor(dev))
}

fn from_stat(st: &nix::sys::stat::FileStat) -> FileStat {
    let fmt = SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits());
    let kind = match fmt {
        SFlag::S_IFREG => '-',
        SFlag::S_IFDIR => 'd',
        SFlag::S_IFCHR => 'c',
        SFlag::S_IFLNK => 'l',
        _ => '?',
    };
    FileStat {
        dev: split_dev(st.st_dev),
        ino: st.st_ino,
        kind,
        size: st.st_size as u64,
        rdev: split_dev(st.st_rdev),
    }
}

/// lstat(2) without a record: for looking around (the panes), not for the lesson's own calls.
pub fn peek(path: &Path) -> Option<FileStat> {
    nix::sys::stat::lstat(path).ok().map(|st| from_stat(&st))
}

/// lstat(2), recorded with the fields the lesson compares.
pub fn stat(path: &Path) -> Result<FileStat, KernelError> {
    let r = nix::sys::stat::lstat(path).map(|st| from_stat(&st));
    logged("lstat", format!("{path:?}"), r, |s| {
        format!("0 {{st_dev={}:{}, st_ino={}}}", s.dev.0, s.dev.1, s.ino)
    })
}

/// open(path, O_WRONLY|O_CREAT|O_TRUNC or O_APPEND, 0644), write(2) of `text`, close(2).
pub fn write_text(path: &Path, text: &str, append: bool) -> Result<(), KernelError> {
    let (how, name) = if append {
        (OFlag::O_APPEND, "O_APPEND")
    } else {
        (OFlag::O_TRUNC, "O_TRUNC")
    };
    let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_CLOEXEC | how;
    let r = nix::fcntl::open(path, flags, Mode::from_bits_truncate(0o644));
    let fd = logged(
        "open",
        format!("{path:?}, O_WRONLY|O_CREAT|{name}, 0644"),
        r,
        |fd| fd.as_raw_fd().to_string(),
    )?;
    let raw = fd.as_raw_fd();
    let r = nix::unistd::write(&fd, text.as_bytes());
    logged(
        "write",
        format!("{raw}, {text:?}, {}", text.len()),
        r,
        |n| n.to_string(),
    )?;
    let r = nix::unistd::close(fd);
    logged("close", raw.to_string(), r, zero)
}

/// unlink(2).
pub fn unlink(path: &Path) -> Result<(), KernelError> {
    logged(
        "unlink",
        format!("{path:?}"),
        nix::unistd::unlink(path),
        zero,
    )
}
