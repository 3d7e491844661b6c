//! Hash converters: crc32, crc32c, djb2, sdbm, wt6 (the load-balancing
//! hashes, optionally avalanched), xxh32/xxh64/xxh3, sha1 and sha2.

use std::sync::OnceLock;

use super::value::Sample;

pub(crate) fn apply(name: &str, arg: Option<i64>, data: &[u8]) -> Option<Sample> {
    let avalanche = arg == Some(1);
    let h32 = |h: u32| Sample::Int(i64::from(if avalanche { full_hash(h) } else { h }));
    let seed = arg.unwrap_or(0);
    Some(match name {
        "crc32" => h32(crc32(data, 0xEDB8_8320)),
        "crc32c" => h32(crc32(data, 0x82F6_3B78)),
        "djb2" => h32(djb2(data)),
        "sdbm" => h32(sdbm(data)),
        "wt6" => h32(wt6(data)),
        "xxh32" => Sample::Int(i64::from(xxh32(data, seed as u32))),
        "xxh64" => Sample::Int(xxh64(data, seed as u64) as i64),
        "xxh3" => Sample::Int(super::conv_xxh3::xxh3_64(data, seed as u64) as i64),
        "sha1" => Sample::Bin(sha1(data).to_vec()),
        "sha2" => Sample::Bin(sha2(data, arg.unwrap_or(256))?),
        _ => return None,
    })
}

/// Bob Jenkins' 32-bit integer mix ("avalanche"), then HAProxy's spread
/// by a prime close to 3/4 of 2^32.
fn full_hash(mut a: u32) -> u32 {
    a = a.wrapping_add(0x7ed5_5d16).wrapping_add(a << 12);
    a = (a ^ 0xc761_c23c) ^ (a >> 19);
    a = a.wrapping_add(0x1656_67b1).wrapping_add(a << 5);
    a = a.wrapping_add(0xd3a2_646c) ^ (a << 9);
    a = a.wrapping_add(0xfd70_46c5).wrapping_add(a << 3);
    a = (a ^ 0xb55a_4f09) ^ (a >> 16);
    a.wrapping_mul(3_221_225_473)
}

/// Reflected CRC-32 with polynomial `poly` (IEEE or Castagnoli).
fn crc32(data: &[u8], poly: u32) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ poly
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn djb2(data: &[u8]) -> u32 {
    data.iter().fold(5381u32, |h, b| {
        h.wrapping_mul(33).wrapping_add(u32::from(*b))
    })
}

fn sdbm(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |h, b| {
        u32::from(*b)
            .wrapping_add(h << 6)
            .wrapping_add(h << 16)
            .wrapping_sub(h)
    })
}

/// HAProxy's "wt6" hash: two rotating 32-bit states whose rotation counts
/// depend on the data.
fn wt6(data: &[u8]) -> u32 {
    let (mut h0, mut h1) = (0xa53c_965au32, 0x5ca6_953au32);
    let (mut s0, mut s1) = (6u32, 18u32);
    for b in data {
        let t = u32::from(*b);
        h0 = !(h0 ^ t);
        h1 = !(h1.wrapping_add(t));
        let next0 = h1.rotate_left(s0);
        h1 = h0.rotate_left(s1);
        h0 = next0;
        let mix = ((h0 >> 16) ^ h1) & 0xffff;
        s0 = mix & 0x1f;
        s1 = mix >> 11;
    }
    h0 ^ h1
}

const P32: [u32; 5] = [
    0x9E37_79B1,
    0x85EB_CA77,
    0xC2B2_AE3D,
    0x27D4_EB2F,
    0x1656_67B1,
];

fn rd32(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn rd64(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

/// XXH32 (xxHash specification).
fn xxh32(data: &[u8], seed: u32) -> u32 {
    let round = |acc: u32, v: u32| {
        acc.wrapping_add(v.wrapping_mul(P32[1]))
            .rotate_left(13)
            .wrapping_mul(P32[0])
    };
    let len = data.len();
    let mut i = 0;
    let mut h = if len >= 16 {
        let mut v = [
            seed.wrapping_add(P32[0]).wrapping_add(P32[1]),
            seed.wrapping_add(P32[1]),
            seed,
            seed.wrapping_sub(P32[0]),
        ];
        while i + 16 <= len {
            for (k, lane) in v.iter_mut().enumerate() {
                *lane = round(*lane, rd32(data, i + 4 * k));
            }
            i += 16;
        }
        v[0].rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18))
    } else {
        seed.wrapping_add(P32[4])
    };
    h = h.wrapping_add(len as u32);
    while i + 4 <= len {
        h = h
            .wrapping_add(rd32(data, i).wrapping_mul(P32[2]))
            .rotate_left(17)
            .wrapping_mul(P32[3]);
        i += 4;
    }
    while i < len {
        h = h
            .wrapping_add(u32::from(data[i]).wrapping_mul(P32[4]))
            .rotate_left(11)
            .wrapping_mul(P32[0]);
        i += 1;
    }
    h ^= h >> 15;
    h = h.wrapping_mul(P32[1]);
    h ^= h >> 13;
    h = h.wrapping_mul(P32[2]);
    h ^ (h >> 16)
}

pub(crate) const P64: [u64; 5] = [
    0x9E37_79B1_85EB_CA87,
    0xC2B2_AE3D_27D4_EB4F,
    0x1656_67B1_9E37_79F9,
    0x85EB_CA77_C2B2_AE63,
    0x27D4_EB2F_1656_67C5,
];

fn xxh64_round(acc: u64, v: u64) -> u64 {
    acc.wrapping_add(v.wrapping_mul(P64[1]))
        .rotate_left(31)
        .wrapping_mul(P64[0])
}

/// XXH64 (xxHash specification).
fn xxh64(data: &[u8], seed: u64) -> u64 {
    let merge = |h: u64, v: u64| {
        (h ^ xxh64_round(0, v))
            .wrapping_mul(P64[0])
            .wrapping_add(P64[3])
    };
    let len = data.len();
    let mut i = 0;
    let mut h = if len >= 32 {
        let mut v = [
            seed.wrapping_add(P64[0]).wrapping_add(P64[1]),
            seed.wrapping_add(P64[1]),
            seed,
            seed.wrapping_sub(P64[0]),
        ];
        while i + 32 <= len {
            for (k, lane) in v.iter_mut().enumerate() {
                *lane = xxh64_round(*lane, rd64(data, i + 8 * k));
            }
            i += 32;
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for lane in v {
            h = merge(h, lane);
        }
        h
    } else {
        seed.wrapping_add(P64[4])
    };
    h = h.wrapping_add(len as u64);
    while i + 8 <= len {
        h = (h ^ xxh64_round(0, rd64(data, i)))
            .rotate_left(27)
            .wrapping_mul(P64[0])
            .wrapping_add(P64[3]);
        i += 8;
    }
    if i + 4 <= len {
        h = (h ^ u64::from(rd32(data, i)).wrapping_mul(P64[0]))
            .rotate_left(23)
            .wrapping_mul(P64[1])
            .wrapping_add(P64[2]);
        i += 4;
    }
    while i < len {
        h = (h ^ u64::from(data[i]).wrapping_mul(P64[4]))
            .rotate_left(11)
            .wrapping_mul(P64[0]);
        i += 1;
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P64[1]);
    h ^= h >> 29;
    h = h.wrapping_mul(P64[2]);
    h ^ (h >> 32)
}

/// Message padding shared by SHA-1 and SHA-2: `block` bytes per block,
/// a big-endian bit length of `len_bytes` bytes at the end.
fn pad(data: &[u8], block: usize, len_bytes: usize) -> Vec<u8> {
    let mut m = data.to_vec();
    m.push(0x80);
    while m.len() % block != block - len_bytes {
        m.push(0);
    }
    let bits = (data.len() as u128).wrapping_mul(8).to_be_bytes();
    m.extend_from_slice(&bits[16 - len_bytes..]);
    m
}

/// SHA-1 (FIPS 180-4).
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    for block in pad(data, 64, 8).chunks(64) {
        let mut w = [0u32; 80];
        for t in 0..80 {
            w[t] = if t < 16 {
                u32::from_be_bytes([
                    block[4 * t],
                    block[4 * t + 1],
                    block[4 * t + 2],
                    block[4 * t + 3],
                ])
            } else {
                (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotate_left(1)
            };
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (t, wt) in w.iter().enumerate() {
            let (f, k) = match t / 20 {
                0 => ((b & c) | (!b & d), 0x5A82_7999),
                1 => (b ^ c ^ d, 0x6ED9_EBA1),
                2 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let tmp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wt);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = tmp;
        }
        for (x, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// The first `n` primes.
fn primes(n: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let mut c = 2u64;
    while out.len() < n {
        if out.iter().all(|p| !c.is_multiple_of(*p)) {
            out.push(c);
        }
        c += 1;
    }
    out
}

/// Multiply little-endian u64 limb numbers.
fn big_mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; a.len() + b.len()];
    for (i, x) in a.iter().enumerate() {
        let mut carry = 0u128;
        for (j, y) in b.iter().enumerate() {
            let cur = u128::from(out[i + j]) + u128::from(*x) * u128::from(*y) + carry;
            out[i + j] = cur as u64;
            carry = cur >> 64;
        }
        out[i + b.len()] = carry as u64;
    }
    out
}

fn big_le(a: &[u64], b: &[u64]) -> bool {
    let n = a.len().max(b.len());
    for i in (0..n).rev() {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x < y;
        }
    }
    true
}

/// The first 64 bits of the fractional part of `p`'s k-th root (k = 2
/// or 3): how SHA-2 derives its constants.
fn root_frac64(p: u64, k: u32) -> u64 {
    // floor(root(p * 2^(64k))), found bit by bit.
    let mut target = vec![0u64; k as usize + 1];
    target[k as usize] = p;
    let mut r: u128 = 0;
    for bit in (0..80).rev() {
        let cand = r | (1u128 << bit);
        let limbs = [cand as u64, (cand >> 64) as u64];
        let mut pow = limbs.to_vec();
        for _ in 1..k {
            pow = big_mul(&pow, &limbs);
        }
        if big_le(&pow, &target) {
            r = cand;
        }
    }
    r as u64
}

struct Sha2Consts {
    k256: Vec<u32>,
    k512: Vec<u64>,
    iv256: Vec<u32>,
    iv224: Vec<u32>,
    iv512: Vec<u64>,
    iv384: Vec<u64>,
}

fn consts() -> &'static Sha2Consts {
    static C: OnceLock<Sha2Consts> = OnceLock::new();
    C.get_or_init(|| {
        let p = primes(80);
        let k512: Vec<u64> = p.iter().map(|p| root_frac64(*p, 3)).collect();
        let sq: Vec<u64> = p[..16].iter().map(|p| root_frac64(*p, 2)).collect();
        Sha2Consts {
            k256: k512[..64].iter().map(|k| (k >> 32) as u32).collect(),
            k512,
            iv256: sq[..8].iter().map(|v| (v >> 32) as u32).collect(),
            iv224: sq[8..].iter().map(|v| *v as u32).collect(),
            iv512: sq[..8].to_vec(),
            iv384: sq[8..].to_vec(),
        }
    })
}

fn sha256_core(data: &[u8], iv: &[u32], out_words: usize) -> Vec<u8> {
    let k = &consts().k256;
    let mut h: Vec<u32> = iv.to_vec();
    for block in pad(data, 64, 8).chunks(64) {
        let mut w = [0u32; 64];
        for t in 0..64 {
            w[t] = if t < 16 {
                u32::from_be_bytes([
                    block[4 * t],
                    block[4 * t + 1],
                    block[4 * t + 2],
                    block[4 * t + 3],
                ])
            } else {
                let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
                let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
                w[t - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[t - 7])
                    .wrapping_add(s1)
            };
        }
        let mut v = h.clone();
        for t in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(k[t])
                .wrapping_add(w[t]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v.rotate_right(1);
            v[4] = v[4].wrapping_add(t1);
            v[0] = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    h[..out_words]
        .iter()
        .flat_map(|x| x.to_be_bytes())
        .collect()
}

fn sha512_core(data: &[u8], iv: &[u64], out_words: usize) -> Vec<u8> {
    let k = &consts().k512;
    let mut h: Vec<u64> = iv.to_vec();
    for block in pad(data, 128, 16).chunks(128) {
        let mut w = [0u64; 80];
        for t in 0..80 {
            w[t] = if t < 16 {
                let mut a = [0u8; 8];
                a.copy_from_slice(&block[8 * t..8 * t + 8]);
                u64::from_be_bytes(a)
            } else {
                let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
                let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
                w[t - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[t - 7])
                    .wrapping_add(s1)
            };
        }
        let mut v = h.clone();
        for t in 0..80 {
            let s1 = v[4].rotate_right(14) ^ v[4].rotate_right(18) ^ v[4].rotate_right(41);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(k[t])
                .wrapping_add(w[t]);
            let s0 = v[0].rotate_right(28) ^ v[0].rotate_right(34) ^ v[0].rotate_right(39);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v.rotate_right(1);
            v[4] = v[4].wrapping_add(t1);
            v[0] = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    h[..out_words]
        .iter()
        .flat_map(|x| x.to_be_bytes())
        .collect()
}

/// SHA-2 with `bits` of output; `None` for other sizes.
fn sha2(data: &[u8], bits: i64) -> Option<Vec<u8>> {
    let c = consts();
    Some(match bits {
        224 => sha256_core(data, &c.iv224, 7),
        256 => sha256_core(data, &c.iv256, 8),
        384 => sha512_core(data, &c.iv384, 6),
        512 => sha512_core(data, &c.iv512, 8),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn digests_match_published_vectors() {
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        let s = |bits, d: &[u8]| sha2(d, bits).map(|v| hex(&v)).unwrap_or_default();
        assert_eq!(
            s(256, b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            s(224, b"abc"),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
        );
        assert_eq!(
            s(512, b"abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(
            s(384, b"abc"),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(sha2(b"", 100), None);
        assert_eq!(crc32(b"123456789", 0xEDB8_8320), 0xCBF4_3926);
        assert_eq!(crc32(b"123456789", 0x82F6_3B78), 0xE306_9283);
        assert_eq!(xxh32(b"", 0), 0x02CC_5D05);
        assert_eq!(xxh64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(djb2(b""), 5381);
    }
}
