//! The same lines through `/usr/sbin/haproxy -c` (HAProxy 2.6.12, when
//! installed) and through harp: every diagnostic HAProxy prints must be
//! printed identically by harp. harp's own support-policy messages (which
//! mention harp) are left out of the comparison.

use harp::config::bind::{parse_bind, parse_stats_socket};
use harp::config::server::{parse_server, ServerConfig, ServerCtx, ServerKeyword};
use harp::config::support::{self, Context};
use harp::diag::{Diagnostics, Loc};

use super::w;

/// Differential check: the same lines through `/usr/sbin/haproxy -c`
/// (HAProxy 2.6, when installed) and through harp. Every diagnostic HAProxy
/// prints for a line must be printed identically by harp; harp's own
/// support-policy messages (which mention harp) are left out.
#[test]
fn differential_against_haproxy() {
    let haproxy = std::path::Path::new("/usr/sbin/haproxy");
    if !haproxy.exists() {
        eprintln!("haproxy not installed; differential test skipped");
        return;
    }
    let bind_lines = [
        "1.2.3.4",
        "1.2.3.4:notaport",
        ":99999",
        ":80-70",
        ":0",
        "foo@:80",
        "[::1",
        "::1",
        "fd@x",
        "udp@:80",
        "quic6@:443",
        ":80:81",
        "1.2.3.4:+80",
        "*",
        "ipv4@::1:80",
        ":x80",
        ":5-70000",
        ",:80",
        ":80,",
        "[::]:80 v6only",
        ":80 maxconn",
        ":80 backlog 0",
        ":80 id x",
        ":80 id 0",
        ":80 mode 999",
        ":80 mode",
        ":80 ssl-min-ver TLSv9",
        ":80 verify maybe",
        ":80 nice -2000",
        ":80 process 1-2",
        ":80 thread 1-2,4",
        ":80 thread 65",
        ":80 level x",
        ":80 acept-proxy",
        ":80 zzzzzzzzzzzz",
        ":80 tcp-ut 1.5",
        ":80 tcp-ut 5sec",
        ":80 mss 70000",
        ":80 shards 65",
        ":80 proto foo",
        ":80 accept-netscaler-cip",
        ":80 crt-list",
        ":80 ecdhe",
        ":80 npn",
        ":80 name x maxconn 5 backlog 5 accept-proxy transparent tfo defer-accept",
        ":81 process 1",
        ":82 process odd",
        ":83 process 1/all",
        ":84 process all/1",
        ":85 process 1/2-3",
        ":86 process 1-1",
        ":87 process all",
        ":88 thread all",
        ":90 thread 1/1-4",
        ":91 thread 2/1",
        ":93 thread 0",
        ":94 process 1/65",
    ];
    let server_lines = [
        "s1 127.0.0.1:80 chek",
        "s2 127.0.0.1:notaport",
        "s3 127.0.0.1:80 weight 257",
        "s4 127.0.0.1:80 inter 1h30m",
        "s5 127.0.0.1:80 fastinter 2147483648",
        "s6 127.0.0.1:80 downinter 0",
        "s7 127.0.0.1:80 agent-inter",
        "s8 127.0.0.1:80 slowstart 5S",
        "s9 127.0.0.1:80 rise x",
        "s10 127.0.0.1:80 fall",
        "s11 127.0.0.1:80 id x",
        "s12 127.0.0.1:80 observe layer3",
        "s13 127.0.0.1:80 error-limit",
        "s14 127.0.0.1:80 verify",
        "s15 127.0.0.1:80 init-addr libc,foo",
        "s16 127.0.0.1:80 resolve-prefer ipv5",
        "s17 127.0.0.1:80 addr",
        "s18 127.0.0.1:80 agent-addr",
        "s19 127.0.0.1:80 agent-send",
        "s20 127.0.0.1:80 source",
        "s21 127.0.0.1:80 redir",
        "s22 127.0.0.1:80 crt",
        "s23 127.0.0.1:80 ciphers",
        "s24 127.0.0.1:80 ssl-max-ver",
        "s25 127.0.0.1:80 verifyhost",
        "s26 127.0.0.1:80 check-sni",
        "s27 127.0.0.1:80 alpn",
        "s28 127.0.0.1:80 proxy-v2-options",
        "s29 127.0.0.1:80 max-reuse",
        "s30 127.0.0.1:80 ws h3",
        "s31 127.0.0.1:80 log-proto x",
        "s32 127.0.0.1:80 resolve-net",
        "s33 127.0.0.1:80-81",
        "s34 127.0.0.1:99999",
        "s35 fd@3",
        "s36 udp@1.2.3.4:5",
        "s37 127.0.0.1:80 zzzzzzzzzz",
        "s38 127.0.0.1:80 check inter 2s rise 1 fall 1 weight 256 backup",
        "s39 127.0.0.1:80 on-marked-up x",
        "s40",
        "s41 quic4@1.2.3.4:1",
        "s42 sockpair@x",
        "s43 ipv6@1.2.3.4",
        "s44 1.2.3.4:0-",
        "s45 1.2.3.4:x",
        "t1 1.2.3.4 inter s",
        "t2 1.2.3.4 inter ms5",
        "t3 1.2.3.4 slowstart s",
        "t4 1.2.3.4 inter 0010 fastinter 1us downinter 2147483647000us",
        "t5 1.2.3.4 inter 4294967295999us",
        "u1 1.2.3.4 usesrc client",
        "u2 1.2.3.4 no-check-send-proxy",
        "u3 1.2.3.4 source 1.2.3.4 interface",
        "u4 1.2.3.4 source 1.2.3.4 usesrc client zzzzzzzzz",
        "u5 1.2.3.4 source 1.2.3.4:x",
        "u6 1.2.3.4 source 1.2.3.4:80-90 usesrc clientip interface lo",
        "u7 1.2.3.4 source 1.2.3.4 usesrc",
        "u8 1.2.3.4 source 1.2.3.4 usesrc 1.2.3.4:x",
        "u9 1.2.3.4 source 1.2.3.4:0 usesrc hdr_ip(x-forwarded-for,-1)",
        "v1 1.2.3.4 source 1.2.3.4:+1",
        "v2 1.2.3.4 source /tmp/x",
        "v3 1.2.3.4 source 1.2.3.4:70000",
        "v4 1.2.3.4 source x@y",
        "a/b 1.2.3.4",
        "a:b.c-d_e 1.2.3.4",
        "a$b 1.2.3.4",
    ];
    let bind_lines: Vec<String> = bind_lines.iter().map(|l| format!("bind {l}")).collect();
    let server_lines: Vec<String> = server_lines.iter().map(|l| format!("server {l}")).collect();
    for chunk in bind_lines.chunks(30) {
        compare_with_haproxy(haproxy, "frontend f", chunk);
    }
    for chunk in server_lines.chunks(30) {
        compare_with_haproxy(haproxy, "backend b", chunk);
    }
    // default-server inheritance, server-template.
    let mixed = [
        "default-server inter 1s chek",
        "default-server 1.2.3.4",
        "default-server id 3",
        "default-server track x",
        "server a 1.2.3.4 check",
        "server-template s 3",
        "server-template s x 127.0.0.1:80",
        "server-template s 1-0 127.0.0.1:80",
        "server-template s 3 127.0.0.1:80 chek",
        "server-template t 2-4 127.0.0.1:80",
        "default-server inter 1.5s",
        "default-server weight 300",
        "server-template u 3 1.2.3.4 inter 1.5s",
        "server-template v 3 1.2.3.4 weight 999",
        "server-template w 3 1.2.3.4:x",
        "server-template a/b 2 1.2.3.4",
        "default-server agent-check",
        "server x 1.2.3.4",
    ]
    .map(String::from);
    compare_with_haproxy(haproxy, "backend b", &mixed);
}

/// One file per chunk: HAProxy stops after 50 fatal errors.
fn compare_with_haproxy(haproxy: &std::path::Path, section: &str, lines: &[String]) {
    let mut text = format!(
        "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n{section}\n"
    );
    let first = 7u32;
    for l in lines {
        text.push_str(&format!(" {l}\n"));
    }
    let dir = std::env::temp_dir().join(format!("hv-values-{}-{}", std::process::id(), next_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.cfg");
    std::fs::write(&file, &text).unwrap();
    let fname = file.to_string_lossy().to_string();
    let out = std::process::Command::new(haproxy)
        .arg("-c")
        .arg("-f")
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // HAProxy's lines about our lines, pid replaced (blank lines dropped).
    let theirs: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| {
            !l.starts_with("[NOTICE]")
                && !l.starts_with("Warnings were found")
                && !l.starts_with("Configuration file is valid")
        })
        .filter(|l| {
            !l.contains("Error(s) found in configuration file")
                && !l.contains("Fatal errors found in configuration")
        })
        .map(normalize_pid)
        .collect();

    let mut ours = Vec::new();
    let mut dflt = ServerConfig::default();
    for (i, l) in lines.iter().enumerate() {
        let mut d = Diagnostics::default();
        let lc = Loc::new(fname.as_str(), first + i as u32);
        let words = w(l);
        let ctx = ServerCtx {
            loc: &lc,
            proxy: "b",
        };
        match words[0].as_str() {
            "stats" => {
                parse_stats_socket(&words[2..], &lc, &mut d);
            }
            "bind" => {
                parse_bind(&words[1..], &lc, "frontend", &mut d);
            }
            "server" => {
                parse_server(ServerKeyword::Server, &words[1..], &dflt, ctx, &mut d);
            }
            "server-template" => {
                parse_server(
                    ServerKeyword::ServerTemplate,
                    &words[1..],
                    &dflt,
                    ctx,
                    &mut d,
                );
            }
            _ => {
                let r = parse_server(
                    ServerKeyword::DefaultServer,
                    &words[1..],
                    &dflt,
                    ctx,
                    &mut d,
                );
                if let Some(r) = r {
                    dflt = r.config;
                }
            }
        }
        // A message ending in a newline prints as an empty line after it.
        for x in &d.items {
            ours.extend(x.render(1, "config").split('\n').map(str::to_string));
        }
    }
    let ours: Vec<String> = ours
        .into_iter()
        .filter(|l| !l.contains("by harp") && !l.contains("in harp"))
        .map(|l| normalize_pid(&l))
        .collect();
    assert!(!theirs.is_empty(), "haproxy printed nothing");
    if ours != theirs {
        let only_ours: Vec<&String> = ours.iter().filter(|l| !theirs.contains(l)).collect();
        let only_theirs: Vec<&String> = theirs.iter().filter(|l| !ours.contains(l)).collect();
        panic!(
            "harp only: {only_ours:#?}\nhaproxy only: {only_theirs:#?}\n\
             harp: {ours:#?}\nhaproxy: {theirs:#?}"
        );
    }
}

/// A fresh number per call: tests run in parallel and need distinct files.
fn next_id() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn normalize_pid<S: AsRef<str>>(l: S) -> String {
    let l = l.as_ref();
    match (l.find('('), l.find(')')) {
        (Some(a), Some(b)) if a < b => format!("{}(PID){}", &l[..a], &l[b + 1..]),
        _ => l.to_string(),
    }
}

/// Every option of both tables with a missing and with a bad argument,
/// through HAProxy and harp. Options whose checks need the file system or
/// the user database (certificate files, user names, namespaces) are left
/// to the model layer and skipped here.
#[test]
fn differential_every_option() {
    let haproxy = std::path::Path::new("/usr/sbin/haproxy");
    if !haproxy.exists() {
        return;
    }
    let skip_bind = [
        "crt",
        "crt-list",
        "ca-file",
        "crl-file",
        "ca-verify-file",
        "ca-sign-file",
        "user",
        "group",
        "namespace",
        "tls-ticket-keys",
        "generate-certificates",
        "ca-sign-pass",
        "ciphers",
        "ciphersuites",
        "curves",
        "ecdhe",
        "ca-ignore-err",
        "crt-ignore-err",
    ];
    let mut lines = Vec::new();
    for kw in support::keywords(Context::Bind) {
        // A missing argument is always a parse-time error.
        lines.push(format!("bind :80 {kw}"));
        if !skip_bind.contains(&kw) {
            lines.push(format!("bind :80 {kw} x"));
        }
    }
    for chunk in lines.chunks(40) {
        compare_with_haproxy(haproxy, "frontend f", chunk);
    }
    let skip_server = [
        "crt",
        "ca-file",
        "crl-file",
        "namespace",
        "ciphers",
        "ciphersuites",
        "sni",
        "socks4",
        "check-via-socks4",
        "source",
        "track",
        "resolvers",
        "agent-addr",
        "addr",
    ];
    let mut lines = Vec::new();
    for (i, kw) in support::keywords(Context::Server).enumerate() {
        lines.push(format!("server a{i} 1.2.3.4 {kw}"));
        if !skip_server.contains(&kw) {
            lines.push(format!("server b{i} 1.2.3.4 {kw} x"));
        }
    }
    for chunk in lines.chunks(40) {
        compare_with_haproxy(haproxy, "backend b", chunk);
    }
}

/// Bind options on `stats socket` lines: same parsers, another prefix.
#[test]
fn differential_stats_socket() {
    let haproxy = std::path::Path::new("/usr/sbin/haproxy");
    if !haproxy.exists() {
        return;
    }
    let skip = [
        "crt",
        "crt-list",
        "ca-file",
        "crl-file",
        "ca-verify-file",
        "ca-sign-file",
        "user",
        "group",
        "namespace",
        "tls-ticket-keys",
        "generate-certificates",
        "ca-sign-pass",
        "ciphers",
        "ciphersuites",
        "curves",
        "ecdhe",
        "ca-ignore-err",
        "crt-ignore-err",
    ];
    let mut lines = Vec::new();
    for kw in support::keywords(Context::Bind).filter(|k| !skip.contains(k)) {
        lines.push(format!("stats socket /tmp/hv-x.sock {kw}"));
        lines.push(format!("stats socket /tmp/hv-x.sock {kw} x"));
    }
    lines.push("stats socket /tmp/hv-x.sock expose-fdd listeners".into());
    for a in [
        "",
        "1.2.3.4",
        ":80-90",
        "udp@:80",
        ":x",
        "ipv4@:9999",
        "1.2.3.4:1,:2",
        ",:3",
    ] {
        lines.push(format!("stats socket {a}"));
    }
    lines.push("stats socket /tmp/hv-x.sock level admin mode 600 tcp-ut 5sec".into());
    for chunk in lines.chunks(40) {
        compare_with_haproxy(haproxy, "global", chunk);
    }
}
