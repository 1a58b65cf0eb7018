//! Host side of the "what Docker adds" lesson: the lesson's container written as an OCI bundle
//! (`config.json`, as containerd writes one for runc), run by an installed OCI runtime, and the
//! `docker run` command line for the same box.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::container::{Spec, oci};
use serde_json::Value;

use super::checks::Verdict;
use crate::container::spec::Volume;
use crate::kernel::process::{self, CommandOutput, Heading};
use crate::lang::{Detail, detail};
use crate::ledger::Ledger;

/// The lesson's published port, (host, box): the one of lesson 17's web server.
const PUBLISHED: (u16, u16) = (8080, 80);

/// The container this lesson describes: the one `boxlab run` and lesson 17 build, with a
/// volume (this run's `volume` directory) at /data, as lesson 17's, where the root filesystem
/// has that directory (the default one does): a runtime would make a missing mount point in
/// the shared root itself.
fn spec(rootfs: &Path, argv: &[String], ledger: &Ledger) -> Spec {
    const VOLUME_AT: &str = "/data";
    let volumes = rootfs
        .join(VOLUME_AT.trim_start_matches('/'))
        .is_dir()
        .then(|| Volume {
            host: ledger.dir().join("volume"),
            target: VOLUME_AT.into(),
            readonly: false,
        })
        .into_iter()
        .collect();
    Spec {
        layers: vec![rootfs.to_path_buf()],
        memory: Some(64 << 20),
        cpu_percent: Some(50),
        pids: Some(20),
        hostname: "web".into(),
        volumes,
        publish: vec![PUBLISHED],
        cap_drop: vec![],
        interactive: false,
        tty: false,
        trace: false,
        rootless: false,
        argv: argv.to_vec(),
    }
}

/// What a runtime did with the bundle, for the checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeRun {
    /// Neither runc nor crun is installed.
    NoRuntime,
    /// (runtime, its output).
    Ran(String, CommandOutput),
}

/// The lesson's bundle directory: in this run's ledger directory, gone with it.
fn bundle_dir(ledger: &Ledger) -> PathBuf {
    ledger.dir().join("bundle")
}

/// Writes the bundle (`config.json`) and shows its main parts as a command's output would.
pub fn export(rootfs: &Path, argv: &[String], ledger: &Ledger) -> Result<CommandOutput, String> {
    let dir = bundle_dir(ledger);
    let spec = spec(rootfs, argv, ledger);
    for v in &spec.volumes {
        std::fs::create_dir_all(&v.host).map_err(|e| format!("{}: {e}", v.host.display()))?;
    }
    oci::write_bundle(&spec, &dir).map_err(|e| format!("{e:#}"))?;
    // Read back from the disk: what is shown, and checked, is what a runtime will read.
    let file = dir.join("config.json");
    let c: Value = std::fs::read_to_string(&file)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let lines = [
        file.display().to_string(),
        format!("ociVersion   {}", c["ociVersion"]),
        format!("root         {}", c["root"]),
        format!("process.args {}", c["process"]["args"]),
        format!("hostname     {}", c["hostname"]),
        format!("namespaces   {}", each(&c["linux"]["namespaces"], "type")),
        format!("mounts       {}", each(&c["mounts"], "destination")),
        format!("resources    {}", c["linux"]["resources"]),
        // Counts where the lists are long, in the file's own words: no sentence to translate.
        format!(
            "capabilities bounding × {}",
            c["process"]["capabilities"]["bounding"]
                .as_array()
                .map_or(0, Vec::len)
        ),
        format!("noNewPrivileges {}", c["process"]["noNewPrivileges"]),
        // One rule: everything is allowed but the names listed, which fail with an errno.
        format!(
            "seccomp      defaultAction {}, syscalls[0] {} × {}",
            c["linux"]["seccomp"]["defaultAction"],
            c["linux"]["seccomp"]["syscalls"][0]["action"],
            c["linux"]["seccomp"]["syscalls"][0]["names"]
                .as_array()
                .map_or(0, Vec::len)
        ),
    ];
    Ok(CommandOutput {
        heading: Heading::Made(detail!(
            "(the bundle written: config.json's main parts)",
            "(쓴 번들: config.json의 주요 부분)"
        )),
        status: Some(0),
        stdout: lines.join("\n") + "\n",
        stderr: String::new(),
    })
}

/// The `key` of every object in the JSON array `list`, as JSON, one space between.
fn each(list: &Value, key: &str) -> String {
    let values: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v[key].to_string())
        .collect();
    values.join(" ")
}

/// `runc run` (or `crun run`) of the bundle, state kept in this run's ledger directory.
pub fn run_bundle(ledger: &Ledger) -> RuntimeRun {
    let dir = bundle_dir(ledger);
    let state = ledger.dir().join("runtime-state");
    let id = format!("boxlab-{:08x}", ledger.tag());
    for runtime in ["runc", "crun"] {
        let argv: Vec<String> = [
            runtime,
            "--root",
            &state.to_string_lossy(),
            "run",
            "-b",
            &dir.to_string_lossy(),
            &id,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let Ok(out) = Command::new(runtime)
            .args(&argv[1..])
            .stdin(Stdio::null())
            .output()
        else {
            continue; // not installed
        };
        return RuntimeRun::Ran(
            runtime.to_string(),
            CommandOutput {
                heading: Heading::Ran(argv),
                status: out.status.code(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            },
        );
    }
    RuntimeRun::NoRuntime
}

/// The `docker run` line that asks for the bundle's box: each flag read back from the
/// config.json runc read, so the line shows where every setting went. `-p` alone comes from the
/// lesson's box, as config.json has no field for it: dockerd publishes a port itself
/// (docker-proxy, iptables), outside the container a runtime builds. Shown as made, not run.
pub fn docker_command(ledger: &Ledger) -> Result<CommandOutput, String> {
    let file = bundle_dir(ledger).join("config.json");
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("{}: {e}: the bundle is written first", file.display()))?;
    let c: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let r = &c["linux"]["resources"];
    let mib = |v: &Value| v.as_u64().map(|b| format!("{}m", b >> 20));
    let mut words = vec!["docker".to_string(), "run".into(), "--rm".into()];
    if let Some(h) = c["hostname"].as_str() {
        words.push(format!("--hostname {h}"));
    }
    if c["root"]["readonly"] == true {
        words.push("--read-only".into());
    }
    if c["process"]["noNewPrivileges"] == true {
        words.push("--security-opt no-new-privileges".into());
    }
    if let Some(m) = mib(&r["memory"]["limit"]) {
        words.push(format!("-m {m}"));
    }
    // A runtime's swap is memory plus swap; Docker's --memory-swap counts the same way.
    if let Some(m) = mib(&r["memory"]["swap"]) {
        words.push(format!("--memory-swap {m}"));
    }
    if let (Some(q), Some(p)) = (r["cpu"]["quota"].as_u64(), r["cpu"]["period"].as_u64()) {
        words.push(format!("--cpus {}", q as f64 / p as f64));
    }
    if let Some(n) = r["pids"]["limit"].as_u64() {
        words.push(format!("--pids-limit {n}"));
    }
    let binds = c["mounts"].as_array().into_iter().flatten();
    for m in binds.filter(|m| m["type"] == "bind") {
        let ro = m["options"]
            .as_array()
            .is_some_and(|o| o.iter().any(|x| x == "ro"));
        let (from, to) = (m["source"].as_str(), m["destination"].as_str());
        let suffix = if ro { ":ro" } else { "" };
        words.push(format!(
            "-v {}:{}{suffix}",
            from.unwrap_or("?"),
            to.unwrap_or("?")
        ));
    }
    let (host, inside) = PUBLISHED;
    words.push(format!("-p 127.0.0.1:{host}:{inside}"));
    let args: Vec<String> = c["process"]["args"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(String::from))
        .collect();
    // Each argument a word of its own: the script after `sh -c` alone is most of a line.
    words.push("IMAGE".into());
    words.extend(args.iter().map(|a| process::typed(std::slice::from_ref(a))));
    Ok(CommandOutput {
        heading: Heading::Made(detail!(
            "(the same box with Docker: made from config.json, not run)",
            "(Docker로 만드는 같은 박스: config.json으로 만든 명령이며, 실행하지 않음)"
        )),
        status: Some(0),
        // 74 columns: the script after `sh -c` fits one line whole, as the pane indents
        // output lines (an indent inside a broken quoted word would become part of it).
        stdout: process::continued(&words, 74, 74, "  ").join("\n") + "\n",
        stderr: String::new(),
    })
}

/// The `runtime_agrees` check: the runtime's container said hostname `web`, Docker's bounding
/// set, NoNewPrivs 1 and Seccomp 2 (the lesson runs `hostname` and greps /proc/self/status).
/// Skipped, not passed, when neither runtime is installed.
pub fn judge(ran: Option<&RuntimeRun>) -> (Verdict, Detail) {
    match ran {
        Some(RuntimeRun::NoRuntime) => (
            Verdict::Skipped,
            detail!(
                "not run here: neither runc nor crun is installed; apt-get install runc",
                "여기서는 실행하지 않았다: runc도 crun도 설치되어 있지 않다. apt-get install runc로 설치한다"
            ),
        ),
        Some(RuntimeRun::Ran(rt, out)) => {
            let has = |key: &str, value: &str| {
                out.stdout
                    .lines()
                    .any(|l| l.strip_prefix(key).is_some_and(|v| v.trim() == value))
            };
            let caps = format!("{:016x}", crate::kernel::caps::docker_default_mask());
            let same = out.status == Some(0)
                && out.stdout.lines().next() == Some("web")
                && has("CapBnd:", &caps)
                && has("NoNewPrivs:", "1")
                && has("Seccomp:", "2");
            let said: Vec<&str> = out
                .stdout
                .lines()
                .chain(out.stderr.lines())
                .take(4)
                .collect();
            let said = said.join("; ");
            let mut detail = match out.status {
                Some(c) => detail!(
                    "{rt}: exit status {c}; {said}",
                    "{rt}: 종료 상태 {c}; {said}"
                ),
                None => detail!(
                    "{rt}: exit status none (not started); {said}",
                    "{rt}: 종료 상태 없음 (시작되지 않음); {said}"
                ),
            };
            if !same {
                let wanted = detail!(
                    "; expected exit status 0; web; CapBnd: {caps}; NoNewPrivs: 1; Seccomp: 2",
                    "; 기대한 값: 종료 상태 0; web; CapBnd: {caps}; NoNewPrivs: 1; Seccomp: 2"
                );
                detail.en += &wanted.en;
                detail.ko += &wanted.ko;
            }
            (
                if same {
                    Verdict::Passed
                } else {
                    Verdict::Failed
                },
                detail,
            )
        }
        None => (
            Verdict::Failed,
            detail!(
                "no runtime ran the bundle",
                "어떤 런타임도 번들을 실행하지 않았다"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(stdout: String) -> RuntimeRun {
        let out = CommandOutput {
            heading: Heading::Made(detail!("runc", "runc")),
            status: Some(0),
            stdout,
            stderr: String::new(),
        };
        RuntimeRun::Ran("runc".to_string(), out)
    }

    #[test]
    fn a_runtime_check_not_run_is_skipped_and_a_wrong_one_says_what_was_expected() {
        assert_eq!(judge(Some(&RuntimeRun::NoRuntime)).0, Verdict::Skipped);
        assert_eq!(judge(None).0, Verdict::Failed);
        let caps = format!("{:016x}", crate::kernel::caps::docker_default_mask());
        let good = format!("web\nCapBnd:\t{caps}\nNoNewPrivs:\t1\nSeccomp:\t2\n");
        assert_eq!(judge(Some(&ran(good))).0, Verdict::Passed);
        let (verdict, detail) = judge(Some(&ran("web\nSeccomp:\t0\n".to_string())));
        assert_eq!(verdict, Verdict::Failed);
        assert!(detail.en.contains("expected") && detail.en.contains("Seccomp: 2"));
    }
}
