//! Running HAProxy 2.6 as a test oracle (never used by harp itself).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const HAPROXY: &str = "/usr/sbin/haproxy";
pub const SEP: &str = "~~";

/// Kills the oracle when the test ends, however it ends.
pub struct Oracle(Child);

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("harp-sample-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

/// Start haproxy on `cfg` and wait (bounded) until it accepts.
pub fn start(cfg: &Path, port: u16) -> Oracle {
    let child = Command::new(HAPROXY)
        .arg("-db")
        .arg("-f")
        .arg(cfg)
        .env("TZ", "UTC")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start haproxy: {e}"));
    let oracle = Oracle(child);
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return oracle;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("haproxy did not start listening on port {port}");
}

/// Send one raw request; the whole response and the addresses used.
pub fn exchange(port: u16, raw: &str) -> (String, SocketAddr, SocketAddr) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let local = s.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let peer = s.peer_addr().unwrap_or_else(|e| panic!("{e}"));
    s.write_all(raw.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    (String::from_utf8_lossy(&buf).into_owned(), local, peer)
}

/// Send one raw request; the response body and the addresses used.
pub fn send(port: u16, raw: &str) -> (String, SocketAddr, SocketAddr) {
    let (text, local, peer) = exchange(port, raw);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_else(|| panic!("no response body in {text:?}"));
    (body, local, peer)
}

/// A tiny HTTP/1 server answering each connection with the response
/// `pick` chooses from the request text; serves at most `max` connections
/// (bounded: the thread ends with the test).
pub fn backend(pick: fn(&str) -> &'static str, max: usize) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = l
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::spawn(move || {
        for conn in l.incoming().take(max) {
            let Ok(mut c) = conn else { continue };
            let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
            let mut req: Vec<u8> = Vec::new();
            let mut buf = [0u8; 4096];
            // HTTP: up to the end of the headers; anything else: one read.
            while !req.windows(4).any(|w| w == b"\r\n\r\n")
                && (req.is_empty() || req[0].is_ascii_uppercase())
            {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let _ = c.write_all(pick(&String::from_utf8_lossy(&req)).as_bytes());
        }
    });
    port
}
