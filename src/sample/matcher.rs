//! Pattern matching (manual 7.1.1-7.1.6) and compiled ACLs.
//!
//! Regexes use the `regex` crate, not PCRE: no backreferences or
//! look-around (such patterns fail to compile, at load time), and matching
//! is on UTF-8 text (binary samples are read lossily).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use regex::{Regex, RegexBuilder};

use super::fetch::CompiledExpr;
use super::source::EvalCtx;
use super::store::{parse_map_file, parse_pattern_file, MapStore};
use super::value::Sample;
use crate::config::acl::matchers::{parse_hex_pattern, parse_int_patterns, parse_ip_pattern};
use crate::config::acl::{AclDef, IntRange, IpPattern, Matcher};

/// A list of patterns of one matching method; a sample matches when any
/// pattern does.
#[derive(Debug, Clone)]
pub struct PatternSet {
    pub matcher: Matcher,
    pub ignore_case: bool,
    strs: Vec<String>,
    regs: Vec<Regex>,
    ints: Vec<IntRange>,
    ips: Vec<IpPattern>,
    bins: Vec<Vec<u8>>,
    /// Exact-match index (`str`): pattern (lower-cased with `-i`) → its
    /// first position, so large pattern files and maps stay fast.
    exact: HashMap<String, usize>,
}

/// Compile one regex the way ACLs and maps use it.
pub(crate) fn compile_regex(p: &str, ignore_case: bool) -> Result<Regex, String> {
    RegexBuilder::new(p)
        .case_insensitive(ignore_case)
        .build()
        .map_err(|e| format!("regex '{p}' is invalid: {e}"))
}

impl PatternSet {
    /// Patterns given one per string (map keys, `-f` file lines, or ACL
    /// words). Integer words may carry operators only when `words_ops`.
    pub fn compile(
        matcher: Matcher,
        ignore_case: bool,
        patterns: &[String],
        words_ops: bool,
    ) -> Result<Self, String> {
        let mut set = PatternSet {
            matcher,
            ignore_case,
            strs: Vec::new(),
            regs: Vec::new(),
            ints: Vec::new(),
            ips: Vec::new(),
            bins: Vec::new(),
            exact: HashMap::new(),
        };
        match matcher {
            Matcher::Found | Matcher::Bool => {}
            Matcher::Int | Matcher::Len => {
                if words_ops {
                    set.ints = parse_int_patterns(patterns, false)?;
                } else {
                    for p in patterns {
                        set.ints
                            .extend(parse_int_patterns(std::slice::from_ref(p), false)?);
                    }
                }
            }
            Matcher::Ip => {
                for p in patterns {
                    set.ips.push(parse_ip_pattern(p, false)?);
                }
            }
            Matcher::Bin => {
                for p in patterns {
                    set.bins.push(parse_hex_pattern(p)?);
                }
            }
            Matcher::Reg => {
                for p in patterns {
                    set.regs.push(compile_regex(p, ignore_case)?);
                }
            }
            _ => set.strs = patterns.to_vec(),
        }
        set.reindex();
        Ok(set)
    }

    /// The word patterns of an ACL, using the config layer's typed integer,
    /// address and binary patterns (so the model layer may resolve host
    /// name patterns into addresses before compiling).
    pub fn from_def(def: &AclDef) -> Result<Self, String> {
        let (ic, m) = (def.flags.ignore_case, def.matcher);
        let mut set = match m {
            Matcher::Int | Matcher::Len | Matcher::Ip | Matcher::Bin => {
                PatternSet::compile(m, ic, &[], true)?
            }
            _ => PatternSet::compile(m, ic, &def.patterns, true)?,
        };
        set.ints = def.int_patterns.clone();
        set.ips = def.ip_patterns.clone();
        set.bins = def.bin_patterns.clone();
        set.reindex();
        Ok(set)
    }

    fn key(&self, s: &str) -> String {
        if self.ignore_case {
            s.to_ascii_lowercase()
        } else {
            s.to_string()
        }
    }

    fn reindex(&mut self) {
        self.exact.clear();
        if self.matcher != Matcher::Str {
            return;
        }
        for (i, p) in self.strs.iter().enumerate() {
            let k = self.key(p);
            self.exact.entry(k).or_insert(i);
        }
    }

    /// Add patterns compiled the same way (`-f` files after the words).
    fn extend(&mut self, other: PatternSet) {
        self.strs.extend(other.strs);
        self.regs.extend(other.regs);
        self.ints.extend(other.ints);
        self.ips.extend(other.ips);
        self.bins.extend(other.bins);
        self.reindex();
    }

    /// Number of patterns (0 for `found`/`bool`).
    pub fn len(&self) -> usize {
        self.strs.len() + self.regs.len() + self.ints.len() + self.ips.len() + self.bins.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `s` matches any pattern.
    pub fn matches(&self, s: &Sample) -> bool {
        match self.matcher {
            Matcher::Found => true,
            Matcher::Bool => s.to_bool().unwrap_or(false),
            _ => self.find(s).is_some(),
        }
    }

    /// Index of the pattern `s` matches: the first in order, except for
    /// addresses where the longest prefix wins (as HAProxy's trees do).
    pub fn find(&self, s: &Sample) -> Option<usize> {
        match self.matcher {
            Matcher::Found | Matcher::Bool => None,
            Matcher::Int => {
                let v = s.to_int()?;
                self.ints.iter().position(|r| in_range(r, v))
            }
            Matcher::Len => {
                let v = s.to_bytes().len() as i64;
                self.ints.iter().position(|r| in_range(r, v))
            }
            Matcher::Ip => {
                let ip = s.to_ip()?;
                self.ips
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| ip_match(p, ip).map(|bits| (i, bits)))
                    .max_by_key(|(i, bits)| (*bits, std::cmp::Reverse(*i)))
                    .map(|(i, _)| i)
            }
            Matcher::Bin => {
                let b = s.to_bytes();
                self.bins.iter().position(|p| *p == b)
            }
            Matcher::Reg => {
                let t = s.to_text();
                self.regs.iter().position(|r| r.is_match(&t))
            }
            Matcher::Str => self.exact.get(&self.key(&s.to_text())).copied(),
            m => {
                let t = s.to_text();
                self.strs
                    .iter()
                    .position(|p| str_match(m, self.ignore_case, &t, p))
            }
        }
    }
}

fn in_range(r: &IntRange, v: i64) -> bool {
    r.min.is_none_or(|m| v >= m) && r.max.is_none_or(|m| v <= m)
}

fn eq(a: &str, b: &str, ic: bool) -> bool {
    if ic {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

fn str_match(m: Matcher, ic: bool, s: &str, p: &str) -> bool {
    let (sb, pb) = (s.as_bytes(), p.as_bytes());
    let bytes_eq = |a: &[u8], b: &[u8]| {
        if ic {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    match m {
        Matcher::Str => eq(s, p, ic),
        Matcher::Beg => sb.len() >= pb.len() && bytes_eq(&sb[..pb.len()], pb),
        Matcher::End => sb.len() >= pb.len() && bytes_eq(&sb[sb.len() - pb.len()..], pb),
        Matcher::Sub => pb.is_empty() || sb.windows(pb.len()).any(|w| bytes_eq(w, pb)),
        Matcher::Dir => word_match(sb, pb, ic, b"/?"),
        Matcher::Dom => word_match(sb, pb, ic, b"/?.:"),
        _ => false,
    }
}

/// `dir`/`dom`: the pattern (its own leading and trailing delimiters
/// dropped) appears in the sample between delimiters or the ends.
fn word_match(s: &[u8], p: &[u8], ic: bool, delims: &[u8]) -> bool {
    let is_delim = |c: &u8| delims.contains(c);
    let start = p.iter().position(|c| !is_delim(c)).unwrap_or(p.len());
    let end = p
        .iter()
        .rposition(|c| !is_delim(c))
        .map_or(start, |e| e + 1);
    let p = &p[start..end];
    if p.is_empty() {
        return false;
    }
    let mut at_word_start = true;
    for i in 0..s.len() {
        if is_delim(&s[i]) {
            at_word_start = true;
            continue;
        }
        if !at_word_start {
            continue;
        }
        at_word_start = false;
        let Some(cand) = s.get(i..i + p.len()) else {
            return false;
        };
        let same = if ic {
            cand.eq_ignore_ascii_case(p)
        } else {
            cand == p
        };
        if same && s.get(i + p.len()).is_none_or(is_delim) {
            return true;
        }
    }
    false
}

/// Prefix length when `ip` is in `p` (manual 7.1.6 rules for mixing
/// families); `None` when it is not.
fn ip_match(p: &IpPattern, ip: IpAddr) -> Option<u32> {
    match (p, ip) {
        (IpPattern::V4 { addr, mask }, ip) => {
            let v4 = match ip {
                IpAddr::V4(a) => a,
                IpAddr::V6(a) => embedded_v4(a)?,
            };
            let m = u32::from(*mask);
            (u32::from(v4) & m == u32::from(*addr) & m).then_some(m.count_ones())
        }
        (IpPattern::V6 { addr, prefix }, ip) => {
            let v6 = match ip {
                IpAddr::V6(a) => a,
                IpAddr::V4(a) => a.to_ipv6_mapped(),
            };
            let bits = u32::from(*prefix);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            (u128::from(v6) & mask == u128::from(*addr) & mask).then_some(bits)
        }
        // Host names are resolved by the model layer before compiling;
        // an unresolved one matches nothing.
        (IpPattern::Host(_), _) => None,
    }
}

/// The IPv4 address inside `::ffff:a.b.c.d`, `::a.b.c.d` or 6to4
/// `2002:AABB:CCDD::`.
fn embedded_v4(a: Ipv6Addr) -> Option<Ipv4Addr> {
    let o = a.octets();
    if o[..10].iter().all(|b| *b == 0) && (o[10..12] == [0xff, 0xff] || o[10..12] == [0, 0]) {
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    if o[..2] == [0x20, 0x02] && o[6..].iter().all(|b| *b == 0) {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

/// An ACL ready to run: its expression and patterns (words plus `-f`
/// files).
#[derive(Debug, Clone)]
pub struct CompiledAcl {
    pub name: String,
    expr: CompiledExpr,
    patterns: PatternSet,
    /// `http_auth_group(list)`: patterns are group names.
    auth_groups: Option<(String, Vec<String>)>,
    /// `method` compared as HAProxy compares methods (see [`method_match`]).
    methods: Option<Vec<String>>,
}

/// The methods HAProxy knows by number; the others compare as text.
const KNOWN_METHODS: &[&str] = &[
    "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT",
];

/// HAProxy's method match: a known method pattern (`GET`, exact case)
/// matches only that method; another pattern matches an unknown method by
/// text, `-i` applying. So `method -i get` never matches `GET`.
fn method_match(sample: &str, pattern: &str, ignore_case: bool) -> bool {
    if KNOWN_METHODS.contains(&pattern) {
        return sample == pattern;
    }
    !KNOWN_METHODS.contains(&sample) && eq(sample, pattern, ignore_case)
}

impl CompiledAcl {
    pub fn compile(def: &AclDef, store: &dyn MapStore) -> Result<Self, String> {
        let expr = CompiledExpr::compile(&def.expr, store)?;
        let mut words = def.patterns.clone();
        let mut patterns = PatternSet::from_def(def)?;
        let mut from_files = Vec::new();
        for f in &def.flags.files {
            let contents = store
                .contents(f)
                .ok_or_else(|| format!("failed to open pattern file <{f}>"))?;
            if def.flags.map {
                from_files.extend(parse_map_file(contents).into_iter().map(|(k, _)| k));
            } else {
                from_files.extend(parse_pattern_file(contents));
            }
        }
        if !from_files.is_empty() {
            let extra =
                PatternSet::compile(def.matcher, def.flags.ignore_case, &from_files, false)?;
            patterns.extend(extra);
            words.extend(from_files);
        }
        let auth_groups = (def.expr.fetch == "http_auth_group" && def.expr.converters.is_empty())
            .then(|| {
                (
                    def.expr.args.first().cloned().unwrap_or_default(),
                    words.clone(),
                )
            });
        let methods = (def.expr.fetch == "method"
            && def.expr.converters.is_empty()
            && def.matcher == Matcher::Str)
            .then_some(words);
        Ok(CompiledAcl {
            name: def.name.clone(),
            expr,
            patterns,
            auth_groups,
            methods,
        })
    }

    /// Three-state result: `None` when it does not match yet but could
    /// once more data arrives (HAProxy's "miss").
    pub fn eval_tri(&self, ctx: &EvalCtx) -> Option<bool> {
        if self.eval(ctx) {
            Some(true)
        } else if self.expr.may_change(ctx) {
            None
        } else {
            Some(false)
        }
    }

    /// Whether the ACL matches: any value of the fetch matches any
    /// pattern. A fetch giving nothing never matches (manual 7.1).
    pub fn eval(&self, ctx: &EvalCtx) -> bool {
        let samples = self.expr.eval_all(ctx);
        if let Some((list, groups)) = &self.auth_groups {
            return samples.iter().any(|user| {
                let user = user.to_text();
                groups.iter().any(|g| ctx.src.user_in_group(list, &user, g))
            });
        }
        if let Some(methods) = &self.methods {
            let ic = self.patterns.ignore_case;
            return samples.iter().any(|m| {
                let m = m.to_text();
                methods.iter().any(|p| method_match(&m, p, ic))
            });
        }
        samples.iter().any(|s| self.patterns.matches(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(m: &str, ic: bool, pats: &[&str]) -> PatternSet {
        let pats: Vec<String> = pats.iter().map(|s| s.to_string()).collect();
        let m = Matcher::from_name(m).unwrap_or(Matcher::Str);
        match PatternSet::compile(m, ic, &pats, true) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    fn s(v: &str) -> Sample {
        Sample::str(v)
    }

    #[test]
    fn strings() {
        assert!(set("str", false, &["abc"]).matches(&s("abc")));
        assert!(!set("str", false, &["abc"]).matches(&s("ABC")));
        assert!(set("str", true, &["abc"]).matches(&s("ABC")));
        assert!(set("beg", false, &["/st"]).matches(&s("/static")));
        assert!(!set("beg", false, &["/static/x"]).matches(&s("/static")));
        assert!(set("end", true, &[".JPG"]).matches(&s("/a.jpg")));
        assert!(set("sub", false, &["x", "tat"]).matches(&s("/static")));
        assert!(!set("sub", false, &["zz"]).matches(&s("/static")));
        assert_eq!(
            set("sub", false, &["zz", "at", "t"]).find(&s("/static")),
            Some(1)
        );
    }

    #[test]
    fn dir_and_dom_follow_the_manual_examples() {
        let path = s("/images/png/logo/32x32.png");
        for p in [
            "/images",
            "/images/png",
            "images/png",
            "/png/logo",
            "logo/32x32.png",
            "32x32.png",
        ] {
            assert!(set("dir", false, &[p]).matches(&path), "{p}");
        }
        // The manual lists "png" as not matching, but "png" is a whole
        // directory of that path and HAProxy 2.6 does match it (checked
        // in tests/sample_haproxy.rs).
        assert!(set("dir", false, &["png"]).matches(&path));
        assert!(!set("dir", false, &["32x32"]).matches(&path));
        assert!(!set("dir", false, &["ima"]).matches(&path));
        let url = s("http://www1.dc-eu.example.com:80/blah");
        for p in [
            "http",
            "www1",
            ".www1",
            "dc-eu",
            "example",
            "com",
            "80",
            "dc-eu.example",
            "blah",
            ":www1:",
        ] {
            assert!(set("dom", false, &[p]).matches(&url), "{p}");
        }
        // The manual also lists "dc-eu.example:80", which is not in the
        // string; HAProxy 2.6 does not match it either.
        for p in ["eu", "dc", "dc-eu.example:80", ".", "/"] {
            assert!(!set("dom", false, &[p]).matches(&url), "{p}");
        }
        assert!(set("dom", true, &["EXAMPLE.com"]).matches(&url));
    }

    #[test]
    fn integers_lengths_bools() {
        let ports = set("int", false, &["1024:65535"]);
        assert!(ports.matches(&Sample::Int(8080)));
        assert!(!ports.matches(&Sample::Int(80)));
        assert!(set("int", false, &["gt", "5"]).matches(&Sample::Int(6)));
        assert!(!set("int", false, &["gt", "5"]).matches(&Sample::Int(5)));
        assert!(set("int", false, &["lt", "0"]).matches(&Sample::Int(-1)));
        assert!(set("int", false, &["1"]).matches(&Sample::Bool(true)));
        assert!(set("int", false, &["12"]).matches(&s("12")));
        assert!(set("len", false, &["3"]).matches(&s("abc")));
        assert!(!set("len", false, &["3"]).matches(&s("ab")));
        assert!(set("bool", false, &[]).matches(&Sample::Bool(true)));
        assert!(!set("bool", false, &[]).matches(&Sample::Bool(false)));
        assert!(set("bool", false, &[]).matches(&Sample::Int(7)));
        assert!(!set("bool", false, &[]).matches(&Sample::Int(0)));
        assert!(set("found", false, &[]).matches(&s("")));
    }

    #[test]
    fn addresses_and_binary() {
        let v4 = |a, b, c, d| Sample::Ip(IpAddr::V4(Ipv4Addr::new(a, b, c, d)));
        let nets = set("ip", false, &["10.0.0.0/8", "192.168.1.1", "::1"]);
        assert!(nets.matches(&v4(10, 2, 3, 4)));
        assert!(!nets.matches(&v4(11, 2, 3, 4)));
        assert!(nets.matches(&v4(192, 168, 1, 1)));
        assert!(nets.matches(&Sample::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST))));
        let mapped: Ipv6Addr = "::ffff:10.1.1.1".parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
        assert!(nets.matches(&Sample::Ip(IpAddr::V6(mapped))));
        let sixto4: Ipv6Addr = "2002:a01:101::".parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
        assert!(nets.matches(&Sample::Ip(IpAddr::V6(sixto4))));
        assert!(nets.matches(&s("10.9.9.9")));
        assert!(!nets.matches(&s("nope")));
        let v6net = set("ip", false, &["::ffff:0:0/96"]);
        assert!(v6net.matches(&v4(1, 2, 3, 4)));
        // Longest prefix wins for lookups.
        let lp = set("ip", false, &["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"]);
        assert_eq!(lp.find(&v4(10, 1, 2, 3)), Some(2));
        assert_eq!(lp.find(&v4(10, 1, 9, 3)), Some(1));
        let bin = set("bin", false, &["48656c6c6f0a"]);
        assert!(bin.matches(&Sample::Bin(b"Hello\n".to_vec())));
        assert!(!bin.matches(&Sample::Bin(b"Hello".to_vec())));
    }

    #[test]
    fn regexes() {
        let r = set("reg", false, &["^/api/v[0-9]+/"]);
        assert!(r.matches(&s("/api/v2/x")));
        assert!(!r.matches(&s("/API/v2/x")));
        assert!(set("reg", true, &["^/api/"]).matches(&s("/API/v2/x")));
        let bad = PatternSet::compile(Matcher::Reg, false, &["(a".to_string()], true);
        assert!(bad.is_err());
    }
}
