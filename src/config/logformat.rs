//! Log-format strings (HAProxy manual §8.2.4 "Custom log format"), also
//! used by `http-request set-header`, `set-path`, `redirect location`,
//! dynamic `use_backend` names...: literal text, `%var`, `%{flags}var`,
//! `%[sample expression]` and `%%`.

use nom::bytes::complete::{take_while, take_while1};
use nom::{IResult, Parser};

use super::acl::{parse_sample_expr, SampleExpr};

/// The variables of HAProxy 2.6's custom log format.
pub const VARIABLES: &[&str] = &[
    "o", "B", "CC", "CS", "H", "HM", "HP", "HPO", "HQ", "HU", "HV", "ID", "ST", "T", "Ta", "Tc",
    "Tl", "Td", "Th", "Ti", "Tq", "TR", "Tr", "Ts", "Tt", "Tu", "Tw", "U", "ac", "b", "bc", "bi",
    "bp", "bq", "ci", "cp", "f", "fc", "fi", "fp", "ft", "hr", "hrl", "hs", "hsl", "lc", "ms",
    "pid", "r", "rc", "rt", "s", "sc", "si", "sp", "sq", "sslc", "sslv", "t", "tr", "trg", "trl",
    "ts", "tsc",
];

#[derive(Debug, Clone, PartialEq)]
pub enum LfItem {
    Text(String),
    /// `%{+Q}ci` → name "ci", flags ["+Q"].
    Var {
        name: String,
        flags: Vec<String>,
    },
    Sample {
        expr: SampleExpr,
        flags: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogFormat {
    pub items: Vec<LfItem>,
}

impl LogFormat {
    /// Fetch and converter names harp refuses, as `SampleExpr::refused_items`.
    pub fn refused_items(&self) -> Vec<String> {
        self.items
            .iter()
            .filter_map(|i| match i {
                LfItem::Sample { expr, .. } => Some(expr.refused_items()),
                _ => None,
            })
            .flatten()
            .collect()
    }
    /// True when the string holds no variable or sample: a constant.
    pub fn is_constant(&self) -> bool {
        self.items.iter().all(|i| matches!(i, LfItem::Text(_)))
    }
}

fn var_name(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric()).parse(i)
}

fn flags(i: &str) -> IResult<&str, Vec<String>> {
    match i.strip_prefix('{') {
        Some(rest) => {
            let (rest, inner) = take_while(|c| c != '}').parse(rest)?;
            let rest = rest.strip_prefix('}').unwrap_or(rest);
            Ok((
                rest,
                inner
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(String::from)
                    .collect(),
            ))
        }
        None => Ok((i, Vec::new())),
    }
}

/// Parse a log-format string; the error is HAProxy's text.
pub fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    let mut out = LogFormat::default();
    let mut text = String::new();
    let mut rest = s;
    while let Some(pos) = rest.find('%') {
        text.push_str(&rest[..pos]);
        rest = &rest[pos + 1..];
        if let Some(r) = rest.strip_prefix('%') {
            text.push('%');
            rest = r;
            continue;
        }
        let (r, fl) = flags(rest).map_err(|_| "invalid format flags".to_string())?;
        rest = r;
        if !text.is_empty() {
            out.items.push(LfItem::Text(std::mem::take(&mut text)));
        }
        if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return Err(format!("missing ']' after '{r}'"));
            };
            let expr = parse_sample_expr(&r[..end])
                .map_err(|e| format!("failed to parse sample expression <{r}> : {e}"))?;
            out.items.push(LfItem::Sample { expr, flags: fl });
            rest = &r[end + 1..];
            continue;
        }
        match var_name(rest) {
            Ok((r, name)) => {
                if !VARIABLES.contains(&name) {
                    return Err(format!(
                        "no such format variable '{name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'"
                    ));
                }
                out.items.push(LfItem::Var {
                    name: name.to_string(),
                    flags: fl,
                });
                rest = r;
            }
            Err(_) => {
                return Err("no such format variable ''. If you wanted to emit the '%' character verbatim, you need to use '%%'".to_string())
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.items.push(LfItem::Text(text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_httplog_like_format() {
        let f = parse_log_format("%ci:%cp [%tr] %ft %{+Q}r %[src,lower] 100%%").expect("ok");
        assert_eq!(
            f.items[0],
            LfItem::Var {
                name: "ci".into(),
                flags: vec![]
            }
        );
        assert_eq!(f.items[1], LfItem::Text(":".into()));
        assert!(
            matches!(&f.items[8], LfItem::Var { name, flags } if name == "r" && flags == &["+Q"])
        );
        assert!(matches!(&f.items[10], LfItem::Sample { expr, .. } if expr.fetch == "src"));
        assert_eq!(f.items.last(), Some(&LfItem::Text(" 100%".into())));
        assert!(!f.is_constant());
        assert!(parse_log_format("plain").expect("ok").is_constant());
        // Names stop at the first character that is not a letter or digit.
        let u = parse_log_format("%ci_%cp").expect("ok");
        assert_eq!(u.items[1], LfItem::Text("_".into()));
    }

    #[test]
    fn errors_read_like_haproxy() {
        assert_eq!(
            parse_log_format("%[src").unwrap_err(),
            "missing ']' after 'src'"
        );
        assert!(parse_log_format("%bogus")
            .unwrap_err()
            .starts_with("no such format variable 'bogus'."));
        assert!(parse_log_format("%[no_such_fetch]")
            .unwrap_err()
            .starts_with("failed to parse sample expression <no_such_fetch]> : unknown fetch method 'no_such_fetch'"));
    }
}
