//! The value a fetch or converter produces, and the implicit casts between
//! types HAProxy applies when a converter or matcher wants another type.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// One sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sample {
    Bool(bool),
    /// HAProxy's `sint`.
    Int(i64),
    Ip(IpAddr),
    Str(String),
    Bin(Vec<u8>),
}

impl Sample {
    pub fn str(s: impl Into<String>) -> Sample {
        Sample::Str(s.into())
    }

    /// The sample as text (what `%[...]` prints, what string matchers see).
    /// Binary data is read as UTF-8, invalid sequences replaced.
    pub fn to_text(&self) -> String {
        match self {
            Sample::Bool(b) => if *b { "1" } else { "0" }.to_string(),
            Sample::Int(i) => i.to_string(),
            Sample::Ip(ip) => ip.to_string(),
            Sample::Str(s) => s.clone(),
            Sample::Bin(b) => String::from_utf8_lossy(b).into_owned(),
        }
    }

    /// The sample as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Sample::Bin(b) => b.clone(),
            Sample::Str(s) => s.as_bytes().to_vec(),
            other => other.to_text().into_bytes(),
        }
    }

    /// The integer cast: booleans are 0/1, IPv4 addresses their 32-bit
    /// value, strings their leading decimal digits (an optional sign
    /// first, 0 without digits, as HAProxy's cast); `None` for an empty
    /// string or an IPv6 address.
    pub fn to_int(&self) -> Option<i64> {
        match self {
            Sample::Bool(b) => Some(i64::from(*b)),
            Sample::Int(i) => Some(*i),
            Sample::Ip(IpAddr::V4(a)) => Some(i64::from(u32::from(*a))),
            Sample::Ip(IpAddr::V6(_)) => None,
            Sample::Str(s) => str_to_int(s.as_bytes()),
            Sample::Bin(b) => str_to_int(b),
        }
    }

    pub fn to_bool(&self) -> Option<bool> {
        match self {
            Sample::Bool(b) => Some(*b),
            Sample::Ip(_) | Sample::Bin(_) => None,
            other => other.to_int().map(|i| i != 0),
        }
    }

    /// The address cast: text is parsed as an IPv4 or IPv6 address, an
    /// integer read as an IPv4 address.
    pub fn to_ip(&self) -> Option<IpAddr> {
        match self {
            Sample::Ip(ip) => Some(*ip),
            Sample::Int(i) => u32::try_from(*i)
                .ok()
                .map(|v| IpAddr::V4(Ipv4Addr::from(v))),
            Sample::Str(s) => s.trim_end_matches('\0').parse().ok(),
            Sample::Bin(b) => std::str::from_utf8(b).ok()?.parse().ok(),
            Sample::Bool(_) => None,
        }
    }

    /// HAProxy's type name (`str`, `sint`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Sample::Bool(_) => "bool",
            Sample::Int(_) => "sint",
            Sample::Ip(IpAddr::V4(_)) => "ipv4",
            Sample::Ip(IpAddr::V6(_)) => "ipv6",
            Sample::Str(_) => "str",
            Sample::Bin(_) => "bin",
        }
    }
}

impl fmt::Display for Sample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

fn str_to_int(b: &[u8]) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    Some(leading_int(b).unwrap_or(0))
}

/// Leading `[+-]digits` of a byte string, saturating on overflow.
pub(crate) fn leading_int(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let mut v: i64 = 0;
    for c in &digits[..n] {
        v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts() {
        assert_eq!(Sample::str("42abc").to_int(), Some(42));
        assert_eq!(Sample::str("-7").to_int(), Some(-7));
        assert_eq!(Sample::str("x1").to_int(), Some(0));
        assert_eq!(Sample::str("").to_int(), None);
        assert_eq!(Sample::Bool(true).to_int(), Some(1));
        assert_eq!(Sample::Int(0).to_bool(), Some(false));
        assert_eq!(
            Sample::str("10.0.0.1").to_ip(),
            Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))
        );
        assert_eq!(
            Sample::Ip(IpAddr::V4(Ipv4Addr::new(0, 0, 1, 2))).to_int(),
            Some(258)
        );
        assert_eq!(Sample::Bool(false).to_text(), "0");
        assert_eq!(Sample::Bin(vec![0x41, 0x42]).to_text(), "AB");
        assert_eq!(Sample::Int(-3).type_name(), "sint");
    }
}
