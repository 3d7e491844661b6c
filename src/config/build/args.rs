//! Small argument helpers shared by the keyword handlers.

use crate::config::value::time::{parse_time, TimeError, TimeUnit};
use crate::diag::{Diagnostics, Loc};

/// The first argument, or HAProxy's "expects an argument" alert.
pub(super) fn need<'a>(
    kw: &str,
    args: &'a [String],
    loc: &Loc,
    d: &mut Diagnostics,
) -> Option<&'a str> {
    match args.first() {
        Some(a) => Some(a.as_str()),
        None => {
            d.alert(
                Some(loc.clone()),
                format!("'{kw}' expects an integer argument."),
            );
            None
        }
    }
}

/// A `<time>` argument in milliseconds, with HAProxy's messages
/// (manual §2.5): fatal for bad characters and overflow, a warning for
/// trailing characters after a valid unit.
pub(super) fn parse_time_kw(
    kw: &str,
    args: &[String],
    loc: &Loc,
    d: &mut Diagnostics,
) -> Option<u32> {
    let Some(a) = args.first() else {
        d.alert(
            Some(loc.clone()),
            format!("'{kw}' expects an integer value (in milliseconds)"),
        );
        return None;
    };
    // No digits at all: HAProxy names the first character, or says an
    // integer is expected when the word is empty.
    if let Some(c) = a.chars().next().filter(|c| !c.is_ascii_digit()) {
        d.alert(
            Some(loc.clone()),
            format!("unexpected character '{c}' in '{kw}'"),
        );
        return None;
    }
    if a.is_empty() {
        d.alert(
            Some(loc.clone()),
            format!("'{kw}' expects an integer value (in milliseconds)"),
        );
        return None;
    }
    match parse_time(a, TimeUnit::Ms) {
        Ok(t) => {
            if let Some(w) = t.warning {
                d.warning(None, w);
            }
            Some(t.value)
        }
        Err(TimeError::UnexpectedChar(c)) => {
            d.alert(
                Some(loc.clone()),
                format!("unexpected character '{c}' in '{kw}'"),
            );
            None
        }
        Err(TimeError::Overflow) => {
            d.alert(
                Some(loc.clone()),
                format!("timer overflow in argument '{a}' to '{kw}' (maximum value is 2147483647 ms or ~24.8 days)"),
            );
            None
        }
    }
}

/// Like [`parse_time_kw`], for global keywords whose errors read
/// `'kw' : unexpected character 'x'`.
pub(super) fn parse_time_global(
    kw: &str,
    args: &[String],
    loc: &Loc,
    d: &mut Diagnostics,
) -> Option<u32> {
    let a = args.first().map(String::as_str).unwrap_or("");
    match parse_time(a, TimeUnit::Ms) {
        Ok(t) if !a.is_empty() => Some(t.value),
        Ok(_) => {
            d.alert(
                Some(loc.clone()),
                format!("'{kw}' expects an integer value (in milliseconds)"),
            );
            None
        }
        Err(TimeError::UnexpectedChar(c)) => {
            d.alert(
                Some(loc.clone()),
                format!("'{kw}' : unexpected character '{c}'"),
            );
            None
        }
        Err(TimeError::Overflow) => {
            d.alert(
                Some(loc.clone()),
                format!("'{kw}' : timer overflow in argument '{a}' (maximum value is 2147483647 ms or ~24.8 days)"),
            );
            None
        }
    }
}
