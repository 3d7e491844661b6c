//! ACL matching (manual 7.1) and condition truth tables (7.2).

#[path = "sample/common.rs"]
mod common;

use common::{acl, acl_in, cond};
use harp::config::acl::parse_acl_def;
use harp::sample::{AclSet, MemStore, OwnedRequest};

fn req() -> OwnedRequest {
    OwnedRequest::get(
        "/static/img/logo.PNG?v=2",
        &[
            ("Host", "WWW.Example.com"),
            ("X-Forwarded-For", "10.1.2.3, 192.168.7.7"),
            ("Content-Length", "12"),
        ],
    )
}

#[test]
fn string_matchers_and_acl_keywords() {
    let r = req();
    assert!(acl("path_beg /static /api", &r));
    assert!(!acl("path_beg /api", &r));
    assert!(acl("path_end .PNG", &r));
    assert!(!acl("path_end .png", &r));
    assert!(acl("path_end -i .png", &r));
    assert!(acl("path_sub img/", &r));
    assert!(acl("path_dir img", &r));
    assert!(!acl("path_dir im", &r));
    assert!(acl("hdr_dom(host) -i example.com", &r));
    assert!(!acl("hdr_dom(host) example.com", &r));
    assert!(acl("hdr(host) -i www.example.com", &r));
    assert!(acl("hdr_beg(host) -i www.", &r));
    assert!(acl("path_len 20", &r));
    assert!(acl("path_len gt 10", &r));
    assert!(acl("path_reg ^/static/.*\\.PNG$", &r));
    assert!(acl("path_reg -i ^/STATIC/", &r));
    assert!(acl("url_sub v=2", &r));
    assert!(acl("path -m beg /static", &r));
    assert!(acl("urlp(v) 2", &r));
    assert!(acl("urlp_val(v) 1:3", &r));
    assert!(acl("base_beg WWW.Example.com/static", &r));
    assert!(acl("method GET", &r));
    assert!(!acl("method get", &r));
    // A known method pattern is exact, `-i` only applies to other ones.
    assert!(!acl("method -i get", &r));
    let mut odd = req();
    odd.method = Some("purge".into());
    assert!(acl("method -i PURGE", &odd));
    assert!(!acl("method PURGE", &odd));
    assert!(!acl("method -i get", &odd));
    assert!(acl("req.ver 1.1", &r));
    // `--` ends the flags: "-i" is then a pattern.
    assert!(!acl("path -- -i", &r));
}

#[test]
fn multi_valued_fetches_match_any_value() {
    let r = req();
    assert!(acl("hdr(x-forwarded-for) 192.168.7.7", &r));
    assert!(acl("hdr(x-forwarded-for) 10.1.2.3", &r));
    assert!(acl("hdr_ip(x-forwarded-for) 10.0.0.0/8", &r));
    assert!(acl("req.hdr_ip(x-forwarded-for) 192.168.0.0/16", &r));
    assert!(!acl("hdr_ip(x-forwarded-for) 172.16.0.0/12", &r));
    // An explicit occurrence restricts the ACL to it.
    assert!(!acl("hdr(x-forwarded-for,1) 192.168.7.7", &r));
    assert!(acl("hdr(x-forwarded-for,-1) 192.168.7.7", &r));
}

#[test]
fn integers_found_bool_ip() {
    let r = req();
    assert!(acl("req.hdr_val(content-length) gt 0", &r));
    assert!(acl("req.hdr_val(content-length) 10:20", &r));
    assert!(!acl("req.hdr_val(content-length) lt 0", &r));
    assert!(acl("req.hdr_cnt(host) eq 1", &r));
    assert!(acl("req.hdr_cnt(x-nope) 0", &r));
    assert!(acl("dst_port 80", &r));
    assert!(acl("src 127.0.0.1/8 ::1", &r));
    assert!(!acl("src 10.0.0.0/8", &r));
    assert!(acl("hdr(host) -m found", &r));
    assert!(!acl("hdr(x-nope) -m found", &r));
    assert!(acl("query -m found", &r));
    assert!(acl("always_true", &r));
    assert!(!acl("always_false", &r));
    assert!(acl("req.hdr_cnt(host) -m bool", &r));
    assert!(!acl("req.hdr_cnt(x-nope) -m bool", &r));
    assert!(acl("path,length 20", &r));
    assert!(acl("path_beg,length 20", &r));
    assert!(acl("path,lower -m end .png", &r));
    assert!(acl("str(hello),hex -m str 68656C6C6F", &r));
    assert!(acl("bin(48656c6c6f) -m bin 48656c6c6f", &r));
}

#[test]
fn missing_samples_never_match() {
    let r = req();
    // A fetch returning nothing does not match, even with patterns that
    // would match an empty string; negated, the term is true.
    assert!(!acl("hdr(x-nope) -m len 0", &r));
    assert!(!acl("hdr(x-nope) -m sub ''", &r));
    assert!(!acl("status 200", &r));
    assert!(cond(&["acl no_hdr hdr(x-nope) -m str x"], "if !no_hdr", &r));
    assert!(!cond(&["acl no_hdr hdr(x-nope) -m str x"], "if no_hdr", &r));
    assert!(cond(
        &["acl no_hdr hdr(x-nope) -m str x"],
        "unless no_hdr",
        &r
    ));
}

#[test]
fn pattern_files() {
    let r = req();
    let mut store = MemStore::new();
    store.insert("/etc/paths.lst", "# comment\n/api\n  /static\n");
    store.insert("/etc/nets.lst", "10.0.0.0/8\n127.0.0.0/8\n");
    store.insert("/etc/hosts.map", "www.example.com backend1\n");
    assert!(acl_in("path_beg -f /etc/paths.lst", &r, &store));
    assert!(acl_in("path_beg -f /etc/paths.lst /nope", &r, &store));
    assert!(acl_in("src -f /etc/nets.lst", &r, &store));
    assert!(acl_in("hdr(host) -i -M -f /etc/hosts.map", &r, &store));
    let def = parse_acl_def(&common::words("a path_beg -f /missing.lst"));
    let def = def.unwrap_or_else(|e| panic!("{e}"));
    let err = AclSet::compile(&[def], &store).err();
    assert_eq!(
        err.as_deref(),
        Some("ACL 'a': failed to open pattern file </missing.lst>")
    );
}

#[test]
fn condition_truth_table() {
    let yes = "acl yes always_true";
    let no = "acl no always_false";
    let r = req();
    let table: &[(&str, bool)] = &[
        ("if yes", true),
        ("if no", false),
        ("if !no", true),
        ("if !yes", false),
        ("unless yes", false),
        ("unless no", true),
        ("if yes no", false),
        ("if yes !no", true),
        ("if no || yes", true),
        ("if no or yes", true),
        ("if no || no", false),
        ("if yes no || no yes", false),
        ("if yes no || !no yes", true),
        ("unless yes no || no", true),
        ("if { always_true } no", false),
        ("if !{ always_false }", true),
        ("if TRUE", true),
        ("if FALSE", false),
        ("if !FALSE yes", true),
        ("if METH_GET HTTP_1.1", true),
        ("if METH_POST", false),
        ("if LOCALHOST", true),
        ("if HTTP_URL_SLASH !HTTP_URL_ABS !HTTP_URL_STAR", true),
        ("if HTTP_CONTENT", true),
        ("if HTTP", true),
        ("if", false),
    ];
    for (c, want) in table {
        assert_eq!(cond(&[yes, no], c, &r), *want, "{c}");
    }
}

#[test]
fn acl_lines_with_the_same_name_are_ored() {
    let r = req();
    let lines = [
        "acl static path_beg /nope",
        "acl static path_end .PNG",
        "acl api path_beg /api",
    ];
    assert!(cond(&lines, "if static", &r));
    assert!(!cond(&lines, "if api", &r));
    assert!(!cond(&lines, "if !static", &r));
}

#[test]
fn unknown_named_acl_is_refused_at_compile_time() {
    use harp::config::acl::parse_condition;
    use harp::sample::CompiledCond;
    let store = MemStore::new();
    let set = AclSet::default();
    let c = parse_condition(&common::words("if ghost")).unwrap_or_else(|e| panic!("{e}"));
    let err = CompiledCond::compile(&c, &set, &store).err();
    assert_eq!(err.as_deref(), Some("no such ACL : 'ghost'"));
}

#[test]
fn http_auth_group_matches_group_membership() {
    let mut r = req();
    r.auth_users.insert("L".into(), "alice".into());
    r.groups.push(("L".into(), "alice".into(), "admins".into()));
    assert!(acl("http_auth_group(L) admins ops", &r));
    assert!(!acl("http_auth_group(L) ops", &r));
    assert!(acl("http_auth(L)", &r));
    r.auth_users.clear();
    assert!(!acl("http_auth_group(L) admins", &r));
    assert!(!acl("http_auth(L)", &r));
}

/// A TLS record holding a ClientHello with an SNI extension.
fn client_hello(sni: &str) -> Vec<u8> {
    let name = sni.as_bytes();
    let mut ext = vec![0, 0];
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

#[test]
fn three_state_conditions_wait_for_incomplete_hellos() {
    use harp::config::acl::parse_condition;
    use harp::sample::{CompiledCond, EvalCtx};
    let store = MemStore::new();
    let set = AclSet::default();
    let tri = |c: &str, payload: Option<Vec<u8>>, more: bool| {
        let c = parse_condition(&common::words(c)).unwrap_or_else(|e| panic!("{e}"));
        let c = CompiledCond::compile(&c, &set, &store).unwrap_or_else(|e| panic!("{e}"));
        let r = OwnedRequest {
            payload,
            ..Default::default()
        };
        let ctx = EvalCtx::request(&r);
        let ctx = if more { ctx.with_more_data() } else { ctx };
        (c.eval_tri(&ctx), c.eval(&ctx))
    };
    let hello = client_hello("a.example.org");
    let partial = hello[..hello.len() - 3].to_vec();
    let sni = "if { req.ssl_sni a.example.org }";
    assert_eq!(tri(sni, Some(hello.clone()), true), (Some(true), true));
    assert_eq!(tri(sni, None, true), (None, false));
    assert_eq!(tri(sni, Some(partial.clone()), true), (None, false));
    // Once no more data can come, undecided becomes false.
    assert_eq!(tri(sni, Some(partial.clone()), false), (Some(false), false));
    assert_eq!(
        tri(sni, Some(b"GET / HTTP/1.1\r\n".to_vec()), true),
        (Some(false), false)
    );
    let unless = "unless { req.ssl_sni a.example.org }";
    assert_eq!(tri(unless, None, true), (None, true));
    let negated = "if !{ req.ssl_sni a.example.org }";
    assert_eq!(tri(negated, Some(partial.clone()), true), (None, true));
    // A settled OR branch or a false AND term decides anyway.
    let or_true = "if { req.ssl_sni a.example.org } || TRUE";
    assert_eq!(tri(or_true, None, true), (Some(true), true));
    let and_false = "if { req.ssl_sni a.example.org } FALSE";
    assert_eq!(tri(and_false, None, true), (Some(false), false));
    let hello_type = "if { req.ssl_hello_type 1 }";
    assert_eq!(tri(hello_type, Some(hello), true), (Some(true), true));
    assert_eq!(tri(hello_type, Some(partial), true), (None, false));
}
