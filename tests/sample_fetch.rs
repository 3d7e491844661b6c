//! Fetch evaluation with exact values (manual 7.3.2-7.3.6).

#[path = "sample/common.rs"]
mod common;

use std::collections::HashSet;

use common::{eval, eval_all};
use harp::config::support::{fetch, Status};
use harp::sample::{OwnedRequest, Sample, IMPLEMENTED_FETCHES};

fn req() -> OwnedRequest {
    OwnedRequest::get(
        "/a/b.html?x=1&y=two;z=3&x=4",
        &[
            ("Host", "www.example.com:8080"),
            ("X-Forwarded-For", "10.0.0.1, 10.0.0.2"),
            ("x-forwarded-for", "[2001:db8::1]:443"),
            ("User-Agent", "curl/8, like nothing"),
            ("Cookie", "a=1; SID=abc ; a=2"),
            ("Cookie", "b=x"),
            ("Content-Length", "12"),
        ],
    )
}

#[test]
fn every_implemented_fetch_has_an_evaluator() {
    let table: HashSet<&str> = fetch::TABLE
        .iter()
        .filter(|e| e.status == Status::Implemented)
        .map(|e| e.keyword)
        .collect();
    let ours: HashSet<&str> = IMPLEMENTED_FETCHES.iter().copied().collect();
    let missing: Vec<_> = table.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "implemented in the table but not evaluated: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "evaluated but not marked implemented: {extra:?}"
    );
}

#[test]
fn url_parts() {
    let r = req();
    assert_eq!(eval("path", &r).as_deref(), Some("/a/b.html"));
    assert_eq!(
        eval("pathq", &r).as_deref(),
        Some("/a/b.html?x=1&y=two;z=3&x=4")
    );
    assert_eq!(eval("query", &r).as_deref(), Some("x=1&y=two;z=3&x=4"));
    assert_eq!(
        eval("url", &r).as_deref(),
        Some("/a/b.html?x=1&y=two;z=3&x=4")
    );
    assert_eq!(
        eval("base", &r).as_deref(),
        Some("www.example.com:8080/a/b.html")
    );
    assert_eq!(
        eval("baseq", &r).as_deref(),
        Some("www.example.com:8080/a/b.html?x=1&y=two;z=3&x=4")
    );
    assert_eq!(eval("urlp(x)", &r).as_deref(), Some("1"));
    assert_eq!(eval("url_param(z)", &r).as_deref(), Some("3"));
    assert_eq!(eval("urlp", &r).as_deref(), Some("1"));
    assert_eq!(eval("urlp_val(z)", &r).as_deref(), Some("3"));
    assert_eq!(eval("urlp(nope)", &r), None);
    assert_eq!(eval_all("urlp(x)", &r), vec!["1", "4"]);
    assert_eq!(eval("url_ip", &r), None);
    let abs = OwnedRequest::get("http://192.168.0.9:81/p?q", &[]);
    assert_eq!(eval("path", &abs).as_deref(), Some("/p"));
    assert_eq!(eval("pathq", &abs).as_deref(), Some("/p?q"));
    assert_eq!(eval("url_ip", &abs).as_deref(), Some("192.168.0.9"));
    assert_eq!(eval("url_port", &abs).as_deref(), Some("81"));
    let star = OwnedRequest::get("*", &[]);
    assert_eq!(eval("path", &star), None);
    assert_eq!(eval("url", &star).as_deref(), Some("*"));
}

#[test]
fn headers() {
    let r = req();
    // Last value outside ACLs, every value in ACLs.
    assert_eq!(
        eval("req.hdr(x-forwarded-for)", &r).as_deref(),
        Some("[2001:db8::1]:443")
    );
    assert_eq!(
        eval("hdr(x-forwarded-for,1)", &r).as_deref(),
        Some("10.0.0.1")
    );
    assert_eq!(
        eval("hdr(x-forwarded-for,-2)", &r).as_deref(),
        Some("10.0.0.2")
    );
    assert_eq!(eval("hdr(x-forwarded-for,9)", &r), None);
    assert_eq!(
        eval_all("req.hdr(X-Forwarded-For)", &r),
        vec!["10.0.0.1", "10.0.0.2", "[2001:db8::1]:443"]
    );
    assert_eq!(
        eval("req.fhdr(user-agent)", &r).as_deref(),
        Some("curl/8, like nothing")
    );
    assert_eq!(
        eval("req.hdr(user-agent)", &r).as_deref(),
        Some("like nothing")
    );
    assert_eq!(
        eval("req.hdr_cnt(x-forwarded-for)", &r).as_deref(),
        Some("3")
    );
    assert_eq!(eval("hdr_cnt(cookie)", &r).as_deref(), Some("2"));
    assert_eq!(
        eval("req.fhdr_cnt(x-forwarded-for)", &r).as_deref(),
        Some("2")
    );
    assert_eq!(eval("req.fhdr_cnt", &r).as_deref(), Some("7"));
    assert_eq!(eval("req.hdr_cnt(nope)", &r).as_deref(), Some("0"));
    assert_eq!(
        eval("req.hdr_ip(x-forwarded-for,1)", &r).as_deref(),
        Some("10.0.0.1")
    );
    // HAProxy 2.6 reads no bracketed IPv6 form.
    assert_eq!(eval("hdr_ip(x-forwarded-for)", &r), None);
    assert_eq!(
        eval(
            "hdr_ip(x-ip)",
            &OwnedRequest::get("/", &[("x-ip", "2001:db8::1")])
        )
        .as_deref(),
        Some("2001:db8::1")
    );
    assert_eq!(
        eval("req.hdr_val(content-length)", &r).as_deref(),
        Some("12")
    );
    assert_eq!(
        eval("req.hdr_names", &r).as_deref(),
        Some("host,x-forwarded-for,x-forwarded-for,user-agent,cookie,cookie,content-length")
    );
    assert_eq!(
        eval(
            "req.hdr_names(;)",
            &OwnedRequest::get("/", &[("a", "1"), ("b", "2")])
        )
        .as_deref(),
        Some("a;b")
    );
    assert_eq!(eval("hdr(nope)", &r), None);
}

#[test]
fn cookies() {
    let r = req();
    assert_eq!(eval("req.cook(a)", &r).as_deref(), Some("2"));
    assert_eq!(eval("cook(SID)", &r).as_deref(), Some("abc"));
    assert_eq!(eval("req.cook", &r).as_deref(), Some("1"));
    assert_eq!(eval("req.cook(sid)", &r), None);
    assert_eq!(eval_all("req.cook(a)", &r), vec!["1", "2"]);
    assert_eq!(eval("req.cook_cnt(a)", &r).as_deref(), Some("2"));
    assert_eq!(eval("cook_cnt", &r).as_deref(), Some("4"));
    assert_eq!(eval("req.cook_val(a)", &r).as_deref(), Some("2"));
    assert_eq!(eval("cookie(b)", &r).as_deref(), Some("x"));
}

#[test]
fn connection_and_constants() {
    let mut r = req();
    assert_eq!(eval("src", &r).as_deref(), Some("127.0.0.1"));
    assert_eq!(eval("src_port", &r).as_deref(), Some("40000"));
    assert_eq!(eval("dst", &r).as_deref(), Some("127.0.0.1"));
    assert_eq!(eval("dst_port", &r).as_deref(), Some("80"));
    assert_eq!(eval("method", &r).as_deref(), Some("GET"));
    assert_eq!(eval("req.ver", &r).as_deref(), Some("1.1"));
    assert_eq!(eval("req_ver", &r).as_deref(), Some("1.1"));
    assert_eq!(eval("fc_http_major", &r).as_deref(), Some("1"));
    assert_eq!(eval("req.proto_http", &r).as_deref(), Some("1"));
    assert_eq!(eval("http_first_req", &r).as_deref(), Some("1"));
    assert_eq!(eval("always_true", &r).as_deref(), Some("1"));
    assert_eq!(eval("always_false", &r).as_deref(), Some("0"));
    assert_eq!(eval("int(-42)", &r).as_deref(), Some("-42"));
    assert_eq!(eval("str(hello)", &r).as_deref(), Some("hello"));
    assert_eq!(eval("bool(true)", &r).as_deref(), Some("1"));
    assert_eq!(eval("bin(4142)", &r).as_deref(), Some("AB"));
    assert_eq!(eval("ipv4(10.1.2.3)", &r).as_deref(), Some("10.1.2.3"));
    assert_eq!(eval("ipv6(::1)", &r).as_deref(), Some("::1"));
    assert_eq!(eval("meth(PUT)", &r).as_deref(), Some("PUT"));
    assert_eq!(eval("ssl_fc", &r).as_deref(), Some("0"));
    assert_eq!(eval("ssl_fc_sni", &r), None);
    assert_eq!(eval("status", &r), None);
    assert_eq!(eval("nbsrv", &r), None);
    assert_eq!(eval("be_name", &r), None);
    r.ssl = true;
    r.sni = Some("www.example.com".into());
    r.alpn = Some("h2".into());
    r.status = Some(503);
    r.res_version = Some("1.1".into());
    r.res_headers = vec![
        ("Set-Cookie".into(), "SRV=s1; Path=/".into()),
        ("Cache-Control".into(), "no-cache, max-age=5".into()),
    ];
    r.servers.insert("app".into(), 3);
    r.servers.insert(String::new(), 1);
    r.fe = Some(("www".into(), 1));
    r.be = Some(("app".into(), 2));
    r.env.insert("ZONE".into(), "eu".into());
    r.vars
        .borrow_mut()
        .insert("txn.user".into(), Sample::str("bob"));
    assert_eq!(eval("ssl_fc", &r).as_deref(), Some("1"));
    assert_eq!(eval("ssl_fc_sni", &r).as_deref(), Some("www.example.com"));
    assert_eq!(eval("ssl_fc_alpn", &r).as_deref(), Some("h2"));
    assert_eq!(eval("status", &r).as_deref(), Some("503"));
    assert_eq!(eval("res.ver", &r).as_deref(), Some("1.1"));
    assert_eq!(
        eval("res.hdr(cache-control)", &r).as_deref(),
        Some("max-age=5")
    );
    assert_eq!(eval("res.hdr_cnt(cache-control)", &r).as_deref(), Some("2"));
    assert_eq!(
        eval("res.hdr_val(cache-control,1)", &r).as_deref(),
        Some("0")
    );
    assert_eq!(eval("nbsrv(app)", &r).as_deref(), Some("3"));
    assert_eq!(eval("nbsrv", &r).as_deref(), Some("1"));
    assert_eq!(eval("fe_name", &r).as_deref(), Some("www"));
    assert_eq!(eval("fe_id", &r).as_deref(), Some("1"));
    assert_eq!(eval("be_name", &r).as_deref(), Some("app"));
    assert_eq!(eval("be_id", &r).as_deref(), Some("2"));
    assert_eq!(eval("env(ZONE)", &r).as_deref(), Some("eu"));
    assert_eq!(eval("var(txn.user)", &r).as_deref(), Some("bob"));
    assert_eq!(eval("var(txn.none)", &r), None);
    assert_eq!(eval("var(txn.none,dflt)", &r).as_deref(), Some("dflt"));
}

#[test]
fn response_direction_for_hdr_and_cookie() {
    use harp::config::acl::parse_sample_expr;
    use harp::sample::{CompiledExpr, EvalCtx, MemStore};
    let mut r = req();
    r.res_headers = vec![("Set-Cookie".into(), "SRV=s1; Path=/".into())];
    let run = |e: &str, r: &OwnedRequest| {
        let e = parse_sample_expr(e).unwrap_or_else(|e| panic!("{e}"));
        let c = CompiledExpr::compile(&e, &MemStore::new()).unwrap_or_else(|e| panic!("{e}"));
        c.eval(&EvalCtx::response(r)).map(|s| s.to_text())
    };
    assert_eq!(run("cookie(SRV)", &r).as_deref(), Some("s1"));
    assert_eq!(
        run("hdr(set-cookie)", &r).as_deref(),
        Some("SRV=s1; Path=/")
    );
    assert_eq!(
        run("req.hdr(host)", &r).as_deref(),
        Some("www.example.com:8080")
    );
}

#[test]
fn tls_client_hello_in_payload() {
    let mut r = OwnedRequest {
        payload: Some(client_hello("secure.example.org")),
        ..Default::default()
    };
    assert_eq!(
        eval("req.ssl_sni", &r).as_deref(),
        Some("secure.example.org")
    );
    assert_eq!(
        eval("req_ssl_sni", &r).as_deref(),
        Some("secure.example.org")
    );
    assert_eq!(eval("req.ssl_hello_type", &r).as_deref(), Some("1"));
    assert_eq!(eval("req.proto_http", &r).as_deref(), Some("0"));
    r.payload = Some(b"GET / HTTP/1.1\r\n".to_vec());
    assert_eq!(eval("req.ssl_sni", &r), None);
    assert_eq!(eval("req_ssl_hello_type", &r), None);
}

#[test]
fn http_auth_fetches() {
    let mut r = req();
    assert_eq!(eval("http_auth(users)", &r).as_deref(), Some("0"));
    r.auth_users.insert("users".into(), "alice".into());
    assert_eq!(eval("http_auth(users)", &r).as_deref(), Some("1"));
    assert_eq!(eval("http_auth_group(users)", &r).as_deref(), Some("alice"));
}

/// A TLS 1.2 record holding a ClientHello with an SNI extension.
fn client_hello(sni: &str) -> Vec<u8> {
    let name = sni.as_bytes();
    let mut ext = Vec::new();
    ext.extend_from_slice(&[0, 0]);
    ext.extend_from_slice(&((name.len() + 5) as u16).to_be_bytes());
    ext.extend_from_slice(&((name.len() + 3) as u16).to_be_bytes());
    ext.push(0);
    ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
    ext.extend_from_slice(name);
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x11; 32]);
    body.extend_from_slice(&[0, 0, 2, 0xc0, 0x2f, 1, 0]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut hs = vec![1, 0];
    hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 3, 1];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}
