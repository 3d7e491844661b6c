//! XXH3 64-bit with seed (xxHash specification), for the `xxh3`
//! converter. Checked against HAProxy in tests/sample_haproxy.rs for every
//! length class (0, 1-3, 4-8, 9-16, 17-128, 129-240, long).

use super::conv_hash::P64;

const P32_1: u64 = 0x9E37_79B1;
const P32_2: u64 = 0x85EB_CA77;
const P32_3: u64 = 0xC2B2_AE3D;
const MX1: u64 = 0x1656_6791_9E37_79F9;
const MX2: u64 = 0x9FB2_1C65_1E98_DF25;

/// The specification's default 192-byte secret.
const SECRET: [u8; 192] = [
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
    0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
    0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
    0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
    0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
    0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
    0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
];

fn r32(b: &[u8], i: usize) -> u64 {
    u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]))
}

fn r64(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

fn avalanche(mut h: u64) -> u64 {
    h ^= h >> 37;
    h = h.wrapping_mul(MX1);
    h ^ (h >> 32)
}

fn xxh64_avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(P64[1]);
    h ^= h >> 29;
    h = h.wrapping_mul(P64[2]);
    h ^ (h >> 32)
}

fn rrmxmx(mut h: u64, len: u64) -> u64 {
    h ^= h.rotate_left(49) ^ h.rotate_left(24);
    h = h.wrapping_mul(MX2);
    h ^= (h >> 35).wrapping_add(len);
    h = h.wrapping_mul(MX2);
    h ^ (h >> 28)
}

fn mix16(d: &[u8], i: usize, s: &[u8], j: usize, seed: u64) -> u64 {
    fold(
        r64(d, i) ^ r64(s, j).wrapping_add(seed),
        r64(d, i + 8) ^ r64(s, j + 8).wrapping_sub(seed),
    )
}

pub(crate) fn xxh3_64(d: &[u8], seed: u64) -> u64 {
    let s = &SECRET;
    let len = d.len();
    let l = len as u64;
    match len {
        0 => xxh64_avalanche(seed ^ r64(s, 56) ^ r64(s, 64)),
        1..=3 => {
            let combined = (u64::from(d[0]) << 16)
                | (u64::from(d[len >> 1]) << 24)
                | u64::from(d[len - 1])
                | (l << 8);
            let flip = (r32(s, 0) ^ r32(s, 4)).wrapping_add(seed);
            xxh64_avalanche(combined ^ flip)
        }
        4..=8 => {
            let seed = seed ^ (u64::from((seed as u32).swap_bytes()) << 32);
            let flip = (r64(s, 8) ^ r64(s, 16)).wrapping_sub(seed);
            let input = r32(d, len - 4).wrapping_add(r32(d, 0) << 32);
            rrmxmx(input ^ flip, l)
        }
        9..=16 => {
            let f1 = (r64(s, 24) ^ r64(s, 32)).wrapping_add(seed);
            let f2 = (r64(s, 40) ^ r64(s, 48)).wrapping_sub(seed);
            let lo = r64(d, 0) ^ f1;
            let hi = r64(d, len - 8) ^ f2;
            let acc = l
                .wrapping_add(lo.swap_bytes())
                .wrapping_add(hi)
                .wrapping_add(fold(lo, hi));
            avalanche(acc)
        }
        17..=128 => {
            let mut acc = l.wrapping_mul(P64[0]);
            let rounds = (len - 1) / 32;
            for r in (0..=rounds).rev() {
                acc = acc.wrapping_add(mix16(d, 16 * r, s, 32 * r, seed));
                acc = acc.wrapping_add(mix16(d, len - 16 * (r + 1), s, 32 * r + 16, seed));
            }
            avalanche(acc)
        }
        129..=240 => {
            let mut acc = l.wrapping_mul(P64[0]);
            for i in 0..8 {
                acc = acc.wrapping_add(mix16(d, 16 * i, s, 16 * i, seed));
            }
            acc = avalanche(acc);
            for i in 8..len / 16 {
                acc = acc.wrapping_add(mix16(d, 16 * i, s, 16 * (i - 8) + 3, seed));
            }
            acc = acc.wrapping_add(mix16(d, len - 16, s, 136 - 17, seed));
            avalanche(acc)
        }
        _ => long(d, &derived_secret(seed)),
    }
}

/// The secret for long inputs: the default one shifted by the seed.
fn derived_secret(seed: u64) -> [u8; 192] {
    let mut out = SECRET;
    for i in 0..12 {
        let lo = r64(&SECRET, 16 * i).wrapping_add(seed);
        let hi = r64(&SECRET, 16 * i + 8).wrapping_sub(seed);
        out[16 * i..16 * i + 8].copy_from_slice(&lo.to_le_bytes());
        out[16 * i + 8..16 * i + 16].copy_from_slice(&hi.to_le_bytes());
    }
    out
}

fn stripe(acc: &mut [u64; 8], d: &[u8], i: usize, s: &[u8], j: usize) {
    for k in 0..8 {
        let v = r64(d, i + 8 * k);
        let key = v ^ r64(s, j + 8 * k);
        acc[k ^ 1] = acc[k ^ 1].wrapping_add(v);
        acc[k] = acc[k].wrapping_add((key & 0xffff_ffff).wrapping_mul(key >> 32));
    }
}

fn scramble(acc: &mut [u64; 8], s: &[u8], j: usize) {
    for (k, a) in acc.iter_mut().enumerate() {
        let mut v = *a;
        v ^= v >> 47;
        v ^= r64(s, j + 8 * k);
        *a = v.wrapping_mul(P32_1);
    }
}

fn long(d: &[u8], s: &[u8; 192]) -> u64 {
    let len = d.len();
    let mut acc = [P32_3, P64[0], P64[1], P64[2], P64[3], P32_2, P64[4], P32_1];
    let stripes_per_block = (s.len() - 64) / 8;
    let block = 64 * stripes_per_block;
    let blocks = (len - 1) / block;
    for b in 0..blocks {
        for st in 0..stripes_per_block {
            stripe(&mut acc, d, b * block + 64 * st, s, 8 * st);
        }
        scramble(&mut acc, s, s.len() - 64);
    }
    let last_stripes = ((len - 1) - block * blocks) / 64;
    for st in 0..last_stripes {
        stripe(&mut acc, d, blocks * block + 64 * st, s, 8 * st);
    }
    stripe(&mut acc, d, len - 64, s, s.len() - 64 - 7);
    let mut h = (len as u64).wrapping_mul(P64[0]);
    for i in 0..4 {
        h = h.wrapping_add(fold(
            acc[2 * i] ^ r64(s, 11 + 16 * i),
            acc[2 * i + 1] ^ r64(s, 11 + 16 * i + 8),
        ));
    }
    avalanche(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Published reference values for the empty input.
        assert_eq!(xxh3_64(b"", 0), 0x2D06_8005_38D3_94C2);
        // Every length class gives distinct, seed-dependent values.
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in [1, 3, 4, 8, 9, 16, 17, 128, 129, 240, 241, 1024, 1025, 3000] {
            assert_ne!(xxh3_64(&data[..len], 0), xxh3_64(&data[..len], 1), "{len}");
        }
    }
}
