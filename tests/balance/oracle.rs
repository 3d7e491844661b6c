//! Running HAProxy 2.6 as an oracle for server selection: one process,
//! several frontend/backend pairs on 127.0.0.1 high ports, where each
//! "server" is a HAProxy frontend answering its own name.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const HAPROXY: &str = "/usr/sbin/haproxy";
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A running HAProxy, killed (and its files removed) when dropped, so a
/// failing assertion never leaves it behind.
pub struct Oracle {
    child: Child,
    dir: PathBuf,
    pub base: u16,
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A pseudo-random base port in 20000..60000 from the clock and pid.
fn random_base(attempt: u32) -> u16 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mix = nanos ^ std::process::id().wrapping_mul(2_654_435_761) ^ attempt.wrapping_mul(40503);
    20000 + (mix % 400) as u16 * 100
}

fn ports_free(base: u16, count: u16) -> bool {
    (0..count).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok())
}

impl Oracle {
    /// Start HAProxy with the config `make(base, socket_path)` returns,
    /// using ports base..base+`count`. Retries on other ports if it cannot
    /// start. Panics (failing the test) if HAProxy is not installed.
    pub fn start(count: u16, make: impl Fn(u16, &str) -> String) -> Oracle {
        assert!(
            std::path::Path::new(HAPROXY).exists(),
            "{HAPROXY} is required: apt-get install -y haproxy"
        );
        let mut last_err = String::new();
        for attempt in 0..8 {
            let base = random_base(attempt);
            if !ports_free(base, count) {
                continue;
            }
            let dir =
                std::env::temp_dir().join(format!("harp-balance-{}-{base}", std::process::id()));
            let _ = std::fs::create_dir_all(&dir);
            let sock = dir.join("admin.sock");
            let cfg = dir.join("haproxy.cfg");
            let text = make(base, &sock.to_string_lossy());
            if std::fs::write(&cfg, &text).is_err() {
                continue;
            }
            let child = Command::new(HAPROXY)
                .arg("-db")
                .arg("-f")
                .arg(&cfg)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn();
            let Ok(child) = child else {
                last_err = "spawn failed".into();
                continue;
            };
            let mut o = Oracle { child, dir, base };
            if o.wait_ready(&sock) {
                return o;
            }
            last_err = o.stderr_text();
        }
        panic!("haproxy did not start: {last_err}");
    }

    fn stderr_text(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut s = String::new();
        if let Some(e) = self.child.stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    }

    /// Ready once the admin socket answers.
    fn wait_ready(&mut self, sock: &std::path::Path) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if UnixStream::connect(sock).is_ok() {
                return true;
            }
            thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Send one command on the admin socket; returns its answer.
    pub fn admin(&self, cmd: &str) -> String {
        let Ok(mut s) = UnixStream::connect(self.dir.join("admin.sock")) else {
            return String::new();
        };
        let _ = s.set_read_timeout(Some(IO_TIMEOUT));
        let _ = s.write_all(format!("{cmd}\n").as_bytes());
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }
}

/// Send raw request bytes on a new connection from `src` (a loopback
/// address) to 127.0.0.1:`port`; returns the response body.
pub fn send_raw(port: u16, src: Option<Ipv4Addr>, req: &[u8]) -> String {
    let Some(mut s) = connect(port, src) else {
        return "<connect failed>".into();
    };
    let _ = s.set_read_timeout(Some(IO_TIMEOUT));
    let _ = s.set_write_timeout(Some(IO_TIMEOUT));
    if s.write_all(req).is_err() {
        return "<write failed>".into();
    }
    read_body(s)
}

fn connect(port: u16, src: Option<Ipv4Addr>) -> Option<TcpStream> {
    let dst = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
    let Some(ip) = src else {
        return TcpStream::connect_timeout(&dst, IO_TIMEOUT).ok();
    };
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).ok()?;
    sock.bind(&SocketAddr::V4(SocketAddrV4::new(ip, 0)).into())
        .ok()?;
    sock.connect_timeout(&dst.into(), IO_TIMEOUT).ok()?;
    Some(sock.into())
}

/// Read a whole HTTP/1.0 response and return its body.
pub fn read_body(mut s: TcpStream) -> String {
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    match text.split_once("\r\n\r\n") {
        Some((_, body)) => body.trim().to_string(),
        None => format!("<bad response: {text:?}>"),
    }
}

/// Open a request without waiting for its answer (for `balance first`,
/// where connections must overlap).
pub fn open(port: u16, target: &str) -> Option<TcpStream> {
    let mut s = connect(port, None)?;
    let _ = s.set_read_timeout(Some(IO_TIMEOUT));
    s.write_all(format!("GET {target} HTTP/1.0\r\n\r\n").as_bytes())
        .ok()?;
    Some(s)
}

/// Servers that answer their name after a delay, so that connections
/// overlap (for `balance first` and maxconn). Stopped when dropped.
pub struct SlowServers {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl SlowServers {
    /// Listen on 127.0.0.1:`ports[i]`, answering `s{i+1}` after `delay`.
    /// Each listener stops by itself after 30 s at the latest.
    pub fn start(ports: &[u16], delay: Duration) -> SlowServers {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        for (i, &port) in ports.iter().enumerate() {
            let Ok(l) = TcpListener::bind(("127.0.0.1", port)) else {
                continue;
            };
            let _ = l.set_nonblocking(true);
            let stop = stop.clone();
            threads.push(thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(30);
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    match l.accept() {
                        Ok((mut c, _)) => {
                            thread::spawn(move || {
                                let _ = c.set_nonblocking(false);
                                let _ = c.set_read_timeout(Some(IO_TIMEOUT));
                                let mut buf = [0u8; 4096];
                                let mut got = Vec::new();
                                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                                    match c.read(&mut buf) {
                                        Ok(0) | Err(_) => return,
                                        Ok(n) => got.extend_from_slice(&buf[..n]),
                                    }
                                }
                                thread::sleep(delay);
                                let body = format!("s{}", i + 1);
                                let _ = c.write_all(
                                    format!(
                                        "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                                        body.len()
                                    )
                                    .as_bytes(),
                                );
                            });
                        }
                        Err(_) => thread::sleep(Duration::from_millis(10)),
                    }
                }
            }));
        }
        SlowServers { stop, threads }
    }
}

impl Drop for SlowServers {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
