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
