//! The network layer for real, as root: a veth pair between the test (the host side) and a
//! `unshare --net sleep` process (the box), configured with `kernel::net` on both sides, read
//! back with `probe::net`, compared with iproute2's JSON as an outside witness, pinged both ways,
//! then deleted, with the host's link list compared before and after.
//!
//! The box side runs on a thread that joined the child's network namespace with setns(2): a
//! network namespace belongs to a thread, so the test's other threads stay on the host. Traffic
//! only ever goes between the host and that namespace, on a /30 in 10.213.0.0/16 that the host
//! does not route yet; every ping first checks (`ip route get`) that it would leave by our veth.

mod common;

use std::net::Ipv4Addr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use boxlab::kernel::net;
use boxlab::kernel::{SyscallRecord, take_records};
use boxlab::probe::net::{Link, NetView, Route, collect};
use nix::errno::Errno;
use nix::sched::CloneFlags;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

/// Deletes the links the test created and kills the child by its pid, even when an assertion
/// fails halfway.
struct Cleanup {
    links: Vec<String>,
    child: Child,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for link in &self.links {
            // Deleting the host end deletes the box end too, wherever it is. ENODEV: already gone.
            match net::delete_link(link) {
                Ok(()) => eprintln!("cleanup: deleted {link}"),
                Err(e) if e.errno == Errno::ENODEV => {}
                Err(e) => eprintln!("cleanup: could not delete {link}: {e}"),
            }
        }
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

/// `unshare --net sleep 60`: unshare(1) moves itself into a new network namespace and execs
/// sleep, so the child's pid names the box's namespace. Returns once the child is in it.
fn spawn_box() -> Child {
    let mut cmd = Command::new("unshare");
    cmd.args(["--net", "sleep", "60"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // If the test process dies, so does the box (and with it the veth).
    unsafe {
        cmd.pre_exec(boxlab::kernel::process::die_with_parent);
    }
    let mut child = cmd.spawn().expect("running unshare(1) from util-linux");
    let ours = std::fs::read_link("/proc/self/ns/net").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match std::fs::read_link(format!("/proc/{}/ns/net", child.id())) {
            Ok(ns) if ns != ours => return child,
            _ if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("unshare --net did not enter a new network namespace within 5 s");
            }
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Runs `f` on a thread that joined `pid`'s network namespace with setns(2); returns what `f`
/// returned and the syscall records it left (records are per thread).
fn in_netns_of<T: Send + 'static>(
    pid: u32,
    f: impl FnOnce() -> T + Send + 'static,
) -> (T, Vec<SyscallRecord>) {
    let thread = std::thread::spawn(move || {
        let ns = std::fs::File::open(format!("/proc/{pid}/ns/net")).unwrap();
        nix::sched::setns(&ns, CloneFlags::CLONE_NEWNET).expect("setns(CLONE_NEWNET)");
        take_records();
        let out = f();
        (out, take_records())
    });
    thread
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// True when the two prefixes share an address.
fn overlaps(a: Ipv4Addr, pa: u8, b: Ipv4Addr, pb: u8) -> bool {
    let p = u32::from(pa.min(pb));
    let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
    u32::from(a) & mask == u32::from(b) & mask
}

/// A 10.213.N.0/30 that no host address or non-default route touches, starting from the pid so
/// that two test runs at once pick different ones.
fn free_subnet(host: &NetView) -> u8 {
    let start = std::process::id() as usize;
    (0..256)
        .map(|i| ((start + i) % 256) as u8)
        .find(|&n| {
            let net = Ipv4Addr::new(10, 213, n, 0);
            let routed = host
                .routes
                .iter()
                .any(|r| r.prefix > 0 && overlaps(r.dst, r.prefix, net, 30));
            let addressed = host
                .links
                .iter()
                .flat_map(|l| &l.addrs)
                .any(|&(a, p)| overlaps(a, p, net, 30));
            !routed && !addressed
        })
        .expect("every /30 of 10.213.0.0/16 is in use on this host")
}

/// `ip -j ARGS`, in `pid`'s network namespace through nsenter(1) when given.
fn ip_json(netns_of: Option<u32>, args: &[&str]) -> Value {
    let mut cmd = match netns_of {
        Some(pid) => {
            let mut c = Command::new("nsenter");
            c.args(["-t", &pid.to_string(), "-n", "ip"]);
            c
        }
        None => Command::new("ip"),
    };
    let out = cmd.arg("-j").args(args).output().expect("running ip(8)");
    assert!(
        out.status.success(),
        "ip -j {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("ip -j prints JSON")
}

/// The same view, as iproute2 reads it: `ip -j -d link`, `ip -j -4 addr`, `ip -j -4 route`.
fn iproute2_view(netns_of: Option<u32>) -> NetView {
    let addrs = ip_json(netns_of, &["-4", "addr", "show"]);
    let mut links: Vec<Link> = ip_json(netns_of, &["-d", "link", "show"])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let flags: Vec<&str> = l["flags"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            Link {
                index: l["ifindex"].as_u64().unwrap() as u32,
                name: l["ifname"].as_str().unwrap().into(),
                up: flags.contains(&"UP"),
                lower_up: flags.contains(&"LOWER_UP"),
                kind: l["linkinfo"]["info_kind"].as_str().map(String::from),
                addrs: Vec::new(),
            }
        })
        .collect();
    for a in addrs.as_array().unwrap() {
        // `ip -4` prints `{}` for links without an IPv4 address.
        let Some(index) = a["ifindex"].as_u64() else {
            continue;
        };
        let link = links
            .iter_mut()
            .find(|l| u64::from(l.index) == index)
            .expect("ip addr names a link ip link listed");
        for info in a["addr_info"].as_array().unwrap() {
            let addr = info["local"].as_str().unwrap().parse().unwrap();
            let prefix = info["prefixlen"].as_u64().unwrap() as u8;
            link.addrs.push((addr, prefix));
        }
    }
    let routes = ip_json(netns_of, &["-4", "route", "show"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (dst, prefix) = match r["dst"].as_str().unwrap() {
                "default" => (Ipv4Addr::UNSPECIFIED, 0),
                d => match d.split_once('/') {
                    Some((a, p)) => (a.parse().unwrap(), p.parse().unwrap()),
                    None => (d.parse().unwrap(), 32),
                },
            };
            Route {
                dst,
                prefix,
                gateway: r["gateway"].as_str().map(|g| g.parse().unwrap()),
                dev: r["dev"].as_str().unwrap().into(),
            }
        })
        .collect();
    NetView { links, routes }
}

/// The device the host's kernel would send a packet for `addr` by (`ip route get`): a ping is
/// only sent when this is our veth, so nothing ever leaves by eth0.
fn route_dev(addr: Ipv4Addr) -> String {
    let r = ip_json(None, &["route", "get", &addr.to_string()]);
    r[0]["dev"].as_str().unwrap_or_default().to_string()
}

fn names(view: &NetView) -> Vec<String> {
    let mut n: Vec<_> = view.links.iter().map(|l| l.name.clone()).collect();
    n.sort();
    n
}

/// The host's link names without other boxlab runs' `bl...` links: another test or lesson on
/// this machine may create or delete its own at any moment. Ours (`bl<our pid>...`) stay in.
fn host_names(view: &NetView) -> Vec<String> {
    let ours = format!("bl{}", std::process::id());
    names(view)
        .into_iter()
        .filter(|n| !n.starts_with("bl") || n.starts_with(&ours))
        .collect()
}

fn show(records: &[SyscallRecord]) {
    for r in records {
        eprintln!("  {}", r.line(boxlab::lang::Lang::En, 1));
    }
}

#[test]
fn veth_between_the_host_and_a_network_namespace() {
    if !common::root_or_skip("veth_between_the_host_and_a_network_namespace") {
        return;
    }
    let pid = std::process::id();
    let host_end = format!("bl{pid}h");
    let box_end = format!("bl{pid}b");
    let spare = format!("bl{pid}x");
    assert!(host_end.len() <= 15, "IFNAMSIZ");

    let before = collect().expect("host view");
    for name in [&host_end, &box_end, &spare] {
        assert!(before.link(name).is_none(), "{name} exists already");
    }
    let n = free_subnet(&before);
    let host_ip = Ipv4Addr::new(10, 213, n, 1);
    let box_ip = Ipv4Addr::new(10, 213, n, 2);
    let subnet = Ipv4Addr::new(10, 213, n, 0);
    eprintln!("using {host_end} ({host_ip}/30) and {box_end} ({box_ip}/30)");

    let cleanup = Cleanup {
        links: vec![host_end.clone(), spare.clone()],
        child: spawn_box(),
    };
    let child = cleanup.child.id();
    take_records();

    // Host side: the pair, the far end sent into the box, an address, up.
    net::create_veth(&host_end, &box_end).unwrap();
    net::move_to_netns(&box_end, net::Netns::Of(child as i32)).unwrap();
    net::add_ipv4(&host_end, host_ip, 30).unwrap();
    net::set_up(&host_end).unwrap();
    let records = take_records();
    eprintln!("host side:");
    show(&records);
    assert_eq!(records.len(), 4, "one record per request");
    for r in &records {
        assert_eq!((r.call.as_str(), r.result.as_str()), ("sendmsg", "0"));
        assert_eq!(r.errno, None);
        assert!(r.args.starts_with("NETLINK_ROUTE, RTM_NEW"), "{}", r.args);
    }
    assert_eq!(
        records[0].args,
        format!(
            "NETLINK_ROUTE, RTM_NEWLINK {{ifname=\"{host_end}\", kind=\"veth\", peer=\"{box_end}\"}}"
        )
    );
    assert!(records[1].args.ends_with(&format!("net_ns_pid={child}}}")));

    // Failures are records too: the name is taken; the far end is no longer on the host.
    let taken = net::create_veth(&host_end, &spare).unwrap_err();
    assert_eq!((taken.call, taken.errno), ("sendmsg", Errno::EEXIST));
    let gone = net::set_up(&box_end).unwrap_err();
    assert_eq!((gone.call, gone.errno), ("if_nametoindex", Errno::ENODEV));
    let records = take_records();
    eprintln!("failures:");
    show(&records);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].result, "-1");
    assert_eq!(records[0].errno.as_deref(), Some("EEXIST"));
    assert_eq!(records[1].errno.as_deref(), Some("ENODEV"));

    // Box side, from a thread inside the child's namespace.
    let (b, bip) = (box_end.clone(), box_ip);
    let ((unreachable, fresh, configured), records) = in_netns_of(child, move || {
        // With lo down there is not even a route to 127.0.0.1.
        let unreachable = net::ping(Ipv4Addr::LOCALHOST, Duration::from_millis(500));
        let fresh = collect();
        net::add_ipv4(&b, bip, 30).unwrap();
        net::set_up(&b).unwrap();
        net::set_up("lo").unwrap();
        (unreachable, fresh, collect())
    });
    eprintln!("box side:");
    show(&records);
    let unreachable = unreachable.unwrap_err();
    assert_eq!(
        (unreachable.call, unreachable.errno),
        ("sendto", Errno::ENETUNREACH)
    );
    assert_eq!(records.len(), 4, "sendto, then three requests");

    let fresh = fresh.unwrap();
    assert_eq!(names(&fresh), [box_end.clone(), "lo".to_string()]);
    let arrived = fresh.link(&box_end).unwrap();
    assert_eq!(arrived.kind.as_deref(), Some("veth"));
    assert!(!arrived.up && arrived.addrs.is_empty(), "{arrived:?}");
    assert!(!fresh.link("lo").unwrap().up);
    assert_eq!(fresh.routes, [], "a fresh namespace has no routes");

    let configured = configured.unwrap();
    let veth = configured.link(&box_end).unwrap();
    assert!(
        veth.up && veth.lower_up,
        "both ends up: carrier on: {veth:?}"
    );
    assert_eq!(veth.addrs, [(box_ip, 30)]);
    let lo = configured.link("lo").unwrap();
    assert!(lo.up);
    assert_eq!(lo.addrs, [(Ipv4Addr::LOCALHOST, 8)]);
    assert_eq!(
        configured.routes,
        [Route {
            dst: subnet,
            prefix: 30,
            gateway: None,
            dev: box_end.clone(),
        }],
        "the kernel added the subnet's route with the address"
    );
    // iproute2, run in the same namespace, sees exactly the same.
    assert_eq!(configured, iproute2_view(Some(child)));

    // The host's side of it, also against iproute2 (only our link: the host is shared).
    let host = collect().unwrap();
    let ours = host.link(&host_end).unwrap();
    assert!(ours.up && ours.lower_up && ours.kind.as_deref() == Some("veth"));
    assert_eq!(ours.addrs, [(host_ip, 30)]);
    assert!(host.link(&box_end).is_none());
    let via_ours: Vec<_> = host.routes.iter().filter(|r| r.dev == host_end).collect();
    assert_eq!(
        via_ours,
        [&Route {
            dst: subnet,
            prefix: 30,
            gateway: None,
            dev: host_end.clone(),
        }]
    );
    let witness = iproute2_view(None);
    assert_eq!(witness.link(&host_end), Some(ours));
    let witness_routes: Vec<_> = witness
        .routes
        .iter()
        .filter(|r| r.dev == host_end)
        .collect();
    assert_eq!(witness_routes, via_ours);

    // Ping the box from the host, then the host from the box.
    assert_eq!(route_dev(box_ip), host_end);
    let rtt = net::ping(box_ip, Duration::from_secs(2)).unwrap();
    let records = take_records();
    eprintln!("ping {box_ip}: {rtt:?}");
    show(&records);
    assert_eq!(records.len(), 2);
    assert_eq!(
        (records[0].call.as_str(), records[0].result.as_str()),
        ("sendto", "64")
    );
    assert_eq!(
        (records[1].call.as_str(), records[1].result.as_str()),
        ("recvfrom", "84"),
        "20 bytes of IP header, then the 64 we sent"
    );
    let (back, _) = in_netns_of(child, move || net::ping(host_ip, Duration::from_secs(2)));
    eprintln!("ping {host_ip} from the box: {:?}", back.unwrap());

    // The box's end down: the host's end loses its carrier, the route stays (linkdown) and the
    // echo request is sent but nobody answers.
    let b = box_end.clone();
    in_netns_of(child, move || net::set_down(&b).unwrap());
    let host = collect().unwrap();
    assert!(!host.link(&host_end).unwrap().lower_up, "carrier off");
    if route_dev(box_ip) == host_end {
        let timeout = net::ping(box_ip, Duration::from_millis(300)).unwrap_err();
        let records = take_records();
        eprintln!("ping with the far end down:");
        show(&records);
        assert_eq!(
            (timeout.call, timeout.errno),
            ("recvfrom", Errno::ETIMEDOUT)
        );
        assert_eq!(records[0].result, "64", "sent all the same");
    } else {
        eprintln!("skipped the timeout ping: this host ignores routes with link down");
    }

    // Delete: both ends go, the host's links are what they were.
    take_records();
    net::delete_link(&host_end).unwrap();
    let records = take_records();
    show(&records);
    assert_eq!(records[0].args, {
        let index = ours.index;
        format!("NETLINK_ROUTE, RTM_DELLINK {{ifindex={index} (\"{host_end}\")}}")
    });
    let (left_in_box, _) = in_netns_of(child, collect);
    assert_eq!(
        names(&left_in_box.unwrap()),
        ["lo"],
        "the box's end went too"
    );
    let after = collect().unwrap();
    assert_eq!(
        host_names(&after),
        host_names(&before),
        "host links as before"
    );
    assert_eq!(
        host_names(&iproute2_view(None)),
        host_names(&before),
        "as ip sees them"
    );
    assert!(
        !after.routes.iter().any(|r| r.dst == subnet),
        "the subnet's route went with the link"
    );
    let again = net::delete_link(&host_end).unwrap_err();
    assert_eq!(again.errno, Errno::ENODEV);

    drop(cleanup);
    assert!(
        !std::path::Path::new(&format!("/proc/{child}")).exists(),
        "the child is killed and reaped"
    );
}
