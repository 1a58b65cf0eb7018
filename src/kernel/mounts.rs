//! Mounts: mount(2). See mount_namespaces(7) for propagation.
//!
//! Callers must be in their own mount namespace with `/` made private first: on systemd hosts
//! `/` is a shared mount, and a mount made under it would propagate back to the host.

use nix::mount::{MsFlags, mount};

use super::{KernelError, logged, zero};

/// mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL): stop mount events propagating to and from
/// the mount namespace this process was copied from.
pub fn make_root_private() -> Result<(), KernelError> {
    let r = mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    );
    logged(
        "mount",
        "NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL".into(),
        r,
        zero,
    )
}

/// mount("proc", target, "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL): a procfs that shows the
/// processes of the caller's PID namespace (proc(5)).
pub fn mount_proc(target: &str) -> Result<(), KernelError> {
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    let r = mount(Some("proc"), target, Some("proc"), flags, None::<&str>);
    let args = format!("\"proc\", {target:?}, \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL");
    logged("mount", args, r, zero)
}
