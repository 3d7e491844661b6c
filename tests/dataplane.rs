//! The seed config, ports moved to 127.0.0.1, serving real traffic through
//! harp: requests alternate between server1 and server2; a dead backend
//! gives HAProxy's 503; `mode tcp` relays bytes; forwardfor adds the header.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

#[allow(dead_code)]
mod common;
use common::net::{free_port, refusing_port, spawn_origin, Origin, Proc};

const HARP: &str = env!("CARGO_BIN_EXE_harp");

/// A tiny HTTP/1.1 origin: answers every request with its name, and
/// echoes the X-Forwarded-For it received in a header. Keep-alive aware.
fn origin(name: &'static str) -> Origin {
    spawn_origin(move |c| serve_origin(c, name))
}

fn serve_origin(conn: TcpStream, name: &str) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut r = BufReader::new(conn.try_clone().expect("clone"));
    let mut w = conn;
    for _ in 0..1000 {
        let mut xff = String::from("-");
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("x-forwarded-for:") {
                xff = v.trim().to_string();
            }
        }
        let body = format!("{name}\n");
        let resp = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nx-seen-xff: {xff}\r\n\r\n{body}",
            body.len()
        );
        if w.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

fn start_harp(cfg: &str, port: u16) -> Proc {
    let dir = std::env::temp_dir().join(format!("harp-dp-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, cfg).expect("write cfg");
    // -db: stay in the foreground even with `daemon` (the seed has it).
    let child = Command::new(HARP)
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start harp");
    let p = Proc(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "harp did not listen on {port}");
        thread::sleep(Duration::from_millis(20));
    }
    p
}

/// One request on a new connection; returns (status line, headers, body).
fn get(port: u16, path: &str) -> (String, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_string(), headers.to_string(), body.to_string())
}

/// The seed's config with only the addresses changed.
fn seed_config(front: u16, s1: u16, s2: u16) -> String {
    format!(
        "global\ndaemon\nmaxconn 256\ndefaults\nmode http\ntimeout connect 5000ms\ntimeout client 5000ms\n\
         timeout server 5000ms\nstats enable\nfrontend http-in\nbind 127.0.0.1:{front}\noption httplog\n\
         log global\ndefault_backend servers\nbackend servers\nserver server1 127.0.0.1:{s1} check\n\
         server server2 127.0.0.1:{s2} check\n"
    )
}

#[test]
fn seed_config_alternates_servers() {
    let (o1, o2) = (origin("server1"), origin("server2"));
    let port = free_port();
    let _h = start_harp(&seed_config(port, o1.port, o2.port), port);
    let seen: Vec<String> = (0..6)
        .map(|_| get(port, "/").2.trim().to_string())
        .collect();
    assert_eq!(
        seen,
        ["server1", "server2", "server1", "server2", "server1", "server2"]
    );
}

#[test]
fn keep_alive_client_connection_alternates_too() {
    let (o1, o2) = (origin("server1"), origin("server2"));
    let port = free_port();
    let _h = start_harp(&seed_config(port, o1.port, o2.port), port);
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut r = BufReader::new(s.try_clone().expect("clone"));
    let mut names = Vec::new();
    for _ in 0..4 {
        write!(s, "GET / HTTP/1.1\r\nHost: test\r\n\r\n").expect("send");
        let mut len = 0usize;
        let mut status = String::new();
        r.read_line(&mut status).expect("status");
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        loop {
            let mut h = String::new();
            r.read_line(&mut h).expect("header");
            if h == "\r\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().expect("length");
            }
        }
        let mut body = vec![0u8; len];
        r.read_exact(&mut body).expect("body");
        names.push(String::from_utf8_lossy(&body).trim().to_string());
    }
    assert_eq!(names, ["server1", "server2", "server1", "server2"]);
}

#[test]
fn no_server_gives_haproxys_503_and_forwardfor_is_added() {
    let (_dead_socket, dead) = refusing_port();
    let o = origin("alive");
    let (p1, p2) = (free_port(), free_port());
    let cfg = format!(
        "defaults\n mode http\n timeout connect 500ms\n timeout client 5s\n timeout server 5s\n retries 1\n\
         frontend down\n bind 127.0.0.1:{p1}\n default_backend dead\n\
         frontend up\n bind 127.0.0.1:{p2}\n option forwardfor\n default_backend alive\n\
         backend dead\n server d 127.0.0.1:{dead}\n\
         backend alive\n server a 127.0.0.1:{}\n",
        o.port
    );
    let _h = start_harp(&cfg, p1);
    let (status, headers, body) = get(p1, "/");
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
    // As HAProxy 2.6 answers a client that sent `Connection: close`.
    assert_eq!(
        headers,
        "content-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close"
    );
    assert_eq!(
        body,
        "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
    );
    let (status, headers, body) = get(p2, "/x");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("x-seen-xff: 127.0.0.1"), "{headers}");
    assert_eq!(body, "alive\n");
}

#[test]
fn tcp_mode_relays_bytes() {
    // An echo server as the TCP origin.
    let echo = TcpListener::bind("127.0.0.1:0").expect("bind");
    let eport = echo.local_addr().expect("addr").port();
    // Several connections: harp's readiness probe makes one too.
    thread::spawn(move || {
        for mut c in echo.incoming().take(16).flatten() {
            thread::spawn(move || {
                let mut buf = [0u8; 1024];
                while let Ok(n) = c.read(&mut buf) {
                    if n == 0 || c.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    let port = free_port();
    let cfg = format!(
        "defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
         listen relay\n bind 127.0.0.1:{port}\n server e 127.0.0.1:{eport}\n"
    );
    let _h = start_harp(&cfg, port);
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(b"hello through harp").expect("write");
    let mut buf = [0u8; 18];
    s.read_exact(&mut buf).expect("read");
    assert_eq!(&buf, b"hello through harp");
}

#[test]
fn monitor_uri_is_answered_by_harp() {
    let port = free_port();
    let (_dead_socket, dead) = refusing_port();
    let cfg = format!(
        "defaults\n mode http\n timeout connect 500ms\n timeout client 5s\n timeout server 5s\n\
         frontend f\n bind 127.0.0.1:{port}\n monitor-uri /health\n default_backend b\n\
         backend b\n server d 127.0.0.1:{dead}\n"
    );
    let _h = start_harp(&cfg, port);
    let (status, headers, body) = get(port, "/health");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers
        .starts_with("content-length: 58\r\ncache-control: no-cache\r\ncontent-type: text/html"));
    assert_eq!(
        body,
        "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n"
    );
}

#[test]
fn websocket_upgrade_is_tunnelled() {
    // An origin that switches protocols, then echoes bytes.
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let oport = l.local_addr().expect("addr").port();
    thread::spawn(move || {
        for conn in l.incoming().take(8).flatten() {
            thread::spawn(move || {
                let mut r = BufReader::new(conn.try_clone().expect("clone"));
                let mut w = conn;
                let mut upgrade = false;
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).unwrap_or(0) == 0 {
                        return;
                    }
                    if h.to_ascii_lowercase().starts_with("upgrade: websocket") {
                        upgrade = true;
                    }
                    if h == "\r\n" {
                        break;
                    }
                }
                if !upgrade {
                    let _ = w.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
                    return;
                }
                let _ = w.write_all(b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n");
                let mut buf = [0u8; 256];
                while let Ok(n) = r.read(&mut buf) {
                    if n == 0 || w.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let port = free_port();
    let cfg = format!(
        "defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n timeout tunnel 10s\n\
         listen ws\n bind 127.0.0.1:{port}\n server o 127.0.0.1:{oport}\n"
    );
    let _h = start_harp(&cfg, port);
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(
        b"GET /chat HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    )
    .expect("send");
    let mut r = BufReader::new(s.try_clone().expect("clone"));
    let mut status = String::new();
    r.read_line(&mut status).expect("status");
    assert_eq!(status, "HTTP/1.1 101 Switching Protocols\r\n");
    loop {
        let mut h = String::new();
        r.read_line(&mut h).expect("header");
        if h == "\r\n" {
            break;
        }
    }
    s.write_all(b"frame-bytes").expect("write");
    let mut buf = [0u8; 11];
    r.read_exact(&mut buf).expect("echo");
    assert_eq!(&buf, b"frame-bytes");
}

/// An origin that holds each request `delay` and records the most
/// requests it ever had at once.
fn slow_origin(delay: Duration) -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::AtomicUsize;
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let max = Arc::new(AtomicUsize::new(0));
    let cur = Arc::new(AtomicUsize::new(0));
    let m = max.clone();
    thread::spawn(move || {
        for conn in l.incoming().take(64).flatten() {
            let (cur, m) = (cur.clone(), m.clone());
            thread::spawn(move || {
                let mut r = BufReader::new(conn.try_clone().expect("clone"));
                let mut w = conn;
                for _ in 0..16 {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                    }
                    let now = cur.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(now, Ordering::SeqCst);
                    thread::sleep(delay);
                    cur.fetch_sub(1, Ordering::SeqCst);
                    if w.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (port, max)
}

#[test]
fn server_maxconn_queues_and_timeout_queue_gives_503() {
    let (oport, max_seen) = slow_origin(Duration::from_millis(300));
    let (p1, p2) = (free_port(), free_port());
    let cfg = format!(
        "defaults\n mode http\n timeout connect 1s\n timeout client 10s\n timeout server 10s\n\
         listen queued\n bind 127.0.0.1:{p1}\n timeout queue 5s\n server o 127.0.0.1:{oport} maxconn 1\n\
         listen short\n bind 127.0.0.1:{p2}\n timeout queue 100ms\n server o 127.0.0.1:{oport} maxconn 1\n"
    );
    let _h = start_harp(&cfg, p1);
    let handles: Vec<_> = (0..3)
        .map(|_| thread::spawn(move || get(p1, "/").0))
        .collect();
    let statuses: Vec<String> = handles
        .into_iter()
        .map(|h| h.join().expect("join"))
        .collect();
    assert_eq!(statuses, vec!["HTTP/1.1 200 OK"; 3]);
    assert_eq!(
        max_seen.load(Ordering::SeqCst),
        1,
        "maxconn 1 must serialise requests"
    );
    // With a 100 ms queue, the second of two simultaneous requests times out.
    let a = thread::spawn(move || get(p2, "/").0);
    thread::sleep(Duration::from_millis(50));
    let b = get(p2, "/").0;
    assert_eq!(a.join().expect("join"), "HTTP/1.1 200 OK");
    assert_eq!(b, "HTTP/1.1 503 Service Unavailable");
}

#[test]
fn httplog_lines_reach_the_syslog_target() {
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    udp.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let lport = udp.local_addr().expect("addr").port();
    let (o1, o2) = (origin("server1"), origin("server2"));
    let port = free_port();
    let cfg = format!(
        "global\n log 127.0.0.1:{lport} local0\ndefaults\n mode http\n log global\n option httplog\n\
         timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
         frontend fe_main\n bind 127.0.0.1:{port}\n default_backend be_app\n\
         backend be_app\n server s1 127.0.0.1:{}\n server s2 127.0.0.1:{}\n",
        o1.port, o2.port
    );
    let _h = start_harp(&cfg, port);
    // The readiness probe made a connection without a request: HAProxy
    // would log it as a <BADREQ>; read until our two requests are seen.
    get(port, "/first");
    get(port, "/second?x=1");
    let mut lines = Vec::new();
    let mut buf = [0u8; 2048];
    while lines.len() < 2 {
        let n = udp.recv(&mut buf).expect("a log datagram");
        let line = String::from_utf8_lossy(&buf[..n]).into_owned();
        if line.contains("\"GET ") {
            lines.push(line);
        }
    }
    for (line, (server, uri)) in lines.iter().zip([("s1", "/first"), ("s2", "/second?x=1")]) {
        // <134> = local0.info; then HAProxy's rfc3164 header and httplog body.
        assert!(line.starts_with("<134>"), "{line}");
        let body = line.split_once("]: ").expect("tag").1;
        let f: Vec<&str> = body.split(' ').collect();
        assert!(f[0].starts_with("127.0.0.1:"), "{line}");
        assert!(
            f[1].starts_with('[') && f[1].len() == 26,
            "accept date: {line}"
        );
        assert_eq!(f[2], "fe_main");
        assert_eq!(f[3], format!("be_app/{server}"));
        assert_eq!(f[4].split('/').count(), 5, "timers: {line}");
        assert_eq!(f[5], "200");
        assert_eq!((f[7], f[8], f[9]), ("-", "-", "----"));
        // actconn/feconn/beconn/srv_conn/retries: this request is the only
        // one on the backend and server; the readiness probe's connection
        // may still count in actconn/feconn.
        let c: Vec<&str> = f[10].split('/').collect();
        assert_eq!(&c[2..], ["1", "1", "0"], "{line}");
        assert!(c[0] != "0" && c[1] != "0", "{line}");
        assert_eq!(f[12], "\"GET");
        assert_eq!(f[13], uri);
        assert_eq!(f[14].trim_end(), "HTTP/1.1\"");
    }
}

#[test]
fn weighted_roundrobin_and_uri_hash_through_harp() {
    let (a, b, c) = (origin("a"), origin("b"), origin("c"));
    let (p1, p2) = (free_port(), free_port());
    let cfg = format!(
        "defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
         listen weighted\n bind 127.0.0.1:{p1}\n balance roundrobin\n\
         server a 127.0.0.1:{} weight 3\n server b 127.0.0.1:{} weight 2\n server c 127.0.0.1:{} weight 1\n\
         listen hashed\n bind 127.0.0.1:{p2}\n balance uri\n\
         server a 127.0.0.1:{}\n server b 127.0.0.1:{}\n server c 127.0.0.1:{}\n",
        a.port, b.port, c.port, a.port, b.port, c.port
    );
    let _h = start_harp(&cfg, p1);
    // HAProxy 2.6's cycle for weights 3,2,1 (see tests/balance.rs).
    let seen: Vec<String> = (0..12).map(|_| get(p1, "/").2.trim().to_string()).collect();
    let cycle = ["a", "b", "a", "c", "a", "b"];
    let want: Vec<&str> = cycle.iter().cycle().take(12).copied().collect();
    assert_eq!(seen, want);
    // balance uri: the same URI always lands on the same server.
    for uri in ["/x", "/images/1.png", "/api?q=7"] {
        let first = get(p2, uri).2;
        for _ in 0..3 {
            assert_eq!(get(p2, uri).2, first, "{uri}");
        }
    }
}

#[test]
fn haproxy_log_analysis_parses_every_line() {
    // The PyPI package `haproxy-log-analysis` (installed by scripts/test.sh)
    // is what many users feed HAProxy logs into: it must read harp's lines.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    udp.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let lport = udp.local_addr().expect("addr").port();
    let o = origin("s");
    let port = free_port();
    let (_dead_socket, dead) = refusing_port();
    let cfg = format!(
        "global\n log 127.0.0.1:{lport} local0\ndefaults\n mode http\n log global\n option httplog\n retries 0\n\
         timeout connect 300ms\n timeout client 5s\n timeout server 5s\n\
         frontend web\n bind 127.0.0.1:{port}\n use_backend down if {{ path_beg /down }}\n default_backend up\n\
         backend up\n server s 127.0.0.1:{}\nbackend down\n server d 127.0.0.1:{dead}\n",
        o.port
    );
    let _h = start_harp(&cfg, port);
    let uris = ["/", "/a/b?c=d&e=f", "/x%20y", "/down/1"];
    for u in uris {
        get(port, u);
    }
    let mut lines = Vec::new();
    let mut buf = [0u8; 2048];
    while lines.len() < 3 {
        let n = udp.recv(&mut buf).expect("a log datagram");
        let line = String::from_utf8_lossy(&buf[..n]).trim_end().to_string();
        if line.contains("\"GET ") {
            lines.push(line);
        }
    }
    let file = std::env::temp_dir().join(format!("harp-logs-{}.txt", std::process::id()));
    std::fs::write(&file, lines.join("\n") + "\n").expect("write");
    let script = "import sys\n\
        from haproxy.line import parse_line\n\
        bad = [l for l in open(sys.argv[1]).read().splitlines() if not parse_line(l).is_valid]\n\
        print('invalid:', bad) if bad else print('ok', sum(1 for _ in open(sys.argv[1])))\n\
        sys.exit(1 if bad else 0)\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "haproxy-log-analysis rejected lines (pip install haproxy-log-analysis; scripts/test.sh does): {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok "));
}
