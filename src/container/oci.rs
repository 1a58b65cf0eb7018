//! The container `boxlab run` builds, written as an OCI runtime bundle's `config.json`
//! (opencontainers/runtime-spec, config.md and config-linux.md): what `runc run` or `crun run`
//! would need to build the same box. Docker's containerd writes the same file for runc.
//!
//! The root is the lower layer itself, read-only: a runtime does not make overlays (in Docker the
//! image snapshotter does, before runc starts), so the bundle's box cannot write to it.

use serde_json::{Value, json};

use super::Spec;
use crate::kernel::{caps, seccomp};

/// The runtime-spec version written.
pub const OCI_VERSION: &str = "1.0.2";

/// `config.json` for `spec`, with `root` as the bundle's root directory.
pub fn config(spec: &Spec, root: &std::path::Path) -> Value {
    let kept = spec.capabilities();
    let caps: Vec<&str> = caps::DOCKER_DEFAULT
        .iter()
        .filter(|(n, _)| kept.contains(n))
        .map(|(_, name)| *name)
        .collect();
    let mut mounts = vec![
        json!({"destination": "/proc", "type": "proc", "source": "proc",
               "options": ["nosuid", "noexec", "nodev"]}),
        json!({"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
               "options": ["nosuid", "strictatime", "mode=755", "size=64k"]}),
        json!({"destination": "/dev/pts", "type": "devpts", "source": "devpts",
               "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}),
        json!({"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
               "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=64m"]}),
        json!({"destination": "/sys", "type": "sysfs", "source": "sysfs",
               "options": ["nosuid", "noexec", "nodev", "ro"]}),
        // The container's own cgroup, read-only (a runtime lays out v1 or v2 itself).
        json!({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
               "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}),
    ];
    for v in &spec.volumes {
        let mode = if v.readonly { "ro" } else { "rw" };
        mounts.push(json!({"destination": v.target, "type": "bind",
                           "source": v.host, "options": ["rbind", mode]}));
    }
    let mut resources = serde_json::Map::new();
    if let Some(b) = spec.memory {
        resources.insert("memory".into(), json!({"limit": b, "swap": b}));
    }
    if let Some(p) = spec.cpu_percent {
        resources.insert("cpu".into(), json!({"quota": p * 1000, "period": 100_000}));
    }
    if let Some(n) = spec.pids {
        resources.insert("pids".into(), json!({"limit": n}));
    }
    let denied: Vec<&str> = seccomp::DENIED.iter().map(|(name, _)| *name).collect();
    let mut env = vec![
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
        format!("HOSTNAME={}", spec.hostname),
        "HOME=/root".to_string(),
    ];
    if spec.tty {
        env.push("TERM=xterm".into());
    }
    let mut namespaces = vec![
        json!({"type": "pid"}),
        json!({"type": "network"}),
        json!({"type": "ipc"}),
        json!({"type": "uts"}),
        json!({"type": "mount"}),
        json!({"type": "cgroup"}),
    ];
    let mut linux = serde_json::Map::new();
    if spec.rootless {
        // The same one-line maps as `boxlab run --rootless`: root inside is the caller.
        namespaces.push(json!({"type": "user"}));
        let map = |id: u32| json!([{"containerID": 0, "hostID": id, "size": 1}]);
        linux.insert("uidMappings".into(), map(nix::unistd::getuid().as_raw()));
        linux.insert("gidMappings".into(), map(nix::unistd::getgid().as_raw()));
    }
    linux.insert("namespaces".into(), namespaces.into());
    linux.insert("resources".into(), resources.into());
    linux.insert(
        "seccomp".into(),
        json!({
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": [seccomp_arch()],
            "syscalls": [{"names": denied, "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
        }),
    );
    json!({
        "ociVersion": OCI_VERSION,
        "process": {
            "terminal": spec.tty,
            "user": {"uid": 0, "gid": 0},
            "args": spec.argv,
            "env": env,
            "cwd": "/",
            "capabilities": {
                "bounding": caps, "effective": caps, "permitted": caps,
            },
            "noNewPrivileges": true,
        },
        "root": {"path": root, "readonly": true},
        "hostname": spec.hostname,
        "mounts": mounts,
        "linux": linux,
    })
}

fn seccomp_arch() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "SCMP_ARCH_AARCH64"
    } else {
        "SCMP_ARCH_X86_64"
    }
}

/// Writes `DIR/config.json` for `spec` (`boxlab run --oci-bundle DIR`).
pub fn write_bundle(spec: &Spec, dir: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let root = spec
        .layers
        .last()
        .context("no root filesystem to point the bundle at")?;
    // A runtime makes a missing mount point in the root itself: here that root is the shared
    // root filesystem, which must not change.
    for v in &spec.volumes {
        anyhow::ensure!(
            root.join(v.target.trim_start_matches('/')).exists(),
            "--oci-bundle with -v {}:{}: {} has no such path, and runc would create it there: use a path the image has",
            v.host.display(),
            v.target,
            root.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let text = serde_json::to_string_pretty(&config(spec, root))?;
    let file = dir.join("config.json");
    std::fs::write(&file, text + "\n").with_context(|| format!("writing {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec {
            layers: vec!["/srv/rootfs".into()],
            memory: Some(64 << 20),
            cpu_percent: Some(50),
            pids: Some(20),
            hostname: "web".into(),
            volumes: vec![super::super::spec::Volume {
                host: "/srv/site".into(),
                target: "/www".into(),
                readonly: true,
            }],
            publish: vec![(8080, 80)],
            cap_drop: vec![],
            interactive: false,
            tty: false,
            trace: false,
            rootless: false,
            argv: vec!["httpd".into(), "-f".into()],
        }
    }

    #[test]
    fn the_box_as_a_runtime_would_build_it() {
        let c = config(&spec(), std::path::Path::new("/srv/rootfs"));
        assert_eq!(c["root"]["path"], "/srv/rootfs");
        assert_eq!(c["process"]["args"], json!(["httpd", "-f"]));
        assert_eq!(c["linux"]["resources"]["memory"]["limit"], 64 << 20);
        assert_eq!(c["linux"]["resources"]["cpu"]["quota"], 50_000);
        assert_eq!(c["linux"]["resources"]["pids"]["limit"], 20);
        assert_eq!(
            c["process"]["capabilities"]["bounding"]
                .as_array()
                .unwrap()
                .len(),
            14
        );
        assert_eq!(c["mounts"][5]["destination"], "/sys/fs/cgroup");
        assert_eq!(c["mounts"][6]["destination"], "/www");
        assert_eq!(c["mounts"][6]["options"], json!(["rbind", "ro"]));
        let names = &c["linux"]["seccomp"]["syscalls"][0]["names"];
        assert!(names.as_array().unwrap().contains(&json!("mount")));
    }

    #[test]
    fn cap_drop_leaves_the_capability_out() {
        let mut spec = spec();
        let raw = crate::kernel::caps::Capability(13);
        spec.cap_drop = vec![super::super::spec::CapDrop::One(raw)];
        let c = config(&spec, std::path::Path::new("/srv/rootfs"));
        let bounding = c["process"]["capabilities"]["bounding"].as_array().unwrap();
        assert_eq!(bounding.len(), 13);
        assert!(!bounding.contains(&json!("CAP_NET_RAW")));
    }
}
