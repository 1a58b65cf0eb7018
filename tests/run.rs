//! `boxlab run`, the full container without the TUI, for real: what the command sees inside
//! (hostname, PID 1, mounts, /dev, capabilities, no_new_privs, seccomp, a volume, only a
//! loopback link, a terminal), its limits (an OOM kill gives 137, forks beyond the pids limit
//! fail), the chroot escape ending inside, exit codes and signals, bad flags, a published port,
//! the OCI bundle, rootless (with limits in a delegated cgroup v2), and nothing left on the
//! host afterwards, also after 200 runs in a row and 20 at once.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{
    BOXLAB, assert_host_as_found, box_processes, host_snapshot, host_test, root_or_skip, serial,
};

fn run(args: &[&str]) -> Output {
    Command::new(BOXLAB)
        .arg("run")
        .args(args)
        .env("XDG_STATE_HOME", common::state_dir())
        .output()
        .expect("running boxlab run")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `boxlab run ARGS -- sh -c SCRIPT`, once the script has printed `ready`; with the lines it
/// printed before. The caller waits for it.
fn start_until_ready(args: &[&str], script: &str) -> (std::process::Child, Vec<String>) {
    let mut boxlab = Command::new(BOXLAB);
    boxlab.env("XDG_STATE_HOME", common::state_dir());
    start_until_ready_as(boxlab, args, script)
}

/// [`start_until_ready`] with `boxlab`, a command to run boxlab as another user.
#[allow(clippy::zombie_processes)]
fn start_until_ready_as(
    mut boxlab: Command,
    args: &[&str],
    script: &str,
) -> (std::process::Child, Vec<String>) {
    use std::io::BufRead;
    let mut child = boxlab
        .arg("run")
        .args(args)
        .args(["--", "sh", "-c", script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut before = Vec::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "no ready line after {before:?}"
        );
        if line == "ready\n" {
            return (child, before);
        }
        before.push(line);
    }
}

fn sh(args: &[&str], script: &str) -> Output {
    let mut all = args.to_vec();
    all.extend(["--", "sh", "-c", script]);
    run(&all)
}

#[test]
fn inside_the_container() {
    let Some(host) = host_test("inside_the_container") else {
        return;
    };
    let out = sh(
        &["--hostname", "web"],
        "hostname; cat /proc/1/comm; tr '\\0' ' ' < /proc/1/cmdline; echo; echo $$; grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; \
         grep ' / / ' /proc/self/mountinfo; ls /dev; echo x > /made-inside",
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "web");
    assert_eq!(lines[1], "boxlab-init", "PID 1 is boxlab's init");
    // ps in the box shows no host path as PID 1's command line.
    assert_eq!(lines[2].trim_end(), "boxlab-init", "PID 1's command line");
    let lines = [&lines[..2], &lines[3..]].concat();
    assert_eq!(lines[2], "2", "the command is PID 2, its child");
    // Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
    // NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
    assert_eq!(lines[3].split_whitespace().last(), Some("00000000a80425fb"));
    assert_eq!(
        lines[4].split_whitespace().last(),
        Some("1"),
        "no_new_privs"
    );
    assert_eq!(
        lines[5].split_whitespace().last(),
        Some("2"),
        "a seccomp filter"
    );
    assert!(
        lines[6].contains(" - overlay "),
        "the root is an overlay: {}",
        lines[6]
    );
    for dev in ["null", "zero", "urandom", "tty", "pts", "shm", "ptmx", "fd"] {
        assert!(lines.contains(&dev), "/dev/{dev} in {lines:?}");
    }
    // The write went to the container's own upper layer, gone with it.
    let rootfs = dirs_rootfs();
    assert!(!rootfs.join("made-inside").exists());
    host.assert_as_found("after boxlab run");
}

/// --cap-drop takes capabilities out of Docker's default set, as `docker run --cap-drop`:
/// from the bounding set and the command's own sets, so a raw socket (ping) is refused.
#[test]
fn cap_drop() {
    let Some(host) = host_test("cap_drop") else {
        return;
    };
    let caps = |args: &[&str]| {
        let out = sh(args, "grep -E '^Cap(Eff|Bnd):' /proc/self/status");
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        let masks: Vec<String> = stdout
            .lines()
            .map(|l| l.split_whitespace().last().unwrap_or("").to_string())
            .collect();
        masks
    };
    // Docker's default 0xa80425fb without bit 13 (NET_RAW), then without CHOWN (0) and KILL (5).
    assert_eq!(caps(&["--cap-drop", "NET_RAW"]), ["00000000a80405fb"; 2]);
    assert_eq!(
        caps(&["--cap-drop", "cap_chown", "--cap-drop", "KILL"]),
        ["00000000a80425da"; 2]
    );
    assert_eq!(caps(&["--cap-drop", "ALL"]), ["0000000000000000"; 2]);
    // ping opens a raw socket: the host's static busybox's, as the root filesystem may have
    // no ping of its own.
    if let Some(busybox) = host_busybox() {
        let bin = Path::new(busybox).parent().unwrap().display().to_string();
        let out = sh(
            &["--cap-drop", "NET_RAW", "-v", &format!("{bin}:/hostbin:ro")],
            "/hostbin/busybox ping -c1 -W1 127.0.0.1 2>&1; echo status $?",
        );
        let (stdout, _) = text(&out);
        assert!(
            stdout.contains("permission denied") && stdout.contains("status 1"),
            "{stdout}"
        );
    }
    host.assert_as_found("after boxlab run --cap-drop");
}

/// The built-in root filesystem (the overlay's lower layer).
fn dirs_rootfs() -> std::path::PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/root/.cache"));
    cache.join("boxlab/rootfs-v1")
}

/// Nothing of the host's reaches the command through a descriptor: one boxlab inherited (here a
/// host directory, the classic way out of a chroot) is closed in PID 1, and PID 1's own are
/// out of the command's reach (/proc/1/fd), since it holds the same capabilities.
#[test]
fn host_descriptors_stay_outside() {
    if !root_or_skip("host_descriptors_stay_outside") {
        return;
    }
    use std::os::fd::{AsRawFd, IntoRawFd};
    let _one_at_a_time = serial();
    // Without O_CLOEXEC, as a shell's redirection leaves it open for the programs it starts.
    let dir = nix::fcntl::open(
        "/",
        nix::fcntl::OFlag::O_RDONLY,
        nix::sys::stat::Mode::empty(),
    )
    .unwrap();
    let n = dir.as_raw_fd();
    let out = sh(
        &["--memory", "32M"],
        &format!(
            "[ -e /proc/$$/fd/{n} ] && echo leaked || echo closed; \
             readlink /proc/1/fd/0 >/dev/null 2>&1 && echo readable || echo refused"
        ),
    );
    let _ = nix::unistd::close(dir.into_raw_fd());
    let (stdout, stderr) = text(&out);
    assert_eq!(stdout, "closed\nrefused\n", "{stderr}");
}

#[test]
fn a_volume_is_shared_and_can_be_read_only() {
    if !root_or_skip("a_volume_is_shared_and_can_be_read_only") {
        return;
    }
    let _one_at_a_time = serial();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("boxlab-volume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("from-host"), "hello from the host\n").unwrap();
    let v = format!("{}:/data", dir.display());
    let out = sh(&["-v", &v], "cat /data/from-host; echo hi > /data/from-box");
    assert_eq!(text(&out).0, "hello from the host\n", "{}", text(&out).1);
    assert_eq!(
        std::fs::read_to_string(dir.join("from-box")).unwrap(),
        "hi\n"
    );
    let ro = format!("{}:/data:ro", dir.display());
    let out = sh(&["-v", &ro], "echo no > /data/nope");
    assert_ne!(out.status.code(), Some(0));
    assert!(!dir.join("nope").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn limits_hold() {
    let Some(host) = host_test("limits_hold") else {
        return;
    };
    // A string that doubles until the memory limit stops it.
    let out = sh(&["--memory", "32M"], "s=x; while :; do s=\"$s$s\"; done");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(137), "{stderr}");
    assert!(stderr.contains("OOM killer"), "{stderr}");
    // Five processes at most: the init, the shell and three more; the rest cannot fork.
    let out = sh(
        &["--pids", "5"],
        "for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; wait",
    );
    let (_, stderr) = text(&out);
    assert!(stderr.to_lowercase().contains("fork"), "{stderr}");
    assert!(
        stderr.contains("refused at the pids limit (--pids 5)"),
        "{stderr}"
    );
    // On cgroup v2 the box reads its own limits at /sys/fs/cgroup, read-only, as in Docker.
    let out = sh(
        &["--memory", "32M", "--pids", "5"],
        "cd /sys/fs/cgroup; cat memory.max pids.max 2>&1; (echo 9 > pids.max) 2>/dev/null || echo refused",
    );
    let (stdout, stderr) = text(&out);
    if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
        assert_eq!(stdout, "33554432\n5\nrefused\n", "{stderr}");
    } else {
        assert!(
            stdout.contains("No such file"),
            "nothing there on v1: {stdout}"
        );
    }
    // PID 1 is never moved in by its pid (a cgroup.procs write that waits for an RCU grace
    // period): it is cloned into a v2 cgroup and joins v1 ones itself.
    let out = sh(&["--memory", "32M", "--pids", "5", "--trace"], "true");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("cgroup.procs"), "{stderr}");
    let joined = if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
        "clone3({flags=CLONE_NEWPID|CLONE_INTO_CGROUP"
    } else {
        "/tasks\", \"0\") = 1"
    };
    assert!(stderr.contains(joined), "{joined} in {stderr}");
    host.assert_as_found("after the limits");
}

#[test]
fn exit_codes_and_bad_flags() {
    if !root_or_skip("exit_codes_and_bad_flags") {
        return;
    }
    let _one_at_a_time = serial();
    assert_eq!(sh(&[], "exit 3").status.code(), Some(3));
    assert_eq!(run(&["--", "/no/such/program"]).status.code(), Some(127));
    assert_eq!(sh(&[], "kill -9 $$").status.code(), Some(137));
    for (args, flag) in [
        (vec!["--memory", "64Q", "--", "true"], "--memory"),
        (vec!["--cpus", "half", "--", "true"], "--cpus"),
        (vec!["-v", "/no/such/dir:/data", "--", "true"], "-v"),
        (vec!["--hostname", "no spaces", "--", "true"], "--hostname"),
        (vec!["--image", "/no/such/layer", "--", "true"], "--image"),
        (vec!["--memory", "1M", "--", "true"], "--memory"),
        (vec!["--pids", "1", "--", "true"], "--pids"),
        (vec!["-v", "/tmp:/proc", "--", "true"], "-v"),
        (vec!["--cap-drop", "SYS_ADMIN", "--", "true"], "--cap-drop"),
        (vec!["true"], "after `--`"),
        (vec![], "after `--`"),
        (
            vec!["--bogus", "--", "true"],
            "`boxlab run --help` lists the flags",
        ),
        (vec!["--memory", "-1", "--", "true"], "--memory"),
        (vec!["-p", "70000:80", "--", "true"], "65535"),
        (
            vec!["-p", "18475:80", "-p", "18475:81", "--", "true"],
            "-p 18475:81: host port 18475 is already published by -p 18475:80",
        ),
    ] {
        let out = run(&args);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(125), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
}

#[test]
fn signals_reach_the_command() {
    if !root_or_skip("signals_reach_the_command") {
        return;
    }
    let _one_at_a_time = serial();
    let (mut child, _) = start_until_ready(&[], "trap 'exit 42' TERM; echo ready; sleep 30 & wait");
    // boxlab passes SIGTERM to its PID 1, which passes it to the command.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(42));
}

/// cgroup v2, a controller the root did not hand down: the first of two runs at once enables
/// it, the second finds it enabled and shares it (another boxlab's ledger lists it), and the
/// first ends while the second still uses it, leaving it in place (the kernel would let it go,
/// taking the second's limit with it). The last to end takes it out: the root's
/// subtree_control is as found. Skipped on v1, and where
/// the host itself uses the controller (it cannot be taken out for the test).
#[test]
fn two_runs_at_once_take_out_the_controller_they_enabled() {
    if !root_or_skip("two_runs_at_once_take_out_the_controller_they_enabled") {
        return;
    }
    let control = Path::new("/sys/fs/cgroup/cgroup.subtree_control");
    let Ok(found) = std::fs::read_to_string(control) else {
        eprintln!("skipped: not cgroup v2");
        return;
    };
    let _one_at_a_time = serial();
    let had_pids = found.split_whitespace().any(|c| c == "pids");
    if had_pids && std::fs::write(control, "-pids").is_err() {
        eprintln!("skipped: the host's own cgroups use the pids controller");
        return;
    }
    let before = host_snapshot();
    let boxes = box_processes();
    let start = |secs: &str| {
        Command::new(BOXLAB)
            .args(["run", "--pids", "20", "--", "sleep", secs])
            .env("XDG_STATE_HOME", common::state_dir())
            .spawn()
            .unwrap()
    };
    let first = start("0.3");
    std::thread::sleep(std::time::Duration::from_millis(150));
    let second = start("1");
    let first = first.wait_with_output().unwrap().status.code();
    // The second's limit outlives the first run.
    let limits: Vec<_> = std::fs::read_dir("/sys/fs/cgroup")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("boxlab-"))
        .map(|e| std::fs::read_to_string(e.path().join("pids.max")).ok())
        .collect();
    let statuses = [first, second.wait_with_output().unwrap().status.code()];
    let after = host_snapshot();
    if had_pids {
        std::fs::write(control, "+pids").unwrap();
    }
    assert_eq!(statuses, [Some(0), Some(0)]);
    assert_eq!(
        limits,
        [Some("20\n".to_string())],
        "the second run's pids.max"
    );
    assert_eq!(after, before, "the host changed after two runs at once");
    assert_eq!(
        common::wait_no_new_box_processes(&boxes, 5),
        Vec::<String>::new()
    );
}

/// `kill -9` of `boxlab run` itself: PID 1 dies with it (PR_SET_PDEATHSIG), and with it the
/// command and the PID namespace; the cgroup it leaves is removed by `boxlab cleanup`.
#[test]
fn a_killed_run_leaves_nothing_after_cleanup() {
    let Some(host) = host_test("a_killed_run_leaves_nothing_after_cleanup") else {
        return;
    };
    let (mut child, _) = start_until_ready(
        &["--memory", "64M", "--pids", "20", "-v", "/tmp:/host-tmp"],
        "echo ready; sleep 30 & wait",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        common::wait_no_new_box_processes(&host.boxes, 5),
        Vec::<String>::new()
    );
    let out = common::boxlab(&["cleanup"]);
    assert!(out.status.success(), "{}", text(&out).1);
    host.assert_as_found("after kill -9 and boxlab cleanup");
}

/// The chroot escape of the chroot lesson, tried in a running container's mount namespace
/// (joined with setns(2), as `docker exec` does, which puts root and cwd at the container's
/// /): chroot into a subdirectory, chdir("..") far up, chroot("."). After pivot_root there is
/// nothing above the container's / to climb to, so the shell that runs next is the
/// container's. Its network namespace holds only a loopback link.
#[test]
fn the_chroot_escape_ends_inside() {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let Some(host) = host_test("the_chroot_escape_ends_inside") else {
        return;
    };
    let (mut container, links) = start_until_ready(
        &[],
        "echo > /inside-marker; ip -o link; echo ready; sleep 30 & wait",
    );
    assert_eq!(links.len(), 1, "only lo: {links:?}");
    assert!(links[0].contains(": lo:"), "{links:?}");
    // PID 1 is boxlab's only child.
    let children =
        std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", container.id())).unwrap();
    let init = children.split_whitespace().next().expect("PID 1");
    let mnt = std::fs::File::open(format!("/proc/{init}/ns/mnt")).unwrap();
    let fd = mnt.as_raw_fd();
    let mut escape = Command::new("/bin/sh");
    escape.args(["-c", "test -e /inside-marker && echo inside"]);
    // Safe: only raw syscalls on C string literals between fork and exec.
    unsafe {
        escape.pre_exec(move || {
            let ok = |r: libc::c_int| {
                if r == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            };
            ok(libc::setns(fd, libc::CLONE_NEWNS))?;
            libc::mkdir(c"/escape".as_ptr(), 0o755);
            ok(libc::chroot(c"/escape".as_ptr()))?;
            for _ in 0..64 {
                ok(libc::chdir(c"..".as_ptr()))?;
            }
            ok(libc::chroot(c".".as_ptr()))
        });
    }
    let out = escape.output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(
        stdout, "inside\n",
        "the escape left the container: {stderr}"
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(container.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    container.wait().unwrap();
    drop(mnt);
    host.assert_as_found("after the escape");
}

#[test]
fn many_in_a_row_and_at_once_leave_nothing() {
    let Some(host) = host_test("many_in_a_row_and_at_once_leave_nothing") else {
        return;
    };
    for i in 0..200 {
        let out = run(&["--memory", "64M", "--pids", "20", "--", "true"]);
        assert_eq!(out.status.code(), Some(0), "run {i}: {}", text(&out).1);
    }
    let children: Vec<_> = (0..20)
        .map(|_| {
            Command::new(BOXLAB)
                .args([
                    "run",
                    "--memory",
                    "64M",
                    "--pids",
                    "20",
                    "--",
                    "sh",
                    "-c",
                    "sleep 0.2",
                ])
                .env("XDG_STATE_HOME", common::state_dir())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    }
    host.assert_as_found("after 200 runs in a row and 20 at once");
    // With no other boxlab running, the last run took the ledgers' directory with it.
    if host.before.ledgers.is_empty() {
        let base = boxlab::ledger::base_dir();
        assert!(!base.exists(), "{} was left", base.display());
    }
}

/// `-p 18473:80`: a web server in the box (the host's static busybox, bound in read-only)
/// answers on the host's 127.0.0.1:18473 through boxlab's proxy; SIGTERM ends it all, veth
/// included.
#[test]
fn a_published_port_reaches_the_box() {
    if !root_or_skip("a_published_port_reaches_the_box") {
        return;
    }
    let _one_at_a_time = serial();
    let Some(busybox) = host_busybox() else {
        return;
    };
    let before = host_snapshot();
    let boxes = box_processes();
    let www = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("boxlab-www-{}", std::process::id()));
    let mut cmd = Command::new(BOXLAB);
    cmd.env("XDG_STATE_HOME", common::state_dir());
    serve_and_fetch(cmd, &[], busybox, &www, (18473, 80));
    assert_host_as_found(&before, &boxes, "after a published port");
}

/// The host's static busybox (its httpd serves in the box), or None where there is none (not
/// allowed with CI=true).
fn host_busybox() -> Option<&'static str> {
    let found = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|b| std::path::Path::new(b).exists());
    if found.is_none() {
        common::skip_without("static busybox", "busybox-static", "the -p part");
    }
    found
}

/// `boxlab run [extra] -p HOST:BOX` with busybox httpd serving `www` in the box: fetches the
/// page on the host's 127.0.0.1:HOST, then ends it with SIGTERM (128+15), `www` removed.
fn serve_and_fetch(
    mut boxlab: Command,
    extra: &[&str],
    busybox: &str,
    www: &Path,
    ports: (u16, u16),
) {
    std::fs::create_dir_all(www).unwrap();
    std::fs::write(www.join("index.html"), "hello from the box\n").unwrap();
    let bin = Path::new(busybox).parent().unwrap();
    let (host, boxed) = (ports.0.to_string(), ports.1.to_string());
    let child = boxlab
        .arg("run")
        .args(extra)
        .args(["-p", &format!("{host}:{boxed}")])
        .args(["-v", &format!("{}:/hostbin:ro", bin.display())])
        .args(["-v", &format!("{}:/www:ro", www.display())])
        .args([
            "--",
            "/hostbin/busybox",
            "httpd",
            "-f",
            "-p",
            &boxed,
            "-h",
            "/www",
        ])
        .spawn()
        .unwrap();
    let mut body = Err(std::io::Error::other("not tried"));
    for _ in 0..50 {
        body = boxlab::lesson::publish::fetch(ports.0);
        if body.as_ref().is_ok_and(|b| b.contains("hello")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        body.as_ref()
            .is_ok_and(|b| b.contains("hello from the box")),
        "{body:?}"
    );
    assert_eq!(out.status.code(), Some(128 + 15), "httpd ended by SIGTERM");
    std::fs::remove_dir_all(www).unwrap();
}

/// `--oci-bundle DIR` writes the same container as an OCI runtime `config.json`: it validates
/// against the runtime-spec's JSON schema (Debian's golang-github-opencontainers-specs-dev),
/// and where runc is installed, `runc run` on it prints the same hostname.
#[test]
fn the_oci_bundle_validates_and_runc_runs_it() {
    if !root_or_skip("the_oci_bundle_validates_and_runc_runs_it") {
        return;
    }
    let _one_at_a_time = serial();
    let schema = "/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema";
    if !std::path::Path::new(schema).exists() {
        common::skip_without(
            "runtime-spec JSON schema",
            "golang-github-opencontainers-specs-dev",
            "the test",
        );
        return;
    }
    let before = host_snapshot();
    let boxes = box_processes();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("boxlab-bundle-{}", std::process::id()));
    let out = run(&[
        "--oci-bundle",
        dir.to_str().unwrap(),
        "--memory",
        "64M",
        "--pids",
        "20",
        "--hostname",
        "web",
        "--",
        "hostname",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let check = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import json, pathlib, sys, jsonschema\n\
             d = pathlib.Path(sys.argv[1])\n\
             schema = json.loads((d / 'config-schema.json').read_text())\n\
             resolver = jsonschema.RefResolver(d.as_uri() + '/', schema)\n\
             jsonschema.validate(json.loads(pathlib.Path(sys.argv[2]).read_text()), schema, resolver=resolver)\n\
             print('valid')",
            schema,
            dir.join("config.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&check);
    assert_eq!(stdout.trim(), "valid", "{stderr}");
    if common::installed("runc", "runc", "the runc part") {
        let id = format!("boxlab-test-{}", std::process::id());
        let out = Command::new("runc")
            .args(["run", "-b", dir.to_str().unwrap(), &id])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(stdout.trim(), "web", "runc: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert_host_as_found(&before, &boxes, "after the bundle");
}

/// `--rootless` as `nobody`: a user namespace first (the child's root mapped to 65534), then
/// the same container; root inside, an unprivileged uid outside, `-t` too, nothing left behind.
#[test]
fn rootless_as_nobody() {
    if !common::unprivileged_userns_or_skip("rootless_as_nobody") {
        return;
    }
    // util-linux's setpriv, not busybox's (which has no --reuid), for what runs as nobody under
    // another program (script(1), runc): tried as a no-op first.
    let util_linux_setpriv = Command::new("setpriv")
        .args(["--reuid=0", "--regid=0", "--clear-groups", "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !util_linux_setpriv {
        common::skip_without("util-linux setpriv", "util-linux", "the -t and runc parts");
    }
    let _one_at_a_time = serial();
    let before = host_snapshot();
    let boxes = box_processes();
    let (home, mut cmd) = common::boxlab_as_nobody("rootless");
    let out = cmd
        .args(["run", "--rootless", "--hostname", "rl", "--"])
        .args([
            "sh",
            "-c",
            "id -u; hostname; cat /proc/self/uid_map; echo x > /x; exit 4",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(4), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "0", "root inside");
    assert_eq!(lines[1], "rl");
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["0", "65534", "1"],
        "mapped to nobody outside"
    );
    // -t rootless: a pty from the container's own devpts, under util-linux's script(1) for a
    // terminal to relay.
    if util_linux_setpriv {
        let line = format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME={h} XDG_CACHE_HOME={h}/cache \
             XDG_RUNTIME_DIR={h}/run {BOXLAB} run --rootless -t -- readlink /proc/self/fd/0",
            h = home.display()
        );
        let out = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        assert!(stdout.contains("/dev/pts/0"), "{stdout}");
    }
    // -p rootless: no veth; the box's loopback reached from inside its network namespace.
    if let Some(busybox) = host_busybox() {
        let (_, cmd) = common::boxlab_as_nobody("rootless");
        serve_and_fetch(
            cmd,
            &["--rootless"],
            busybox,
            &home.join("www"),
            (18474, 8080),
        );
        let (_, mut cmd) = common::boxlab_as_nobody("rootless");
        let out = cmd
            .args(["run", "--rootless", "-p", "80:80", "--", "true"])
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(125), "{stderr}");
        assert!(
            stderr.contains("-p 80:") && stderr.contains("1024"),
            "{stderr}"
        );
    }
    // The rootless bundle: a user namespace with the same one-line maps, which runc, run as
    // nobody too, accepts.
    if util_linux_setpriv && common::installed("runc", "runc", "the rootless runc part") {
        let bundle = home.join("bundle");
        let (_, mut cmd) = common::boxlab_as_nobody("rootless");
        let out = cmd
            .args([
                "run",
                "--rootless",
                "--oci-bundle",
                bundle.to_str().unwrap(),
            ])
            .args(["--", "cat", "/proc/self/uid_map"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .args([
                "runc",
                "--root",
                home.join("runc").to_str().unwrap(),
                "run",
                "-b",
            ])
            .args([
                bundle.to_str().unwrap(),
                &format!("rootless-{}", std::process::id()),
            ])
            .env("XDG_RUNTIME_DIR", home.join("run"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(
            stdout.split_whitespace().collect::<Vec<_>>(),
            ["0", "65534", "1"],
            "runc as nobody: {stderr}"
        );
    }
    assert!(
        !home.join("run/boxlab").exists(),
        "the run's ledger (and its upper layer) is gone, and the ledgers' directory with it"
    );
    std::fs::remove_dir_all(&home).unwrap();
    assert_host_as_found(&before, &boxes, "after a rootless run");
}

/// Limits without root. On cgroup v2, in a cgroup delegated to nobody as systemd's
/// `Delegate=yes` does it (the directory, its `cgroup.procs` and `cgroup.subtree_control` made
/// nobody's), the box's cgroup is made inside: the OOM kill and the pids limit hold as with
/// root, and the delegated cgroup is left as it was found. Without a delegated cgroup, and on
/// cgroup v1 (which cannot be delegated), boxlab refuses, saying why.
#[test]
fn rootless_limits_in_a_delegated_cgroup() {
    if !common::unprivileged_userns_or_skip("rootless_limits_in_a_delegated_cgroup") {
        return;
    }
    let _one_at_a_time = serial();
    let before = host_snapshot();
    let boxes = box_processes();
    let (home, _) = common::boxlab_as_nobody("delegated");
    let rootless = |cgroup: Option<&Path>, flags: &[&str], script: &str| {
        let (_, mut cmd) = common::boxlab_as_nobody_in("delegated", cgroup);
        let out = cmd
            .args(["run", "--rootless"])
            .args(flags)
            .args(["--", "sh", "-c", script])
            .output()
            .unwrap();
        let base = home.join("run/boxlab");
        assert!(
            !base.exists(),
            "the run's ledger and its directory are gone"
        );
        text(&out).1.to_string() + &format!("\nstatus {:?}", out.status.code())
    };
    let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    // What `boxlab doctor` tells that user, started in `cgroup`.
    let doctor = |cgroup: Option<&Path>| {
        let (_, mut cmd) = common::boxlab_as_nobody_in("delegated", cgroup);
        let out = cmd.arg("doctor").output().unwrap();
        let report = text(&out).0;
        let line = report.lines().find(|l| l.contains("limits without root"));
        line.unwrap_or_default().to_string()
    };
    let refused = rootless(None, &["--memory", "32M"], "true");
    assert!(refused.ends_with("status Some(125)"), "{refused}");
    if !v2 {
        assert!(refused.contains("cgroup v1"), "{refused}");
        assert!(
            doctor(None).contains("not on cgroup v1"),
            "{}",
            doctor(None)
        );
        std::fs::remove_dir_all(&home).unwrap();
        assert_host_as_found(&before, &boxes, "after a refused rootless run");
        return;
    }
    assert!(
        refused.contains("not delegated") && refused.contains("Delegate=yes"),
        "{refused}"
    );
    assert!(doctor(None).contains("not delegated"), "{}", doctor(None));
    let offered = std::fs::read_to_string("/sys/fs/cgroup/cgroup.controllers").unwrap();
    if !["memory", "pids", "cpu"]
        .iter()
        .all(|c| offered.split_whitespace().any(|o| o == *c))
    {
        eprintln!("skipped the delegated part: the root cgroup offers only {offered}");
        std::fs::remove_dir_all(&home).unwrap();
        return;
    }
    let delegated = Path::new("/sys/fs/cgroup").join(format!("boxlab-test-{}", std::process::id()));
    std::fs::create_dir(&delegated).unwrap();
    for f in [
        "",
        "cgroup.procs",
        "cgroup.subtree_control",
        "cgroup.threads",
    ] {
        let nobody = Some(nix::unistd::Uid::from_raw(65534));
        nix::unistd::chown(&delegated.join(f), nobody, None).unwrap();
    }
    let told = doctor(Some(&delegated));
    assert!(
        told.starts_with("ok") && told.contains("delegated cgroup"),
        "{told}"
    );
    let oom = rootless(
        Some(&delegated),
        &["--memory", "32M"],
        "s=x; while :; do s=\"$s$s\"; done",
    );
    assert!(oom.ends_with("status Some(137)"), "{oom}");
    assert!(oom.contains("OOM killer"), "{oom}");
    let pids = rootless(
        Some(&delegated),
        &["--pids", "5", "--cpus", "0.5"],
        "for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait",
    );
    assert!(
        pids.contains("refused at the pids limit (--pids 5)"),
        "{pids}"
    );
    // Killed with SIGKILL: `boxlab cleanup` (as nobody) undoes it from the run's ledger.
    let (_, cmd) = common::boxlab_as_nobody_in("delegated", Some(&delegated));
    let (mut child, _) = start_until_ready_as(
        cmd,
        &["--rootless", "--memory", "32M"],
        "echo ready; sleep 30 & wait",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // Its child in the user namespace dies with it (PR_SET_PDEATHSIG), a moment later.
    let busy = || {
        std::fs::read_dir(&delegated)
            .unwrap()
            .flatten()
            .any(|e| !boxlab::kernel::cgroups::members(&e.path()).is_empty())
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while busy() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (_, mut cleanup) = common::boxlab_as_nobody("delegated");
    let out = cleanup.arg("cleanup").output().unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    // As found: no cgroup inside, no controller passed on, no process left.
    let inside: Vec<_> = std::fs::read_dir(&delegated)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name())
        .collect();
    assert!(inside.is_empty(), "{inside:?}");
    let read = |f: &str| std::fs::read_to_string(delegated.join(f)).unwrap();
    assert_eq!(read("cgroup.subtree_control"), "");
    assert_eq!(read("cgroup.procs"), "");
    std::fs::remove_dir(&delegated).unwrap();
    std::fs::remove_dir_all(&home).unwrap();
    assert_host_as_found(&before, &boxes, "after rootless runs with limits");
}
