//! Differential test of the TLS ClientHello fetches in TCP mode
//! (`req.ssl_sni`, `req.ssl_hello_type`): HAProxy 2.6 (oracle only) routes
//! each connection to a "yes" or "no" test server by one ACL; harp's
//! evaluator must give the same verdict on the same bytes.

#[path = "sample/common.rs"]
mod common;
#[path = "sample/oracle.rs"]
mod oracle;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::acl;
use harp::sample::OwnedRequest;
use oracle::{backend, free_port, start, temp_dir, HAPROXY};

const ACLS: &[&str] = &[
    "req.ssl_sni -i secure.example.org",
    "req_ssl_sni secure.example.org",
    "req.ssl_sni -m end .org",
    "req.ssl_sni -m found",
    "req.ssl_hello_type 1",
    "req_ssl_hello_type 2",
    "req.ssl_sni,lower -m str secure.example.org",
];

/// A TLS record holding a ClientHello; `sni` adds a server_name extension
/// after another extension.
fn client_hello(sni: Option<&str>) -> Vec<u8> {
    let mut exts = vec![0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17];
    if let Some(name) = sni.map(str::as_bytes) {
        exts.extend_from_slice(&[0, 0]);
        exts.extend_from_slice(&((name.len() + 5) as u16).to_be_bytes());
        exts.extend_from_slice(&((name.len() + 3) as u16).to_be_bytes());
        exts.push(0);
        exts.extend_from_slice(&(name.len() as u16).to_be_bytes());
        exts.extend_from_slice(name);
    }
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x42; 32]);
    body.extend_from_slice(&[0, 0, 4, 0x13, 0x01, 0xc0, 0x2f, 1, 0]);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut hs = vec![1, 0];
    hs.extend_from_slice(&(body.len() as u16).to_be_bytes());
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 3, 1];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

fn yes(_: &str) -> &'static str {
    "YES"
}

fn no(_: &str) -> &'static str {
    "NO"
}

#[test]
fn tls_hello_fetches_agree_with_haproxy() {
    if !Path::new(HAPROXY).exists() {
        eprintln!("{HAPROXY} not installed: differential test skipped");
        return;
    }
    let payloads: Vec<(&str, Vec<u8>)> = vec![
        ("hello with SNI", client_hello(Some("Secure.Example.org"))),
        ("hello without SNI", client_hello(None)),
        ("plain text", b"hello there, not TLS at all\r\n".to_vec()),
    ];
    let conns = ACLS.len() * payloads.len();
    let (yes_port, no_port) = (backend(yes, conns), backend(no, conns));
    let ports: Vec<u16> = ACLS.iter().map(|_| free_port()).collect();
    let mut cfg = String::from(
        "defaults\n    mode tcp\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n\n",
    );
    for (i, (a, port)) in ACLS.iter().zip(&ports).enumerate() {
        cfg.push_str(&format!(
            "frontend f{i}\n    bind 127.0.0.1:{port}\n    tcp-request inspect-delay 2s\n    tcp-request content accept if {{ req.len ge 20 }}\n    acl a {a}\n    use_backend yes if a\n    default_backend no\n\n"
        ));
    }
    cfg.push_str(&format!(
        "backend yes\n    server s 127.0.0.1:{yes_port}\n\nbackend no\n    server s 127.0.0.1:{no_port}\n"
    ));
    let dir = temp_dir("tcp");
    let path = dir.join("h.cfg");
    std::fs::write(&path, cfg).unwrap_or_else(|e| panic!("{e}"));
    let check = Command::new(HAPROXY)
        .arg("-c")
        .arg("-f")
        .arg(&path)
        .output();
    let check = check.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        check.status.success(),
        "oracle config rejected: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _oracle = start(&path, ports[0]);
    let mut mismatches = Vec::new();
    let mut yes_count = 0;
    for (a, port) in ACLS.iter().zip(&ports) {
        for (what, bytes) in &payloads {
            let mut s = TcpStream::connect(("127.0.0.1", *port)).unwrap_or_else(|e| panic!("{e}"));
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            s.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            let theirs = answer == "YES";
            yes_count += usize::from(theirs);
            let req = OwnedRequest {
                payload: Some(bytes.clone()),
                ..Default::default()
            };
            let ours = acl(a, &req);
            if theirs != ours || !(answer == "YES" || answer == "NO") {
                mismatches.push(format!("{a} on {what}: haproxy={answer:?} harp={ours}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // Both verdicts occur, so the test can tell them apart.
    assert!(yes_count > 0 && yes_count < conns, "{yes_count}/{conns}");
}
