//! The IPv6 advert socket of one vhid (CARP.md §1, IPv6): a raw IPv6
//! socket for next header 112 bound to the parent and joined to ff02::12
//! there. A raw IPv6 socket gets no IP header, so the hop limit comes as
//! ancillary data (IPV6_RECVHOPLIMIT) and the source from recvmsg(2).

use std::io::{self, IoSliceMut};
use std::net::{IpAddr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::os::fd::AsRawFd;

use nix::sys::socket::{recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, SockaddrIn6};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::Interest;
use tokio::net::UdpSocket;

use super::auth::VhidAuth;
use super::packet::PacketError;
use super::state::Advert;
use super::wire::{check_ttl, GROUP_V6, IPPROTO_CARP, TTL};

/// What one received IPv6 advert carries besides its CARP bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received6 {
    pub len: usize,
    pub src: Option<Ipv6Addr>,
    pub hop_limit: Option<u8>,
}

/// One raw IPv6 CARP socket on one interface (see `io` for why it is
/// driven through `tokio::net::UdpSocket`).
pub struct AdvertSocketV6 {
    sock: UdpSocket,
    dest: SocketAddr,
}

impl AdvertSocketV6 {
    /// Opens the socket on `iface` (index `ifindex`), sending with traffic
    /// class `tclass` to ff02::12, or to `peer` (FreeBSD 14's `peer6`).
    /// Must be called inside a tokio runtime.
    pub fn open(
        iface: &str,
        ifindex: u32,
        tclass: u8,
        peer: Option<Ipv6Addr>,
    ) -> io::Result<AdvertSocketV6> {
        let proto = Protocol::from(i32::from(IPPROTO_CARP));
        let s: Socket = Socket::new(Domain::IPV6, Type::RAW, Some(proto))?;
        s.bind_device(Some(iface.as_bytes()))?;
        s.join_multicast_v6(&GROUP_V6, ifindex)?;
        s.set_multicast_hops_v6(u32::from(TTL))?;
        s.set_unicast_hops_v6(u32::from(TTL))?;
        s.set_multicast_loop_v6(false)?;
        setsockopt(&s, sockopt::Ipv6RecvHopLimit, &true)?;
        setsockopt(&s, sockopt::Ipv6TClass, &i32::from(tclass))?;
        s.set_nonblocking(true)?;
        Ok(AdvertSocketV6 {
            sock: UdpSocket::from_std(s.into())?,
            dest: SocketAddr::V6(v6_dest(peer.unwrap_or(GROUP_V6), ifindex)),
        })
    }

    /// Waits for the next advert; `buf` receives the CARP bytes only.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<Received6> {
        let fd = self.sock.as_raw_fd();
        self.sock
            .async_io(Interest::READABLE, || {
                let mut iov = [IoSliceMut::new(&mut *buf)];
                let mut cmsg = nix::cmsg_space!(nix::libc::c_int);
                let msg = recvmsg::<SockaddrIn6>(fd, &mut iov, Some(&mut cmsg), MsgFlags::empty())?;
                let hop_limit = msg.cmsgs()?.find_map(|c| match c {
                    ControlMessageOwned::Ipv6HopLimit(h) => u8::try_from(h).ok(),
                    _ => None,
                });
                Ok(Received6 {
                    len: msg.bytes,
                    src: msg.address.map(|a| a.ip()),
                    hop_limit,
                })
            })
            .await
    }

    /// Sends one CARP header to ff02::12 on the interface.
    pub async fn send(&self, carp: &[u8]) -> io::Result<()> {
        self.sock.send_to(carp, self.dest).await.map(|_| ())
    }
}

/// A link-scoped destination (ff02::12, a link-local peer) needs the
/// interface as its scope; a global one does not.
fn v6_dest(ip: Ipv6Addr, ifindex: u32) -> SocketAddrV6 {
    let o = ip.octets();
    let link_local = o[0] == 0xfe && o[1] & 0xc0 == 0x80;
    let small_multicast = o[0] == 0xff && o[1] & 0x0f <= 2;
    let scope = if link_local || small_multicast {
        ifindex
    } else {
        0
    };
    SocketAddrV6::new(ip, 0, 0, scope)
}

/// Reads received IPv6 CARP bytes as an advert for `auth`'s vhid: hop
/// limit 255 (a packet without one is refused; not checked with a unicast
/// peer, as FreeBSD 14), then `VhidAuth::validate`.
pub fn parse_advert_v6(
    carp: &[u8],
    r: &Received6,
    auth: &VhidAuth,
    unicast: bool,
) -> Result<Advert, PacketError> {
    if !unicast {
        check_ttl(r.hop_limit.unwrap_or(0))?;
    }
    let header = auth.validate(carp)?;
    let from = IpAddr::V6(r.src.unwrap_or(Ipv6Addr::UNSPECIFIED));
    Ok(Advert::from_header(&header, from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_limit_and_digest_are_enforced() {
        let a = VhidAuth::new(3, b"pw", ["2001:db8::100".parse().unwrap()]);
        let carp = a.advertisement(1, 20, 9).encode();
        let src: Ipv6Addr = "fe80::1".parse().unwrap();
        let ok = Received6 {
            len: carp.len(),
            src: Some(src),
            hop_limit: Some(255),
        };
        let ad = parse_advert_v6(&carp, &ok, &a, false).unwrap();
        assert_eq!((ad.advskew, ad.counter, ad.from), (20, 9, IpAddr::V6(src)));
        let low = Received6 {
            hop_limit: Some(1),
            ..ok
        };
        assert_eq!(
            parse_advert_v6(&carp, &low, &a, false),
            Err(PacketError::BadTtl { ttl: 1 })
        );
        assert!(parse_advert_v6(&carp, &low, &a, true).is_ok());
        assert_eq!(v6_dest(GROUP_V6, 4).scope_id(), 4);
        assert_eq!(v6_dest("fe80::2".parse().unwrap(), 4).scope_id(), 4);
        assert_eq!(v6_dest("2001:db8::2".parse().unwrap(), 4).scope_id(), 0);
        let none = Received6 {
            hop_limit: None,
            ..ok
        };
        assert_eq!(
            parse_advert_v6(&carp, &none, &a, false),
            Err(PacketError::BadTtl { ttl: 0 })
        );
        let other = VhidAuth::new(3, b"pw", ["2001:db8::101".parse().unwrap()]);
        assert_eq!(
            parse_advert_v6(&carp, &ok, &other, false),
            Err(PacketError::BadDigest { vhid: 3 })
        );
    }
}
