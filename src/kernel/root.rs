//! The root directory and the working directory: chroot(2), chdir(2), fchdir(2), and the
//! directories the chroot escape makes (mkdir(2), rmdir(2)).

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::Path;

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use super::{KernelError, logged, zero};

/// chroot(2): changes the root directory of this process only. It does not change the working
/// directory, which is exactly what the classic escape exploits.
pub fn chroot(path: &Path) -> Result<(), KernelError> {
    logged(
        "chroot",
        format!("{path:?}"),
        nix::unistd::chroot(path),
        zero,
    )
}

/// chdir(2).
pub fn chdir(path: &Path) -> Result<(), KernelError> {
    logged("chdir", format!("{path:?}"), nix::unistd::chdir(path), zero)
}

/// open(2) of a directory, read-only and close-on-exec, to come back to it later with
/// [`fchdir`] even when the path would mean something else by then (`/proc/PID/root` after
/// entering another mount namespace).
pub fn open_dir(path: &Path) -> Result<OwnedFd, KernelError> {
    let r = nix::fcntl::open(
        path,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    );
    logged("open", format!("{path:?}, O_RDONLY|O_DIRECTORY"), r, |fd| {
        fd.as_raw_fd().to_string()
    })
}

/// fchdir(2): makes the directory `fd` refers to the working directory.
pub fn fchdir(fd: impl AsFd) -> Result<(), KernelError> {
    let fd = fd.as_fd();
    logged(
        "fchdir",
        fd.as_raw_fd().to_string(),
        nix::unistd::fchdir(fd),
        zero,
    )
}

/// mkdir(2) with mode 0700.
pub fn mkdir(path: &Path) -> Result<(), KernelError> {
    logged(
        "mkdir",
        format!("{path:?}, 0700"),
        nix::unistd::mkdir(path, Mode::S_IRWXU),
        zero,
    )
}

/// rmdir(2), made as unlinkat(AT_FDCWD, path, AT_REMOVEDIR) since nix has no rmdir.
pub fn rmdir(path: &Path) -> Result<(), KernelError> {
    use nix::unistd::{UnlinkatFlags, unlinkat};
    let r = unlinkat(nix::fcntl::AT_FDCWD, path, UnlinkatFlags::RemoveDir);
    logged(
        "unlinkat",
        format!("AT_FDCWD, {path:?}, AT_REMOVEDIR"),
        r,
        zero,
    )
}
