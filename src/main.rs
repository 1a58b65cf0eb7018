//! The `boxlab` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::Context;
use boxlab::lang::Lang;
use boxlab::lesson::{Lesson, load};
use boxlab::{agent, container, doctor, ledger, rootfs, transcript, tui};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "boxlab",
    version,
    about = "Learn Linux containers by building one, live, with real syscalls"
)]
struct Cli {
    /// Language of the lessons and the screen (default: from the locale).
    #[arg(long, global = true, value_enum)]
    lang: Option<LangArg>,
    /// Use this directory as the box's root filesystem instead of the built-in one.
    #[arg(long, global = true, value_name = "DIR")]
    rootfs: Option<PathBuf>,
    /// Read lesson files from this directory instead of the copies built into boxlab (for
    /// lesson authors).
    #[arg(long, global = true, value_name = "DIR")]
    lessons: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Ko,
}

#[derive(Subcommand)]
enum Cmd {
    /// Open one lesson in the TUI (by id, like `pid`, or number, like `4`).
    Learn {
        /// The lesson: its id (`boxlab lessons` lists them) or its number
        lesson: String,
    },
    /// Run a lesson's steps for real without the TUI and print what each step shows.
    Transcript {
        /// The lesson: its id (`boxlab lessons` lists them) or its number
        lesson: String,
    },
    /// List the lessons, or validate lesson files with --check (./lessons when present, or
    /// --lessons DIR).
    Lessons {
        /// Validate the files and report every error with file, line and field.
        #[arg(long)]
        check: bool,
    },
    /// Check this machine: privileges, cgroup layout, namespaces, overlayfs, containers.
    Doctor,
    /// Remove anything a killed boxlab left behind (box processes, cgroups, network links, IPC
    /// objects, directories).
    Cleanup,
    /// Run a command in a full container, as `docker run` does (as root): new PID, mount, UTS,
    /// IPC, network and cgroup namespaces, an overlay over the root filesystem (--rootfs, or the
    /// built-in one), pivot_root, /proc, a minimal /dev, read-only /sys, Docker's default
    /// capabilities, no_new_privs, seccomp, and the limits given. Exits with the command's
    /// status, 128+N when signal N ended it (137: SIGKILL, as the OOM killer sends), 127 when
    /// the command is not found, 125 when boxlab itself failed.
    Run {
        /// Image layers instead of --rootfs: directories, top first, joined by `:`.
        #[arg(long, value_name = "DIR:DIR...")]
        image: Option<String>,
        /// Do not run: write DIR/config.json, the same container as an OCI runtime bundle
        /// for `runc run` or `crun run` (its root is the root filesystem, read-only).
        #[arg(long, value_name = "DIR")]
        oci_bundle: Option<PathBuf>,
        #[command(flatten)]
        spec: container::Spec,
    },
    /// The box agent (internal: boxlab starts it).
    #[command(name = "__agent", hide = true)]
    Agent {
        #[arg(long)]
        rootfs: PathBuf,
        #[arg(long)]
        instance: String,
    },
    /// Run a program inside a running box, as `docker exec` does: setns into each of its
    /// namespaces, chroot into its root, fork, exec (internal: the shell pane starts it).
    #[command(name = "__exec", hide = true)]
    Exec {
        /// The box's pid, as the host numbers it.
        #[arg(long)]
        pid: i32,
        /// First print the syscalls that joined the box, on stderr.
        #[arg(long)]
        trace: bool,
        /// The program and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "PROGRAM")]
        program: Vec<String>,
    },
    /// One of the cgroup lessons' loads on the host, the same code the box runs (internal).
    #[command(name = "__load", hide = true)]
    Load {
        #[arg(required = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `boxlab run` reports a bad flag in one line and exits 125, as `docker run` does.
        Err(e) if is_run() && e.use_stderr() => {
            eprintln!("boxlab run: {}", run_flag_error(&e.to_string()));
            return ExitCode::from(container::FAILED as u8);
        }
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("boxlab: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let lang = match cli.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Ko) => Lang::Ko,
        None => Lang::from_env(),
    };
    match cli.command {
        Some(Cmd::Agent { rootfs, instance }) => {
            agent::serve(rootfs, instance)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Exec {
            pid,
            trace,
            program,
        }) => {
            let code = agent::exec::run(pid, &program, trace, lang)?;
            Ok(ExitCode::from(code.clamp(0, 255) as u8))
        }
        Some(Cmd::Run {
            image,
            oci_bundle,
            spec,
        }) => {
            let code = run_container(cli.rootfs, image, oci_bundle, spec);
            Ok(ExitCode::from(code.clamp(0, 255) as u8))
        }
        Some(Cmd::Load { args }) => {
            boxlab::workload::run_command(&args)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Lessons { check }) => lessons(check, cli.lessons),
        Some(Cmd::Doctor) => {
            print!("{}", doctor::report(lang));
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Cleanup) => {
            let swept = ledger::sweep_stale();
            let (runs, processes, leftovers) = (swept.runs, swept.processes, swept.leftovers);
            match lang {
                Lang::En => println!(
                    "boxlab cleanup: stale runs undone: {runs} (each with its run directory)\n  \
                     processes ended: {processes}\n  \
                     other leftovers removed: {leftovers} (cgroups, network links, IPC objects, directories)"
                ),
                Lang::Ko => println!(
                    "boxlab cleanup: 되돌린 지난 실행: {runs}개 (각각의 실행 디렉터리와 함께)\n  \
                     끝낸 프로세스: {processes}개\n  \
                     그 밖에 지운 것: {leftovers}개 (cgroup, 네트워크 링크, IPC 객체, 디렉터리)"
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Transcript { lesson }) => {
            let lessons = load_lessons(cli.lessons.as_deref())?;
            let lesson = find(&lessons, &lesson)?.clone();
            if let Some(reason) = doctor::unavailable(&lesson) {
                anyhow::bail!(
                    "lesson `{}` is unavailable: {}",
                    lesson.id,
                    reason.get(lang)
                );
            }
            let (rootfs, ledger) = prepare(cli.rootfs)?;
            let ok = transcript::run(lesson, rootfs, ledger, lang, &mut std::io::stdout())?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Some(Cmd::Learn { lesson }) => {
            let lessons = load_lessons(cli.lessons.as_deref())?;
            let id = find(&lessons, &lesson)?.id.clone();
            let index = lessons.iter().position(|l| l.id == id);
            let (rootfs, ledger) = prepare(cli.rootfs)?;
            tui::run(lessons, index, rootfs, ledger, lang)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let lessons = load_lessons(cli.lessons.as_deref())?;
            let (rootfs, ledger) = prepare(cli.rootfs)?;
            tui::run(lessons, None, rootfs, ledger, lang)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// clap's message for a bad `boxlab run` command line, in one line: our own parsers' text
/// (which names the flag and the fix) without clap's "invalid value ... for ..." in front, a
/// missing argument named, and the `--` hint for a command given without it (`--help` for a
/// flag boxlab run does not have).
fn run_flag_error(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    if first.starts_with("invalid value")
        && let Some(at) = first.find("': ")
    {
        return first[at + 3..].to_string();
    }
    if first.contains("required arguments") && text.contains("<COMMAND>") {
        return container::spec::NO_COMMAND.to_string();
    }
    if first.ends_with(':') {
        return format!("{first} {}", lines.next().unwrap_or_default());
    }
    if first.starts_with("unexpected argument") {
        // "unexpected argument '--bogus' found": a flag boxlab run lacks, or a command's word.
        return if first.starts_with("unexpected argument '-") {
            format!("{first}: `boxlab run --help` lists the flags")
        } else {
            format!("{first}: put the command after `--`, e.g. `boxlab run -- sh -c 'echo hi'`")
        };
    }
    first.to_string()
}

/// Whether the command line asks for `boxlab run` (before any `--`).
fn is_run() -> bool {
    std::env::args()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "run")
}

/// `boxlab run`: the command's status, or 125 with one line on stderr when boxlab failed.
fn run_container(
    rootfs: Option<PathBuf>,
    image: Option<String>,
    oci_bundle: Option<PathBuf>,
    mut spec: container::Spec,
) -> i32 {
    let result = (|| -> anyhow::Result<i32> {
        if let Some(dir) = oci_bundle {
            spec.layers = vec![match (image, rootfs) {
                (Some(layers), _) => PathBuf::from(layers.split(':').next_back().unwrap_or("")),
                (None, chosen) => rootfs::ensure(chosen.as_deref())?,
            }];
            spec.check()?;
            // As `runc spec` does: never over an existing config.json, nor into a missing parent.
            let file = dir.join("config.json");
            anyhow::ensure!(
                !file.exists(),
                "--oci-bundle {}: it holds a config.json already: remove it or pick another directory",
                dir.display()
            );
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                anyhow::ensure!(
                    parent.is_dir(),
                    "--oci-bundle {}: {} does not exist: create it first",
                    dir.display(),
                    parent.display()
                );
            }
            container::oci::write_bundle(&spec, &dir)?;
            if !spec.publish.is_empty() {
                eprintln!(
                    "boxlab run: -p is not in the bundle: a runtime publishes no ports (Docker's proxy does)"
                );
            }
            println!(
                "wrote {}: run it with `runc run -b {} NAME`",
                file.display(),
                dir.display()
            );
            return Ok(0);
        }
        anyhow::ensure!(
            spec.rootless || nix::unistd::geteuid().is_root(),
            "needs root: run it with sudo, or add --rootless"
        );
        let (rootfs, ledger) = prepare(rootfs)?;
        spec.layers = match image {
            Some(layers) => layers.split(':').map(PathBuf::from).collect(),
            None => vec![rootfs],
        };
        container::run(&spec, &ledger)
    })();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("boxlab run: {e:#}");
            container::FAILED
        }
    }
}

/// Start-up: undo what a killed run left, open this run's ledger, find or build the rootfs.
fn prepare(chosen: Option<PathBuf>) -> anyhow::Result<(PathBuf, Rc<ledger::Ledger>)> {
    ledger::sweep_stale();
    let rootfs = rootfs::ensure(chosen.as_deref())?;
    let ledger = ledger::Ledger::open().with_context(|| {
        format!(
            "creating the run ledger in {}",
            ledger::base_dir().display()
        )
    })?;
    Ok((rootfs, Rc::new(ledger)))
}

fn load_lessons(dir: Option<&std::path::Path>) -> anyhow::Result<Vec<Lesson>> {
    load::load_all(dir)
        .map_err(|errors| anyhow::anyhow!("the lessons are invalid:\n{}", join(&errors)))
}

/// A lesson by id (`pid`), number (`4`) or file stem (`04-pid`).
fn find<'a>(lessons: &'a [Lesson], name: &str) -> anyhow::Result<&'a Lesson> {
    let by_number = name
        .parse::<usize>()
        .ok()
        .and_then(|n| lessons.get(n.checked_sub(1)?));
    by_number
        .or_else(|| {
            lessons
                .iter()
                .find(|l| l.id == name || name.ends_with(&format!("-{}", l.id)))
        })
        .ok_or_else(|| {
            let ids: Vec<_> = lessons.iter().map(|l| l.id.as_str()).collect();
            match load::nearest(name, ids.iter().copied()) {
                Some(near) => anyhow::anyhow!("no lesson `{name}`: did you mean `{near}`?"),
                None => anyhow::anyhow!("no lesson `{name}`; the lessons are: {}", ids.join(", ")),
            }
        })
}

fn lessons(check: bool, dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    // Authors run `boxlab lessons --check` in the repository: prefer ./lessons when present.
    let dir = dir.or_else(|| {
        check
            .then(|| PathBuf::from("lessons"))
            .filter(|d| d.is_dir())
    });
    match load::load_all(dir.as_deref()) {
        Ok(lessons) => {
            for (i, l) in lessons.iter().enumerate() {
                let state = doctor::unavailable(l)
                    .map(|r| format!("  (unavailable: {})", r.en))
                    .unwrap_or_default();
                println!(
                    "{:>2}. {:<16} {} / {}{state}",
                    i + 1,
                    l.id,
                    l.title.en,
                    l.title.ko
                );
            }
            if check {
                let checked = match &dir {
                    Some(d) => format!("the files in {}", d.display()),
                    None => "the copies built into boxlab (no ./lessons here; \
                             --lessons DIR checks a directory)"
                        .to_string(),
                };
                println!("lessons: {} valid: {checked}", lessons.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{}", join(&errors));
            eprintln!("lessons: {} error(s)", errors.len());
            Ok(ExitCode::from(1))
        }
    }
}

fn join(errors: &[load::LessonError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
