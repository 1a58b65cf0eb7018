//! The words of the screen itself (lesson text lives in the lesson files).

use crate::lesson::Lang;

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
pub const PAIRS_WITH: S = S("Study notes", "함께 읽을 노트");
pub const HOST: S = S("host", "호스트");
pub const BOX: S = S("box", "박스");
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

pub const HELP_TITLE: S = S("Keys", "키");
pub const REVIEWING: S = S("earlier step · ", "앞 단계 다시 보기 · ");
pub const MORE_BELOW: S = S("▼ more: ↓", "▼ 더 있음: ↓");
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
    ("↑ ↓ PgUp PgDn", S("scroll the explanation", "설명 스크롤")),
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
