//! `.if` / `.elif` expressions (HAProxy manual §2.4 "Conditional blocks").
//!
//! The words after `.if` are joined with single spaces and parsed as:
//! `expr := and ("||" and)*`, `and := term ("&&" term)*`,
//! `term := "!" term | "(" expr ")" | predicate "(" args ")" | integer`.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, digit1, space0};
use nom::combinator::{map, map_res};
use nom::multi::separated_list1;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

/// The HAProxy version harp answers `version_atleast()`/`version_before()`
/// with: the configuration language it is checked against.
pub const COMPAT_VERSION: &str = "2.6.12";
/// The TLS capability level reported to `openssl_version_*()`: rustls gives
/// TLS 1.2/1.3 as OpenSSL 3.0 does.
pub const COMPAT_OPENSSL_VERSION: &str = "3.0.0";
/// Build features reported to `feature()`: only what harp really provides.
pub const FEATURES: &[&str] = &[
    "EPOLL",
    "POLL",
    "THREAD",
    "OPENSSL",
    "TPROXY",
    "LINUX_TPROXY",
    "GETADDRINFO",
    "PRCTL",
    "NS",
];

/// What the predicates need from the outside world.
pub trait CondEnv {
    fn defined(&self, var: &str) -> bool;
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Int(i64),
    Pred(String, Vec<String>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

fn ident(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_').parse(i)
}

fn predicate(i: &str) -> IResult<&str, Expr> {
    let (i, name) = ident(i)?;
    let (i, args) = delimited(
        char('('),
        separated_list1(char(','), take_while(|c| c != ',' && c != ')')),
        char(')'),
    )
    .parse(i)?;
    Ok((
        i,
        Expr::Pred(
            name.to_string(),
            args.into_iter().map(String::from).collect(),
        ),
    ))
}

fn term(i: &str) -> IResult<&str, Expr> {
    preceded(
        space0,
        alt((
            map(preceded(char('!'), term), |e| Expr::Not(Box::new(e))),
            delimited(char('('), expr, preceded(space0, char(')'))),
            predicate,
            map_res(digit1, |d: &str| d.parse::<i64>().map(Expr::Int)),
        )),
    )
    .parse(i)
}

fn and_expr(i: &str) -> IResult<&str, Expr> {
    map(
        separated_list1(preceded(space0, tag("&&")), term),
        |mut v| {
            if v.len() == 1 {
                v.remove(0)
            } else {
                Expr::And(v)
            }
        },
    )
    .parse(i)
}

fn expr(i: &str) -> IResult<&str, Expr> {
    map(
        separated_list1(preceded(space0, tag("||")), and_expr),
        |mut v| {
            if v.len() == 1 {
                v.remove(0)
            } else {
                Expr::Or(v)
            }
        },
    )
    .parse(i)
}

/// Compare dotted versions numerically ("2.6.12" vs "2.4"); missing parts
/// count as 0, a "-dev" suffix sorts before the release.
fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<i64> {
        let (nums, dev) = match s.split_once('-') {
            Some((n, _)) => (n, true),
            None => (s, false),
        };
        let mut v: Vec<i64> = nums
            .split('.')
            .map(|p| p.trim().parse().unwrap_or(0))
            .collect();
        v.resize(4, 0);
        v.push(if dev { -1 } else { 0 });
        v
    };
    parts(a).cmp(&parts(b))
}

fn eval(e: &Expr, env: &dyn CondEnv, words: &str) -> Result<bool, String> {
    Ok(match e {
        Expr::Int(n) => *n != 0,
        Expr::Not(x) => !eval(x, env, words)?,
        Expr::And(v) => {
            let mut r = true;
            for x in v {
                r &= eval(x, env, words)?;
            }
            r
        }
        Expr::Or(v) => {
            let mut r = false;
            for x in v {
                r |= eval(x, env, words)?;
            }
            r
        }
        Expr::Pred(name, args) => {
            let arity = match name.as_str() {
                "defined"
                | "feature"
                | "version_atleast"
                | "version_before"
                | "openssl_version_atleast"
                | "openssl_version_before" => 1,
                "streq" | "strneq" => 2,
                _ => {
                    return Err(format!(
                        "unparsable conditional expression '{words}' in '.if' at position 1"
                    ))
                }
            };
            if args.len() != arity {
                return Err(format!(
                    "expected {arity} argument(s) to predicate '{name}' used in conditional expression in '.if'"
                ));
            }
            let a = args[0].as_str();
            use std::cmp::Ordering::*;
            match name.as_str() {
                "defined" => env.defined(a),
                "feature" => FEATURES.contains(&a),
                "streq" => a == args[1],
                "strneq" => a != args[1],
                "version_atleast" => version_cmp(COMPAT_VERSION, a) != Less,
                "version_before" => version_cmp(COMPAT_VERSION, a) == Less,
                "openssl_version_atleast" => version_cmp(COMPAT_OPENSSL_VERSION, a) != Less,
                _ => version_cmp(COMPAT_OPENSSL_VERSION, a) == Less,
            }
        }
    })
}

/// The parser is recursive: bound the depth so hostile input cannot
/// exhaust the stack (HAProxy's own expressions never come close).
const MAX_NESTING: usize = 64;

/// Deepest nesting of parentheses and negations in `text`.
fn nesting(text: &str) -> usize {
    let (mut depth, mut max, mut bangs) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '!' => bangs += 1,
            ' ' => {}
            _ => bangs = 0,
        }
        max = max.max(depth + bangs);
    }
    max
}

/// Evaluate the words after `.if`/`.elif`. The error is HAProxy's message
/// (without the location prefix).
pub fn evaluate(words: &[String], env: &dyn CondEnv) -> Result<bool, String> {
    let text = words.join(" ");
    if text.trim().is_empty() {
        return Err(format!(
            "unparsable conditional sub-expression '{text}' in '.if' at position 1"
        ));
    }
    if nesting(&text) > MAX_NESTING {
        return Err(format!(
            "unparsable conditional expression '{}...' in '.if' at position 1 (nested too deeply)",
            text.chars().take(40).collect::<String>()
        ));
    }
    match expr(&text) {
        Ok((rest, e)) => {
            let rest_t = rest.trim_start();
            if let Some(c) = rest_t.chars().next() {
                let pos = text.len() - rest_t.len() + 1;
                return Err(format!(
                    "unexpected character '{c}' at the end of conditional expression '{text}' in '.if' at position {pos}"
                ));
            }
            eval(&e, env, &text)
        }
        Err(_) => Err(format!(
            "unparsable conditional expression '{text}' in '.if' at position 1"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct E;
    impl CondEnv for E {
        fn defined(&self, v: &str) -> bool {
            v == "SET"
        }
    }

    fn ev(s: &str) -> Result<bool, String> {
        let words: Vec<String> = s.split(' ').map(String::from).collect();
        evaluate(&words, &E)
    }

    #[test]
    fn predicates_and_logic() {
        assert_eq!(ev("1"), Ok(true));
        assert_eq!(ev("0"), Ok(false));
        assert_eq!(ev("defined(SET)"), Ok(true));
        assert_eq!(ev("!defined(NOPE)"), Ok(true));
        assert_eq!(ev("streq(a,a) && strneq(a,b)"), Ok(true));
        assert_eq!(ev("0 || (1 && !0)"), Ok(true));
        assert_eq!(ev("1 && 0 || 0"), Ok(false));
        assert_eq!(ev("version_atleast(2.4)"), Ok(true));
        assert_eq!(ev("version_atleast(2.6-dev1)"), Ok(true));
        assert_eq!(ev("version_before(2.6)"), Ok(false));
        assert_eq!(ev("version_atleast(3.0)"), Ok(false));
        assert_eq!(ev("feature(OPENSSL)"), Ok(true));
        assert_eq!(ev("feature(LUA)"), Ok(false));
        // spaces around commas belong to the argument
        assert_eq!(ev("streq(a, a)"), Ok(false));
    }

    #[test]
    fn errors() {
        assert!(ev("strstr(a,b)")
            .unwrap_err()
            .starts_with("unparsable conditional expression 'strstr(a,b)'"));
        assert!(ev("1 2")
            .unwrap_err()
            .starts_with("unexpected character '2' at the end of conditional expression '1 2'"));
        assert!(ev("defined(X").is_err());
        assert!(ev("").is_err());
        assert!(ev("streq(a)").is_err());
    }
}
