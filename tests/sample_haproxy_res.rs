//! Differential test of response-side fetches and ACLs: HAProxy 2.6 (oracle
//! only) proxies to a tiny test server and reports, in a response header,
//! what `http-response` rules see; harp's evaluator must agree.

#[path = "sample/common.rs"]
mod common;
#[path = "sample/oracle.rs"]
mod oracle;

use std::path::Path;
use std::process::Command;

use common::words;
use harp::config::acl::{parse_acl_def, parse_sample_expr};
use harp::sample::{AclSet, CompiledExpr, EvalCtx, MemStore, OwnedRequest};
use oracle::{backend, exchange, free_port, start, temp_dir, HAPROXY, SEP};

const R1: &str = "HTTP/1.1 302 Found\r\nLocation: /x\r\nSet-Cookie: SRV=s1; Path=/\r\nSet-Cookie: other=2\r\nX-V: 1, 2\r\nX-V: 3\r\nCache-Control: no-cache, max-age=60\r\nContent-Length: 0\r\n\r\n";
const R2: &str = "HTTP/1.0 503 Service Unavailable\r\nX-V: -7\r\nContent-Length: 0\r\n\r\n";

fn pick(req: &str) -> &'static str {
    if req.starts_with("GET /r2") {
        R2
    } else {
        R1
    }
}

/// The response a test server sends, as the data plane would expose it.
fn parse_response(raw: &str) -> (u16, String, Vec<(String, String)>) {
    let mut lines = raw.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.split(' ');
    let version = parts.next().unwrap_or("").trim_start_matches("HTTP/");
    let status = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_string(), v.trim().to_string()))
        .collect();
    (status, version.to_string(), headers)
}

const EXPRS: &[&str] = &[
    "status",
    "res.ver",
    "resp_ver",
    "res.hdr(x-v)",
    "res.hdr(x-v,1)",
    "res.hdr_cnt(x-v)",
    "res.hdr_cnt",
    "res.hdr_val(x-v)",
    "hdr(x-v)",
    "hdr(cache-control)",
    "cookie(SRV)",
    "cookie(other)",
    "res.hdr(set-cookie)",
    "status,add(1)",
];

const ACLS: &[&str] = &[
    "status 302",
    "status 500:599",
    "res.hdr(x-v) 2",
    "shdr(x-v) 3",
    "shdr_beg(cache-control) max",
    "res.hdr_cnt(x-v) 3",
    "res.hdr_val(x-v) lt 0",
    "hdr(x-v) 1",
    "res.ver 1.0",
    "cookie(SRV) s1",
];

fn config(port: u16, be_port: u16) -> String {
    let mut c = String::from(
        "defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n\n",
    );
    c.push_str(&format!(
        "frontend f\n    bind 127.0.0.1:{port}\n    default_backend be\n\nbackend be\n    server s1 127.0.0.1:{be_port}\n"
    ));
    let mut items: Vec<String> = EXPRS.iter().map(|e| format!("%[{e}]")).collect();
    for (i, a) in ACLS.iter().enumerate() {
        c.push_str(&format!("    acl a{i} {a}\n"));
        c.push_str(&format!(
            "    http-response set-var(txn.a{i}) int(1) if a{i}\n"
        ));
        items.push(format!("%[var(txn.a{i})]"));
    }
    c.push_str(&format!(
        "    http-response set-header X-Out \"{}\"\n",
        items.join(SEP)
    ));
    c
}

fn harp_items(r: &OwnedRequest) -> Vec<String> {
    let store = MemStore::new();
    let ctx = EvalCtx::response(r);
    let mut out: Vec<String> = EXPRS
        .iter()
        .map(|e| {
            let p = parse_sample_expr(e).unwrap_or_else(|err| panic!("{e}: {err}"));
            let c = CompiledExpr::compile(&p, &store).unwrap_or_else(|err| panic!("{err}"));
            c.eval(&ctx).map(|s| s.to_text()).unwrap_or_default()
        })
        .collect();
    let defs: Vec<_> = ACLS
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let line = format!("a{i} {a}");
            parse_acl_def(&words(&line)).unwrap_or_else(|err| panic!("{line}: {err}"))
        })
        .collect();
    let set = AclSet::compile(&defs, &store).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..ACLS.len() {
        let hit = set.eval(&format!("a{i}"), &ctx) == Some(true);
        out.push(if hit { "1".into() } else { String::new() });
    }
    out
}

#[test]
fn response_side_agrees_with_haproxy() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("{HAPROXY} not installed: differential test skipped");
        return;
    }
    let requests = [
        "GET /r1 HTTP/1.1\r\nHost: h\r\nX-Req: yes\r\nConnection: close\r\n\r\n",
        "GET /r2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    ];
    let be_port = backend(pick, requests.len() * 4);
    let port = free_port();
    let dir = temp_dir("res");
    let cfg = dir.join("h.cfg");
    std::fs::write(&cfg, config(port, be_port)).unwrap_or_else(|e| panic!("{e}"));
    let check = Command::new(HAPROXY).arg("-c").arg("-f").arg(&cfg).output();
    let check = check.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        check.status.success(),
        "oracle config rejected: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _oracle = start(&cfg, port);
    let mut mismatches = Vec::new();
    for raw in requests {
        let (resp, _, _) = exchange(port, raw);
        let (_, _, headers) = parse_response(&resp);
        let out = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-out"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no X-Out in {resp:?}"));
        let theirs: Vec<&str> = out.split(SEP).collect();
        let (status, version, res_headers) = parse_response(pick(raw));
        let (_, req_headers) = raw.split_once("\r\n").unwrap_or(("", ""));
        let mut r = OwnedRequest::get("/", &[]);
        r.headers = parse_response(&format!("X 0 X\r\n{req_headers}")).2;
        r.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("connection"));
        r.status = Some(status);
        r.res_version = Some(version);
        r.res_headers = res_headers;
        let ours = harp_items(&r);
        assert_eq!(theirs.len(), ours.len(), "{out}");
        for (i, (t, o)) in theirs.iter().zip(&ours).enumerate() {
            if t.trim() != o {
                let what = EXPRS
                    .get(i)
                    .map(|e| format!("%[{e}]"))
                    .unwrap_or_else(|| format!("acl {}", ACLS[i - EXPRS.len()]));
                mismatches.push(format!("{raw:?}: {what} haproxy={t:?} harp={o:?}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
