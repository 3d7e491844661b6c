use super::*;
use crate::checks::plan::plan;
use crate::config::model::{HttpCheck, ProxySettings};
use std::io::{Read, Write};

fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// A server answering every connection with `reply` (after reading once
/// when `read_first`), or holding it open silently when `reply` is None.
fn serve(reply: Option<&'static [u8]>, read_first: bool) -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let a = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in l.incoming().take(4) {
            let Ok(mut c) = c else { return };
            if read_first {
                let mut b = [0u8; 1024];
                let _ = c.read(&mut b);
            }
            match reply {
                Some(r) => {
                    let _ = c.write_all(r);
                }
                None => held.push(c),
            }
        }
    });
    a
}

/// A server that resets every connection once it has read from it.
fn resetter() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let a = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        for c in l.incoming().take(2) {
            let Ok(mut c) = c else { return };
            let mut b = [0u8; 1024];
            let _ = c.read(&mut b);
            let _ = socket2::SockRef::from(&c).set_linger(Some(Duration::ZERO));
        }
    });
    a
}

fn t(ms: u64, after: Option<u64>) -> CheckTimeouts {
    CheckTimeouts {
        connect: Duration::from_millis(ms),
        once_connected: after.map(Duration::from_millis),
    }
}

fn httpchk(rules: &[&[&str]]) -> Kind {
    plan(&ProxySettings {
        check_type: Some("httpchk".into()),
        httpchk: Some(HttpCheck {
            method: "GET".into(),
            uri: "/".into(),
            version: "HTTP/1.0".into(),
            rules: rules
                .iter()
                .map(|r| r.iter().map(|w| w.to_string()).collect())
                .collect(),
        }),
        ..ProxySettings::default()
    })
    .kind
}

fn tcpcheck(rules: &[&[&str]]) -> Kind {
    plan(&ProxySettings {
        check_type: Some("tcp-check".into()),
        tcp_check: Some(
            rules
                .iter()
                .map(|r| r.iter().map(|w| w.to_string()).collect())
                .collect(),
        ),
        ..ProxySettings::default()
    })
    .kind
}

#[test]
fn timeouts_follow_the_manual() {
    assert_eq!(
        CheckTimeouts::new(Some(5000), Some(300), 2000),
        t(2000, Some(300))
    );
    assert_eq!(
        CheckTimeouts::new(Some(1000), Some(300), 2000),
        t(1000, Some(300))
    );
    assert_eq!(CheckTimeouts::new(Some(1000), None, 2000), t(2000, None));
    assert_eq!(
        CheckTimeouts::new(None, Some(300), 2000),
        t(2000, Some(300))
    );
}

#[tokio::test]
async fn layer4_results() {
    let r = probe(&Kind::Connect, closed_port(), t(500, None)).await;
    assert_eq!(r.status, CheckStatus::L4Con);
    assert_eq!(r.info.as_deref(), Some("Connection refused"));
    let up = serve(Some(b""), false);
    let r = probe(&Kind::Connect, up, t(500, None)).await;
    assert_eq!((r.status, r.info), (CheckStatus::L4Ok, None));
}

#[tokio::test]
async fn http_results() {
    let a = serve(
        Some(b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"),
        true,
    );
    let r = probe(&httpchk(&[&["expect", "status", "200"]]), a, t(500, None)).await;
    assert_eq!(r.status, CheckStatus::L7Sts);
    assert_eq!(r.outcome().code, Some(503));
    assert_eq!(r.info.as_deref(), Some("Service Unavailable"));
    let a = serve(
        Some(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        true,
    );
    let r = probe(&httpchk(&[]), a, t(500, None)).await;
    assert_eq!((r.status, r.code), (CheckStatus::L7Ok, Some(200)));
    // Silent server: L7 timeout after `timeout check`, not `inter`.
    let a = serve(None, false);
    let r = probe(&httpchk(&[]), a, t(3000, Some(150))).await;
    assert_eq!((r.status, r.info.as_deref()), (CheckStatus::L7Tout, None));
    assert!(r.duration >= Duration::from_millis(150), "{:?}", r.duration);
    assert!(r.duration < Duration::from_millis(1000), "{:?}", r.duration);
    // Closed without an answer: invalid response.
    let a = serve(Some(b""), true);
    let r = probe(&httpchk(&[]), a, t(500, None)).await;
    assert_eq!((r.status, r.info), (CheckStatus::L7Rsp, None));
    let r = probe(&httpchk(&[]), closed_port(), t(500, None)).await;
    assert_eq!(r.info.as_deref(), Some("Connection refused"));
    // A reset once connected: HAProxy's "Socket error".
    let r = probe(&httpchk(&[]), resetter(), t(500, None)).await;
    assert_eq!(r.status, CheckStatus::SockErr);
    assert_eq!(r.info.as_deref(), Some("Connection reset by peer"));
    let k = tcpcheck(&[&["send", "x"], &["expect", "string", "y"]]);
    let r = probe(&k, resetter(), t(500, None)).await;
    assert_eq!(r.status, CheckStatus::SockErr);
    assert_eq!(
        r.info.as_deref(),
        Some("Connection reset by peer at step 2 of tcp-check (expect string 'y')")
    );
}

#[tokio::test]
async fn tcp_check_results() {
    let a = serve(Some(b"+PONG\r\n"), true);
    let k = tcpcheck(&[&["send", "PING\r\n"], &["expect", "string", "+PONG"]]);
    let r = probe(&k, a, t(500, None)).await;
    assert_eq!(r.status, CheckStatus::L7Ok);
    assert_eq!(r.outcome().code, Some(0));
    assert_eq!(r.info.as_deref(), Some("(tcp-check)"));
    let a = serve(Some(b"-ERR\r\n"), true);
    let k = tcpcheck(&[&["send", "PING\r\n"], &["expect", "string", "+PONG"]]);
    let r = probe(&k, a, t(500, None)).await;
    assert_eq!(r.status, CheckStatus::L7Rsp);
    assert_eq!(
        r.info.as_deref(),
        Some("TCPCHK did not match content '+PONG' at step 2")
    );
    let r = probe(&k, closed_port(), t(500, None)).await;
    assert_eq!(
        r.info.as_deref(),
        Some("Connection refused at initial connection step of tcp-check")
    );
    let port = closed_port().port();
    let port_s = port.to_string();
    let k = tcpcheck(&[&["connect", "port", &port_s]]);
    let a = serve(Some(b""), false);
    let r = probe(&k, a, t(500, None)).await;
    assert_eq!(
        r.info,
        Some(format!(
            "Connection refused at step 1 of tcp-check (connect port {port})"
        ))
    );
    let a = serve(None, false);
    let k = tcpcheck(&[&["expect", "string", "ZZZ"]]);
    let r = probe(&k, a, t(200, Some(50))).await;
    assert_eq!(r.status, CheckStatus::L7Tout);
    assert_eq!(
        r.info.as_deref(),
        Some(" at step 1 of tcp-check (expect string 'ZZZ')")
    );
    // The connect deadline covers tcp-check sequences whole, even after a
    // send, as HAProxy 2.6 does.
    assert!(r.duration >= Duration::from_millis(200), "{:?}", r.duration);
    let a = serve(None, false);
    let k = tcpcheck(&[&["send", "hi"], &["expect", "string", "ZZZ"]]);
    let r = probe(&k, a, t(300, Some(50))).await;
    assert_eq!(
        r.info.as_deref(),
        Some(" at step 2 of tcp-check (expect string 'ZZZ')")
    );
    assert!(r.duration >= Duration::from_millis(300), "{:?}", r.duration);
}
