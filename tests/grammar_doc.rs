//! grammar/haproxy.ebnf must not fall behind the code: the lists it
//! writes out (section keywords, directives, time units, log-format
//! variables, ...) are compared with the tables and behaviour of the
//! parser, in both directions.

use std::collections::BTreeSet;
use std::path::Path;

use harp::config::cond::{self, CondEnv};
use harp::config::logformat::VARIABLES;
use harp::config::reader::{read_bytes, ConfigEnv, SECTION_KEYWORDS};
use harp::config::value::{parse_time, TimeUnit};
use harp::diag::Diagnostics;

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn grammar() -> String {
    read("grammar/haproxy.ebnf")
}

/// One lexical piece of the EBNF text.
#[derive(Debug, PartialEq)]
enum Piece {
    /// A quoted terminal, quotes removed.
    Terminal(String),
    /// Any other character outside comments and special sequences.
    Other(char),
}

/// Splits EBNF text into terminals and other characters, dropping
/// `(* comments *)` (nested ones too) and `? special sequences ?`.
/// Errors on an unterminated comment, terminal or special sequence.
fn scan(text: &str) -> Result<Vec<Piece>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '(' && next == Some('*') {
            let start = i;
            let mut depth = 1;
            i += 2;
            while depth > 0 {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('('), Some('*')) => {
                        depth += 1;
                        i += 2;
                    }
                    (Some('*'), Some(')')) => {
                        depth -= 1;
                        i += 2;
                    }
                    (Some(_), _) => i += 1,
                    (None, _) => return Err(format!("unterminated comment at char {start}")),
                }
            }
            continue;
        }
        if c == '*' && next == Some(')') {
            return Err(format!("'*)' outside a comment at char {i}"));
        }
        if c == '"' || c == '\'' || c == '?' {
            let end = chars[i + 1..]
                .iter()
                .position(|&x| x == c)
                .ok_or_else(|| format!("unterminated {c} at char {i}"))?;
            let body: String = chars[i + 1..i + 1 + end].iter().collect();
            if c != '?' {
                out.push(Piece::Terminal(body));
            }
            i += end + 2;
            continue;
        }
        out.push(Piece::Other(c));
        i += 1;
    }
    Ok(out)
}

/// The terminals of production `name` (from `name =` to its `;`).
fn terminals_of(text: &str, name: &str) -> BTreeSet<String> {
    let start = text
        .lines()
        .scan(0usize, |off, l| {
            let here = *off;
            *off += l.len() + 1;
            Some((here, l))
        })
        .find(|(_, l)| {
            l.strip_prefix(name)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|(off, _)| off)
        .unwrap_or_else(|| panic!("no production '{name}' in haproxy.ebnf"));
    let pieces = scan(&text[start..]).expect("well-formed EBNF");
    let mut set = BTreeSet::new();
    for p in pieces {
        match p {
            Piece::Other(';') => return set,
            Piece::Terminal(t) => {
                set.insert(t);
            }
            Piece::Other(_) => {}
        }
    }
    panic!("production '{name}' has no ';'");
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ebnf_comments_and_terminals_are_balanced() {
    let pieces = scan(&grammar()).expect("haproxy.ebnf scans");
    let semis = pieces.iter().filter(|p| **p == Piece::Other(';')).count();
    let defs = pieces.iter().filter(|p| **p == Piece::Other('=')).count();
    assert_eq!(semis, defs, "every production ends with one ';'");
    assert!(defs > 100, "only {defs} productions");
    // The scanner itself rejects what it must.
    assert!(scan("a = b ; (* open").is_err());
    assert!(scan("a = \"x ;").is_err());
    assert!(scan("a = b ; *)").is_err());
}

#[test]
fn every_section_keyword_is_in_the_grammar() {
    assert_eq!(
        terminals_of(&grammar(), "section-keyword"),
        set(SECTION_KEYWORDS)
    );
}

#[test]
fn every_log_format_variable_is_in_the_grammar() {
    assert_eq!(terminals_of(&grammar(), "lf-variable"), set(VARIABLES));
}

/// The `".xxx"` literals of reader.rs's `fn directive`: the directives it
/// matches on.
fn directives_in_reader() -> BTreeSet<String> {
    let src = read("src/config/reader.rs");
    let start = src
        .find("\nfn directive(")
        .expect("fn directive in reader.rs");
    let body = &src[start + 1..];
    let end = body.find("\n}\n").expect("end of fn directive");
    let mut out = BTreeSet::new();
    for part in body[..end].split('"').skip(1).step_by(2) {
        if let Some(n) = part.strip_prefix('.') {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase()) {
                out.insert(part.to_string());
            }
        }
    }
    out
}

#[test]
fn every_directive_is_in_the_grammar() {
    let doc = terminals_of(&grammar(), "directive-name");
    assert_eq!(doc, directives_in_reader());
    assert_eq!(doc.len(), 8);
    // Each one is a directive the reader knows (not "unknown directive").
    for d in &doc {
        let arg = if d == ".if" || d == ".elif" { " 1" } else { "" };
        let src = format!("global\n.if 1\n{d}{arg}\n.endif\n");
        let mut env = ConfigEnv::default();
        let mut diags = Diagnostics::default();
        read_bytes("t.cfg", src.as_bytes(), &mut env, &mut diags);
        let bodies: Vec<String> = diags.items.iter().map(|x| x.body()).collect();
        assert!(
            bodies.iter().all(|b| !b.contains("unknown directive")),
            "{d}: {bodies:?}"
        );
    }
    // And a name outside the list is not.
    let mut env = ConfigEnv::default();
    let mut diags = Diagnostics::default();
    read_bytes("t.cfg", b"global\n.include x\n", &mut env, &mut diags);
    assert_eq!(
        diags.items[0].body(),
        "parsing [t.cfg:2]: unknown directive '.include'."
    );
}

#[test]
fn every_time_unit_is_in_the_grammar() {
    let doc = terminals_of(&grammar(), "time-unit");
    assert_eq!(doc, set(&["us", "ms", "s", "m", "h", "d"]));
    // Each listed unit parses cleanly...
    for u in &doc {
        let t =
            parse_time(&format!("1{u}"), TimeUnit::Ms).unwrap_or_else(|e| panic!("1{u}: {e:?}"));
        assert_eq!(t.warning, None, "1{u}");
    }
    // ...and no other suffix of one or two letters does.
    let letters: Vec<char> = ('a'..='z').chain('A'..='Z').collect();
    let mut suffixes: Vec<String> = letters.iter().map(|c| c.to_string()).collect();
    for a in &letters {
        for b in &letters {
            suffixes.push(format!("{a}{b}"));
        }
    }
    for s in suffixes {
        if let Ok(t) = parse_time(&format!("1{s}"), TimeUnit::Ms) {
            if t.warning.is_none() {
                assert!(doc.contains(&s), "unit '{s}' missing from haproxy.ebnf");
            }
        }
    }
}

struct NoVars;
impl CondEnv for NoVars {
    fn defined(&self, _: &str) -> bool {
        false
    }
}

#[test]
fn every_listed_if_predicate_exists() {
    let doc = terminals_of(&grammar(), "predicate-name");
    assert_eq!(doc.len(), 8);
    for p in &doc {
        let arity = if p.starts_with("str") { "a,a" } else { "2.0" };
        let r = cond::evaluate(&[format!("{p}({arity})")], &NoVars);
        assert!(r.is_ok(), "{p}: {r:?}");
    }
    let r = cond::evaluate(&["nosuch(x)".to_string()], &NoVars);
    assert!(r.is_err());
}

#[test]
fn predefined_acls_and_match_methods_match_the_code() {
    let doc = terminals_of(&grammar(), "predefined-acl");
    let code: BTreeSet<String> = harp::config::acl::predefined::names()
        .map(String::from)
        .collect();
    assert_eq!(doc, code);
    let methods = terminals_of(&grammar(), "match-method");
    assert_eq!(methods.len(), 13);
    for m in &methods {
        let parsed = harp::config::acl::Matcher::from_name(m).map(|x| x.name());
        assert_eq!(parsed, Some(m.as_str()));
    }
}
