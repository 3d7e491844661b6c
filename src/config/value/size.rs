//! Size values: `<digits>[k|m|g]`, suffix case-insensitive, powers of 1024
//! (configuration.txt §2.6). No decimals, nothing after the suffix.

use nom::bytes::complete::take_while1;
use nom::IResult;
use nom::Parser;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("unexpected character '{0}'")]
    UnexpectedChar(char),
    #[error("value too large")]
    Overflow,
    #[error("missing value")]
    Empty,
}

fn digits(s: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_digit()).parse(s)
}

/// Parses a size in bytes (fits HAProxy's unsigned int).
pub fn parse_size(s: &str) -> Result<u32, SizeError> {
    let Ok((rest, num)) = digits(s) else {
        return Err(match s.chars().next() {
            Some(c) => SizeError::UnexpectedChar(c),
            None => SizeError::Empty,
        });
    };
    let value: u64 = num.parse().map_err(|_| SizeError::Overflow)?;
    let mut chars = rest.chars();
    let mult: u64 = match chars.next() {
        None => 1,
        Some('k' | 'K') => 1 << 10,
        Some('m' | 'M') => 1 << 20,
        Some('g' | 'G') => 1 << 30,
        Some(c) => return Err(SizeError::UnexpectedChar(c)),
    };
    if let Some(c) = chars.next() {
        return Err(SizeError::UnexpectedChar(c));
    }
    let total = value.checked_mul(mult).ok_or(SizeError::Overflow)?;
    u32::try_from(total).map_err(|_| SizeError::Overflow)
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
        assert_eq!(parse_size("4g"), Err(SizeError::Overflow));
        assert_eq!(parse_size("1.5k"), Err(SizeError::UnexpectedChar('.')));
        assert_eq!(parse_size("1kb"), Err(SizeError::UnexpectedChar('b')));
        assert_eq!(parse_size("x"), Err(SizeError::UnexpectedChar('x')));
        assert_eq!(parse_size(""), Err(SizeError::Empty));
    }
}
