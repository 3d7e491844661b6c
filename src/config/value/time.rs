//! Time values: `<digits>[us|ms|s|m|h|d]` (configuration.txt §2.5).
//!
//! Behaviour follows HAProxy 2.6: no sign, no decimals, case-sensitive
//! units, rounding up to the caller's unit, results ≥ 2^31 are an overflow,
//! and characters after a valid unit only earn a warning (`5sec`, `1h30m`).

use nom::bytes::complete::take_while;
use nom::IResult;
use nom::Parser;

/// The unit a bare number is read in, which is also the unit of the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Us,
    Ms,
    S,
}

impl TimeUnit {
    /// Length of one unit in microseconds.
    fn micros(self) -> u64 {
        match self {
            TimeUnit::Us => 1,
            TimeUnit::Ms => 1_000,
            TimeUnit::S => 1_000_000,
        }
    }
}

/// A parsed time, in the unit the caller asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeParsed {
    pub value: u32,
    /// HAProxy's warning text when characters follow a valid unit.
    pub warning: Option<String>,
}

/// Why a time value was rejected. Callers wrap these in their keyword's
/// own sentence (HAProxy words them differently per keyword).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// A character that is neither a digit nor a known unit ('\0' for an
    /// empty word).
    #[error("unexpected character '{0}'")]
    UnexpectedChar(char),
    /// The value does not fit in 2^31-1 of the output unit.
    #[error("timer overflow")]
    Overflow,
}

/// The maximum HAProxy prints in overflow messages (for the ms unit).
pub const OVERFLOW_HINT: &str = "maximum value is 2147483647 ms (~24.8 days)";

fn digits(s: &str) -> IResult<&str, &str> {
    take_while(|c: char| c.is_ascii_digit()).parse(s)
}

/// The unit suffix at the start of `s`: (length in µs, bytes consumed).
fn unit(s: &str) -> Option<(u64, usize)> {
    let b = s.as_bytes();
    match (b.first(), b.get(1)) {
        (None, _) => None,
        (Some(b'u'), Some(b's')) => Some((1, 2)),
        (Some(b'm'), Some(b's')) => Some((1_000, 2)),
        (Some(b'm'), _) => Some((60_000_000, 1)),
        (Some(b's'), _) => Some((1_000_000, 1)),
        (Some(b'h'), _) => Some((3_600_000_000, 1)),
        (Some(b'd'), _) => Some((86_400_000_000, 1)),
        _ => None,
    }
}

/// Parses a time; a bare number is in `default_unit`, and the result is too.
pub fn parse_time(s: &str, default_unit: TimeUnit) -> Result<TimeParsed, TimeError> {
    // `take_while` never fails, so the error arm is unreachable in practice.
    let (rest, num) = digits(s).map_err(|_| TimeError::UnexpectedChar('\0'))?;
    // A digit must come first; an empty word reports the NUL ending it,
    // as HAProxy's C parser does.
    if num.is_empty() {
        return Err(TimeError::UnexpectedChar(first_char(s)));
    }
    let mut value: u64 = 0;
    for d in num.bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or(TimeError::Overflow)?;
    }
    let (in_us, used) = if rest.is_empty() {
        (default_unit.micros(), 0)
    } else {
        match unit(rest) {
            Some(u) => u,
            None => return Err(TimeError::UnexpectedChar(first_char(rest))),
        }
    };
    let trailing = &rest[used..];
    let warning = (!trailing.is_empty()).then(|| {
        format!(
            "unexpected character '{}' after the timer value '{s}', only \
             (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) \
             are supported. This will be reported as an error in next versions.",
            first_char(trailing)
        )
    });
    let out = default_unit.micros();
    let total = u128::from(value) * u128::from(in_us);
    let result = total.div_ceil(u128::from(out));
    if result > 0x7fff_ffff {
        return Err(TimeError::Overflow);
    }
    Ok(TimeParsed {
        value: result as u32,
        warning,
    })
}

fn first_char(s: &str) -> char {
    s.chars().next().unwrap_or('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> Result<u32, TimeError> {
        parse_time(s, TimeUnit::Ms).map(|t| t.value)
    }

    #[test]
    fn units_convert_to_the_default_unit() {
        assert_eq!(ms("5000"), Ok(5000));
        assert_eq!(ms("5s"), Ok(5000));
        assert_eq!(ms("1m"), Ok(60_000));
        assert_eq!(ms("1h"), Ok(3_600_000));
        assert_eq!(ms("1d"), Ok(86_400_000));
        assert_eq!(ms("100us"), Ok(1), "rounds up");
        assert_eq!(ms("0"), Ok(0));
        assert_eq!(parse_time("1500ms", TimeUnit::S).map(|t| t.value), Ok(2));
        assert_eq!(parse_time("3", TimeUnit::S).map(|t| t.value), Ok(3));
        assert_eq!(parse_time("2ms", TimeUnit::Us).map(|t| t.value), Ok(2000));
    }

    #[test]
    fn rejects_like_haproxy() {
        assert_eq!(ms("1.5s"), Err(TimeError::UnexpectedChar('.')));
        assert_eq!(ms("5S"), Err(TimeError::UnexpectedChar('S')));
        assert_eq!(ms("-5"), Err(TimeError::UnexpectedChar('-')));
        assert_eq!(ms("s"), Err(TimeError::UnexpectedChar('s')));
        assert_eq!(ms("ms5"), Err(TimeError::UnexpectedChar('m')));
        assert_eq!(ms(""), Err(TimeError::UnexpectedChar('\0')));
        assert_eq!(
            parse_time("2147483647000us", TimeUnit::Ms).map(|t| t.value),
            Ok(2_147_483_647)
        );
        assert_eq!(ms("25d"), Err(TimeError::Overflow));
        assert_eq!(ms("24d"), Ok(2_073_600_000));
        assert_eq!(ms("2147483647"), Ok(2_147_483_647));
        assert_eq!(ms("2147483648"), Err(TimeError::Overflow));
        assert_eq!(ms("99999999999999999999"), Err(TimeError::Overflow));
    }

    #[test]
    fn trailing_garbage_is_a_warning() {
        let t = parse_time("5sec", TimeUnit::Ms).unwrap();
        assert_eq!(t.value, 5000);
        assert_eq!(
            t.warning.as_deref(),
            Some(
                "unexpected character 'e' after the timer value '5sec', only \
                 (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) \
                 are supported. This will be reported as an error in next versions."
            )
        );
        let t = parse_time("1h30m", TimeUnit::Ms).unwrap();
        assert_eq!(t.value, 3_600_000);
        assert!(t
            .warning
            .unwrap()
            .starts_with("unexpected character '3' after"));
    }
}
