//! The host side of the network lesson: a veth pair between the host and the box, on a small
//! subnet that collides with nothing the host already routes. Traffic on it goes only between
//! the host and the box: no NAT, no forwarding, no sysctl is changed.

use std::net::Ipv4Addr;

use crate::kernel::net;
use crate::ledger::Ledger;
use crate::probe::net::NetView;

/// The two ends of the box's link, as names and addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Veth {
    pub host_if: String,
    pub box_if: String,
    pub host_ip: Ipv4Addr,
    pub box_ip: Ipv4Addr,
}

/// The /30 all box links are picked from: `BOXLAB_SUBNET` (like `10.213.0.0/16`), so a
/// learner whose LAN or VPN uses 10.213.x.x can move it; boxlab also skips any /30 the host
/// already routes or uses.
fn pool() -> (Ipv4Addr, u8) {
    std::env::var("BOXLAB_SUBNET")
        .ok()
        .and_then(|s| {
            let (addr, prefix) = s.split_once('/')?;
            let prefix: u8 = prefix.parse().ok()?;
            (prefix <= 30).then_some((addr.parse().ok()?, prefix))
        })
        .unwrap_or((Ipv4Addr::new(10, 213, 0, 0), 16))
}

fn overlaps(a: Ipv4Addr, a_len: u8, b: Ipv4Addr, b_len: u8) -> bool {
    let len = a_len.min(b_len);
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(a) & mask == u32::from(b) & mask
}

/// A /30 in the pool that no host route or address touches, starting at `seed` so two boxlab
/// runs pick different ones. Returns (host end, box end).
pub fn pick_subnet(host: &NetView, seed: u32) -> Option<(Ipv4Addr, Ipv4Addr)> {
    let (base, prefix) = pool();
    let count = 1u32 << (30 - prefix).min(12);
    (0..count).map(|i| (seed + i) % count).find_map(|n| {
        let net = Ipv4Addr::from((u32::from(base) & (u32::MAX << (32 - prefix).min(31))) + n * 4);
        let used = host
            .routes
            .iter()
            .any(|r| r.prefix > 0 && overlaps(r.dst, r.prefix, net, 30))
            || host
                .links
                .iter()
                .flat_map(|l| &l.addrs)
                .any(|(a, _)| overlaps(*a, 30, net, 30));
        (!used).then(|| {
            (
                Ipv4Addr::from(u32::from(net) + 1),
                Ipv4Addr::from(u32::from(net) + 2),
            )
        })
    })
}

/// The veth pair while it exists: deleting the host end deletes both (the box end also goes
/// when the box's network namespace dies, so this is belt and braces).
pub struct BoxLink {
    pub veth: Veth,
}

impl BoxLink {
    /// ip link add HOST type veth peer name BOX; ip link set BOX netns BOX_NS; ip addr add
    /// HOST_IP/30 dev HOST; ip link set HOST up. The box then addresses its own end.
    pub fn create(box_ns: net::Netns, host: &NetView, ledger: &Ledger) -> Result<BoxLink, String> {
        // Named after this run's unique ledger id, so no other run (live or swept) has the name;
        // at most 15 bytes (IFNAMSIZ). The search for a free subnet starts from it too.
        let tag = ledger.tag();
        let (host_ip, box_ip) =
            pick_subnet(host, tag % 4096).ok_or("no free /30 in BOXLAB_SUBNET")?;
        let veth = Veth {
            host_if: format!("bl{tag:08x}h"),
            box_if: format!("bl{tag:08x}b"),
            host_ip,
            box_ip,
        };
        ledger.add_link(&veth.host_if);
        let link = BoxLink { veth };
        let v = &link.veth;
        net::create_veth(&v.host_if, &v.box_if).map_err(|e| e.to_string())?;
        net::move_to_netns(&v.box_if, box_ns).map_err(|e| e.to_string())?;
        net::add_ipv4(&v.host_if, v.host_ip, 30).map_err(|e| e.to_string())?;
        net::set_up(&v.host_if).map_err(|e| e.to_string())?;
        Ok(link)
    }
}

impl Drop for BoxLink {
    fn drop(&mut self) {
        let _ = net::delete_link(&self.veth.host_if);
        let _ = crate::kernel::take_records();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::net::{Link, Route};

    #[test]
    fn skips_subnets_the_host_uses() {
        let host = NetView {
            links: vec![Link {
                index: 2,
                name: "eth0".into(),
                up: true,
                lower_up: true,
                kind: None,
                addrs: vec![(Ipv4Addr::new(10, 213, 0, 5), 24)],
            }],
            routes: vec![
                Route {
                    dst: Ipv4Addr::new(10, 213, 1, 0),
                    prefix: 24,
                    gateway: None,
                    dev: "eth0".into(),
                },
                Route {
                    dst: Ipv4Addr::UNSPECIFIED,
                    prefix: 0,
                    gateway: Some(Ipv4Addr::new(10, 213, 0, 1)),
                    dev: "eth0".into(),
                },
            ],
        };
        // 10.213.0.4/30 holds the host's address and the seed starts there: the next free /30.
        assert_eq!(
            pick_subnet(&host, 1),
            Some((Ipv4Addr::new(10, 213, 0, 9), Ipv4Addr::new(10, 213, 0, 10)))
        );
        // 10.213.1.0/24 is routed: skipped whole.
        assert_eq!(
            pick_subnet(&host, 64),
            Some((Ipv4Addr::new(10, 213, 2, 1), Ipv4Addr::new(10, 213, 2, 2)))
        );
    }
}
