//! Hostile input never panics: each case must come back with diagnostics
//! that name the problem (the fuzz targets explore the rest).

use std::collections::HashMap;

use harp::config::build::{load_bytes, Loaded};
use harp::config::reader::ConfigEnv;

fn load(bytes: &[u8]) -> Loaded {
    let mut env = ConfigEnv::from_map(HashMap::new());
    load_bytes("bad.cfg", bytes, &mut env)
}

fn alerts(l: &Loaded) -> Vec<String> {
    l.diags
        .items
        .iter()
        .filter(|d| d.is_fatal())
        .map(|d| d.body())
        .collect()
}

#[test]
fn binary_data() {
    // A deterministic pseudo-random byte soup (xorshift), 64 KiB.
    let mut x: u32 = 0x9e37_79b9;
    let data: Vec<u8> = (0..65536)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect();
    let l = load(&data);
    assert!(l.model.is_none());
    assert!(!alerts(&l).is_empty());
}

#[test]
fn one_megabyte_line() {
    let mut src = b"global\n description ".to_vec();
    src.extend(std::iter::repeat_n(b'a', 1 << 20));
    src.push(b'\n');
    let l = load(&src);
    let m = l.model.expect("a long description is valid");
    assert_eq!(m.global.description.map(|d| d.len()), Some(1 << 20));
    // And a 1 MB line of words: the 64-word limit applies.
    let words = "w ".repeat(1 << 19);
    let l = load(format!("global\n{words}\n").as_bytes());
    assert!(alerts(&l)[0].contains("too many words, truncating after word 64"));
}

#[test]
fn unmatched_quotes_and_braces() {
    let l = load(b"global\n description \"open\n");
    assert!(alerts(&l)[0].starts_with("parsing [bad.cfg:2]: unmatched quote at position 14:"));
    let l = load(b"global\n description '\n");
    assert!(alerts(&l)[0].contains("unmatched quote"));
    let l = load(b"global\n description \"${X\"\n");
    assert!(alerts(&l)[0].contains("unmatched brace in environment variable name"));
}

#[test]
fn unclosed_and_deep_conditionals() {
    let l = load(b"global\n.if 1\n.if 0\n");
    assert_eq!(
        alerts(&l),
        ["parsing [bad.cfg:3]: non-terminated '.if' block."]
    );
    // 101 nested blocks: HAProxy's limit is 100.
    let src = format!("global\n{}", ".if 1\n".repeat(101));
    let l = load(src.as_bytes());
    assert!(alerts(&l)[0].contains("too many nested '.if', max is 100."));
    // An expression nested 100,000 parentheses deep is refused, not a stack overflow.
    let src = format!(
        "global\n.if {}1{}\n.endif\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let l = load(src.as_bytes());
    assert!(
        alerts(&l)[0].contains("conditional expression"),
        "{:?}",
        alerts(&l)
    );
}

#[test]
fn deep_nesting_in_conditions_and_samples() {
    let deep = format!(
        "frontend f\n bind :80\n acl a hdr({}x{})\n http-request set-header X %[src{}]\n",
        "(".repeat(50_000),
        ")".repeat(50_000),
        ",lower".repeat(20_000)
    );
    let l = load(deep.as_bytes());
    assert!(l.model.is_none());
    assert!(!alerts(&l).is_empty());
    let braces = format!(
        "frontend f\n bind :80\n http-request deny if {}\n",
        "{ ".repeat(10_000)
    );
    let l = load(braces.as_bytes());
    assert!(!alerts(&l).is_empty());
}

#[test]
fn nul_and_lone_carriage_returns() {
    let l = load(b"global\n maxconn 1\0 0\n");
    assert!(alerts(&l)[0].contains("Stray NUL character"));
    let l = load(b"global\r maxconn 10\r\n");
    // A CR ends the line for the tokenizer, as in HAProxy.
    assert!(l.model.is_some());
}

#[test]
fn escaped_space_inside_a_keyword() {
    // Found by fuzzing: one word that spells a two-word keyword.
    let l = load(
        b"defaults\n mode http\nfrontend f\n bind :80\n stats\\ uri /st\n timeout\\ client 5s\n",
    );
    let m = l.model.expect("valid");
    let f = m.proxy("f").expect("f");
    assert_eq!(f.settings.timeouts.client, Some(5000));
    assert_eq!(f.settings.stats.uri.as_deref(), Some("/st"));
}
