use super::*;
use crate::config::model::HttpCheck;

fn words(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| w.to_string()).collect()
}

fn httpchk(method: &str, uri: &str, version: &str, rules: &[&[&str]]) -> ProxySettings {
    ProxySettings {
        check_type: Some("httpchk".into()),
        httpchk: Some(HttpCheck {
            method: method.into(),
            uri: uri.into(),
            version: version.into(),
            rules: rules.iter().map(|r| words(r)).collect(),
        }),
        ..ProxySettings::default()
    }
}

fn http(p: &Plan) -> &HttpPlan {
    match &p.kind {
        Kind::Http(h) => h,
        other => panic!("not http: {other:?}"),
    }
}

#[test]
fn default_request_is_options_http10() {
    let p = plan(&httpchk("OPTIONS", "/", "HTTP/1.0", &[]));
    assert_eq!(http(&p).request, b"OPTIONS / HTTP/1.0\r\n\r\n");
    assert!(http(&p).expects.is_empty());
    assert!(p.ignored.is_empty());
}

#[test]
fn headers_hidden_in_the_version_as_haproxy_sends_them() {
    let p = plan(&httpchk(
        "HEAD",
        "/health",
        "HTTP/1.1\r\nHost: example.com",
        &[],
    ));
    assert_eq!(
        http(&p).request,
        b"HEAD /health HTTP/1.1\r\nhost: example.com\r\nconnection: close\r\n\r\n"
    );
    assert!(http(&p).head);
}

#[test]
fn http_check_send_overrides_and_adds() {
    let p = plan(&httpchk(
        "GET",
        "/x",
        "HTTP/1.0",
        &[
            &[
                "send", "meth", "POST", "uri", "/y", "ver", "HTTP/1.1", "hdr", "Host", "foo",
                "body", "hi",
            ],
            &["expect", "!", "rstatus", "^5"],
            &["disable-on-404"],
            &["send-state"],
        ],
    ));
    let h = http(&p);
    assert_eq!(
        String::from_utf8_lossy(&h.request),
        "POST /y HTTP/1.1\r\nhost: foo\r\nconnection: close\r\ncontent-length: 2\r\n\r\nhi"
    );
    assert!(h.disable_on_404);
    assert_eq!(h.expects.len(), 1);
    assert!(h.expects[0].negate);
    assert_eq!(
        p.ignored,
        ["'http-check send-state' is not supported by this harp build"]
    );
}

#[test]
fn expect_options_and_errors() {
    let p = plan(&httpchk(
        "OPTIONS",
        "/",
        "HTTP/1.0",
        &[
            &[
                "expect",
                "comment",
                "bad",
                "error-status",
                "L7OKC",
                "status",
                "200-299,404",
            ],
            &["expect", "!string", "down"],
            &["expect", "status", "abc"],
            &["expect", "hdr", "name", "x"],
            &["expect", "rstring", "("],
        ],
    ));
    let h = http(&p);
    assert_eq!(h.expects.len(), 2);
    let e = &h.expects[0];
    assert_eq!(e.comment.as_deref(), Some("bad"));
    assert_eq!(e.error_status, Some(CheckStatus::L7OkC));
    assert!(matches!(&e.pattern, Pattern::Status(l) if l == &vec![(200, 299), (404, 404)]));
    assert!(h.expects[1].negate);
    assert_eq!(p.ignored.len(), 3);
    assert_eq!(
        p.ignored[0],
        "'http-check expect': invalid status code list 'abc'"
    );
    assert_eq!(
        p.ignored[1],
        "'http-check expect': 'hdr' is not supported by this harp build"
    );
}

#[test]
fn tcp_check_sequence_gets_an_implicit_connect() {
    let s = ProxySettings {
        check_type: Some("tcp-check".into()),
        tcp_check: Some(vec![
            words(&["send", "PING\r\n"]),
            words(&["send-binary", "0a0B"]),
            words(&["expect", "string", "+PONG"]),
            words(&["connect", "port", "6379", "comment", "second"]),
            words(&["expect", "binary", "zz"]),
        ]),
        ..ProxySettings::default()
    };
    let p = plan(&s);
    let Kind::Tcp(steps) = &p.kind else {
        panic!("not tcp-check")
    };
    assert_eq!(steps.len(), 5);
    assert!(matches!(
        steps[0],
        TcpStep::Connect {
            implicit: true,
            port: None,
            ..
        }
    ));
    assert!(matches!(&steps[1], TcpStep::Send { data, .. } if data == b"PING\r\n"));
    assert!(matches!(&steps[2], TcpStep::Send { data, .. } if data == &[10, 11]));
    assert!(matches!(
        &steps[4],
        TcpStep::Connect {
            port: Some(6379),
            implicit: false,
            ..
        }
    ));
    assert_eq!(p.ignored, ["'tcp-check expect': 'zz' is not a hex string"]);
}

#[test]
fn plain_and_unsupported_check_types() {
    assert!(matches!(
        plan(&ProxySettings::default()).kind,
        Kind::Connect
    ));
    let p = plan(&ProxySettings {
        check_type: Some("mysql-check".into()),
        ..ProxySettings::default()
    });
    assert!(matches!(p.kind, Kind::Connect));
    assert_eq!(p.ignored.len(), 1);
    let p = plan(&ProxySettings {
        check_type: Some("tcp-check".into()),
        ..ProxySettings::default()
    });
    assert!(matches!(&p.kind, Kind::Tcp(s) if s.len() == 1));
}

#[test]
fn unhex_rejects_odd_and_non_hex() {
    assert_eq!(unhex("5a5A"), Ok(vec![0x5a, 0x5a]));
    assert!(unhex("5").is_err());
    assert!(unhex("é1").is_err());
}

/// From configuration text, through the real loader: quoted data is
/// unescaped and headers hidden in the version are found.
#[test]
fn plans_from_configuration_text() {
    let src = "defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n\
               backend redis\n  option tcp-check\n  tcp-check send \"PING\\r\\n\"\n  tcp-check expect string +PONG\n  server r 127.0.0.1:6379 check\n\
               backend web\n  mode http\n  option httpchk HEAD /health HTTP/1.1\\r\\nHost:\\ example.com\n  http-check expect status 200-299\n  server w 127.0.0.1:80 check\n";
    let mut env = crate::config::reader::ConfigEnv::from_map(std::collections::HashMap::new());
    let loaded = crate::config::build::load_bytes("t.cfg", src.as_bytes(), &mut env);
    let model = loaded.model.expect("config accepted");
    let px = |name: &str| {
        model
            .proxies
            .iter()
            .find(|p| p.name == name)
            .expect("proxy")
    };
    let p = plan(&px("redis").settings);
    let Kind::Tcp(steps) = &p.kind else {
        panic!("not tcp-check")
    };
    assert!(matches!(&steps[1], TcpStep::Send { data, .. } if data == b"PING\r\n"));
    assert!(matches!(&steps[2], TcpStep::Expect(e) if e.text == "+PONG"));
    let p = plan(&px("web").settings);
    let h = http(&p);
    assert_eq!(
        String::from_utf8_lossy(&h.request),
        "HEAD /health HTTP/1.1\r\nhost: example.com\r\nconnection: close\r\n\r\n"
    );
    assert!(matches!(&h.expects[0].pattern, Pattern::Status(l) if l == &vec![(200, 299)]));
}

/// Every rule of up to four words from a small vocabulary: a plan and
/// messages, never a panic.
#[test]
fn arbitrary_rules_never_panic() {
    let vocab = [
        "send",
        "expect",
        "connect",
        "!",
        "string",
        "rstring",
        "status",
        "binary",
        "hdr",
        "port",
        "comment",
        "(",
        "zz",
        "200-",
        "ok-status",
        "L9",
        "send-binary",
        "",
    ];
    let mut plans = 0;
    for a in vocab {
        for b in vocab {
            for c in vocab {
                for d in ["", "x", "5a"] {
                    let rule = words(&[a, b, c, d]);
                    let h = ProxySettings {
                        check_type: Some("httpchk".into()),
                        httpchk: Some(HttpCheck {
                            rules: vec![rule.clone()],
                            ..HttpCheck::default()
                        }),
                        ..ProxySettings::default()
                    };
                    let t = ProxySettings {
                        check_type: Some("tcp-check".into()),
                        tcp_check: Some(vec![rule]),
                        ..ProxySettings::default()
                    };
                    let _ = plan(&h);
                    if let Kind::Tcp(steps) = plan(&t).kind {
                        assert!(matches!(steps[0], TcpStep::Connect { .. }));
                        plans += 1;
                    }
                }
            }
        }
    }
    assert_eq!(plans, vocab.len().pow(3) * 3);
}
