//! Pattern matching methods (`-m`, manual 7.1) and the typed patterns of the
//! integer (7.1.2) and address (7.1.6) matchers.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A matching method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matcher {
    Found,
    Bool,
    Int,
    Ip,
    Bin,
    Len,
    Str,
    Sub,
    Reg,
    Beg,
    End,
    Dir,
    Dom,
}

impl Matcher {
    /// The `-m` name.
    pub fn from_name(s: &str) -> Option<Matcher> {
        Some(match s {
            "found" => Matcher::Found,
            "bool" => Matcher::Bool,
            "int" => Matcher::Int,
            "ip" => Matcher::Ip,
            "bin" => Matcher::Bin,
            "len" => Matcher::Len,
            "str" => Matcher::Str,
            "sub" => Matcher::Sub,
            "reg" => Matcher::Reg,
            "beg" => Matcher::Beg,
            "end" => Matcher::End,
            "dir" => Matcher::Dir,
            "dom" => Matcher::Dom,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Matcher::Found => "found",
            Matcher::Bool => "bool",
            Matcher::Int => "int",
            Matcher::Ip => "ip",
            Matcher::Bin => "bin",
            Matcher::Len => "len",
            Matcher::Str => "str",
            Matcher::Sub => "sub",
            Matcher::Reg => "reg",
            Matcher::Beg => "beg",
            Matcher::End => "end",
            Matcher::Dir => "dir",
            Matcher::Dom => "dom",
        }
    }

    /// The matcher used when none is given: follows the sample's type.
    /// `None` for types that need an explicit `-m` (`any`, as `var()` gives).
    pub fn default_for(sample_type: &str) -> Option<Matcher> {
        Some(match sample_type {
            "bool" => Matcher::Bool,
            "sint" => Matcher::Int,
            "ipv4" | "ipv6" | "addr" => Matcher::Ip,
            "str" => Matcher::Str,
            // `bin`, `meth` and `any` samples need an explicit `-m`.
            _ => return None,
        })
    }

    /// Whether this matcher can take samples of `sample_type` (HAProxy
    /// refuses the combinations with no conversion between them).
    pub fn accepts(self, sample_type: &str) -> bool {
        match self {
            Matcher::Bool | Matcher::Int => !matches!(sample_type, "ipv6" | "bin" | "meth"),
            Matcher::Ip => !matches!(sample_type, "bool" | "bin" | "meth"),
            _ => true,
        }
    }

    /// Matchers whose patterns are integers (`len` compares a length).
    pub fn takes_int(self) -> bool {
        matches!(self, Matcher::Int | Matcher::Len)
    }
}

/// Integer comparison operators (manual 7.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOp {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

impl IntOp {
    pub fn from_name(s: &str) -> Option<IntOp> {
        Some(match s {
            "eq" => IntOp::Eq,
            "ge" => IntOp::Ge,
            "gt" => IntOp::Gt,
            "le" => IntOp::Le,
            "lt" => IntOp::Lt,
            _ => return None,
        })
    }
}

/// An integer pattern: an inclusive range, either end may be open. A plain
/// value `v` is `v:v`; operators are folded in (`gt 5` is `6:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntRange {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// A decimal integer with an optional `-` sign; a lone `-` reads as 0, as
/// HAProxy's own integer reader does.
fn int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None if s.is_empty() => return None,
        None => (false, s),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: i64 = 0;
    for b in digits.bytes() {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(if neg { -v } else { v })
}

/// A dotted version `major.minor` as one integer (major in the high 16
/// bits), for the keywords that compare versions (`req.ssl_ver 3:3.1`).
fn version(s: &str) -> Option<i64> {
    let (major, minor) = s.split_once('.').unwrap_or((s, "0"));
    let minor = if minor.is_empty() {
        Some(0)
    } else {
        int(minor)
    };
    Some(int(major)?.checked_mul(1 << 16)? + minor?)
}

/// One integer pattern word (manual 7.1.2): `v`, `lo:hi`, `lo:`, `:hi`
/// (`-` works as the separator too, so `-5` means "up to 5").
fn parse_int_word(w: &str, dotted: bool) -> Result<IntRange, String> {
    let int = |s: &str| if dotted { version(s) } else { int(s) };
    let what = if dotted { "dotted number" } else { "number" };
    let range_err = || format!("'{w}' is not a valid {what} range");
    let Some(sep) = w.find([':', '-']) else {
        let v = int(w).ok_or_else(|| {
            let a = if dotted { "a dotted" } else { "a" };
            format!("'{w}' is not {a} number")
        })?;
        return Ok(IntRange {
            min: Some(v),
            max: Some(v),
        });
    };
    let (lo, hi) = (&w[..sep], &w[sep + 1..]);
    let bound = |s: &str| int(s).ok_or_else(range_err);
    match (lo.is_empty(), hi.is_empty()) {
        (true, false) => Ok(IntRange {
            min: None,
            max: Some(bound(hi)?),
        }),
        (_, true) => Ok(IntRange {
            min: Some(bound(lo)?),
            max: None,
        }),
        (false, false) => {
            let (min, max) = (bound(lo)?, bound(hi)?);
            if min > max {
                return Err(range_err());
            }
            Ok(IntRange {
                min: Some(min),
                max: Some(max),
            })
        }
    }
}

/// A value after `ge`/`gt`/`le`/`lt`: HAProxy reads it more loosely than
/// after `eq`: leading digits, and a `.` starts a version whose minor part
/// is the digits after it (the rest is ignored). Ranges read as usual.
fn parse_ordered_word(w: &str, dotted: bool) -> Result<IntRange, String> {
    if w.contains([':', '-']) {
        return parse_int_word(w, dotted);
    }
    let neither = || format!("'{w}' is neither a number nor a supported operator");
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(neither());
    }
    let (major, rest) = w.split_at(digits);
    let major = major.parse::<i64>().unwrap_or(i64::MAX);
    let v = match rest.strip_prefix('.') {
        None if rest.is_empty() && !dotted => major,
        None if rest.is_empty() => major.saturating_mul(1 << 16),
        None => return Err(neither()),
        Some(minor) => {
            let n = minor.bytes().take_while(u8::is_ascii_digit).count();
            let minor = minor[..n].parse::<i64>().unwrap_or(0);
            major.saturating_mul(1 << 16).saturating_add(minor)
        }
    };
    Ok(IntRange {
        min: Some(v),
        max: Some(v),
    })
}

/// Parse integer patterns. An operator applies to every value after it
/// until the next operator. `dotted`: values are versions (`3.1`).
pub fn parse_int_patterns(words: &[String], dotted: bool) -> Result<Vec<IntRange>, String> {
    let mut out = Vec::new();
    let mut op = IntOp::Eq;
    for w in words {
        if let Some(o) = IntOp::from_name(w) {
            op = o;
            continue;
        }
        let r = match op {
            IntOp::Eq => parse_int_word(w, dotted)?,
            _ => parse_ordered_word(w, dotted)?,
        };
        out.push(match op {
            IntOp::Eq => r,
            IntOp::Ge => IntRange { max: None, ..r },
            IntOp::Gt => IntRange {
                min: r.min.map(|v| v.saturating_add(1)),
                max: None,
            },
            IntOp::Le => IntRange { min: None, ..r },
            IntOp::Lt => IntRange {
                min: None,
                max: r.max.map(|v| v.saturating_sub(1)),
            },
        });
    }
    Ok(out)
}

/// A `bin` pattern: an even number of hex digits (manual 7.1.5).
pub fn parse_hex_pattern(w: &str) -> Result<Vec<u8>, String> {
    if !w.len().is_multiple_of(2) {
        return Err("an even number of hex digit is expected".into());
    }
    if let Some(c) = w.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("an hex digit is expected (found '{c}')"));
    }
    w.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digits = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
            u8::from_str_radix(digits, 16).map_err(|e| e.to_string())
        })
        .collect()
}

/// An address pattern (manual 7.1.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpPattern {
    /// HAProxy takes any dotted mask, contiguous or not.
    V4 {
        addr: Ipv4Addr,
        mask: Ipv4Addr,
    },
    V6 {
        addr: Ipv6Addr,
        prefix: u8,
    },
    /// A host name: HAProxy resolves it while loading the config (unless
    /// `-n`); resolution belongs to the model layer.
    Host(String),
}

fn v4_mask(mask: &str) -> Option<Ipv4Addr> {
    if let Ok(n) = mask.parse::<u32>() {
        let bits = match n {
            0 => 0,
            1..=32 => u32::MAX << (32 - n),
            _ => return None,
        };
        return Some(Ipv4Addr::from(bits));
    }
    mask.parse::<Ipv4Addr>().ok()
}

/// `a`, `a.b`, `a.b.c` in decimal (or octal with a leading 0): the last
/// part fills the remaining bytes.
fn short_ipv4(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 3 {
        return None;
    }
    let mut nums = Vec::new();
    for p in &parts {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = match p.strip_prefix('0').filter(|r| !r.is_empty()) {
            Some(oct) => u32::from_str_radix(oct, 8).ok()?,
            None => p.parse::<u32>().ok()?,
        };
        nums.push(n);
    }
    let (last, head) = nums.split_last()?;
    if head.iter().any(|n| *n > 255) || u64::from(*last) >= 1u64 << (8 * (4 - head.len())) {
        return None;
    }
    let v = head
        .iter()
        .enumerate()
        .fold(*last, |acc, (i, n)| acc | (n << (24 - 8 * i)));
    Some(Ipv4Addr::from(v))
}

fn looks_like_host(s: &str) -> bool {
    let hex_number = s
        .strip_prefix("0x")
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    !hex_number
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && s.chars().any(|c| c.is_ascii_alphabetic())
}

/// Parse one address pattern; `no_dns` is the `-n` flag.
pub fn parse_ip_pattern(w: &str, no_dns: bool) -> Result<IpPattern, String> {
    let bad = || format!("'{w}' is not a valid IPv4 or IPv6 address");
    let (addr, mask) = match w.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (w, None),
    };
    if let Ok(a) = addr.parse::<Ipv4Addr>() {
        let mask = match mask {
            Some(m) => v4_mask(m).ok_or_else(bad)?,
            None => Ipv4Addr::BROADCAST,
        };
        return Ok(IpPattern::V4 { addr: a, mask });
    }
    if let Ok(a) = addr.parse::<Ipv6Addr>() {
        let prefix = match mask {
            Some(m) => m.parse::<u8>().ok().filter(|p| *p <= 128).ok_or_else(bad)?,
            None => 128,
        };
        return Ok(IpPattern::V6 { addr: a, prefix });
    }
    // Without `-n` HAProxy hands the text to the system resolver, which also
    // reads the short numeric forms (`10`, `10.1`, `10.1.2`).
    if let Some(a) = Some(addr).filter(|_| !no_dns).and_then(short_ipv4) {
        let mask = match mask {
            Some(m) => v4_mask(m).ok_or_else(bad)?,
            None => Ipv4Addr::BROADCAST,
        };
        return Ok(IpPattern::V4 { addr: a, mask });
    }
    if mask.is_none() && !no_dns && looks_like_host(w) {
        return Ok(IpPattern::Host(w.to_string()));
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn r(min: Option<i64>, max: Option<i64>) -> IntRange {
        IntRange { min, max }
    }

    #[test]
    fn int_operators_and_ranges() {
        let p = parse_int_patterns(&words("1:10 42 -5 8- gt 5 7 lt 0 ge 2:4"), false);
        assert_eq!(
            p,
            Ok(vec![
                r(Some(1), Some(10)),
                r(Some(42), Some(42)),
                r(None, Some(5)),
                r(Some(8), None),
                r(Some(6), None),
                r(Some(8), None),
                r(None, Some(-1)),
                r(Some(2), None),
            ])
        );
        let err = |w: &str| parse_int_patterns(&words(w), false).err();
        assert_eq!(err("abc"), Some("'abc' is not a number".to_string()));
        assert_eq!(err("+5"), Some("'+5' is not a number".to_string()));
        assert_eq!(err("1.5"), Some("'1.5' is not a number".to_string()));
        assert_eq!(
            err("99999999999999999999"),
            Some("'99999999999999999999' is not a number".to_string())
        );
        for w in ["1:x", "-", ":", "---", "-a", "5:3", "1:-3"] {
            assert_eq!(err(w), Some(format!("'{w}' is not a valid number range")));
        }
        assert_eq!(
            parse_int_patterns(&words("--"), false),
            Ok(vec![r(None, Some(0))])
        );
        // Looser reading after an ordering operator.
        assert_eq!(
            parse_int_patterns(&words("ge 1.5x 10.0.0.0/8"), false),
            Ok(vec![r(Some(65541), None), r(Some(655360), None)])
        );
        assert_eq!(
            parse_int_patterns(&words("ge 10x"), false),
            Err("'10x' is neither a number nor a supported operator".to_string())
        );
        assert_eq!(
            parse_int_patterns(&words("ge 5 eq 1.5"), false),
            Err("'1.5' is not a number".to_string())
        );
        // Versions for the keywords that compare them.
        assert_eq!(
            parse_int_patterns(&words("3:3.1"), true),
            Ok(vec![r(Some(3 << 16), Some((3 << 16) + 1))])
        );
    }

    #[test]
    fn addresses() {
        assert_eq!(
            parse_ip_pattern("10.0.0.0/255.0.0.0", false),
            Ok(IpPattern::V4 {
                addr: Ipv4Addr::new(10, 0, 0, 0),
                mask: Ipv4Addr::new(255, 0, 0, 0)
            })
        );
        assert_eq!(
            parse_ip_pattern("10.0.0.0/255.0.255.0", false),
            Ok(IpPattern::V4 {
                addr: Ipv4Addr::new(10, 0, 0, 0),
                mask: Ipv4Addr::new(255, 0, 255, 0)
            })
        );
        assert_eq!(
            parse_ip_pattern("1.2.3.4/24", false),
            Ok(IpPattern::V4 {
                addr: Ipv4Addr::new(1, 2, 3, 4),
                mask: Ipv4Addr::new(255, 255, 255, 0)
            })
        );
        assert_eq!(
            parse_ip_pattern("1.2.3.4/33", false),
            Err("'1.2.3.4/33' is not a valid IPv4 or IPv6 address".to_string())
        );
        assert!(matches!(
            parse_ip_pattern("::1", false),
            Ok(IpPattern::V6 { prefix: 128, .. })
        ));
        assert_eq!(
            parse_ip_pattern("localhost", false),
            Ok(IpPattern::Host("localhost".into()))
        );
        assert!(parse_ip_pattern("localhost", true).is_err());
        let v4 = |w: &str| match parse_ip_pattern(w, false) {
            Ok(IpPattern::V4 { addr, .. }) => Some(addr),
            _ => None,
        };
        assert_eq!(v4("2.0"), Some(Ipv4Addr::new(2, 0, 0, 0)));
        assert_eq!(v4("10"), Some(Ipv4Addr::new(0, 0, 0, 10)));
        assert_eq!(v4("10.1.258"), Some(Ipv4Addr::new(10, 1, 1, 2)));
        assert_eq!(v4("010.1"), Some(Ipv4Addr::new(8, 0, 0, 1)));
        assert_eq!(v4("256.1.1.1"), None);
        assert_eq!(v4("0x0a000001"), None);
        assert!(parse_ip_pattern("2.0", true).is_err());
    }

    #[test]
    fn hex_patterns() {
        assert_eq!(parse_hex_pattern("0A1b"), Ok(vec![0x0a, 0x1b]));
        assert_eq!(
            parse_hex_pattern("abc"),
            Err("an even number of hex digit is expected".to_string())
        );
        assert_eq!(
            parse_hex_pattern("0g"),
            Err("an hex digit is expected (found 'g')".to_string())
        );
        assert_eq!(
            parse_hex_pattern("é"),
            Err("an hex digit is expected (found 'é')".to_string())
        );
    }
}
