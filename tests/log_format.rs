//! Log lines rendered by harp against lines HAProxy 2.6.12 produced for the
//! same traffic (runs with a python UDP receiver; the expected strings are
//! the received datagrams without their syslog header). Covers every
//! variable of manual §8.2.6 and the flags Q, X, E and %o.

use std::net::SocketAddr;

use harp::config::logformat::{parse_log_format, LfItem, LogFormat};
use harp::log::{
    render, LogRecord, LogTime, Peer, TermState, Timers, HTTPLOG_CLF_FORMAT, HTTPLOG_FORMAT,
    TCPLOG_FORMAT,
};

/// 2026-11-24 00:00:00 UTC.
const DAY: i64 = 1_795_478_400;

fn at(h: i64, m: i64, s: i64, ms: u32) -> LogTime {
    LogTime::new(DAY + h * 3600 + m * 60 + s, ms * 1000)
}

fn v4(a: [u8; 4], port: u16) -> Option<Peer> {
    Some(Peer::Inet(SocketAddr::from((a, port))))
}

const LO: [u8; 4] = [127, 0, 0, 1];

fn fmt(s: &str) -> LogFormat {
    parse_log_format(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn caps(v: &[Option<&str>]) -> Option<Vec<Option<String>>> {
    Some(v.iter().map(|c| c.map(String::from)).collect())
}

/// Th, Ti, TR, Tw, Tc, Tr, Ta, Tt
fn timers([th, ti, treq, tw, tc, tr, ta, tt]: [i64; 8]) -> Timers {
    Timers {
        th,
        ti,
        treq,
        tw,
        tc,
        tr,
        ta,
        tt,
    }
}

/// A plain successful HTTP exchange through be_app/s1.
fn http_ok(frontend: &str, port: u16, accept: LogTime, request: &str) -> LogRecord {
    LogRecord {
        client: v4(LO, port),
        frontend: frontend.into(),
        backend: Some("be_app".into()),
        server: Some("s1".into()),
        http: true,
        accept_date: accept,
        status: Some(200),
        bytes_out: 150,
        actconn: 1,
        feconn: 1,
        request_line: Some(request.into()),
        ..LogRecord::default()
    }
}

#[test]
fn httplog_200_with_captures_and_cookies() {
    let rec = LogRecord {
        timers: timers([0, 0, 0, 0, 0, 4, 4, 4]),
        cookie_req: Some("SRV=client".into()),
        cookie_resp: Some("SRV=abc".into()),
        req_captures: caps(&[Some("127.0.0.1:39100"), Some("curl/7.88.")]),
        resp_captures: caps(&[Some("r{1}|\"#")]),
        ..http_ok(
            "fe_http",
            42614,
            at(5, 42, 53, 57),
            "GET /a/b?x=1&y=%22 HTTP/1.1",
        )
    };
    assert_eq!(
        render(&fmt(HTTPLOG_FORMAT), &rec),
        r#"127.0.0.1:42614 [24/Nov/2026:05:42:53.057] fe_http be_app/s1 0/0/0/4/4 200 150 SRV=client SRV=abc ---- 1/1/0/0/0 0/0 {127.0.0.1:39100|curl/7.88.} {r#7B1#7D#7C#22#23} "GET /a/b?x=1&y=%22 HTTP/1.1""#
    );
}

#[test]
fn httplog_503_server_refused() {
    let rec = LogRecord {
        backend: Some("be_dead".into()),
        server: Some("d1".into()),
        timers: timers([0, 0, 0, 0, -1, -1, 3003, 3003]),
        status: Some(503),
        bytes_out: 217,
        term: TermState::parse("SC--").expect("valid"),
        retries: 3,
        ..http_ok("fe_503", 55126, at(5, 42, 58, 114), "GET /dead HTTP/1.1")
    };
    assert_eq!(
        render(&fmt(HTTPLOG_FORMAT), &rec),
        r#"127.0.0.1:55126 [24/Nov/2026:05:42:58.114] fe_503 be_dead/d1 0/0/-1/-1/3003 503 217 - - SC-- 1/1/0/0/3 0/0 "GET /dead HTTP/1.1""#
    );
    let redispatched = LogRecord {
        redispatched: true,
        ..rec
    };
    assert!(render(&fmt(HTTPLOG_FORMAT), &redispatched).contains(" 1/1/0/0/+3 0/0 "));
}

#[test]
fn httplog_bad_request_without_server() {
    let rec = LogRecord {
        client: v4(LO, 44636),
        frontend: "fe_long".into(),
        http: true,
        accept_date: at(5, 43, 33, 351),
        timers: timers([0, 0, -1, -1, -1, -1, 0, 0]),
        status: Some(400),
        term: TermState::parse("PR--").expect("valid"),
        actconn: 1,
        feconn: 1,
        ..LogRecord::default()
    };
    assert_eq!(
        render(&fmt(HTTPLOG_FORMAT), &rec),
        r#"127.0.0.1:44636 [24/Nov/2026:05:43:33.351] fe_long fe_long/<NOSRV> -1/-1/-1/-1/0 400 0 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>""#
    );
}

#[test]
fn tcplog_line() {
    let rec = LogRecord {
        client: v4(LO, 43690),
        frontend: "fe_tcp".into(),
        backend: Some("be_tcp".into()),
        server: Some("t1".into()),
        accept_date: at(5, 42, 58, 84),
        timers: timers([0, -1, -1, 1, 0, -1, 0, 0]),
        bytes_out: 155,
        actconn: 1,
        feconn: 1,
        ..LogRecord::default()
    };
    assert_eq!(
        render(&fmt(TCPLOG_FORMAT), &rec),
        "127.0.0.1:43690 [24/Nov/2026:05:42:58.084] fe_tcp be_tcp/t1 1/0/0 155 -- 1/1/0/0/0 0/0"
    );
    let cd = LogRecord {
        timers: timers([0, -1, -1, 0, 0, -1, 0, 5007]),
        term: TermState::parse("cD").expect("valid"),
        ..rec
    };
    assert!(render(&fmt(TCPLOG_FORMAT), &cd).contains(" 0/0/5007 155 cD 1/1/0/0/0 0/0"));
}

#[test]
fn httplog_clf() {
    let timeout = LogRecord {
        timers: timers([0, 0, 0, 0, 0, -1, 5001, 5001]),
        status: Some(504),
        bytes_out: 198,
        term: TermState::parse("sH--").expect("valid"),
        req_captures: caps(&[Some("127.0.0.1:39101")]),
        resp_captures: caps(&[None]),
        ..http_ok("fe_clf", 55296, at(5, 42, 53, 73), "GET /clf?q HTTP/1.1")
    };
    assert_eq!(
        render(&fmt(HTTPLOG_CLF_FORMAT), &timeout),
        r#"127.0.0.1 - - [24/Nov/2026:05:42:53 +0000] "GET /clf?q HTTP/1.1" 504 198 "" "" 55296 073 "fe_clf" "be_app" "s1" 0 0 0 -1 5001 sH-- 1 1 0 0 0 0 0 "" "" "127.0.0.1:39101" """#
    );
    let ok = LogRecord {
        timers: timers([0, 0, 0, 0, 0, 2, 2, 2]),
        req_captures: caps(&[Some("h")]),
        resp_captures: caps(&[Some("r{1}|\"#")]),
        ..http_ok("fe_clf", 46448, at(5, 43, 33, 3), "GET /clf?q HTTP/1.1")
    };
    assert_eq!(
        render(&fmt(HTTPLOG_CLF_FORMAT), &ok),
        r#"127.0.0.1 - - [24/Nov/2026:05:43:33 +0000] "GET /clf?q HTTP/1.1" 200 150 "" "" 46448 003 "fe_clf" "be_app" "s1" 0 0 0 2 2 ---- 1 1 0 0 0 0 0 "" "" "h" "r#7B1#7D#7C#22#23""#
    );
}

/// `%{+Q}o` then nearly every variable: which ones take quotes, which
/// print numbers bare, what `+X` does to addresses.
#[test]
fn quoted_custom_format_all_variables() {
    let f = fmt("%{+Q}o %ci %cp %ft %f %b %s %ST %B %U %ts %tsc %r %HM %HU %HP %HPO %HQ %HV %{-Q}ac %fc %bc %sc %rc %sq %bq %{+X}ci %{+X}cp %{+X}ST %Th %Ti %TR %Tw %Tc %Tr %Ta %Tt %Tq %Td %Tu %pid %rt %lc %ID %CC %CS %hr %hs %hrl %hsl %H %fi %fp %bi %bp %si %sp");
    let rec = LogRecord {
        bytes_in: 80,
        timers: timers([0, 0, 0, 0, 0, 0, 0, 0]),
        pid: 2116,
        request_counter: 3,
        log_counter: 0,
        req_captures: caps(&[Some("127.0.0.1:39103"), Some("ab")]),
        hostname: "vm".into(),
        frontend_addr: v4(LO, 39103),
        backend_src: v4(LO, 41312),
        server_addr: v4(LO, 39200),
        backend: Some("be_app".into()),
        ..http_ok(
            "fe_custom",
            34560,
            at(5, 42, 58, 0),
            "GET /c/d?e=f HTTP/1.1",
        )
    };
    assert_eq!(
        render(&f, &rec),
        r#""127.0.0.1" 34560 "fe_custom" "fe_custom" "be_app" "s1" 200 150 80 -- ---- "GET /c/d?e=f HTTP/1.1" "GET" "/c/d?e=f" "/c/d" "/c/d" "?e=f" "HTTP/1.1" 1 1 0 0 0 0 0 7F000001 8700 200 0 0 0 0 0 0 0 0 0 0 0 2116 3 0 "" "" "" "{127.0.0.1:39103|ab}" "127.0.0.1:39103" "ab" "vm" "127.0.0.1" 39103 "127.0.0.1" 41312 "127.0.0.1" 39200"#
    );
}

const PLAIN_VARS: &str = "HM=%HM|HU=%HU|HP=%HP|HPO=%HPO|HQ=%HQ|HV=%HV|CC=%CC|CS=%CS|hr=%hr|hs=%hs|hrl=%hrl|hsl=%hsl|ID=%ID|b=%b|s=%s|bi=%bi|bp=%bp|si=%si|sp=%sp|sslv=%sslv|sslc=%sslc|U=%U|ts=%ts|tsc=%tsc|lc=%lc|rt=%rt|Tq=%Tq|Td=%Td|Tu=%Tu|ft=%ft|fi=%fi|fp=%fp|ci=%ci|cp=%cp|r=%r";

/// Unquoted: `-` for missing text, nothing for missing request parts,
/// empty capture slots inside `{}` and `-` in lists.
#[test]
fn unquoted_variables_and_missing_values() {
    let f = fmt(PLAIN_VARS);
    let base = |port: u16, bport: u16, req: &str| LogRecord {
        frontend_addr: v4(LO, 39111),
        backend_src: v4(LO, bport),
        server_addr: v4(LO, 39200),
        req_captures: caps(&[None, Some("12345")]),
        timers: timers([0, 0, 0, 0, 0, 3, 3, 3]),
        ..http_ok("fe_v", port, at(6, 0, 0, 0), req)
    };
    let first = LogRecord {
        bytes_in: 49,
        ..base(38820, 45542, "GET /p HTTP/1.1")
    };
    assert_eq!(
        render(&f, &first),
        "HM=GET|HU=/p|HP=/p|HPO=/p|HQ=|HV=HTTP/1.1|CC=-|CS=-|hr={|12345}|hs=|hrl=- 12345|hsl=|ID=-|b=be_app|s=s1|bi=127.0.0.1|bp=45542|si=127.0.0.1|sp=39200|sslv=-|sslc=-|U=49|ts=--|tsc=----|lc=0|rt=0|Tq=0|Td=0|Tu=3|ft=fe_v|fi=127.0.0.1|fp=39111|ci=127.0.0.1|cp=38820|r=GET /p HTTP/1.1"
    );
    let absolute = LogRecord {
        bytes_in: 61,
        req_captures: caps(&[Some("a b"), None]),
        log_counter: 1,
        request_counter: 1,
        timers: timers([0, 0, 1, 0, 0, 2, 3, 3]),
        ..base(38830, 45554, "GET http://h:1/p/q?z HTTP/1.1")
    };
    assert_eq!(
        render(&f, &absolute),
        "HM=GET|HU=http://h:1/p/q?z|HP=http://h:1/p/q|HPO=/p/q|HQ=?z|HV=HTTP/1.1|CC=-|CS=-|hr={a b|}|hs=|hrl=a b -|hsl=|ID=-|b=be_app|s=s1|bi=127.0.0.1|bp=45554|si=127.0.0.1|sp=39200|sslv=-|sslc=-|U=61|ts=--|tsc=----|lc=1|rt=1|Tq=1|Td=0|Tu=3|ft=fe_v|fi=127.0.0.1|fp=39111|ci=127.0.0.1|cp=38830|r=GET http://h:1/p/q?z HTTP/1.1"
    );
    let bad = LogRecord {
        client: v4(LO, 38852),
        frontend_addr: v4(LO, 39111),
        frontend: "fe_v".into(),
        http: true,
        status: Some(400),
        timers: timers([0, 0, -1, -1, -1, -1, 1804, 1804]),
        term: TermState::parse("CR--").expect("valid"),
        log_counter: 3,
        request_counter: 3,
        ..LogRecord::default()
    };
    assert_eq!(
        render(&f, &bad),
        "HM=<BADREQ>|HU=<BADREQ>|HP=<BADREQ>|HPO=<BADREQ>|HQ=<BADREQ>|HV=<BADREQ>|CC=-|CS=-|hr=|hs=|hrl=|hsl=|ID=-|b=fe_v|s=<NOSRV>|bi=-|bp=-|si=-|sp=-|sslv=-|sslc=-|U=0|ts=CR|tsc=CR--|lc=3|rt=3|Tq=-1|Td=-1|Tu=1804|ft=fe_v|fi=127.0.0.1|fp=39111|ci=127.0.0.1|cp=38852|r=<BADREQ>"
    );
}

/// Spaces are separators that merge; a leading one is dropped, a variable
/// that prints nothing does not end a run of spaces.
#[test]
fn separators_merge() {
    let rec = http_ok("fe_sep", 1, at(6, 0, 0, 0), "GET / HTTP/1.0");
    assert_eq!(
        render(&fmt("   %ci   %hr   x%hr  %hs y  %{+Q}hr  "), &rec),
        "127.0.0.1 x y "
    );
}

/// Header captures: `#XX` for `"`, `#`, `{`, `|`, `}` and non-printables;
/// `+E` adds `\` before `\` and `]`.
#[test]
fn header_capture_encoding_and_escape() {
    let f = fmt("%{+Q}hr %{+Q}hrl %{+Q,+E}hr %{+E}hrl %{+Q}hs %{+Q}hsl");
    let with = LogRecord {
        req_captures: caps(&[Some(r#"q"]\\"#)]),
        ..http_ok("fe_sep2", 1, at(6, 0, 0, 0), "GET / HTTP/1.0")
    };
    assert_eq!(
        render(&f, &with),
        r#""{q#22]\\}" "q#22]\\" "{q#22\]\\\\}" q#22\]\\\\ "#
    );
    let without = LogRecord {
        req_captures: caps(&[None]),
        ..with
    };
    assert_eq!(render(&f, &without), r#""{}" "" "{}" - "#);
    let binary = LogRecord {
        req_captures: caps(&[Some("a\tb\u{7f}é")]),
        ..without
    };
    assert_eq!(render(&fmt("%hr"), &binary), "{a#09b#7F#C3#A9}");
}

/// `+E` on the request line and names; `+X` on numbers that support it
/// (%Ts %pid %rt %ms), ignored by the others; `+Q` ignored by numbers.
#[test]
fn escape_and_hex_flags() {
    let f = fmt("%{+E}o [%r] %{+Q}r %{+Q,+E}r %{+X}Ts %{+X}pid %{+X}rt %{+X}B %ms %{+Q}ms %{+Q}ST %{+X}Tt %{+E}HU %{+Q}HU");
    let bad = LogRecord {
        http: true,
        accept_date: LogTime::new(1_795_499_033, 955_000),
        status: Some(400),
        pid: 12415,
        request_counter: 1,
        ..LogRecord::default()
    };
    assert_eq!(
        render(&f, &bad),
        r#"[<BADREQ>] "<BADREQ>" "<BADREQ>" 6B052419 307F 0001 0 955 955 400 0 <BADREQ> "<BADREQ>""#
    );
    // HAProxy 2.6 refuses such request lines, so this part follows its
    // encoder's rule (map first, then `\` before `\`, `]`) unobserved.
    let rec = LogRecord {
        request_line: Some(r#"GET /a"b#c]d\e HTTP/1.1"#.into()),
        frontend: r#"f]"\"#.into(),
        ..bad
    };
    assert_eq!(
        render(
            &fmt(r#"%{+E}r %{+E}HU %r %{+E}f %{+Q,+E}f %f %{+X}ms"#),
            &rec
        ),
        r#"GET /a#22b#23c\]d\\e HTTP/1.1 /a#22b#23c\]d\\e GET /a#22b#23c]d\e HTTP/1.1 f\]\"\\ "f\]\"\\" f]"\ 3BB"#
    );
}

#[test]
fn dates() {
    let f = fmt("t=%t tr=%tr T=%T trg=%trg trl=%trl Ts=%Ts ms=%ms %{+Q}t %{+Q}T %{+X}Ts %{+Q}ci %{+Q}B %{+Q}ac");
    let rec = LogRecord {
        accept_date: LogTime::new(1_795_499_012, 991_000),
        ..http_ok("fe_dates", 1, LogTime::default(), "GET / HTTP/1.1")
    };
    assert_eq!(
        render(&f, &rec),
        r#"t=24/Nov/2026:05:43:32.991 tr=24/Nov/2026:05:43:32.991 T=24/Nov/2026:05:43:32 +0000 trg=24/Nov/2026:05:43:32 +0000 trl=24/Nov/2026:05:43:32 +0000 Ts=1795499012 ms=991 24/Nov/2026:05:43:32.991 24/Nov/2026:05:43:32 +0000 6B052404 "127.0.0.1" 150 1"#
    );
    // Local time (an offset the caller passes) moves %t, %tr, %trl and
    // %Tl but not the GMT forms; %tr adds Th + Ti to the accept date.
    // %Tl is built by hand: harp's log-format parser does not list it yet.
    let mut g = fmt("%t %tr %T %trg %trl ");
    g.items.push(LfItem::Var {
        name: "Tl".into(),
        flags: vec![],
    });
    let local = LogRecord {
        utc_offset_secs: 3600,
        timers: Timers {
            th: 5,
            ti: 1000,
            ..rec.timers
        },
        ..rec
    };
    assert_eq!(
        render(&g, &local),
        "24/Nov/2026:06:43:32.991 24/Nov/2026:06:43:33.996 24/Nov/2026:05:43:32 +0000 24/Nov/2026:05:43:33 +0000 24/Nov/2026:06:43:33 +0100 24/Nov/2026:06:43:32 +0100"
    );
}

#[test]
fn ipv6_unix_and_logasap() {
    let f = fmt("ci=%ci cp=%cp X=%{+X}ci/%{+X}cp Q=%{+Q}ci/%{+Q}cp fi=%fi fp=%fp %{+X}fi/%{+X}fp");
    let six = LogRecord {
        client: Some(Peer::Inet("[::1]:41724".parse().expect("addr"))),
        frontend_addr: Some(Peer::Inet("[::1]:39114".parse().expect("addr"))),
        ..LogRecord::default()
    };
    assert_eq!(
        render(&f, &six),
        r#"ci=::1 cp=41724 X=00000000000000000000000000000001/A2FC Q="::1"/41724 fi=::1 fp=39114 00000000000000000000000000000001/98CA"#
    );
    // HAProxy 2.6 ends the line at a hex UNIX address.
    let unix = LogRecord {
        client: Some(Peer::Unix { listener_id: 2 }),
        frontend_addr: Some(Peer::Unix { listener_id: 2 }),
        ..LogRecord::default()
    };
    assert_eq!(render(&f, &unix), "ci=unix cp=2 X=");
    assert_eq!(render(&fmt("%fi:%fp %{+Q}ci"), &unix), r#"unix:2 "unix""#);

    let asap = LogRecord {
        http: true,
        logasap: true,
        timers: timers([0, 0, 0, 0, 0, 1, 1, 1]),
        bytes_out: 150,
        ..LogRecord::default()
    };
    assert_eq!(
        render(
            &fmt("Ta=%Ta Tt=%Tt Tu=%Tu B=%B U=%U Tr=%Tr Td=%Td rc=%rc"),
            &asap
        ),
        "Ta=+1 Tt=+1 Tu=+1 B=+150 U=0 Tr=1 Td=0 rc=0"
    );
}

#[test]
fn tls_frontend_unique_id_and_ssl_fields() {
    let rec = LogRecord {
        frontend: "https-in".into(),
        frontend_tls: true,
        unique_id: Some("7F000001:A2FC_0001".into()),
        ssl_version: Some("TLSv1.3".into()),
        ssl_cipher: Some("TLS_AES_256_GCM_SHA384".into()),
        ..LogRecord::default()
    };
    assert_eq!(
        render(&fmt("%ft %f %ID %sslv/%sslc %{+Q}sslv %H"), &rec),
        r#"https-in~ https-in 7F000001:A2FC_0001 TLSv1.3/TLS_AES_256_GCM_SHA384 "TLSv1.3" -"#
    );
}

#[test]
fn samples_log_as_text() {
    struct Src;
    impl harp::log::SampleSource for Src {
        fn sample(&self, e: &harp::config::acl::SampleExpr) -> Option<String> {
            (e.fetch == "src").then(|| "10.0.0.1".to_string())
        }
    }
    let f = fmt("%[src] %{+Q}[src] %[dst] %{+Q}[dst] 100%%");
    let out = harp::log::render_with(&f, &LogRecord::default(), &Src);
    assert_eq!(out, r#"10.0.0.1 "10.0.0.1" - "" 100%"#);
    assert_eq!(render(&fmt("%[src]"), &LogRecord::default()), "-");
}

#[test]
fn tcp_stream_without_status_logs_minus_one() {
    let rec = LogRecord::default();
    assert_eq!(render(&fmt("%ST %b/%s %ts"), &rec), "-1 -/<NOSRV> --");
}

/// Every variable the parser knows, with extreme or odd values: no panic,
/// and the values that can be checked are what HAProxy would print.
#[test]
fn extreme_values_render() {
    let names = harp::config::logformat::VARIABLES;
    let all: String = names.iter().map(|n| format!("%{n} ")).collect();
    let f = fmt(&all);
    for secs in [i64::MIN, -1, 0, i64::MAX] {
        let rec = LogRecord {
            accept_date: LogTime::new(secs, u32::MAX),
            utc_offset_secs: i32::MIN,
            timers: timers([i64::MIN, -1, i64::MAX, 0, 0, 0, i64::MAX, i64::MIN]),
            request_line: Some("\u{0}\t é \u{7f}".into()),
            frontend: "é\"]".into(),
            req_captures: caps(&[Some("\u{1}"), None, Some("")]),
            bytes_out: u64::MAX,
            ..LogRecord::default()
        };
        let out = render(&f, &rec);
        assert!(out.starts_with("18446744073709551615 - - - "), "{out}");
        assert!(out.contains(" {#01||} "), "{out}");
    }
    let zero = LogRecord::default();
    assert_eq!(
        render(&fmt("%t %T %Ts %ms %r %HV"), &zero),
        "01/Jan/1970:00:00:00.000 01/Jan/1970:00:00:00 +0000 0 000 <BADREQ> <BADREQ>"
    );
}

#[test]
fn http_only_variables_match_the_manual_table() {
    use harp::log::format::{http_only_message, HTTP_ONLY_VARIABLES};
    for v in HTTP_ONLY_VARIABLES {
        assert!(
            harp::config::logformat::VARIABLES.contains(v),
            "{v} is a known variable"
        );
    }
    assert_eq!(HTTP_ONLY_VARIABLES.len(), 17);
    assert_eq!(
        http_only_message("r"),
        "format variable 'r' is reserved for HTTP mode."
    );
}
