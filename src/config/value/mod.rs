//! Value sub-grammars shared by many keywords: times, sizes, integers and
//! socket addresses (configuration.txt §2.5, §2.6, §2.9).

pub mod addr;
pub mod size;
pub mod time;

pub use addr::{
    invalid_address, parse_bind_addr, parse_check_addr, parse_server_addr, parse_source_addr,
    BindAddr, Family, Host, ServerAddr, ServerPort,
};
pub use size::{parse_size, SizeError};
pub use time::{parse_time, TimeError, TimeParsed, TimeUnit};

/// C `atol()` as HAProxy uses it for most numeric options: optional
/// whitespace and sign, then digits; anything else ends the number and
/// a word with no digits reads as 0. Saturates instead of overflowing.
pub fn atol(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    for b in t.bytes().take_while(u8::is_ascii_digit) {
        v = v.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg {
        -v
    } else {
        v
    }
}

/// `atol()` truncated to a C `int`, as assigned by HAProxy's parsers.
pub fn atoi(s: &str) -> i32 {
    atol(s) as i32
}

/// A strict decimal integer: optional sign, digits, nothing else.
pub fn parse_int_strict(s: &str) -> Option<i64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atol_is_lenient_like_c() {
        assert_eq!(atol("42"), 42);
        assert_eq!(atol("  -7x"), -7);
        assert_eq!(atol("x"), 0);
        assert_eq!(atol(""), 0);
        assert_eq!(atol("99999999999999999999999"), i64::MAX);
        assert_eq!(parse_int_strict("12"), Some(12));
        assert_eq!(parse_int_strict("-3"), Some(-3));
        assert_eq!(parse_int_strict("1x"), None);
        assert_eq!(parse_int_strict(""), None);
    }
}
