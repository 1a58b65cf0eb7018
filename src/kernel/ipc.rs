//! System V IPC objects: shmget(2), msgget(2), shmctl(2)/msgctl(2) with IPC_RMID. Each IPC
//! namespace has its own set (ipc_namespaces(7)); an object lives until it is removed or its
//! namespace ends.

use nix::errno::Errno;

use super::{KernelError, logged, zero};

/// Which kind of object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IpcKind {
    /// A shared memory segment.
    Shm,
    /// A message queue.
    Msg,
}

/// shmget(key, 4096, IPC_CREAT|IPC_EXCL|0600) or msgget(key, IPC_CREAT|IPC_EXCL|0600): a new
/// object under `key` in the caller's IPC namespace. Returns its id.
pub fn create(kind: IpcKind, key: i32) -> Result<i32, KernelError> {
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | 0o600;
    match kind {
        IpcKind::Shm => {
            let r = Errno::result(unsafe { libc::shmget(key, 4096, flags) });
            logged(
                "shmget",
                format!("{key:#x}, 4096, IPC_CREAT|IPC_EXCL|0600"),
                r,
                |id| id.to_string(),
            )
        }
        IpcKind::Msg => {
            let r = Errno::result(unsafe { libc::msgget(key, flags) });
            logged(
                "msgget",
                format!("{key:#x}, IPC_CREAT|IPC_EXCL|0600"),
                r,
                |id| id.to_string(),
            )
        }
    }
}

/// Looks the object up by key (shmget/msgget with no flags) and removes it (IPC_RMID).
pub fn remove(kind: IpcKind, key: i32) -> Result<(), KernelError> {
    match kind {
        IpcKind::Shm => {
            let id = logged(
                "shmget",
                format!("{key:#x}, 0, 0"),
                Errno::result(unsafe { libc::shmget(key, 0, 0) }),
                |id| id.to_string(),
            )?;
            let r =
                Errno::result(unsafe { libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) });
            logged("shmctl", format!("{id}, IPC_RMID, NULL"), r, zero).map(drop)
        }
        IpcKind::Msg => {
            let id = logged(
                "msgget",
                format!("{key:#x}, 0"),
                Errno::result(unsafe { libc::msgget(key, 0) }),
                |id| id.to_string(),
            )?;
            let r =
                Errno::result(unsafe { libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut()) });
            logged("msgctl", format!("{id}, IPC_RMID, NULL"), r, zero).map(drop)
        }
    }
}

/// mq_open(name, O_CREAT|O_EXCL|O_RDWR, 0600, NULL) then close: a POSIX message queue
/// (mq_overview(7)), which lives in the caller's IPC namespace until mq_unlink or the
/// namespace's end.
pub fn mq_create(name: &str) -> Result<(), KernelError> {
    let c = std::ffi::CString::new(name).map_err(|_| KernelError {
        call: "mq_open",
        args: format!("{name:?}"),
        errno: Errno::EINVAL,
    })?;
    let flags = libc::O_CREAT | libc::O_EXCL | libc::O_RDWR;
    let r = Errno::result(unsafe {
        libc::mq_open(
            c.as_ptr(),
            flags,
            0o600 as libc::mode_t,
            std::ptr::null_mut::<libc::mq_attr>(),
        )
    });
    let fd = logged(
        "mq_open",
        format!("{name:?}, O_CREAT|O_EXCL|O_RDWR, 0600, NULL"),
        r,
        |fd| fd.to_string(),
    )?;
    unsafe { libc::mq_close(fd) };
    Ok(())
}

/// mq_open(name, O_RDONLY): whether a POSIX message queue of that name exists in the caller's
/// IPC namespace (ENOENT: it does not).
pub fn mq_exists(name: &str) -> Result<bool, KernelError> {
    let c = std::ffi::CString::new(name).map_err(|_| KernelError {
        call: "mq_open",
        args: format!("{name:?}"),
        errno: Errno::EINVAL,
    })?;
    let r = Errno::result(unsafe { libc::mq_open(c.as_ptr(), libc::O_RDONLY) });
    let args = format!("{name:?}, O_RDONLY");
    match r {
        Err(Errno::ENOENT) => {
            let _ = logged::<i32>("mq_open", args, Err(Errno::ENOENT), |_| String::new());
            Ok(false)
        }
        other => {
            let fd = logged("mq_open", args, other, |fd| fd.to_string())?;
            unsafe { libc::mq_close(fd) };
            Ok(true)
        }
    }
}
