//! `boxlab doctor`: what this machine offers for the lessons, each finding with its fix; and
//! which lessons cannot run here and why.

use std::fmt::Write;
use std::path::Path;

use crate::kernel::namespaces::Namespace;
use crate::lang::Lang;
use crate::lesson::types::{Lesson, Text};

fn text(en: impl Into<String>, ko: impl Into<String>) -> Text {
    Text {
        en: en.into(),
        ko: ko.into(),
    }
}

/// Why a lesson cannot run on this machine now, with the fix; None when it can.
pub fn unavailable(lesson: &Lesson) -> Option<Text> {
    if lesson.requires.root && !nix::unistd::geteuid().is_root() {
        return Some(text(
            "needs root: run boxlab with sudo",
            "root 권한이 필요합니다: sudo로 boxlab을 실행하세요",
        ));
    }
    let root = nix::unistd::geteuid().is_root();
    if !root
        && lesson.requires.namespaces.contains(&Namespace::User)
        && let Some((why, fix)) = userns_restriction()
    {
        return Some(text(
            format!("this system blocks user namespaces for non-root users ({why}): {fix}"),
            format!(
                "이 시스템은 root가 아닌 사용자의 사용자 네임스페이스를 막고 있습니다 ({why}): {fix}"
            ),
        ));
    }
    let missing: Vec<&str> = lesson
        .requires
        .namespaces
        .iter()
        .filter(|ns| !namespace_supported(**ns))
        .map(|ns| ns.proc_name())
        .collect();
    let controllers = crate::kernel::cgroups::missing(
        &crate::kernel::cgroups::Layout::detect(),
        &lesson.requires.controllers,
    );
    if !controllers.is_empty() {
        let list: Vec<&str> = controllers.iter().map(|c| c.v2_name()).collect();
        let list = list.join(", ");
        return Some(text(
            format!(
                "this host has no {list} cgroup controller: on cgroup v2, enable it with `echo +{} > /sys/fs/cgroup/cgroup.subtree_control`; on v1, mount its hierarchy",
                list.replace(", ", " +")
            ),
            format!(
                "이 호스트에는 {list} cgroup 컨트롤러가 없습니다: cgroup v2라면 `echo +{} > /sys/fs/cgroup/cgroup.subtree_control`로 켜고, v1이라면 그 계층을 마운트하세요",
                list.replace(", ", " +")
            ),
        ));
    }
    if !missing.is_empty() {
        let list = missing.join(", ");
        return Some(text(
            format!(
                "this kernel lacks the {list} namespace: use a kernel built with it (CONFIG_*_NS)"
            ),
            format!(
                "이 커널에는 {list} 네임스페이스가 없습니다: 해당 기능(CONFIG_*_NS)을 켠 커널을 쓰세요"
            ),
        ));
    }
    None
}

pub fn namespace_supported(ns: Namespace) -> bool {
    Path::new("/proc/self/ns").join(ns.proc_name()).exists()
}

/// Why a non-root user cannot make a user namespace here, and the fix; None when they can.
/// Debian's and Ubuntu's switches, and Ubuntu 23.10+'s AppArmor rule: with it, an unconfined
/// process still gets a user namespace, but one without capabilities, so the lesson fails.
pub fn userns_restriction() -> Option<(&'static str, &'static str)> {
    let read_num = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    if read_num("/proc/sys/user/max_user_namespaces") == Some(0) {
        Some((
            "user.max_user_namespaces = 0",
            "sysctl -w user.max_user_namespaces=15000",
        ))
    } else if read_num("/proc/sys/kernel/unprivileged_userns_clone") == Some(0) {
        Some((
            "kernel.unprivileged_userns_clone = 0",
            "sysctl -w kernel.unprivileged_userns_clone=1",
        ))
    } else if read_num("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == Some(1) {
        Some((
            "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+)",
            "run as root, or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
        ))
    } else {
        None
    }
}

/// The cgroup layout under /sys/fs/cgroup, told apart by file system type (statfs(2)).
#[derive(Debug, PartialEq, Eq)]
pub enum CgroupLayout {
    /// cgroup2 mounted at /sys/fs/cgroup: one unified hierarchy.
    V2,
    /// v1 controllers on a tmpfs with cgroup2 mounted beside them at /sys/fs/cgroup/unified.
    Hybrid,
    V1,
    Missing,
}

pub fn cgroup_layout() -> CgroupLayout {
    use nix::sys::statfs::{CGROUP2_SUPER_MAGIC, statfs};
    let is_cgroup2 = |p: &str| statfs(p).is_ok_and(|s| s.filesystem_type() == CGROUP2_SUPER_MAGIC);
    if is_cgroup2("/sys/fs/cgroup") {
        CgroupLayout::V2
    } else if is_cgroup2("/sys/fs/cgroup/unified") {
        CgroupLayout::Hybrid
    } else if Path::new("/sys/fs/cgroup/memory").exists()
        || Path::new("/sys/fs/cgroup/pids").exists()
    {
        CgroupLayout::V1
    } else {
        CgroupLayout::Missing
    }
}

/// Where boxlab runs, if inside something (Docker, Podman, Kubernetes, LXC or WSL), and what
/// says so: the marker file or the line read, for the learner to judge. A /.dockerenv counts
/// only on an overlayfs root, Docker's own: a VM built from a Docker image keeps the file on
/// a disk of its own.
pub fn container_environment() -> Option<(&'static str, &'static str)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let version = read("/proc/version").to_lowercase();
    let cgroup = read("/proc/1/cgroup");
    if version.contains("microsoft") || version.contains("wsl") {
        Some(("WSL", "/proc/version"))
    } else if Path::new("/.dockerenv").exists() && crate::probe::is_overlayfs(Path::new("/")) {
        Some(("Docker", "/.dockerenv"))
    } else if cgroup.contains("/docker") {
        Some(("Docker", "/proc/1/cgroup"))
    } else if Path::new("/run/.containerenv").exists() {
        Some(("Podman", "/run/.containerenv"))
    } else if cgroup.contains("kubepods") {
        Some(("Kubernetes", "/proc/1/cgroup"))
    } else if cgroup.contains("/lxc") {
        Some(("LXC", "/proc/1/cgroup"))
    } else {
        None
    }
}

/// The whole report, one finding per line: `ok`, `warn` or `no`, then the fix when needed.
pub fn report(lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    let mut out = String::new();
    let mut line = |status: &str, what: String, fix: Option<String>| {
        let _ = writeln!(out, "{status:<4} {what}");
        if let Some(fix) = fix {
            let _ = writeln!(out, "     {} {fix}", if ko { "해결:" } else { "fix:" });
        }
    };
    let root = nix::unistd::geteuid().is_root();
    line(
        if root { "ok" } else { "no" },
        if ko {
            format!(
                "권한: {}",
                if root {
                    "root로 실행 중"
                } else {
                    "root가 아님"
                }
            )
        } else {
            format!(
                "privileges: {}",
                if root { "running as root" } else { "not root" }
            )
        },
        (!root).then(|| {
            if ko {
                "sudo boxlab 으로 실행하세요 (대부분의 수업이 root를 필요로 합니다)".into()
            } else {
                "run `sudo boxlab` (most lessons need root)".into()
            }
        }),
    );
    let layout = cgroup_layout();
    let (en, k) = match layout {
        CgroupLayout::V2 => ("cgroup v2 (unified)", "cgroup v2 (단일 계층)"),
        CgroupLayout::Hybrid => (
            "cgroup hybrid: v1 controllers, cgroup2 at /sys/fs/cgroup/unified",
            "cgroup 혼합: v1 컨트롤러 + /sys/fs/cgroup/unified 의 cgroup2",
        ),
        CgroupLayout::V1 => ("cgroup v1", "cgroup v1"),
        CgroupLayout::Missing => (
            "no cgroup file system at /sys/fs/cgroup",
            "/sys/fs/cgroup 에 cgroup 파일 시스템이 없습니다",
        ),
    };
    line(
        if layout == CgroupLayout::Missing {
            "no"
        } else {
            "ok"
        },
        format!(
            "{}: {}",
            if ko { "cgroup 구성" } else { "cgroup layout" },
            if ko { k } else { en }
        ),
        (layout == CgroupLayout::Missing).then(|| "mount -t cgroup2 none /sys/fs/cgroup".into()),
    );
    // Per controller: which version carries it here (a hybrid host may split them).
    let controllers = crate::kernel::cgroups::Layout::detect();
    for c in crate::kernel::cgroups::Controller::ALL {
        let name = if ko { "컨트롤러" } else { "controller" };
        match controllers.place(c) {
            Some(h) => line(
                "ok",
                format!(
                    "{name} {}: {} {}",
                    c.v2_name(),
                    if h.version == crate::kernel::cgroups::Version::V1 {
                        "v1"
                    } else {
                        "v2"
                    },
                    h.mount.display()
                ),
                None,
            ),
            None => line(
                "no",
                format!(
                    "{name} {}: {}",
                    c.v2_name(),
                    if ko { "없음" } else { "not available" }
                ),
                Some(format!(
                    "echo +{} > /sys/fs/cgroup/cgroup.subtree_control",
                    c.v2_name()
                )),
            ),
        }
    }
    for ns in Namespace::ALL {
        let ok = namespace_supported(ns);
        line(
            if ok { "ok" } else { "no" },
            format!(
                "{} {}: {}",
                if ko {
                    "네임스페이스"
                } else {
                    "namespace"
                },
                ns.proc_name(),
                if ok {
                    if ko { "지원" } else { "supported" }
                } else if ko {
                    "없음"
                } else {
                    "missing"
                }
            ),
            (!ok).then(|| {
                if ko {
                    "이 네임스페이스를 켠 더 새로운 커널을 쓰세요".into()
                } else {
                    "use a newer kernel built with this namespace".into()
                }
            }),
        );
    }
    let userns_blocked = userns_restriction();
    match userns_blocked {
        None => line(
            "ok",
            if ko {
                "root가 아닌 사용자의 사용자 네임스페이스: 허용".into()
            } else {
                "user namespaces for non-root users: allowed".into()
            },
            None,
        ),
        Some((why, fix)) => line(
            "warn",
            format!(
                "{}: {why}",
                if ko {
                    "root가 아닌 사용자의 사용자 네임스페이스가 막힘"
                } else {
                    "user namespaces blocked for non-root users"
                }
            ),
            Some(fix.into()),
        ),
    }
    let overlay = std::fs::read_to_string("/proc/filesystems")
        .is_ok_and(|f| f.lines().any(|l| l.trim_end().ends_with("overlay")));
    // The images lesson's upper directories go beside the root filesystem: on overlayfs (boxlab
    // inside Docker) the kernel refuses them ("not supported as upperdir").
    let rootfs = crate::rootfs::default_dir();
    let cache = rootfs.parent().unwrap_or(&rootfs);
    // Before the first run the directory does not exist yet: its nearest existing parent tells.
    let nested = overlay
        && cache
            .ancestors()
            .find(|d| d.exists())
            .is_some_and(crate::probe::is_overlayfs);
    let (status, what, fix) = if !overlay {
        (
            "warn",
            (if ko { "없음" } else { "not loaded" }).to_string(),
            Some("modprobe overlay".to_string()),
        )
    } else if nested {
        (
            "warn",
            if ko {
                format!(
                    "사용 가능. 다만 {} 디렉터리가 overlayfs 위에 있습니다. overlayfs는 overlayfs 위의 upper 디렉터리를 거부하므로(overlay 위의 overlay), 이미지 수업은 upper 디렉터리를 /dev/shm(tmpfs)에 둡니다",
                    cache.display()
                )
            } else {
                format!(
                    "available, but {} is on overlayfs: overlayfs refuses an upper directory there (overlay on overlay), so the images lesson puts its upper directories in /dev/shm (tmpfs)",
                    cache.display()
                )
            },
            Some(if ko {
                format!(
                    "{} 디렉터리에 볼륨이나 tmpfs를 마운트하세요 (예: docker run -v boxlab-cache:{} ...)",
                    cache.display(),
                    cache.display()
                )
            } else {
                format!(
                    "mount a volume or a tmpfs at {} (e.g. docker run -v boxlab-cache:{} ...)",
                    cache.display(),
                    cache.display()
                )
            }),
        )
    } else {
        (
            "ok",
            (if ko { "사용 가능" } else { "available" }).to_string(),
            None,
        )
    };
    line(status, format!("overlayfs: {what}"), fix);
    match container_environment() {
        None => line(
            "ok",
            if ko {
                "실행 환경: 컨테이너 밖 (호스트)".into()
            } else {
                "running on the host, not inside a container".into()
            },
            None,
        ),
        Some((env, seen_in)) => line(
            "warn",
            if ko {
                format!("실행 환경: {env} 안 ({seen_in}에서 확인)")
            } else {
                format!("running inside {env} (from {seen_in})")
            },
            Some(if ko {
                "일부 수업(마운트, overlay 위의 overlay, cgroup)은 막힐 수 있습니다: 가능하면 VM이나 실제 호스트에서 실행하세요".into()
            } else {
                "the kernel may refuse some lessons there (mounts, overlay on overlay, cgroups): prefer a VM or a real host".into()
            }),
        ),
    }
    // `boxlab run --rootless` with limits: only in a cgroup v2 delegated to the caller. Said
    // to a user without root, the one it concerns.
    if !root {
        use crate::kernel::cgroups::{Controller, Version, delegated};
        let wanted = [Controller::Memory, Controller::Pids];
        let on_v1 = wanted.iter().any(|&c| {
            controllers
                .place(c)
                .is_some_and(|h| h.version == Version::V1)
        });
        let (status, what, fix) = match delegated::find(&controllers, &wanted) {
            Ok(own) => (
                "ok",
                if ko {
                    format!(
                        "root 없이 쓰는 제한(run --rootless --memory ...): 위임받은 cgroup {}",
                        own.display()
                    )
                } else {
                    format!(
                        "limits without root (run --rootless --memory ...): in your delegated cgroup {}",
                        own.display()
                    )
                },
                None,
            ),
            Err(_) if on_v1 => (
                "no",
                if ko {
                    "root 없이 쓰는 제한(run --rootless --memory ...): cgroup v1은 사용자에게 넘길 수 없어 불가".to_string()
                } else {
                    "limits without root (run --rootless --memory ...): not on cgroup v1, which cannot be handed to a user".to_string()
                },
                Some(if ko {
                    "cgroup v2로 부팅하거나(systemd.unified_cgroup_hierarchy=1) root로 제한을 거세요".to_string()
                } else {
                    "boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1), or set limits as root".to_string()
                }),
            ),
            Err(why) => (
                "no",
                if ko {
                    "root 없이 쓰는 제한(run --rootless --memory ...): 지금 cgroup이 위임되지 않았거나 비어 있지 않습니다".to_string()
                } else {
                    format!("limits without root (run --rootless --memory ...): {why}")
                },
                Some(
                    "systemd-run --user --scope -p Delegate=yes boxlab run --rootless ..."
                        .to_string(),
                ),
            ),
        };
        line(status, what, fix);
    }
    // The default root filesystem as built (its own note says from what), or what a first run
    // would build it from. One built from the host's programs is rebuilt at the first start
    // that finds a static busybox (rootfs::ensure).
    let bb = crate::rootfs::find_static_busybox();
    let dir = crate::rootfs::default_dir();
    let made_of = crate::rootfs::made_of(&dir);
    let from_host = |kind: &str| crate::rootfs::host_programs(kind).is_some();
    let (status, what, fix) = match (made_of, &bb) {
        (Some(kind), Some(bb)) if from_host(&kind) => (
            "warn",
            if ko {
                format!(
                    "기본 루트 파일 시스템({}): 호스트의 프로그램으로 지어졌습니다",
                    dir.display()
                )
            } else {
                format!(
                    "default rootfs ({}): built from the host's programs",
                    dir.display()
                )
            },
            Some(if ko {
                format!(
                    "이제 정적 busybox({})가 있으니, 다음에 시작할 때 그것으로 다시 짓습니다",
                    bb.display()
                )
            } else {
                format!(
                    "a static busybox is here now ({}): the next start rebuilds it from that",
                    bb.display()
                )
            }),
        ),
        // The host's programs: two dozen, enough for the lessons, but a learner's own command
        // (tr, seq, nc...) is often missing.
        (Some(kind), None) if from_host(&kind) => (
            "warn",
            if ko {
                let programs = crate::rootfs::host_programs(&kind).unwrap_or_default();
                format!(
                    "기본 루트 파일 시스템({}): 호스트 프로그램{programs}",
                    dir.display()
                )
            } else {
                format!("default rootfs ({}): {kind}", dir.display())
            },
            Some(busybox_fix(ko)),
        ),
        (Some(kind), _) => (
            "ok",
            if ko {
                format!("기본 루트 파일 시스템({}): {kind}", dir.display())
            } else {
                format!("default rootfs ({}): {kind}", dir.display())
            },
            None,
        ),
        (None, Some(bb)) => (
            "ok",
            if ko {
                format!(
                    "기본 루트 파일 시스템: 처음 실행할 때 정적 busybox({})로 짓습니다",
                    bb.display()
                )
            } else {
                format!(
                    "default rootfs: built on first run from a static busybox ({})",
                    bb.display()
                )
            },
            None,
        ),
        (None, None) => (
            "warn",
            if ko {
                "기본 루트 파일 시스템: 처음 실행할 때 호스트의 프로그램으로 짓습니다 (정적 busybox 없음)".into()
            } else {
                "default rootfs: built on first run from the host's own programs (no static busybox)".into()
            },
            Some(busybox_fix(ko)),
        ),
    };
    line(status, what, fix);
    out
}

/// The fix for a default rootfs of the host's programs: a static busybox, which the next
/// start builds it from (rootfs::ensure).
fn busybox_fix(ko: bool) -> String {
    if ko {
        "apt-get install busybox-static 하면 다음 시작 때 busybox의 프로그램 270여 개(tr, seq, nc 등)로 다시 짓습니다".into()
    } else {
        "apt-get install busybox-static: the next start rebuilds it with busybox's 270 or so programs (tr, seq, nc...)".into()
    }
}
