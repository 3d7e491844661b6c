//! Converters (manual 7.3.1): string, arithmetic, encoding and map ones.
//! Hashes live in `conv_hash`, dates and escapes in `conv_more`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use regex::Regex;

use super::conv_hash;
use super::conv_more;
use super::matcher::{compile_regex, PatternSet};
use super::source::EvalCtx;
use super::store::{parse_map_file, MapStore};
use super::value::{leading_int, Sample};
use crate::config::acl::Matcher;

/// Every converter this module runs; a test keeps it equal to the
/// `Implemented` rows of the support table.
pub const IMPLEMENTED_CONVERTERS: &[&str] = &[
    "add",
    "add_item",
    "and",
    "b64dec",
    "base64",
    "be2dec",
    "be2hex",
    "bool",
    "bytes",
    "concat",
    "cpl",
    "crc32",
    "crc32c",
    "cut_crlf",
    "div",
    "djb2",
    "even",
    "field",
    "hex",
    "hex2i",
    "host_only",
    "htonl",
    "http_date",
    "iif",
    "ipmask",
    "json",
    "length",
    "lower",
    "ltime",
    "ltrim",
    "map",
    "map_beg",
    "map_beg_int",
    "map_beg_ip",
    "map_dir",
    "map_dir_int",
    "map_dir_ip",
    "map_dom",
    "map_dom_int",
    "map_dom_ip",
    "map_end",
    "map_end_int",
    "map_end_ip",
    "map_int",
    "map_int_int",
    "map_int_ip",
    "map_ip",
    "map_ip_int",
    "map_ip_ip",
    "map_reg",
    "map_reg_int",
    "map_reg_ip",
    "map_regm",
    "map_str",
    "map_str_int",
    "map_str_ip",
    "map_sub",
    "map_sub_int",
    "map_sub_ip",
    "mod",
    "mul",
    "neg",
    "not",
    "odd",
    "or",
    "port_only",
    "regsub",
    "rtrim",
    "sdbm",
    "set-var",
    "sha1",
    "sha2",
    "strcmp",
    "sub",
    "ub64dec",
    "ub64enc",
    "unset-var",
    "upper",
    "url_dec",
    "url_enc",
    "utime",
    "word",
    "wt6",
    "xor",
    "xxh3",
    "xxh32",
    "xxh64",
];

/// A loaded map: keys matched with `keys`, values already typed.
#[derive(Debug, Clone)]
pub struct MapTable {
    keys: PatternSet,
    values: Vec<String>,
    out: MapOut,
    default: Option<Sample>,
    /// `map_regm`: values may hold `\N` references to the key's groups.
    regm: Option<Vec<Regex>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MapOut {
    Str,
    Int,
    Ip,
}

fn typed(out: MapOut, v: &str) -> Option<Sample> {
    match out {
        MapOut::Str => Some(Sample::str(v)),
        MapOut::Int => v.trim().parse().ok().map(Sample::Int),
        MapOut::Ip => v.trim().parse::<IpAddr>().ok().map(Sample::Ip),
    }
}

impl MapTable {
    fn load(name: &str, args: &[String], store: &dyn MapStore) -> Result<Self, String> {
        let parts: Vec<&str> = name.split('_').collect();
        let (matcher, out) = match parts.as_slice() {
            ["map"] => ("str", "str"),
            ["map", "regm"] => ("reg", "str"),
            ["map", m] => (*m, "str"),
            ["map", m, o] => (*m, *o),
            _ => return Err(format!("unknown map converter '{name}'")),
        };
        let matcher = Matcher::from_name(matcher)
            .ok_or_else(|| format!("unknown match method in converter '{name}'"))?;
        let out = match out {
            "str" => MapOut::Str,
            "int" => MapOut::Int,
            "ip" => MapOut::Ip,
            _ => return Err(format!("unknown output type in converter '{name}'")),
        };
        let file = args.first().map(String::as_str).unwrap_or("");
        let contents = store.contents(file).ok_or_else(|| {
            format!("invalid args in converter '{name}' : failed to open pattern file <{file}>")
        })?;
        let entries = parse_map_file(contents);
        let keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
        let values: Vec<String> = entries.into_iter().map(|(_, v)| v).collect();
        for v in &values {
            if typed(out, v).is_none() {
                return Err(format!(
                    "map file <{file}>: '{v}' is not a valid {out:?} value"
                ));
            }
        }
        let default = match args.get(1) {
            Some(d) => Some(
                typed(out, d)
                    .ok_or_else(|| format!("converter '{name}': invalid default value '{d}'"))?,
            ),
            None => None,
        };
        let regm = if name == "map_regm" {
            Some(
                keys.iter()
                    .map(|k| compile_regex(k, false))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        } else {
            None
        };
        Ok(MapTable {
            keys: PatternSet::compile(matcher, false, &keys, false)?,
            values,
            out,
            default,
            regm,
        })
    }

    /// The value for `s`, or the default; `None` without either.
    pub fn lookup(&self, s: &Sample) -> Option<Sample> {
        let Some(i) = self.keys.find(s) else {
            return self.default.clone();
        };
        let v = self.values.get(i)?;
        match self.regm.as_ref().and_then(|r| r.get(i)) {
            Some(re) => {
                let text = s.to_text();
                let caps = re.captures(&text)?;
                Some(Sample::Str(expand_refs(v, &caps)))
            }
            None => typed(self.out, v),
        }
    }
}

/// Replace `\N` in `tpl` with capture group N (empty when absent).
fn expand_refs(tpl: &str, caps: &regex::Captures) -> String {
    let mut out = String::new();
    let mut chars = tpl.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().and_then(|d| d.to_digit(10))) {
            ('\\', Some(n)) => {
                chars.next();
                out.push_str(caps.get(n as usize).map_or("", |m| m.as_str()));
            }
            _ => out.push(c),
        }
    }
    out
}

/// What a converter keeps from compilation.
#[derive(Debug, Clone)]
enum State {
    None,
    Map(Box<MapTable>),
    Regsub { re: Regex, subst: String, all: bool },
}

/// One converter ready to run.
#[derive(Debug, Clone)]
pub struct CompiledConv {
    pub name: String,
    pub args: Vec<String>,
    state: State,
}

impl CompiledConv {
    pub fn compile(name: &str, args: &[String], store: &dyn MapStore) -> Result<Self, String> {
        if !IMPLEMENTED_CONVERTERS.contains(&name) {
            return Err(format!("converter '{name}' is not implemented by harp"));
        }
        let state = if name.starts_with("map") {
            State::Map(Box::new(MapTable::load(name, args, store)?))
        } else if name == "regsub" {
            let flags = args.get(2).map(String::as_str).unwrap_or("");
            let re = args.first().map(String::as_str).unwrap_or("");
            State::Regsub {
                re: compile_regex(re, flags.contains('i'))?,
                subst: args.get(1).cloned().unwrap_or_default(),
                all: flags.contains('g'),
            }
        } else {
            if let Some(msg) = conv_more::check_args(name, args) {
                return Err(format!("converter '{name}': {msg}"));
            }
            State::None
        };
        Ok(CompiledConv {
            name: name.to_string(),
            args: args.to_vec(),
            state,
        })
    }

    fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(String::as_str)
    }

    fn int_arg(&self, i: usize) -> Option<i64> {
        self.arg(i).and_then(|a| a.trim().parse().ok())
    }

    /// An arithmetic operand: an integer or a variable name.
    fn operand(&self, ctx: &EvalCtx) -> Option<i64> {
        let a = self.arg(0)?;
        match a.trim().parse() {
            Ok(v) => Some(v),
            Err(_) => ctx.src.var(a)?.to_int(),
        }
    }

    fn var_text(&self, i: usize, ctx: &EvalCtx) -> Option<String> {
        let name = self.arg(i).filter(|n| !n.is_empty())?;
        ctx.src.var(name).map(|v| v.to_text())
    }

    /// Apply to one sample; `None` when the converter fails (the sample is
    /// then dropped, as if the fetch found nothing).
    pub fn apply(&self, s: Sample, ctx: &EvalCtx) -> Option<Sample> {
        if let State::Map(m) = &self.state {
            return m.lookup(&s);
        }
        if let State::Regsub { re, subst, all } = &self.state {
            return Some(Sample::Str(regsub(re, &s.to_text(), subst, *all)));
        }
        let int = |s: &Sample| s.to_int();
        Some(match self.name.as_str() {
            "add" => Sample::Int(int(&s)?.saturating_add(self.operand(ctx)?)),
            "sub" => Sample::Int(int(&s)?.saturating_sub(self.operand(ctx)?)),
            "mul" => Sample::Int(int(&s)?.saturating_mul(self.operand(ctx)?)),
            "div" => {
                let (a, b) = (int(&s)?, self.operand(ctx)?);
                Sample::Int(if b == 0 { i64::MAX } else { a.wrapping_div(b) })
            }
            "mod" => {
                let (a, b) = (int(&s)?, self.operand(ctx)?);
                Sample::Int(if b == 0 { 0 } else { a.wrapping_rem(b) })
            }
            "and" => Sample::Int(int(&s)? & self.operand(ctx)?),
            "or" => Sample::Int(int(&s)? | self.operand(ctx)?),
            "xor" => Sample::Int(int(&s)? ^ self.operand(ctx)?),
            "cpl" => Sample::Int(!int(&s)?),
            "neg" => Sample::Int(int(&s)?.wrapping_neg()),
            "not" => Sample::Bool(int(&s)? == 0),
            "bool" => Sample::Bool(int(&s)? != 0),
            "odd" => Sample::Bool(int(&s)? & 1 == 1),
            "even" => Sample::Bool(int(&s)? & 1 == 0),
            "htonl" => Sample::Bin((int(&s)? as u32).to_be_bytes().to_vec()),
            "length" => Sample::Int(s.to_bytes().len() as i64),
            "lower" => Sample::Str(s.to_text().to_ascii_lowercase()),
            "upper" => Sample::Str(s.to_text().to_ascii_uppercase()),
            "ltrim" => {
                let chars = self.arg(0).unwrap_or("");
                Sample::Str(s.to_text().trim_start_matches(|c| chars.contains(c)).into())
            }
            "rtrim" => {
                let chars = self.arg(0).unwrap_or("");
                Sample::Str(s.to_text().trim_end_matches(|c| chars.contains(c)).into())
            }
            "cut_crlf" => {
                let t = s.to_text();
                Sample::Str(t.split(['\r', '\n']).next().unwrap_or("").to_string())
            }
            "concat" => {
                let mut t = s.to_text();
                t.push_str(self.arg(0).unwrap_or(""));
                t.push_str(&self.var_text(1, ctx).unwrap_or_default());
                t.push_str(self.arg(2).unwrap_or(""));
                Sample::Str(t)
            }
            "add_item" => {
                let mut t = s.to_text();
                let var = self.var_text(1, ctx).unwrap_or_default();
                let suffix = self.arg(2).unwrap_or("");
                let nothing_to_add = var.is_empty() && suffix.is_empty();
                if !t.is_empty() && !nothing_to_add {
                    t.push_str(self.arg(0).unwrap_or(""));
                }
                t.push_str(&var);
                t.push_str(suffix);
                Sample::Str(t)
            }
            "strcmp" => {
                let other = self.var_text(0, ctx)?;
                Sample::Int(match s.to_bytes().as_slice().cmp(other.as_bytes()) {
                    std::cmp::Ordering::Less => -1,
                    std::cmp::Ordering::Equal => 0,
                    std::cmp::Ordering::Greater => 1,
                })
            }
            "iif" => {
                let which = if s.to_bool()? { 0 } else { 1 };
                Sample::str(self.arg(which).unwrap_or(""))
            }
            "field" | "word" => {
                let idx = self.int_arg(0)?;
                let count = self.int_arg(2).unwrap_or(1);
                let delims = self.arg(1).unwrap_or("");
                let t = s.to_text();
                let f = if self.name == "field" {
                    field(&t, idx, delims, count)
                } else {
                    word(&t, idx, delims, count)
                };
                Sample::Str(f?)
            }
            "bytes" => {
                let b = s.to_bytes();
                let off = usize::try_from(self.int_arg(0)?).ok()?;
                let rest = b.get(off..).unwrap_or(&[]);
                let len = self
                    .int_arg(1)
                    .and_then(|l| usize::try_from(l).ok())
                    .unwrap_or(rest.len())
                    .min(rest.len());
                Sample::Bin(rest[..len].to_vec())
            }
            "ipmask" => Sample::Ip(ipmask(s.to_ip()?, self.arg(0)?, self.arg(1))?),
            "host_only" => Sample::Str(split_host(&s.to_text()).0.to_ascii_lowercase()),
            "port_only" => Sample::Int(split_host(&s.to_text()).1),
            "hex2i" => {
                // Digits only (the manual says "zero" on bad input; 2.6
                // fails the conversion, which is what we follow).
                let t = s.to_text();
                if !t.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                let v = t.bytes().fold(0u64, |acc, c| {
                    let d = char::from(c).to_digit(16).unwrap_or(0);
                    acc.wrapping_shl(4) | u64::from(d)
                });
                Sample::Int(v as i64)
            }
            "set-var" => {
                ctx.src.set_var(self.arg(0)?, s.clone());
                s
            }
            "unset-var" => {
                ctx.src.unset_var(self.arg(0)?);
                s
            }
            "crc32" | "crc32c" | "djb2" | "sdbm" | "wt6" | "xxh32" | "xxh64" | "xxh3" | "sha1"
            | "sha2" => conv_hash::apply(&self.name, self.int_arg(0), &s.to_bytes())?,
            _ => conv_more::apply(&self.name, &self.args, s)?,
        })
    }
}

/// `regsub`: replace the first (or every, `all`) match; `\N` in `subst`
/// refers to group N. An empty match replaces in front of the next
/// character, which is then kept, and the end of the string can match too
/// (`abc` with `c|` gives `-a-b--`, as HAProxy).
fn regsub(re: &Regex, input: &str, subst: &str, all: bool) -> String {
    let mut out = String::new();
    let mut pos = 0;
    while pos <= input.len() {
        let Some(caps) = re.captures_at(input, pos) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        out.push_str(&input[pos..m.start()]);
        out.push_str(&expand_refs(subst, &caps));
        // A search that began at the end is the last one.
        if pos >= input.len() {
            break;
        }
        if m.end() == pos {
            // Empty match where the search began: keep that character.
            let next = input[pos..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&input[pos..pos + next]);
            pos += next;
        } else {
            pos = m.end();
        }
        if !all {
            break;
        }
    }
    out.push_str(input.get(pos..).unwrap_or(""));
    out
}

/// `field`: fields separated by any one delimiter character.
fn field(s: &str, idx: i64, delims: &str, count: i64) -> Option<String> {
    let parts: Vec<&str> = s.split(|c| delims.contains(c)).collect();
    select(&parts, idx, count, s)
}

/// `word`: like `field`, but runs of delimiters count as one and leading
/// or trailing delimiters make no empty word.
fn word(s: &str, idx: i64, delims: &str, count: i64) -> Option<String> {
    let parts: Vec<&str> = s
        .split(|c| delims.contains(c))
        .filter(|p| !p.is_empty())
        .collect();
    select(&parts, idx, count, s)
}

/// Pick `count` parts (0: all remaining) from position `idx` (1-based,
/// negative from the end, extending towards the start) and return the
/// original text they span.
fn select(parts: &[&str], idx: i64, count: i64, s: &str) -> Option<String> {
    let n = parts.len() as i64;
    let (first, last) = if idx > 0 {
        let first = idx - 1;
        let last = if count == 0 {
            n - 1
        } else {
            first.saturating_add(count).saturating_sub(1)
        };
        (first, last.min(n - 1))
    } else if idx < 0 {
        let last = n.saturating_add(idx);
        let first = if count == 0 {
            0
        } else {
            last.saturating_sub(count).saturating_add(1)
        };
        (first.max(0), last)
    } else {
        return None;
    };
    if first > last || first >= n || last < 0 {
        return Some(String::new());
    }
    let (first, last) = (usize::try_from(first).ok()?, usize::try_from(last).ok()?);
    let start = offset_in(s, parts[first]);
    let end = offset_in(s, parts[last]) + parts[last].len();
    Some(s.get(start..end)?.to_string())
}

fn offset_in(s: &str, part: &str) -> usize {
    part.as_ptr() as usize - s.as_ptr() as usize
}

fn ipmask(ip: IpAddr, m4: &str, m6: Option<&str>) -> Option<IpAddr> {
    match ip {
        IpAddr::V4(a) => {
            let mask = match m4.parse::<u32>() {
                Ok(0) => 0,
                Ok(n @ 1..=32) => u32::MAX << (32 - n),
                Ok(_) => return None,
                Err(_) => u32::from(m4.parse::<Ipv4Addr>().ok()?),
            };
            Some(IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask)))
        }
        IpAddr::V6(a) => {
            let m6 = m6?;
            let mask = match m6.parse::<u32>() {
                Ok(0) => 0,
                Ok(n @ 1..=128) => u128::MAX << (128 - n),
                Ok(_) => return None,
                Err(_) => u128::from(m6.parse::<Ipv6Addr>().ok()?),
            };
            Some(IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask)))
        }
    }
}

/// Host and port of a Host header value (`host`, `host:80`, `[::1]:80`);
/// port 0 when absent or invalid.
fn split_host(v: &str) -> (&str, i64) {
    if v.starts_with('[') {
        if let Some(end) = v.find(']') {
            let port = v[end + 1..]
                .strip_prefix(':')
                .and_then(|p| leading_int(p.as_bytes()))
                .unwrap_or(0);
            return (&v[..=end], port);
        }
        return (v, 0);
    }
    match v.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().unwrap_or(0)),
        None => (v, 0),
    }
}
