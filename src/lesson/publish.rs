//! Port publishing, as `docker run -p HOST:BOX` does it with docker-proxy: a process on the
//! host listens on 127.0.0.1:PORT and copies each connection to and from the box's address.
//! Here that process is boxlab itself (threads, so the box agent stays single-threaded); it
//! listens on loopback only and connects only to the box, so no traffic leaves the machine.
//!
//! A rootless box has no veth (making one needs root on the host), so there the proxy reaches
//! the box's own loopback from inside its network namespace instead, as rootlesskit's builtin
//! port driver does.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// A running proxy; dropping it stops it.
pub struct Proxy {
    pub host_port: u16,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Listens on 127.0.0.1 on a free port and forwards to `box_addr:box_port`.
    pub fn start(box_addr: Ipv4Addr, box_port: u16) -> std::io::Result<Proxy> {
        Proxy::start_on(0, box_addr, box_port)
    }

    /// Listens on 127.0.0.1:`host_port` (0: any free port) and forwards to
    /// `box_addr:box_port`.
    pub fn start_on(host_port: u16, box_addr: Ipv4Addr, box_port: u16) -> std::io::Result<Proxy> {
        Proxy::listen(host_port, Upstream::Addr((box_addr, box_port).into()))
    }

    /// Listens on 127.0.0.1:`host_port` and forwards to 127.0.0.1:`box_port` inside the
    /// network namespace `netns` (an open /proc/PID/ns/net).
    pub fn start_into(host_port: u16, netns: OwnedFd, box_port: u16) -> std::io::Result<Proxy> {
        Proxy::listen(host_port, Upstream::Netns(Arc::new(netns), box_port))
    }

    fn listen(host_port: u16, target: Upstream) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, host_port))?;
        let host_port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let accept = std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(client) = client {
                    let target = target.clone();
                    std::thread::spawn(move || forward(client, target));
                }
            }
        });
        Ok(Proxy {
            host_port,
            stop,
            accept: Some(accept),
        })
    }
}

/// Where a proxy's connections go.
#[derive(Clone)]
enum Upstream {
    /// An address the host can reach: the box's end of its veth.
    Addr(SocketAddr),
    /// A port on the box's own loopback. The connecting thread joins the box's network
    /// namespace first (setns(2), which a thread may do alone), so its socket belongs there;
    /// the host side of the copy stays in the host's namespace.
    Netns(Arc<OwnedFd>, u16),
}

impl Upstream {
    fn connect(&self) -> std::io::Result<TcpStream> {
        let wait = Duration::from_secs(2);
        match self {
            Upstream::Addr(addr) => TcpStream::connect_timeout(addr, wait),
            Upstream::Netns(netns, port) => {
                crate::kernel::namespaces::setns(
                    netns.as_ref(),
                    crate::kernel::namespaces::Namespace::Net,
                )
                .map_err(std::io::Error::other)?;
                TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, *port).into(), wait)
            }
        }
    }
}

/// Copies bytes both ways until either side closes.
fn forward(client: TcpStream, target: Upstream) {
    let Ok(upstream) = target.connect() else {
        return;
    };
    let (Ok(mut c2), Ok(mut u2)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let (mut client, mut upstream) = (client, upstream);
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = up.join();
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop with one connection so it sees the flag and ends.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.host_port));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// `GET /` on 127.0.0.1:PORT, as `curl http://127.0.0.1:PORT/` would: the reply's body.
pub fn fetch(port: u16) -> std::io::Result<String> {
    let mut s = TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_secs(2),
    )?;
    s.set_read_timeout(Some(Duration::from_secs(3)))?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut reply = String::new();
    s.read_to_string(&mut reply)?;
    Ok(reply
        .split_once("\r\n\r\n")
        .map_or(reply.clone(), |(_, body)| body.to_string()))
}
