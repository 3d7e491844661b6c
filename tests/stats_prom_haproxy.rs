//! The exporter against HAProxy 2.6 itself (the oracle, `/usr/sbin/haproxy`;
//! never skipped) on proxies the golden file lacks: TCP mode (no HTTP
//! metrics), a disabled frontend (left out), a backend without servers,
//! servers without checks, with limits, in maintenance.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::stats::prometheus::{render, PromQuery};
use harp::stats::snapshot::Snapshot;

const HAPROXY: &str = "/usr/sbin/haproxy";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Oracle(Child);

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(port: u16, path: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes());
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return String::new();
    };
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Metric lines without their values, minus the exporter's own proxy.
fn shapes(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.contains("proxy=\"metrics\""))
        .map(|l| {
            if l.starts_with('#') {
                l.to_string()
            } else {
                l.rsplit_once(' ').map_or(l, |(k, _)| k).to_string()
            }
        })
        .collect()
}

/// Drops HELP/TYPE lines left without samples once the exporter's own
/// proxy is filtered out.
fn drop_orphans(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("# HELP ") {
            let has_sample = lines.get(i + 2).is_some_and(|n| !n.starts_with('#'));
            if !has_sample {
                continue;
            }
        }
        if l.starts_with("# TYPE ") {
            let has_sample = lines.get(i + 1).is_some_and(|n| !n.starts_with('#'));
            if !has_sample {
                continue;
            }
        }
        out.push(l.clone());
    }
    out
}

#[test]
fn tcp_disabled_and_serverless_proxies_match_haproxy() {
    assert!(
        std::path::Path::new(HAPROXY).exists(),
        "{HAPROXY} is required (apt-get install haproxy)"
    );
    let up = TcpListener::bind("127.0.0.1:0").expect("bind a server");
    let up_port = up.local_addr().expect("addr").port();
    let metrics = free_port();
    let cfg = format!(
        "defaults\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n\
         frontend fe_tcp\n    mode tcp\n    bind 127.0.0.1:{}\n    default_backend be_tcp\n\
         backend be_tcp\n    mode tcp\n    server t1 127.0.0.1:{up_port} maxconn 10 maxqueue 5\n\
         \x20   server t2 127.0.0.1:{up_port} check weight 0\n    server t3 127.0.0.1:{up_port} disabled\n\
         backend be_empty\n    mode http\n\
         frontend fe_off\n    mode http\n    bind 127.0.0.1:{}\n    disabled\n\
         listen metrics\n    mode http\n    bind 127.0.0.1:{metrics}\n\
         \x20   http-request use-service prometheus-exporter if {{ path /metrics }}\n",
        free_port(),
        free_port()
    );
    let dir = std::env::temp_dir().join(format!("harp-statsprom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("p.cfg");
    std::fs::write(&path, &cfg).expect("write config");
    let _oracle = Oracle(
        Command::new(HAPROXY)
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy starts"),
    );
    let q = "/metrics?scope=frontend&scope=backend&scope=server";
    let start = Instant::now();
    let theirs = loop {
        let body = get(metrics, q);
        if body.contains("haproxy_server_uweight") || start.elapsed() > Duration::from_secs(10) {
            break body;
        }
        std::thread::sleep(Duration::from_millis(100));
    };

    let loaded = load_bytes("p.cfg", cfg.as_bytes(), &mut ConfigEnv::default());
    let model = loaded.model.expect("config loads");
    let mut snap = Snapshot::from_model(&model);
    // Same check outcome as the oracle's: the server answers.
    if let Some(c) = snap
        .server_mut("be_tcp", "t2")
        .and_then(|s| s.check.as_mut())
    {
        c.status = "L4OK".into();
    }
    let ours = render(&snap, &PromQuery::parse(q).expect("query"));

    let want = drop_orphans(shapes(&theirs));
    let got = drop_orphans(shapes(&ours));
    assert!(want.len() > 100, "oracle answered: {theirs:.300}");
    for (i, (a, b)) in got.iter().zip(&want).enumerate() {
        assert_eq!(a, b, "line {}", i + 1);
    }
    assert_eq!(got.len(), want.len());
    // Values fixed by the configuration and server states agree too.
    // (Not `limit_sessions`: HAProxy derives frontend/backend limits from
    // the ulimit, and the snapshot does not carry a server's maxconn yet.)
    let fixed = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.contains("proxy=\"metrics\""))
            .filter(|l| {
                [
                    "_queue_limit{",
                    "_weight{",
                    "_uweight{",
                    "_status{",
                    "_active_servers{",
                    "_backup_servers{",
                    "_current_throttle{",
                ]
                .iter()
                .any(|m| l.contains(m))
            })
            .map(str::to_string)
            .collect()
    };
    assert!(fixed(&theirs).len() > 20);
    assert_eq!(fixed(&ours), fixed(&theirs));
    // Disabled frontends are left out; TCP proxies get no HTTP metrics.
    assert!(!ours.contains("fe_off"));
    assert!(!ours.contains("haproxy_frontend_http_requests_total{proxy=\"fe_tcp\"}"));
    drop(up);
    let _ = std::fs::remove_dir_all(&dir);
}
