//! Hash functions named by `hash-type` (HAProxy manual §4.2 "hash-type"):
//! sdbm, djb2, wt6, crc32, plus the 32-bit "avalanche" mixer.
//!
//! Key bytes enter the arithmetic as unsigned values (0xE9 is 233).

/// `hash-type ... <function>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashFn {
    #[default]
    Sdbm,
    Djb2,
    Wt6,
    Crc32,
}

impl HashFn {
    pub fn from_name(s: &str) -> Option<HashFn> {
        match s {
            "sdbm" => Some(HashFn::Sdbm),
            "djb2" => Some(HashFn::Djb2),
            "wt6" => Some(HashFn::Wt6),
            "crc32" => Some(HashFn::Crc32),
            _ => None,
        }
    }
    pub fn hash(self, key: &[u8]) -> u32 {
        match self {
            HashFn::Sdbm => sdbm(key),
            HashFn::Djb2 => djb2(key),
            HashFn::Wt6 => wt6(key),
            HashFn::Crc32 => crc32(key),
        }
    }
}

/// A byte as HAProxy 2.6 reads it: unsigned (verified against 2.6.12
/// with header values holding bytes above 0x7f).
fn sx(b: u8) -> u32 {
    u32::from(b)
}

/// sdbm: h = c + (h << 6) + (h << 16) - h, i.e. h * 65599 + c.
pub fn sdbm(key: &[u8]) -> u32 {
    key.iter().fold(0u32, |h, &b| {
        sx(b)
            .wrapping_add(h << 6)
            .wrapping_add(h << 16)
            .wrapping_sub(h)
    })
}

/// djb2 (Bernstein): h = h * 33 + c, starting at 5381.
pub fn djb2(key: &[u8]) -> u32 {
    key.iter().fold(5381u32, |h, &b| {
        (h << 5).wrapping_add(h).wrapping_add(sx(b))
    })
}

/// wt6: two 32-bit lanes mixed with data-dependent rotations.
pub fn wt6(key: &[u8]) -> u32 {
    let mut h0: u32 = 0xa53c_965a;
    let mut h1: u32 = 0x5ca6_953a;
    let mut step0: u32 = 6;
    let mut step1: u32 = 18;
    for &b in key {
        let t = sx(b);
        h0 = !(h0 ^ t);
        h1 = !(h1.wrapping_add(t));
        let r = h1.rotate_left(step0);
        h1 = h0.rotate_left(step1);
        h0 = r;
        let m = ((h0 >> 16) ^ h1) & 0xffff;
        step0 = m & 0x1f;
        step1 = m >> 11;
    }
    h0 ^ h1
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bitwise.
pub fn crc32(key: &[u8]) -> u32 {
    let mut h: u32 = !0;
    for &b in key {
        h ^= sx(b);
        for _ in 0..8 {
            h = (h >> 1) ^ if h & 1 != 0 { 0xedb8_8320 } else { 0 };
        }
    }
    !h
}

/// Bob Jenkins' 32-bit integer mixer ("full avalanche"), used by the
/// `avalanche` modifier and to place consistent-hash ring points.
pub fn avalanche(mut a: u32) -> u32 {
    a = a.wrapping_add(0x7ed5_5d16).wrapping_add(a << 12);
    a = (a ^ 0xc761_c23c) ^ (a >> 19);
    a = a.wrapping_add(0x1656_67b1).wrapping_add(a << 5);
    a = a.wrapping_add(0xd3a2_646c) ^ (a << 9);
    a = a.wrapping_add(0xfd70_46c5).wrapping_add(a << 3);
    a = (a ^ 0xb55a_4f09) ^ (a >> 16);
    // HAProxy then spreads the result with an odd multiplier close to
    // 3/4 of 2^32 (matters for ring placement; verified against 2.6).
    a.wrapping_mul(3_221_225_473)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdbm_matches_its_recurrence() {
        assert_eq!(sdbm(b""), 0);
        assert_eq!(sdbm(b"a"), 97);
        assert_eq!(sdbm(b"ab"), 97u32.wrapping_mul(65599).wrapping_add(98));
    }

    #[test]
    fn djb2_matches_its_recurrence() {
        assert_eq!(djb2(b""), 5381);
        assert_eq!(djb2(b"a"), 5381 * 33 + 97);
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        // The classic CRC-32 check value for "123456789".
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn high_bytes_are_unsigned() {
        assert_eq!(sdbm(&[0xE9]), 0xE9);
        assert_eq!(djb2(&[0x80]), 5381 * 33 + 0x80);
    }

    #[test]
    fn wt6_and_avalanche_are_deterministic_and_spread() {
        assert_eq!(wt6(b""), 0xa53c_965a ^ 0x5ca6_953a);
        assert_ne!(wt6(b"a"), wt6(b"b"));
        assert_ne!(avalanche(1), avalanche(2));
        assert_eq!(avalanche(7), avalanche(7));
    }
}
