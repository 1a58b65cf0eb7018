//! The network as the caller sees it: the links, IPv4 addresses and IPv4 routes (main table) of
//! its network namespace, read with rtnetlink(7) dumps: what `ip link`, `ip -4 addr` and
//! `ip route` print.
//!
//! [`collect`] asks the kernel ([`crate::kernel::net::dump`]); the parsers are pure functions over
//! the raw answers, tested on dumps captured on this project's host and in a fresh network
//! namespace (`tests/fixtures/netlink`). A netlink socket answers for the namespace it was
//! created in, so the same code run in the box gives the box's view.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::Probed;
use crate::kernel::net::uapi::*;
use crate::kernel::net::{Dump, ack_result, attributes, dump, messages, u32_at};
use crate::lang::Detail;

/// The network part of a view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetView {
    /// Every link, in ifindex order (the kernel's).
    pub links: Vec<Link>,
    /// IPv4 unicast routes of the main table, the ones `ip route` prints, in the kernel's order.
    pub routes: Vec<Route>,
}

/// One network interface (`ip link`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The ifindex: netlink names links by number, unique within one network namespace only.
    pub index: u32,
    pub name: String,
    /// IFF_UP: someone set it up (`ip link set NAME up`).
    pub up: bool,
    /// IFF_LOWER_UP: the carrier is on. A veth has it when both of its ends are up.
    pub lower_up: bool,
    /// The driver kind from IFLA_LINKINFO (`veth`, `bridge`, `ifb`...); None for `lo` and most
    /// hardware.
    pub kind: Option<String>,
    /// IPv4 addresses with their prefix length, in the kernel's order.
    pub addrs: Vec<(Ipv4Addr, u8)>,
}

/// One IPv4 route of the main table (`ip route`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The destination network; `0.0.0.0` with prefix 0 is the default route.
    pub dst: Ipv4Addr,
    pub prefix: u8,
    /// The next hop, for routes that leave the link's own subnet.
    pub gateway: Option<Ipv4Addr>,
    /// The link the route leaves by.
    pub dev: String,
}

impl NetView {
    pub fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }
}

/// Reads the caller's network namespace: three dumps (links, IPv4 addresses, IPv4 routes).
pub fn collect() -> Probed<NetView> {
    let read = |what| dump(what).map_err(|e| e.to_string());
    let view = || {
        parse(
            &read(Dump::Links)?,
            &read(Dump::Ipv4Addrs)?,
            &read(Dump::Ipv4Routes)?,
        )
    };
    view().map_err(Detail::same)
}

/// Builds a view from the raw answers to the three dumps: addresses go to their link by index,
/// routes name their link.
pub fn parse(links: &[u8], addrs: &[u8], routes: &[u8]) -> Result<NetView, String> {
    let mut links = parse_links(links)?;
    for (index, addr, prefix) in parse_addrs(addrs)? {
        // An address of a link that appeared between the two dumps has nowhere to go.
        if let Some(link) = links.iter_mut().find(|l| l.index == index) {
            link.addrs.push((addr, prefix));
        }
    }
    let routes = parse_routes(routes, &links)?;
    Ok(NetView { links, routes })
}

/// The RTM_NEWLINK messages of a link dump (struct ifinfomsg, then IFLA_* attributes). A link
/// without a name is skipped; `addrs` are left empty (see [`parse_addrs`]).
pub fn parse_links(buf: &[u8]) -> Result<Vec<Link>, String> {
    let mut out = Vec::new();
    for body in bodies(buf, RTM_NEWLINK)? {
        let (Some(index), Some(flags), Some(attrs)) =
            (u32_at(body, 4), u32_at(body, 8), body.get(IFINFOMSG_LEN..))
        else {
            return Err(format!("RTM_NEWLINK of {} bytes: too short", body.len()));
        };
        let mut name = None;
        let mut kind = None;
        for (attr, value) in attributes(attrs) {
            match attr {
                IFLA_IFNAME => name = Some(c_string(value)),
                IFLA_LINKINFO => {
                    kind = attributes(value)
                        .find(|(a, _)| *a == IFLA_INFO_KIND)
                        .map(|(_, v)| c_string(v));
                }
                _ => {}
            }
        }
        let Some(name) = name else { continue };
        out.push(Link {
            index,
            name,
            up: flags & IFF_UP != 0,
            lower_up: flags & IFF_LOWER_UP != 0,
            kind,
            addrs: Vec::new(),
        });
    }
    Ok(out)
}

/// The RTM_NEWADDR messages of an address dump as (ifindex, address, prefix length). IFA_LOCAL
/// is the link's own address; IFA_ADDRESS is the same except on point-to-point links, where it
/// is the far end, so it is only a fallback. Non-IPv4 addresses are skipped.
pub fn parse_addrs(buf: &[u8]) -> Result<Vec<(u32, Ipv4Addr, u8)>, String> {
    let mut out = Vec::new();
    for body in bodies(buf, RTM_NEWADDR)? {
        let Some(index) = u32_at(body, 4) else {
            return Err(format!("RTM_NEWADDR of {} bytes: too short", body.len()));
        };
        if body[0] != AF_INET {
            continue;
        }
        let (mut local, mut address) = (None, None);
        for (attr, value) in attributes(&body[IFADDRMSG_LEN..]) {
            match attr {
                IFA_LOCAL => local = ipv4(value),
                IFA_ADDRESS => address = ipv4(value),
                _ => {}
            }
        }
        if let Some(addr) = local.or(address) {
            out.push((index, addr, body[1]));
        }
    }
    Ok(out)
}

/// The routes of a route dump (struct rtmsg, then RTA_* attributes) that `ip route` shows: IPv4,
/// main table, unicast, leaving by one link. Local and broadcast routes live in the local table;
/// multipath routes (no single RTA_OIF) are skipped. A link index not in `links` (a link that
/// appeared between the dumps) is shown as `if7`.
pub fn parse_routes(buf: &[u8], links: &[Link]) -> Result<Vec<Route>, String> {
    let mut out = Vec::new();
    for body in bodies(buf, RTM_NEWROUTE)? {
        if body.len() < RTMSG_LEN {
            return Err(format!("RTM_NEWROUTE of {} bytes: too short", body.len()));
        }
        let (family, prefix, rtm_type) = (body[0], body[1], body[7]);
        // rtm_table is a byte; tables above 255 are in RTA_TABLE, which wins when present.
        let mut table = u32::from(body[4]);
        let (mut dst, mut gateway, mut oif) = (Ipv4Addr::UNSPECIFIED, None, None);
        for (attr, value) in attributes(&body[RTMSG_LEN..]) {
            match attr {
                RTA_TABLE => table = u32_at(value, 0).unwrap_or(table),
                RTA_DST => dst = ipv4(value).unwrap_or(dst),
                RTA_GATEWAY => gateway = ipv4(value),
                RTA_OIF => oif = u32_at(value, 0),
                _ => {}
            }
        }
        let wanted = family == AF_INET
            && table == u32::from(RT_TABLE_MAIN)
            && rtm_type == RTN_UNICAST
            && prefix <= 32;
        let Some(oif) = oif.filter(|_| wanted) else {
            continue;
        };
        let dev = links
            .iter()
            .find(|l| l.index == oif)
            .map(|l| l.name.clone())
            .unwrap_or_else(|| format!("if{oif}"));
        out.push(Route {
            dst,
            prefix,
            gateway,
            dev,
        });
    }
    Ok(out)
}

/// The payloads of the messages of type `kind` in a dump, up to NLMSG_DONE. A framing error, or
/// an NLMSG_ERROR carrying an errno, is an error; other message types are skipped.
fn bodies(buf: &[u8], kind: u16) -> Result<Vec<&[u8]>, String> {
    let mut out = Vec::new();
    for m in messages(buf) {
        let m = m?;
        match m.kind {
            NLMSG_DONE => break,
            NLMSG_ERROR => {
                ack_result(m.payload).map_err(|e| format!("the kernel refused the dump: {e}"))?
            }
            k if k == kind => out.push(m.payload),
            _ => {}
        }
    }
    Ok(out)
}

/// A 4-byte attribute value as an address (network byte order).
fn ipv4(value: &[u8]) -> Option<Ipv4Addr> {
    let octets: [u8; 4] = value.try_into().ok()?;
    Some(Ipv4Addr::from(octets))
}

/// A string attribute: up to its NUL if it has one (IFLA_IFNAME does, IFLA_INFO_KIND may not).
fn c_string(value: &[u8]) -> String {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    String::from_utf8_lossy(&value[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/netlink");

    fn fixture(name: &str, part: &str) -> Vec<u8> {
        let path = format!("{DIR}/{name}-{part}.bin");
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn fixture_view(name: &str) -> NetView {
        parse(
            &fixture(name, "links"),
            &fixture(name, "addrs"),
            &fixture(name, "routes"),
        )
        .unwrap()
    }

    fn link(index: u32, name: &str, up: bool, kind: Option<&str>) -> Link {
        Link {
            index,
            name: name.into(),
            up,
            lower_up: up,
            kind: kind.map(String::from),
            addrs: Vec::new(),
        }
    }

    fn route(dst: [u8; 4], prefix: u8, gateway: Option<[u8; 4]>, dev: &str) -> Route {
        Route {
            dst: dst.into(),
            prefix,
            gateway: gateway.map(Ipv4Addr::from),
            dev: dev.into(),
        }
    }

    /// Captured on the project's test host (a VM: eth0 on 192.0.2.0/24, two ifb links).
    #[test]
    fn host_dump() {
        let view = fixture_view("host");
        let mut lo = link(1, "lo", true, None);
        lo.addrs = vec![(Ipv4Addr::LOCALHOST, 8)];
        let mut eth0 = link(4, "eth0", true, None);
        eth0.addrs = vec![(Ipv4Addr::new(192, 0, 2, 2), 24)];
        assert_eq!(
            view.links,
            [
                lo,
                link(2, "ifb0", false, Some("ifb")),
                link(3, "ifb1", false, Some("ifb")),
                eth0
            ]
        );
        assert_eq!(
            view.routes,
            [
                route([0, 0, 0, 0], 0, Some([192, 0, 2, 1]), "eth0"),
                route([192, 0, 2, 0], 24, None, "eth0"),
            ],
            "main table only: no local or broadcast routes"
        );
    }

    /// Captured in a fresh `unshare -n`: only lo, down, no address, no route.
    #[test]
    fn fresh_namespace_dump() {
        let view = fixture_view("fresh");
        assert_eq!(view.links, [link(1, "lo", false, None)]);
        assert_eq!(view.routes, []);
    }

    /// Captured in an `unshare -n` holding a veth pair: blcap0 with 10.213.0.2/30 and up, its
    /// peer blcap1 up too, and lo up.
    #[test]
    fn box_dump() {
        let view = fixture_view("box");
        let names: Vec<_> = view.links.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["lo", "blcap1", "blcap0"]);
        let veth = view.link("blcap0").unwrap();
        assert_eq!(veth.kind.as_deref(), Some("veth"));
        assert!(veth.up && veth.lower_up);
        assert_eq!(veth.addrs, [(Ipv4Addr::new(10, 213, 0, 2), 30)]);
        assert_eq!(view.link("lo").unwrap().addrs, [(Ipv4Addr::LOCALHOST, 8)]);
        assert_eq!(view.routes, [route([10, 213, 0, 0], 30, None, "blcap0")]);
        // serde round trip: the view travels from the box agent as JSON.
        let json = serde_json::to_string(&view).unwrap();
        assert_eq!(serde_json::from_str::<NetView>(&json).unwrap(), view);
    }

    #[test]
    fn truncated_dumps_fail_or_stop_and_never_panic() {
        for name in ["host", "fresh", "box"] {
            for part in ["links", "addrs", "routes"] {
                let full = fixture(name, part);
                let mut boundaries = 0;
                for cut in 0..full.len() {
                    let bytes = &full[..cut];
                    let r = match part {
                        "links" => parse_links(bytes).map(|v| v.len()),
                        "addrs" => parse_addrs(bytes).map(|v| v.len()),
                        _ => parse_routes(bytes, &[]).map(|v| v.len()),
                    };
                    // A cut between two messages reads the messages before it; a cut inside
                    // one is an error.
                    if r.is_ok() {
                        boundaries += 1;
                    }
                }
                let count = messages(&full).count();
                assert!(boundaries >= 1, "{name}-{part}: empty input is fine");
                assert!(
                    boundaries <= count,
                    "{name}-{part}: {boundaries} cuts read, {count} messages"
                );
            }
        }
    }

    #[test]
    fn garbage_never_panics() {
        // A fixed xorshift sequence: different bytes each round, the same on every run.
        let mut x: u32 = 0x2545_f491;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for len in 0..400 {
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            // Half of the rounds get a plausible header so the body parsers run too.
            if len >= 16 && len % 2 == 0 {
                bytes[0..4].copy_from_slice(&(len as u32).to_ne_bytes());
                let kind = [RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE][len % 3];
                bytes[4..6].copy_from_slice(&kind.to_ne_bytes());
            }
            let _ = parse(&bytes, &bytes, &bytes);
        }
    }

    #[test]
    fn short_bodies_and_kernel_errors() {
        // A message header with a body too short for its fixed struct.
        let mut short = vec![22, 0, 0, 0];
        short.extend_from_slice(&RTM_NEWLINK.to_ne_bytes());
        short.extend_from_slice(&[0; 16]);
        assert!(parse_links(&short).unwrap_err().contains("too short"));
        short[4..6].copy_from_slice(&RTM_NEWADDR.to_ne_bytes());
        assert!(parse_addrs(&short).unwrap_err().contains("too short"));
        short[4..6].copy_from_slice(&RTM_NEWROUTE.to_ne_bytes());
        assert!(parse_routes(&short, &[]).unwrap_err().contains("too short"));
        // NLMSG_ERROR with -EPERM instead of a dump.
        let mut refused = vec![20, 0, 0, 0];
        refused.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
        refused.extend_from_slice(&[0; 10]);
        refused.extend_from_slice(&(-1i32).to_ne_bytes());
        assert!(parse_links(&refused).unwrap_err().contains("EPERM"));
        // Messages after NLMSG_DONE are not read.
        let mut done = fixture("fresh", "links");
        done.extend_from_slice(&[0xff; 7]);
        assert_eq!(parse_links(&done).unwrap().len(), 1);
        assert_eq!(parse_links(&[]).unwrap(), []);
    }

    /// Writes `tests/fixtures/netlink/NAME-{links,addrs,routes}.bin` from the namespace it runs
    /// in. `BOXLAB_NETLINK_CAPTURE=fresh unshare -n target/HOST-TUPLE/debug/deps/boxlab-HASH --ignored
    /// capture_fixtures`, as root.
    #[test]
    #[ignore = "writes fixtures; set BOXLAB_NETLINK_CAPTURE=NAME"]
    fn capture_fixtures() {
        let name = std::env::var("BOXLAB_NETLINK_CAPTURE").expect("BOXLAB_NETLINK_CAPTURE");
        std::fs::create_dir_all(DIR).unwrap();
        for (part, what) in [
            ("links", Dump::Links),
            ("addrs", Dump::Ipv4Addrs),
            ("routes", Dump::Ipv4Routes),
        ] {
            std::fs::write(format!("{DIR}/{name}-{part}.bin"), dump(what).unwrap()).unwrap();
        }
    }
}
