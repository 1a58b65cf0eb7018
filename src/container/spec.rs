//! What `boxlab run` is asked for, checked before anything is made: every bad value gets one
//! line naming the flag and the fix.

use std::path::PathBuf;

use crate::kernel::caps::{self, Capability};

/// A directory of the host bound into the container (`-v HOST:BOX[:ro]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    pub host: PathBuf,
    pub target: String,
    pub readonly: bool,
}

/// One `--cap-drop`: a capability of Docker's default set, or all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapDrop {
    All,
    One(Capability),
}

/// What `boxlab run` says when it is given no command.
pub const NO_COMMAND: &str =
    "no command: give one after `--`, e.g. `boxlab run -- /bin/sh -c 'echo hi'`";

/// The container `boxlab run` makes: its flags (clap reads them into this struct) and the
/// image layers found for it.
#[derive(Clone, Debug, PartialEq, clap::Args)]
pub struct Spec {
    /// The image's layers, top first: the lower layers of the overlay (from --rootfs or
    /// --image).
    #[arg(skip)]
    pub layers: Vec<PathBuf>,
    /// Memory limit, like 64M or 1G.
    #[arg(long, value_parser = parse_memory, allow_hyphen_values = true)]
    pub memory: Option<u64>,
    /// CPU limit in CPUs, like 0.5.
    // Kept as a quota in percent of one CPU: 0.5 is 50.
    #[arg(long = "cpus", value_name = "CPUS", value_parser = parse_cpus, allow_hyphen_values = true)]
    pub cpu_percent: Option<u64>,
    /// Most processes at once.
    #[arg(long, value_parser = parse_pids, allow_hyphen_values = true)]
    pub pids: Option<u64>,
    /// The container's hostname.
    #[arg(long, default_value = "box")]
    pub hostname: String,
    /// Bind a host directory in: HOST_DIR:BOX_DIR[:ro|:rw]. Repeatable.
    #[arg(short = 'v', long = "volume", value_parser = parse_volume)]
    pub volumes: Vec<Volume>,
    /// Publish a port on the host's 127.0.0.1: HOST_PORT:BOX_PORT. Repeatable.
    #[arg(short = 'p', long = "publish", value_parser = parse_publish)]
    pub publish: Vec<(u16, u16)>,
    /// Take a capability away from Docker's default 14, as `docker run --cap-drop`: NET_RAW,
    /// CHOWN, ... (CAP_ and lower case are fine too), or ALL. Repeatable.
    #[arg(long = "cap-drop", value_name = "CAP", value_parser = parse_cap_drop)]
    pub cap_drop: Vec<CapDrop>,
    /// Keep stdin attached (otherwise the command reads /dev/null).
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Give the command a terminal of its own (with -i: `-it` for a shell).
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Print the syscalls that built the container on stderr.
    #[arg(long)]
    pub trace: bool,
    /// Without root: a user namespace first, whose root is you (limits only in a cgroup v2
    /// delegated to you; -p from 1024 up).
    #[arg(long)]
    pub rootless: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub argv: Vec<String>,
}

impl Spec {
    /// The capabilities the command keeps (bounding, effective and permitted): Docker's
    /// default set less what --cap-drop took.
    pub fn capabilities(&self) -> Vec<u32> {
        caps::DOCKER_DEFAULT
            .iter()
            .map(|&(n, _)| n)
            .filter(|&n| {
                !self
                    .cap_drop
                    .iter()
                    .any(|d| matches!(d, CapDrop::All) || *d == CapDrop::One(Capability(n)))
            })
            .collect()
    }

    /// Refuses what cannot work before anything is made.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.argv.first().is_some_and(|c| !c.is_empty()),
            "{NO_COMMAND}"
        );
        for layer in &self.layers {
            anyhow::ensure!(
                layer.is_dir(),
                // --rootfs was checked already (rootfs::ensure): this is a layer of --image.
                "--image: {} is not a directory: give the layers as directories, top first, joined by `:`",
                layer.display()
            );
        }
        for (i, &(host, port)) in self.publish.iter().enumerate() {
            if let Some(&(_, first)) = self.publish[..i].iter().find(|&&(h, _)| h == host) {
                anyhow::bail!(
                    "-p {host}:{port}: host port {host} is already published by -p {host}:{first}: \
                     give each -p a host port of its own"
                );
            }
        }
        anyhow::ensure!(
            !self.hostname.is_empty()
                && self.hostname.len() <= 64
                && self
                    .hostname
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
            "--hostname {:?}: use letters, digits, `-` and `.` (64 at most)",
            self.hostname
        );
        Ok(())
    }
}

/// A size as `--memory` takes it: `64M` for 64 MiB, `1G`, `1536K`; bytes if none fits whole.
pub fn show_size(bytes: u64) -> String {
    let unit = [(30, "G"), (20, "M"), (10, "K")]
        .into_iter()
        .find(|(shift, _)| bytes >= 1 << shift && bytes.is_multiple_of(1 << shift));
    match unit {
        Some((shift, name)) => format!("{}{name}", bytes >> shift),
        None => bytes.to_string(),
    }
}

/// `64M`, `1G`, `512k`: a memory size in bytes, for `--memory` (6M at least, as Docker).
pub fn parse_memory(s: &str) -> Result<u64, String> {
    let bytes = crate::lesson::limits::parse_size(s).map_err(|e| format!("--memory {e}"))?;
    if bytes < 6 << 20 {
        return Err(format!("--memory {s}: the minimum is 6M"));
    }
    Ok(bytes)
}

/// `20`: most processes at once, for `--pids`: at least boxlab's init and the command, at most
/// the kernel's own limit on pids (PID_MAX_LIMIT on 64-bit machines).
pub fn parse_pids(s: &str) -> Result<u64, String> {
    const MOST: u64 = 4 << 20;
    // Read as signed, so that `-1` is told the range rather than that it is no number.
    match s.parse::<i64>() {
        Ok(n) if (2..=MOST as i64).contains(&n) => Ok(n as u64),
        Ok(_) => Err(format!(
            "--pids {s}: use a number from 2 (boxlab's init and the command) to {MOST}"
        )),
        Err(_) => Err(format!("--pids \"{s}\" is not a number: use e.g. 20")),
    }
}

/// `0.5`, `2`: CPUs as a quota in percent of one CPU, for `--cpus`.
pub fn parse_cpus(s: &str) -> Result<u64, String> {
    let cpus: f64 = s
        .parse()
        .map_err(|_| format!("--cpus \"{s}\" is not a number: use e.g. 0.5 or 2"))?;
    let online = nix::unistd::sysconf(nix::unistd::SysconfVar::_NPROCESSORS_ONLN)
        .ok()
        .flatten()
        .unwrap_or(1) as f64;
    if !(0.01..=online).contains(&cpus) {
        return Err(format!(
            "--cpus {s}: use a number from 0.01 to {online} (the CPUs of this machine)"
        ));
    }
    Ok((cpus * 100.0).round() as u64)
}

/// `HOST:BOX`, for `-p`: a port on the host's 127.0.0.1 forwarded to the box's port.
pub fn parse_publish(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("-p \"{s}\": use HOST_PORT:BOX_PORT, like 8080:80");
    let (h, b) = s.split_once(':').ok_or_else(bad)?;
    let port = |p: &str| match p.parse::<u64>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        Ok(_) => Err(format!("-p \"{s}\": ports go from 1 to 65535")),
        Err(_) => Err(bad()),
    };
    let (h, b) = (port(h)?, port(b)?);
    // Free now; boxlab binds it once the container is ready.
    std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, h)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            format!("-p {s}: ports below 1024 need root on the host: pick 1024 or above")
        } else {
            format!("-p {s}: 127.0.0.1:{h} is not free ({e}): pick another port")
        }
    })?;
    Ok((h, b))
}

/// `NET_RAW`, `cap_net_raw`, `ALL`: a capability for `--cap-drop`, as Docker takes it.
pub fn parse_cap_drop(s: &str) -> Result<CapDrop, String> {
    let name = s.to_ascii_uppercase();
    if name == "ALL" {
        return Ok(CapDrop::All);
    }
    Capability::try_from(name)
        .map(CapDrop::One)
        .map_err(|e| format!("--cap-drop: {e}, or ALL"))
}

/// `HOST:BOX`, `HOST:BOX:ro` or `HOST:BOX:rw`, for `-v`.
pub fn parse_volume(s: &str) -> Result<Volume, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let (host, target, readonly) = match parts.as_slice() {
        [h, b] => (h, b, false),
        [h, b, "ro"] => (h, b, true),
        [h, b, "rw"] => (h, b, false),
        [_, _, mode] => {
            return Err(format!(
                "-v \"{s}\": the mode `{mode}` is unknown: use ro (read-only) or rw (read-write)"
            ));
        }
        _ => {
            return Err(format!(
                "-v \"{s}\": use HOST_DIR:BOX_DIR, HOST_DIR:BOX_DIR:ro or HOST_DIR:BOX_DIR:rw"
            ));
        }
    };
    if !target.starts_with('/') || target.split('/').any(|c| c == "..") {
        return Err(format!(
            "-v \"{s}\": the path in the box must be absolute, without `..`: like {host}:/data"
        ));
    }
    let top = target.split('/').find(|c| !c.is_empty());
    if matches!(top, None | Some("proc" | "dev" | "sys")) {
        return Err(format!(
            "-v \"{s}\": /, /proc, /dev and /sys are the container's own: pick another path, like {host}:/data"
        ));
    }
    let host = std::path::Path::new(host).canonicalize().map_err(|e| {
        let why = crate::kernel::errno::explain(crate::kernel::errno_of(&e)).0;
        format!("-v \"{s}\": {host}: {why}: create it first")
    })?;
    Ok(Volume {
        host,
        target: target.to_string(),
        readonly,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_shown_as_given() {
        assert_eq!(show_size(32 << 20), "32M");
        assert_eq!(show_size(1 << 30), "1G");
        assert_eq!(show_size(1536 << 10), "1536K");
        assert_eq!(show_size(1000), "1000");
        assert_eq!(parse_memory(&show_size(64 << 20)), Ok(64 << 20));
    }

    #[test]
    fn values() {
        assert_eq!(parse_memory("64M"), Ok(64 << 20));
        assert!(parse_memory("64Q").unwrap_err().starts_with("--memory"));
        assert_eq!(parse_cpus("0.5"), Ok(50));
        assert_eq!(parse_cpus("1"), Ok(100));
        assert!(
            parse_cpus("100000")
                .unwrap_err()
                .contains("CPUs of this machine")
        );
        assert!(parse_memory("1M").unwrap_err().contains("minimum"));
        assert!(parse_cpus("half").unwrap_err().contains("not a number"));
        assert_eq!(parse_pids("20"), Ok(20));
        for bad in ["1", "abc", "99999999999"] {
            assert!(parse_pids(bad).unwrap_err().starts_with("--pids"), "{bad}");
        }
        assert!(parse_cpus("0").is_err());
        let v = parse_volume("/tmp:/data:ro").unwrap();
        assert_eq!((v.target.as_str(), v.readonly), ("/data", true));
        assert!(
            parse_volume("/no/such/dir/x:/data")
                .unwrap_err()
                .contains("create it first")
        );
        assert!(parse_volume("/tmp").is_err());
        assert!(
            parse_volume("/tmp:/www:rx")
                .unwrap_err()
                .contains("the mode `rx`")
        );
        // The whole flag as given, and the way to write it.
        let relative = parse_volume("/tmp:data").unwrap_err();
        assert!(
            relative.contains("\"/tmp:data\"") && relative.contains("/tmp:/data"),
            "{relative}"
        );
        assert!(
            parse_volume("/tmp:/proc/x")
                .unwrap_err()
                .contains("/tmp:/data")
        );
    }
}
