//! The stats socket of a running harp, as operators and their tools use
//! it: `show info`, `show stat`, and admin commands that change where
//! traffic goes (`set server ... state maint|ready`), also from the PyPI
//! client haproxyadmin.

#[allow(dead_code)]
mod common;
use common::net::{free_port, start_quiet, wait_listening};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::process::Command;
use std::thread;
use std::time::Duration;

const HARP: &str = env!("CARGO_BIN_EXE_harp");

/// A tiny origin answering its name.
fn origin(name: &'static str) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    thread::spawn(move || {
        for mut c in l.incoming().take(200).flatten() {
            let mut buf = [0u8; 1024];
            let _ = c.read(&mut buf);
            let body = format!("{name}\n");
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn cli(sock: &std::path::Path, cmd: &str) -> String {
    let mut s = UnixStream::connect(sock).expect("connect stats socket");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(format!("{cmd}\n").as_bytes()).expect("send");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn who(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.rsplit("\r\n\r\n")
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

#[test]
fn stats_socket_reports_and_steers_traffic() {
    let (o1, o2) = (origin("s1"), origin("s2"));
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("harp-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let sock = dir.join("admin.sock");
    let cfg = format!(
        "global\n stats socket {} mode 600 level admin\ndefaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
         frontend fe_main\n bind 127.0.0.1:{port}\n default_backend be_app\n\
         backend be_app\n server s1 127.0.0.1:{o1}\n server s2 127.0.0.1:{o2}\n",
        sock.display()
    );
    let path = dir.join("h.cfg");
    std::fs::write(&path, cfg).expect("cfg");
    let _p = start_quiet(HARP, &path);
    wait_listening(port);

    let info = cli(&sock, "show info");
    assert!(info.starts_with("Name: "), "{info}");
    assert!(info.contains("\nPid: "), "{info}");
    let stat = cli(&sock, "show stat");
    let header = stat.lines().next().unwrap_or("");
    let golden = std::fs::read_to_string(
        std::env::var("HARP_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
            .join("golden/show_stat.txt"),
    )
    .expect("golden show_stat.txt (../shared or HARP_SHARED)");
    assert_eq!(
        header,
        golden.lines().next().unwrap_or(""),
        "CSV header differs from HAProxy 2.6's"
    );
    assert!(
        stat.contains("\nbe_app,s1,") && stat.contains("\nbe_app,s2,"),
        "{stat}"
    );

    // Maintenance on s1: every request goes to s2; ready: both again.
    assert_eq!(cli(&sock, "set server be_app/s1 state maint"), "\n");
    let seen: Vec<String> = (0..4).map(|_| who(port)).collect();
    assert_eq!(seen, ["s2", "s2", "s2", "s2"]);
    assert!(cli(&sock, "show stat").contains("be_app,s1,"));
    assert_eq!(cli(&sock, "set server be_app/s1 state ready"), "\n");
    let seen: Vec<String> = (0..4).map(|_| who(port)).collect();
    assert!(
        seen.contains(&"s1".to_string()) && seen.contains(&"s2".to_string()),
        "{seen:?}"
    );

    // haproxy-cli (PyPI) reads `show stat` through its backends/servers
    // commands and changes a weight.
    let hcli = |args: &[&str]| -> String {
        let out = Command::new("haproxy-cli")
            .arg("-k")
            .arg(format!("unix://{}", sock.display()))
            .args(args)
            .output()
            .expect("haproxy-cli (scripts/test.sh installs it)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(hcli(&["-c", "backends"]).contains("be_app"));
    let servers = hcli(&["-c", "servers", "-b", "be_app"]);
    assert!(
        servers.contains("s1") && servers.contains("s2"),
        "{servers}"
    );
    hcli(&["-c", "set-weight", "-b", "be_app", "-s", "s2", "-w", "7"]);
    assert_eq!(cli(&sock, "get weight be_app/s2").trim(), "7 (initial 1)");
    cli(&sock, "set weight be_app/s2 1");

    // haproxyadmin (PyPI) lists the servers and drains/enables one.
    let script = format!(
        "import haproxyadmin\n\
         from haproxyadmin import haproxy\n\
         h = haproxy.HAProxy(socket_file='{}')\n\
         b = h.backend('be_app')\n\
         names = sorted(s.name for s in b.servers())\n\
         print(','.join(names))\n\
         s = b.server('s2')\n\
         s.setstate(haproxyadmin.STATE_DRAIN)\n\
         print(s.status)\n\
         s.setstate(haproxyadmin.STATE_READY)\n\
         print(s.status)\n",
        sock.display()
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "haproxyadmin failed (scripts/test.sh installs it): {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.first(), Some(&"s1,s2"), "{text}");
    assert_eq!(lines.get(1), Some(&"DRAIN"), "{text}");
    // Without `check`, HAProxy shows a ready server as "no check".
    assert_eq!(lines.get(2), Some(&"no check"), "{text}");
}

fn http_raw(port: u16, req: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(req.as_bytes()).expect("send");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn stats_page_csv_with_auth_and_realm() {
    let o = origin("s1");
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("harp-statspage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let cfg = format!(
        "defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
         listen l\n bind 127.0.0.1:{port}\n stats enable\n stats auth admin:pw\n stats realm Private\\ Area\n\
         server s1 127.0.0.1:{o}\n"
    );
    let path = dir.join("s.cfg");
    std::fs::write(&path, cfg).expect("cfg");
    let _p = start_quiet(HARP, &path);
    wait_listening(port);
    // No credentials: HAProxy's 401 with the realm, byte for byte.
    let r = http_raw(
        port,
        "GET /haproxy?stats;csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(
        r,
        "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"Private Area\"\r\nconnection: close\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"
    );
    // With them: the CSV, chunked, as HAProxy sends it.
    let r = http_raw(
        port,
        "GET /haproxy?stats;csv HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWRtaW46cHc=\r\nConnection: close\r\n\r\n",
    );
    assert!(
        r.starts_with("HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n"),
        "{r}"
    );
    assert!(
        r.contains("# pxname,svname,qcur,qmax,scur,smax,slim,stot,"),
        "{r}"
    );
    assert!(
        r.contains("\nl,s1,") && r.contains("\nl,FRONTEND,") && r.contains("\nl,BACKEND,"),
        "{r}"
    );
    // Other paths still reach the server.
    let r = http_raw(
        port,
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(r.ends_with("s1\n"), "{r}");
}

#[test]
fn stats_page_html_and_admin_form() {
    let o = origin("s1");
    let (port, dead) = (free_port(), free_port());
    let dir = std::env::temp_dir().join(format!("harp-statshtml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let cfg = format!(
        "defaults\n mode http\n timeout connect 500ms\n timeout client 5s\n timeout server 5s\n\
         listen web\n bind 127.0.0.1:{port}\n stats enable\n stats uri /st\n stats refresh 5s\n stats admin if TRUE\n\
         server alive 127.0.0.1:{o} check inter 200\n server gone 127.0.0.1:{dead} check inter 200 fall 1\n"
    );
    let path = dir.join("h.cfg");
    std::fs::write(&path, cfg).expect("cfg");
    let _p = start_quiet(HARP, &path);
    wait_listening(port);
    thread::sleep(Duration::from_millis(800));
    let page = http_raw(
        port,
        "GET /st HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("\r\ncontent-type: text/html\r\n"), "{page}");
    assert!(page.contains("\r\nrefresh: 5\r\n"), "{page}");
    for name in ["web", "alive", "gone"] {
        assert!(page.contains(name), "{name} missing from the page");
    }
    // The dead server's row is coloured as down.
    let gone_row = page
        .lines()
        .find(|l| l.contains(">gone<") || l.contains("gone</a>"))
        .unwrap_or("");
    assert!(
        page.contains("active_down") || gone_row.contains("down"),
        "no down class:\n{page}"
    );
    // The admin form puts `alive` into maintenance.
    let iid_page = http_raw(
        port,
        "GET /st;csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let iid = iid_page
        .lines()
        .find(|l| l.starts_with("web,FRONTEND,"))
        .and_then(|l| l.split(',').nth(27))
        .unwrap_or("1")
        .to_string();
    let body = format!("s=alive&action=maint&b=%23{iid}");
    let post = format!(
        "POST /st HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = http_raw(port, &post);
    assert!(r.starts_with("HTTP/1.1 303 See Other\r\n"), "{r}");
    assert!(r.contains("\r\nlocation: /st;st=DONE"), "{r}");
    let csv = http_raw(
        port,
        "GET /st;csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let row = csv
        .lines()
        .find(|l| l.starts_with("web,alive,"))
        .unwrap_or("");
    assert!(row.contains(",MAINT,"), "{row}");
}

/// haproxy-stats (PyPI) reads `/;csv;norefresh` over HTTP with basic auth
/// and attaches servers to backends by equal `iid`, so the CSV's ids and
/// status strings must be HAProxy's. The page is a frontend section's own
/// (`stats uri /` in a frontend), which HAProxy serves before choosing a
/// backend. The same client runs against HAProxy 2.6 and harp.
#[test]
fn haproxy_stats_client_reads_csv_over_http() {
    let o = origin("s1");
    let dead = free_port();
    let dir = std::env::temp_dir().join(format!("harp-hastats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut seen = Vec::new();
    for program in ["/usr/sbin/haproxy", HARP] {
        let port = free_port();
        let cfg = format!(
            "defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
             frontend stats\n bind 127.0.0.1:{port}\n stats enable\n stats uri /\n stats auth admin:pw\n\
             default_backend app\n\
             backend app\n server s1 127.0.0.1:{o}\n server s2 127.0.0.1:{dead} check inter 100 fall 1\n"
        );
        let path = dir.join("s.cfg");
        std::fs::write(&path, cfg).expect("cfg");
        let _p = start_quiet(program, &path);
        wait_listening(port);
        // Poll (at most 50 × 100 ms) until s2's failed check shows, then
        // print what the client parsed.
        let script = format!(
            "import time\n\
             from haproxystats import HAProxyServer\n\
             for _ in range(50):\n\
             \x20   h = HAProxyServer('127.0.0.1:{port}', user='admin', password='pw')\n\
             \x20   assert not h.failed\n\
             \x20   if any(l.name == 's2' and l.status == 'DOWN' for l in h.listeners): break\n\
             \x20   time.sleep(0.1)\n\
             print('frontends', ' '.join(f.name + ':' + f.status for f in h.frontends))\n\
             for b in h.backends:\n\
             \x20   print(b.name, b.iid, b.status, ' '.join(l.name + ':' + l.status for l in b.listeners))\n"
        );
        let out = Command::new("python3")
            .arg("-c")
            .arg(&script)
            .output()
            .expect("python3");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "haproxy-stats against {program} failed (scripts/test.sh installs it): {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        seen.push(text);
    }
    assert_eq!(
        seen[0],
        "frontends stats:OPEN\napp 2 UP s1:no check s2:DOWN\n"
    );
    assert_eq!(seen[1], seen[0], "harp vs HAProxy");
}

/// A request the stats page answers is logged as HAProxy 2.6 logs it
/// (checked by hand against it): the serving proxy as backend, server
/// `<STATS>`, Tw/Tc/Tr of 0 and `LR--`, for a frontend's page and a
/// listen section's.
#[test]
fn stats_page_requests_are_logged_as_stats() {
    let fe = free_port();
    let li = free_port();
    let dir = std::env::temp_dir().join(format!("harp-statslog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let cfg = format!(
        "global\n log stdout format raw local0\n\
         defaults\n mode http\n log global\n option httplog\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
         frontend stats\n bind 127.0.0.1:{fe}\n stats enable\n stats uri /\n default_backend app\n\
         backend app\n server s1 127.0.0.1:{}\n\
         listen l\n bind 127.0.0.1:{li}\n stats enable\n server s1 127.0.0.1:{}\n",
        free_port(),
        free_port()
    );
    let path = dir.join("l.cfg");
    std::fs::write(&path, cfg).expect("cfg");
    let child = Command::new(HARP)
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("harp");
    let mut p = common::net::Proc(child);
    wait_listening(fe);
    wait_listening(li);
    let a = http_raw(
        fe,
        "GET /;csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let b = http_raw(
        li,
        "GET /haproxy?stats;csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(a.starts_with("HTTP/1.1 200 OK\r\n") && b.starts_with("HTTP/1.1 200 OK\r\n"));
    thread::sleep(Duration::from_millis(300));
    let _ = p.0.kill();
    let mut out = String::new();
    if let Some(mut so) = p.0.stdout.take() {
        let _ = so.read_to_string(&mut out);
    }
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].contains("] stats stats/<STATS> 0/0/0/0/0 200 ")
            && lines[0].contains(" - - LR-- ")
            && lines[0].ends_with(" \"GET /;csv HTTP/1.1\""),
        "{out}"
    );
    assert!(
        lines[1].contains("] l l/<STATS> 0/0/0/0/0 200 ")
            && lines[1].ends_with(" \"GET /haproxy?stats;csv HTTP/1.1\""),
        "{out}"
    );
}
