//! HAProxy 2.6's own responses, compared byte for byte with what
//! `harp::http` builds. Each test checks static literals captured from
//! haproxy 2.6.12, then (when /usr/sbin/haproxy exists; required on CI)
//! replays the situation against a live haproxy.

mod http;

use std::time::Duration;

use harp::http::errorfile::{load, Limits};
use harp::http::errors::{
    auth_challenge, auth_is_proxy, builtin, on_client_shutdown, on_request_timeout, raw, STATUSES,
};
use harp::http::h1::{client_keep_alive, write, Exchange};
use harp::http::resolve::{ErrorSet, Source};
use http::{available, Haproxy, Scratch};

fn close_exchange() -> Exchange {
    Exchange {
        req_version_11: true,
        keep_alive: false,
        head: false,
    }
}

#[test]
fn builtin_messages_static() {
    let w = write(&builtin(503).unwrap(), &Exchange::http11());
    assert_eq!(
        http::show(&w.bytes),
        "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
    );
    let w = write(&builtin(400).unwrap(), &Exchange::http11());
    assert!(!w.keep_alive);
    assert_eq!(
        http::show(&w.bytes),
        "HTTP/1.1 400 Bad request\r\ncontent-length: 90\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n"
    );
    let lens: Vec<usize> = STATUSES
        .iter()
        .map(|&s| builtin(s).unwrap().body.len())
        .collect();
    assert_eq!(
        lens,
        [58, 90, 112, 93, 83, 146, 112, 110, 114, 106, 104, 116, 80, 117, 97, 136, 107, 107, 92]
    );
}

#[test]
fn builtin_messages_live() {
    if !available() {
        return;
    }
    let sc = Scratch::new("builtin");
    let mut cfg = String::from("frontend f\n  bind 127.0.0.1:@PORT@\n");
    for s in STATUSES {
        cfg.push_str(&format!(
            "  http-request deny deny_status {s} if {{ path /{s} }}\n"
        ));
    }
    let hp = Haproxy::start(&sc, &cfg);
    for s in STATUSES {
        let got = hp.get_close(&format!("/{s}"));
        let want = write(&builtin(s).unwrap(), &close_exchange()).bytes;
        assert_eq!(http::show(&got), http::show(&want), "status {s}");
    }
    // HTTP/1.0 with keep-alive, and HEAD.
    let got = hp.exchange(
        b"GET /403 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        Duration::from_millis(1500),
    );
    let ex = Exchange {
        req_version_11: false,
        keep_alive: client_keep_alive(false, false, true),
        head: false,
    };
    assert_eq!(
        http::show(&got),
        http::show(&write(&builtin(403).unwrap(), &ex).bytes)
    );
    let got = hp.exchange(
        b"HEAD /503 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        Duration::from_secs(2),
    );
    let ex = Exchange {
        head: true,
        ..close_exchange()
    };
    assert_eq!(
        http::show(&got),
        http::show(&write(&builtin(503).unwrap(), &ex).bytes)
    );
}

#[test]
fn situations_live() {
    if !available() {
        return;
    }
    let sc = Scratch::new("situations");
    let dead = http::free_port();
    let hp = Haproxy::start(
        &sc,
        &format!(
            "frontend f\n  bind 127.0.0.1:@PORT@\n  monitor-uri /mon\n  http-request auth if {{ path /auth }}\n  http-request auth realm \"My Realm\" if {{ path /auth2 }}\n  use_backend refused if {{ path /refused }}\n  default_backend nosrv\nbackend nosrv\nbackend refused\n  retries 0\n  server s 127.0.0.1:{dead}\n"
        ),
    );
    let cases: Vec<(&str, harp::http::Response)> = vec![
        ("/mon", builtin(200).unwrap()),
        ("/auth", auth_challenge("f", false).unwrap()),
        ("/auth2", auth_challenge("My Realm", false).unwrap()),
        ("/nosrv", builtin(503).unwrap()),
        ("/refused", builtin(503).unwrap()),
    ];
    for (path, resp) in cases {
        let got = hp.get_close(path);
        assert_eq!(
            http::show(&got),
            http::show(&write(&resp, &close_exchange()).bytes),
            "{path}"
        );
    }
    // The mux's own answers: raw built-in messages, errorfiles ignored.
    let got = hp.exchange(b"garbage\r\n\r\n", Duration::from_secs(2));
    assert_eq!(got, raw(400).unwrap());
    let got = hp.exchange(b"GET / HTTP/1.1\r\n", Duration::from_secs(3));
    assert_eq!(got, raw(408).unwrap());
}

#[test]
fn errorfiles_live() {
    if !available() {
        return;
    }
    let sc = Scratch::new("errorfiles");
    let f400 = sc.file(
        "e400.http",
        b"HTTP/1.0 400 Custom Bad\r\nX-Mixed-Case: Yes\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nbad\n",
    );
    let f403 = sc.file(
        "e403.http",
        b"HTTP/1.1 403 Nope\r\nX-A: 1\r\nConnection: close\r\nContent-Length: 5\r\nX-B: 2\r\n\r\nnope\n",
    );
    let f410 = sc.file(
        "e410.http",
        b"HTTP/1.1 410 CK\r\nX-Before: 1\r\nConnection: Keep-Alive, Foo\r\nContent-Length: 3\r\n\r\nab\n",
    );
    let f503 = sc.file(
        "e503.http",
        b"HTTP/1.1 503 Busy\r\nContent-Type: text/plain\r\n\r\nbusy body no length\n",
    );
    let sources = vec![
        Source::Errorfile {
            status: 400,
            path: f400.clone(),
        },
        Source::Errorfile {
            status: 403,
            path: f403.clone(),
        },
        Source::Errorfile {
            status: 410,
            path: f410.clone(),
        },
        Source::Errorfile {
            status: 503,
            path: f503.clone(),
        },
        Source::Errorloc {
            status: 404,
            code: 302,
            url: "http://example.com/notfound".into(),
        },
        Source::Errorloc {
            status: 429,
            code: 303,
            url: "/gone?x=1".into(),
        },
    ];
    let set = ErrorSet::build("f", &sources, &[], &Limits::default()).unwrap();
    let hp = Haproxy::start(
        &sc,
        &format!(
            "frontend f\n  bind 127.0.0.1:@PORT@\n  errorfile 400 {f400}\n  errorfile 403 {f403}\n  errorfile 410 {f410}\n  errorfile 503 {f503}\n  errorloc 404 http://example.com/notfound\n  errorloc303 429 /gone?x=1\n{}  default_backend nosrv\nbackend nosrv\n",
            [400, 403, 404, 410, 429]
                .map(|s| format!("  http-request deny deny_status {s} if {{ path /{s} }}\n"))
                .concat()
        ),
    );
    for s in [400u16, 403, 404, 410, 429, 503] {
        let want_resp = set.reply(s).unwrap().to_static().unwrap();
        for (req, ex) in [
            (
                format!("GET /{s} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                close_exchange(),
            ),
            (
                format!("GET /{s} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
                Exchange {
                    req_version_11: false,
                    keep_alive: true,
                    head: false,
                },
            ),
        ] {
            let got = hp.exchange(req.as_bytes(), Duration::from_millis(1500));
            let want = write(&want_resp, &ex).bytes;
            assert_eq!(http::show(&got), http::show(&want), "status {s}, {req:?}");
        }
    }
}

#[test]
fn errorfile_diagnostics_match_haproxy_c() {
    let sc = Scratch::new("efcheck");
    let cases: [(&str, &[u8]); 8] = [
        ("garbage", b"garbage\n"),
        ("request", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        (
            "chunked",
            b"HTTP/1.1 503 X\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ),
        ("short", b"HTTP/1.1 503 X\r\nContent-Length: 100\r\n\r\nabc"),
        (
            "dupcl",
            b"HTTP/1.1 503 X\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        ),
        ("s100", b"HTTP/1.1 100 Continue\r\n\r\n"),
        ("badhdr", b"HTTP/1.1 503 X\r\nBad Header: 2\r\n\r\nok"),
        ("nohdrend", b"HTTP/1.1 503 X\r\nContent-Length: 2\r\n"),
    ];
    let expected_static = [
        "unable to parse headers (error offset: 0)",
        "unable to parse headers (error offset: 4)",
        "chunk-encoded payload not supported",
        "payload size does not match the announced content-length (3 != 100)",
        "unable to parse headers (error offset: 51)",
        "invalid http status code for an error message (100)",
        "unable to parse headers (error offset: 19)",
        "unable to parse headers (error offset: -2)",
    ];
    let live = available();
    for ((name, bytes), tail) in cases.iter().zip(expected_static) {
        let path = sc.file(&format!("{name}.http"), bytes);
        let ours = load("errorfile", &path, &Limits::default())
            .unwrap_err()
            .to_string();
        assert_eq!(ours, format!("errorfile : '{path}': {tail}"));
        if live {
            let out = http::check(
                &sc,
                &format!("frontend f\n  bind 127.0.0.1:@PORT@\n  errorfile 503 {path}\n"),
            );
            assert!(
                out.contains(&format!(
                    ": parsing [{}:9] : {ours}\n",
                    sc.0.join("check.cfg").display()
                )),
                "{name}: ours {ours:?}\nhaproxy:\n{out}"
            );
        }
    }
}

#[test]
fn server_side_errors_live() {
    if !available() {
        return;
    }
    use std::io::Write;
    let silent = fake_server(1, |_| std::thread::sleep(Duration::from_secs(2)));
    let partial = fake_server(1, |c| {
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Len");
    });
    let garbage = fake_server(1, |c| {
        let _ = c.write_all(b"garbage garbage\r\n\r\n");
    });
    let closes = fake_server(1, |_| {});
    let sc = Scratch::new("server");
    let hp = Haproxy::start(
        &sc,
        &format!(
            "frontend f\n  bind 127.0.0.1:@PORT@\n  timeout tarpit 300ms\n  option http-use-proxy-header\n\
  http-request tarpit if {{ path /tarpit }}\n  http-request tarpit deny_status 429 if {{ path /tarpit429 }}\n\
  http-request auth realm R if {{ path_end /auth }}\n\
  use_backend silent if {{ path /silent }}\n  use_backend partial if {{ path /partial }}\n\
  use_backend garbage if {{ path /garbage }}\n  use_backend closes if {{ path /closes }}\n\
backend silent\n  timeout server 300ms\n  server s 127.0.0.1:{silent}\n\
backend partial\n  server s 127.0.0.1:{partial}\n\
backend garbage\n  server s 127.0.0.1:{garbage}\n\
backend closes\n  retries 0\n  server s 127.0.0.1:{closes}\n"
        ),
    );
    let cases = [
        ("/tarpit", builtin(500).unwrap()),
        ("/tarpit429", builtin(429).unwrap()),
        ("/silent", builtin(504).unwrap()),
        ("/partial", builtin(502).unwrap()),
        ("/garbage", builtin(502).unwrap()),
        ("/closes", builtin(502).unwrap()),
        (
            "/auth",
            auth_challenge("R", auth_is_proxy(true, "/auth")).unwrap(),
        ),
    ];
    for (path, resp) in cases {
        let got = hp.get_close(path);
        assert_eq!(
            http::show(&got),
            http::show(&write(&resp, &close_exchange()).bytes),
            "{path}"
        );
    }
    let got = hp.exchange(
        b"GET http://a.com/auth HTTP/1.1\r\nHost: a.com\r\nConnection: close\r\n\r\n",
        Duration::from_secs(2),
    );
    let want = auth_challenge("R", auth_is_proxy(true, "http://a.com/auth")).unwrap();
    assert_eq!(want.status, 407);
    assert_eq!(
        http::show(&got),
        http::show(&write(&want, &close_exchange()).bytes)
    );
}

#[test]
fn model_error_settings_live() {
    use harp::config::build::load_bytes;
    use harp::config::reader::ConfigEnv;
    use harp::http::resolve::for_proxy;
    let sc = Scratch::new("model");
    let fa = sc.file(
        "a.http",
        b"HTTP/1.1 403 FileA\r\nContent-Length: 1\r\n\r\nA",
    );
    let fb = sc.file(
        "b.http",
        b"HTTP/1.1 503 FileB\r\nContent-Length: 1\r\n\r\nB",
    );
    let fc = sc.file(
        "c.http",
        b"HTTP/1.1 404 FileC\r\nContent-Length: 1\r\n\r\nC",
    );
    let fd = sc.file(
        "d.http",
        b"HTTP/1.1 403 FileD\r\nContent-Length: 1\r\n\r\nD",
    );
    // In the order sources_from_settings assumes: sections, errorfile,
    // errorloc, http-error.
    let body = format!(
        "http-errors sec\n  errorfile 403 {fa}\n  errorfile 503 {fb}\n\
frontend f\n  bind 127.0.0.1:@PORT@\n  errorfile 404 {fc}\n  errorfiles sec\n  errorfile 403 {fd}\n\
  errorloc303 410 /gone\n  http-error status 429 content-type text/plain string \"slow down\" hdr x-h v\n\
  http-error status 500\n\
{}  default_backend nosrv\nbackend nosrv\n",
        [403, 404, 410, 429, 500]
            .map(|s| format!("  http-request deny deny_status {s} if {{ path /{s} }}\n"))
            .concat()
    );
    let text = format!("{}{}", http::DEFAULTS, body.replace("@PORT@", "1"));
    let loaded = load_bytes("t.cfg", text.as_bytes(), &mut ConfigEnv::default());
    let model = loaded.model.expect("model");
    let proxy = model.proxy("f").expect("proxy f");
    let set = for_proxy(&model, proxy, &Limits::default()).expect("error set");
    let statuses = [403u16, 404, 410, 429, 500, 503];
    let wants: Vec<Vec<u8>> = statuses
        .iter()
        .map(|&s| {
            write(
                &set.reply(s).unwrap().to_static().unwrap(),
                &close_exchange(),
            )
            .bytes
        })
        .collect();
    assert!(http::show(&wants[0]).starts_with("HTTP/1.1 403 FileD\r\n"));
    assert!(http::show(&wants[3]).ends_with("x-h: v\r\ncontent-length: 9\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nslow down"));
    assert_eq!(
        http::show(&wants[4]),
        "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    if !available() {
        return;
    }
    let hp = Haproxy::start(&sc, &body);
    for (s, want) in statuses.iter().zip(&wants) {
        let got = hp.get_close(&format!("/{s}"));
        assert_eq!(http::show(&got), http::show(want), "status {s}");
    }
}

#[test]
fn request_timeouts_live() {
    assert_eq!(on_request_timeout(true, 0), raw(408));
    assert_eq!(on_request_timeout(false, 0), None);
    assert_eq!(on_request_timeout(false, 16), raw(408));
    assert_eq!(on_client_shutdown(false, 16), raw(400));
    assert_eq!(on_client_shutdown(false, 0), None);
    if !available() {
        return;
    }
    let sc = Scratch::new("timeouts");
    let hp = Haproxy::start(&sc, "frontend f\n  bind 127.0.0.1:@PORT@\n  timeout http-request 300ms\n  http-request return status 200\n");
    let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec();
    let wait = Duration::from_secs(2);
    assert_eq!(
        hp.exchange_all(b"", wait),
        on_request_timeout(true, 0).unwrap()
    );
    assert_eq!(
        hp.exchange_all(b"\r\n", wait),
        on_request_timeout(true, 2).unwrap()
    );
    let req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_eq!(hp.exchange_all(req, wait), ok);
    let mut two = req.to_vec();
    two.extend_from_slice(b"GET / HTTP/1.1\r\n");
    let mut want = ok.clone();
    want.extend(on_request_timeout(false, 16).unwrap());
    assert_eq!(hp.exchange_all(&two, wait), want);
    assert_eq!(
        hp.exchange_shut(b"GET / HTTP/1.1\r\n", wait),
        on_client_shutdown(true, 16).unwrap()
    );
    assert_eq!(
        hp.exchange_shut(b"", wait),
        on_client_shutdown(true, 0).unwrap()
    );
    // A complete request then a shutdown: the answer, then nothing.
    let mut want = ok.clone();
    want.extend(on_client_shutdown(false, 0).unwrap_or_default());
    assert_eq!(hp.exchange_shut(req, wait), want);
}

/// A fake server on a free port: for each of `n` connections, read the
/// request then act.
fn fake_server(n: usize, act: fn(&mut std::net::TcpStream)) -> u16 {
    use std::io::Read;
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for _ in 0..n {
            let Ok((mut c, _)) = l.accept() else { return };
            let _ = c.set_read_timeout(Some(Duration::from_secs(1)));
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            act(&mut c);
        }
    });
    port
}

#[test]
fn backend_then_frontend_errors_live() {
    use harp::http::resolve::pick;
    let sc = Scratch::new("pick");
    let fa = sc.file(
        "a.http",
        b"HTTP/1.1 503 FileA\r\nContent-Length: 1\r\n\r\nA",
    );
    let fb = sc.file(
        "b.http",
        b"HTTP/1.1 503 FileB\r\nContent-Length: 1\r\n\r\nB",
    );
    let set = |p: &str| {
        let srcs = [503, 403].map(|status| Source::Errorfile {
            status,
            path: p.to_owned(),
        });
        ErrorSet::build("x", &srcs, &[], &Limits::default()).unwrap()
    };
    let (fe, be, empty) = (set(&fa), set(&fb), ErrorSet::default());
    let bytes =
        |r: harp::http::resolve::Reply| write(&r.to_static().unwrap(), &close_exchange()).bytes;
    let cases = [
        ("/x", bytes(pick(Some(&be), &fe, 503).unwrap())),
        ("/fdeny", bytes(pick(None, &fe, 403).unwrap())),
        ("/bdeny", bytes(pick(Some(&be), &fe, 403).unwrap())),
        ("/b2", bytes(pick(Some(&empty), &fe, 503).unwrap())),
    ];
    assert!(http::show(&cases[3].1).starts_with("HTTP/1.1 503 FileA"));
    if !available() {
        return;
    }
    let hp = Haproxy::start(
        &sc,
        &format!(
            "frontend f\n  bind 127.0.0.1:@PORT@\n  errorfile 503 {fa}\n  errorfile 403 {fa}\n\
  http-request deny if {{ path /fdeny }}\n  use_backend b2 if {{ path /b2 }}\n  default_backend b\n\
backend b\n  errorfile 503 {fb}\n  errorfile 403 {fb}\n  http-request deny if {{ path /bdeny }}\nbackend b2\n"
        ),
    );
    for (path, want) in &cases {
        assert_eq!(http::show(&hp.get_close(path)), http::show(want), "{path}");
    }
}

#[test]
fn unusual_errorfiles_live() {
    use harp::http::errorfile::ErrorMessage;
    let sc = Scratch::new("unusual");
    let empty = sc.file("empty.http", b"");
    let h2 = sc.file("h2.http", b"HTTP/2.0 503 X\r\n\r\nok");
    let lf = sc.file("lf.http", b"HTTP/1.1 503 X\nContent-Length: 2\n\nok");
    let noreason = sc.file("nr.http", b"HTTP/1.1 503\r\n\r\n");
    let limits = Limits::default();
    assert_eq!(
        load("errorfile", &empty, &limits).unwrap(),
        ErrorMessage::Silent
    );
    let msg = |p: &str| match load("errorfile", p, &limits).unwrap() {
        ErrorMessage::Response(r) => write(&r, &Exchange::http11()).bytes,
        ErrorMessage::Silent => Vec::new(),
    };
    let cases = [
        (502, empty.clone(), Vec::new()),
        (503, h2.clone(), msg(&h2)),
        (504, lf.clone(), msg(&lf)),
        (500, noreason.clone(), msg(&noreason)),
    ];
    assert_eq!(
        http::show(&cases[1].2),
        "HTTP/1.1 503 X\r\nconnection: close\r\n\r\nok"
    );
    assert_eq!(
        http::show(&cases[3].2),
        "HTTP/1.1 503 \r\nconnection: close\r\n\r\n"
    );
    if !available() {
        return;
    }
    let mut cfg = String::from("frontend f\n  bind 127.0.0.1:@PORT@\n");
    for (s, p, _) in &cases {
        cfg.push_str(&format!(
            "  errorfile {s} {p}\n  http-request deny deny_status {s} if {{ path /{s} }}\n"
        ));
    }
    let hp = Haproxy::start(&sc, &cfg);
    for (s, _, want) in &cases {
        let got = hp.exchange(
            format!("GET /{s} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
            Duration::from_millis(1500),
        );
        assert_eq!(http::show(&got), http::show(want), "{s}");
    }
}
