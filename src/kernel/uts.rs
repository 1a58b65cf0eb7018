//! The UTS namespace's contents: the hostname. See sethostname(2), uts_namespaces(7).

use super::{KernelError, logged, zero};

/// sethostname(2): changes the hostname of the caller's UTS namespace.
pub fn set_hostname(name: &str) -> Result<(), KernelError> {
    logged(
        "sethostname",
        format!("{name:?}, {}", name.len()),
        nix::unistd::sethostname(name),
        zero,
    )
}
