//! Size values: `<digits>[k|m|g]`, suffix case-insensitive, powers of 1024
//! (configuration.txt §2.6). No decimals, nothing after the suffix.
//!
//! Like HAProxy 2.6 the result is a 32-bit unsigned value, and an overflow
//! is reported as an unexpected character at the digit or suffix that
//! overflows (`4g` → 'g', `42949672950` → '0'), which is what its callers
//! print ("unexpected character 'g' in argument of 'size'").

use nom::bytes::complete::take_while1;
use nom::IResult;
use nom::Parser;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("unexpected character '{0}'")]
    UnexpectedChar(char),
    #[error("missing value")]
    Empty,
}

fn digits(s: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_digit()).parse(s)
}

/// Parses a size in bytes.
pub fn parse_size(s: &str) -> Result<u32, SizeError> {
    let Ok((rest, num)) = digits(s) else {
        return Err(match s.chars().next() {
            Some(c) => SizeError::UnexpectedChar(c),
            None => SizeError::Empty,
        });
    };
    let mut value: u64 = 0;
    for b in num.bytes() {
        value = value * 10 + u64::from(b - b'0');
        if value > u64::from(u32::MAX) {
            return Err(SizeError::UnexpectedChar(char::from(b)));
        }
    }
    let mut chars = rest.chars();
    let (mult, unit): (u64, char) = match chars.next() {
        None => (1, ' '),
        Some(c @ ('k' | 'K')) => (1 << 10, c),
        Some(c @ ('m' | 'M')) => (1 << 20, c),
        Some(c @ ('g' | 'G')) => (1 << 30, c),
        Some(c) => return Err(SizeError::UnexpectedChar(c)),
    };
    if let Some(c) = chars.next() {
        return Err(SizeError::UnexpectedChar(c));
    }
    u32::try_from(value * mult).map_err(|_| SizeError::UnexpectedChar(unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16384"), Ok(16384));
        assert_eq!(parse_size("16k"), Ok(16384));
        assert_eq!(parse_size("16K"), Ok(16384));
        assert_eq!(parse_size("2m"), Ok(2 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("3g"), Ok(3 << 30));
        assert_eq!(parse_size("4294967295"), Ok(u32::MAX));
        assert_eq!(parse_size("1.5k"), Err(SizeError::UnexpectedChar('.')));
        assert_eq!(parse_size("16kb"), Err(SizeError::UnexpectedChar('b')));
        assert_eq!(parse_size("x"), Err(SizeError::UnexpectedChar('x')));
        assert_eq!(parse_size(""), Err(SizeError::Empty));
    }

    #[test]
    fn overflow_names_the_offending_character() {
        // Each checked with `stick-table type ip size ...` on HAProxy 2.6.12.
        assert_eq!(parse_size("4g"), Err(SizeError::UnexpectedChar('g')));
        assert_eq!(parse_size("4194304k"), Err(SizeError::UnexpectedChar('k')));
        assert_eq!(parse_size("4194303k"), Ok(4_194_303 << 10));
        assert_eq!(parse_size("4096m"), Err(SizeError::UnexpectedChar('m')));
        assert_eq!(
            parse_size("4294967296"),
            Err(SizeError::UnexpectedChar('6'))
        );
        assert_eq!(
            parse_size("42949672950"),
            Err(SizeError::UnexpectedChar('0'))
        );
    }
}
