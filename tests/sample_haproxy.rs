//! Differential tests: HAProxy 2.6 (oracle only, never used by harp)
//! evaluates `%[expr]` items and ACLs on real requests; harp's evaluator
//! must give the same text and verdicts on the same requests.

#[path = "sample/common.rs"]
mod common;
#[path = "sample/oracle.rs"]
mod oracle;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use common::words;
use harp::config::acl::{parse_acl_def, parse_condition, parse_sample_expr};
use harp::sample::{AclSet, CompiledCond, CompiledExpr, EvalCtx, MemStore, OwnedRequest, Sample};
use oracle::{free_port, send, start, temp_dir, HAPROXY, SEP};

/// One test request: method, target, version, headers.
struct Req {
    method: &'static str,
    uri: &'static str,
    version: &'static str,
    headers: &'static [(&'static str, &'static str)],
}

impl Req {
    fn raw(&self) -> String {
        let mut r = format!("{} {} HTTP/{}\r\n", self.method, self.uri, self.version);
        for (n, v) in self.headers {
            r.push_str(&format!("{n}: {v}\r\n"));
        }
        r.push_str("Connection: close\r\n\r\n");
        r
    }

    fn owned(&self, src: SocketAddr, dst: SocketAddr) -> OwnedRequest {
        // HAProxy's HTTP/1 parser consumes the Connection header: the
        // data plane does not show it either.
        let mut o = OwnedRequest::get(self.uri, self.headers);
        o.method = Some(self.method.into());
        o.version = Some(self.version.into());
        o.src = Some(src);
        o.dst = Some(dst);
        o.fe = Some(("f".into(), 2));
        o.vars
            .borrow_mut()
            .insert("txn.v".into(), Sample::str("VAL"));
        o.vars.borrow_mut().insert("txn.n".into(), Sample::Int(4));
        o
    }
}

const REQUESTS: &[Req] = &[
    Req {
        method: "GET",
        uri: "/static/img/logo.PNG?a=1&b=two&n=42",
        version: "1.1",
        headers: &[
            ("Host", "www.Example.com:8080"),
            ("X-F", "10.0.0.1, 192.168.1.2"),
            ("X-F", "[2001:db8::1]:443"),
            ("Cookie", "a=1; SID=xyz; a=2"),
            ("User-Agent", "Mozilla/5.0 (X11, q)"),
            ("X-N", "17abc"),
        ],
    },
    Req {
        method: "POST",
        uri: "/api/v2/users",
        version: "1.0",
        headers: &[
            ("Host", "api.example.org"),
            ("Content-Length", "0"),
            ("X-M", "2002:7f00:1::"),
        ],
    },
    Req {
        method: "GET",
        uri: "http://10.1.2.3:81/abs/path?x=%41+b",
        version: "1.1",
        headers: &[("Host", "10.1.2.3:81"), ("X-N", "-5")],
    },
    Req {
        method: "DELETE",
        uri: "/",
        version: "1.1",
        headers: &[
            ("Host", "[::1]:9000"),
            ("Cookie", "flag; only=1;;  b = 2 "),
            ("X-E", ""),
            ("X-Q", "\"a,b\", c"),
            ("X-U", "caf\u{e9} \u{1f600}"),
        ],
    },
    Req {
        method: "get",
        uri: "/lower/a.b/c?d;j=5",
        version: "1.1",
        headers: &[("Host", "h"), ("X-M", "::ffff:127.0.0.1"), ("X-N", "0x10")],
    },
    Req {
        method: "GET",
        uri: "/nohost?a",
        version: "1.0",
        headers: &[],
    },
];

/// `%[...]` expressions compared as text (`@D@` is the temp directory).
const EXPRS: &[&str] = &[
    "path",
    "query",
    "url",
    "base",
    "baseq",
    "pathq",
    "method",
    "req.ver",
    "req_ver",
    "hdr(host)",
    "hdr(x-f)",
    "hdr(x-f,1)",
    "hdr(x-f,-2)",
    "req.fhdr(x-f)",
    "req.fhdr(user-agent)",
    "req.hdr(user-agent)",
    "req.hdr_cnt(x-f)",
    "req.fhdr_cnt(x-f)",
    "hdr_cnt",
    "req.fhdr_cnt",
    "hdr_ip(x-f)",
    "req.hdr_ip(x-f,1)",
    "req.hdr_val(x-n)",
    "hdr_val(x-n)",
    "req.cook(a)",
    "req.cook",
    "cook(SID)",
    "req.cook_cnt",
    "req.cook_cnt(a)",
    "req.cook_val(a)",
    "cookie(a)",
    "urlp(a)",
    "urlp(b)",
    "url_param",
    "urlp_val(n)",
    "url_ip",
    "url_port",
    "src",
    "dst",
    "dst_port",
    "fe_name",
    "fe_id",
    "req.proto_http",
    "http_first_req",
    "ssl_fc",
    "fc_http_major",
    "always_true",
    "always_false",
    "path,lower",
    "hdr(host),upper",
    "path,field(2,/)",
    "path,field(-1,/,0)",
    "path,word(-1,/)",
    "path,word(1,/,2)",
    "path,length",
    "query,url_dec",
    "query,url_dec(1)",
    "str(a b/c~d),url_enc",
    "path,base64",
    "path,base64,b64dec",
    "path,ub64enc",
    "path,hex",
    "path,crc32",
    "path,crc32c",
    "path,crc32(1)",
    "path,djb2",
    "path,sdbm",
    "path,sdbm(1)",
    "path,wt6",
    "path,wt6(1)",
    "path,djb2(1)",
    "path,xxh32",
    "path,xxh64",
    "path,xxh32(7)",
    "path,xxh64(7)",
    "path,sha1,hex",
    "path,sha2,hex",
    "path,sha2(224),hex",
    "path,sha2(384),hex",
    "path,sha2(512),hex",
    "path,json",
    "req.fhdr(user-agent),json(utf8s)",
    "path,regsub(/,_,g)",
    "path,regsub(/,_)",
    "path,regsub(/[a-z]+,_X)",
    "hdr(host),regsub(EXAMPLE,X,i)",
    "int(7),add(3),mul(2),sub(1),div(4),mod(3)",
    "int(5),neg",
    "int(5),cpl",
    "int(5),and(3)",
    "int(5),or(8)",
    "int(5),xor(1)",
    "int(5),odd",
    "int(5),even",
    "int(0),not",
    "int(3),bool",
    "int(10),htonl,hex",
    "int(7),div(0)",
    "int(7),mod(0)",
    "path,bytes(1,3)",
    "path,bytes(2)",
    "bin(01020304050607),be2dec(:,2)",
    "bin(01020304050607),be2hex(--,2,1)",
    "bin(7f000001),be2dec(.,1)",
    "str(f1_f2_f3__f5),field(-2,_,3)",
    "str(f1_f2_f3__f5),word(3,_,2)",
    "str(f1_f2_f3__f5),field(9,_)",
    "src,ipmask(24)",
    "ipv6(2001:db8::1),ipmask(8,64)",
    "hdr(host),host_only",
    "hdr(host),port_only",
    "int(1404999830),http_date",
    "int(1404999830),http_date(3600)",
    "int(1404999830),utime(%Y%m%d%H%M%S)",
    "int(1404999830),ltime(%d/%b/%Y:%H:%M:%S %z)",
    "str(abc),ub64enc",
    "str(YWJj),b64dec",
    "str(1a),hex2i",
    "str(x),concat(<,txn.none,>)",
    "str(x),add_item(-,txn.none,s)",
    "str(),add_item(-,txn.none,s)",
    "str(aabcaa),ltrim(a)",
    "str(aabcaa),rtrim(a)",
    "bool(1),iif(yes,no)",
    "int(0),iif(yes,no)",
    "str(abc),length",
    "str(ab),strcmp(txn.none)",
    "hdr(host),host_only,map(@D@/hosts.map,none)",
    "path,map_beg(@D@/paths.map)",
    "src,map_ip(@D@/nets.map,x)",
    "path,map_reg(@D@/re.map,-)",
    "path,map_regm(@D@/re.map,-)",
    "path,map_end(@D@/ends.map,-)",
    "hdr(host),map_dom(@D@/doms.map,-)",
    "path,map_sub(@D@/subs.map,-)",
    "path,map_dir(@D@/dirs.map,-)",
    "urlp_val(n),map_int(@D@/ints.map,-)",
    "urlp(n),map_str_int(@D@/str_int.map,0)",
    "src,map_ip_int(@D@/nets_int.map,0)",
    "req.hdr_names", "req.hdr_names(;)", "str(),xxh3", "str(ab),xxh3", "str(abcdef),xxh3",
    "str(abcdefghijkl),xxh3", "path,xxh3", "path,xxh3(5)", "str(abcdefghijkl),xxh3(9)",
    "str(ab),xxh3(3)", "str(abcdef),xxh3(3)", "str(),xxh3(3)", "str(ahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubip),xxh3",
    "str(ahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubip),xxh3(11)", "str(afkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydin),xxh3", "str(afkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydin),xxh3(11)", "str(adgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcf),xxh3",
    "str(adgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcf),xxh3(11)", "str(afkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydin),xxh64", "str(afkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydinsxchmrwbglqvafkpuzejotydin),xxh32(2)", "str(ahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubipwdkryfmtahovcjqxelszgnubip),sha2(512),hex",
    "str(adgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcfiloruxadgjmpsvybehknqtwzcf),sha1,hex",
    "hdr(x-e)", "hdr_cnt(x-e)", "hdr(x-q,1)", "hdr(x-q)", "req.hdr_cnt(x-q)",
    "req.fhdr(x-u),json(utf8)", "req.fhdr(x-u),json(ascii)", "req.fhdr(x-u),json(utf8s)",
    "req.fhdr(x-u),json(utf8p)", "req.fhdr(x-u),url_enc", "req.fhdr(x-u),lower",
    "req.fhdr(x-u),length", "str(a%zz),url_dec", "str(a%4),url_dec", "str(%41%42),url_dec",
    "str(zz),hex2i", "str(-1f),hex2i", "str(a*b),b64dec", "str(YWJ),b64dec", "str(abc),bytes(5)",
    "ipv6(2001:db8::1),ipmask(8)", "str(a b&c=d/~*),url_enc", "str(),length",
    "str(a.b.c),word(-1,.,0)", "str(.a..b.),word(2,.)", "str(.a..b.),field(2,.)",
    "str(1.2.3.4),ipmask(16)", "str(nope),ipmask(16)", "str(12x),add(1)", "str(x12),add(1)",
    "req.cook(flag)", "req.cook(only)", "req.cook(b)", "req.cook_cnt", "req.cook",
    "str(a),regsub(x*,-,g)", "str(a),concat(<,txn.v,>)", "str(a),add_item(-,txn.v)",
    "int(10),add(txn.n)", "str(VAL),strcmp(txn.v)", "str(VAK),strcmp(txn.v)", "var(txn.v)",
    "var(txn.n),mul(3)", "var(txn.nope,dflt)", "urlp(j,;)", "hdr_ip(x-m)", "urlp(d)", "urlp(j)", "str(abc),regsub(c|,-,g)",
];

/// ACL bodies compared as matched / not matched.
const ACLS: &[&str] = &[
    "path_beg /static /api",
    "path_end -i .png",
    "path_end .png",
    "path_dir img",
    "path_dir png",
    "path_dom b",
    "hdr_dom(host) -i example.com",
    "hdr_dom(host) example.com",
    "hdr(host) -i www.example.com:8080",
    "hdr_beg(host) api.",
    "hdr_end(host) :9000",
    "hdr(x-f) 192.168.1.2",
    "hdr(x-f,1) 192.168.1.2",
    "hdr_ip(x-f) 10.0.0.0/8",
    "hdr_ip(x-f) 2001:db8::/32",
    "req.hdr_cnt(x-f) gt 2",
    "req.fhdr_cnt(x-f) eq 2",
    "hdr_val(x-n) 17",
    "hdr_val(x-n) lt 0",
    "method GET",
    "method get",
    "method -i get",
    "method POST DELETE",
    "req.ver 1.0",
    "url_beg http://",
    "url_reg ^[^/:]*://",
    "path_len 1",
    "path_len ge 10",
    "path_reg ^/api/v[0-9]+/",
    "path_reg -i ^/STATIC/",
    "path_sub -i IMG/",
    "urlp(a) 1",
    "urlp_val(n) 40:50",
    "urlp(b) -m found",
    "query -m found",
    "query -m len 0",
    "req.cook(a) 2",
    "req.cook(a) 1",
    "req.cook(SID) -m beg xy",
    "req.cook_cnt(a) 2",
    "cook(nope) -m found",
    "req.cook(a) -m len 1",
    "src 127.0.0.1",
    "src 10.0.0.0/8",
    "dst_port 1:1023",
    "hdr(x-nope) -m len 0",
    "hdr(x-nope) -m found",
    "path,lower -m end .png",
    "path,length gt 5",
    "hdr(host),host_only -m str www.example.com",
    "str(abc),hex -m str 616263",
    "bin(616263) -m bin 616263",
    "path_beg -f @D@/paths.lst",
    "src -f @D@/nets.lst",
    "hdr(host) -i -M -f @D@/hosts.map",
    "url_dom 10.1.2.3",
    "base_beg www.Example.com:8080/static",
    "base_sub example",
    "req.hdr_val(content-length) ge 0",
    "src -m str 127.0.0.1",
    "dst_port -m str 80",
    "path -m len 4",
    "hdr(x-n) -m int 17",
    "hdr(x-n) -m int lt 0",
    "hdr(x-n) -m sub 7",
    "src ::ffff:127.0.0.1",
    "src ::ffff:127.0.0.0/104",
    "hdr_ip(x-m) 127.0.0.1",
    "hdr_ip(x-m) 2002:7f00:1::/48",
    "hdr(x-m) -m ip 127.0.0.0/8",
    "url_dir abs",
    "path_dir lower/a.b",
    "url_dom 81",
    "urlp(j,;) 5",
    "base_dir example.com:8080/static",
    "req.hdr(x-f),lower -m beg 192",
    "hdr_end(x-f) .2",
    "var(txn.v) -m str VAL",
    "var(txn.n) -m int 4",
    "str(a) -m reg -i ^A$",
    "str(hello) -m dom hello",
    "str(a/b?c) -m dir b",
    "src_port gt 1023",
];

/// Conditions over the ACLs above (named a0, a1, ...) and predefined ones.
const CONDS: &[&str] = &[
    "if METH_GET",
    "if METH_POST",
    "if HTTP_1.0",
    "if HTTP_1.1",
    "if HTTP_URL_ABS",
    "if HTTP_URL_SLASH",
    "if HTTP_CONTENT",
    "if LOCALHOST",
    "if TRUE",
    "if !FALSE",
    "if a0 a6",
    "if a0 || a9",
    "if !a0 !a9",
    "unless a0",
    "if a19 or a22",
    "if { path_beg /api } !METH_GET",
    "if a36 a37",
];

const FILES: &[(&str, &str)] = &[
    (
        "hosts.map",
        "www.example.com be_www\napi.example.org be_api\n",
    ),
    ("paths.map", "/api api\n/static static\n/ root\n"),
    ("nets.map", "127.0.0.0/8 loop\n10.0.0.0/8 ten\n"),
    ("nets_int.map", "127.0.0.0/8 1\n127.0.0.1 32\n"),
    ("re.map", "^/([a-z]+)/([a-z]+) \\2_\\1\n^/ slash\n"),
    ("ends.map", ".PNG image\n/users users\n"),
    ("doms.map", "example.com ex\n9000 port\n"),
    ("subs.map", "img I\nv2 V\n"),
    ("dirs.map", "img D\nabs A\n"),
    ("ints.map", "42 answer\n0 zero\n"),
    ("str_int.map", "42 4200\n"),
    ("paths.lst", "# comment\n/api\n/lower\n"),
    ("nets.lst", "10.0.0.0/8\n127.0.0.0/8\n"),
];

fn config(dir: &str, port: u16) -> String {
    let mut c = String::from(
        "defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n\n",
    );
    c.push_str(&format!(
        "frontend f\n    id 2\n    bind 127.0.0.1:{port}\n"
    ));
    for (i, a) in ACLS.iter().enumerate() {
        c.push_str(&format!("    acl a{i} {}\n", a.replace("@D@", dir)));
    }
    c.push_str("    http-request set-var(txn.v) str(VAL)\n");
    c.push_str("    http-request set-var(txn.n) int(4)\n");
    for (i, cond) in CONDS.iter().enumerate() {
        c.push_str(&format!(
            "    http-request set-var(txn.c{i}) int(1) {cond}\n"
        ));
    }
    let mut items: Vec<String> = EXPRS
        .iter()
        .map(|e| format!("%[{}]", e.replace("@D@", dir)))
        .collect();
    for i in 0..ACLS.len() {
        c.push_str(&format!(
            "    http-request set-var(txn.a{i}) int(1) if a{i}\n"
        ));
        items.push(format!("%[var(txn.a{i})]"));
    }
    for i in 0..CONDS.len() {
        items.push(format!("%[var(txn.c{i})]"));
    }
    c.push_str(&format!(
        "    http-request return status 200 content-type text/plain lf-string \"{}\"\n",
        items.join(SEP)
    ));
    c
}

/// What harp's evaluator gives for the same items.
fn harp_items(req: &OwnedRequest, dir: &str, store: &MemStore) -> Vec<String> {
    let ctx = EvalCtx::request(req);
    let mut out = Vec::new();
    for e in EXPRS {
        let text = e.replace("@D@", dir);
        let parsed = parse_sample_expr(&text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let c = CompiledExpr::compile(&parsed, store).unwrap_or_else(|err| panic!("{text}: {err}"));
        out.push(c.eval(&ctx).map(|s| s.to_text()).unwrap_or_default());
    }
    let defs: Vec<_> = ACLS
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let line = format!("a{i} {}", a.replace("@D@", dir));
            parse_acl_def(&words(&line)).unwrap_or_else(|err| panic!("{line}: {err}"))
        })
        .collect();
    let set = AclSet::compile(&defs, store).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..ACLS.len() {
        let hit = set.eval(&format!("a{i}"), &ctx) == Some(true);
        out.push(if hit { "1".into() } else { String::new() });
    }
    for cond in CONDS {
        let c = parse_condition(&words(cond)).unwrap_or_else(|e| panic!("{cond}: {e}"));
        let c = CompiledCond::compile(&c, &set, store).unwrap_or_else(|e| panic!("{e}"));
        out.push(if c.eval(&ctx) {
            "1".into()
        } else {
            String::new()
        });
    }
    out
}

fn label(i: usize) -> String {
    if i < EXPRS.len() {
        format!("%[{}]", EXPRS[i])
    } else if i < EXPRS.len() + ACLS.len() {
        format!("acl a{} {}", i - EXPRS.len(), ACLS[i - EXPRS.len()])
    } else {
        CONDS[i - EXPRS.len() - ACLS.len()].to_string()
    }
}

#[test]
fn evaluator_agrees_with_haproxy() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("{HAPROXY} not installed: differential test skipped");
        return;
    }
    let dir_path = temp_dir("diff");
    let dir = dir_path.to_string_lossy().into_owned();
    let mut store = MemStore::new();
    for (name, contents) in FILES {
        let p = format!("{dir}/{name}");
        std::fs::write(&p, contents).unwrap_or_else(|e| panic!("{e}"));
        store.insert(p, *contents);
    }
    let port = free_port();
    let cfg = dir_path.join("h.cfg");
    std::fs::write(&cfg, config(&dir, port)).unwrap_or_else(|e| panic!("{e}"));
    let check = Command::new(HAPROXY).arg("-c").arg("-f").arg(&cfg).output();
    let check = check.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        check.status.success(),
        "oracle config rejected: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _oracle = start(&cfg, port);
    let mut mismatches = Vec::new();
    for r in REQUESTS {
        let (body, local, peer) = send(port, &r.raw());
        let theirs: Vec<&str> = body.split(SEP).collect();
        let ours = harp_items(&r.owned(local, peer), &dir, &store);
        assert_eq!(theirs.len(), ours.len(), "item count for {}", r.uri);
        for (i, (t, o)) in theirs.iter().zip(&ours).enumerate() {
            if t != o {
                mismatches.push(format!(
                    "{} {}: {} haproxy={t:?} harp={o:?}",
                    r.method,
                    r.uri,
                    label(i)
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir_path);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
