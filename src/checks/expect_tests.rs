use super::*;
use crate::checks::plan::{plan, Kind};
use crate::config::model::{HttpCheck, ProxySettings};

fn http_plan(rules: &[&[&str]]) -> HttpPlan {
    let s = ProxySettings {
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
    };
    match plan(&s).kind {
        Kind::Http(h) => h,
        _ => panic!("not http"),
    }
}

fn tcp_expect(words: &[&str]) -> Expect {
    let s = ProxySettings {
        check_type: Some("tcp-check".into()),
        tcp_check: Some(vec![std::iter::once("expect")
            .chain(words.iter().copied())
            .map(String::from)
            .collect()]),
        ..ProxySettings::default()
    };
    match plan(&s).kind {
        Kind::Tcp(steps) => match steps.into_iter().nth(1) {
            Some(crate::checks::plan::TcpStep::Expect(e)) => e,
            _ => panic!("no expect"),
        },
        _ => panic!("not tcp"),
    }
}

/// Status, code and info as the DOWN/UP message would show them.
fn shown(r: Option<CheckResult>) -> (&'static str, Option<u16>, Option<String>) {
    let r = r.expect("a verdict");
    let o = r.outcome();
    (r.status.reason(), o.code, o.info.map(String::from))
}

const R503: &[u8] = b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown";
const R200: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none";

#[test]
fn default_http_expectation_is_2xx_3xx() {
    let p = http_plan(&[]);
    assert_eq!(
        shown(judge_http(&p, R503, false)),
        (
            "Layer7 wrong status",
            Some(503),
            Some("Service Unavailable".into())
        )
    );
    assert_eq!(
        shown(judge_http(&p, R200, false)),
        ("Layer7 check passed", Some(200), None)
    );
    let r302 = b"HTTP/1.1 302 Found\r\n\r\n";
    assert_eq!(
        judge_http(&p, r302, false).map(|r| r.status),
        Some(CheckStatus::L7Ok)
    );
    // Incomplete head: wait; closed meanwhile or garbage: invalid response.
    assert_eq!(judge_http(&p, b"HTTP/1.1 200 OK\r\n", false), None);
    assert_eq!(
        shown(judge_http(&p, b"HTTP/1.1 200 OK\r\n", true)),
        ("Layer7 invalid response", None, None)
    );
    assert_eq!(
        shown(judge_http(&p, b"garbage\r\n\r\n", false)),
        ("Layer7 invalid response", None, None)
    );
    assert_eq!(
        judge_http(&p, b"", true).map(|r| r.status),
        Some(CheckStatus::L7Rsp)
    );
}

#[test]
fn expect_status_and_disable_on_404() {
    let p = http_plan(&[&["expect", "status", "200"]]);
    assert_eq!(
        shown(judge_http(&p, R503, false)),
        (
            "Layer7 wrong status",
            Some(503),
            Some("Service Unavailable".into())
        )
    );
    assert_eq!(
        judge_http(&p, R200, false).map(|r| r.status),
        Some(CheckStatus::L7Ok)
    );
    let p = http_plan(&[&["disable-on-404"]]);
    let nf = b"HTTP/1.0 404 Not Found\r\n\r\n";
    assert_eq!(
        shown(judge_http(&p, nf, false)),
        ("Layer7 check conditionally passed", Some(404), None)
    );
    let p = http_plan(&[&["expect", "!", "rstatus", "^5"]]);
    assert_eq!(
        judge_http(&p, R503, false).map(|r| r.status),
        Some(CheckStatus::L7Sts)
    );
    assert_eq!(
        judge_http(&p, nf, false).map(|r| r.status),
        Some(CheckStatus::L7Ok)
    );
}

#[test]
fn expect_string_reads_the_body() {
    let p = http_plan(&[&["expect", "rstring", "^x"]]);
    assert_eq!(
        shown(judge_http(&p, R200, false)),
        (
            "Layer7 invalid response",
            None,
            Some("HTTP content check did not match".into())
        )
    );
    let p = http_plan(&[&["expect", "!", "string", "one"]]);
    assert_eq!(
        shown(judge_http(&p, R200, false)),
        (
            "Layer7 invalid response",
            None,
            Some("HTTP check matched unwanted content".into())
        )
    );
    // The body is awaited up to its length, or the close.
    let p = http_plan(&[&["expect", "string", "one"]]);
    assert_eq!(judge_http(&p, &R200[..R200.len() - 1], false), None);
    assert_eq!(
        judge_http(&p, R200, false).map(|r| r.status),
        Some(CheckStatus::L7Ok)
    );
    let open = b"HTTP/1.0 200 OK\r\n\r\nthe one";
    assert_eq!(judge_http(&p, open, false), None);
    assert_eq!(
        judge_http(&p, open, true).map(|r| r.status),
        Some(CheckStatus::L7Ok)
    );
    let chunked =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\non\r\n1\r\ne\r\n0\r\n\r\n";
    assert_eq!(
        judge_http(&p, chunked, false).map(|r| r.status),
        Some(CheckStatus::L7Ok)
    );
    // A comment replaces the info.
    let p = http_plan(&[&["expect", "comment", "no one", "string", "two"]]);
    assert_eq!(
        shown(judge_http(&p, R200, false)).2.as_deref(),
        Some("no one")
    );
}

#[test]
fn tcp_expect_texts_as_haproxy_logs_them() {
    let e = tcp_expect(&["string", "ZZZ"]);
    assert_eq!(judge_tcp(&e, b"hello", false, 2), TcpJudgement::NeedMore);
    assert_eq!(
        judge_tcp(&e, b"hello", true, 2),
        TcpJudgement::Fail(CheckResult::new(
            CheckStatus::L7Rsp,
            None,
            Some("TCPCHK did not match content 'ZZZ' at step 2".into())
        ))
    );
    assert_eq!(judge_tcp(&e, b"..ZZZ", false, 2), TcpJudgement::Pass);
    assert_eq!(
        judge_tcp(&e, b"", true, 1),
        TcpJudgement::Fail(CheckResult::new(
            CheckStatus::L7Rsp,
            None,
            Some("TCPCHK got an empty response at step 1".into())
        ))
    );
    assert_eq!(expect_label(&e), "(expect string 'ZZZ')");
    let neg = tcp_expect(&["!", "string", "hello"]);
    assert!(matches!(
        judge_tcp(&neg, b"hello world", false, 1),
        TcpJudgement::Fail(r) if r.info.as_deref() == Some("TCPCHK matched unwanted content 'hello' at step 1")
    ));
    assert_eq!(judge_tcp(&neg, b"bye", true, 1), TcpJudgement::Pass);
    let re = tcp_expect(&["rstring", "^Z+"]);
    assert!(matches!(
        judge_tcp(&re, b"hello", true, 1),
        TcpJudgement::Fail(r) if r.info.as_deref() == Some("TCPCHK did not match content (regex) at step 1")
    ));
    assert_eq!(expect_label(&re), "(expect regex)");
    let bin = tcp_expect(&["binary", "5a5a"]);
    assert_eq!(expect_label(&bin), "(expect binary 'ZZ')");
    assert_eq!(judge_tcp(&bin, b"xZZ", false, 1), TcpJudgement::Pass);
    let rbin = tcp_expect(&["rbinary", "^5A0D"]);
    assert_eq!(judge_tcp(&rbin, b"Z\r", false, 1), TcpJudgement::Pass);
}

/// Any bytes, cut anywhere: a verdict or a wait, never a panic.
#[test]
fn arbitrary_answers_never_panic() {
    let plans = [
        http_plan(&[]),
        http_plan(&[&["expect", "string", "x"]]),
        http_plan(&[&["disable-on-404"], &["expect", "rstring", "^a"]]),
    ];
    let exps = [
        tcp_expect(&["string", "ab"]),
        tcp_expect(&["!", "rbinary", "^00"]),
    ];
    let seeds: [&[u8]; 5] = [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab",
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 18446744073709551615\r\n\r\n",
        b"HTTP/1.0 99999 x\r\n\r\n",
        b"HTTP/\xff\xfe 200\n\n",
        b"\0\0\r\n\r\n",
    ];
    let mut x: u32 = 12345;
    let mut verdicts = 0;
    for seed in seeds {
        for cut in 0..=seed.len() {
            let mut buf = seed[..cut].to_vec();
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf.push(x as u8);
            for p in &plans {
                for closed in [false, true] {
                    if judge_http(p, &buf, closed).is_some() {
                        verdicts += 1;
                    }
                }
            }
            for e in &exps {
                let _ = judge_tcp(e, &buf, true, 1);
            }
        }
    }
    // Every closed connection got a verdict.
    assert!(verdicts >= 3 * seeds.iter().map(|s| s.len() + 1).sum::<usize>());
}
