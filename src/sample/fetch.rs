//! Sample fetches (manual 7.3.2-7.3.6) and compiled expressions
//! (`fetch(args),conv(args),...`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::conv::CompiledConv;
use super::http;
use super::source::{Direction, EvalCtx};
use super::store::MapStore;
use super::tls;
use super::value::{leading_int, Sample};
use crate::config::acl::SampleExpr;

/// Every fetch this module evaluates; a test keeps it equal to the
/// `Implemented` rows of the support table.
pub const IMPLEMENTED_FETCHES: &[&str] = &[
    "always_false",
    "always_true",
    "base",
    "baseq",
    "be_id",
    "be_name",
    "bin",
    "bool",
    "cook",
    "cook_cnt",
    "cook_val",
    "cookie",
    "dst",
    "dst_port",
    "env",
    "fc_http_major",
    "fe_id",
    "fe_name",
    "hdr",
    "hdr_cnt",
    "hdr_ip",
    "hdr_val",
    "hostname",
    "http_auth",
    "http_auth_group",
    "http_first_req",
    "int",
    "ipv4",
    "ipv6",
    "meth",
    "method",
    "nbsrv",
    "path",
    "pathq",
    "query",
    "req.cook",
    "req.cook_cnt",
    "req.cook_val",
    "req.fhdr",
    "req.fhdr_cnt",
    "req.hdr",
    "req.hdr_cnt",
    "req.hdr_ip",
    "req.hdr_names",
    "req.hdr_val",
    "req.proto_http",
    "req.ssl_hello_type",
    "req.ssl_sni",
    "req.ver",
    "req_proto_http",
    "req_ssl_hello_type",
    "req_ssl_sni",
    "req_ver",
    "res.hdr",
    "res.hdr_cnt",
    "res.hdr_val",
    "res.ver",
    "resp_ver",
    "src",
    "src_port",
    "ssl_fc",
    "ssl_fc_alpn",
    "ssl_fc_sni",
    "status",
    "str",
    "url",
    "url_ip",
    "url_param",
    "url_port",
    "urlp",
    "urlp_val",
    "var",
];

/// A sample expression ready to run.
#[derive(Debug, Clone)]
pub struct CompiledExpr {
    pub fetch: String,
    pub args: Vec<String>,
    pub converters: Vec<CompiledConv>,
}

impl CompiledExpr {
    /// Check the fetch is one harp runs and prepare the converters (regexes
    /// compiled, map files loaded from `store`).
    pub fn compile(expr: &SampleExpr, store: &dyn MapStore) -> Result<Self, String> {
        if !IMPLEMENTED_FETCHES.contains(&expr.fetch.as_str()) {
            return Err(format!("fetch '{}' is not implemented by harp", expr.fetch));
        }
        let converters = expr
            .converters
            .iter()
            .map(|c| CompiledConv::compile(&c.name, &c.args, store))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CompiledExpr {
            fetch: expr.fetch.clone(),
            args: expr.args.clone(),
            converters,
        })
    }

    /// Every value (ACL context: multi-valued fetches give all their
    /// occurrences), each through the converter chain; values a converter
    /// rejects are dropped.
    pub fn eval_all(&self, ctx: &EvalCtx) -> Vec<Sample> {
        self.run(ctx, true)
    }

    /// Whether the fetch could give another answer once more data arrives
    /// (only when `ctx.more_data`).
    pub fn may_change(&self, ctx: &EvalCtx) -> bool {
        ctx.more_data
            && matches!(
                self.fetch.as_str(),
                "req.ssl_sni" | "req_ssl_sni" | "req.ssl_hello_type" | "req_ssl_hello_type"
            )
            && tls::may_change(ctx.src.payload())
    }

    /// The single value a rule or `%[...]` uses (the last occurrence of a
    /// header, the first URL parameter, ...).
    pub fn eval(&self, ctx: &EvalCtx) -> Option<Sample> {
        self.run(ctx, false).into_iter().next()
    }

    fn run(&self, ctx: &EvalCtx, all: bool) -> Vec<Sample> {
        fetch(&self.fetch, &self.args, ctx, all)
            .into_iter()
            .filter_map(|s| self.converters.iter().try_fold(s, |s, c| c.apply(s, ctx)))
            .collect()
    }
}

fn arg(args: &[String], i: usize) -> Option<&str> {
    args.get(i).map(String::as_str).filter(|s| !s.is_empty())
}

fn occ(args: &[String]) -> i64 {
    arg(args, 1)
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn strs(v: Vec<&str>) -> Vec<Sample> {
    v.into_iter().map(Sample::str).collect()
}

fn one(v: Option<Sample>) -> Vec<Sample> {
    v.into_iter().collect()
}

fn int_of(s: &str) -> Sample {
    Sample::Int(leading_int(s.as_bytes()).unwrap_or(0))
}

/// Header values of one side: `full` keeps commas.
fn hdr(ctx: &EvalCtx, res: bool, args: &[String], full: bool, all: bool) -> Vec<Sample> {
    let headers = if res {
        ctx.src.res_headers()
    } else {
        ctx.src.req_headers()
    };
    let values = http::header_values(&headers, arg(args, 0), full);
    strs(http::pick(values, occ(args), all))
}

fn hdr_cnt(ctx: &EvalCtx, res: bool, args: &[String], full: bool) -> Vec<Sample> {
    let headers = if res {
        ctx.src.res_headers()
    } else {
        ctx.src.req_headers()
    };
    let n = http::header_values(&headers, arg(args, 0), full).len();
    vec![Sample::Int(n as i64)]
}

/// Cookies of the request (`Cookie`) or response (`Set-Cookie`). A name
/// picks its last occurrence, no name the first cookie; ACLs see all.
fn cookies(ctx: &EvalCtx, res: bool, args: &[String], all: bool) -> Vec<Sample> {
    let (headers, hname) = if res {
        (ctx.src.res_headers(), "set-cookie")
    } else {
        (ctx.src.req_headers(), "cookie")
    };
    let values = http::header_values(&headers, Some(hname), true);
    let jar = if res {
        http::response_cookies(&values)
    } else {
        http::request_cookies(&values)
    };
    let name = arg(args, 0);
    let found: Vec<&str> = jar
        .iter()
        .filter(|(n, _)| name.is_none_or(|want| want == *n))
        .map(|(_, v)| *v)
        .collect();
    let picked = match (all, name) {
        (true, _) => found,
        (false, Some(_)) => found.last().copied().into_iter().collect(),
        (false, None) => found.first().copied().into_iter().collect(),
    };
    strs(picked)
}

fn cookie_count(ctx: &EvalCtx, args: &[String]) -> Vec<Sample> {
    let headers = ctx.src.req_headers();
    let values = http::header_values(&headers, Some("cookie"), true);
    let name = arg(args, 0);
    let n = http::request_cookies(&values)
        .iter()
        .filter(|(n, _)| name.is_none_or(|want| want == *n))
        .count();
    vec![Sample::Int(n as i64)]
}

fn url_params(ctx: &EvalCtx, args: &[String], all: bool) -> Vec<Sample> {
    let Some(uri) = ctx.src.uri() else {
        return Vec::new();
    };
    let delim = arg(args, 1).and_then(|d| d.chars().next());
    let name = arg(args, 0);
    let found: Vec<&str> = http::url_params(uri, delim)
        .into_iter()
        .filter(|(n, _)| name.is_none_or(|want| want == *n))
        .map(|(_, v)| v)
        .collect();
    if all {
        strs(found)
    } else {
        strs(found.into_iter().take(1).collect())
    }
}

fn base(ctx: &EvalCtx, with_query: bool) -> Option<Sample> {
    let uri = ctx.src.uri()?;
    let p = if with_query {
        http::pathq(uri)?
    } else {
        http::path(uri)?
    };
    let headers = ctx.src.req_headers();
    let host = http::header_values(&headers, Some("host"), true)
        .first()
        .copied()
        .unwrap_or("");
    Some(Sample::Str(format!("{host}{p}")))
}

fn const_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Evaluate one fetch; `all`: ACL context (every occurrence).
pub(crate) fn fetch(name: &str, args: &[String], ctx: &EvalCtx, all: bool) -> Vec<Sample> {
    dispatch(name, args, ctx, all).unwrap_or_default()
}

/// `None` when `name` has no evaluator (a test checks every implemented
/// fetch has one).
fn dispatch(name: &str, args: &[String], ctx: &EvalCtx, all: bool) -> Option<Vec<Sample>> {
    let src = ctx.src;
    let res_dir = ctx.dir == Direction::Response;
    let s = |v: Option<&str>| one(v.map(Sample::str));
    Some(match name {
        "always_false" => vec![Sample::Bool(false)],
        "always_true" => vec![Sample::Bool(true)],
        "base" => one(base(ctx, false)),
        "baseq" => one(base(ctx, true)),
        "be_id" => one(src.be_id().map(Sample::Int)),
        "be_name" => s(src.be_name()),
        "fe_id" => one(src.fe_id().map(Sample::Int)),
        "fe_name" => s(src.fe_name()),
        "bin" => one(arg(args, 0).and_then(hex_decode).map(Sample::Bin)),
        "bool" => one(arg(args, 0).and_then(const_bool).map(Sample::Bool)),
        "int" => one(arg(args, 0)
            .and_then(|a| a.trim().parse().ok())
            .map(Sample::Int)),
        "str" => vec![Sample::str(args.first().cloned().unwrap_or_default())],
        "ipv4" => one(arg(args, 0)
            .and_then(|a| a.parse::<Ipv4Addr>().ok())
            .map(|a| Sample::Ip(IpAddr::V4(a)))),
        "ipv6" => one(arg(args, 0)
            .and_then(|a| a.parse::<Ipv6Addr>().ok())
            .map(|a| Sample::Ip(IpAddr::V6(a)))),
        "meth" => s(arg(args, 0)),
        "method" => s(src.method()),
        "cook" | "req.cook" => cookies(ctx, false, args, all),
        "cookie" => cookies(ctx, res_dir, args, all),
        "cook_cnt" | "req.cook_cnt" => cookie_count(ctx, args),
        "cook_val" | "req.cook_val" => cookies(ctx, false, args, all)
            .iter()
            .map(|c| int_of(&c.to_text()))
            .collect(),
        "src" => one(src.src().map(|a| Sample::Ip(a.ip()))),
        "src_port" => one(src.src().map(|a| Sample::Int(i64::from(a.port())))),
        "dst" => one(src.dst().map(|a| Sample::Ip(a.ip()))),
        "dst_port" => one(src.dst().map(|a| Sample::Int(i64::from(a.port())))),
        "env" => one(arg(args, 0).and_then(|n| src.env(n)).map(Sample::Str)),
        "hostname" => one(src.hostname().map(Sample::Str)),
        "fc_http_major" => one(src.fc_http_major().map(Sample::Int)),
        "http_first_req" => vec![Sample::Bool(src.http_first_req())],
        "hdr" => hdr(ctx, res_dir, args, false, all),
        "req.hdr" => hdr(ctx, false, args, false, all),
        "req.fhdr" => hdr(ctx, false, args, true, all),
        "res.hdr" => hdr(ctx, true, args, false, all),
        "hdr_cnt" | "req.hdr_cnt" => hdr_cnt(ctx, false, args, false),
        "req.fhdr_cnt" => hdr_cnt(ctx, false, args, true),
        "res.hdr_cnt" => hdr_cnt(ctx, true, args, false),
        "hdr_ip" | "req.hdr_ip" => hdr(ctx, false, args, false, all)
            .iter()
            .filter_map(|v| http::header_ip(&v.to_text()).map(Sample::Ip))
            .collect(),
        "hdr_val" | "req.hdr_val" => hdr(ctx, false, args, false, all)
            .iter()
            .map(|v| int_of(&v.to_text()))
            .collect(),
        "res.hdr_val" => hdr(ctx, true, args, false, all)
            .iter()
            .map(|v| int_of(&v.to_text()))
            .collect(),
        "req.hdr_names" => {
            let delim = arg(args, 0).and_then(|d| d.chars().next()).unwrap_or(',');
            // HAProxy stores header names lower-cased and prints them so.
            let names: Vec<String> = src
                .req_headers()
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect();
            vec![Sample::Str(names.join(&delim.to_string()))]
        }
        "http_auth" => {
            let ok = arg(args, 0).and_then(|l| src.http_auth_user(l)).is_some();
            vec![Sample::Bool(ok)]
        }
        "http_auth_group" => one(arg(args, 0)
            .and_then(|l| src.http_auth_user(l))
            .map(Sample::Str)),
        "nbsrv" => one(src.nbsrv(arg(args, 0)).map(Sample::Int)),
        "path" => s(src.uri().and_then(http::path)),
        "pathq" => s(src.uri().and_then(http::pathq)),
        "query" => s(src.uri().and_then(http::query)),
        "url" => s(src.uri()),
        "url_ip" => one(src
            .uri()
            .and_then(http::url_addr)
            .map(|(ip, _)| Sample::Ip(ip))),
        "url_port" => one(src
            .uri()
            .and_then(http::url_addr)
            .map(|(_, p)| Sample::Int(i64::from(p)))),
        "urlp" | "url_param" => url_params(ctx, args, all),
        "urlp_val" => url_params(ctx, args, all)
            .iter()
            .map(|v| int_of(&v.to_text()))
            .collect(),
        "req.proto_http" | "req_proto_http" => vec![Sample::Bool(src.method().is_some())],
        "req.ver" | "req_ver" => s(src.req_version()),
        "res.ver" | "resp_ver" => s(src.res_version()),
        "req.ssl_hello_type" | "req_ssl_hello_type" => {
            one(src.payload().and_then(tls::hello_type).map(Sample::Int))
        }
        "req.ssl_sni" | "req_ssl_sni" => one(src
            .payload()
            .and_then(tls::client_hello_sni)
            .map(Sample::Str)),
        "ssl_fc" => vec![Sample::Bool(src.ssl_fc())],
        "ssl_fc_sni" => s(src.ssl_fc_sni()),
        "ssl_fc_alpn" => s(src.ssl_fc_alpn()),
        "status" => one(src.status().map(|c| Sample::Int(i64::from(c)))),
        "var" => {
            let v = arg(args, 0).and_then(|n| src.var(n));
            one(v.or_else(|| args.get(1).map(|d| Sample::str(d.clone()))))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::OwnedRequest;

    #[test]
    fn every_listed_fetch_is_dispatched() {
        let r = OwnedRequest::default();
        let ctx = EvalCtx::request(&r);
        for name in IMPLEMENTED_FETCHES {
            assert!(dispatch(name, &[], &ctx, true).is_some(), "{name}");
        }
        assert!(dispatch("no_such_fetch", &[], &ctx, true).is_none());
    }
}
