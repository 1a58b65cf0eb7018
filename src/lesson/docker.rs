//! Host side of the "what Docker adds" lesson: the lesson's container written as an OCI bundle
//! (`config.json`, as containerd writes one for runc), run by an installed OCI runtime, and the
//! `docker run` command line for the same box.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::container::{Spec, oci};
use crate::kernel::process::CommandOutput;
use crate::lang::{Detail, detail};
use crate::ledger::Ledger;

/// The container this lesson describes: the one `boxlab run` and lesson 17 build.
fn spec(rootfs: &Path, argv: &[String]) -> Spec {
    Spec {
        layers: vec![rootfs.to_path_buf()],
        memory: Some(64 << 20),
        cpu_percent: Some(50),
        pids: Some(20),
        hostname: "web".into(),
        volumes: Vec::new(),
        publish: vec![(8080, 80)],
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
    let spec = spec(rootfs, argv);
    oci::write_bundle(&spec, &dir).map_err(|e| format!("{e:#}"))?;
    let c = oci::config(&spec, rootfs);
    let lines = [
        format!("{}/config.json", dir.display()),
        format!("ociVersion   {}", c["ociVersion"]),
        format!("root         {}", c["root"]),
        format!("process.args {}", c["process"]["args"]),
        format!("hostname     {}", c["hostname"]),
        format!(
            "namespaces   {}",
            c["linux"]["namespaces"]
                .as_array()
                .map(|a| a
                    .iter()
                    .map(|n| n["type"].to_string())
                    .collect::<Vec<_>>()
                    .join(" "))
                .unwrap_or_default()
        ),
        format!("resources    {}", c["linux"]["resources"]),
        // Counts where the lists are long, in the file's own words: no sentence to translate.
        format!(
            "capabilities bounding × {}",
            c["process"]["capabilities"]["bounding"]
                .as_array()
                .map_or(0, Vec::len)
        ),
        format!("noNewPrivileges {}", c["process"]["noNewPrivileges"]),
        format!(
            "seccomp      {} × {}",
            c["linux"]["seccomp"]["syscalls"][0]["action"],
            c["linux"]["seccomp"]["syscalls"][0]["names"]
                .as_array()
                .map_or(0, Vec::len)
        ),
    ];
    Ok(CommandOutput {
        argv: vec![
            "boxlab".into(),
            "run".into(),
            "--oci-bundle".into(),
            dir.display().to_string(),
        ],
        status: Some(0),
        stdout: lines.join("\n") + "\n",
        stderr: String::new(),
    })
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
                argv,
                status: out.status.code(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            },
        );
    }
    RuntimeRun::NoRuntime
}

/// The `docker run` line for the same box, shown as a command typed over three lines (its
/// start is the output's argv, so the pane has no label to translate). `--memory-swap` as
/// the bundle's swap limit: `-m` alone would allow as much swap again. What Docker's defaults
/// add to it (the namespaces, the overlay, the capabilities, seccomp) the step's text says, in
/// the learner's language.
pub fn docker_command(argv: &[String]) -> CommandOutput {
    let text = format!(
        "  -m 64m --memory-swap 64m --cpus 0.5 --pids-limit 20 \\\n  \
         -p 127.0.0.1:8080:80 IMAGE {}\n",
        argv.join(" ")
    );
    CommandOutput {
        argv: [
            "docker",
            "run",
            "--rm",
            "--hostname",
            "web",
            "--security-opt",
            "no-new-privileges",
            "\\",
        ]
        .map(String::from)
        .to_vec(),
        status: Some(0),
        stdout: text,
        stderr: String::new(),
    }
}

/// The `runtime_agrees` check: the runtime's container said hostname `web`, Docker's bounding
/// set, NoNewPrivs 1 and Seccomp 2 (the lesson runs `hostname` and greps /proc/self/status).
pub fn judge(ran: Option<&RuntimeRun>) -> (bool, Detail) {
    match ran {
        Some(RuntimeRun::NoRuntime) => (
            true,
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
            let detail = match out.status {
                Some(c) => detail!(
                    "{rt}: exit status {c}; {said}",
                    "{rt}: 종료 상태 {c}; {said}"
                ),
                None => detail!(
                    "{rt}: exit status none (not started); {said}",
                    "{rt}: 종료 상태 없음 (시작되지 않음); {said}"
                ),
            };
            (same, detail)
        }
        None => (
            false,
            detail!(
                "no runtime ran the bundle",
                "어떤 런타임도 번들을 실행하지 않았다"
            ),
        ),
    }
}
