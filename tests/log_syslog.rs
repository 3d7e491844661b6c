//! Syslog datagrams as HAProxy 2.6.12 sent them for each `format`, `len`,
//! `log-send-hostname`, `log-tag`, level filter and cap (observed with a
//! python UDP receiver; expected bytes copied from what it received).

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::log::{
    datagram, fit_message, frame, header, traffic_level, Facility, HeaderInfo, Level, LogOptions,
    LogRecord, LogTime, SyslogFormat, SyslogTarget, TermState,
};

/// 2026-11-24 00:00:00 UTC.
const DAY: i64 = 1_795_478_400;

fn at(h: i64, m: i64, s: i64, usec: u32) -> LogTime {
    LogTime::new(DAY + h * 3600 + m * 60 + s, usec)
}

fn target(format: SyslogFormat) -> SyslogTarget {
    SyslogTarget {
        format,
        facility: Facility::LOCAL0,
        max_level: Level::DEBUG,
        min_level: Level::EMERG,
        max_len: 1024,
        sample: None,
    }
}

fn info(now: LogTime, pid: u32) -> HeaderInfo<'static> {
    HeaderInfo {
        hostname: None,
        tag: "haproxy",
        pid,
        now,
        utc_offset_secs: 0,
        structured_data: None,
    }
}

const LINE: &str = r#"127.0.0.1:42614 [24/Nov/2026:05:42:53.057] fe_http be_app/s1 0/0/0/4/4 200 150 SRV=client SRV=abc ---- 1/1/0/0/0 0/0 {127.0.0.1:39100|curl/7.88.} {r#7B1#7D#7C#22#23} "GET /a/b?x=1&y=%22 HTTP/1.1""#;

fn send(t: &SyslogTarget, now: LogTime) -> String {
    let d = datagram(t, Level::INFO, &info(now, 2116), LINE.as_bytes()).expect("not filtered");
    String::from_utf8(d).expect("ascii")
}

#[test]
fn every_format_frames_like_haproxy() {
    use SyslogFormat as F;
    let cases: &[(SyslogFormat, u32, &str)] = &[
        (F::Local, 0, "<134>Nov 24 05:42:53 haproxy[2116]: "),
        (
            F::Rfc3164,
            0,
            "<134>Nov 24 05:42:53 localhost haproxy[2116]: ",
        ),
        (
            F::Rfc5424,
            62_661,
            "<134>1 2026-11-24T05:42:53.062661+00:00 - haproxy 2116 - - ",
        ),
        (F::Short, 0, "<6>"),
        (F::Raw, 0, ""),
        (F::Priority, 0, "<134>"),
        (F::Timed, 62_716, "<6>2026-11-24T05:42:53.062716+00:00 "),
        (F::Iso, 62_725, "2026-11-24T05:42:53.062725+00:00 "),
    ];
    for (format, usec, head) in cases {
        assert_eq!(
            send(&target(*format), at(5, 42, 53, *usec)),
            format!("{head}{LINE}\n"),
            "{format:?}"
        );
    }
}

#[test]
fn len_cuts_header_and_message_before_the_newline() {
    let t = SyslogTarget {
        max_len: 80,
        ..target(SyslogFormat::Local)
    };
    let d = send(&t, at(5, 42, 53, 0));
    assert_eq!(
        d,
        "<134>Nov 24 05:42:53 haproxy[2116]: 127.0.0.1:42614 [24/Nov/2026:05:42:53.057] f\n"
    );
    assert_eq!(d.len(), 81);
}

/// A 1500-byte URL: the line buffer keeps 1023 bytes (len 1024 minus its
/// terminator), the datagram 1024 bytes plus `\n`.
#[test]
fn default_len_1024() {
    let line = format!(
        "127.0.0.1:55624 [24/Nov/2026:05:43:54.083] fe_long be_app/s1 0/0/0/3/3 200 150 - - ---- 1/1/0/0/0 0/0 \"GET /{} HTTP/1.1\"",
        "a".repeat(1500)
    );
    let msg = fit_message(&line, 1024);
    assert_eq!(msg.len(), 1023);
    let now = at(5, 43, 54, 0);
    let raw = datagram(&target(SyslogFormat::Raw), Level::INFO, &info(now, 1), msg).expect("sent");
    assert_eq!(raw.len(), 1024);
    assert!(raw.ends_with(b"aaaa\n"));
    let local = datagram(
        &target(SyslogFormat::Local),
        Level::INFO,
        &info(now, 12415),
        msg,
    )
    .expect("sent");
    assert_eq!(local.len(), 1025);
    assert!(local.starts_with(b"<134>Nov 24 05:43:54 haproxy[12415]: 127.0.0.1:55624 ["));
}

const DOWN: &str = "Server be_dead/d1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.";

/// `log-send-hostname myhost` and `log-tag mytag` in global, targets read
/// from the configuration as harp parses it.
#[test]
fn hostname_tag_filter_and_cap_from_config() {
    let cfg = "global\n    log 127.0.0.1:39001 local0\n    log 127.0.0.1:39003 format rfc5424 local0\n    log 127.0.0.1:39010 local7 notice err\n    log 127.0.0.1:39011 format local local0\n    log 127.0.0.1:39002 len 100 format rfc5424 local0\n    log 127.0.0.1:39012 sample 1,3-4:5 local0\n    log-send-hostname myhost\n    log-tag mytag\n";
    let loaded = load_bytes("t.cfg", cfg.as_bytes(), &mut ConfigEnv::from_process());
    let model = loaded.model.expect("config loads");
    let g = &model.global;
    let send_host = g.log_send_hostname.is_some();
    let targets: Vec<SyslogTarget> = g
        .logs
        .iter()
        .map(|l| SyslogTarget::from_config(l, send_host).expect("valid target"))
        .collect();
    assert_eq!(targets.len(), 6);
    assert_eq!(targets[0].sample, None);
    let sample = targets[5].sample.as_ref().expect("sample parsed");
    let sent: Vec<u64> = (0..10).filter(|&n| sample.admits(n)).collect();
    assert_eq!(sent, [0, 2, 3, 5, 7, 8]);
    // No `format` + log-send-hostname: rfc3164.
    assert_eq!(targets[0].format, SyslogFormat::Rfc3164);
    assert_eq!(targets[2].facility.code(), 23);
    assert_eq!(
        (targets[2].max_level, targets[2].min_level),
        (Level::NOTICE, Level::ERR)
    );
    assert_eq!(targets[3].format, SyslogFormat::Local);
    assert_eq!(targets[4].max_len, 100);

    let h = HeaderInfo {
        hostname: Some("myhost"),
        tag: "mytag",
        pid: 10315,
        now: at(5, 43, 30, 975_093),
        utc_offset_secs: 0,
        structured_data: None,
    };
    let send = |t: &SyslogTarget, level: Level, msg: &str| {
        datagram(t, level, &h, msg.as_bytes()).map(|d| String::from_utf8(d).expect("ascii"))
    };
    assert_eq!(
        send(&targets[0], Level::ALERT, DOWN).as_deref(),
        Some(format!("<129>Nov 24 05:43:30 myhost mytag[10315]: {DOWN}\n").as_str())
    );
    assert_eq!(
        send(&targets[1], Level::ALERT, DOWN).as_deref(),
        Some(
            format!("<129>1 2026-11-24T05:43:30.975093+00:00 myhost mytag 10315 - - {DOWN}\n")
                .as_str()
        )
    );
    // local7 notice err: alert and emerg are capped to err (<187>), info
    // is filtered out.
    assert_eq!(
        send(&targets[2], Level::ALERT, DOWN).as_deref(),
        Some(format!("<187>Nov 24 05:43:30 myhost mytag[10315]: {DOWN}\n").as_str())
    );
    let no_srv = "backend be_dead has no server available!";
    assert_eq!(
        send(&targets[2], Level::EMERG, no_srv).as_deref(),
        Some(format!("<187>Nov 24 05:43:30 myhost mytag[10315]: {no_srv}\n").as_str())
    );
    assert_eq!(send(&targets[2], Level::INFO, "x"), None);
    assert_eq!(
        send(&targets[2], Level::NOTICE, "x").as_deref(),
        Some("<189>Nov 24 05:43:30 myhost mytag[10315]: x\n")
    );
    // An explicit `format local` drops the hostname.
    assert_eq!(
        send(&targets[3], Level::INFO, "m").as_deref(),
        Some("<134>Nov 24 05:43:30 mytag[10315]: m\n")
    );
    // len 100 on rfc5424.
    let h2 = HeaderInfo {
        tag: "haproxy",
        pid: 12415,
        now: at(5, 43, 53, 956_108),
        ..h
    };
    let d = datagram(
        &targets[4],
        Level::INFO,
        &h2,
        br#"[<BADREQ>] "<BADREQ>" "<BADREQ>" 6B052419 307F 0001 0 955 955 400 0 <BADREQ> "<BADREQ>""#,
    )
    .expect("sent");
    assert_eq!(
        String::from_utf8(d).expect("ascii"),
        "<134>1 2026-11-24T05:43:53.956108+00:00 myhost haproxy 12415 - - [<BADREQ>] \"<BADREQ>\" \"<BADREQ>\" 6B\n"
    );
}

/// `log-format-sd` output goes in the structured-data slot, trailing
/// spaces dropped; `option log-separate-errors` sends a 503 at err.
#[test]
fn rfc5424_structured_data_and_separate_errors() {
    let rec = LogRecord {
        http: true,
        status: Some(503),
        bytes_in: 80,
        term: TermState::parse("SC--").expect("valid"),
        retries: 3,
        ..LogRecord::default()
    };
    let opts = LogOptions {
        log_separate_errors: true,
        ..LogOptions::default()
    };
    let level = traffic_level(&rec, opts).expect("logged");
    assert_eq!(level, Level::ERR);
    let h = HeaderInfo {
        structured_data: Some("[exampleSDID@1234 x=\"127.0.0.1\"]  "),
        ..info(at(5, 53, 42, 309_891), 31655)
    };
    let head = header(SyslogFormat::Rfc5424, Facility::LOCAL0, level, &h);
    assert_eq!(
        head,
        "<131>1 2026-11-24T05:53:42.309891+00:00 - haproxy 31655 - [exampleSDID@1234 x=\"127.0.0.1\"] "
    );
    let blank = HeaderInfo {
        structured_data: Some("  "),
        tag: "",
        ..h
    };
    assert_eq!(
        header(SyslogFormat::Rfc5424, Facility::LOCAL0, Level::INFO, &blank),
        "<134>1 2026-11-24T05:53:42.309891+00:00 - - 31655 - - "
    );
    // Without a tag the local formats stop after the date.
    assert_eq!(
        header(SyslogFormat::Local, Facility::LOCAL0, Level::INFO, &blank),
        "<134>Nov 24 05:53:42 "
    );
}

#[test]
fn traffic_options() {
    let ok = LogRecord {
        http: true,
        status: Some(200),
        bytes_in: 10,
        ..LogRecord::default()
    };
    let none = LogOptions::default();
    assert_eq!(traffic_level(&ok, none), Some(Level::INFO));
    let quiet = LogOptions {
        dontlog_normal: true,
        ..none
    };
    assert_eq!(traffic_level(&ok, quiet), None);
    let failed = LogRecord {
        status: Some(502),
        ..ok.clone()
    };
    assert_eq!(traffic_level(&failed, quiet), Some(Level::INFO));
    let null = LogRecord {
        bytes_in: 0,
        term: TermState::parse("CR--").expect("valid"),
        ..ok
    };
    let dln = LogOptions {
        dontlognull: true,
        ..none
    };
    assert_eq!(traffic_level(&null, dln), None);
    assert_eq!(traffic_level(&null, none), Some(Level::INFO));
}

#[test]
fn frame_strips_trailing_newlines_only() {
    assert_eq!(frame("<6>", b"a\nb\n\n", 1024), b"<6>a\nb\n");
    assert_eq!(frame("", b"", 1024), b"\n");
}
