//! Rebuilds every datagram of shared/golden/syslog_udp_datagrams.txt
//! (HAProxy 2.6.12 running shared/golden/reference_haproxy.cfg: `log
//! 127.0.0.1:15514 local0` in global, `log global` + `option httplog` in
//! defaults) from hand-built records and compares bytes.
//!
//! Run-specific values (pid, header date, accept date, client port, timers,
//! byte counts) are inputs copied from the capture, so `every_datagram_*`
//! needs no normalisation at all; `normalised_*` shows the same lines match
//! when those values differ and only those fields are masked.

use std::net::SocketAddr;
use std::path::PathBuf;

use harp::config::logformat::parse_log_format;
use harp::log::{
    datagram, fit_message, render, Facility, HeaderInfo, Level, LogRecord, LogTime, Peer,
    SyslogFormat, SyslogTarget, TermState, Timers, HTTPLOG_FORMAT,
};

fn shared_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("HARP_SHARED") {
        return PathBuf::from(p);
    }
    let m = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [m.join("../shared"), m.join("../../shared")]
        .into_iter()
        .find(|p| p.join("golden").is_dir())
        .unwrap_or_else(|| m.join("../shared"))
}

fn golden_datagrams() -> Vec<Vec<u8>> {
    let path = shared_dir().join("golden/syslog_udp_datagrams.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set HARP_SHARED)", path.display()));
    // The capture writes each datagram (which ends in '\n') then a '\n'.
    text.split("\n\n")
        .filter(|d| !d.is_empty())
        .map(|d| format!("{d}\n").into_bytes())
        .collect()
}

/// 2026-11-23 00:00:00 UTC.
const DAY: i64 = 1_795_392_000;

fn at(h: i64, m: i64, s: i64, ms: u32) -> LogTime {
    LogTime::new(DAY + h * 3600 + m * 60 + s, ms * 1000)
}

/// `global` has only `log 127.0.0.1:15514 local0`: format local, no
/// hostname, tag "haproxy".
fn target() -> SyslogTarget {
    SyslogTarget {
        format: SyslogFormat::Local,
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

/// One traffic line: the run-specific values first, then the rest.
struct Traffic {
    now: (i64, i64, i64),
    port: u16,
    accept: (i64, i64, i64, u32),
    /// TR, Tw, Tc, Tr, Ta
    timers: [i64; 5],
    bytes: u64,
    status: u16,
    frontend: &'static str,
    backend: &'static str,
    server: &'static str,
    term: &'static str,
    request: &'static str,
}

const T: &[Traffic] = &[
    Traffic {
        now: (19, 53, 46),
        port: 57186,
        accept: (19, 53, 46, 95),
        timers: [0, 0, 0, 2, 2],
        bytes: 667,
        status: 200,
        frontend: "fe_main",
        backend: "be_app",
        server: "s1",
        term: "----",
        request: "GET / HTTP/1.1",
    },
    Traffic {
        now: (19, 53, 46),
        port: 57194,
        accept: (19, 53, 46, 108),
        timers: [0, 0, 0, 1, 1],
        bytes: 667,
        status: 200,
        frontend: "fe_main",
        backend: "be_app",
        server: "s1",
        term: "----",
        request: "GET / HTTP/1.1",
    },
    Traffic {
        now: (19, 53, 46),
        port: 57208,
        accept: (19, 53, 46, 117),
        timers: [0, 0, 0, 0, 0],
        bytes: 667,
        status: 200,
        frontend: "fe_main",
        backend: "be_app",
        server: "s1",
        term: "----",
        request: "GET / HTTP/1.1",
    },
    Traffic {
        now: (19, 54, 19),
        port: 45570,
        accept: (19, 54, 19, 313),
        timers: [0, 0, 0, 0, 0],
        bytes: 2878,
        status: 200,
        frontend: "stats",
        backend: "stats",
        server: "<STATS>",
        term: "LR--",
        request: "GET /;csv;norefresh HTTP/1.1",
    },
    Traffic {
        now: (19, 54, 23),
        port: 45576,
        accept: (19, 54, 23, 878),
        timers: [0, 0, 0, 0, 0],
        bytes: 55328,
        status: 200,
        frontend: "stats",
        backend: "stats",
        server: "<PROMEX>",
        term: "LR--",
        request: "GET /metrics HTTP/1.1",
    },
    Traffic {
        now: (19, 54, 23),
        port: 45584,
        accept: (19, 54, 23, 922),
        timers: [0, 0, 0, 0, 0],
        bytes: 2894,
        status: 200,
        frontend: "stats",
        backend: "stats",
        server: "<STATS>",
        term: "LR--",
        request: "GET /;csv;norefresh HTTP/1.1",
    },
    Traffic {
        now: (19, 54, 23),
        port: 45598,
        accept: (19, 54, 23, 944),
        timers: [0, 0, 0, -1, 0],
        bytes: 469,
        status: 400,
        frontend: "stats",
        backend: "stats",
        server: "<STATS>",
        term: "LR--",
        request: "GET /;csv HTTP/1.1",
    },
    Traffic {
        now: (19, 54, 23),
        port: 45610,
        accept: (19, 54, 23, 953),
        timers: [0, 0, 0, 0, 0],
        bytes: 14879,
        status: 200,
        frontend: "stats",
        backend: "stats",
        server: "<PROMEX>",
        term: "LR--",
        request: "HEAD /metrics HTTP/1.1",
    },
    Traffic {
        now: (19, 54, 40),
        port: 48668,
        accept: (19, 54, 40, 987),
        timers: [0, 0, 0, 0, 0],
        bytes: 2896,
        status: 200,
        frontend: "stats",
        backend: "stats",
        server: "<STATS>",
        term: "LR--",
        request: "GET /;csv HTTP/1.1",
    },
];

/// Server state messages (health checks, `set server`): the text is given,
/// only their framing is under test here.
const EVENTS: &[((i64, i64, i64), Level, &str)] = &[
    ((19, 53, 43), Level::ALERT, "Server be_app/s2 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."),
    ((19, 53, 43), Level::EMERG, "backend be_app has no server available!"),
    ((19, 53, 45), Level::NOTICE, "Server be_app/s1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."),
    ((19, 53, 52), Level::NOTICE, "Server be_app/s2 was DOWN and now enters maintenance."),
    ((19, 53, 52), Level::NOTICE, "Server be_app/s2 is UP/READY (leaving forced maintenance)."),
    ((19, 53, 53), Level::ALERT, "Server be_app/s2 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."),
    ((19, 54, 13), Level::NOTICE, "Server be_app/s1 enters drain state. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."),
    ((19, 54, 13), Level::EMERG, "backend be_app has no server available!"),
    ((19, 54, 13), Level::NOTICE, "Server be_app/s1 is UP (leaving forced drain)."),
    ((19, 54, 19), Level::NOTICE, "Server be_app/s1 enters drain state. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue."),
    ((19, 54, 19), Level::EMERG, "backend be_app has no server available!"),
    ((19, 54, 19), Level::NOTICE, "Server be_app/s1 is UP (leaving forced drain)."),
];

fn record(t: &Traffic) -> LogRecord {
    let [treq, tw, tc, tr, ta] = t.timers;
    LogRecord {
        client: Some(Peer::Inet(SocketAddr::from(([127, 0, 0, 1], t.port)))),
        frontend: t.frontend.into(),
        backend: Some(t.backend.into()),
        server: Some(t.server.into()),
        http: true,
        accept_date: at(t.accept.0, t.accept.1, t.accept.2, t.accept.3),
        timers: Timers {
            th: 0,
            ti: 0,
            treq,
            tw,
            tc,
            tr,
            ta,
            tt: ta,
        },
        status: Some(t.status),
        bytes_out: t.bytes,
        term: TermState::parse(t.term).expect("valid state"),
        actconn: 1,
        feconn: 1,
        beconn: 0,
        srv_conn: 0,
        request_line: Some(t.request.into()),
        ..LogRecord::default()
    }
}

fn traffic_datagram(t: &Traffic, pid: u32, now: LogTime) -> Vec<u8> {
    let fmt = parse_log_format(HTTPLOG_FORMAT).expect("httplog parses");
    let line = render(&fmt, &record(t));
    datagram(
        &target(),
        Level::INFO,
        &info(now, pid),
        fit_message(&line, 1024),
    )
    .expect("info passes the default level filter")
}

fn event_datagram(e: &((i64, i64, i64), Level, &str)) -> Vec<u8> {
    let ((h, m, s), level, msg) = *e;
    datagram(
        &target(),
        level,
        &info(at(h, m, s, 0), 17268),
        msg.as_bytes(),
    )
    .expect("no level filter")
}

/// The datagrams in capture order, built from the two tables.
fn rebuilt(pid: u32, shift: impl Fn(LogTime) -> LogTime) -> Vec<Vec<u8>> {
    // The capture is in time order; within one second the events come
    // first (they are placed at .000, traffic at .500).
    let mut out: Vec<(LogTime, usize, Vec<u8>)> = Vec::new();
    for (i, e) in EVENTS.iter().enumerate() {
        let (h, m, s) = e.0;
        out.push((at(h, m, s, 0), i, event_datagram(e)));
    }
    for (i, t) in T.iter().enumerate() {
        let (h, m, s) = t.now;
        let now = shift(at(h, m, s, 0));
        out.push((at(h, m, s, 500), 100 + i, traffic_datagram(t, pid, now)));
    }
    out.sort_by_key(|(t, i, _)| (*t, *i));
    out.into_iter().map(|(_, _, d)| d).collect()
}

#[test]
fn every_datagram_is_byte_identical() {
    let golden = golden_datagrams();
    assert_eq!(golden.len(), EVENTS.len() + T.len());
    let ours = rebuilt(17268, |t| t);
    for (i, (g, o)) in golden.iter().zip(&ours).enumerate() {
        assert_eq!(
            String::from_utf8_lossy(o),
            String::from_utf8_lossy(g),
            "datagram #{i}"
        );
        assert_eq!(o, g, "datagram #{i} bytes");
    }
}

/// Masks the run-specific fields of a traffic datagram and says which ones
/// it masked.
fn normalise(d: &str) -> (String, Vec<&'static str>) {
    let mut masked = Vec::new();
    let mut s = d.to_string();
    // "<134>Nov 23 19:53:46 haproxy[17268]: 127.0.0.1:57186 [23/Nov/2026:19:53:46.095] ..."
    if s.len() > 20 && s.as_bytes()[4] == b'>' {
        s.replace_range(5..20, "HDRDATE");
        masked.push("header date");
    }
    if let (Some(a), Some(b)) = (s.find("haproxy["), s.find("]: ")) {
        s.replace_range(a + 8..b, "PID");
        masked.push("pid");
    }
    let mut words: Vec<String> = s.split(' ').map(String::from).collect();
    // words: [<pri>HDRDATE, haproxy[PID]:, ip:port, [date], fe, be/srv, timers, status, bytes, ...]
    if let Some(w) = words.get_mut(2) {
        if let Some((ip, _)) = w.split_once(':') {
            *w = format!("{ip}:PORT");
            masked.push("client port");
        }
    }
    if let Some(w) = words.get_mut(3) {
        *w = "[ACCEPTDATE]".into();
        masked.push("accept date");
    }
    if let Some(w) = words.get_mut(6) {
        *w = "TIMERS".into();
        masked.push("timers");
    }
    if let Some(w) = words.get_mut(8) {
        *w = "BYTES".into();
        masked.push("bytes");
    }
    (words.join(" "), masked)
}

#[test]
fn normalised_traffic_lines_match_with_other_run_values() {
    let golden = golden_datagrams();
    let traffic: Vec<&Vec<u8>> = golden.iter().filter(|d| d.starts_with(b"<134>")).collect();
    assert_eq!(traffic.len(), T.len());
    for (t, g) in T.iter().zip(traffic) {
        // Another run: other pid, other port, dates, timers and sizes.
        let other = Traffic {
            port: 40000,
            accept: (3, 4, 5, 6),
            timers: [7, 8, 9, 10, 44],
            bytes: 1,
            ..*t
        };
        let o = traffic_datagram(&other, 4242, at(3, 4, 6, 0));
        let (gn, gmask) = normalise(&String::from_utf8_lossy(g));
        let (on, omask) = normalise(&String::from_utf8_lossy(&o));
        let expected = [
            "header date",
            "pid",
            "client port",
            "accept date",
            "timers",
            "bytes",
        ];
        assert_eq!(gmask, expected);
        assert_eq!(omask, expected);
        assert_eq!(on, gn);
        assert_ne!(o, *g, "the run values really differ");
    }
}
