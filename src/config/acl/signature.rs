//! Argument lists of fetches and converters: the text between the
//! parentheses, split on commas, with HAProxy's quoting (single or double
//! quotes, backslash escapes), then checked against the keyword's signature.

use super::conv_sigs::CONV_SIGS;
use super::fetch_sigs::FETCH_SIGS;

/// A keyword's argument types and output type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    /// Argument type names as HAProxy prints them (`integer`, `string`, ...).
    pub types: Vec<&'static str>,
    /// How many leading arguments are mandatory.
    pub min: usize,
    pub output: &'static str,
}

/// Parse a signature like `string[,integer]` or `[string,integer]`.
fn signature(args: &'static str, output: &'static str) -> Signature {
    let mut types = Vec::new();
    let mut min = None;
    let mut rest = args;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            min.get_or_insert(types.len());
            rest = r;
            continue;
        }
        rest = rest.strip_prefix(',').unwrap_or(rest);
        let end = rest.find([',', '[', ']']).unwrap_or(rest.len());
        if end > 0 {
            types.push(&rest[..end]);
        }
        rest = rest[end..].trim_start_matches(']');
    }
    let min = min.unwrap_or(types.len());
    Signature { types, min, output }
}

pub(crate) fn fetch_sig(name: &str) -> Option<Signature> {
    FETCH_SIGS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, a, o)| signature(a, o))
}

pub(crate) fn conv_sig(name: &str) -> Option<Signature> {
    CONV_SIGS
        .iter()
        .find(|(n, _, _, _)| *n == name)
        .map(|(_, a, o, _)| signature(a, o))
}

/// An argument error: 1-based position (converters print it) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArgError {
    pub pos: usize,
    pub msg: String,
}

fn err(pos: usize, msg: String) -> ArgError {
    ArgError { pos, msg }
}

/// Parse the text after `(` (`had_paren`), or nothing for a keyword written
/// without parentheses. Returns the text after `)` and the arguments.
pub(crate) fn parse_args<'a>(
    inner: &'a str,
    sig: &Signature,
    had_paren: bool,
) -> Result<(&'a str, Vec<String>), ArgError> {
    let max = sig.types.len();
    let mut args: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut rest: Option<&str> = None;
    // Where the first argument past the signature starts (its comma); type
    // errors in the earlier arguments are reported first.
    let mut overflow: Option<(usize, usize)> = None;
    let mut chars = inner.char_indices();
    if had_paren && max == 0 && !inner.starts_with(')') && !inner.is_empty() {
        return Err(err(1, format!("expected ')' before '{inner}'")));
    }
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                if let Some((_, n)) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, ',') => {
                args.push(std::mem::take(&mut cur));
                if args.len() >= max && overflow.is_none() {
                    overflow = Some((args.len().max(1), i));
                }
            }
            (None, ')') => {
                rest = Some(&inner[i + 1..]);
                break;
            }
            (None, c) => cur.push(c),
        }
    }
    if !args.is_empty() || !cur.is_empty() {
        args.push(cur);
    }
    // HAProxy counts an empty list as one empty argument when one is due.
    if args.is_empty() && sig.min > 0 && (had_paren || rest.is_none()) {
        args.push(String::new());
    }
    for (i, a) in args.iter().enumerate().take(max) {
        if sig.types.get(i) == Some(&"integer") {
            if a.is_empty() {
                if i < sig.min {
                    let msg = format!(
                        "expected type 'integer' at position {}, but got nothing",
                        i + 1
                    );
                    return Err(err(i + 1, msg));
                }
            } else if a.trim().parse::<i64>().is_err() {
                let msg = format!(
                    "failed to parse '{a}' as type 'integer' at position {}",
                    i + 1
                );
                return Err(err(i + 1, msg));
            }
        }
    }
    if let Some((pos, at)) = overflow {
        return Err(err(pos, format!("expected ')' before '{}'", &inner[at..])));
    }
    if args.len() < sig.min {
        let got = args.len();
        let ty = sig.types.get(got).copied().unwrap_or("string");
        let msg = format!(
            "missing arguments (got {got}/{}), type '{ty}' expected",
            sig.min
        );
        return Err(err(got + 1, msg));
    }
    match rest {
        Some(r) => Ok((r, args)),
        None if !had_paren => Ok((inner, args)),
        None => Err(err(args.len().max(1), "expected ')'".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_parse() {
        let s = signature("regex,string[,string]", "str");
        assert_eq!(s.types, vec!["regex", "string", "string"]);
        assert_eq!(s.min, 2);
        let s = signature("[string,integer]", "str");
        assert_eq!((s.types.len(), s.min), (2, 0));
        let s = signature("", "bool");
        assert_eq!((s.types.len(), s.min), (0, 0));
    }

    #[test]
    fn quoting_and_escapes() {
        let sig = signature("regex,string[,string]", "str");
        let (rest, args) = parse_args("'a,b',c\\,d,g),lower", &sig, true).unwrap_or_default();
        assert_eq!(args, vec!["a,b", "c,d", "g"]);
        assert_eq!(rest, ",lower");
    }
}
