//! HAProxy 2.6's request-head checks and normalisations, compared with
//! `harp::http::validate`: static verdicts captured from haproxy 2.6.12,
//! then (when /usr/sbin/haproxy exists; required on CI) replayed live.

mod http;

use std::time::Duration;

use harp::http::errors::raw;
use harp::http::validate::{validate_request_head, Limits as VLimits};
use http::{available, Haproxy, Scratch};

/// Requests and whether haproxy accepts them (200 from `return`) or
/// answers 400/422 itself.
const REQUESTS: &[&str] = &[
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\n",
    "GET /\r\n\r\n",
    "GET / HTTP/1.2\r\nHost: x\r\n\r\n",
    "GET / HTTP/1.10\r\nHost: x\r\n\r\n",
    "GET / http/1.1\r\nHost: x\r\n\r\n",
    "GET / HTTX/1.1\r\nHost: x\r\n\r\n",
    "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
    "get / HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET  /  HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /a\"b HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET a HTTP/1.1\r\nHost: x\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    "CONNECT x.com:443 HTTP/1.1\r\nHost: x.com:443\r\n\r\n",
    "GET http://a.com/p HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "GET http://a.com/p HTTP/1.1\r\nHost: b.com\r\n\r\n",
    "GET http://a.com/p HTTP/1.1\r\n\r\n",
    "GET http://a.com:80/p HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "GET http://a.com/p HTTP/1.1\r\nHost: a.com:80\r\n\r\n",
    "GET http://a.com?q HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "GET http://u@a.com/ HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "GET http:/a.com/ HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nHost: A\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\n: novalue\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nName : v\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nX-Ctl: a\x01b\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n  b\r\n\r\n",
    "GET / HTTP/1.1\nHost: x\nX-A: b\n\n",
    "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    " GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
    "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
    "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\nabc",
    "POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc",
    "POST / HTTP/1.1\r\nContent-Length: \r\n\r\nabc",
    "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\nabc",
    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc",
    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc",
    "POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\nabc",
    "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    "CONNECT a.com:80 HTTP/1.1\r\nHost: a.com:80\r\n\r\n",
    "CONNECT a.com:443 HTTP/1.1\r\nHost: b.com\r\n\r\n",
    "CONNECT a.com:443 HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "CONNECT a.com HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "CONNECT /x HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "GET http://a.com:8080/p HTTP/1.1\r\nHost: a.com\r\n\r\n",
    "GET https://a.com:80/p HTTP/1.1\r\nHost: a.com:80\r\n\r\n",
    "GET http:// HTTP/1.1\r\n\r\n",
    "GET http:///p HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c, websocket\r\nConnection: upgrade\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: foo\r\nConnection: upgrade\r\n\r\n",
];

/// What haproxy answered (captured 2.6.12): 200 = accepted.
const VERDICTS: &[u16] = &[
    200, 200, 400, 200, 400, 400, 400, 400, 200, 200, 400, 200, 400, 200, 200, 200, 400, 200, 200,
    200, 400, 200, 400, 400, 200, 400, 400, 400, 400, 200, 200, 200, 200, 400, 200, 200, 400, 400,
    400, 400, 400, 200, 400, 422, 400, 200, 400, 400, 200, 400, 200, // CONNECT...
    200, 400, 200, 400, 400, 400, 200, 200, 200, 200, 400, 200,
];

fn our_verdict(req: &str) -> u16 {
    match validate_request_head(req.as_bytes(), &VLimits::default()) {
        Ok(_) => 200,
        Err(e) => e.status(),
    }
}

#[test]
fn request_validation_static() {
    assert_eq!(REQUESTS.len(), VERDICTS.len());
    for (req, want) in REQUESTS.iter().zip(VERDICTS) {
        assert_eq!(our_verdict(req), *want, "{req:?}");
    }
}

#[test]
fn request_validation_live() {
    if !available() {
        return;
    }
    let sc = Scratch::new("validate");
    let hp = Haproxy::start(
        &sc,
        "frontend f\n  bind 127.0.0.1:@PORT@\n  http-request return status 200\n",
    );
    for req in REQUESTS {
        let got = hp.exchange(req.as_bytes(), Duration::from_millis(1200));
        let status: u16 = http::show(&got)
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        assert_eq!(our_verdict(req), status, "{req:?}\n{}", http::show(&got));
        if status != 200 {
            assert_eq!(got, raw(status).unwrap(), "{req:?}");
        }
    }
}

#[test]
fn request_size_limits_live() {
    let uri = |n: usize| format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(n));
    let hdr = |n: usize| format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(n));
    let name = |n: usize| format!("GET / HTTP/1.1\r\nX{}: v\r\n\r\n", "a".repeat(n));
    // Boundaries found by bisection against haproxy 2.6.12 with defaults.
    let cases = [
        (uri(15263), 200),
        (uri(15264), 400),
        (hdr(15250), 200),
        (hdr(15251), 400),
        (name(254), 200),
        (name(255), 400),
    ];
    for (req, want) in &cases {
        assert_eq!(our_verdict(req), *want, "len {}", req.len());
    }
    if !available() {
        return;
    }
    let sc = Scratch::new("limits");
    let hp = Haproxy::start(
        &sc,
        "frontend f\n  bind 127.0.0.1:@PORT@\n  http-request return status 200\n",
    );
    for (req, want) in &cases {
        let got = hp.exchange(req.as_bytes(), Duration::from_millis(1200));
        assert!(
            http::show(&got).starts_with(&format!("HTTP/1.1 {want} ")),
            "len {}",
            req.len()
        );
    }
}

/// Accepted requests as haproxy forwards them to a server (captured by a
/// fake server that echoes the head it received as its body).
const FORWARDED: &[&str] = &[
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET / HTTP/1.2\r\nHost: x\r\n\r\n",
    "GET  /  HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n  b\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nX-Sp:   a b  \r\nX-Tab:\tv\t\r\nX-Empty:\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, Foo, close\r\n\r\n",
    "GET http://a.com:80/p HTTP/1.1\r\nHost: a.com:80\r\n\r\n",
    "GET http://a.com/p HTTP/1.1\r\nHost: a.com:80\r\n\r\n",
    "GET https://a.com:443/p HTTP/1.1\r\nHost: a.com:443\r\n\r\n",
    "GET http://[::1]:80/p HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
    "GET http://a.com:80 HTTP/1.1\r\n\r\n",
    "CONNECT a.com:443 HTTP/1.1\r\nHost: a.com:443\r\n\r\n",
    "CONNECT a.com:8443 HTTP/1.1\r\nHost: a.com:8443\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
];

#[test]
fn forwarded_heads_static() {
    let n = |r: &str| validate_request_head(r.as_bytes(), &VLimits::default()).unwrap();
    assert_eq!(
        http::show(&n(FORWARDED[3]).forwarded_head()),
        "GET / HTTP/1.1\r\nhost: x\r\nx-fold: a    b\r\n\r\n"
    );
    assert_eq!(
        http::show(&n(FORWARDED[7]).forwarded_head()),
        "GET http://a.com/p HTTP/1.1\r\nhost: a.com\r\n\r\n"
    );
    assert_eq!(
        http::show(&n(FORWARDED[12]).forwarded_head()),
        "CONNECT a.com:443 HTTP/1.1\r\nhost: a.com\r\n\r\n"
    );
}

#[test]
fn forwarded_heads_live() {
    if !available() {
        return;
    }
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let n = FORWARDED.len();
    std::thread::spawn(move || {
        for _ in 0..n {
            let Ok((mut c, _)) = l.accept() else { return };
            let _ = c.set_read_timeout(Some(Duration::from_secs(1)));
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => head.extend_from_slice(&buf[..k]),
                }
            }
            let end = head
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(head.len(), |p| p + 4);
            let body = &head[..end];
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = c.write_all(resp.as_bytes());
            let _ = c.write_all(body);
        }
    });
    let sc = Scratch::new("forward");
    let hp = Haproxy::start(
        &sc,
        &format!("frontend f\n  bind 127.0.0.1:@PORT@\n  default_backend b\nbackend b\n  server s 127.0.0.1:{port}\n"),
    );
    for req in FORWARDED {
        let mut bytes = req.as_bytes().to_vec();
        if req.starts_with("POST") {
            bytes.extend_from_slice(if req.contains("chunked") {
                b"3\r\nabc\r\n0\r\n\r\n"
            } else {
                b"abc"
            });
        }
        let got = hp.exchange(&bytes, Duration::from_secs(3));
        let got = http::show(&got);
        let body = got.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let ours = validate_request_head(req.as_bytes(), &VLimits::default()).unwrap();
        assert_eq!(body, http::show(&ours.forwarded_head()), "{req:?}");
    }
}

#[test]
fn prefixes_of_accepted_heads_are_incomplete() {
    use harp::http::validate::HaproxyError;
    for req in REQUESTS
        .iter()
        .zip(VERDICTS)
        .filter(|(_, v)| **v == 200)
        .map(|(r, _)| r)
    {
        let n = validate_request_head(req.as_bytes(), &VLimits::default()).unwrap();
        for cut in 0..n.head_len {
            let got = validate_request_head(&req.as_bytes()[..cut], &VLimits::default());
            assert_eq!(got, Err(HaproxyError::Incomplete), "{:?}", &req[..cut]);
        }
    }
}

#[test]
fn mutated_input_never_panics() {
    use harp::http::errorfile::{parse_message, Limits};
    // A small deterministic generator (no extra dependency).
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let seeds: Vec<&[u8]> = REQUESTS
        .iter()
        .map(|r| r.as_bytes())
        .chain([&b"HTTP/1.1 503 X\r\nContent-Length: 2\r\nConnection: close, x\r\n\r\nok"[..]])
        .collect();
    let alphabet = b"\r\n :,/?@[]%\x00\x7f\xffHTTP/1.0chunked";
    let mut accepted = 0;
    for i in 0..20_000u64 {
        let seed = seeds[(next() % seeds.len() as u64) as usize];
        let mut m = seed.to_vec();
        for _ in 0..(1 + next() % 4) {
            let pos = (next() % (m.len() as u64 + 1)) as usize;
            let byte = alphabet[(next() % alphabet.len() as u64) as usize];
            match next() % 3 {
                0 if pos < m.len() => m[pos] = byte,
                1 => m.insert(pos, byte),
                _ => m.truncate(pos),
            }
        }
        if validate_request_head(&m, &VLimits::default()).is_ok() {
            accepted += 1;
        }
        let _ = parse_message(&m, &Limits::default());
        if i % 5000 == 0 {
            // The head parser must also survive a response parse of a request.
            let _ = parse_message(seed, &Limits::default());
        }
    }
    // Mutations keep some requests valid and break others.
    assert!(accepted > 100 && accepted < 19_900, "accepted {accepted}");
}

#[test]
fn size_limits_follow_tune_settings_live() {
    let limits = VLimits {
        bufsize: 8192,
        maxrewrite: 512,
        maxhdr: 20,
    };
    let verdict = |req: &str| match validate_request_head(req.as_bytes(), &limits) {
        Ok(_) => 200,
        Err(e) => e.status(),
    };
    // Room = 8192 - 512 - 69 = 7611 internal bytes: a URI of n bytes in
    // "GET /<n> HTTP/1.1" takes 8 + 3 + (n + 1) + 8 + 8 (end of headers).
    let uri = |n: usize| format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(n));
    let hdrs = |n: usize| {
        let mut s = String::from("GET / HTTP/1.1\r\n");
        for i in 0..n {
            s.push_str(&format!("X-{i}: v\r\n"));
        }
        s + "\r\n"
    };
    let cases = [
        (uri(7583), 200),
        (uri(7584), 400),
        (hdrs(19), 200),
        (hdrs(20), 400),
    ];
    for (req, want) in &cases {
        assert_eq!(verdict(req), *want, "len {}", req.len());
    }
    if !available() {
        return;
    }
    let sc = Scratch::new("tune");
    let hp = Haproxy::start(
        &sc,
        "global\n  tune.bufsize 8192\n  tune.maxrewrite 512\n  tune.http.maxhdr 20\nfrontend f\n  bind 127.0.0.1:@PORT@\n  http-request return status 200\n",
    );
    for (req, want) in &cases {
        let got = hp.exchange(req.as_bytes(), Duration::from_millis(1200));
        assert!(
            http::show(&got).starts_with(&format!("HTTP/1.1 {want} ")),
            "len {}: {}",
            req.len(),
            http::show(&got)
        );
    }
}
