//! User namespaces' id maps and credentials: /proc/PID/uid_map, setgroups and gid_map
//! (user_namespaces(7)), and setresuid(2)/setresgid(2).

use nix::unistd::{Gid, Uid, setresgid, setresuid};

use super::{KernelError, logged, zero};

/// write(2) of `text` to /proc/PID/FILE, recorded as one call.
fn write_proc(pid: i32, file: &str, text: &str) -> Result<(), KernelError> {
    let path = format!("/proc/{pid}/{file}");
    let r = std::fs::write(&path, text).map_err(|e| super::errno_of(&e));
    logged("write", format!("{path:?}, {text:?}"), r, |_| {
        text.len().to_string()
    })
}

/// Maps uid 0 and gid 0 inside the user namespace of process `pid` to `uid` and `gid`
/// outside: uid_map first, then "deny" to setgroups (required before an unprivileged
/// process may write gid_map, so a mapped root cannot drop supplementary groups it was
/// denied by), then gid_map. Each file can be written once, by a process in the parent
/// user namespace.
pub fn map_root(pid: i32, uid: u32, gid: u32) -> Result<(), KernelError> {
    write_proc(pid, "uid_map", &format!("0 {uid} 1"))?;
    write_proc(pid, "setgroups", "deny")?;
    write_proc(pid, "gid_map", &format!("0 {gid} 1"))
}

/// setresgid(0, 0, 0) then setresuid(0, 0, 0): become the namespace's root, which the maps
/// turn into the mapped ids outside. Changing ids makes the kernel mark the process not
/// "dumpable", which makes its /proc/PID files belong to the host's root so the process could
/// no longer read its own /proc/self/ns; prctl(PR_SET_DUMPABLE, 1) undoes that, as container
/// runtimes do (prctl(2), proc(5)).
pub fn become_root() -> Result<(), KernelError> {
    let root_g = Gid::from_raw(0);
    logged(
        "setresgid",
        "0, 0, 0".into(),
        setresgid(root_g, root_g, root_g),
        zero,
    )?;
    let root_u = Uid::from_raw(0);
    logged(
        "setresuid",
        "0, 0, 0".into(),
        setresuid(root_u, root_u, root_u),
        zero,
    )?;
    let r = nix::errno::Errno::result(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) });
    logged("prctl", "PR_SET_DUMPABLE, 1".into(), r, zero).map(drop)
}

/// setgroups(0, NULL): no supplementary groups. Needed before joining a user namespace whose
/// setgroups is "deny", where the call is refused.
pub fn drop_groups() -> Result<(), KernelError> {
    logged(
        "setgroups",
        "0, NULL".into(),
        nix::unistd::setgroups(&[]),
        zero,
    )
}
