//! The images lesson's checks: what the host finds in the layers on disk, and what the boxes
//! reported through their merged views. [`super::checks::Check`] holds the vocabulary; the
//! descriptions and verdicts live here.

use super::checks::{Check, Evidence};
use super::layers::{Image, fingerprint};
use crate::kernel::files::{FileStat, peek};

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
            format!("두 박스가 각자의 upper 레이어에 자기 {path}를 가졌다"),
        ),
        Check::VolumeHolds { file, text } => (
            format!("the host reads {file} in the volume: \"{}\"", text.trim()),
            format!("호스트가 볼륨의 {file} 파일을 읽는다: \"{}\"", text.trim()),
        ),
        _ => (String::new(), String::new()),
    }
}

/// Whether a layers check passes, and the values it compared.
pub fn judge(check: &Check, ev: &Evidence) -> (bool, String) {
    let facts = &ev.facts.layers;
    let Some(image) = &facts.image else {
        return (false, "no image was made".into());
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
            Some((_, Some(st))) => (true, format!("box: {path} {}", kind(st))),
            Some((_, None)) => (false, format!("box: no {path}")),
            None => (false, "the box has not looked".into()),
        },
        Check::BoxRootIsOverlay => {
            let Some(boxed) = ev.boxed else {
                return (false, "no box is running".into());
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
            (
                root.as_deref() == Some("overlay") && !on_host,
                format!(
                    "box: / {}, host: {}",
                    root.unwrap_or_else(|| "?".into()),
                    if on_host {
                        "the merged directory is a mount"
                    } else {
                        "no mount at the merged directory"
                    }
                ),
            )
        }
        Check::InUpper { path } => {
            let up = upper(1, path);
            let low = lower(path);
            (
                up.is_some_and(|s| s.kind == '-') && low.is_none(),
                format!(
                    "upper: {}, lower layers: {}",
                    up.as_ref().map_or("nothing".into(), kind),
                    if low.is_none() { "nothing" } else { "have it" }
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
                    format!("upper {} bytes, base {} bytes", u.len(), b.len()),
                ),
                (Err(_), _) => (false, format!("the upper layer has no {path}")),
                (_, Err(_)) => (false, format!("the base layer has no {path}")),
            }
        }
        Check::Whiteout { path } => {
            let up = upper(1, path);
            let low = lower(path);
            let hidden = facts.seen.iter().any(|(p, st)| p == path && st.is_none());
            (
                up.is_some_and(|s| s.is_whiteout()) && low.is_some() && hidden,
                format!(
                    "upper: {}, lower: {}, box: {}",
                    up.as_ref().map_or("nothing".into(), kind),
                    low.as_ref().map_or("nothing".into(), |(_, s)| kind(s)),
                    if hidden { "gone" } else { "still sees it" }
                ),
            )
        }
        Check::LayersUntouched => match facts.fingerprint {
            Some((before, n)) => {
                let (now, m) = fingerprint(image);
                (
                    before == now && n == m,
                    format!(
                        "{m} entries, fingerprint {:08x} ({})",
                        now as u32,
                        if before == now { "same" } else { "changed" }
                    ),
                )
            }
            None => (false, "no fingerprint was taken".into()),
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
                return (false, "both boxes must stat the file first".into());
            };
            let Some((_, low)) = lower(path) else {
                return (false, format!("no lower layer has {path}"));
            };
            let copied = upper(1, path).is_some() || upper(2, path).is_some();
            (
                one.ino == two.ino && one.ino == low.ino && !copied,
                format!(
                    "box 1 ino {} (dev {}:{}), box 2 ino {} (dev {}:{}), lower file ino {} (dev {}:{})",
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
                    format!(
                        "box 1: {:?}, box 2: {:?}",
                        String::from_utf8_lossy(&a).trim(),
                        String::from_utf8_lossy(&b).trim()
                    ),
                ),
                (a, b) => (
                    false,
                    format!(
                        "box 1 upper {}, box 2 upper {}",
                        if a.is_some() { "has it" } else { "lacks it" },
                        if b.is_some() { "has it" } else { "lacks it" }
                    ),
                ),
            }
        }
        Check::VolumeHolds { file, text } => {
            let path = match image.volume_file(file) {
                Ok(p) => p,
                Err(e) => return (false, e),
            };
            let read = std::fs::read_to_string(&path);
            // Wherever in the box the volume is, the upper layer holds no file of this name.
            let in_upper = super::layers::leaves(&image.upper(1))
                .iter()
                .any(|(rel, _)| rel.rsplit('/').next() == Some(file.as_str()));
            match read {
                Ok(got) => (
                    got.contains(text.as_str()) && !in_upper,
                    format!(
                        "{}: {:?}; box upper layer: {}",
                        path.display(),
                        got.trim(),
                        if in_upper { "has a copy" } else { "no copy" }
                    ),
                ),
                Err(e) => (false, format!("{}: {e}", path.display())),
            }
        }
        _ => (false, String::new()),
    }
}

/// `-` 25B, `c 0,0`, `d`: how `ls -l` would begin the line.
pub fn kind(st: &FileStat) -> String {
    match st.kind {
        'c' => format!("c {},{}", st.rdev.0, st.rdev.1),
        '-' => format!("- {}B", st.size),
        k => k.to_string(),
    }
}
