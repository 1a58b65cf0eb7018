//! The layout, limits and usage on fixture trees: a temp directory laid out like
//! /sys/fs/cgroup, with the files a kernel would show.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cgroup/");

fn fixture(name: &str) -> String {
    fs::read_to_string(format!("{FIXTURES}{name}")).unwrap()
}

/// A fresh scratch directory under target/, named for the test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/unit-scratch")
        .join(format!("{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn put(dir: &Path, files: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn hybrid_host_has_every_controller_on_v1() {
    let root = scratch("hybrid");
    put(
        &root.join("sys/fs/cgroup/unified"),
        &[("cgroup.controllers", "hugetlb\n")],
    );
    let layout = Layout::parse(
        &fixture("mountinfo-hybrid.txt"),
        &fixture("proc-cgroup-hybrid.txt"),
        &root,
    );
    let memory = layout.place(Controller::Memory).unwrap();
    assert_eq!(memory.version, Version::V1);
    assert_eq!(memory.mount, root.join("sys/fs/cgroup/memory"));
    assert_eq!(memory.own, "/process_api/fa8ec349");
    assert_eq!(
        layout.place(Controller::Io).unwrap().mount,
        root.join("sys/fs/cgroup/blkio")
    );
    assert_eq!(
        layout.v1("cpuacct").unwrap().mount,
        root.join("sys/fs/cgroup/cpuacct")
    );
    let unified = layout.unified().unwrap();
    assert_eq!(unified.controllers, ["hugetlb"]);
    assert_eq!(unified.own, "/");
    assert_eq!(
        layout.scheme(),
        Some(Scheme::Hybrid(root.join("sys/fs/cgroup/unified")))
    );
    // name=systemd is a hierarchy without controllers; it is listed but never used.
    assert_eq!(
        layout.describe()[0],
        format!("memory  v1  {}", memory.mount.display())
    );
}

#[test]
fn a_controller_left_off_v1_is_used_through_cgroup2() {
    let root = scratch("hybrid-v2-side");
    put(
        &root.join("sys/fs/cgroup/unified"),
        &[("cgroup.controllers", "io pids\n")],
    );
    // The same host, but without the blkio and pids hierarchies mounted.
    let mountinfo: String = fixture("mountinfo-hybrid.txt")
        .lines()
        .filter(|l| !l.contains("/blkio") && !l.contains("/pids"))
        .map(|l| format!("{l}\n"))
        .collect();
    let layout = Layout::parse(&mountinfo, &fixture("proc-cgroup-hybrid.txt"), &root);
    assert_eq!(
        layout.place(Controller::Memory).unwrap().version,
        Version::V1
    );
    assert_eq!(layout.place(Controller::Pids).unwrap().version, Version::V2);
    assert_eq!(layout.place(Controller::Io).unwrap().version, Version::V2);
}

#[test]
fn unified_host() {
    let root = scratch("v2");
    put(
        &root.join("sys/fs/cgroup"),
        &[(
            "cgroup.controllers",
            "cpuset cpu io memory hugetlb pids rdma misc\n",
        )],
    );
    let layout = Layout::parse(
        &fixture("mountinfo-v2.txt"),
        &fixture("proc-cgroup-v2.txt"),
        &root,
    );
    assert_eq!(layout.hierarchies.len(), 1);
    for c in Controller::ALL {
        assert_eq!(layout.place(c).unwrap().version, Version::V2, "{c:?}");
    }
    assert_eq!(
        layout.unified().unwrap().own_dir(),
        root.join("sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope")
    );
    assert!(missing(&layout, &Controller::ALL).is_empty());
    assert_eq!(
        layout.scheme(),
        Some(Scheme::V2(root.join("sys/fs/cgroup")))
    );
}

#[test]
fn v1_container_view_is_relative_to_the_mounted_subtree() {
    let root = scratch("docker");
    let layout = Layout::parse(
        &fixture("mountinfo-v1-docker.txt"),
        &fixture("proc-cgroup-v1-docker.txt"),
        &root,
    );
    let cpu = layout.place(Controller::Cpu).unwrap();
    assert_eq!(cpu.controllers, ["cpu", "cpuacct"]);
    assert_eq!(cpu.own, "/");
    assert_eq!(layout.v1("cpuacct"), Some(cpu));
    assert_eq!(
        missing(&layout, &Controller::ALL),
        [Controller::Io].into_iter().collect()
    );
    assert_eq!(layout.scheme(), Some(Scheme::V1));
    assert_eq!(Layout::default().scheme(), None);
}

#[test]
fn creating_on_v2_enables_controllers_on_the_way_down() {
    let root = scratch("create-v2");
    let cg = root.join("sys/fs/cgroup");
    put(
        &cg,
        &[
            ("cgroup.controllers", "cpu io memory pids\n"),
            ("cgroup.subtree_control", "cpu\n"),
        ],
    );
    let layout = Layout::parse(
        &fixture("mountinfo-v2.txt"),
        &fixture("proc-cgroup-v2.txt"),
        &root,
    );
    let mut made = Vec::new();
    let boxed = BoxCgroup::create(
        &layout,
        "run1",
        "box",
        &[Controller::Memory, Controller::Cpu],
        &mut |m| made.push(m),
    )
    .unwrap();
    // Only what was missing, and in one write.
    assert_eq!(
        fs::read_to_string(cg.join("cgroup.subtree_control")).unwrap(),
        "+memory"
    );
    assert_eq!(
        made,
        [
            Made::FoundEnabled(cg.clone(), Controller::Cpu),
            Made::Enabled(cg.clone(), Controller::Memory),
            Made::Parent(cg.join("boxlab")),
            Made::Parent(cg.join("boxlab/run1")),
            Made::Cgroup(cg.join("boxlab/run1/box")),
        ]
    );
    assert_eq!(
        boxed.dirs().collect::<Vec<_>>(),
        [cg.join("boxlab/run1/box")]
    );
}

#[test]
fn creating_on_v1_makes_a_directory_per_hierarchy_under_the_own_cgroup() {
    let root = scratch("create-v1");
    put(
        &root.join("sys/fs/cgroup/unified"),
        &[("cgroup.controllers", "")],
    );
    for h in ["memory/process_api/fa8ec349", "cpu", "cpuacct", "pids"] {
        fs::create_dir_all(root.join("sys/fs/cgroup").join(h)).unwrap();
    }
    let layout = Layout::parse(
        &fixture("mountinfo-hybrid.txt"),
        &fixture("proc-cgroup-hybrid.txt"),
        &root,
    );
    let boxed = BoxCgroup::create(
        &layout,
        "r",
        "box",
        &[Controller::Memory, Controller::Cpu, Controller::Pids],
        &mut |_| {},
    )
    .unwrap();
    let cg = root.join("sys/fs/cgroup");
    assert_eq!(
        boxed.dirs().collect::<Vec<_>>(),
        [
            cg.join("memory/process_api/fa8ec349/boxlab/r/box"),
            cg.join("cpu/boxlab/r/box"),
            cg.join("cpuacct/boxlab/r/box"),
            cg.join("pids/boxlab/r/box"),
        ]
    );
    // Limits land in each version's own files and units.
    let mem = cg.join("memory/process_api/fa8ec349/boxlab/r/box");
    fs::write(mem.join("memory.memsw.limit_in_bytes"), "").unwrap();
    boxed.set(&Limit::MemoryBytes(64 << 20)).unwrap();
    assert_eq!(
        fs::read_to_string(mem.join("memory.limit_in_bytes")).unwrap(),
        "67108864"
    );
    assert_eq!(
        fs::read_to_string(mem.join("memory.memsw.limit_in_bytes")).unwrap(),
        "67108864"
    );
    boxed
        .set(&Limit::CpuQuota {
            quota_us: 50_000,
            period_us: 100_000,
        })
        .unwrap();
    boxed.set(&Limit::CpuWeight(300)).unwrap();
    let cpu = cg.join("cpu/boxlab/r/box");
    assert_eq!(
        fs::read_to_string(cpu.join("cpu.cfs_quota_us")).unwrap(),
        "50000"
    );
    assert_eq!(
        fs::read_to_string(cpu.join("cpu.cfs_period_us")).unwrap(),
        "100000"
    );
    assert_eq!(fs::read_to_string(cpu.join("cpu.shares")).unwrap(), "3072");
    // No I/O hierarchy among those the box was made with: a clear error, nothing written.
    let err = boxed
        .set(&Limit::IoWriteBps {
            device: (8, 0),
            bps: 1,
        })
        .unwrap_err();
    assert!(err.to_string().contains("io controller"), "{err}");
}

#[test]
fn usage_on_v2() {
    let dir = scratch("usage-v2");
    put(
        &dir,
        &[
            ("memory.current", "52428800\n"),
            ("memory.max", "67108864\n"),
            (
                "memory.events",
                "low 0\nhigh 0\nmax 17\noom 1\noom_kill 1\noom_group_kill 0\n",
            ),
            (
                "cpu.stat",
                "usage_usec 2500000\nuser_usec 2400000\nsystem_usec 100000\nnr_periods 40\nnr_throttled 21\nthrottled_usec 900000\n",
            ),
            ("cpu.max", "50000 100000\n"),
            ("cpu.weight", "100\n"),
            ("pids.current", "20\n"),
            ("pids.max", "20\n"),
            ("pids.events", "max 3\n"),
            (
                "io.stat",
                "254:0 rbytes=4096 wbytes=1048576 rios=1 wios=8 dbytes=0 dios=0\n7:1 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
            ),
            (
                "io.max",
                "254:0 rbps=max wbps=2097152 riops=max wiops=max\n",
            ),
        ],
    );
    let m = v2::memory(&dir).unwrap();
    assert_eq!(
        (m.current, m.limit, m.peak),
        (52428800, Some(67108864), None)
    );
    assert_eq!((m.hit_limit, m.oom_kills), (17, 1));
    let c = v2::cpu(&dir).unwrap();
    assert_eq!(c.usage_usec, 2_500_000);
    assert_eq!(c.quota, Some((50_000, 100_000)));
    assert_eq!(
        (c.periods, c.throttled, c.throttled_usec),
        (40, 21, 900_000)
    );
    let p = v2::pids(&dir).unwrap();
    assert_eq!((p.current, p.limit, p.refused), (20, Some(20), 3));
    let io = v2::io(&dir).unwrap();
    assert_eq!((io.read_bytes, io.write_bytes), (4196, 1048576));
    assert_eq!(io.write_limit, Some(("254:0".into(), 2097152)));
    assert_eq!(v2::parse_cpu_max("max 100000"), None);
    fs::write(dir.join("pids.max"), "max\n").unwrap();
    assert_eq!(v2::pids(&dir).unwrap().limit, None);
}

#[test]
fn usage_on_v1() {
    let dir = scratch("usage-v1");
    let acct = dir.join("acct");
    put(
        &dir,
        &[
            ("memory.usage_in_bytes", "1048576\n"),
            ("memory.limit_in_bytes", "9223372036854771712\n"),
            ("memory.max_usage_in_bytes", "2097152\n"),
            ("memory.failcnt", "5\n"),
            (
                "memory.oom_control",
                "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
            ),
            (
                "cpu.stat",
                "nr_periods 10\nnr_throttled 4\nthrottled_time 120000000\n",
            ),
            ("cpu.cfs_quota_us", "-1\n"),
            ("cpu.cfs_period_us", "100000\n"),
            ("cpu.shares", "1024\n"),
            (
                "blkio.throttle.io_service_bytes",
                "254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\n254:0 Async 12288\n254:0 Total 12288\nTotal 12288\n",
            ),
            ("blkio.throttle.write_bps_device", "254:0 1048576\n"),
        ],
    );
    put(&acct, &[("cpuacct.usage", "3000000000\n")]);
    let m = v1::memory(&dir).unwrap();
    assert_eq!((m.current, m.limit, m.peak), (1048576, None, Some(2097152)));
    assert_eq!((m.hit_limit, m.oom_kills), (5, 2));
    let c = v1::cpu(&dir, &acct).unwrap();
    assert_eq!(
        (c.usage_usec, c.quota, c.weight),
        (3_000_000, None, Some(1024))
    );
    assert_eq!((c.periods, c.throttled, c.throttled_usec), (10, 4, 120_000));
    let io = v1::io(&dir).unwrap();
    assert_eq!((io.read_bytes, io.write_bytes), (4096, 8192));
    assert_eq!(io.write_limit, Some(("254:0".into(), 1048576)));
}

#[test]
fn limit_files_per_version() {
    let io = Limit::IoWriteBps {
        device: (254, 0),
        bps: 2 << 20,
    };
    assert_eq!(v2::file_for(&io), ("io.max", "254:0 wbps=2097152".into()));
    assert_eq!(
        v1::file_for(&io),
        ("blkio.throttle.write_bps_device", "254:0 2097152".into())
    );
    assert_eq!(v2::file_for(&Limit::Pids(20)), ("pids.max", "20".into()));
    assert_eq!(v1::shares(100), 1024);
}

#[test]
fn cpu_and_cpuacct_mounted_together_make_one_directory() {
    let root = scratch("comount");
    for h in ["cpu,cpuacct", "memory", "pids"] {
        fs::create_dir_all(root.join("sys/fs/cgroup").join(h)).unwrap();
    }
    let layout = Layout::parse(
        &fixture("mountinfo-v1-docker.txt"),
        &fixture("proc-cgroup-v1-docker.txt"),
        &root,
    );
    let boxed = BoxCgroup::create(
        &layout,
        "r",
        "box",
        &[Controller::Cpu, Controller::Memory],
        &mut |_| {},
    )
    .unwrap();
    let cg = root.join("sys/fs/cgroup");
    assert_eq!(
        boxed.dirs().collect::<Vec<_>>(),
        [
            cg.join("cpu,cpuacct/boxlab/r/box"),
            cg.join("memory/boxlab/r/box")
        ]
    );
    // Usage comes from the one directory: cpu.stat and cpuacct.usage side by side.
    put(
        &cg.join("cpu,cpuacct/boxlab/r/box"),
        &[
            ("cpuacct.usage", "5000000\n"),
            ("cpu.stat", "nr_periods 3\n"),
        ],
    );
    let cpu = boxed.usage().cpu.unwrap();
    assert_eq!((cpu.usage_usec, cpu.periods), (5000, 3));
}
