//! The default root filesystem, built offline on first run into the user's cache dir:
//! a static busybox with its applet links when the host has one, otherwise the host's own
//! binaries with the shared libraries they need. `--rootfs DIR` uses any directory instead.

mod elf;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The empty directories every box expects (mount points among them: the mount lesson mounts
/// on /mnt inside the box's root, and the volume of the full container and of its OCI bundle
/// goes on /data, as in `docker run -v HOST:/data`).
const SKELETON_DIRS: [&str; 9] = [
    "proc", "sys", "dev", "tmp", "etc", "root", "home", "mnt", "data",
];

/// Bump when what [`build`] puts in the tree changes, so old caches are rebuilt.
const LAYOUT_VERSION: u32 = 1;

/// The note in a default root filesystem saying what it was built from.
const NOTE: &str = "etc/boxlab-rootfs";

/// What that note says when the tree holds [`HOST_TOOLS`], before their names.
const FROM_HOST: &str = "host binaries";

/// Programs copied from the host when there is no static busybox.
const HOST_TOOLS: &[&str] = &[
    "sh", "ls", "ps", "cat", "hostname", "mount", "umount", "id", "uname", "echo", "sleep",
    "mkdir", "ln", "rm", "grep", "head", "readlink", "stat", "ip", "env", "true", "false", "pwd",
];

/// Where the default rootfs lives: `$XDG_CACHE_HOME/boxlab/rootfs-vN` (or `~/.cache/...`).
pub fn default_dir() -> PathBuf {
    let cache = crate::paths::xdg_dir("XDG_CACHE_HOME", ".cache");
    cache
        .join("boxlab")
        .join(format!("rootfs-v{LAYOUT_VERSION}"))
}

/// Returns the rootfs to use: `chosen` after checking it, or the default one, built if missing
/// (or rebuilt: see [`build_needed`]).
pub fn ensure(chosen: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = chosen {
        check(dir)?;
        return Ok(dir.canonicalize()?);
    }
    let dir = default_dir();
    if build_needed(&dir) {
        let cache = dir.parent().context("the rootfs path has no parent")?;
        fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
        // One builder at a time (flock(2)): a boxlab started meanwhile waits, then finds the
        // tree built.
        let lock = cache.join(".build-lock");
        let held = fs::File::create(&lock)
            .and_then(|f| f.lock().map(|()| f))
            .with_context(|| format!("locking {}", lock.display()))?;
        if build_needed(&dir) {
            let busybox = find_static_busybox();
            match (&busybox, dir.join("bin/sh").exists()) {
                (Some(bb), true) => eprintln!(
                    "boxlab: a static busybox is here now ({}): rebuilding the default root filesystem in {} with it",
                    bb.display(),
                    dir.display()
                ),
                _ => eprintln!(
                    "boxlab: building the default root filesystem in {} (once, offline)",
                    dir.display()
                ),
            }
            build(&dir, busybox.as_deref())?;
        }
        drop(held);
    }
    // A cache built before a directory joined the skeleton gets it now.
    for d in SKELETON_DIRS {
        std::fs::create_dir_all(dir.join(d))
            .with_context(|| format!("creating {}", dir.join(d).display()))?;
    }
    // /tmp is everyone's, as on any Linux system (1777), so that a user other than root in
    // the box can use it too; so the cache above is its owner's alone (0700): no other user of
    // the machine may put anything there for the boxes to find.
    ensure_mode(&dir.join("tmp"), 0o1777)?;
    if let Some(cache) = dir.parent() {
        ensure_mode(cache, 0o700)?;
    }
    Ok(dir)
}

/// chmod(2) of `path` to `mode`, only when it differs: every start checks, few write.
fn ensure_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let chmod = || -> std::io::Result<()> {
        if fs::metadata(path)?.permissions().mode() & 0o7777 != mode {
            fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
        }
        Ok(())
    };
    chmod().with_context(|| format!("chmod {mode:o} {}", path.display()))
}

/// A root filesystem must let the box run a shell and mount /proc.
pub fn check(dir: &Path) -> anyhow::Result<()> {
    if !dir.is_dir() {
        bail!(
            "--rootfs {}: not a directory; give a directory holding a root filesystem",
            dir.display()
        );
    }
    for need in ["bin/sh", "proc"] {
        if fs::symlink_metadata(dir.join(need)).is_err() {
            bail!(
                "--rootfs {}: missing /{need}; a box needs /bin/sh and an empty /proc (see rootfs-scripts/)",
                dir.display()
            );
        }
    }
    Ok(())
}

/// A busybox on the host that needs no shared libraries (so it runs alone in a chroot).
pub fn find_static_busybox() -> Option<PathBuf> {
    let mut candidates = vec![
        PathBuf::from("/bin/busybox"),
        PathBuf::from("/usr/bin/busybox"),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join("busybox")));
    }
    candidates
        .into_iter()
        .find(|p| elf::is_static_executable(p))
}

/// Builds a root filesystem at `dest` (replacing it): from `busybox` if given, else from the
/// host's binaries. Works in a temporary sibling and renames it into place at the end.
pub fn build(dest: &Path, busybox: Option<&Path>) -> anyhow::Result<()> {
    let parent = dest.parent().context("rootfs path has no parent")?;
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let tmp = parent.join(format!(".build-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let built = match busybox {
        Some(bb) => populate_busybox(&tmp, bb),
        None => populate_host(&tmp),
    }
    .and_then(|kind| skeleton(&tmp, &kind));
    if let Err(e) = built {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let _ = fs::remove_dir_all(dest);
    fs::rename(&tmp, dest)
        .with_context(|| format!("moving the new rootfs to {}", dest.display()))?;
    Ok(())
}

fn populate_busybox(root: &Path, busybox: &Path) -> anyhow::Result<String> {
    let bin = root.join("bin");
    fs::create_dir_all(&bin)?;
    fs::copy(busybox, bin.join("busybox"))
        .with_context(|| format!("copying {}", busybox.display()))?;
    let list = Command::new(busybox)
        .arg("--list")
        .output()
        .context("running busybox --list")?;
    for applet in String::from_utf8_lossy(&list.stdout).lines().map(str::trim) {
        if !applet.is_empty() && applet != "busybox" && !applet.contains('/') {
            symlink("busybox", bin.join(applet))?;
        }
    }
    // One real /bin: the other program directories point at it, so any PATH finds the applets.
    fs::create_dir_all(root.join("usr"))?;
    symlink("bin", root.join("sbin"))?;
    symlink("../bin", root.join("usr/bin"))?;
    symlink("../bin", root.join("usr/sbin"))?;
    Ok(format!("static busybox from {}", busybox.display()))
}

/// Whether the default tree at `dir` must be built: it is missing, or it is made of the host's
/// own programs while a static busybox is here now (installed since, as the README suggests:
/// its applets, httpd and vi among them, replace the handful of host programs) and no other
/// boxlab runs, whose boxes' overlays could be reading the tree.
fn build_needed(dir: &Path) -> bool {
    !dir.join("bin/sh").exists()
        || (built_from_host(dir)
            && find_static_busybox().is_some()
            && !crate::ledger::others_running())
}

/// Whether the root filesystem at `dir` is a default one made of the host's own programs
/// (its note in etc/boxlab-rootfs says so).
fn built_from_host(dir: &Path) -> bool {
    made_of(dir).is_some_and(|kind| host_programs(&kind).is_some())
}

/// What the default root filesystem at `dir` was built from, as its note says: "busybox …"
/// or "host binaries: sh ls …"; None when there is no note (not built yet, or not ours).
pub fn made_of(dir: &Path) -> Option<String> {
    let note = fs::read_to_string(dir.join(NOTE)).ok()?;
    note.trim()
        .split_once(": ")
        .map(|(_, kind)| kind.to_string())
}

/// Of what [`made_of`] says, the list of programs (": sh ls …") when they are the host's.
pub fn host_programs(kind: &str) -> Option<&str> {
    kind.strip_prefix(FROM_HOST)
}

fn populate_host(root: &Path) -> anyhow::Result<String> {
    let bin = root.join("bin");
    fs::create_dir_all(&bin)?;
    let mut copied = Vec::new();
    for tool in HOST_TOOLS {
        let Some(path) = which(tool) else { continue };
        fs::copy(&path, bin.join(tool)).with_context(|| format!("copying {}", path.display()))?;
        for lib in shared_libraries(&path)? {
            let inside = root.join(lib.strip_prefix("/").unwrap_or(&lib));
            if !inside.exists() {
                fs::create_dir_all(inside.parent().unwrap_or(root))?;
                fs::copy(&lib, &inside).with_context(|| format!("copying {}", lib.display()))?;
            }
        }
        copied.push(*tool);
    }
    if !copied.contains(&"sh") {
        bail!(
            "no static busybox and no sh on this host to build a root filesystem from; install busybox-static or pass --rootfs DIR"
        );
    }
    for dir in ["sbin", "usr/bin", "usr/sbin"] {
        fs::create_dir_all(root.join(dir))?;
    }
    Ok(format!("{FROM_HOST}: {}", copied.join(" ")))
}

/// The directories and files every box expects.
fn skeleton(root: &Path, kind: &str) -> anyhow::Result<String> {
    for dir in SKELETON_DIRS {
        fs::create_dir_all(root.join(dir))?;
    }
    ensure_mode(&root.join("tmp"), 0o1777)?;
    fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
    )?;
    fs::write(root.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n")?;
    fs::write(root.join("etc/hostname"), "box\n")?;
    fs::write(
        root.join(NOTE),
        format!("boxlab default root filesystem v{LAYOUT_VERSION}: {kind}\n"),
    )?;
    Ok(kind.to_string())
}

fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok())
}

/// The shared libraries (and loader) a program needs, as ldd(1) resolves them on this host.
fn shared_libraries(program: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if elf::is_static_executable(program) {
        return Ok(Vec::new());
    }
    let out = Command::new("ldd")
        .arg(program)
        .output()
        .context("running ldd (needed to copy host binaries)")?;
    Ok(parse_ldd(&String::from_utf8_lossy(&out.stdout)))
}

/// Absolute paths in ldd output: `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` and
/// the loader line `/lib64/ld-linux-x86-64.so.2 (0x...)`.
fn parse_ldd(text: &str) -> Vec<PathBuf> {
    text.lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with('/')))
        .map(PathBuf::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldd_output() {
        let text = "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x7f)\n\t/lib64/ld-linux-x86-64.so.2 (0x7f)\n";
        assert_eq!(
            parse_ldd(text),
            vec![
                PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2")
            ]
        );
    }
}
