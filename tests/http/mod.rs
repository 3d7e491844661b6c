//! A live HAProxy 2.6 used as the oracle for HTTP responses: started on a
//! free local port with a given configuration, killed on drop.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const HAPROXY: &str = "/usr/sbin/haproxy";

/// True when the oracle can run. On CI (`CI` set) a missing haproxy is a
/// failure, not a skip.
pub fn available() -> bool {
    let ok = Path::new(HAPROXY).exists();
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "haproxy is required on CI"
    );
    ok
}

/// A scratch directory for config and errorfiles, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("harp-http-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
    pub fn file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write scratch file");
        p.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

pub struct Haproxy {
    child: Child,
    pub port: u16,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const DEFAULTS: &str = "defaults\n  mode http\n  timeout client 5s\n  timeout server 2s\n  timeout connect 1s\n  timeout http-request 1s\n";

impl Haproxy {
    /// Start haproxy with `body` (sections after `defaults`); the string
    /// `@PORT@` is replaced by the frontend port.
    pub fn start(scratch: &Scratch, body: &str) -> Haproxy {
        let port = free_port();
        let cfg = format!("{DEFAULTS}{}", body.replace("@PORT@", &port.to_string()));
        let path = scratch.file("haproxy.cfg", cfg.as_bytes());
        let child = Command::new(HAPROXY)
            .args(["-db", "-f", &path])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn haproxy");
        let mut hp = Haproxy { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return hp;
            }
            if let Ok(Some(st)) = hp.child.try_wait() {
                panic!("haproxy exited: {st}\n{cfg}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = hp.child.kill();
        panic!("haproxy did not listen on {port}");
    }

    /// Send `req` and read until the connection closes (or `wait` passes).
    /// Stops early once a response with a content-length is complete.
    pub fn exchange(&self, req: &[u8], wait: Duration) -> Vec<u8> {
        self.exchange_mode(req, wait, true, false)
    }

    fn exchange_mode(&self, req: &[u8], wait: Duration, early: bool, shut: bool) -> Vec<u8> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        s.write_all(req).expect("send");
        if shut {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        let mut buf = [0u8; 65536];
        while Instant::now() < deadline {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if early && complete(&out) {
                        break;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        out
    }

    /// Send `req` and read everything until the connection closes.
    pub fn exchange_all(&self, req: &[u8], wait: Duration) -> Vec<u8> {
        self.exchange_mode(req, wait, false, false)
    }

    /// Send `req`, shut the write side, read until close.
    pub fn exchange_shut(&self, req: &[u8], wait: Duration) -> Vec<u8> {
        self.exchange_mode(req, wait, false, true)
    }

    /// GET `path` over HTTP/1.1 with `Connection: close`.
    pub fn get_close(&self, path: &str) -> Vec<u8> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: x.org\r\nConnection: close\r\n\r\n");
        self.exchange(req.as_bytes(), Duration::from_secs(3))
    }
}

/// A whole response with a content-length has arrived (responses without
/// one, or to HEAD, end with the connection or the wait).
fn complete(b: &[u8]) -> bool {
    let Some(end) = b.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&b[..end]).to_ascii_lowercase();
    let cl = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    cl.is_some_and(|n| b.len() >= end + 4 + n)
}

/// `haproxy -c -f cfg`: its combined output.
pub fn check(scratch: &Scratch, body: &str) -> String {
    let cfg = format!("{DEFAULTS}{}", body.replace("@PORT@", "1"));
    let path = scratch.file("check.cfg", cfg.as_bytes());
    let out = Command::new(HAPROXY)
        .args(["-c", "-f", &path])
        .output()
        .expect("run haproxy -c");
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    s
}

/// Printable form for assertion messages.
pub fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
