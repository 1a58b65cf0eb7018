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

/// mount("tmpfs", target, "tmpfs", MS_NOSUID|MS_NODEV, "size=1m"): a small file system in
/// memory, visible only in the caller's mount namespace (tmpfs(5)).
pub fn mount_tmpfs(target: &str) -> Result<(), KernelError> {
    tmpfs(
        target,
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        "MS_NOSUID|MS_NODEV",
        "size=1m",
    )
}

/// mount("tmpfs", target, "tmpfs", 0, "mode=755"): a container's writable layer in memory,
/// with no flags, since the container may run what it writes there. It holds the overlay's
/// upper and work directories and ends with the mount namespace: nothing on the host's disk
/// to make or remove.
pub fn mount_layer_tmpfs(target: &str) -> Result<(), KernelError> {
    tmpfs(target, MsFlags::empty(), "0", "mode=755")
}

/// mount("tmpfs", target, "tmpfs", MS_NOSUID|MS_NODEV|MS_NOEXEC, "mode=1777,size=64m"): a
/// container's /dev/shm, for POSIX shared memory (shm_overview(7)), 64 MiB as Docker's.
pub fn mount_shm(target: &str) -> Result<(), KernelError> {
    tmpfs(
        target,
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        "MS_NOSUID|MS_NODEV|MS_NOEXEC",
        "mode=1777,size=64m",
    )
}

/// mount("devpts", target, "devpts", MS_NOSUID|MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"):
/// a devpts of the container's own, whose ptys are numbered from 0 and invisible to the host's
/// (devpts in the kernel's Documentation/filesystems/devpts.rst). Allowed in a user namespace.
pub fn mount_devpts(target: &str) -> Result<(), KernelError> {
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC;
    let data = "newinstance,ptmxmode=0666,mode=0620";
    let r = mount(Some("devpts"), target, Some("devpts"), flags, Some(data));
    logged(
        "mount",
        format!("\"devpts\", {target:?}, \"devpts\", MS_NOSUID|MS_NOEXEC, {data:?}"),
        r,
        zero,
    )
}

fn tmpfs(target: &str, flags: MsFlags, flag_names: &str, data: &str) -> Result<(), KernelError> {
    let r = mount(Some("tmpfs"), target, Some("tmpfs"), flags, Some(data));
    logged(
        "mount",
        format!("\"tmpfs\", {target:?}, \"tmpfs\", {flag_names}, {data:?}"),
        r,
        zero,
    )
}

/// mount(NULL, target, NULL, MS_SHARED, NULL): mount and unmount events under `target` now
/// propagate to every copy of it in other mount namespaces (its peer group).
pub fn make_shared(target: &str) -> Result<(), KernelError> {
    let r = mount(
        None::<&str>,
        target,
        None::<&str>,
        MsFlags::MS_SHARED,
        None::<&str>,
    );
    logged(
        "mount",
        format!("NULL, {target:?}, NULL, MS_SHARED, NULL"),
        r,
        zero,
    )
}

/// mount(path, path, NULL, MS_BIND|MS_REC, NULL): binds a directory onto itself so it becomes a
/// mount point, which pivot_root(2) requires of the new root.
pub fn bind_onto_itself(path: &str) -> Result<(), KernelError> {
    let r = mount(
        Some(path),
        path,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    );
    logged(
        "mount",
        format!("{path:?}, {path:?}, NULL, MS_BIND|MS_REC, NULL"),
        r,
        zero,
    )
}

/// pivot_root(new_root, put_old): makes `new_root` the root mount of the caller's mount
/// namespace and moves the old root to `put_old`. With both ".", the old root is stacked on
/// top of the new one, ready to be detached (pivot_root(2), NOTES).
pub fn pivot_root(new_root: &str, put_old: &str) -> Result<(), KernelError> {
    let r = nix::unistd::pivot_root(new_root, put_old);
    logged("pivot_root", format!("{new_root:?}, {put_old:?}"), r, zero)
}

/// umount2(target, MNT_DETACH): detaches the mount now and frees it once nothing uses it.
pub fn detach(target: &str) -> Result<(), KernelError> {
    let r = nix::mount::umount2(target, nix::mount::MntFlags::MNT_DETACH);
    logged("umount2", format!("{target:?}, MNT_DETACH"), r, zero)
}

/// mount("overlay", target, "overlay", 0, "lowerdir=L1:L2,upperdir=U,workdir=W"): the layers
/// merged into one tree; writes go to `upper`, the lower layers stay untouched (overlayfs docs,
/// Documentation/filesystems/overlayfs.rst). The first lower layer is the top one.
pub fn mount_overlay(
    lower: &[&str],
    upper: &str,
    work: &str,
    target: &str,
) -> Result<(), KernelError> {
    mount_overlay_with(lower, upper, work, target, "")
}

/// [`mount_overlay`] with more options after the layers (`,userxattr`: keep overlayfs's own
/// attributes in `user.overlay.*`, which a user namespace's root may write, instead of
/// `trusted.overlay.*`).
pub fn mount_overlay_with(
    lower: &[&str],
    upper: &str,
    work: &str,
    target: &str,
    more: &str,
) -> Result<(), KernelError> {
    let data = format!(
        "lowerdir={},upperdir={upper},workdir={work}{more}",
        lower.join(":")
    );
    let r = mount(
        Some("overlay"),
        target,
        Some("overlay"),
        MsFlags::empty(),
        Some(data.as_str()),
    );
    logged(
        "mount",
        format!("\"overlay\", {target:?}, \"overlay\", 0, {data:?}"),
        r,
        zero,
    )
}

/// mount(source, target, NULL, MS_BIND|MS_REC, NULL), then for `readonly` a remount with
/// MS_RDONLY (a bind mount takes the read-only flag only on remount: mount(2)).
pub fn bind(source: &str, target: &str, readonly: bool) -> Result<(), KernelError> {
    let r = mount(
        Some(source),
        target,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    );
    logged(
        "mount",
        format!("{source:?}, {target:?}, NULL, MS_BIND|MS_REC, NULL"),
        r,
        zero,
    )?;
    if readonly {
        let flags = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY;
        let r = mount(None::<&str>, target, None::<&str>, flags, None::<&str>);
        logged(
            "mount",
            format!("NULL, {target:?}, NULL, MS_BIND|MS_REMOUNT|MS_RDONLY, NULL"),
            r,
            zero,
        )?;
    }
    Ok(())
}

/// mount("sysfs", target, "sysfs", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL): /sys, read
/// only, showing the caller's network namespace's devices (sysfs(5)).
pub fn mount_sysfs_readonly(target: &str) -> Result<(), KernelError> {
    kernel_fs_readonly("sysfs", target)
}

/// mount("cgroup2", target, "cgroup2", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL): the
/// cgroup v2 hierarchy, read-only. Mounted in a cgroup namespace, its root is the namespace's
/// own cgroup (cgroup_namespaces(7)).
pub fn mount_cgroup_readonly(target: &str) -> Result<(), KernelError> {
    kernel_fs_readonly("cgroup2", target)
}

/// A file system the kernel serves with no device behind it, read-only.
fn kernel_fs_readonly(fs: &str, target: &str) -> Result<(), KernelError> {
    let flags = MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    let r = mount(Some(fs), target, Some(fs), flags, None::<&str>);
    logged(
        "mount",
        format!("{fs:?}, {target:?}, {fs:?}, MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL"),
        r,
        zero,
    )
}

/// mount("tmpfs", target, "tmpfs", MS_NOSUID|MS_NOEXEC, "mode=755,size=64k"): an empty /dev
/// for the container, to be filled with a few bind-mounted device nodes.
pub fn mount_dev(target: &str) -> Result<(), KernelError> {
    tmpfs(
        target,
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
        "MS_NOSUID|MS_NOEXEC",
        "mode=755,size=64k",
    )
}
