//! The advert socket of one vhid (CARP.md §1, "Linux socket notes"): a raw
//! IPv4 socket for protocol 112 bound to the parent interface and joined
//! to 224.0.0.18 there. The kernel builds the IP header of what we send;
//! what we receive comes with its IP header, so TTL and source are read
//! from the packet itself.
//!
//! The socket is driven by tokio through `tokio::net::UdpSocket`: a raw IP
//! socket is a datagram socket too, and that wrapper's `recv`/`send_to`
//! are plain recv(2)/sendto(2) on readiness. It does what `AsyncFd` would,
//! without the `unsafe` that `AsyncFd::register` now requires.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

use socket2::{Domain, InterfaceIndexOrAddress, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use super::auth::VhidAuth;
use super::packet::PacketError;
use super::state::Advert;
use super::wire::{check_ttl, split_ipv4, GROUP_V4, IPPROTO_CARP, TTL};

/// Large enough for any IPv4 packet we may be handed (options, padding).
pub const RECV_BUF_LEN: usize = 2048;

/// One raw IPv4 CARP socket on one interface.
pub struct AdvertSocket {
    sock: UdpSocket,
    dest: SocketAddr,
}

impl AdvertSocket {
    /// Opens the socket on `iface` (Linux name, index `ifindex`), sending
    /// with TOS byte `tos` to 224.0.0.18, or to `peer` (FreeBSD 14's
    /// unicast `peer`). Must be called inside a tokio runtime.
    pub fn open(
        iface: &str,
        ifindex: u32,
        tos: u8,
        peer: Option<Ipv4Addr>,
    ) -> io::Result<AdvertSocket> {
        let proto = Protocol::from(i32::from(IPPROTO_CARP));
        let s: Socket = Socket::new(Domain::IPV4, Type::RAW, Some(proto))?;
        s.bind_device(Some(iface.as_bytes()))?;
        s.join_multicast_v4_n(&GROUP_V4, &InterfaceIndexOrAddress::Index(ifindex))?;
        s.set_multicast_ttl_v4(u32::from(TTL))?;
        s.set_ttl_v4(u32::from(TTL))?;
        // Our own adverts must not come back to us (CARP.md §1).
        s.set_multicast_loop_v4(false)?;
        s.set_tos_v4(u32::from(tos))?;
        s.set_nonblocking(true)?;
        Ok(AdvertSocket {
            sock: UdpSocket::from_std(s.into())?,
            // The port of a raw socket's destination is ignored.
            dest: SocketAddr::V4(SocketAddrV4::new(peer.unwrap_or(GROUP_V4), 0)),
        })
    }

    /// Waits for the next packet; returns its length (IP header included).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.sock.recv(buf).await
    }

    /// Sends one CARP header (36 bytes) to 224.0.0.18.
    pub async fn send(&self, carp: &[u8]) -> io::Result<()> {
        self.sock.send_to(carp, self.dest).await.map(|_| ())
    }
}

/// Reads a received IPv4 packet as an advert for `auth`'s vhid: IPv4
/// header, TTL 255 (not with a unicast peer, as FreeBSD 14), then
/// `VhidAuth::validate` (checksum, version, type, vhid, HMAC).
pub fn parse_advert_v4(
    packet: &[u8],
    auth: &VhidAuth,
    unicast: bool,
) -> Result<Advert, PacketError> {
    let (info, carp) = split_ipv4(packet)?;
    if !unicast {
        check_ttl(info.ttl)?;
    }
    let header = auth.validate(carp)?;
    Ok(Advert::from_header(&header, IpAddr::V4(info.src)))
}

/// Whether a rejected packet is worth a log line: adverts of other vhids
/// share the group and are silently ignored, as FreeBSD does.
pub fn worth_logging(e: &PacketError) -> bool {
    !matches!(e, PacketError::WrongVhid { .. })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carp::packet::internet_checksum_ok;
    use std::net::Ipv4Addr;

    /// A 20-byte IPv4 header as the kernel would build it, plus `carp`.
    fn ipv4(src: Ipv4Addr, ttl: u8, carp: &[u8]) -> Vec<u8> {
        let total = (20 + carp.len()) as u16;
        let mut h = vec![0x45, 0x10];
        h.extend_from_slice(&total.to_be_bytes());
        h.extend_from_slice(&[0, 0, 0x40, 0, ttl, IPPROTO_CARP, 0, 0]);
        h.extend_from_slice(&src.octets());
        h.extend_from_slice(&GROUP_V4.octets());
        let sum = checksum(&h);
        h[10..12].copy_from_slice(&sum.to_be_bytes());
        assert!(internet_checksum_ok(&h));
        h.extend_from_slice(carp);
        h
    }

    fn checksum(b: &[u8]) -> u16 {
        let mut s: u32 = 0;
        for c in b.chunks(2) {
            s += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
        }
        while s > 0xffff {
            s = (s & 0xffff) + (s >> 16);
        }
        !(s as u16)
    }

    fn auth(vhid: u8, pass: &[u8]) -> VhidAuth {
        VhidAuth::new(vhid, pass, ["10.99.0.100".parse().unwrap()])
    }

    #[test]
    fn valid_advert_is_read_with_its_source() {
        let a = auth(1, b"secret");
        let src = Ipv4Addr::new(10, 99, 0, 1);
        let pkt = ipv4(src, 255, &a.advertisement(1, 100, 42).encode());
        let ad = parse_advert_v4(&pkt, &a, false).unwrap();
        assert_eq!(
            (ad.advbase, ad.advskew, ad.counter, ad.from),
            (1, 100, 42, IpAddr::V4(src))
        );
    }

    #[test]
    fn ttl_vhid_and_password_are_enforced() {
        let a = auth(1, b"secret");
        let src = Ipv4Addr::new(10, 99, 0, 1);
        let carp = a.advertisement(1, 0, 1).encode();
        assert_eq!(
            parse_advert_v4(&ipv4(src, 64, &carp), &a, false),
            Err(PacketError::BadTtl { ttl: 64 })
        );
        let unicast = parse_advert_v4(&ipv4(src, 64, &carp), &a, true).unwrap();
        assert_eq!(unicast.from, IpAddr::V4(src));
        let other_vhid = auth(2, b"secret");
        let e = parse_advert_v4(&ipv4(src, 255, &carp), &other_vhid, false).unwrap_err();
        assert_eq!(
            e,
            PacketError::WrongVhid {
                got: 1,
                expected: 2
            }
        );
        assert!(!worth_logging(&e));
        let wrong_pass = auth(1, b"other");
        let e = parse_advert_v4(&ipv4(src, 255, &carp), &wrong_pass, false).unwrap_err();
        assert_eq!(e, PacketError::BadDigest { vhid: 1 });
        assert!(worth_logging(&e));
    }
}
