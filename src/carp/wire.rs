//! IP and link-layer facts a CARP driver needs (CARP.md §1), and the
//! reading of a received IPv4 packet down to its CARP header. No sockets.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::packet::{internet_checksum_ok, PacketError, HEADER_LEN};

/// IP protocol number of CARP (shared with VRRP).
pub const IPPROTO_CARP: u8 = 112;
/// IPv4 multicast group adverts are sent to.
pub const GROUP_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
/// IPv6 link-local multicast group adverts are sent to.
pub const GROUP_V6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12);
/// Ethernet address of [`GROUP_V4`].
pub const GROUP_V4_MAC: [u8; 6] = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x12];
/// Ethernet address of [`GROUP_V6`].
pub const GROUP_V6_MAC: [u8; 6] = [0x33, 0x33, 0x00, 0x00, 0x00, 0x12];
/// IPv4 TTL and IPv6 hop limit of every advert; receivers drop anything
/// else (unless a unicast peer is configured, FreeBSD 14).
pub const TTL: u8 = 255;
/// TOS byte sent by ucarp, OpenBSD and FreeBSD ≤ 10 (IPTOS_LOWDELAY).
pub const TOS_LOWDELAY: u8 = 0x10;
/// Total length of an IPv4 advert: a 20-byte header without options plus
/// the CARP header.
pub const IPV4_PACKET_LEN: usize = 20 + HEADER_LEN;

/// FreeBSD's virtual router MAC of a vhid, `00:00:5e:00:01:<vhid>`: the
/// source MAC of its adverts and the MAC its MASTER answers ARP with.
pub fn virtual_mac(vhid: u8) -> [u8; 6] {
    [0x00, 0x00, 0x5e, 0x00, 0x01, vhid]
}

/// The source MAC ucarp puts on its adverts, `00:00:5e:00:00:<vhid>`
/// (byte 4 differs from FreeBSD's; nobody checks it on receive).
pub fn ucarp_mac(vhid: u8) -> [u8; 6] {
    [0x00, 0x00, 0x5e, 0x00, 0x00, vhid]
}

/// The TOS byte newer FreeBSD sends for `net.inet.carp.dscp` (56 → 0xe0).
pub fn tos_from_dscp(dscp: u8) -> u8 {
    (dscp & 0x3f) << 2
}

/// What a receiver needs from the IPv4 header of an advert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Info {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub ttl: u8,
    pub tos: u8,
}

/// Splits a received IPv4 packet (as a Linux raw socket returns it, header
/// included) into its header facts and the CARP bytes that follow. Checks
/// the IPv4 header checksum, the protocol and that a full CARP header is
/// present; TTL is left to [`check_ttl`] because a unicast peer skips it.
pub fn split_ipv4(packet: &[u8]) -> Result<(Ipv4Info, &[u8]), PacketError> {
    let first = *packet.first().ok_or(PacketError::NotIpv4)?;
    if first >> 4 != 4 {
        return Err(PacketError::NotIpv4);
    }
    let ihl = usize::from(first & 0x0f) * 4;
    if ihl < 20 || packet.len() < ihl {
        return Err(PacketError::NotIpv4);
    }
    let ip = &packet[..ihl];
    if !internet_checksum_ok(ip) {
        return Err(PacketError::BadIpChecksum);
    }
    if ip[9] != IPPROTO_CARP {
        return Err(PacketError::NotCarp { protocol: ip[9] });
    }
    let carp = &packet[ihl..];
    if carp.len() < HEADER_LEN {
        return Err(PacketError::TooShort { len: carp.len() });
    }
    let info = Ipv4Info {
        src: Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]),
        dst: Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]),
        ttl: ip[8],
        tos: ip[1],
    };
    Ok((info, carp))
}

/// CARP.md §1: every receiver drops adverts whose TTL / hop limit is not
/// 255, so they cannot come from off-link.
pub fn check_ttl(ttl: u8) -> Result<(), PacketError> {
    if ttl == TTL {
        Ok(())
    } else {
        Err(PacketError::BadTtl { ttl })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants() {
        assert_eq!(GROUP_V4.to_string(), "224.0.0.18");
        assert_eq!(GROUP_V6.to_string(), "ff02::12");
        assert_eq!(virtual_mac(7), [0, 0, 0x5e, 0, 1, 7]);
        assert_eq!(ucarp_mac(7), [0, 0, 0x5e, 0, 0, 7]);
        assert_eq!(tos_from_dscp(56), 0xe0);
        assert_eq!(IPV4_PACKET_LEN, 56);
        assert!(GROUP_V4.is_multicast());
        assert_eq!(&GROUP_V4_MAC[3..], &GROUP_V4.octets()[1..]);
    }

    #[test]
    fn ttl_must_be_255() {
        assert_eq!(check_ttl(255), Ok(()));
        assert_eq!(check_ttl(64), Err(PacketError::BadTtl { ttl: 64 }));
    }

    #[test]
    fn split_rejects_garbage() {
        assert_eq!(split_ipv4(&[]), Err(PacketError::NotIpv4));
        assert_eq!(split_ipv4(&[0x60; 40]), Err(PacketError::NotIpv4));
        assert_eq!(split_ipv4(&[0x45, 0, 0]), Err(PacketError::NotIpv4));
        assert_eq!(split_ipv4(&[0x44; 60]), Err(PacketError::NotIpv4));
    }
}
