//! The 36-byte CARP header (CARP.md §2) and its Internet checksum (§3).
//! Authentication lives in [`super::auth`]; full validation of a received
//! header is [`super::auth::VhidAuth::validate`].

use thiserror::Error;

/// Length of the CARP header; IPv4 and IPv6 adverts carry nothing else.
pub const HEADER_LEN: usize = 36;
/// The only CARP version on the wire (FreeBSD's `carpver 3` is VRRPv3).
pub const VERSION: u8 = 2;
/// Type of an advertisement, the only type defined.
pub const TYPE_ADVERTISEMENT: u8 = 1;
/// Counter plus HMAC in 32-bit words; sent, never checked.
pub const AUTHLEN: u8 = 7;
/// Length of the HMAC-SHA1 digest at offset 16.
pub const MD_LEN: usize = 20;

/// Why a received packet was dropped. Nothing here reaches the state
/// machine: a dropped advert is as if it was never sent.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PacketError {
    #[error("packet too short: {len} bytes after the IP header, a CARP header is 36")]
    TooShort { len: usize },
    #[error("not an IPv4 packet")]
    NotIpv4,
    #[error("bad IPv4 header checksum")]
    BadIpChecksum,
    #[error("IP protocol {protocol} is not CARP (112)")]
    NotCarp { protocol: u8 },
    #[error("TTL {ttl} is not 255")]
    BadTtl { ttl: u8 },
    #[error("bad CARP checksum")]
    BadChecksum,
    #[error("CARP version {version} is not 2")]
    BadVersion { version: u8 },
    #[error("CARP type {kind} is not an advertisement (1)")]
    BadType { kind: u8 },
    #[error("vhid {got} is not configured here (expected {expected})")]
    WrongVhid { got: u8, expected: u8 },
    #[error("bad HMAC for vhid {vhid}: check the password, the vhid and the addresses")]
    BadDigest { vhid: u8 },
}

/// A CARP header, field by field as on the wire. `decode` then `encode`
/// gives back the same 36 bytes, whatever they held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarpHeader {
    pub version: u8,
    pub kind: u8,
    pub vhid: u8,
    pub advskew: u8,
    pub authlen: u8,
    /// FreeBSD and ucarp send 0 (`carp_pad1`); OpenBSD sends its demote
    /// count here (CARP.md §2).
    pub demote: u8,
    pub advbase: u8,
    pub checksum: u16,
    /// Sent as two big-endian 32-bit words, high word first, which is the
    /// 64-bit value big-endian.
    pub counter: u64,
    pub md: [u8; MD_LEN],
}

impl CarpHeader {
    /// Reads the first 36 bytes; longer input is accepted as the kernels
    /// do. Only the length is checked here.
    pub fn decode(buf: &[u8]) -> Result<CarpHeader, PacketError> {
        let b: &[u8; HEADER_LEN] = buf
            .get(..HEADER_LEN)
            .and_then(|s| s.try_into().ok())
            .ok_or(PacketError::TooShort { len: buf.len() })?;
        let mut counter = [0u8; 8];
        counter.copy_from_slice(&b[8..16]);
        let mut md = [0u8; MD_LEN];
        md.copy_from_slice(&b[16..36]);
        Ok(CarpHeader {
            version: b[0] >> 4,
            kind: b[0] & 0x0f,
            vhid: b[1],
            advskew: b[2],
            authlen: b[3],
            demote: b[4],
            advbase: b[5],
            checksum: u16::from_be_bytes([b[6], b[7]]),
            counter: u64::from_be_bytes(counter),
            md,
        })
    }

    /// The 36 bytes, with the checksum field as stored (see
    /// [`CarpHeader::with_checksum`]).
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0] = (self.version << 4) | (self.kind & 0x0f);
        b[1] = self.vhid;
        b[2] = self.advskew;
        b[3] = self.authlen;
        b[4] = self.demote;
        b[5] = self.advbase;
        b[6..8].copy_from_slice(&self.checksum.to_be_bytes());
        b[8..16].copy_from_slice(&self.counter.to_be_bytes());
        b[16..36].copy_from_slice(&self.md);
        b
    }

    /// The same header with its checksum computed over the other fields.
    pub fn with_checksum(mut self) -> CarpHeader {
        self.checksum = 0;
        self.checksum = internet_checksum(&self.encode());
        self
    }

    /// Header checks that need no key: version, type, checksum (in the
    /// order a reader would notice them; a packet is dropped on the first).
    /// FreeBSD checks the checksum before anything else.
    pub fn check_plain(buf: &[u8]) -> Result<CarpHeader, PacketError> {
        let h = CarpHeader::decode(buf)?;
        if !internet_checksum_ok(&buf[..HEADER_LEN]) {
            return Err(PacketError::BadChecksum);
        }
        if h.version != VERSION {
            return Err(PacketError::BadVersion { version: h.version });
        }
        if h.kind != TYPE_ADVERTISEMENT {
            return Err(PacketError::BadType { kind: h.kind });
        }
        Ok(h)
    }
}

/// The RFC 1071 Internet checksum as stored in a header: the one's
/// complement of the one's-complement sum of 16-bit big-endian words, an
/// odd last byte padded with zero.
pub fn internet_checksum(data: &[u8]) -> u16 {
    !ones_complement_sum(data)
}

/// Whether data that includes its own checksum field sums to 0xffff.
pub fn internet_checksum_ok(data: &[u8]) -> bool {
    ones_complement_sum(data) == 0xffff
}

fn ones_complement_sum(data: &[u8]) -> u16 {
    // u64 cannot overflow for any slice that fits in memory.
    let mut sum: u64 = 0;
    let mut chunks = data.chunks_exact(2);
    for w in &mut chunks {
        sum += u64::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u64::from(*last) << 8;
    }
    // Fold the carries back in.
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3 example bytes: sum 0xddf2, checksum 0x220d.
        let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(internet_checksum(&d), 0x220d);
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(internet_checksum(&[0x12]), !0x1200);
        assert_eq!(internet_checksum(&[]), 0xffff);
    }

    #[test]
    fn short_input_is_an_error() {
        assert_eq!(
            CarpHeader::decode(&[0x21; 35]),
            Err(PacketError::TooShort { len: 35 })
        );
    }

    #[test]
    fn round_trip_any_bytes() {
        let mut b = [0u8; HEADER_LEN];
        for (i, x) in b.iter_mut().enumerate() {
            *x = (i as u8).wrapping_mul(37).wrapping_add(5);
        }
        let h = CarpHeader::decode(&b).unwrap();
        assert_eq!(h.encode(), b);
    }

    #[test]
    fn plain_checks_in_order() {
        let good = CarpHeader {
            version: 2,
            kind: 1,
            vhid: 1,
            advskew: 0,
            authlen: 7,
            demote: 0,
            advbase: 1,
            checksum: 0,
            counter: 1,
            md: [0; 20],
        }
        .with_checksum();
        assert!(CarpHeader::check_plain(&good.encode()).is_ok());
        let mut bad = good.encode();
        bad[20] ^= 1;
        assert_eq!(CarpHeader::check_plain(&bad), Err(PacketError::BadChecksum));
        let v3 = CarpHeader { version: 3, ..good }.with_checksum();
        assert_eq!(
            CarpHeader::check_plain(&v3.encode()),
            Err(PacketError::BadVersion { version: 3 })
        );
        let t2 = CarpHeader { kind: 2, ..good }.with_checksum();
        assert_eq!(
            CarpHeader::check_plain(&t2.encode()),
            Err(PacketError::BadType { kind: 2 })
        );
    }
}
