//! The images lesson's checks: what the host finds in the layers on disk, and what the boxes
//! reported through their merged views. [`super::checks::Check`] holds the vocabulary; the
//! descriptions and verdicts live here.

use super::checks::{Check, Evidence};
use super::layers::{Image, fingerprint};
use crate::kernel::files::{FileStat, peek};
use crate::lang::{Detail, detail};

/// What a layers check confirms, in English and Korean.
pub fn describe(check: &Check) -> (String, String) {
    match check {
        Check::BoxSees { path } => (
            format!("the box sees {path} in its merged view"),
            format!("박스의 합쳐진 뷰에 {path}가 보인다"),
        ),
        Check::BoxRootIsOverlay => (
            "the box's / is the overlay; the host has no such mount".into(),
            "박스의 / 는 overlay이고, 호스트에는 그런 마운트가 없다".into(),
        ),
        Check::InUpper { path } => (
            format!("{path} landed in the box's upper layer only"),
            format!("{path}는 박스의 upper 레이어에만 생겼다"),
        ),
        Check::CopiedUp { path } => (
            format!("{path} was copied up; the base layer's copy is unchanged"),
            format!("{path}가 copy-up되었고, base 레이어의 원본은 그대로다"),
        ),
        Check::Whiteout { path } => (
            format!("deleting {path} left a whiteout (char device 0:0)"),
            format!("{path} 삭제는 화이트아웃(문자 장치 0:0)을 남겼다"),
        ),
        Check::LayersUntouched => (
            "the image's layers are exactly as they were".into(),
            "이미지의 레이어는 처음 그대로다".into(),
        ),
        Check::SharedInode { path } => (
            format!("both boxes read {path} from the same lower inode"),
            format!("두 박스가 {path}를 같은 하위 레이어 inode에서 읽는다"),
        ),
        Check::OwnUpper { path } => (
            format!("each box has its own {path} in its own upper layer"),
            format!("두 박스의 upper 레이어에 각자의 {path}가 있다"),
        ),
        Check::VolumeHolds { file, text } => (
            format!("the host reads {file} in the volume: \"{}\"", text.trim()),
            format!("호스트가 볼륨의 {file} 파일을 읽는다: \"{}\"", text.trim()),
        ),
        _ => (String::new(), String::new()),
    }
}

/// Whether a layers check passes, and the values it compared.
pub fn judge(check: &Check, ev: &Evidence) -> (bool, Detail) {
    let facts = &ev.facts.layers;
    let Some(image) = &facts.image else {
        return (
            false,
            detail!("no image was made", "만들어진 이미지가 없다"),
        );
    };
    let upper = |n: u8, path: &str| peek(&Image::inside(&image.upper(n), path));
    // The topmost lower layer holding `path`, and what is there.
    let lower = |path: &str| {
        image
            .lowers()
            .into_iter()
            .find_map(|l| Some((l, peek(&Image::inside(l, path))?)))
    };
    match check {
        Check::BoxSees { path } => match facts.seen.iter().find(|(p, _)| p == path) {
            Some((_, Some(st))) => (true, detail!("box: {path} {}", "박스: {path} {}", kind(st))),
            Some((_, None)) => (false, detail!("box: no {path}", "박스: {path} 없음")),
            None => (
                false,
                detail!("the box has not looked", "박스가 아직 확인하지 않았다"),
            ),
        },
        Check::BoxRootIsOverlay => {
            let Some(boxed) = ev.boxed else {
                return (false, detail!("no box is running", "실행 중인 박스가 없다"));
            };
            let top = |v: &crate::probe::View, at: &str| {
                v.mounts
                    .as_ref()
                    .ok()
                    .and_then(|ms| ms.iter().rev().find(|m| m.mount_point == at).cloned())
            };
            let merged = image.box_dir(1).join("merged");
            let root = top(boxed, "/").map(|m| m.fs_type);
            let on_host = top(ev.host, &merged.to_string_lossy()).is_some();
            let (host_en, host_ko) = if on_host {
                (
                    "the merged directory is a mount",
                    "merged 디렉터리에 마운트 있음",
                )
            } else {
                (
                    "no mount at the merged directory",
                    "merged 디렉터리에 마운트 없음",
                )
            };
            (
                root.as_deref() == Some("overlay") && !on_host,
                detail!(
                    "box: / {}, host: {host_en}",
                    "박스: / {}, 호스트: {host_ko}",
                    root.as_deref().unwrap_or("?")
                ),
            )
        }
        Check::InUpper { path } => {
            let up = upper(1, path);
            let low = lower(path);
            let (up_en, up_ko) = kind_or_nothing(up.as_ref());
            let (low_en, low_ko) = if low.is_none() {
                ("nothing", "없음")
            } else {
                ("have it", "있음")
            };
            (
                up.is_some_and(|s| s.kind == '-') && low.is_none(),
                detail!(
                    "upper: {up_en}, lower layers: {low_en}",
                    "upper 레이어: {up_ko}, 하위 레이어: {low_ko}"
                ),
            )
        }
        Check::CopiedUp { path } => {
            let up = Image::inside(&image.upper(1), path);
            let base = Image::inside(&image.base, path);
            let (u, b) = (std::fs::read(&up), std::fs::read(&base));
            match (u, b) {
                (Ok(u), Ok(b)) => (
                    u != b && peek(&up).is_some_and(|s| s.kind == '-'),
                    detail!(
                        "upper: {}B, base: {}B",
                        "upper 레이어: {}B, base 레이어: {}B",
                        u.len(),
                        b.len()
                    ),
                ),
                (Err(_), _) => (
                    false,
                    detail!(
                        "the upper layer has no {path}",
                        "upper 레이어에 {path} 파일이 없다"
                    ),
                ),
                (_, Err(_)) => (
                    false,
                    detail!(
                        "the base layer has no {path}",
                        "base 레이어에 {path} 파일이 없다"
                    ),
                ),
            }
        }
        Check::Whiteout { path } => {
            let up = upper(1, path);
            let low = lower(path);
            let hidden = facts.seen.iter().any(|(p, st)| p == path && st.is_none());
            let (up_en, up_ko) = kind_or_nothing(up.as_ref());
            let (low_en, low_ko) = kind_or_nothing(low.as_ref().map(|(_, s)| s));
            let (box_en, box_ko) = if hidden {
                ("gone", "없음")
            } else {
                ("still sees it", "아직 보임")
            };
            (
                up.is_some_and(|s| s.is_whiteout()) && low.is_some() && hidden,
                detail!(
                    "upper: {up_en}, lower: {low_en}, box: {box_en}",
                    "upper 레이어: {up_ko}, 하위 레이어: {low_ko}, 박스: {box_ko}"
                ),
            )
        }
        Check::LayersUntouched => match facts.fingerprint {
            Some((before, n)) => {
                let (now, m) = fingerprint(image);
                let (same_en, same_ko) = if before == now {
                    ("same", "그대로")
                } else {
                    ("changed", "바뀜")
                };
                (
                    before == now && n == m,
                    detail!(
                        "{m} entries, fingerprint {:08x} ({same_en})",
                        "항목 {m}개, 지문 {:08x} ({same_ko})",
                        now as u32
                    ),
                )
            }
            None => (
                false,
                detail!("no fingerprint was taken", "기록해 둔 지문이 없다"),
            ),
        },
        Check::SharedInode { path } => {
            let by = |n: u8| {
                facts
                    .stats
                    .iter()
                    .rev()
                    .find(|(b, p, _)| *b == n && p == path)
                    .map(|(_, _, s)| *s)
            };
            let (Some(one), Some(two)) = (by(1), by(2)) else {
                return (
                    false,
                    detail!(
                        "both boxes must stat the file first",
                        "먼저 두 박스가 모두 파일을 stat해야 한다"
                    ),
                );
            };
            let Some((_, low)) = lower(path) else {
                return (
                    false,
                    detail!(
                        "no lower layer has {path}",
                        "{path} 파일이 있는 하위 레이어가 없다"
                    ),
                );
            };
            let copied = upper(1, path).is_some() || upper(2, path).is_some();
            (
                one.ino == two.ino && one.ino == low.ino && !copied,
                detail!(
                    "box 1 ino {} (dev {}:{}), box 2 ino {} (dev {}:{}), lower file ino {} (dev {}:{})",
                    "박스 1 ino {} (dev {}:{}), 박스 2 ino {} (dev {}:{}), 하위 레이어 파일 ino {} (dev {}:{})",
                    one.ino,
                    one.dev.0,
                    one.dev.1,
                    two.ino,
                    two.dev.0,
                    two.dev.1,
                    low.ino,
                    low.dev.0,
                    low.dev.1
                ),
            )
        }
        Check::OwnUpper { path } => {
            let read = |n: u8| std::fs::read(Image::inside(&image.upper(n), path)).ok();
            match (read(1), read(2)) {
                (Some(a), Some(b)) => (
                    a != b,
                    detail!(
                        "box 1: {:?}, box 2: {:?}",
                        "박스 1: {:?}, 박스 2: {:?}",
                        String::from_utf8_lossy(&a).trim(),
                        String::from_utf8_lossy(&b).trim()
                    ),
                ),
                (a, b) => {
                    let has = |there: bool| {
                        if there {
                            ("has it", "있음")
                        } else {
                            ("lacks it", "없음")
                        }
                    };
                    let ((a_en, a_ko), (b_en, b_ko)) = (has(a.is_some()), has(b.is_some()));
                    (
                        false,
                        detail!(
                            "box 1 upper {a_en}, box 2 upper {b_en}",
                            "박스 1 upper 레이어: {a_ko}, 박스 2 upper 레이어: {b_ko}"
                        ),
                    )
                }
            }
        }
        Check::VolumeHolds { file, text } => {
            let path = match image.volume_file(file) {
                Ok(p) => p,
                // The lesson file named no plain file: a message for its author, in English.
                Err(e) => return (false, Detail::same(e)),
            };
            let read = std::fs::read_to_string(&path);
            // Wherever in the box the volume is, the upper layer holds no file of this name.
            let in_upper = super::layers::leaves(&image.upper(1))
                .iter()
                .any(|(rel, _)| rel.rsplit('/').next() == Some(file.as_str()));
            match read {
                Ok(got) => {
                    let (copy_en, copy_ko) = if in_upper {
                        ("has a copy", "사본 있음")
                    } else {
                        ("no copy", "사본 없음")
                    };
                    (
                        got.contains(text.as_str()) && !in_upper,
                        detail!(
                            "{}: {:?}; box upper layer: {copy_en}",
                            "{}: {:?}; 박스 upper 레이어: {copy_ko}",
                            path.display(),
                            got.trim()
                        ),
                    )
                }
                Err(e) => (false, Detail::same(format!("{}: {e}", path.display()))),
            }
        }
        _ => (false, Detail::same("")),
    }
}

/// What `kind` shows for a file, or that there is none, in English and Korean.
fn kind_or_nothing(st: Option<&FileStat>) -> (String, String) {
    match st {
        Some(st) => (kind(st), kind(st)),
        None => ("nothing".into(), "없음".into()),
    }
}

/// `25B` for a file (its size says what it is), `c 0,0` for a character device (a whiteout),
/// `d` for a directory: `ls -l`'s type letter, but for the plain file's `-`, which reads as
/// "nothing" beside a path.
pub fn kind(st: &FileStat) -> String {
    match st.kind {
        'c' => format!("c {},{}", st.rdev.0, st.rdev.1),
        '-' => format!("{}B", st.size),
        k => k.to_string(),
    }
}
