//! errno values in plain words, in English and Korean, for the syscall pane and error messages.
//! The causes are the ones errno(3) and each call's man page give, said for a learner.

use nix::errno::Errno;

use crate::lang::Lang;

/// (English, Korean) explanation of an errno.
pub fn explain(errno: Errno) -> (&'static str, &'static str) {
    match errno {
        Errno::EPERM => (
            "not permitted: the process lacks the capability this call needs, or a seccomp filter refused it",
            "권한 없음: 이 호출에 필요한 capability가 프로세스에 없거나, seccomp 필터가 거부했습니다",
        ),
        Errno::EACCES => (
            "permission denied by file permissions or a security module",
            "파일 권한이나 보안 모듈이 접근을 막았습니다",
        ),
        Errno::EINVAL => (
            "invalid argument: the kernel rejected this combination of flags or paths",
            "잘못된 인자: 커널이 이 플래그나 경로 조합을 받아들이지 않았습니다",
        ),
        Errno::ENOENT => (
            "no such file or directory",
            "그런 파일이나 디렉터리가 없습니다",
        ),
        Errno::ENOTDIR => (
            "a path component is not a directory",
            "경로 중간에 디렉터리가 아닌 것이 있습니다",
        ),
        Errno::EBUSY => (
            "the target is busy (still mounted or in use)",
            "대상이 사용 중입니다(아직 마운트되어 있거나 쓰이는 중)",
        ),
        Errno::EEXIST => ("it already exists", "이미 존재합니다"),
        Errno::EAGAIN => (
            "try again: a limit was reached (for fork: too many processes)",
            "다시 시도: 한도에 걸렸습니다(fork라면 프로세스 수 제한)",
        ),
        Errno::ENOMEM => (
            "out of memory, or a limit on kernel objects was hit",
            "메모리가 부족하거나 커널 객체 수 제한에 걸렸습니다",
        ),
        Errno::ENOSPC => (
            "a limit on the number of namespaces or other objects was reached",
            "네임스페이스 같은 커널 객체의 개수 제한에 걸렸습니다",
        ),
        Errno::EUSERS => (
            "too many nested user namespaces",
            "사용자 네임스페이스가 너무 깊게 중첩되었습니다",
        ),
        Errno::ENOSYS => (
            "this kernel does not implement the call",
            "이 커널에는 해당 시스템 콜이 없습니다",
        ),
        Errno::ECHILD => (
            "there is no child process to wait for",
            "기다릴 자식 프로세스가 없습니다",
        ),
        Errno::ESRCH => ("no such process", "그런 프로세스가 없습니다"),
        Errno::EROFS => (
            "the file system is read-only",
            "읽기 전용 파일 시스템입니다",
        ),
        Errno::EINTR => ("interrupted by a signal", "시그널 때문에 중단되었습니다"),
        Errno::ENODEV => (
            "no such network interface (in this network namespace)",
            "(이 네트워크 네임스페이스에) 그런 네트워크 인터페이스가 없습니다",
        ),
        Errno::ENETUNREACH => (
            "no route to that network from here",
            "여기서 그 네트워크로 가는 경로가 없습니다",
        ),
        Errno::ETIMEDOUT => ("no answer came in time", "제시간에 응답이 오지 않았습니다"),
        Errno::ERANGE => (
            "a value is out of range (an interface name is at most 15 bytes)",
            "값이 범위를 벗어났습니다(인터페이스 이름은 최대 15바이트)",
        ),
        Errno::EADDRINUSE => (
            "the address or port is already in use",
            "주소나 포트를 이미 누가 쓰고 있습니다",
        ),
        _ => (
            "see the call's man page, section ERRORS",
            "해당 시스템 콜 man 페이지의 ERRORS 절을 보세요",
        ),
    }
}

/// `EPERM: not permitted: ...` in the learner's language, by the name a
/// [`super::SyscallRecord`] stores: the line the screens show under a failed call.
pub fn explained(name: &str, lang: Lang) -> String {
    let errno = (1..134)
        .map(Errno::from_raw)
        .find(|e| format!("{e:?}") == name)
        .unwrap_or(Errno::UnknownErrno);
    let (en, ko) = explain(errno);
    format!("{name}: {}", if lang == Lang::Ko { ko } else { en })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let en = format!("EPERM: {}", explain(Errno::EPERM).0);
        assert_eq!(explained("EPERM", Lang::En), en);
        let ko = format!("NOPE: {}", explain(Errno::UnknownErrno).1);
        assert_eq!(explained("NOPE", Lang::Ko), ko);
    }
}
