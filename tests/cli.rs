//! The command line: doctor, lessons, and clear errors for bad input.

mod common;

use common::boxlab;

#[test]
fn doctor_reports_each_area() {
    let out = boxlab(&["--lang", "en", "doctor"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for needle in [
        "privileges:",
        "cgroup layout:",
        "namespace uts: supported",
        "namespace time:",
        "user namespaces",
        "overlayfs:",
        "running ",
        "default rootfs",
    ] {
        assert!(text.contains(needle), "doctor lacks {needle:?}:\n{text}");
    }
    // The cgroup layout is read from the file system type, and agrees with /proc/mounts.
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap();
    let expect = if mounts
        .lines()
        .any(|l| l.split(' ').nth(1) == Some("/sys/fs/cgroup") && l.contains(" cgroup2 "))
    {
        "cgroup v2"
    } else if mounts.contains("/sys/fs/cgroup/unified cgroup2") {
        "cgroup hybrid"
    } else {
        "cgroup"
    };
    assert!(text.contains(expect), "expected {expect}:\n{text}");
    let ko = String::from_utf8_lossy(&boxlab(&["--lang", "ko", "doctor"]).stdout).into_owned();
    assert!(ko.contains("네임스페이스 uts: 지원"), "{ko}");
}

#[test]
fn lessons_list_and_check() {
    let out = boxlab(&["lessons", "--check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("lessons: 18 valid"),
        "{text}"
    );
    assert!(text.contains(" 3. uts"), "{text}");
}

#[test]
fn unknown_lesson_names_the_real_ones() {
    let out = boxlab(&["transcript", "nope"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        err.trim(),
        "boxlab: no lesson `nope`; the lessons are: why-containers, chroot, uts, pid, mount, ipc, net, user, cgroupns, time, cgroups, memory, cpu, pids, io, images, container, docker"
    );
}

#[test]
fn bad_language_is_a_usage_error() {
    let out = boxlab(&["--lang", "fr", "lessons"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: en, ko"));
}

#[test]
fn learn_checks_the_lesson_name_before_opening_the_screen() {
    let out = boxlab(&["learn", "nosuch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no lesson `nosuch`"));
    // A slip of a letter names the lesson meant.
    let out = boxlab(&["learn", "contaner"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "boxlab: no lesson `contaner`: did you mean `container`?"
    );
}

#[test]
fn the_tui_without_a_terminal_says_what_to_use_instead() {
    let out = boxlab(&["learn", "uts"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("need a terminal") && err.contains("boxlab transcript"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}
