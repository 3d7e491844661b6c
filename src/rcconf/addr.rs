//! Address words of ifconfig lines: `10.10.0.1`, `10.10.0.1/16`,
//! `10.0.0.1-5/32` (rc's alias ranges), `2001:db8::1/64`, `fe80::1%em0`,
//! and netmasks (`255.255.0.0`, `0xffff0000`, `ffff:ffff::`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::digit1;
use nom::combinator::{all_consuming, map_res, opt};
use nom::sequence::preceded;
use nom::{IResult, Parser};

/// rc.conf expands at most this many addresses from one range.
const MAX_RANGE: usize = 256;

/// A parsed address word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrWord {
    /// One address, or several for a range.
    pub addrs: Vec<IpAddr>,
    /// The `/len` suffix, if written.
    pub prefix: Option<u8>,
    /// Written as a range (`a.b.c.d-e`).
    pub range: bool,
}

/// Why a word is not an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrError {
    /// Does not look like an address at all (a keyword, a host name...).
    NotAddress,
    /// Looks like an address but is malformed: the message says why.
    Bad(String),
}

fn small_number(i: &str) -> IResult<&str, u8> {
    map_res(digit1, str::parse::<u8>).parse(i)
}

fn prefix_suffix(i: &str) -> IResult<&str, Option<u8>> {
    opt(preceded(tag("/"), small_number)).parse(i)
}

/// `a.b.c.d[-e][/len]`
fn ipv4_word(i: &str) -> IResult<&str, (Ipv4Addr, Option<u8>, Option<u8>)> {
    all_consuming((
        map_res(
            take_while1(|c: char| c.is_ascii_digit() || c == '.'),
            str::parse::<Ipv4Addr>,
        ),
        opt(preceded(tag("-"), small_number)),
        prefix_suffix,
    ))
    .parse(i)
}

/// `x:y::z[%zone][/len]`; the zone is dropped (the HMAC uses the address
/// with its scope bytes zero, which is the textual form).
fn ipv6_word(i: &str) -> IResult<&str, (Ipv6Addr, Option<u8>)> {
    let (i, addr) = map_res(
        take_while1(|c: char| c.is_ascii_hexdigit() || c == ':' || c == '.'),
        str::parse::<Ipv6Addr>,
    )
    .parse(i)?;
    let (i, _zone) = opt(preceded(tag("%"), take_while1(|c: char| c != '/'))).parse(i)?;
    let (i, len) = all_consuming(prefix_suffix).parse(i)?;
    Ok((i, (addr, len)))
}

fn looks_v4(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_digit())
        && w.contains('.')
        && w.chars().all(|c| c.is_ascii_digit() || "./-".contains(c))
}

/// Anything with a colon is meant as an IPv6 address (host names have
/// none; MAC addresses only follow `ether`/`lladdr`, which take them).
fn looks_v6(w: &str) -> bool {
    w.contains(':')
}

/// Parses one address word.
pub fn parse_addr(w: &str) -> Result<AddrWord, AddrError> {
    if looks_v4(w) {
        let Ok((_, (first, last, prefix))) = ipv4_word(w) else {
            return Err(AddrError::Bad(format!("'{w}' is not a valid IPv4 address")));
        };
        if prefix.is_some_and(|p| p > 32) {
            return Err(AddrError::Bad(format!(
                "'{w}': prefix length must be between 0 and 32"
            )));
        }
        let Some(last) = last else {
            return Ok(AddrWord {
                addrs: vec![IpAddr::V4(first)],
                prefix,
                range: false,
            });
        };
        let [a, b, c, start] = first.octets();
        if last < start {
            return Err(AddrError::Bad(format!(
                "'{w}': the range ends before it starts"
            )));
        }
        let addrs: Vec<IpAddr> = (start..=last)
            .take(MAX_RANGE)
            .map(|d| IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
            .collect();
        return Ok(AddrWord {
            addrs,
            prefix,
            range: true,
        });
    }
    if looks_v6(w) {
        if w.contains('-') {
            return Err(AddrError::Bad(format!(
                "'{w}': harp expands IPv4 address ranges only"
            )));
        }
        let Ok((_, (addr, prefix))) = ipv6_word(w) else {
            return Err(AddrError::Bad(format!("'{w}' is not a valid IPv6 address")));
        };
        if prefix.is_some_and(|p| p > 128) {
            return Err(AddrError::Bad(format!(
                "'{w}': prefix length must be between 0 and 128"
            )));
        }
        return Ok(AddrWord {
            addrs: vec![IpAddr::V6(addr)],
            prefix,
            range: false,
        });
    }
    Err(AddrError::NotAddress)
}

fn hex_mask(i: &str) -> IResult<&str, u32> {
    all_consuming(preceded(
        tag("0x"),
        map_res(take_while1(|c: char| c.is_ascii_hexdigit()), |h: &str| {
            u32::from_str_radix(h, 16)
        }),
    ))
    .parse(i)
}

/// Prefix length of a contiguous mask, or `None` for a mask with holes.
fn mask_len(bits: u128, width: u32) -> Option<u8> {
    let ones = bits.leading_ones().saturating_sub(128 - width);
    let expected = if ones == 0 {
        0
    } else {
        (u128::MAX >> (128 - width)) & !(u128::MAX >> (128 - width) >> ones)
    };
    if bits == expected {
        u8::try_from(ones).ok()
    } else {
        None
    }
}

/// `netmask` argument → prefix length. `v6` selects IPv6 masks.
pub fn parse_netmask(w: &str, v6: bool) -> Result<u8, String> {
    let bits: Option<(u128, u32)> = if v6 {
        w.parse::<Ipv6Addr>().ok().map(|m| (u128::from(m), 128))
    } else if w.starts_with("0x") {
        hex_mask(w).ok().map(|(_, m)| (u128::from(m), 32))
    } else {
        w.parse::<Ipv4Addr>()
            .ok()
            .map(|m| (u128::from(u32::from(m)), 32))
    };
    let Some((bits, width)) = bits else {
        return Err(format!("netmask '{w}' is not a valid mask"));
    };
    let top = if width == 32 { bits << 96 } else { bits };
    mask_len(top, 128)
        .map(|n| n.min(width as u8))
        .ok_or_else(|| format!("netmask '{w}' is not contiguous"))
}

/// The mask FreeBSD uses for an IPv4 address given without one: the old
/// class A/B/C mask (ifconfig warns that this is deprecated).
pub fn classful_len(a: Ipv4Addr) -> u8 {
    match a.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        192..=223 => 24,
        _ => 32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_forms() {
        let a = parse_addr("10.10.0.1/16").unwrap();
        assert_eq!(
            (a.addrs, a.prefix, a.range),
            (vec![ip("10.10.0.1")], Some(16), false)
        );
        let a = parse_addr("10.10.0.1").unwrap();
        assert_eq!(a.prefix, None);
        let a = parse_addr("10.0.0.1-3/32").unwrap();
        assert_eq!(
            a.addrs,
            vec![ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")]
        );
        assert!(a.range);
        assert_eq!(parse_addr("10.0.0.0-255").unwrap().addrs.len(), 256);
    }

    #[test]
    fn ipv6_forms() {
        let a = parse_addr("2001:db8::1/64").unwrap();
        assert_eq!((a.addrs, a.prefix), (vec![ip("2001:db8::1")], Some(64)));
        let a = parse_addr("fe80::1%em0").unwrap();
        assert_eq!((a.addrs, a.prefix), (vec![ip("fe80::1")], None));
        let a = parse_addr("::ffff:10.0.0.1/128").unwrap();
        assert_eq!(a.prefix, Some(128));
    }

    #[test]
    fn bad_and_non_addresses() {
        assert_eq!(parse_addr("vhid"), Err(AddrError::NotAddress));
        assert_eq!(parse_addr("100"), Err(AddrError::NotAddress));
        assert_eq!(parse_addr("host.example.com"), Err(AddrError::NotAddress));
        for bad in [
            "10.0.0.256",
            "10.0.0.1/33",
            "10.0.0.1/999999999999",
            "10.0.0",
            "10.0.0.5-1",
            "2001:db8::1/129",
            "2001:zz8::1",
            "2001:db8::1-5",
            "1.2.3.4.5",
        ] {
            assert!(
                matches!(parse_addr(bad), Err(AddrError::Bad(_))),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn netmasks() {
        assert_eq!(parse_netmask("255.255.0.0", false), Ok(16));
        assert_eq!(parse_netmask("0xffff0000", false), Ok(16));
        assert_eq!(parse_netmask("0xffffffff", false), Ok(32));
        assert_eq!(parse_netmask("0.0.0.0", false), Ok(0));
        assert_eq!(parse_netmask("255.255.255.254", false), Ok(31));
        assert!(parse_netmask("255.0.255.0", false).is_err());
        assert!(parse_netmask("0x1ffff0000", false).is_err());
        assert!(parse_netmask("bogus", false).is_err());
        assert_eq!(parse_netmask("ffff:ffff:ffff:ffff::", true), Ok(64));
        assert_eq!(parse_netmask("::", true), Ok(0));
        assert!(parse_netmask("ffff::ffff", true).is_err());
    }

    #[test]
    fn classful() {
        assert_eq!(classful_len("10.1.2.3".parse().unwrap()), 8);
        assert_eq!(classful_len("172.16.0.1".parse().unwrap()), 16);
        assert_eq!(classful_len("192.168.1.1".parse().unwrap()), 24);
        assert_eq!(classful_len("224.0.0.1".parse().unwrap()), 32);
    }
}
