//! Starting and replacing harp as HAProxy users do: `daemon`/-D with a
//! pid file, then a new process with `-sf <old pid>` taking over.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

const HARP: &str = env!("CARGO_BIN_EXE_harp");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn alive(pid: i32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

/// Kills the pids it holds when the test ends, even on failure.
struct Pids(Vec<i32>);
impl Drop for Pids {
    fn drop(&mut self) {
        for &p in &self.0 {
            let _ = Command::new("kill").arg("-9").arg(p.to_string()).status();
        }
    }
}

fn read_pid(path: &std::path::Path) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(s) = std::fs::read_to_string(path) {
            if let Ok(p) = s.trim().parse() {
                return p;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no pid file at {}",
            path.display()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

fn status_of(port: u16) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    s.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.lines().next().map(String::from)
}

#[test]
fn daemon_pidfile_and_soft_finish_handover() {
    let dir = std::env::temp_dir().join(format!("harp-proc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let (p1, p2) = (free_port(), free_port());
    let cfg = |port: u16| {
        format!(
            "global\n daemon\ndefaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
             frontend f\n bind 127.0.0.1:{port}\n monitor-uri /health\n default_backend b\n\
             backend b\n server s 127.0.0.1:1\n"
        )
    };
    let (c1, c2) = (dir.join("one.cfg"), dir.join("two.cfg"));
    std::fs::write(&c1, cfg(p1)).expect("write");
    std::fs::write(&c2, cfg(p2)).expect("write");
    let (pf1, pf2) = (dir.join("one.pid"), dir.join("two.pid"));
    let mut guard = Pids(Vec::new());

    // `daemon` in global: the command returns once the daemon listens.
    let st = Command::new(HARP)
        .args(["-f"])
        .arg(&c1)
        .arg("-p")
        .arg(&pf1)
        .status()
        .expect("start");
    assert!(st.success());
    let old = read_pid(&pf1);
    guard.0.push(old);
    assert!(alive(old));
    assert_eq!(status_of(p1).as_deref(), Some("HTTP/1.1 200 OK"));

    // A new process asks the old one to finish (-sf): it stops listening
    // and, with no connection left, exits.
    let st = Command::new(HARP)
        .arg("-f")
        .arg(&c2)
        .arg("-p")
        .arg(&pf2)
        .arg("-sf")
        .arg(old.to_string())
        .status()
        .expect("start new");
    assert!(st.success());
    let new = read_pid(&pf2);
    guard.0.push(new);
    assert_eq!(status_of(p2).as_deref(), Some("HTTP/1.1 200 OK"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(old) {
        assert!(
            Instant::now() < deadline,
            "old process {old} did not leave after -sf"
        );
        thread::sleep(Duration::from_millis(20));
    }
    assert!(status_of(p1).is_none(), "old listener still open");
    assert!(alive(new));
}

#[test]
fn a_bind_error_fails_the_start_with_haproxys_words() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = std::env::temp_dir().join(format!("harp-bind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let c = dir.join("busy.cfg");
    std::fs::write(
        &c,
        format!(
            "defaults\n mode http\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n\
             frontend busy\n bind 127.0.0.1:{port}\n monitor-uri /h\n"
        ),
    )
    .expect("write");
    // SO_REUSEADDR does not allow two listeners on one port: the start fails.
    let out = Command::new(HARP)
        .arg("-db")
        .arg("-f")
        .arg(&c)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("Starting frontend busy: cannot bind socket (Address already in use) [127.0.0.1:{port}]")),
        "{err}"
    );
}
