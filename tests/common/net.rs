#![allow(dead_code)] // each test crate uses a different subset
//! Loopback helpers shared by the traffic tests: free and refusing ports,
//! waiting for a listener, and a child process killed when dropped.

use std::net::{TcpListener, TcpStream};
use std::process::Child;
use std::thread;
use std::time::{Duration, Instant};

/// Kills the child when the test ends, even on failure.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nothing listens on right now (the test binds it next).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A port where connections are refused for the whole test: bound but not
/// listening, so no other process can take it meanwhile.
pub fn refusing_port() -> (socket2::Socket, u16) {
    let s =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    let addr: std::net::SocketAddr = "127.0.0.1:0".parse().expect("addr");
    s.bind(&addr.into()).expect("bind");
    let port = s
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map(|a| a.port())
        .expect("port");
    (s, port)
}

/// Wait (at most 10 s) until something accepts connections on `port`.
pub fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `program -db -f cfg` (harp, or HAProxy as the oracle) with its
/// output discarded; the guard kills it when the test ends.
pub fn start_quiet(program: &str, cfg: &std::path::Path) -> Proc {
    let child = std::process::Command::new(program)
        .arg("-db")
        .arg("-f")
        .arg(cfg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e} (scripts/test.sh installs haproxy)"));
    Proc(child)
}

/// A loopback origin: every accepted connection goes to `serve` on its own
/// thread. Dropping it stops the accept loop (a last connect wakes it).
pub struct Origin {
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

pub fn spawn_origin<F>(serve: F) -> Origin
where
    F: Fn(TcpStream) + Send + Clone + 'static,
{
    use std::sync::atomic::{AtomicBool, Ordering};
    let l = TcpListener::bind("127.0.0.1:0").expect("bind origin");
    let port = l.local_addr().expect("addr").port();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let st = stop.clone();
    thread::spawn(move || {
        for conn in l.incoming() {
            if st.load(Ordering::Relaxed) {
                return;
            }
            let Ok(conn) = conn else { continue };
            let serve = serve.clone();
            thread::spawn(move || serve(conn));
        }
    });
    Origin { port, stop }
}
