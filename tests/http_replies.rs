//! Redirects and replies (`redirect`, `http-request return`, deny/tarpit
//! with reply arguments) as HAProxy 2.6 sends them, compared byte for byte
//! with `harp::http`: static literals captured from haproxy 2.6.12, then
//! (when /usr/sbin/haproxy exists; required on CI) replayed live.

mod http;

use std::time::Duration;

use harp::http::h1::{write, Exchange};
use harp::http::redirect::{self, Redirect, RequestView, Target};
use harp::http::ret;
use http::{available, Haproxy, Scratch};

fn close_exchange() -> Exchange {
    Exchange {
        req_version_11: true,
        keep_alive: false,
        head: false,
    }
}

#[test]
fn redirects_and_returns_live() {
    // Static: the captured bytes of two cases.
    let r = Redirect::new(Target::Location("/new".into()));
    let req = RequestView {
        uri: "/loc",
        host: Some("x.org"),
    };
    assert_eq!(
        http::show(&write(&redirect::response(&r, &req), &Exchange::http11()).bytes),
        "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /new\r\ncache-control: no-cache\r\n\r\n"
    );
    if !available() {
        return;
    }
    let sc = Scratch::new("redirect");
    let body = sc.file("body.txt", b"raw file body\n");
    let mut rules = Vec::new();
    let mut cfg = String::from("frontend f\n  bind 127.0.0.1:@PORT@\n");
    let mut add = |path: &str, line: &str, r: Option<Redirect>| {
        cfg.push_str(&format!(
            "  http-request {line} if {{ path_beg /{path} }}\n"
        ));
        rules.push((path.to_owned(), r));
    };
    let mk = |t: Target, code: u16, dq: bool, sl: bool| Redirect {
        code,
        drop_query: dq,
        append_slash: sl,
        ..Redirect::new(t)
    };
    add(
        "l301",
        "redirect location http://ex.com/a code 301",
        Some(mk(
            Target::Location("http://ex.com/a".into()),
            301,
            false,
            false,
        )),
    );
    add(
        "l303",
        "redirect location /x code 303",
        Some(mk(Target::Location("/x".into()), 303, false, false)),
    );
    add(
        "l307",
        "redirect location /x code 307",
        Some(mk(Target::Location("/x".into()), 307, false, false)),
    );
    add(
        "l308",
        "redirect location /x code 308",
        Some(mk(Target::Location("/x".into()), 308, false, false)),
    );
    add(
        "pre",
        "redirect prefix http://pre.com",
        Some(mk(
            Target::Prefix("http://pre.com".into()),
            302,
            false,
            false,
        )),
    );
    add(
        "pdq",
        "redirect prefix http://pre.com drop-query",
        Some(mk(
            Target::Prefix("http://pre.com".into()),
            302,
            true,
            false,
        )),
    );
    add(
        "slash",
        "redirect prefix / append-slash",
        Some(mk(Target::Prefix("/".into()), 302, false, true)),
    );
    add(
        "sch",
        "redirect scheme https",
        Some(mk(Target::Scheme("https".into()), 302, false, false)),
    );
    add(
        "sd",
        "redirect scheme https drop-query append-slash",
        Some(mk(Target::Scheme("https".into()), 302, true, true)),
    );
    let mut cookie = mk(Target::Location("/c".into()), 302, false, false);
    cookie.set_cookie = Some("SEEN=1".into());
    add(
        "cookie",
        "redirect location /c set-cookie SEEN=1",
        Some(cookie),
    );
    let mut clear = mk(Target::Location("/c".into()), 302, false, false);
    clear.clear_cookie = Some("SEEN".into());
    add(
        "clear",
        "redirect location /c clear-cookie SEEN",
        Some(clear),
    );
    add("r0", "return", None);
    add(
        "rs",
        "return status 200 content-type text/plain string \"hello world\"",
        None,
    );
    add(
        "rfile",
        &format!("return status 200 content-type text/plain file {body}"),
        None,
    );
    add("rh", "return status 404 hdr X-Only 1", None);
    add("r204", "return status 204", None);
    let returns = [
        ("r0", ret::build(200, None, b"", &[])),
        (
            "rs",
            ret::build(200, Some("text/plain"), b"hello world", &[]),
        ),
        (
            "rfile",
            ret::build(200, Some("text/plain"), b"raw file body\n", &[]),
        ),
        (
            "rh",
            ret::build(404, None, b"", &[("X-Only".into(), "1".into())]),
        ),
        ("r204", ret::build(204, None, b"", &[])),
    ];
    let hp = Haproxy::start(&sc, &cfg);
    for (path, r) in &rules {
        let uri = format!("/{path}/a?q=1");
        let got = hp.get_close(&uri);
        let resp = match r {
            Some(r) => redirect::response(
                r,
                &RequestView {
                    uri: &uri,
                    host: Some("x.org"),
                },
            ),
            None => returns
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, r)| r.clone())
                .unwrap(),
        };
        assert_eq!(
            http::show(&got),
            http::show(&write(&resp, &close_exchange()).bytes),
            "{path}"
        );
    }
}

#[test]
fn redirect_from_absolute_uri_live() {
    let prefix = Redirect::new(Target::Prefix("http://pre.com".into()));
    let scheme = Redirect::new(Target::Scheme("https".into()));
    let cases = [
        ("/pre/x?q", "GET http://a.com/pre/x?q HTTP/1.1\r\nHost: a.com\r\nConnection: close\r\n\r\n", &prefix, "http://a.com/pre/x?q", Some("a.com")),
        ("/sch/x?q", "GET http://a.com:8080/sch/x?q HTTP/1.1\r\nHost: a.com:8080\r\nConnection: close\r\n\r\n", &scheme, "http://a.com:8080/sch/x?q", Some("a.com:8080")),
        ("/sch", "GET /sch HTTP/1.0\r\n\r\n", &scheme, "/sch", None),
    ];
    let wants: Vec<Vec<u8>> = cases
        .iter()
        .map(|(_, raw, r, uri, host)| {
            let ex = Exchange {
                req_version_11: !raw.contains("HTTP/1.0"),
                keep_alive: false,
                head: false,
            };
            write(
                &redirect::response(r, &RequestView { uri, host: *host }),
                &ex,
            )
            .bytes
        })
        .collect();
    assert!(http::show(&wants[0]).contains("\r\nlocation: http://pre.com/pre/x?q\r\n"));
    assert!(http::show(&wants[1]).contains("\r\nlocation: https://a.com:8080/sch/x?q\r\n"));
    if !available() {
        return;
    }
    let sc = Scratch::new("absredirect");
    let hp = Haproxy::start(
        &sc,
        "frontend f\n  bind 127.0.0.1:@PORT@\n  http-request redirect prefix http://pre.com if { path_beg /pre }\n  http-request redirect scheme https if { path_beg /sch }\n",
    );
    for ((path, raw, ..), want) in cases.iter().zip(&wants) {
        let got = hp.exchange(raw.as_bytes(), Duration::from_secs(2));
        assert_eq!(http::show(&got), http::show(want), "{path}");
    }
}

#[test]
fn deny_and_tarpit_with_reply_arguments_live() {
    let hx = [("x-a".to_owned(), "b".to_owned())];
    let wants = [
        ("/a", ret::build(403, Some("text/plain"), b"no", &hx)),
        ("/b", ret::build(429, None, b"", &hx)),
        ("/c", ret::build(500, Some("text/plain"), b"slow", &[])),
        (
            "/d",
            ret::build(
                200,
                Some("text/plain"),
                b"x",
                &[
                    ("Content-Type".into(), "foo/bar".into()),
                    ("content-length".into(), "99".into()),
                    ("connection".into(), "close".into()),
                ],
            ),
        ),
    ];
    assert_eq!(
        http::show(&write(&wants[1].1, &Exchange::http11()).bytes),
        "HTTP/1.1 429 Too Many Requests\r\nx-a: b\r\ncontent-length: 0\r\n\r\n"
    );
    if !available() {
        return;
    }
    let sc = Scratch::new("denyargs");
    let hp = Haproxy::start(
        &sc,
        "frontend f\n  bind 127.0.0.1:@PORT@\n  timeout tarpit 200ms\n\
  http-request deny content-type text/plain string \"no\" hdr x-a b if { path /a }\n\
  http-request deny deny_status 429 hdr x-a b if { path /b }\n\
  http-request tarpit content-type text/plain string \"slow\" if { path /c }\n\
  http-request return status 200 content-type text/plain string \"x\" hdr Content-Type foo/bar hdr content-length 99 hdr connection close if { path /d }\n",
    );
    for (path, resp) in &wants {
        // Keep-alive request: only a `close` in the reply itself ends it.
        let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        let got = hp.exchange(req.as_bytes(), Duration::from_secs(2));
        assert_eq!(
            http::show(&got),
            http::show(&write(resp, &Exchange::http11()).bytes),
            "{path}"
        );
    }
}
