//! Health checks through the real `harp` binary: an origin that stops is
//! marked DOWN within fall × inter (+ one inter) and gets no more traffic,
//! comes back UP within rise × inter (+ one inter) once it listens again,
//! and the syslog lines are HAProxy 2.6's. An `http-check expect status
//! 200` on an origin answering 503 marks it DOWN with `Layer7 wrong
//! status`. Everything on 127.0.0.1, loops bounded, harp killed on drop.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const HARP: &str = env!("CARGO_BIN_EXE_harp");

/// Kills harp when the test ends, even on failure.
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An HTTP origin answering `status` with its name as the body; stopping
/// it closes its listening socket (connections are then refused).
struct Origin {
    stop: Arc<AtomicBool>,
    done: Option<thread::JoinHandle<()>>,
}

impl Origin {
    fn start(port: u16, name: &'static str, status: &'static str) -> Origin {
        let l = bind_retry(port);
        l.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let st = stop.clone();
        let done = thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok((c, _)) => {
                        thread::spawn(move || answer(c, name, status));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
            // `l` is dropped here: the port refuses connections.
        });
        Origin {
            stop,
            done: Some(done),
        }
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(d) = self.done.take() {
            let _ = d.join();
        }
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.stop();
    }
}

fn bind_retry(port: u16) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(l) => return l,
            Err(e) => {
                assert!(Instant::now() < deadline, "cannot bind {port}: {e}");
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Read one request head (checks that only connect send nothing) and
/// answer it, closing the connection.
fn answer(mut c: TcpStream, name: &str, status: &str) {
    let _ = c.set_nonblocking(false);
    let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    let body = format!("{name}\n");
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = c.write_all(resp.as_bytes());
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Syslog datagrams received, with their arrival time.
#[derive(Clone)]
struct Syslog {
    port: u16,
    lines: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Syslog {
    fn start() -> Syslog {
        let s = UdpSocket::bind("127.0.0.1:0").expect("udp");
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .expect("udp timeout");
        let port = s.local_addr().expect("addr").port();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let l = lines.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Bounded: the receiver stops by itself after a minute.
            let end = Instant::now() + Duration::from_secs(60);
            while Instant::now() < end {
                if let Ok(n) = s.recv(&mut buf) {
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    if let Ok(mut v) = l.lock() {
                        v.push((Instant::now(), text));
                    }
                }
            }
        });
        Syslog { port, lines }
    }

    /// The first datagram whose message contains `needle`, waiting up to
    /// `limit`; returns its arrival time, priority and message.
    fn wait_for(&self, needle: &str, limit: Duration) -> Option<(Instant, String, String)> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(v) = self.lines.lock() {
                for (t, raw) in v.iter() {
                    if let Some(msg) = message(raw) {
                        if msg.contains(needle) {
                            let pri = raw[..raw.find('>').map_or(0, |i| i + 1)].to_string();
                            return Some((*t, pri, msg));
                        }
                    }
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    fn count(&self, needle: &str) -> usize {
        self.lines.lock().map_or(0, |v| {
            v.iter()
                .filter(|(_, raw)| message(raw).is_some_and(|m| m.contains(needle)))
                .count()
        })
    }
}

/// `<129>Nov 24 06:15:58 haproxy[9125]: text\n` → `text`.
fn message(raw: &str) -> Option<String> {
    let i = raw.find("]: ")?;
    Some(raw[i + 3..].trim_end_matches('\n').to_string())
}

/// `check duration: 12ms` → `check duration: Nms`.
fn no_duration(msg: &str) -> String {
    let key = "check duration: ";
    let Some(i) = msg.find(key) else {
        return msg.to_string();
    };
    let rest = &msg[i + key.len()..];
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    format!("{}{key}N{}", &msg[..i], &rest[digits..])
}

fn start_harp(cfg: &str, front: u16, tag: &str) -> (Proc, PathBuf) {
    let dir = std::env::temp_dir().join(format!("harp-chk-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, cfg).expect("write cfg");
    let err_path = dir.join("stderr");
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let child = Command::new(HARP)
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("start harp");
    let p = Proc(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", front)).is_err() {
        assert!(Instant::now() < deadline, "harp did not listen on {front}");
        thread::sleep(Duration::from_millis(20));
    }
    (p, err_path)
}

/// One request through harp: (status code, body).
fn get(port: u16) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    let code = raw
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (code, body.trim().to_string())
}

const INTER: u64 = 200;
const FALL: u64 = 3;
const RISE: u64 = 2;
/// Room for process scheduling on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(400);

fn config(syslog: u16, front: u16, servers: &str, extra: &str) -> String {
    format!(
        "global\n  log 127.0.0.1:{syslog} local0\n\
         defaults\n  mode http\n  log global\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n\
         frontend fe\n  bind 127.0.0.1:{front}\n  default_backend be\n\
         backend be\n  balance roundrobin\n{extra}{servers}"
    )
}

#[test]
fn stopped_origin_goes_down_then_up_again() {
    let syslog = Syslog::start();
    let (p1, p2, front) = (free_port(), free_port(), free_port());
    let mut o1 = Origin::start(p1, "s1", "200 OK");
    let _o2 = Origin::start(p2, "s2", "200 OK");
    let opts = format!("check inter {INTER} fall {FALL} rise {RISE}");
    let servers = format!("  server s1 127.0.0.1:{p1} {opts}\n  server s2 127.0.0.1:{p2} {opts}\n");
    let (_harp, _) = start_harp(&config(syslog.port, front, &servers, ""), front, "updown");

    // Both answer at first, and no state change is announced.
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20 {
        seen.insert(get(front).1);
        if seen.len() == 2 {
            break;
        }
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["s1", "s2"]);
    thread::sleep(Duration::from_millis(3 * INTER));
    assert_eq!(syslog.count("Server be/"), 0);

    // s1 stops listening: DOWN within fall × inter + one inter.
    o1.stop();
    let killed = Instant::now();
    let limit = Duration::from_millis((FALL + 1) * INTER) + SLACK;
    let (t_down, pri, msg) = syslog
        .wait_for("Server be/s1 is DOWN", limit)
        .expect("s1 marked DOWN in time");
    let down_after = t_down - killed;
    eprintln!(
        "s1 DOWN {} ms after its listener closed",
        down_after.as_millis()
    );
    assert!(down_after <= limit, "DOWN after {down_after:?}");
    assert!(
        down_after >= Duration::from_millis((FALL - 1) * INTER),
        "DOWN too early ({down_after:?}): fewer than {FALL} failed checks"
    );
    assert_eq!(pri, "<129>"); // local0.alert
    assert_eq!(
        no_duration(&msg),
        "Server be/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", \
         check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, \
         0 remaining in queue."
    );
    // Traffic no longer goes to s1.
    for _ in 0..10 {
        assert_eq!(get(front), (200, "s2".to_string()));
    }

    // s1 listens again on the same port: UP within rise × inter + one inter.
    let _o1 = Origin::start(p1, "s1", "200 OK");
    let restarted = Instant::now();
    let limit = Duration::from_millis((RISE + 1) * INTER) + SLACK;
    let (t_up, pri, msg) = syslog
        .wait_for("Server be/s1 is UP", limit)
        .expect("s1 marked UP in time");
    let up_after = t_up - restarted;
    eprintln!("s1 UP {} ms after it listened again", up_after.as_millis());
    assert!(up_after <= limit, "UP after {up_after:?}");
    assert_eq!(pri, "<133>"); // local0.notice
    assert_eq!(
        no_duration(&msg),
        "Server be/s1 is UP, reason: Layer4 check passed, check duration: Nms. \
         2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."
    );
    let mut back = false;
    for _ in 0..10 {
        if get(front).1 == "s1" {
            back = true;
            break;
        }
    }
    assert!(back, "traffic did not return to s1");
    // s2 never changed state, and the backend always had a server.
    assert_eq!(syslog.count("Server be/s2"), 0);
    assert_eq!(syslog.count("has no server available"), 0);
}

#[test]
fn http_check_expecting_200_marks_a_503_origin_down() {
    let syslog = Syslog::start();
    let (p1, front) = (free_port(), free_port());
    let _o1 = Origin::start(p1, "s1", "503 Service Unavailable");
    let servers = format!("  server s1 127.0.0.1:{p1} check inter {INTER} fall 1 rise 1\n");
    let extra = "  option httpchk GET /health\n  http-check expect status 200\n";
    let (_harp, stderr) = start_harp(&config(syslog.port, front, &servers, extra), front, "l7");
    let limit = Duration::from_millis(2 * INTER) + SLACK;
    let (_, pri, msg) = syslog
        .wait_for("Server be/s1 is DOWN", limit)
        .expect("s1 marked DOWN");
    assert_eq!(pri, "<129>");
    assert_eq!(
        no_duration(&msg),
        "Server be/s1 is DOWN, reason: Layer7 wrong status, code: 503, info: \"Service Unavailable\", \
         check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, \
         0 remaining in queue."
    );
    let (_, pri, msg) = syslog
        .wait_for("has no server available", limit)
        .expect("no server line");
    assert_eq!(pri, "<128>"); // local0.emerg
    assert_eq!(msg, "backend be has no server available!");
    // harp answers by itself now: HAProxy's 503, not the origin's body.
    let (code, body) = get(front);
    assert_eq!(code, 503);
    assert_ne!(body, "s1");
    // And says so on stderr as HAProxy does in the foreground.
    let err = std::fs::read_to_string(&stderr).unwrap_or_default();
    assert!(
        err.lines().any(|l| l.starts_with("[WARNING]  (")
            && l.contains(") : Server be/s1 is DOWN, reason: Layer7 wrong status, code: 503")),
        "stderr: {err}"
    );
    assert!(
        err.lines().any(|l| l.starts_with("[ALERT]    (")
            && l.ends_with(") : backend 'be' has no server available!")),
        "stderr: {err}"
    );
}

/// How a differential-test origin treats each connection.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Accept and never answer.
    Silent,
    /// Close at once.
    Closer,
    /// Say `hello world` and keep the connection open.
    Talker,
    /// Read a request, answer this status line and body, close.
    Http(&'static str, &'static str),
    /// Read, answer something that is not HTTP, close.
    Garbage,
}

/// Listens until dropped; connections are held until then too.
struct Scripted {
    stop: Arc<AtomicBool>,
}
impl Drop for Scripted {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn scripted(b: Behaviour) -> (u16, Scripted) {
    scripted_after(b, Duration::ZERO)
}

/// The same, listening only after `delay` (refusing until then).
fn scripted_after(b: Behaviour, delay: Duration) -> (u16, Scripted) {
    let port = free_port();
    let stop = Arc::new(AtomicBool::new(false));
    let st = stop.clone();
    let bound = Arc::new(AtomicBool::new(false));
    let ready = bound.clone();
    thread::spawn(move || {
        thread::sleep(delay);
        let l = bind_retry(port);
        l.set_nonblocking(true).expect("nonblocking");
        ready.store(true, Ordering::Relaxed);
        let end = Instant::now() + Duration::from_secs(30);
        while !st.load(Ordering::Relaxed) && Instant::now() < end {
            let Ok((mut c, _)) = l.accept() else {
                thread::sleep(Duration::from_millis(2));
                continue;
            };
            let st = st.clone();
            thread::spawn(move || {
                let _ = c.set_nonblocking(false);
                let _ = c.set_read_timeout(Some(Duration::from_millis(500)));
                let mut buf = [0u8; 2048];
                let hold = |st: &AtomicBool| {
                    let end = Instant::now() + Duration::from_secs(5);
                    while !st.load(Ordering::Relaxed) && Instant::now() < end {
                        thread::sleep(Duration::from_millis(10));
                    }
                };
                match b {
                    Behaviour::Silent => hold(&st),
                    Behaviour::Closer => {}
                    Behaviour::Talker => {
                        let _ = c.write_all(b"hello world\r\n");
                        hold(&st);
                    }
                    Behaviour::Http(status, body) => {
                        let _ = c.read(&mut buf);
                        let r = format!(
                            "HTTP/1.0 {status}\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = c.write_all(r.as_bytes());
                    }
                    Behaviour::Garbage => {
                        let _ = c.read(&mut buf);
                        let _ = c.write_all(b"garbage\r\n\r\n");
                    }
                }
            });
        }
    });
    if delay.is_zero() {
        while !bound.load(Ordering::Relaxed) {
            thread::sleep(Duration::from_millis(1));
        }
    }
    (port, Scripted { stop })
}

/// Server state lines of a run, pid and check durations blanked, sorted.
fn state_lines(stderr: &str) -> Vec<String> {
    let mut v: Vec<String> = stderr
        .lines()
        .filter(|l| {
            l.contains("Server ")
                || l.contains("has no server available")
                || l.contains("Health check for")
        })
        .filter(|l| l.starts_with("[WARNING]") || l.starts_with("[ALERT]"))
        .map(|l| {
            let l = no_duration(l);
            match (l.find('('), l.find(')')) {
                (Some(a), Some(b)) if a < b => format!("{}PID{}", &l[..=a], &l[b..]),
                _ => l,
            }
        })
        .collect();
    v.sort();
    v
}

/// Run `program -db -f cfg` for `secs`, returning its stderr.
fn run_for(program: &str, cfg: &str, tag: &str, time: Duration) -> String {
    let dir = std::env::temp_dir().join(format!("harp-chkdiff-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, cfg).expect("write cfg");
    let err_path = dir.join("stderr");
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let child = Command::new(program)
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("start");
    let p = Proc(child);
    thread::sleep(time);
    drop(p);
    let out = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// The same checks run by HAProxy 2.6 (the oracle) and by harp give the
/// same state lines: L4 refusals, wrong statuses, invalid responses,
/// timeouts, content matches, tcp-check steps, disable-on-404, backup
/// servers, `track` (chained too), `option log-health-checks`, and the
/// UP lines of origins that start late (and the end of a slow start).
#[test]
fn state_lines_match_haproxy() {
    let haproxy = "/usr/sbin/haproxy";
    assert!(
        std::path::Path::new(haproxy).exists(),
        "HAProxy 2.6 is the oracle here: apt-get install -y haproxy"
    );
    let closed = free_port();
    let (silent, _a) = scripted(Behaviour::Silent);
    let (closer, _b) = scripted(Behaviour::Closer);
    let (talker, _c) = scripted(Behaviour::Talker);
    let (s503, _d) = scripted(Behaviour::Http("503 Service Unavailable", "down"));
    let (s200, _e) = scripted(Behaviour::Http("200 OK", "one"));
    let (s404, _f) = scripted(Behaviour::Http("404 Not Found", "nf"));
    let (garbage, _g) = scripted(Behaviour::Garbage);
    // Origins that start listening later: DOWN first, then UP.
    let late = Duration::from_millis(500);
    let (late_http, _h) = scripted_after(Behaviour::Http("200 OK", "one"), late);
    let (late_talker, _i) = scripted_after(Behaviour::Talker, late);
    let srv = |name: &str, port: u16| {
        format!("  server {name} 127.0.0.1:{port} check inter 200 fall 1 rise 1\n")
    };
    let mut body = String::new();
    let mut be = |name: &str, lines: &str, servers: &[(&str, u16)]| {
        body.push_str(&format!("backend {name}\n{lines}"));
        for (n, p) in servers {
            body.push_str(&srv(n, *p));
        }
    };
    be("l4", "", &[("closed", closed), ("ok", s200)]);
    be(
        "h503",
        "  option httpchk GET /h\n",
        &[("bad", s503), ("ok", s200)],
    );
    be(
        "hgarbage",
        "  option httpchk\n",
        &[("bad", garbage), ("ok", s200)],
    );
    be(
        "hsilent",
        "  option httpchk\n",
        &[("bad", silent), ("ok", s200)],
    );
    be(
        "hstatus",
        "  option httpchk\n  http-check expect status 200\n",
        &[("bad", s503)],
    );
    be(
        "hnot",
        "  option httpchk\n  http-check expect ! string one\n",
        &[("bad", s200)],
    );
    be(
        "hre",
        "  option httpchk\n  http-check expect rstring ^x\n",
        &[("bad", s200)],
    );
    be(
        "h404",
        "  option httpchk\n  http-check disable-on-404\n",
        &[("nf", s404), ("ok", s200)],
    );
    be(
        "tnot",
        "  option tcp-check\n  tcp-check expect ! string hello\n",
        &[("bad", talker)],
    );
    be(
        "tempty",
        "  option tcp-check\n  tcp-check expect string ZZZ\n",
        &[("bad", closer)],
    );
    be(
        "trefused",
        "  option tcp-check\n  tcp-check send PING\n",
        &[("bad", closed)],
    );
    let connect = format!("  option tcp-check\n  tcp-check connect port {closed}\n");
    be("tport", &connect, &[("bad", s200)]);
    be(
        "tok",
        "  option tcp-check\n  tcp-check send hi\n  tcp-check expect string hello\n",
        &[("ok", talker)],
    );
    be("up_l4", "", &[("s", late_http)]);
    be("up_http", "  option httpchk\n", &[("s", late_http)]);
    let tcp = "  option tcp-check\n  tcp-check send hi\n  tcp-check expect string hello\n";
    be("up_tcp", tcp, &[("s", late_talker)]);
    let conn = "  option tcp-check\n  tcp-check connect\n";
    be("up_conn", conn, &[("s", late_talker)]);
    body.push_str(&format!(
        "backend up_slow\n  server s 127.0.0.1:{late_http} check inter 200 fall 1 rise 1 slowstart 1s\n"
    ));
    body.push_str(&format!(
        "backend trk\n{}  server tr 127.0.0.1:{s200} track bad\n{}\
         backend trk2\n  server x 127.0.0.1:{s200} track trk/bad\n  server y 127.0.0.1:{s200} track trk/tr\n",
        srv("bad", closed),
        srv("ok", s200)
    ));
    let listen = |front: u16| {
        format!(
            "listen li\n  bind 127.0.0.1:{front}\n  option httpchk\n  option log-health-checks\n{}  server b 127.0.0.1:{silent} check inter 200 fall 1 rise 1 backup\n",
            srv("a", closed),
        )
    };
    let cfg = |front: u16| {
        format!(
            "defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n  timeout check 300ms\n\
             {}{body}",
            listen(front)
        )
    };
    let time = Duration::from_millis(2200);
    let (f1, f2) = (free_port(), free_port());
    let (cfg1, cfg2) = (cfg(f1), cfg(f2));
    let oracle = thread::spawn(move || run_for(haproxy, &cfg1, "haproxy", time));
    let ours = run_for(HARP, &cfg2, "harp", time);
    let theirs = oracle.join().expect("oracle run");
    let (want, got) = (state_lines(&theirs), state_lines(&ours));
    assert!(want.len() >= 30, "HAProxy said too little: {theirs}");
    assert!(
        want.iter()
            .any(|l| l.contains("Health check for backup server li/b failed")),
        "no log-health-checks line from HAProxy: {theirs}"
    );
    assert!(
        want.iter().any(|l| l.contains("Server up_tcp/s is UP")),
        "no UP line from HAProxy: {theirs}"
    );
    assert!(
        want.iter()
            .any(|l| l.contains("Server up_slow/s is UP. 1 active")),
        "no slow start line from HAProxy: {theirs}"
    );
    // Every line HAProxy printed, harp printed too, word for word. On a
    // loaded machine one side may fit in one more check before the end of
    // the window, so extra `Health check for ...` repeats are allowed.
    let missing: Vec<&String> = want.iter().filter(|l| !got.contains(l)).collect();
    assert!(
        missing.is_empty(),
        "lines HAProxy printed and harp did not: {missing:#?}\nharp stderr:\n{ours}"
    );
    let extra: Vec<&String> = got
        .iter()
        .filter(|l| !want.contains(l) && !l.contains("Health check for"))
        .collect();
    assert!(extra.is_empty(), "lines only harp printed: {extra:#?}");
}
