//! CARP authentication (CARP.md §4): the key kept from the password, the
//! message the HMAC-SHA1 covers, and the validation of received headers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::packet::{CarpHeader, PacketError, AUTHLEN, MD_LEN, TYPE_ADVERTISEMENT, VERSION};
use crate::rcconf::VhidConfig;

type HmacSha1 = Hmac<Sha1>;

/// FreeBSD copies the password with `strlcpy` into a 20-byte buffer, so
/// at most 19 bytes count (CARP.md §4.1).
pub const KEY_LEN: usize = 19;
/// SHA-1 block size: HMAC pads a shorter key with zeros to this length,
/// exactly as the kernels' hand-rolled HMAC does.
const BLOCK_LEN: usize = 64;

/// Everything the HMAC of one vhid depends on except the counter: the
/// key, the vhid and its sorted address list. Build it once per vhid (and
/// again when its addresses change), as FreeBSD does.
#[derive(Clone)]
pub struct VhidAuth {
    vhid: u8,
    key_truncated: bool,
    v4: Vec<Ipv4Addr>,
    v6: Vec<Ipv6Addr>,
    /// HMAC state after key, version, type, vhid and addresses.
    prefix: HmacSha1,
}

impl std::fmt::Debug for VhidAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is never printed.
        f.debug_struct("VhidAuth")
            .field("vhid", &self.vhid)
            .field("v4", &self.v4)
            .field("v6", &self.v6)
            .finish_non_exhaustive()
    }
}

impl VhidAuth {
    /// `password` is used up to its first [`KEY_LEN`] bytes; an empty one
    /// is FreeBSD's all-zero key. `addrs` may be in any order and repeat.
    pub fn new(vhid: u8, password: &[u8], addrs: impl IntoIterator<Item = IpAddr>) -> VhidAuth {
        let kept = &password[..password.len().min(KEY_LEN)];
        let mut block = [0u8; BLOCK_LEN];
        block[..kept.len()].copy_from_slice(kept);
        let (v4, v6) = sorted_addrs(addrs);
        let mut prefix = HmacSha1::new(&block.into());
        prefix.update(&message_prefix(vhid, &v4, &v6));
        VhidAuth {
            vhid,
            key_truncated: password.len() > KEY_LEN,
            v4,
            v6,
            prefix,
        }
    }

    /// The vhid's key (already at most 19 bytes in the model) and every
    /// address of the vhid, both families.
    pub fn from_config(v: &VhidConfig) -> VhidAuth {
        VhidAuth::new(v.vhid, &v.key, v.addrs.iter().map(|a| a.addr))
    }

    pub fn vhid(&self) -> u8 {
        self.vhid
    }

    /// Whether the password given was longer than FreeBSD keeps (the
    /// caller should warn).
    pub fn key_truncated(&self) -> bool {
        self.key_truncated
    }

    /// IPv4 addresses in HMAC order.
    pub fn v4(&self) -> &[Ipv4Addr] {
        &self.v4
    }

    /// IPv6 addresses in HMAC order, scope bytes cleared.
    pub fn v6(&self) -> &[Ipv6Addr] {
        &self.v6
    }

    /// The exact bytes authenticated for `counter` (CARP.md §4.2).
    pub fn message(&self, counter: u64) -> Vec<u8> {
        let mut m = message_prefix(self.vhid, &self.v4, &self.v6);
        m.extend_from_slice(&counter.to_be_bytes());
        m
    }

    /// HMAC-SHA1 over [`VhidAuth::message`].
    pub fn digest(&self, counter: u64) -> [u8; MD_LEN] {
        let mut mac = self.prefix.clone();
        mac.update(&counter.to_be_bytes());
        let mut md = [0u8; MD_LEN];
        md.copy_from_slice(&mac.finalize().into_bytes());
        md
    }

    /// A complete advertisement header, digest and checksum filled in. The
    /// demote byte is 0, as FreeBSD and ucarp send it.
    pub fn advertisement(&self, advbase: u8, advskew: u8, counter: u64) -> CarpHeader {
        CarpHeader {
            version: VERSION,
            kind: TYPE_ADVERTISEMENT,
            vhid: self.vhid,
            advskew,
            authlen: AUTHLEN,
            demote: 0,
            advbase,
            checksum: 0,
            counter,
            md: self.digest(counter),
        }
        .with_checksum()
    }

    /// Validates received CARP bytes for this vhid: length, checksum,
    /// version, type, vhid, then the HMAC (compared in constant time).
    pub fn validate(&self, buf: &[u8]) -> Result<CarpHeader, PacketError> {
        let h = CarpHeader::check_plain(buf)?;
        self.verify(&h)?;
        Ok(h)
    }

    /// The keyed checks of an already plain-checked header: vhid and HMAC.
    pub fn verify(&self, h: &CarpHeader) -> Result<(), PacketError> {
        if h.vhid != self.vhid {
            return Err(PacketError::WrongVhid {
                got: h.vhid,
                expected: self.vhid,
            });
        }
        let mut mac = self.prefix.clone();
        mac.update(&h.counter.to_be_bytes());
        mac.verify_slice(&h.md)
            .map_err(|_| PacketError::BadDigest { vhid: self.vhid })
    }
}

fn message_prefix(vhid: u8, v4: &[Ipv4Addr], v6: &[Ipv6Addr]) -> Vec<u8> {
    let mut m = Vec::with_capacity(3 + 4 * v4.len() + 16 * v6.len() + 8);
    m.extend_from_slice(&[VERSION, TYPE_ADVERTISEMENT, vhid]);
    for a in v4 {
        m.extend_from_slice(&a.octets());
    }
    for a in v6 {
        m.extend_from_slice(&a.octets());
    }
    m
}

/// IPv4 ascending by numeric value, IPv6 ascending by bytes, each once.
/// IPv6 addresses whose scope FreeBSD embeds (link-local unicast,
/// interface- and link-local multicast) are hashed with bytes 2..3 zeroed,
/// i.e. in their on-wire form.
pub fn sorted_addrs(addrs: impl IntoIterator<Item = IpAddr>) -> (Vec<Ipv4Addr>, Vec<Ipv6Addr>) {
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for a in addrs {
        match a {
            IpAddr::V4(x) => v4.push(x),
            IpAddr::V6(x) => v6.push(clear_embedded_scope(x)),
        }
    }
    v4.sort();
    v4.dedup();
    v6.sort_by_key(|a| a.octets());
    v6.dedup();
    (v4, v6)
}

fn clear_embedded_scope(a: Ipv6Addr) -> Ipv6Addr {
    let mut o = a.octets();
    let link_local_unicast = o[0] == 0xfe && (o[1] & 0xc0) == 0x80;
    let small_scope_multicast = o[0] == 0xff && matches!(o[1] & 0x0f, 0x01 | 0x02);
    if link_local_unicast || small_scope_multicast {
        o[2] = 0;
        o[3] = 0;
    }
    Ipv6Addr::from(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn long_password_is_cut_to_19_bytes() {
        let long = VhidAuth::new(1, b"0123456789012345678XYZ", [ip("10.0.0.1")]);
        let cut = VhidAuth::new(1, b"0123456789012345678", [ip("10.0.0.1")]);
        assert!(long.key_truncated());
        assert!(!cut.key_truncated());
        assert_eq!(long.digest(5), cut.digest(5));
        let other = VhidAuth::new(1, b"012345678901234567", [ip("10.0.0.1")]);
        assert_ne!(other.digest(5), cut.digest(5));
    }

    #[test]
    fn scope_bytes_cleared_for_link_local() {
        let (_, v6) = sorted_addrs([ip("fe80:3::1"), ip("ff02:5::1"), ip("2001:db8::1")]);
        let got: Vec<String> = v6.iter().map(|a| a.to_string()).collect();
        assert_eq!(got, ["2001:db8::1", "fe80::1", "ff02::1"]);
    }

    #[test]
    fn duplicates_hashed_once() {
        let a = VhidAuth::new(3, b"k", [ip("10.0.0.2"), ip("10.0.0.1"), ip("10.0.0.2")]);
        assert_eq!(
            a.v4(),
            [Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)]
        );
        assert_eq!(a.message(0).len(), 3 + 8 + 8);
    }

    #[test]
    fn debug_hides_the_key() {
        let a = VhidAuth::new(3, b"topsecret", [ip("10.0.0.2")]);
        assert!(!format!("{a:?}").contains("topsecret"));
    }
}
