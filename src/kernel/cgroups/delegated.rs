//! A cgroup v2 subtree handed to an unprivileged user ("Delegation" in
//! Documentation/admin-guide/cgroup-v2.rst): its directory and its `cgroup.procs` and
//! `cgroup.subtree_control` belong to the user, as systemd arranges for a unit with
//! `Delegate=yes`. Below it the user may make cgroups, pass on the controllers it is offered and
//! set limits: that is where `boxlab run --rootless` puts its limits. cgroup v1 has no safe
//! delegation (a v1 controller's files cannot be handed out per subtree), so rootless runtimes
//! set no limits there, and neither does boxlab.
//!
//! The "no internal processes" rule holds here as everywhere below the root: the delegated
//! cgroup can pass controllers on only while no process is in it. So boxlab first moves itself
//! into a leaf beside the box's cgroup, and back again at the end.

use std::path::{Path, PathBuf};

use nix::unistd::AccessFlags;

use super::{KernelError, Layout, Made, Version, alone_name, members, mkdir, write};

/// How a learner gets a delegated cgroup, said whenever one is missing.
const HOW: &str = "start boxlab in one of your own: \
    systemd-run --user --scope -p Delegate=yes boxlab run --rootless ...";

/// The caller's cgroup, delegated to it, holding only the caller, and where boxlab moved it.
#[derive(Debug)]
pub struct Delegated {
    own: PathBuf,
    /// `own/boxlab-RUN-self`: the caller while the box runs.
    leaf: PathBuf,
    /// `own/boxlab-RUN`: the box's cgroup, beside the leaf.
    boxed: PathBuf,
}

/// The calling process's cgroup if it is delegated to the caller, offers every controller in
/// `controllers` and holds no other process; otherwise why not, and what to do.
pub fn find(layout: &Layout, controllers: &[super::Controller]) -> Result<PathBuf, String> {
    if let Some(c) = controllers
        .iter()
        .find(|&&c| layout.place(c).is_some_and(|h| h.version == Version::V1))
    {
        return Err(format!(
            "the {} controller is on cgroup v1 on this host, which cannot be handed to a user: \
             limits without root need cgroup v2",
            c.v2_name()
        ));
    }
    let Some(unified) = layout.unified() else {
        return Err("this host has no cgroup v2 to delegate".into());
    };
    let own = unified.own_dir();
    let mine = |f: &str| nix::unistd::access(&own.join(f), AccessFlags::W_OK).is_ok();
    if own == unified.mount || !mine("cgroup.procs") || !mine("cgroup.subtree_control") {
        return Err(format!(
            "your cgroup {} is not delegated to you: {HOW}",
            own.display()
        ));
    }
    let offered = std::fs::read_to_string(own.join("cgroup.controllers")).unwrap_or_default();
    if let Some(c) = controllers
        .iter()
        .find(|c| !offered.split_whitespace().any(|n| n == c.v2_name()))
    {
        return Err(format!(
            "your cgroup {} is not offered the {} controller (its cgroup.controllers: {}): \
             ask for it with Delegate=yes, or `Delegate=memory pids cpu` in user@.service",
            own.display(),
            c.v2_name(),
            offered.trim()
        ));
    }
    let others = members(&own).len().saturating_sub(1);
    if others > 0 {
        return Err(format!(
            "your cgroup {} holds {others} other process(es), and can pass limits on only \
             when empty: {HOW}",
            own.display()
        ));
    }
    Ok(own)
}

impl Delegated {
    /// Moves the caller out of its delegated cgroup `own` into a leaf of its own, named for
    /// the run, so that `own` may pass controllers on. The move is a write of the caller's pid
    /// to the leaf's `cgroup.procs`, allowed since the user owns the `cgroup.procs` of `own`,
    /// the common ancestor.
    pub fn enter(
        own: PathBuf,
        run: &str,
        note: &mut dyn FnMut(Made),
    ) -> Result<Delegated, KernelError> {
        let boxed = own.join(alone_name(run));
        let leaf = own.join(format!("{}-self", alone_name(run)));
        note(Made::Parent(leaf.clone()));
        mkdir(&leaf)?;
        write(&leaf.join("cgroup.procs"), &std::process::id().to_string())?;
        Ok(Delegated { own, leaf, boxed })
    }

    /// Removes the box's cgroup if it is still there (its processes killed: the run that made
    /// it ended abruptly), takes every controller back out of `own`, moves the caller back in
    /// and removes the leaf: the delegated cgroup as it was found. (Every controller: none was
    /// enabled while the caller was inside, since a cgroup that passes controllers on holds no
    /// process.)
    pub fn leave(self) {
        let _ = super::remove_cgroup(&self.boxed);
        let enabled = std::fs::read_to_string(self.own.join("cgroup.subtree_control"));
        let off: Vec<String> = enabled
            .unwrap_or_default()
            .split_whitespace()
            .map(|c| format!("-{c}"))
            .collect();
        if !off.is_empty() {
            let _ = write(&self.own.join("cgroup.subtree_control"), &off.join(" "));
        }
        let _ = write(
            &self.own.join("cgroup.procs"),
            &std::process::id().to_string(),
        );
        let _ = super::root::rmdir(&self.leaf);
    }

    /// The delegated cgroup, where the box's cgroup is made.
    pub fn own(&self) -> &Path {
        &self.own
    }

    /// The box's cgroup's name in it.
    pub fn box_name(&self) -> &str {
        self.boxed
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
    }
}
