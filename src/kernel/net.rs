//! Network links and addresses: rtnetlink(7) messages over a netlink(7) socket, and one ICMP
//! echo over a raw(7) socket (icmp(7)).
//!
//! `ip link` and `ip addr` are front ends to these same messages. They are built here by hand: a
//! `struct nlmsghdr`, the request's fixed struct (`ifinfomsg`, `ifaddrmsg`), then attributes
//! (`struct rtattr`: length, type, value), each padded to 4 bytes. The unit tests check them
//! byte for byte against what iproute2 sends.
//!
//! A netlink socket belongs to the network namespace it was created in, so every function here
//! acts on the *caller's* namespace: the host configures its end of a veth, and the box (or a
//! thread that setns(2)'d into the box's namespace) configures the other.
//!
//! Each request asks for an acknowledgement (`NLM_F_ACK`) and leaves one record: `sendmsg`, with
//! the message in the arguments and the kernel's answer as the result: `0`, or `-1` and the errno
//! the acknowledgement carried. A failed name lookup or socket(2) is recorded instead, since the
//! request was never sent.

use std::ffi::CString;
use std::mem::{size_of, zeroed};
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nix::errno::Errno;

use super::{KernelError, SyscallRecord, logged, record, zero};
use uapi::*;

/// Kernel ABI numbers, from the uapi header named above each group. libc has some of them, typed
/// `c_int` in one place and `u16` in another; written out once here, typed as they travel.
pub(crate) mod uapi {
    // linux/netlink.h
    pub const NLMSG_HDRLEN: usize = 16;
    pub const NLMSG_ERROR: u16 = 2;
    pub const NLMSG_DONE: u16 = 3;
    pub const NLM_F_REQUEST: u16 = 0x1;
    pub const NLM_F_ACK: u16 = 0x4;
    pub const NLM_F_DUMP_INTR: u16 = 0x10;
    pub const NLM_F_DUMP: u16 = 0x300;
    pub const NLM_F_EXCL: u16 = 0x200;
    pub const NLM_F_CREATE: u16 = 0x400;
    /// The attribute type without NLA_F_NESTED and NLA_F_NET_BYTEORDER.
    pub const NLA_TYPE_MASK: u16 = 0x3fff;

    // linux/rtnetlink.h
    pub const RTM_NEWLINK: u16 = 16;
    pub const RTM_DELLINK: u16 = 17;
    pub const RTM_GETLINK: u16 = 18;
    pub const RTM_NEWADDR: u16 = 20;
    pub const RTM_GETADDR: u16 = 22;
    pub const RTM_NEWROUTE: u16 = 24;
    pub const RTM_GETROUTE: u16 = 26;
    pub const RTA_DST: u16 = 1;
    pub const RTA_OIF: u16 = 4;
    pub const RTA_GATEWAY: u16 = 5;
    pub const RTA_TABLE: u16 = 15;
    pub const RT_TABLE_MAIN: u8 = 254;
    pub const RTN_UNICAST: u8 = 1;
    /// sizeof(struct ifinfomsg), sizeof(struct ifaddrmsg), sizeof(struct rtmsg).
    pub const IFINFOMSG_LEN: usize = 16;
    pub const IFADDRMSG_LEN: usize = 8;
    pub const RTMSG_LEN: usize = 12;

    // linux/if_link.h, linux/veth.h
    pub const IFLA_IFNAME: u16 = 3;
    pub const IFLA_LINKINFO: u16 = 18;
    pub const IFLA_NET_NS_PID: u16 = 19;
    pub const IFLA_NET_NS_FD: u16 = 28;
    pub const IFLA_INFO_KIND: u16 = 1;
    pub const IFLA_INFO_DATA: u16 = 2;
    pub const VETH_INFO_PEER: u16 = 1;

    // linux/if_addr.h
    pub const IFA_ADDRESS: u16 = 1;
    pub const IFA_LOCAL: u16 = 2;

    // linux/if.h
    pub const IFF_UP: u32 = 0x1;
    pub const IFF_LOWER_UP: u32 = 0x10000;

    // linux/socket.h, netinet/ip_icmp.h
    pub const AF_INET: u8 = 2;
    pub const ICMP_ECHOREPLY: u8 = 0;
    pub const ICMP_ECHO: u8 = 8;
}

/// Link dumps with every attribute run to about 1.5 KiB per link; the kernel fills at most 32 KiB
/// per datagram, and `MSG_TRUNC` tells us if one were larger.
const RECV_BUF: usize = 64 * 1024;

/// An answer to one request is small: NLMSG_ERROR echoes at most that request (netlink(7)),
/// and boxlab's are a few hundred bytes. A buffer of a page and not RECV_BUF spares the
/// thread that makes a box's network namespace 15 page faults (memset of 64 KiB), on the path
/// of every `boxlab run`.
const ACK_BUF: usize = 4096;

/// Sequence numbers tie each answer to its request (and make strace output readable).
static NETLINK_SEQ: AtomicU32 = AtomicU32::new(1);
static ICMP_SEQ: AtomicU16 = AtomicU16::new(1);

// ---------------------------------------------------------------------------------------------
// Links and addresses

/// Creates a veth pair: two links joined like the ends of a cable, what goes in one comes out of
/// the other. Like `ip link add NAME type veth peer name PEER` (ip-link(8)).
///
/// RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL (EEXIST if NAME is taken): IFLA_IFNAME=NAME,
/// IFLA_LINKINFO { IFLA_INFO_KIND="veth", IFLA_INFO_DATA { VETH_INFO_PEER { struct ifinfomsg,
/// IFLA_IFNAME=PEER } } } (rtnetlink(7), veth(4)). Both ends start down, in the caller's
/// network namespace. Names are at most 15 bytes (IFNAMSIZ - 1); the kernel says ERANGE if not.
pub fn create_veth(name: &str, peer: &str) -> Result<(), KernelError> {
    let what = format!("RTM_NEWLINK {{ifname={name:?}, kind=\"veth\", peer={peer:?}}}");
    if name.contains('\0') || peer.contains('\0') {
        return failed("sendmsg", netlink_args(&what), Errno::EINVAL);
    }
    send_acked(veth_request(name, peer), what)
}

fn veth_request(name: &str, peer: &str) -> Request {
    let mut req = Request::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    req.header(&ifinfomsg(0, 0, 0));
    req.attr(IFLA_IFNAME, &c_str(name));
    req.nest(IFLA_LINKINFO);
    // No NUL after the kind: iproute2 sends none and the kernel compares with nla_strcmp().
    req.attr(IFLA_INFO_KIND, b"veth");
    req.nest(IFLA_INFO_DATA);
    req.nest(VETH_INFO_PEER);
    // The peer is described like a whole new link: its own ifinfomsg, then its attributes.
    req.header(&ifinfomsg(0, 0, 0));
    req.attr(IFLA_IFNAME, &c_str(peer));
    req.end_nest();
    req.end_nest();
    req.end_nest();
    req
}

/// A network namespace to move a link into.
#[derive(Clone, Copy)]
pub enum Netns<'a> {
    /// The one process `pid` is in (as the caller's PID namespace numbers it: from the host,
    /// the box's host-side pid).
    Of(i32),
    /// One held open (an open /proc/.../ns/net).
    Held(BorrowedFd<'a>),
}

/// Moves a link into another network namespace. Its addresses stay behind, and it arrives
/// down. Like `ip link set NAME netns PID` (ip-link(8)).
///
/// RTM_NEWLINK: struct ifinfomsg { ifi_index }, IFLA_NET_NS_PID=pid or IFLA_NET_NS_FD=fd
/// (rtnetlink(7)).
pub fn move_to_netns(name: &str, to: Netns) -> Result<(), KernelError> {
    let index = index_of(name)?;
    let mut req = Request::new(RTM_NEWLINK, 0);
    req.header(&ifinfomsg(index, 0, 0));
    let shown = match to {
        Netns::Of(pid) => {
            req.attr(IFLA_NET_NS_PID, &(pid as u32).to_ne_bytes());
            format!("net_ns_pid={pid}")
        }
        Netns::Held(fd) => {
            req.attr(IFLA_NET_NS_FD, &(fd.as_raw_fd() as u32).to_ne_bytes());
            format!("net_ns_fd={}", fd.as_raw_fd())
        }
    };
    send_acked(
        req,
        format!("RTM_NEWLINK {{ifindex={index} ({name:?}), {shown}}}"),
    )
}

/// Sets a link up. A veth passes traffic (IFF_LOWER_UP, the carrier) once both ends are up.
/// Like `ip link set NAME up` (ip-link(8)).
///
/// RTM_NEWLINK: struct ifinfomsg { ifi_index, ifi_flags=IFF_UP, ifi_change=IFF_UP }: only the
/// bits set in ifi_change are changed (rtnetlink(7)).
pub fn set_up(name: &str) -> Result<(), KernelError> {
    set_flag_up(name, true)
}

/// Sets a link down: the other end of a veth loses its carrier. Like `ip link set NAME down`.
///
/// RTM_NEWLINK: struct ifinfomsg { ifi_index, ifi_flags=0, ifi_change=IFF_UP } (rtnetlink(7)).
pub fn set_down(name: &str) -> Result<(), KernelError> {
    set_flag_up(name, false)
}

fn set_flag_up(name: &str, up: bool) -> Result<(), KernelError> {
    let index = index_of(name)?;
    let shown = if up { "IFF_UP" } else { "0" };
    send_acked(
        up_request(index, up),
        format!("RTM_NEWLINK {{ifindex={index} ({name:?}), flags={shown}, change=IFF_UP}}"),
    )
}

fn up_request(index: i32, up: bool) -> Request {
    let mut req = Request::new(RTM_NEWLINK, 0);
    req.header(&ifinfomsg(index, if up { IFF_UP } else { 0 }, IFF_UP));
    req
}

/// Gives a link an IPv4 address. The kernel also adds the route to the address's subnet
/// (`ADDR/PREFIX dev NAME proto kernel`). Like `ip addr add ADDR/PREFIX dev NAME` (ip-address(8)).
///
/// RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL: struct ifaddrmsg { AF_INET, prefix, scope
/// universe, ifindex }, IFA_LOCAL=addr, IFA_ADDRESS=addr (on a point-to-point link IFA_ADDRESS
/// would be the far end; here both are ours) (rtnetlink(7)).
pub fn add_ipv4(name: &str, addr: Ipv4Addr, prefix: u8) -> Result<(), KernelError> {
    let index = index_of(name)?;
    send_acked(
        addr_request(index, addr, prefix),
        format!("RTM_NEWADDR {{ifindex={index} ({name:?}), local={addr}/{prefix}}}"),
    )
}

fn addr_request(index: i32, addr: Ipv4Addr, prefix: u8) -> Request {
    let mut req = Request::new(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    let mut ifa = [0u8; IFADDRMSG_LEN];
    ifa[0] = AF_INET;
    ifa[1] = prefix;
    ifa[4..8].copy_from_slice(&index.to_ne_bytes());
    req.header(&ifa);
    // Addresses travel in network byte order, the way they appear in a packet.
    req.attr(IFA_LOCAL, &addr.octets());
    req.attr(IFA_ADDRESS, &addr.octets());
    req
}

/// Deletes a link. Deleting one end of a veth deletes both, wherever the other end is. Like
/// `ip link del NAME` (ip-link(8)).
///
/// RTM_DELLINK: struct ifinfomsg { ifi_index } (rtnetlink(7)).
pub fn delete_link(name: &str) -> Result<(), KernelError> {
    let index = index_of(name)?;
    send_acked(
        dellink_request(index),
        format!("RTM_DELLINK {{ifindex={index} ({name:?})}}"),
    )
}

fn dellink_request(index: i32) -> Request {
    let mut req = Request::new(RTM_DELLINK, 0);
    req.header(&ifinfomsg(index, 0, 0));
    req
}

/// if_nametoindex(3): netlink names links by index, and an index only means something inside one
/// network namespace. Only a failure (ENODEV: no such link here) is recorded: on success the index
/// appears in the request's record.
fn index_of(name: &str) -> Result<i32, KernelError> {
    let index = match CString::new(name) {
        Err(_) => Err(Errno::EINVAL),
        Ok(c) => match unsafe { libc::if_nametoindex(c.as_ptr()) } {
            0 => Err(match Errno::last() {
                Errno::UnknownErrno => Errno::ENODEV,
                e => e,
            }),
            i => Ok(i as i32),
        },
    };
    index.or_else(|e| failed("if_nametoindex", format!("{name:?}"), e))
}

/// The name attribute's value: the name and its terminating NUL, as the kernel expects.
fn c_str(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// struct ifinfomsg { family AF_UNSPEC, type, index, flags, change } (rtnetlink(7)).
fn ifinfomsg(index: i32, flags: u32, change: u32) -> [u8; IFINFOMSG_LEN] {
    let mut b = [0u8; IFINFOMSG_LEN];
    b[4..8].copy_from_slice(&index.to_ne_bytes());
    b[8..12].copy_from_slice(&flags.to_ne_bytes());
    b[12..16].copy_from_slice(&change.to_ne_bytes());
    b
}

fn netlink_args(what: &str) -> String {
    format!("NETLINK_ROUTE, {what}")
}

/// Sends a request with NLM_F_ACK and records the kernel's answer as one `sendmsg` line.
fn send_acked(req: Request, what: String) -> Result<(), KernelError> {
    let nl = Netlink::open_recorded()?;
    logged("sendmsg", netlink_args(&what), nl.request_ack(req), zero)
}

/// Pushes a failed record and returns the matching error.
fn failed<T>(call: &'static str, args: String, errno: Errno) -> Result<T, KernelError> {
    record::push(SyscallRecord::failed(call, &args, errno));
    Err(KernelError { call, args, errno })
}

// ---------------------------------------------------------------------------------------------
// Dumps, for the probe

/// What [`dump`] asks the kernel for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dump {
    /// RTM_GETLINK: every link (`ip link`).
    Links,
    /// RTM_GETADDR for AF_INET: every IPv4 address (`ip -4 addr`).
    Ipv4Addrs,
    /// RTM_GETROUTE for AF_INET: IPv4 routes of every table (`ip route show table all`).
    Ipv4Routes,
}

/// Asks the kernel for every link, IPv4 address or IPv4 route of the caller's network namespace
/// (a request flagged NLM_F_DUMP, netlink(7)) and returns the raw answer: every message up to and
/// including NLMSG_DONE, for the pure parsers in `probe::net`.
///
/// Not recorded: reading a view is not an action of the learner's, like the probe's reads of
/// /proc. If the kernel marks the dump NLM_F_DUMP_INTR (the list changed while it was being
/// read), it is asked again, up to three times.
pub fn dump(what: Dump) -> Result<Vec<u8>, KernelError> {
    let (kind, fixed, name) = match what {
        Dump::Links => (RTM_GETLINK, ifinfomsg(0, 0, 0).to_vec(), "RTM_GETLINK"),
        Dump::Ipv4Addrs => {
            let mut ifa = vec![0u8; IFADDRMSG_LEN];
            ifa[0] = AF_INET;
            (RTM_GETADDR, ifa, "RTM_GETADDR")
        }
        Dump::Ipv4Routes => {
            let mut rtm = vec![0u8; RTMSG_LEN];
            rtm[0] = AF_INET;
            (RTM_GETROUTE, rtm, "RTM_GETROUTE")
        }
    };
    let args = format!("NETLINK_ROUTE, {name} NLM_F_DUMP");
    let error = |call, errno| KernelError {
        call,
        args: args.clone(),
        errno,
    };
    let nl = Netlink::open().map_err(|e| error("socket", e))?;
    let mut last = Vec::new();
    for _ in 0..3 {
        let mut req = Request::new(kind, NLM_F_DUMP);
        req.header(&fixed);
        let (bytes, interrupted) = nl.request_dump(req).map_err(|(c, e)| error(c, e))?;
        if !interrupted {
            return Ok(bytes);
        }
        last = bytes;
    }
    Ok(last)
}

// ---------------------------------------------------------------------------------------------
// The netlink socket

/// A NETLINK_ROUTE socket of the caller's network namespace, closed on drop.
struct Netlink {
    fd: OwnedFd,
}

impl Netlink {
    /// socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) (netlink(7)). No bind(2): the
    /// kernel gives the socket a port id on the first send.
    fn open() -> nix::Result<Netlink> {
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return Err(Errno::last());
        }
        Ok(Netlink {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// [`Netlink::open`], with a record when it fails (EPERM in a sandbox, EMFILE...).
    fn open_recorded() -> Result<Netlink, KernelError> {
        Netlink::open().or_else(|e| {
            failed(
                "socket",
                "AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE".into(),
                e,
            )
        })
    }

    /// sendmsg(2) of one message to the kernel (port id 0).
    fn send(&self, msg: &[u8]) -> nix::Result<()> {
        let mut kernel: libc::sockaddr_nl = unsafe { zeroed() };
        kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        let mut iov = libc::iovec {
            iov_base: msg.as_ptr() as *mut libc::c_void,
            iov_len: msg.len(),
        };
        let mut hdr: libc::msghdr = unsafe { zeroed() };
        hdr.msg_name = &mut kernel as *mut libc::sockaddr_nl as *mut libc::c_void;
        hdr.msg_namelen = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        hdr.msg_iov = &mut iov;
        hdr.msg_iovlen = 1;
        loop {
            let n = unsafe { libc::sendmsg(self.fd.as_raw_fd(), &hdr, 0) };
            match n {
                n if n < 0 && Errno::last() == Errno::EINTR => continue,
                n if n < 0 => return Err(Errno::last()),
                n if n as usize != msg.len() => return Err(Errno::EMSGSIZE),
                _ => return Ok(()),
            }
        }
    }

    /// recv(2) of one datagram into `buf`. MSG_TRUNC makes recv return the datagram's real
    /// length, so a datagram larger than the buffer is an error rather than silently cut.
    fn recv<'b>(&self, buf: &'b mut [u8]) -> nix::Result<&'b [u8]> {
        loop {
            let n = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr() as *mut libc::c_void,
                    buf.len(),
                    libc::MSG_TRUNC,
                )
            };
            match n {
                n if n < 0 && Errno::last() == Errno::EINTR => continue,
                n if n < 0 => return Err(Errno::last()),
                n if n as usize > buf.len() => return Err(Errno::EMSGSIZE),
                n => return Ok(&buf[..n as usize]),
            }
        }
    }

    /// Sends `req` flagged NLM_F_ACK and waits for the NLMSG_ERROR that answers it.
    fn request_ack(&self, mut req: Request) -> nix::Result<()> {
        let seq = NETLINK_SEQ.fetch_add(1, Ordering::Relaxed);
        req.add_flags(NLM_F_ACK);
        self.send(&req.finish(seq))?;
        let mut buf = [0u8; ACK_BUF];
        loop {
            let got = self.recv(&mut buf)?;
            if let Some(answer) = ack_for(got, seq) {
                return answer;
            }
        }
    }

    /// Sends a dump request and collects every datagram of the answer up to NLMSG_DONE. Returns
    /// the bytes and whether the kernel flagged the dump as interrupted; on failure, the call
    /// that failed.
    fn request_dump(&self, req: Request) -> Result<(Vec<u8>, bool), (&'static str, Errno)> {
        let seq = NETLINK_SEQ.fetch_add(1, Ordering::Relaxed);
        self.send(&req.finish(seq)).map_err(|e| ("sendmsg", e))?;
        let mut buf = vec![0u8; RECV_BUF];
        let mut out = Vec::new();
        let mut interrupted = false;
        loop {
            let got = self.recv(&mut buf).map_err(|e| ("recv", e))?;
            out.extend_from_slice(got);
            for m in messages(got) {
                let m = m.map_err(|_| ("recv", Errno::EPROTO))?;
                if m.seq != seq {
                    continue;
                }
                interrupted |= m.flags & NLM_F_DUMP_INTR != 0;
                match m.kind {
                    // NLMSG_DONE carries an int: 0, or a negative errno if the dump failed late.
                    NLMSG_DONE => match i32_at(m.payload, 0) {
                        Some(e) if e < 0 => return Err(("recv", Errno::from_raw(-e))),
                        _ => return Ok((out, interrupted)),
                    },
                    NLMSG_ERROR => {
                        ack_result(m.payload).map_err(|e| ("sendmsg", e))?;
                    }
                    _ => {}
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Building and reading messages (pure)

/// A netlink request being built: header, fixed struct, attributes; nested attributes get their
/// length written when they are closed.
struct Request {
    buf: Vec<u8>,
    open_nests: Vec<usize>,
}

impl Request {
    /// struct nlmsghdr { len (filled by finish), type, flags | NLM_F_REQUEST, seq, pid 0 }.
    fn new(kind: u16, flags: u16) -> Request {
        let mut buf = vec![0u8; NLMSG_HDRLEN];
        buf[4..6].copy_from_slice(&kind.to_ne_bytes());
        buf[6..8].copy_from_slice(&(flags | NLM_F_REQUEST).to_ne_bytes());
        Request {
            buf,
            open_nests: Vec::new(),
        }
    }

    fn add_flags(&mut self, flags: u16) {
        let old = u16_at(&self.buf, 6).unwrap_or(0);
        self.buf[6..8].copy_from_slice(&(old | flags).to_ne_bytes());
    }

    /// A fixed struct (`ifinfomsg`...), padded to 4 bytes.
    fn header(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.pad();
    }

    /// struct rtattr { rta_len = 4 + value, rta_type }, the value, then padding that rta_len
    /// does not count (RTA_ALIGN).
    fn attr(&mut self, kind: u16, value: &[u8]) {
        let len = (4 + value.len()) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(value);
        self.pad();
    }

    /// Opens an attribute whose value is more attributes.
    fn nest(&mut self, kind: u16) {
        self.open_nests.push(self.buf.len());
        self.attr(kind, &[]);
    }

    /// Closes the innermost open nest: its length covers everything added since, padding included.
    fn end_nest(&mut self) {
        if let Some(start) = self.open_nests.pop() {
            let len = (self.buf.len() - start) as u16;
            self.buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        }
    }

    fn pad(&mut self) {
        self.buf.resize(align(self.buf.len()), 0);
    }

    /// Writes nlmsg_len and nlmsg_seq; the message is ready to send.
    fn finish(mut self, seq: u32) -> Vec<u8> {
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        self.buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        self.buf
    }
}

/// NLMSG_ALIGN / RTA_ALIGN: netlink pads everything to 4 bytes.
fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// One netlink message: the header's type, flags and sequence number, and what follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Message<'a> {
    pub kind: u16,
    pub flags: u16,
    pub seq: u32,
    pub payload: &'a [u8],
}

/// The messages in one buffer (netlink(7): each starts with a nlmsghdr whose nlmsg_len counts
/// header and payload; the next starts at the 4-byte aligned end). A header that does not fit,
/// or a length the buffer does not have, yields one error and ends the iteration: nothing after
/// it can be trusted.
pub(crate) fn messages(buf: &[u8]) -> impl Iterator<Item = Result<Message<'_>, String>> {
    let mut rest = buf;
    let mut broken = false;
    std::iter::from_fn(move || {
        if rest.is_empty() || broken {
            return None;
        }
        let Some((len, kind, flags, seq)) = nlmsghdr(rest) else {
            broken = true;
            return Some(Err(format!(
                "truncated netlink header: {} bytes left",
                rest.len()
            )));
        };
        if len < NLMSG_HDRLEN || len > rest.len() {
            broken = true;
            return Some(Err(format!(
                "netlink message claims {len} bytes, {} left",
                rest.len()
            )));
        }
        let m = Message {
            kind,
            flags,
            seq,
            payload: &rest[NLMSG_HDRLEN..len],
        };
        rest = &rest[align(len).min(rest.len())..];
        Some(Ok(m))
    })
}

/// The attributes in `buf` as (type, value), the type without its NLA_F_* flag bits. Stops at
/// the first malformed one, as the kernel's RTA_OK loop does: the rest cannot be located.
pub(crate) fn attributes(buf: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = buf;
    std::iter::from_fn(move || {
        let len = u16_at(rest, 0)? as usize;
        let kind = u16_at(rest, 2)? & NLA_TYPE_MASK;
        if len < 4 || len > rest.len() {
            rest = &[];
            return None;
        }
        let value = &rest[4..len];
        rest = &rest[align(len).min(rest.len())..];
        Some((kind, value))
    })
}

/// struct nlmsghdr { len, type, flags, seq, pid }, without the pid.
fn nlmsghdr(b: &[u8]) -> Option<(usize, u16, u16, u32)> {
    Some((
        u32_at(b, 0)? as usize,
        u16_at(b, 4)?,
        u16_at(b, 6)?,
        u32_at(b, 8)?,
    ))
}

/// Looks through one datagram for the acknowledgement of request `seq`.
fn ack_for(datagram: &[u8], seq: u32) -> Option<nix::Result<()>> {
    for m in messages(datagram) {
        let Ok(m) = m else {
            return Some(Err(Errno::EPROTO));
        };
        if m.seq == seq && m.kind == NLMSG_ERROR {
            return Some(ack_result(m.payload));
        }
    }
    None
}

/// The payload of NLMSG_ERROR (struct nlmsgerr): error 0 is an acknowledgement, a negative
/// value is -errno (netlink(7)).
pub(crate) fn ack_result(payload: &[u8]) -> nix::Result<()> {
    match i32_at(payload, 0) {
        None => Err(Errno::EPROTO),
        Some(0) => Ok(()),
        Some(e) => Err(Errno::from_raw(e.checked_neg().unwrap_or(libc::EPROTO))),
    }
}

pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub(crate) fn i32_at(b: &[u8], at: usize) -> Option<i32> {
    u32_at(b, at).map(|v| v as i32)
}

// ---------------------------------------------------------------------------------------------
// ping

/// The arguments of the raw ICMP socket, as the syscall pane shows them.
const RAW_ICMP: &str = "AF_INET, SOCK_RAW|SOCK_CLOEXEC, IPPROTO_ICMP";

/// socket(AF_INET, SOCK_RAW|SOCK_CLOEXEC, IPPROTO_ICMP), not recorded.
fn icmp_socket() -> Result<OwnedFd, Errno> {
    let fd = unsafe {
        libc::socket(
            libc::AF_INET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::IPPROTO_ICMP,
        )
    };
    if fd < 0 {
        return Err(Errno::last());
    }
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// socket(AF_INET, SOCK_RAW|SOCK_CLOEXEC, IPPROTO_ICMP), closed again at once: whether this
/// process may open a raw socket, the kind `ping` sends its echo requests on. raw(7): only a
/// process with CAP_NET_RAW (capabilities(7)) in the user namespace owning its network
/// namespace may; without it, EPERM. Docker's default set keeps CAP_NET_RAW, which is why
/// ping works in a container until `--cap-drop NET_RAW`.
pub fn open_raw_socket() -> Result<(), KernelError> {
    logged("socket", RAW_ICMP.into(), icmp_socket(), |fd| {
        fd.as_raw_fd().to_string()
    })
    .map(drop)
}

/// What the echo request carries after its header; the reply must carry it back unchanged.
const PING_PAYLOAD: &[u8; 56] = b"boxlab ping: the same bytes come back in the echo reply.";

/// Sends one ICMP echo request to `addr` and waits up to `timeout` for the echo reply that matches
/// it (same id, sequence number and payload, from `addr`). Returns the round-trip time. Like
/// `ping -c 1 -W SECONDS ADDR` (ping(8)), from the caller's network namespace.
///
/// socket(AF_INET, SOCK_RAW|SOCK_CLOEXEC, IPPROTO_ICMP) (raw(7)) needs CAP_NET_RAW. The
/// request is built by hand (type 8, code 0, checksum, id, sequence; icmp(7), RFC 792) with the
/// RFC 1071 checksum; a raw socket receives every ICMP packet with its IP header, so other
/// packets are read and skipped. Recorded as `sendto` (bytes sent) and `recvfrom` (bytes of the
/// reply, IP header included); if no reply comes in time, `recvfrom` is recorded as failed with
/// ETIMEDOUT.
pub fn ping(addr: Ipv4Addr, timeout: Duration) -> Result<Duration, KernelError> {
    let fd = match icmp_socket() {
        Ok(fd) => fd,
        Err(e) => return failed("socket", RAW_ICMP.into(), e),
    };
    // The id tells our replies from other pings' (raw sockets see them all); seq, from other
    // pings of this process.
    let id = std::process::id() as u16;
    let seq = ICMP_SEQ.fetch_add(1, Ordering::Relaxed);
    let request = echo_request(id, seq, PING_PAYLOAD);

    let mut to: libc::sockaddr_in = unsafe { zeroed() };
    to.sin_family = libc::AF_INET as libc::sa_family_t;
    to.sin_addr.s_addr = u32::from_ne_bytes(addr.octets());
    let start = Instant::now();
    let sent = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            request.as_ptr() as *const libc::c_void,
            request.len(),
            0,
            &to as *const libc::sockaddr_in as *const libc::sockaddr,
            size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    let sent = if sent < 0 {
        Err(Errno::last())
    } else {
        Ok(sent)
    };
    let echo = format!("{{type=ECHO, id={id}, seq={seq}}}");
    logged(
        "sendto",
        format!("ICMP socket, {echo}, {}, 0, {addr}", request.len()),
        sent,
        |n| n.to_string(),
    )?;

    let reply = format!("{{type=ECHOREPLY, id={id}, seq={seq}}}");
    let mut buf = vec![0u8; RECV_BUF];
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            let ms = timeout.as_millis();
            let args = format!("ICMP socket, no {reply} from {addr} within {ms} ms");
            return failed("recvfrom", args, Errno::ETIMEDOUT);
        }
        // poll(2) bounds the wait; rounding up so that a timeout really has passed.
        let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
        let mut pfd = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n < 0 {
            match Errno::last() {
                Errno::EINTR => continue,
                e => return failed("poll", format!("ICMP socket, POLLIN, {ms}"), e),
            }
        }
        if n == 0 {
            continue;
        }
        let got = unsafe {
            libc::recvfrom(
                fd.as_raw_fd(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        if got < 0 {
            match Errno::last() {
                Errno::EINTR | Errno::EAGAIN => continue,
                e => return failed("recvfrom", format!("ICMP socket, {reply}, {addr}"), e),
            }
        }
        let packet = &buf[..got as usize];
        if let Some(r) = parse_echo_reply(packet)
            && r.src == addr
            && r.id == id
            && r.seq == seq
            && r.payload == PING_PAYLOAD
        {
            let rtt = start.elapsed();
            let args = format!("ICMP socket, {reply}, {}, 0, {addr}", buf.len());
            record::push(SyscallRecord::ok("recvfrom", &args, got.to_string()));
            return Ok(rtt);
        }
    }
}

/// An ICMP echo request: type 8, code 0, checksum, identifier and sequence number (both in
/// network byte order), then the payload (RFC 792).
fn echo_request(id: u16, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![ICMP_ECHO, 0, 0, 0];
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(payload);
    let sum = checksum(&p);
    p[2..4].copy_from_slice(&sum.to_be_bytes());
    p
}

/// The Internet checksum (RFC 1071): the one's complement of the one's complement sum of the
/// data as 16-bit big-endian words, an odd last byte padded with zero. Over a packet that
/// already holds its correct checksum, the result is 0.
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u64 = data
        .chunks(2)
        .map(|c| u64::from(u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// What an echo reply read from a raw socket says.
#[derive(Debug, PartialEq, Eq)]
struct EchoReply<'a> {
    src: Ipv4Addr,
    id: u16,
    seq: u16,
    payload: &'a [u8],
}

/// Reads an IPv4 packet (header length from IHL) carrying an ICMP echo reply with a valid
/// checksum; anything else is None.
fn parse_echo_reply(packet: &[u8]) -> Option<EchoReply<'_>> {
    let first = *packet.first()?;
    let ihl = usize::from(first & 0x0f) * 4;
    if first >> 4 != 4 || ihl < 20 || packet.len() < ihl + 8 {
        return None;
    }
    if packet[9] != libc::IPPROTO_ICMP as u8 {
        return None;
    }
    // The total length field bounds the packet (a short frame may be padded); a packet shorter
    // than it says was cut.
    let total = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    let icmp = packet.get(ihl..total)?;
    if icmp.len() < 8 || icmp[0] != ICMP_ECHOREPLY || icmp[1] != 0 || checksum(icmp) != 0 {
        return None;
    }
    Some(EchoReply {
        src: Ipv4Addr::new(packet[12], packet[13], packet[14], packet[15]),
        id: u16::from_be_bytes([icmp[4], icmp[5]]),
        seq: u16::from_be_bytes([icmp[6], icmp[7]]),
        payload: &icmp[8..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes iproute2 6.1.0 sent, captured with `strace -f -e trace=sendmsg -e write=3` of
    /// `ip link add bl0h type veth peer name bl0b` (in a throw-away `unshare -n`), seq zeroed.
    const IP_LINK_ADD_VETH: [u8; 92] = [
        0x5c, 0, 0, 0, 0x10, 0, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, //
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
        0x09, 0, 0x03, 0, b'b', b'l', b'0', b'h', 0, 0, 0, 0, 0x30, 0, 0x12, 0, //
        0x08, 0, 0x01, 0, b'v', b'e', b't', b'h', 0x24, 0, 0x02, 0, 0x20, 0, 0x01, 0, //
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
        0x09, 0, 0x03, 0, b'b', b'l', b'0', b'b', 0, 0, 0, 0,
    ];
    /// `ip addr add 10.213.0.1/30 dev bl0h`, bl0h being ifindex 3.
    const IP_ADDR_ADD: [u8; 40] = [
        0x28, 0, 0, 0, 0x14, 0, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, //
        0x02, 0x1e, 0, 0, 0x03, 0, 0, 0, 0x08, 0, 0x02, 0, 0x0a, 0xd5, 0, 0x01, //
        0x08, 0, 0x01, 0, 0x0a, 0xd5, 0, 0x01,
    ];
    /// `ip link set bl0b up`, bl0b being ifindex 2.
    const IP_LINK_SET_UP: [u8; 32] = [
        0x20, 0, 0, 0, 0x10, 0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
        0, 0, 0, 0, 0x02, 0, 0, 0, 0x01, 0, 0, 0, 0x01, 0, 0, 0,
    ];
    /// `ip link del bl0h`, bl0h being ifindex 3.
    const IP_LINK_DEL: [u8; 32] = [
        0x20, 0, 0, 0, 0x11, 0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
        0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    fn with_ack(mut req: Request) -> Vec<u8> {
        req.add_flags(NLM_F_ACK);
        req.finish(0)
    }

    #[test]
    fn veth_request_is_what_iproute2_sends() {
        assert_eq!(with_ack(veth_request("bl0h", "bl0b")), IP_LINK_ADD_VETH);
    }

    #[test]
    fn address_up_and_delete_requests_are_what_iproute2_sends() {
        let addr = addr_request(3, Ipv4Addr::new(10, 213, 0, 1), 30);
        assert_eq!(with_ack(addr), IP_ADDR_ADD);
        assert_eq!(with_ack(up_request(2, true)), IP_LINK_SET_UP);
        assert_eq!(with_ack(dellink_request(3)), IP_LINK_DEL);
        // Down: the same message with IFF_UP cleared in ifi_flags, still set in ifi_change.
        let down = with_ack(up_request(2, false));
        assert_eq!(&down[24..32], &[0, 0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn reads_back_nested_attributes() {
        let m: Vec<_> = messages(&IP_LINK_ADD_VETH).collect();
        assert_eq!(m.len(), 1);
        let m = m[0].clone().unwrap();
        assert_eq!((m.kind, m.flags), (RTM_NEWLINK, 0x605));
        let attrs: Vec<_> = attributes(&m.payload[IFINFOMSG_LEN..]).collect();
        assert_eq!(attrs.len(), 2);
        assert_eq!(attrs[0], (IFLA_IFNAME, &b"bl0h\0"[..]));
        assert_eq!(attrs[1].0, IFLA_LINKINFO);
        let info: Vec<_> = attributes(attrs[1].1).collect();
        assert_eq!(info[0], (IFLA_INFO_KIND, &b"veth"[..]));
        let data: Vec<_> = attributes(info[1].1).collect();
        assert_eq!(data[0].0, VETH_INFO_PEER);
        let peer: Vec<_> = attributes(&data[0].1[IFINFOMSG_LEN..]).collect();
        assert_eq!(peer, [(IFLA_IFNAME, &b"bl0b\0"[..])]);
    }

    /// An NLMSG_ERROR answering request `seq` with `error`.
    fn ack(seq: u32, error: i32) -> Vec<u8> {
        let mut req = Request::new(NLMSG_ERROR, 0);
        req.header(&error.to_ne_bytes());
        req.header(&IP_LINK_DEL[..16]);
        req.finish(seq)
    }

    #[test]
    fn acknowledgements() {
        assert_eq!(ack_for(&ack(7, 0), 7), Some(Ok(())));
        assert_eq!(ack_for(&ack(7, -17), 7), Some(Err(Errno::EEXIST)));
        assert_eq!(ack_for(&ack(6, -17), 7), None, "another request's answer");
        let mut two = ack(6, -1);
        two.extend(ack(7, -19));
        assert_eq!(ack_for(&two, 7), Some(Err(Errno::ENODEV)));
        assert_eq!(ack_for(&ack(7, 0)[..10], 7), Some(Err(Errno::EPROTO)));
        assert_eq!(ack_result(&[]), Err(Errno::EPROTO));
        assert_eq!(
            ack_result(&i32::MIN.to_ne_bytes()),
            Err(Errno::EPROTO),
            "no overflow"
        );
    }

    #[test]
    fn framing_errors_end_the_iteration() {
        let mut bad = ack(1, 0);
        bad[0] = 3; // nlmsg_len smaller than a header: would loop forever if trusted
        let m: Vec<_> = messages(&bad).collect();
        assert_eq!(m.len(), 1);
        assert!(m[0].is_err());
        let m: Vec<_> = messages(&[1, 2, 3]).collect();
        assert!(m.len() == 1 && m[0].is_err());
        // rta_len 0 stops the attribute loop instead of spinning on it.
        assert_eq!(attributes(&[0, 0, 3, 0, 1, 2, 3, 4]).count(), 0);
        assert_eq!(
            attributes(&[8, 0, 3, 0, 1, 2]).count(),
            0,
            "value cut short"
        );
    }

    #[test]
    fn checksum_follows_rfc_1071() {
        // RFC 1071 section 3's example: the sum is 0xddf2, the checksum its complement.
        assert_eq!(
            checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            !0xddf2
        );
        assert_eq!(checksum(&[0xff]), !0xff00, "odd length pads with zero");
        let req = echo_request(0x1234, 7, PING_PAYLOAD);
        assert_eq!(req.len(), 64, "the same size as ping(8)'s default");
        assert_eq!(checksum(&req), 0, "a packet with its checksum sums to zero");
        assert_eq!(&req[4..8], &[0x12, 0x34, 0, 7]);
    }

    /// An IPv4 packet from `src` carrying `icmp`.
    fn ipv4(src: [u8; 4], icmp: &[u8]) -> Vec<u8> {
        let total = (20 + icmp.len()) as u16;
        let mut p = vec![0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0];
        p[2..4].copy_from_slice(&total.to_be_bytes());
        p.extend_from_slice(&src);
        p.extend_from_slice(&[10, 213, 0, 1]);
        p.extend_from_slice(icmp);
        p
    }

    #[test]
    fn echo_replies() {
        let mut reply = echo_request(42, 3, PING_PAYLOAD);
        reply[0] = ICMP_ECHOREPLY;
        reply[2..4].copy_from_slice(&[0, 0]);
        let sum = checksum(&reply);
        reply[2..4].copy_from_slice(&sum.to_be_bytes());
        let packet = ipv4([10, 213, 0, 2], &reply);
        assert_eq!(
            parse_echo_reply(&packet),
            Some(EchoReply {
                src: Ipv4Addr::new(10, 213, 0, 2),
                id: 42,
                seq: 3,
                payload: PING_PAYLOAD,
            })
        );
        let mut padded = packet.clone();
        padded.extend_from_slice(&[0; 6]);
        assert!(parse_echo_reply(&padded).is_some(), "padding ignored");

        let request = ipv4([10, 213, 0, 2], &echo_request(42, 3, PING_PAYLOAD));
        assert_eq!(parse_echo_reply(&request), None, "our own request");
        let mut corrupt = packet.clone();
        corrupt[40] ^= 1;
        assert_eq!(parse_echo_reply(&corrupt), None, "bad checksum");
        for cut in 0..packet.len() {
            assert_eq!(parse_echo_reply(&packet[..cut]), None, "cut at {cut}");
        }
        let mut v6 = packet;
        v6[0] = 0x65;
        assert_eq!(parse_echo_reply(&v6), None);
    }
}
