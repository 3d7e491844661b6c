//! Listening sockets for `bind` lines (socket2). `IP_FREEBIND` lets harp
//! listen on a CARP virtual IP before this node holds it.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};

use crate::config::model::Bind;
use crate::config::value::addr::{BindAddr, Family, Host};

/// Default listen backlog when neither `backlog` nor `maxconn` says more.
const DEFAULT_BACKLOG: i32 = 1024;

/// The socket addresses a `bind` line asks for (port ranges expanded).
/// Host names must have been resolved at start; unsupported forms are
/// reported as errors naming the address.
pub fn bind_addrs(b: &Bind) -> io::Result<Vec<SocketAddr>> {
    let mut out = Vec::new();
    for a in &b.config.addrs {
        match a {
            BindAddr::Inet {
                family,
                host,
                port_lo,
                port_hi,
            } => {
                let ip = match (host, family) {
                    (Host::Ip(ip), _) => *ip,
                    (Host::Any, Family::V6) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                    (Host::Any, _) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    (Host::Name(n), _) => {
                        return Err(io::Error::other(format!(
                            "bind address '{n}' was not resolved"
                        )))
                    }
                };
                for port in *port_lo..=*port_hi {
                    out.push(SocketAddr::new(ip, port));
                }
            }
            other => {
                return Err(io::Error::other(format!(
                    "bind address form {other:?} is not supported by harp yet"
                )))
            }
        }
    }
    Ok(out)
}

/// Open one listening TCP socket: SO_REUSEADDR, IP_FREEBIND, non-blocking.
pub fn listen(
    addr: SocketAddr,
    backlog: Option<u32>,
    v6only: bool,
) -> io::Result<std::net::TcpListener> {
    let domain = if addr.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let sock = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
    sock.set_reuse_address(true)?;
    if addr.is_ipv4() {
        sock.set_freebind_v4(true)?;
    } else {
        sock.set_freebind_v6(true)?;
        sock.set_only_v6(v6only)?;
    }
    sock.set_nonblocking(true)?;
    sock.bind(&addr.into())?;
    let backlog = backlog
        .map(|b| b.min(i32::MAX as u32) as i32)
        .unwrap_or(DEFAULT_BACKLOG);
    sock.listen(backlog)?;
    Ok(sock.into())
}
