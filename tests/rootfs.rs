//! The default root filesystem, built both ways (static busybox; the host's own binaries), and
//! the rootfs-scripts, each used for a real lesson with `--rootfs`.

mod common;

use std::path::{Path, PathBuf};

use common::{BOXLAB, boxlab, root_or_skip, serial};

fn temp(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("boxlab-rootfs-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn chroot_lesson_runs_in(dir: &Path) {
    let out = boxlab(&["--rootfs", dir.to_str().unwrap(), "transcript", "chroot"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "chroot lesson in {}:\n{text}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("bin"), "{text}");
}

#[test]
fn built_from_static_busybox() {
    if !root_or_skip("built_from_static_busybox") {
        return;
    }
    let Some(bb) = boxlab::rootfs::find_static_busybox() else {
        common::skip_without("static busybox", "busybox-static", "the test");
        return;
    };
    let _one_at_a_time = serial();
    let dir = temp("busybox");
    boxlab::rootfs::build(&dir, Some(&bb)).unwrap();
    assert!(
        std::fs::read_link(dir.join("bin/sh")).is_ok(),
        "applets are links to busybox"
    );
    assert!(
        std::fs::read_to_string(dir.join("etc/boxlab-rootfs"))
            .unwrap()
            .contains("static busybox")
    );
    chroot_lesson_runs_in(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn built_from_the_hosts_own_binaries() {
    if !root_or_skip("built_from_the_hosts_own_binaries") {
        return;
    }
    let _one_at_a_time = serial();
    let dir = temp("host");
    boxlab::rootfs::build(&dir, None).unwrap();
    let note = std::fs::read_to_string(dir.join("etc/boxlab-rootfs")).unwrap();
    assert!(
        note.contains("host binaries") && note.contains("sh") && note.contains("ps"),
        "{note}"
    );
    use std::os::unix::fs::PermissionsExt;
    let tmp = std::fs::metadata(dir.join("tmp")).unwrap().permissions();
    assert_eq!(tmp.mode() & 0o7777, 0o1777, "/tmp is everyone's");
    chroot_lesson_runs_in(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A default rootfs built from the host's programs (no busybox then) is rebuilt from the static
/// busybox installed since, at the next start; but not while another boxlab runs, whose boxes
/// may be reading it.
#[test]
fn a_default_rootfs_from_the_host_is_rebuilt_once_a_static_busybox_is_here() {
    if !root_or_skip("a_default_rootfs_from_the_host_is_rebuilt_once_a_static_busybox_is_here") {
        return;
    }
    if boxlab::rootfs::find_static_busybox().is_none() {
        common::skip_without("static busybox", "busybox-static", "the test");
        return;
    }
    let _one_at_a_time = serial();
    let cache = temp("cache");
    let dir = cache.join("boxlab/rootfs-v1");
    let note = || std::fs::read_to_string(dir.join("etc/boxlab-rootfs")).unwrap();
    let start = || {
        std::process::Command::new(BOXLAB)
            .args(["transcript", "uts"])
            .env("XDG_CACHE_HOME", &cache)
            .env("XDG_STATE_HOME", common::state_dir())
            .output()
            .unwrap()
    };
    boxlab::rootfs::build(&dir, None).unwrap();
    // Another boxlab running (this test holds a ledger, as a run does): left as it is.
    let other = boxlab::ledger::Ledger::open().unwrap();
    let out = start();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(note().contains("host binaries"), "{}", note());
    drop(other);
    let out = start();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("a static busybox is here now") && err.contains("rebuilding"),
        "{err}"
    );
    assert!(note().contains("static busybox"), "{}", note());
    // Once: the next start uses it as it is.
    let out = start();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn a_rootfs_without_a_shell_is_refused_with_the_fix() {
    let dir = temp("empty");
    std::fs::create_dir_all(&dir).unwrap();
    let out = boxlab(&["--rootfs", dir.to_str().unwrap(), "transcript", "uts"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("missing /bin/sh") && err.contains("rootfs-scripts/"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rootfs_scripts() {
    if !root_or_skip("rootfs_scripts") {
        return;
    }
    let _one_at_a_time = serial();
    let out = std::process::Command::new("bash")
        .arg("rootfs-scripts/test.sh")
        .env("BOXLAB", BOXLAB)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" passed, 0 failed"), "{text}");
}
