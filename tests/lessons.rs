//! Every lesson, run for real through the same engine as the TUI (`boxlab transcript`), in both
//! languages: every check must pass from real kernel state, and the host must be as it was.

mod common;

use common::{boxlab, host_test, serial};

fn lesson_passes_and_leaves_the_host_as_found(id: &str) {
    let Some(host) = host_test(id) else {
        return;
    };
    for (lang, done) in [
        ("en", "All checks passed."),
        ("ko", "모든 확인을 통과했습니다."),
    ] {
        let out = boxlab(&["--lang", lang, "transcript", id]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "transcript {id} --lang {lang} failed:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.contains("[FAIL]") && text.trim_end().ends_with(done),
            "{id} ({lang}):\n{text}"
        );
        if lang == "ko" {
            let english = english_check_lines(&text);
            assert!(
                english.is_empty(),
                "{id}: English in Korean checks:\n{english:#?}"
            );
        }
        host.assert_as_found(&format!("after lesson {id} ({lang})"));
    }
}

/// The check lines of a Korean transcript that still say something in English: a word the
/// checks' own English texts use, outside quotes (a quoted value, a hostname, a command's output
/// or a syscall's arguments may be anything).
fn english_check_lines(text: &str) -> Vec<&str> {
    const WORDS: [&str; 14] = [
        "the", "is", "has", "no", "not", "of", "in", "host", "box", "lists", "reads", "limit",
        "layer", "nothing",
    ];
    text.lines()
        .filter(|l| l.starts_with("  [ok]") || l.starts_with("  [FAIL]"))
        .filter(|l| {
            let unquoted: String = l.replace("\\\"", "").split('"').step_by(2).collect();
            unquoted
                // A path or file name (from-box.txt) is one word.
                .split(|c: char| c.is_whitespace() || ",;:()[]{}=".contains(c))
                .any(|w| WORDS.contains(&w))
        })
        .collect()
}

#[test]
fn why_containers() {
    lesson_passes_and_leaves_the_host_as_found("why-containers");
}

#[test]
fn chroot() {
    lesson_passes_and_leaves_the_host_as_found("chroot");
}

#[test]
fn uts() {
    lesson_passes_and_leaves_the_host_as_found("uts");
}

#[test]
fn pid() {
    lesson_passes_and_leaves_the_host_as_found("pid");
}

#[test]
fn mount() {
    lesson_passes_and_leaves_the_host_as_found("mount");
}

/// A lesson whose check fails makes `transcript` say so and exit 1 (for scripted checks).
/// Needs no root: the lesson only starts a box and compares hostnames.
#[test]
fn transcript_exits_1_when_a_check_fails() {
    let _one_at_a_time = serial();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("boxlab-failing-lesson-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lesson = include_str!("fixtures/lessons/05-good.toml")
        .replace("id = \"good\"", "id = \"fails\"")
        .replace(
            "actions = [{ do = \"spawn\" }]",
            "actions = [{ do = \"spawn\" }]\nchecks = [{ is = \"hostname_differs\" }]",
        );
    std::fs::write(dir.join("01-fails.toml"), lesson).unwrap();
    let out = boxlab(&["--lessons", dir.to_str().unwrap(), "transcript", "fails"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("[FAIL] host and box report different hostnames"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("Some checks failed."), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cgroup_namespace() {
    lesson_passes_and_leaves_the_host_as_found("cgroupns");
}

#[test]
fn time_namespace() {
    lesson_passes_and_leaves_the_host_as_found("time");
}

#[test]
fn user_namespace() {
    lesson_passes_and_leaves_the_host_as_found("user");
}

/// The rootless path: the user namespace lesson run by an unprivileged user (nobody, via
/// setpriv), where the kernel allows unprivileged user namespaces.
#[test]
fn user_namespace_without_root() {
    if !common::unprivileged_userns_or_skip("user_namespace_without_root") {
        return;
    }
    let _one_at_a_time = serial();
    let (home, mut cmd) = common::boxlab_as_nobody("nobody");
    let out = cmd
        .args(["--lang", "en", "transcript", "user"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("write(\"/proc/") && text.contains("/uid_map\", \"0 65534 1\")"),
        "{text}"
    );
    assert!(
        text.contains("[ok] the host sees the box as an unprivileged uid (host reads uid 65534"),
        "{text}"
    );
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn network_namespace() {
    lesson_passes_and_leaves_the_host_as_found("net");
}

#[test]
fn ipc_namespace() {
    lesson_passes_and_leaves_the_host_as_found("ipc");
}

#[test]
fn cgroups() {
    lesson_passes_and_leaves_the_host_as_found("cgroups");
}

#[test]
fn memory() {
    lesson_passes_and_leaves_the_host_as_found("memory");
}

#[test]
fn cpu() {
    lesson_passes_and_leaves_the_host_as_found("cpu");
}

#[test]
fn pids() {
    lesson_passes_and_leaves_the_host_as_found("pids");
}

#[test]
fn io() {
    lesson_passes_and_leaves_the_host_as_found("io");
}

#[test]
fn images() {
    lesson_passes_and_leaves_the_host_as_found("images");
}

#[test]
fn full_container() {
    lesson_passes_and_leaves_the_host_as_found("container");
}

/// With runc or crun on the PATH, as CI has it; without, the test below runs the lesson.
#[test]
fn what_docker_adds() {
    let runtime = ["runc", "crun"].iter().any(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok()
    });
    if !runtime {
        common::skip_without("runc or crun", "runc", "what_docker_adds");
        return;
    }
    lesson_passes_and_leaves_the_host_as_found("docker");
}

/// Where neither runc nor crun is on the PATH (most learners' machines), the runtime check is
/// skipped (it fails nothing, and does not read as passed), saying so with the install command,
/// and no output of a runtime that did not run is shown.
#[test]
fn what_docker_adds_without_a_runtime() {
    let Some(host) = host_test("what_docker_adds_without_a_runtime") else {
        return;
    };
    let out = std::process::Command::new(common::BOXLAB)
        .args(["--lang", "ko", "transcript", "docker"])
        .env("XDG_STATE_HOME", common::state_dir())
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("[skip] OCI 런타임이 config.json으로 같은 박스를 만들었다 (여기서는 실행하지 않았다: runc도 crun도 설치되어 있지 않다. apt-get install runc로 설치한다)"),
        "{text}"
    );
    assert!(
        !text.contains("$ runc") && !text.contains("$ crun"),
        "{text}"
    );
    assert!(
        text.contains("실행한 확인은 모두 통과했습니다 (1개는 여기서 실행하지 않음)."),
        "{text}"
    );
    host.assert_as_found("after lesson docker without a runtime");
}
