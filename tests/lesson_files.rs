//! Lesson files: the shipped ones validate, and each kind of mistake in a file gives an error
//! naming the file, the line and the field.

use boxlab::lesson::load::{LessonError, load_all, parse};

const GOOD: &str = include_str!("fixtures/lessons/05-good.toml");

/// GOOD with `from` replaced by `to` (which must change it).
fn broken(from: &str, to: &str) -> Result<boxlab::lesson::Lesson, LessonError> {
    assert!(GOOD.contains(from), "fixture lacks {from:?}");
    parse("lessons/05-good.toml", &GOOD.replacen(from, to, 1))
}

fn expect(
    result: Result<boxlab::lesson::Lesson, LessonError>,
    line: usize,
    field: &str,
    message: &str,
) {
    let e = result.expect_err("the file should be rejected");
    assert_eq!(
        (e.file.as_str(), e.line, e.field.as_str()),
        ("lessons/05-good.toml", line, field),
        "{e}"
    );
    assert!(
        e.message.contains(message),
        "message {:?} should mention {message:?}",
        e.message
    );
    assert!(
        e.to_string()
            .starts_with(&format!("lessons/05-good.toml:{line}: `{field}`")),
        "{e}"
    );
}

#[test]
fn shipped_lessons_are_valid() {
    let lessons = load_all(None).expect("built-in lessons");
    let ids: Vec<_> = lessons.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "why-containers",
            "chroot",
            "uts",
            "pid",
            "mount",
            "ipc",
            "net",
            "user",
            "cgroupns",
            "time",
            "cgroups",
            "memory",
            "cpu",
            "pids",
            "io",
            "images",
            "container",
            "docker",
        ]
    );
    let from_dir = load_all(Some(std::path::Path::new("lessons"))).expect("lessons/ directory");
    assert_eq!(from_dir, lessons, "the embedded copies match the files");
}

#[test]
fn the_fixture_itself_is_valid() {
    parse("lessons/05-good.toml", GOOD).unwrap();
}

#[test]
fn unknown_action() {
    expect(
        broken("do = \"spawn\"", "do = \"fly\""),
        10,
        "steps[0].actions[0].do",
        "unknown variant `fly`",
    );
}

#[test]
fn unknown_field() {
    expect(
        broken("actions =", "colour = 3\nactions ="),
        10,
        "steps[0].colour",
        "unknown field `colour`",
    );
}

/// serde alone lets any key through beside a tag that takes no parameters.
#[test]
fn unknown_field_of_an_action_without_parameters() {
    expect(
        broken("do = \"spawn\"", "do = \"spawn\", colour = 3"),
        10,
        "steps[0].actions[0].colour",
        "unknown field `colour`: `spawn` takes no parameters",
    );
}

#[test]
fn missing_translation() {
    expect(
        broken("ko = \"박스를 시작합니다.\" ", ""),
        9,
        "steps[0].explain",
        "missing field `ko`",
    );
}

#[test]
fn empty_translation() {
    expect(
        broken("ko = \"시작\"", "ko = \" \""),
        8,
        "steps[0].title",
        "`ko` text is empty",
    );
}

#[test]
fn unknown_view_row() {
    expect(
        broken("show = [\"hostname\"]", "show = [\"hostnme\"]"),
        3,
        "show[0]",
        "unknown view row `hostnme`",
    );
}

#[test]
fn unknown_namespace_in_unshare() {
    expect(
        broken(
            "{ do = \"spawn\" }",
            "{ do = \"spawn\" }, { do = \"unshare\", ns = [\"utss\"] }",
        ),
        10,
        "steps[0].actions[1]",
        "unknown variant `utss`",
    );
}

/// A slip of a letter or two: the nearest name, and not the 70 actions; a short list stays.
#[test]
fn a_misspelt_name_gets_the_nearest_one() {
    let e = broken("{ do = \"spawn\" }", "{ do = \"spwan\" }").unwrap_err();
    assert_eq!(
        e.message, "unknown variant `spwan`: did you mean `spawn`?",
        "{e}"
    );
    expect(
        broken(
            "{ do = \"spawn\" }",
            "{ do = \"spawn\" }, { do = \"unshare\", ns = [\"utss\"] }",
        ),
        10,
        "steps[0].actions[1]",
        "unknown variant `utss`: did you mean `uts`? (expected one of `uts`, `pid`,",
    );
}

#[test]
fn unknown_check() {
    expect(
        broken(
            "actions = [",
            "checks = [{ is = \"box_is_happy\" }]\nactions = [",
        ),
        10,
        "steps[0].checks[0].is",
        "unknown variant `box_is_happy`",
    );
}

#[test]
fn wrong_format_version() {
    expect(
        broken("format = 1", "format = 2"),
        1,
        "format",
        "reads format 1, not 2",
    );
}

#[test]
fn id_must_match_file_name() {
    expect(
        broken("id = \"good\"", "id = \"bad\""),
        2,
        "id",
        "does not match the file name",
    );
}

#[test]
fn action_before_spawn() {
    expect(
        broken(
            "{ do = \"spawn\" }",
            "{ do = \"set_hostname\", name = \"x\" }",
        ),
        7,
        "steps[0].actions[0]",
        "no box yet",
    );
}

#[test]
fn toml_syntax_error() {
    expect(broken("id = \"good\"", "id = \"good"), 2, "(syntax)", "");
}

/// A `]` forgotten at the end of a line is noticed on the next one; it is the line before
/// that needs fixing.
#[test]
fn an_array_left_open_is_reported_where_it_ends() {
    // Further on: noticed where the next line starts, as a missing comma.
    expect(
        broken("show = [\"hostname\"]", "show = [\"hostname\"\n\n# the box"),
        3,
        "(syntax)",
        "a `,` or the array's `]` is missing at the end of this line",
    );
    // At the end of the file: toml names the line itself.
    expect(
        broken(
            "actions = [{ do = \"spawn\" }]",
            "actions = [{ do = \"spawn\" }",
        ),
        10,
        "(syntax)",
        "unclosed array",
    );
}

#[test]
fn check_command_reports_every_broken_file() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("boxlab-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("05-good.toml"), GOOD).unwrap();
    std::fs::write(
        dir.join("06-bad.toml"),
        GOOD.replace("id = \"good\"", "id = \"bad\"")
            .replace("do = \"spawn\"", "do = \"fly\""),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_boxlab"))
        .arg("--lessons")
        .arg(&dir)
        .args(["lessons", "--check"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("06-bad.toml:10: `steps[0].actions[0].do`: unknown variant `fly`"),
        "{err}"
    );
    assert!(err.contains("lessons: 1 error(s)"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
