//! Converters with exact values (manual 7.3.1), maps, and log-format
//! rendering.

#[path = "sample/common.rs"]
mod common;

use std::collections::HashSet;

use common::{eval, eval_in};
use harp::config::acl::parse_sample_expr;
use harp::config::logformat::parse_log_format;
use harp::config::support::{converter, Status};
use harp::sample::{
    CompiledExpr, CompiledLogFormat, EvalCtx, LogVarHook, MemStore, NoLogVars, OwnedRequest,
    Sample, IMPLEMENTED_CONVERTERS,
};

fn req() -> OwnedRequest {
    OwnedRequest::get("/a/b?x=1", &[("Host", "WWW.Example.com:8080")])
}

fn ev(e: &str) -> Option<String> {
    eval(e, &req())
}

fn compile_err(e: &str, store: &MemStore) -> Option<String> {
    let parsed = parse_sample_expr(e).unwrap_or_else(|err| panic!("{e}: {err}"));
    CompiledExpr::compile(&parsed, store).err()
}

#[test]
fn every_implemented_converter_has_an_evaluator() {
    let table: HashSet<&str> = converter::TABLE
        .iter()
        .filter(|e| e.status == Status::Implemented)
        .map(|e| e.keyword)
        .collect();
    let ours: HashSet<&str> = IMPLEMENTED_CONVERTERS.iter().copied().collect();
    let missing: Vec<_> = table.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&table).collect();
    assert!(missing.is_empty(), "not evaluated: {missing:?}");
    assert!(extra.is_empty(), "not marked implemented: {extra:?}");
    // Each one runs and yields a value on a suitable input.
    let mut store = MemStore::new();
    for (key, kind) in [("1", "k"), ("10.0.0.1", "ipk")] {
        for (out, value) in [("str", "x"), ("int", "5"), ("ip", "10.0.0.2")] {
            store.insert(format!("/{kind}_{out}"), format!("{key} {value}\n"));
        }
    }
    let r = req();
    r.vars.borrow_mut().insert("txn.v".into(), Sample::str("1"));
    for name in IMPLEMENTED_CONVERTERS {
        let parts: Vec<&str> = name.split('_').collect();
        let ip_key = parts.get(1) == Some(&"ip");
        let out = match parts.get(2) {
            Some(o) => o,
            None => "str",
        };
        let map_file = format!("(/{}_{out})", if ip_key { "ipk" } else { "k" });
        let args = match *name {
            n if n.starts_with("map") => map_file.as_str(),
            "regsub" => "(1,2)",
            "field" | "word" => "(1,/)",
            "bytes" => "(0)",
            "ipmask" => "(24)",
            "iif" => "(a,b)",
            "ltime" | "utime" => "(%Y)",
            "add" | "sub" | "mul" | "div" | "mod" | "and" | "or" | "xor" => "(2)",
            "add_item" | "concat" => "(-,txn.v)",
            "strcmp" | "set-var" | "unset-var" => "(txn.v)",
            "ltrim" | "rtrim" => "(/)",
            _ => "",
        };
        let input = match *name {
            n if n.starts_with("map") && ip_key => "ipv4(10.0.0.1)",
            "ipmask" => "ipv4(10.0.0.1)",
            "b64dec" => "str(MQ==)",
            "ub64dec" => "str(MQ)",
            _ => "str(1)",
        };
        let e = format!("{input},{name}{args}");
        assert_eq!(compile_err(&e, &store), None, "{e}");
        assert!(eval_in(&e, &r, &store).is_some(), "{e} gave no value");
    }
}

#[test]
fn strings() {
    assert_eq!(
        ev("hdr(host),lower").as_deref(),
        Some("www.example.com:8080")
    );
    assert_eq!(
        ev("hdr(host),upper").as_deref(),
        Some("WWW.EXAMPLE.COM:8080")
    );
    assert_eq!(
        ev("hdr(host),host_only").as_deref(),
        Some("www.example.com")
    );
    assert_eq!(ev("hdr(host),port_only").as_deref(), Some("8080"));
    assert_eq!(ev("str([::1]:81),host_only").as_deref(), Some("[::1]"));
    assert_eq!(ev("str([::1]:81),port_only").as_deref(), Some("81"));
    assert_eq!(ev("str(h),port_only").as_deref(), Some("0"));
    assert_eq!(ev("path,length").as_deref(), Some("4"));
    assert_eq!(ev("str(--x--),ltrim(-)").as_deref(), Some("x--"));
    assert_eq!(ev("str(--x--),rtrim(-)").as_deref(), Some("--x"));
    assert_eq!(ev("str(ab),concat(<,txn.none,>)").as_deref(), Some("ab<>"));
    assert_eq!(
        ev("str(ab),add_item(/,txn.none,s)").as_deref(),
        Some("ab/s")
    );
    assert_eq!(ev("str(),add_item(/,txn.none,s)").as_deref(), Some("s"));
    assert_eq!(ev("str(ab),add_item(/,txn.none)").as_deref(), Some("ab"));
    assert_eq!(ev("bool(1),iif(on,off)").as_deref(), Some("on"));
    assert_eq!(ev("int(0),iif(on,off)").as_deref(), Some("off"));
    assert_eq!(ev("str(a b),url_enc").as_deref(), Some("a%20b"));
    assert_eq!(ev("str(a%20b+c),url_dec").as_deref(), Some("a b+c"));
    assert_eq!(ev("str(a%20b+c),url_dec(1)").as_deref(), Some("a b c"));
    assert_eq!(ev("str(a/b),json").as_deref(), Some("a\\/b"));
}

#[test]
fn field_and_word_follow_the_manual() {
    let f = |e: &str| ev(&format!("str(f1_f2_f3__f5),{e}"));
    assert_eq!(f("field(5,_)").as_deref(), Some("f5"));
    assert_eq!(f("field(2,_,0)").as_deref(), Some("f2_f3__f5"));
    assert_eq!(f("field(2,_,2)").as_deref(), Some("f2_f3"));
    assert_eq!(f("field(-2,_,3)").as_deref(), Some("f2_f3_"));
    assert_eq!(f("field(-3,_,0)").as_deref(), Some("f1_f2_f3"));
    assert_eq!(f("word(4,_)").as_deref(), Some("f5"));
    assert_eq!(f("word(2,_,0)").as_deref(), Some("f2_f3__f5"));
    assert_eq!(f("word(3,_,2)").as_deref(), Some("f3__f5"));
    assert_eq!(f("word(-2,_,3)").as_deref(), Some("f1_f2_f3"));
    assert_eq!(f("word(-3,_,0)").as_deref(), Some("f1_f2"));
    assert_eq!(ev("str(/f1/f2/f3/f4),word(1,/)").as_deref(), Some("f1"));
    assert_eq!(f("field(9,_)").as_deref(), Some(""));
}

#[test]
fn arithmetic_and_variables() {
    let r = req();
    r.vars.borrow_mut().insert("txn.n".into(), Sample::Int(4));
    r.vars
        .borrow_mut()
        .insert("txn.s".into(), Sample::str("abc"));
    assert_eq!(eval("int(10),add(txn.n)", &r).as_deref(), Some("14"));
    assert_eq!(eval("int(10),sub(3),mul(-2)", &r).as_deref(), Some("-14"));
    assert_eq!(eval("int(10),div(txn.n)", &r).as_deref(), Some("2"));
    assert_eq!(
        eval("int(10),div(0)", &r).as_deref(),
        Some("9223372036854775807")
    );
    assert_eq!(eval("int(10),mod(txn.n)", &r).as_deref(), Some("2"));
    assert_eq!(eval("int(10),mod(0)", &r).as_deref(), Some("0"));
    assert_eq!(eval("int(10),add(txn.missing)", &r), None);
    assert_eq!(
        eval("int(12),and(10),or(1),xor(2)", &r).as_deref(),
        Some("11")
    );
    assert_eq!(eval("int(1),cpl", &r).as_deref(), Some("-2"));
    assert_eq!(eval("int(1),neg", &r).as_deref(), Some("-1"));
    assert_eq!(eval("int(3),odd", &r).as_deref(), Some("1"));
    assert_eq!(eval("int(3),even", &r).as_deref(), Some("0"));
    assert_eq!(eval("int(0),not", &r).as_deref(), Some("1"));
    assert_eq!(eval("int(2),bool", &r).as_deref(), Some("1"));
    assert_eq!(eval("str(abc),strcmp(txn.s)", &r).as_deref(), Some("0"));
    assert_eq!(eval("str(abd),strcmp(txn.s)", &r).as_deref(), Some("1"));
    assert_eq!(eval("str(ab),strcmp(txn.s)", &r).as_deref(), Some("-1"));
    assert_eq!(
        eval("str(ab),concat(-,txn.s,!)", &r).as_deref(),
        Some("ab-abc!")
    );
    assert_eq!(eval("str(v),set-var(txn.new)", &r).as_deref(), Some("v"));
    assert_eq!(eval("var(txn.new)", &r).as_deref(), Some("v"));
    assert_eq!(eval("str(x),unset-var(txn.new)", &r).as_deref(), Some("x"));
    assert_eq!(eval("var(txn.new)", &r), None);
}

#[test]
fn encodings_and_hashes() {
    assert_eq!(ev("str(hello),base64").as_deref(), Some("aGVsbG8="));
    assert_eq!(ev("str(aGVsbG8=),b64dec").as_deref(), Some("hello"));
    assert_eq!(ev("str(a*b),b64dec"), None);
    assert_eq!(ev("str(hi?>),ub64enc").as_deref(), Some("aGk_Pg"));
    assert_eq!(ev("str(aGk_Pg),ub64dec").as_deref(), Some("hi?>"));
    assert_eq!(ev("str(AB),hex").as_deref(), Some("4142"));
    assert_eq!(ev("str(ff),hex2i").as_deref(), Some("255"));
    assert_eq!(ev("str(zz),hex2i"), None);
    assert_eq!(ev("str(YWJ),b64dec"), None);
    assert_eq!(ev("str(a%4),url_dec"), None);
    assert_eq!(ev("str(x12),add(1)").as_deref(), Some("1"));
    assert_eq!(ev("str(abc),regsub(c|,-,g)").as_deref(), Some("-a-b--"));
    assert_eq!(ev("int(258),htonl,hex").as_deref(), Some("00000102"));
    assert_eq!(ev("str(abcdef),bytes(2,3)").as_deref(), Some("cde"));
    assert_eq!(ev("str(abcdef),bytes(4)").as_deref(), Some("ef"));
    assert_eq!(ev("str(abcdef),bytes(9)").as_deref(), Some(""));
    assert_eq!(
        ev("str(abc),sha1,hex").as_deref(),
        Some("A9993E364706816ABA3E25717850C26C9CD0D89D")
    );
    assert_eq!(
        ev("str(abc),sha2,hex").as_deref(),
        Some("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")
    );
    assert_eq!(ev("str(123456789),crc32").as_deref(), Some("3421780262"));
    assert_eq!(ev("str(123456789),crc32c").as_deref(), Some("3808858755"));
    // Values HAProxy 2.6 prints for these inputs.
    assert_eq!(ev("str(abc),wt6").as_deref(), Some("2483038440"));
    assert_eq!(ev("str(abc),djb2").as_deref(), Some("193485963"));
    assert_eq!(ev("str(abc),sdbm").as_deref(), Some("807794786"));
    assert_eq!(ev("str(abc),xxh3").as_deref(), Some("8696274497037089104"));
    assert_eq!(ev("str(abc),xxh32").as_deref(), Some("852579327"));
    assert_eq!(ev("str(abc),xxh64").as_deref(), Some("4952883123889572249"));
    assert_eq!(ev("str(abc),crc32").as_deref(), Some("891568578"));
    assert_eq!(ev("str(abc),crc32c").as_deref(), Some("910901175"));
    assert_eq!(ev("str(abc),wt6(1)").as_deref(), Some("266135527"));
}

#[test]
fn addresses_and_dates() {
    assert_eq!(ev("src,ipmask(8)").as_deref(), Some("127.0.0.0"));
    assert_eq!(ev("src,ipmask(255.255.0.0)").as_deref(), Some("127.0.0.0"));
    assert_eq!(ev("ipv6(2001:db8::1),ipmask(8)"), None);
    assert_eq!(
        ev("ipv6(2001:db8::1),ipmask(8,32)").as_deref(),
        Some("2001:db8::")
    );
    assert_eq!(
        ev("int(1404999830),http_date").as_deref(),
        Some("Thu, 10 Jul 2014 13:43:50 GMT")
    );
    assert_eq!(
        ev("int(1404999830000),http_date(1000,ms)").as_deref(),
        Some("Thu, 10 Jul 2014 13:43:51 GMT")
    );
    assert_eq!(
        ev("int(1404999830),utime(%Y-%m-%d %H:%M:%S,60)").as_deref(),
        Some("2014-07-10 13:44:50")
    );
}

#[test]
fn regsub() {
    assert_eq!(
        ev("str(/a//b///c),regsub(/+,/,g)").as_deref(),
        Some("/a/b/c")
    );
    assert_eq!(ev("str(/a//b),regsub(/+,_)").as_deref(), Some("_a//b"));
    assert_eq!(ev("str(FooBar),regsub(o+,0,gi)").as_deref(), Some("F0Bar"));
    assert_eq!(
        ev("str(foo12),regsub('(foo|bar)([0-9]+)','\\\\2\\\\1')").as_deref(),
        Some("12foo")
    );
    assert_eq!(
        compile_err("str(x),regsub('(a',b)", &MemStore::new())
            .map(|e| e.starts_with("regex '(a' is invalid")),
        Some(true)
    );
}

fn maps() -> MemStore {
    let mut s = MemStore::new();
    s.insert(
        "/m/hosts",
        "www.example.com be_www\n# c\napi.example.org be_api\n",
    );
    s.insert("/m/paths", "/api api\n/a root_a\n");
    s.insert(
        "/m/nets",
        "10.0.0.0/8 ten\n127.0.0.0/8 loop\n127.0.0.1 me\n",
    );
    s.insert("/m/re", "^/([a-z])/([a-z]) \\2-\\1\n");
    s.insert("/m/ints", "1:5 small\n6: big\n");
    s.insert("/m/outint", "www.example.com 42\n");
    s.insert("/m/bad_int", "k notanumber\n");
    s
}

#[test]
fn map_lookups() {
    let store = maps();
    let r = req();
    let m = |e: &str| eval_in(e, &r, &store).map(|s| s.to_text());
    assert_eq!(
        m("hdr(host),host_only,map(/m/hosts)").as_deref(),
        Some("be_www")
    );
    assert_eq!(m("hdr(host),map(/m/hosts)"), None);
    assert_eq!(m("hdr(host),map(/m/hosts,dflt)").as_deref(), Some("dflt"));
    assert_eq!(m("path,map_beg(/m/paths)").as_deref(), Some("root_a"));
    assert_eq!(m("src,map_ip(/m/nets)").as_deref(), Some("me"));
    assert_eq!(
        m("ipv4(127.2.0.1),map_ip(/m/nets)").as_deref(),
        Some("loop")
    );
    assert_eq!(m("path,map_reg(/m/re)").as_deref(), Some("\\2-\\1"));
    assert_eq!(m("path,map_regm(/m/re)").as_deref(), Some("b-a"));
    assert_eq!(m("int(3),map_int(/m/ints)").as_deref(), Some("small"));
    assert_eq!(m("int(9),map_int(/m/ints)").as_deref(), Some("big"));
    assert_eq!(
        eval_in("hdr(host),host_only,map_str_int(/m/outint)", &r, &store),
        Some(Sample::Int(42))
    );
    assert_eq!(
        compile_err("str(x),map(/m/none)", &store).as_deref(),
        Some("invalid args in converter 'map' : failed to open pattern file </m/none>")
    );
    assert!(compile_err("str(x),map_str_int(/m/bad_int)", &store).is_some());
}

struct Vars;

impl LogVarHook for Vars {
    fn render_var(&self, name: &str, flags: &[String]) -> Option<String> {
        Some(format!("<{name}{}>", flags.join(",")))
    }
}

#[test]
fn log_format_rendering() {
    let r = req();
    let ctx = EvalCtx::request(&r);
    let render = |f: &str, hook: &dyn LogVarHook| {
        let lf = parse_log_format(f).unwrap_or_else(|e| panic!("{e}"));
        let c = CompiledLogFormat::compile(&lf, &MemStore::new()).unwrap_or_else(|e| panic!("{e}"));
        c.render(&ctx, hook)
    };
    assert_eq!(
        render(
            "be_%[hdr(host),host_only,field(1,.)] %ci %{+Q}r 100%%",
            &Vars
        ),
        "be_www <ci> <r+Q> 100%"
    );
    assert_eq!(render("[%[hdr(x-none)]] %ci", &NoLogVars), "[] ");
    assert_eq!(render("%[src]:%[src_port]", &NoLogVars), "127.0.0.1:40000");
    let lf = parse_log_format("static").unwrap_or_else(|e| panic!("{e}"));
    let c = CompiledLogFormat::compile(&lf, &MemStore::new()).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.is_constant());
}

#[test]
fn extreme_arguments_do_not_panic() {
    let f = |e: &str| ev(&format!("str(a_b_c),{e}"));
    assert_eq!(
        f("field(9223372036854775807,_,9223372036854775807)").as_deref(),
        Some("")
    );
    assert_eq!(
        f("field(-9223372036854775808,_,-9223372036854775808)").as_deref(),
        Some("")
    );
    assert_eq!(f("word(2,_,-1)").as_deref(), Some(""));
    assert_eq!(
        f("bytes(9223372036854775807,9223372036854775807)").as_deref(),
        Some("")
    );
    assert_eq!(
        ev("int(-9223372036854775808),div(-1)").as_deref(),
        Some("-9223372036854775808")
    );
    assert_eq!(
        ev("int(9223372036854775807),add(1)").as_deref(),
        Some("9223372036854775807")
    );
    assert_eq!(ev("int(9223372036854775807),http_date(1)"), None);
    assert_eq!(
        ev("int(-9223372036854775808),neg").as_deref(),
        Some("-9223372036854775808")
    );
    assert_eq!(ev("hdr(host,-9223372036854775808)"), None);
    assert_eq!(ev("hdr(host,9223372036854775807)"), None);
}
