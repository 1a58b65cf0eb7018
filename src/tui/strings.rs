//! The words of the screen itself (lesson text lives in the lesson files).

use crate::lang::Lang;

/// A piece of screen text in both languages.
pub struct S(pub &'static str, pub &'static str);

impl S {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.0,
            Lang::Ko => self.1,
        }
    }
}

pub const APP_TAGLINE: S = S(
    "learn containers by building one",
    "컨테이너를 직접 만들며 배우기",
);
pub const LESSONS: S = S("Lessons", "수업 목록");
pub const NOT_STARTED: S = S("not started", "시작 전");
pub const DONE: S = S("done", "완료");
pub const IN_PROGRESS: S = S("in progress", "진행 중");
pub const UNAVAILABLE: S = S("unavailable", "사용 불가");
pub const PAIRS_WITH: S = S("Study notes (in Korean)", "함께 읽을 노트");
pub const HOST: S = S("host", "호스트");
pub const BOX: S = S("box", "박스");
/// Where a command to try in the box is typed: the box shell, opened with `s`.
pub const BOX_SHELL_PLACE: S = S("box (s)", "박스(s)");
pub const SYSCALLS: S = S("syscalls", "시스템 콜");
pub const NO_SYSCALLS: S = S(
    "(no syscalls in this step)",
    "(이 단계에서는 시스템 콜 없음)",
);
pub const CHECKS: S = S("checks", "확인");
pub const TRY: S = S("try", "해 볼 명령");
pub const STEP: S = S("step", "단계");
pub const ERROR: S = S("error", "오류");
pub const LAST_STEP: S = S(
    "Last step. r starts over, Esc returns to the lessons.",
    "마지막 단계입니다. r로 처음부터, Esc로 수업 목록으로.",
);
pub const LESSON_DONE: S = S("lesson complete", "수업 완료");
pub const OTHER_LANGUAGE: S = S("한국어", "English");

// Footer hints: (key, what it does).
pub const K_CHOOSE: S = S("choose", "선택");
pub const K_OPEN: S = S("open", "열기");
pub const K_NEXT: S = S("next", "다음");
pub const K_BACK: S = S("back", "이전");
pub const K_SCROLL: S = S("scroll", "스크롤");
pub const K_LESSONS: S = S("lessons", "목록");
pub const K_RESET: S = S("reset", "처음부터");
pub const K_HELP: S = S("help", "도움말");
pub const K_QUIT: S = S("quit", "종료");
pub const K_CLOSE: S = S("close", "닫기");
pub const K_SHELLS: S = S("shells", "셸");
pub const K_CALLS: S = S("whole step", "단계 전부");
pub const K_STEP_VIEW: S = S("back to the step", "단계 화면");
pub const K_CLOSE_SHELLS: S = S("close shells", "셸 닫기");
pub const K_TO_SHELL: S = S("type in a shell", "셸에 입력");
pub const K_NEXT_PANE: S = S("next pane", "다음 창");
pub const K_PREV_PANE: S = S("back", "이전 창");
pub const SHELL_KEYS_NOTE: S = S(
    "all keys go to the shell · F2 tab · ⇧PgUp scroll back",
    "모든 키는 셸로 · 탭 입력은 F2 · ⇧PgUp 지난 출력",
);

// The shell panes.
pub const BOX_SHELL: S = S("box shell", "박스 셸");
pub const HOST_SHELL: S = S("host shell", "호스트 셸");
pub const TYPING_HERE: S = S("(typing here: Tab leaves)", "(입력 중: Tab으로 나가기)");
/// A shell's title while its view is `lines` lines up in the scroll-back.
pub fn scrolled_back(lang: Lang, lines: usize) -> String {
    match lang {
        Lang::En => format!("({lines} lines up: ⇧PgDn)"),
        Lang::Ko => format!("({lines}줄 위: ⇧PgDn)"),
    }
}
pub const SHELL_ENDED: S = S("(exited: Enter restarts)", "(종료됨: Enter로 다시 시작)");
pub const NO_BOX_YET: S = S(
    "No box is running yet. The box shell starts as soon as a step starts the box (→).",
    "아직 박스가 없습니다. 단계를 진행해(→) 박스가 생기면 박스 셸이 바로 시작됩니다.",
);
pub const SHELL_FAILED: S = S("could not start the shell", "셸을 시작하지 못했습니다");

pub const HELP_TITLE: S = S("Keys", "키");
pub const RUNNING: S = S("running the step…", "단계 실행 중…");
pub const REVIEWING: S = S("earlier step · ", "앞 단계 다시 보기 · ");
pub const MORE_BELOW: S = S("▼ more: ↓", "▼ 더 있음: ↓");
pub const MORE_ABOVE: S = S("▲ more: ↑", "▲ 더 있음: ↑");
pub const MORE_BOTH: S = S("▲▼ more: ↑↓", "▲▼ 더 있음: ↑↓");
pub const ANY_KEY_CLOSES: S = S("any key closes this", "아무 키나 누르면 닫힙니다");
pub const LEGEND: &[(&str, S)] = &[
    (
        "✓ ✗",
        S(
            "a check passed / failed (real kernel state)",
            "확인 통과 / 실패 (실제 커널 상태)",
        ),
    ),
    (
        "–",
        S(
            "a check not run here (a program is missing)",
            "여기서 실행하지 않은 확인 (프로그램이 없음)",
        ),
    ),
    (
        "▸",
        S("changed since the previous step", "앞 단계와 달라진 값"),
    ),
];
pub const HELP: &[(&str, S)] = &[
    (
        "→ n Space Enter",
        S(
            "next step (runs it: real syscalls)",
            "다음 단계 (실제 시스템 콜 실행)",
        ),
    ),
    (
        "← p Backspace",
        S("back: re-read an earlier step", "이전: 앞 단계 다시 보기"),
    ),
    (
        "↑ ↓ PgUp PgDn",
        S(
            "scroll the explanation or the c view",
            "설명이나 c 화면 스크롤",
        ),
    ),
    (
        "Home End",
        S("scroll to the top / the end", "맨 위로 / 맨 끝으로"),
    ),
    (
        "c",
        S(
            "the step's calls, checks and panes, full screen",
            "단계의 시스템 콜, 확인, 양쪽 창을 화면 가득",
        ),
    ),
    (
        "Esc",
        S("lesson list (ends the box)", "수업 목록 (박스 종료)"),
    ),
    (
        "r",
        S(
            "reset: end the box, start the lesson clean",
            "처음부터: 박스를 끝내고 새로 시작",
        ),
    ),
    (
        "s",
        S(
            "shells: one in the box, one on the host",
            "셸 열기/닫기: 박스 안에 하나, 호스트에 하나",
        ),
    ),
    (
        "Tab ⇧Tab",
        S(
            "lesson → box shell → host shell (a tab: F2)",
            "수업 → 박스 셸 → 호스트 셸 (탭 입력은 F2)",
        ),
    ),
    (
        "⇧PgUp ⇧PgDn",
        S(
            "in a shell: scroll back / forward",
            "셸에서: 지난 출력 보기 / 돌아오기",
        ),
    ),
    ("L", S("switch English / 한국어", "English / 한국어 전환")),
    ("?", S("this help", "이 도움말")),
    (
        "q Ctrl-C",
        S(
            "quit (removes everything boxlab made)",
            "종료 (boxlab이 만든 것을 모두 정리)",
        ),
    ),
];

/// The first line of a box shell started after the box changed: `pid` went from one process
/// to another (reset, a fork into a new PID namespace), the box entered the namespaces named in
/// `namespaces`, or it has a new root.
pub fn box_changed(
    lang: Lang,
    pid: Option<(i32, i32)>,
    namespaces: &[&str],
    root: bool,
    uid: Option<(u32, u32)>,
    cgroup: bool,
    walls: bool,
) -> String {
    let mut what = Vec::new();
    if let Some((old, new)) = uid {
        what.push(match lang {
            Lang::En => format!("uid {old} → {new} as the host sees it"),
            Lang::Ko => format!("호스트가 보는 uid {old} → {new}"),
        });
    }
    if let Some((old, new)) = pid {
        what.push(format!("pid {old} → {new}"));
    }
    if !namespaces.is_empty() {
        let names = namespaces.join(", ");
        what.push(match (lang, namespaces.len()) {
            (Lang::En, 1) => format!("new {names} namespace"),
            (Lang::En, _) => format!("new {names} namespaces"),
            (Lang::Ko, _) => format!("새 {names} 네임스페이스"),
        });
    }
    if root {
        what.push(match lang {
            Lang::En => "new root".into(),
            Lang::Ko => "새 루트".into(),
        });
    }
    if cgroup {
        what.push(match lang {
            Lang::En => "new cgroup".into(),
            Lang::Ko => "새 cgroup".into(),
        });
    }
    if walls {
        what.push(match lang {
            Lang::En => "new walls: capabilities, no_new_privs, seccomp".into(),
            Lang::Ko => "새 벽: capability, no_new_privs, seccomp".into(),
        });
    }
    let what = what.join("; ");
    match lang {
        Lang::En => format!("The box changed ({what}): a new shell joined it."),
        Lang::Ko => format!("박스가 바뀌었습니다({what}). 새 셸이 바뀐 박스에 들어갔습니다."),
    }
}

// The live resource display (memory, CPU, pids and I/O of the host and the box).
pub const R_MEMORY: S = S("memory", "메모리");
pub const R_CPU: S = S("CPU", "CPU");
pub const R_PIDS: S = S("pids", "pids");
pub const R_IO: S = S("I/O", "I/O");
pub const R_DISK: S = S("disk", "디스크");
pub const R_NO_LIMIT: S = S("no limit", "제한 없음");
pub const R_NO_QUOTA: S = S("no quota", "할당량 없음");
pub const R_QUOTA: S = S("quota", "할당량");
pub const R_PEAK: S = S("peak", "최고");
pub const R_AVAILABLE: S = S("available", "사용 가능");
pub const R_READ: S = S("r", "읽기");
pub const R_WRITE: S = S("w", "쓰기");
pub const R_IN_ALL: S = S("in all", "누적");
pub const R_NO_CGROUP: S = S(
    "(no cgroup of its own yet)",
    "(아직 자기 cgroup이 없습니다)",
);
pub const R_NO_CONTROLLER: S = S(
    "(no controller on this host)",
    "(이 호스트에는 컨트롤러 없음)",
);
pub const R_MEASURING: S = S("(measuring…)", "(측정 중…)");
pub const R_OOM_KILLS: S = S("OOM kills", "OOM 종료");
pub const R_LIMIT_HIT: S = S("limit hit", "제한 도달");
pub const R_REFUSED: S = S("forks refused", "fork 거부");
pub const R_THROTTLED: S = S("throttled", "스로틀");

/// `what` happened `n` times: "OOM kills 1", "OOM 종료 1회".
pub fn r_count(lang: Lang, what: &S, n: u64) -> String {
    match lang {
        Lang::En => format!("{} {n}", what.get(lang)),
        Lang::Ko => format!("{} {n}회", what.get(lang)),
    }
}

/// The host's process count.
pub fn r_processes(lang: Lang, n: u64) -> String {
    match lang {
        Lang::En => format!("{n} processes"),
        Lang::Ko => format!("{n}개"),
    }
}

/// A number of CPUs: "4 CPUs", "CPU 4개".
pub fn r_cpus(lang: Lang, n: u64) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 CPU".into(),
        (Lang::En, n) => format!("{n} CPUs"),
        (Lang::Ko, n) => format!("CPU {n}개"),
    }
}

/// What the top of a CPU graph is: one CPU for the box (its quota is counted in CPUs), all
/// of its CPUs for the host.
pub fn r_cpu_scale(lang: Lang, all_of: Option<u64>) -> String {
    match (lang, all_of) {
        (Lang::En, None) => "100% = one CPU".into(),
        (Lang::En, Some(n)) => format!("100% = all {n} CPUs"),
        (Lang::Ko, None) => "100% = CPU 1개".into(),
        (Lang::Ko, Some(n)) => format!("100% = CPU {n}개 전체"),
    }
}

/// A rate and the limit it runs into: "w 1.9M/s (limit 2.0M/s)".
pub fn r_write_rate(lang: Lang, rate: &str, limit: Option<&str>) -> String {
    let w = R_WRITE.get(lang);
    match (lang, limit) {
        (_, None) => format!("{w} {rate}"),
        (Lang::En, Some(l)) => format!("{w} {rate} (limit {l})"),
        (Lang::Ko, Some(l)) => format!("{w} {rate} (제한 {l})"),
    }
}

/// A write limit of `rate` (already "2.0M/s").
pub fn r_write_limit(lang: Lang, rate: &str) -> String {
    match lang {
        Lang::En => format!("limit w {rate}"),
        Lang::Ko => format!("쓰기 제한 {rate}"),
    }
}

/// The device a write limit is set on (`maj:min`).
pub fn r_on_device(lang: Lang, dev: &str) -> String {
    match lang {
        Lang::En => format!("limit on {dev}"),
        Lang::Ko => format!("제한 장치 {dev}"),
    }
}

/// What the graph spans: the last minute.
pub const R_LAST_MINUTE: S = S("last 60 s", "최근 60초");
