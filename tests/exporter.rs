//! Prometheus's haproxy_exporter (Debian package prometheus-haproxy-exporter)
//! scrapes a running harp through the stats socket and through the stats
//! page's `;csv`, with no parse failure.

#[allow(dead_code)]
mod common;
use common::net::{free_port, start_quiet, wait_listening, Proc};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const HARP: &str = env!("CARGO_BIN_EXE_harp");
const EXPORTER: &str = "/usr/bin/prometheus-haproxy-exporter";

fn origin() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    thread::spawn(move || {
        for mut c in l.incoming().take(100).flatten() {
            let mut buf = [0u8; 1024];
            let _ = c.read(&mut buf);
            let _ = c.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n",
            );
        }
    });
    port
}

fn get(port: u16, path: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    // HTTP/1.0: a plain close-delimited body (no chunk sizes in the text).
    let _ = write!(s, "GET {path} HTTP/1.0\r\nHost: t\r\n\r\n");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// Run the exporter on `uri` and return one /metrics page.
fn scrape(uri: &str) -> String {
    let port = free_port();
    let child = Command::new(EXPORTER)
        .arg(format!("--haproxy.scrape-uri={uri}"))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{EXPORTER}: {e} (scripts/test.sh installs prometheus-haproxy-exporter)")
        });
    let _p = Proc(child);
    wait_listening(port);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = get(port, "/metrics");
        if page.contains("haproxy_up") || Instant::now() > deadline {
            return page;
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn metric(page: &str, name: &str) -> Option<f64> {
    page.lines()
        .find(|l| l.split([' ', '{']).next() == Some(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn haproxy_exporter_scrapes_socket_and_csv() {
    let o = origin();
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("harp-exp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let sock = dir.join("admin.sock");
    let cfg = format!(
        "global\n stats socket {} level admin\ndefaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
         frontend fe_main\n bind 127.0.0.1:{port}\n stats enable\n stats uri /stats\n\
         http-request use-service prometheus-exporter if {{ path /metrics }}\n default_backend be_app\n\
         backend be_app\n stats enable\n stats uri /stats\n server s1 127.0.0.1:{o} check inter 500\n server s2 127.0.0.1:{o}\n",
        sock.display()
    );
    let path = dir.join("e.cfg");
    std::fs::write(&path, cfg).expect("cfg");
    let _h = start_quiet(HARP, &path);
    wait_listening(port);
    for _ in 0..4 {
        get(port, "/");
    }
    // s1's health check result reaches the CSV (check_status L4OK).
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut csv = String::new();
    while Instant::now() < deadline {
        csv = get(port, "/stats;csv");
        if csv
            .lines()
            .any(|l| l.starts_with("be_app,s1,") && l.contains(",L4OK,"))
        {
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    assert!(
        csv.lines()
            .any(|l| l.starts_with("be_app,s1,") && l.contains(",L4OK,")),
        "{csv}"
    );
    for uri in [
        format!("unix:{}", sock.display()),
        format!("http://127.0.0.1:{port}/stats;csv"),
    ] {
        let page = scrape(&uri);
        assert_eq!(metric(&page, "haproxy_up"), Some(1.0), "{uri}:\n{page}");
        assert_eq!(
            metric(&page, "haproxy_exporter_csv_parse_failures_total"),
            Some(0.0),
            "{uri}:\n{page}"
        );
        assert!(
            page.contains("haproxy_server_up{backend=\"be_app\",server=\"s1\"} 1"),
            "{uri}:\n{page}"
        );
        assert!(
            page.contains("haproxy_backend_up{backend=\"be_app\"} 1"),
            "{uri}:\n{page}"
        );
        assert!(
            page.contains("haproxy_frontend_current_sessions{frontend=\"fe_main\"}"),
            "{uri}:\n{page}"
        );
    }
}
