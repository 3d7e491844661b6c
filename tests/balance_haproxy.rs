//! Differential test: harp's server selection against HAProxy 2.6.
//!
//! HAProxy runs here only as an oracle (never in harp). One process holds
//! every scenario (tests/balance/scenarios.rs) as its own frontend/backend
//! pair on 127.0.0.1 high ports; each backend server is a HAProxy frontend
//! that answers its own name, so the body of each response says which
//! server was chosen. Each request is a fresh HTTP/1.0 connection. harp's
//! pure balancer, built from the same `balance`/`hash-type` words, must
//! pick the same sequence, including across runtime changes made on
//! HAProxy's admin socket (`set weight`, `disable server`, ...).
//!
//! `rdp-cookie` runs in TCP mode with a minimal RDP connection request;
//! its servers are test threads. Not compared: `balance random` (HAProxy
//! draws from its own PRNG; harp takes an injected one: its distribution
//! is checked in tests/balance.rs).

#[path = "balance/oracle.rs"]
mod oracle;
#[path = "balance/scenarios.rs"]
mod scenarios;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use harp::balance::{Algorithm, Balancer, Choice, Request, SrvState, Wants};
use oracle::{open, read_body, send_raw, Oracle, SlowServers};
use scenarios::{config, harp_balancer, name, Scenario, FIRST_SCENARIO, SLOW};

/// One request, as sent to HAProxy and as harp's balancer sees it.
#[derive(Clone, Default)]
struct Probe {
    src: Option<Ipv4Addr>,
    post: bool,
    target: String,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    /// An RDP connection request carrying `Cookie: <name>=<value>`.
    rdp: Option<(&'static str, String)>,
}

impl Probe {
    fn get(target: &str) -> Probe {
        Probe {
            target: target.into(),
            ..Probe::default()
        }
    }
    fn header(name: &'static str, v: Vec<u8>) -> Probe {
        Probe {
            target: "/".into(),
            headers: vec![(name, v)],
            ..Probe::default()
        }
    }
    fn bytes(&self) -> Vec<u8> {
        if let Some((name, value)) = &self.rdp {
            // TPKT + X.224 connection request header (11 bytes), then the
            // cookie line; the blank line lets the test server answer.
            let mut r = vec![0x03, 0x00, 0x00, 0x2c, 0x27, 0xe0, 0, 0, 0, 0, 0];
            r.extend_from_slice(format!("Cookie: {name}={value}\r\n\r\n").as_bytes());
            return r;
        }
        let method = if self.post { "POST" } else { "GET" };
        let mut r = format!("{method} {} HTTP/1.0\r\n", self.target).into_bytes();
        for (n, v) in &self.headers {
            r.extend_from_slice(format!("{n}: ").as_bytes());
            r.extend_from_slice(v);
            r.extend_from_slice(b"\r\n");
        }
        if self.post {
            r.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        r.extend_from_slice(b"\r\n");
        r.extend_from_slice(&self.body);
        r
    }
    fn header_value(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
    /// What the data plane would hand the balancer for this request.
    fn request(&self, b: &Balancer) -> Request<'_> {
        let mut r = Request {
            src: self.src.map(IpAddr::V4),
            uri: Some(self.target.as_bytes()),
            is_post: self.post,
            body: Some(&self.body),
            ..Request::default()
        };
        match b.wants() {
            Wants::Header(h) => r.header = self.header_value(h),
            Wants::RdpCookie(want) => {
                r.rdp_cookie = self
                    .rdp
                    .as_ref()
                    .filter(|(n, _)| n.eq_ignore_ascii_case(want))
                    .map(|(_, v)| v.as_bytes())
            }
            // The one sample expression used here: req.hdr(x-key).
            Wants::Sample(_) => r.sample = self.header_value("x-key"),
            _ => {}
        }
        r
    }
}

enum Step {
    Probe(Probe),
    /// An admin-socket command (`{be}` is the backend's name).
    Admin(&'static str),
}

fn probes(v: Vec<Probe>) -> Vec<Step> {
    v.into_iter().map(Step::Probe).collect()
}

fn plain(n: usize) -> Vec<Step> {
    probes(vec![Probe::get("/"); n])
}

fn uri_targets() -> Vec<Probe> {
    let mut v: Vec<String> = (0..30)
        .map(|i| format!("/obj/{i}/item{}.png?v={i}", i * 7))
        .collect();
    v.extend(
        [
            "/",
            "/a",
            "/a/b/c/d",
            "/index.html?x=1&id=42",
            "/id?id=7",
            "/q?user=alice&id=bob",
        ]
        .map(String::from),
    );
    v.extend((0..6).map(|i| format!("http://host{i}.example/abs/{i}?q={i}")));
    v.iter().map(|t| Probe::get(t)).collect()
}

/// Header values, some with bytes above 0x7f.
fn header_probes(name: &'static str) -> Vec<Probe> {
    let mut v: Vec<Vec<u8>> = (0..24)
        .map(|i| format!("www.site{i}.example.com").into_bytes())
        .collect();
    v.extend((0..12).map(|i| {
        let mut x = format!("caf{i}").into_bytes();
        x.extend_from_slice(&[0xC3, 0xA9, 0xE9, b'.', b'x']);
        x
    }));
    v.into_iter().map(|x| Probe::header(name, x)).collect()
}

/// Requests with and without the `id` parameter: missing keys fall back
/// to round robin, interleaved with hashed ones.
fn param_probes() -> Vec<Probe> {
    (0..30)
        .map(|i| match i % 3 {
            0 => Probe::get(&format!("/p?id=user{i}")),
            1 => Probe::get(&format!("/p?x={i}")),
            _ => Probe::get("/p"),
        })
        .collect()
}

fn post_probes() -> Vec<Probe> {
    (0..24)
        .map(|i| Probe {
            post: true,
            target: if i % 4 == 0 {
                format!("/f?id=q{i}")
            } else {
                "/f".into()
            },
            body: match i % 4 {
                1 => format!("a=1&id=body{i}&z=2").into_bytes(),
                2 => b"nothing=here".to_vec(),
                _ => format!("id=v{i}").into_bytes(),
            },
            ..Probe::default()
        })
        .collect()
}

/// RDP cookies named `name`; every fifth one carries another name (the
/// key is then missing: round robin).
fn rdp_probes(name: &'static str) -> Vec<Probe> {
    (0..30)
        .map(|i| Probe {
            rdp: Some((if i % 5 == 4 { "other" } else { name }, format!("user{i}"))),
            ..Probe::default()
        })
        .collect()
}

fn source_probes() -> Vec<Probe> {
    (2..=20)
        .map(|d| Probe {
            src: Some(Ipv4Addr::new(127, 0, 0, d)),
            ..Probe::get("/")
        })
        .collect()
}

/// Apply an admin command to harp's balancer.
fn mirror(b: &mut Balancer, cmd: &str) {
    let w: Vec<&str> = cmd.split_whitespace().collect();
    let srv = w
        .get(2)
        .and_then(|t| t.rsplit("/s").next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1)
        - 1;
    match (w.first().copied(), w.get(3)) {
        (Some("set"), Some(v)) => b.set_weight(srv, v.parse().unwrap_or(0)),
        (Some("disable"), _) => b.set_state(srv, SrvState::Maint),
        (Some("enable"), _) => b.set_state(srv, SrvState::Up),
        _ => {}
    }
}

/// Run steps against HAProxy's backend `k` and harp's balancer.
fn run(o: &Oracle, k: usize, s: &Scenario, steps: &[Step]) -> (Vec<String>, Vec<String>) {
    let port = o.base + FIRST_SCENARIO + k as u16;
    let mut b = harp_balancer(s);
    let leastconn = b.config().algo == Algorithm::LeastConn;
    let ports: Vec<u16> = (0..3).map(|i| o.base + SLOW + i).collect();
    let _servers = s.rdp.then(|| SlowServers::start(&ports, Duration::ZERO));
    let (mut theirs, mut ours) = (Vec::new(), Vec::new());
    for step in steps {
        match step {
            Step::Admin(cmd) => {
                let cmd = cmd.replace("{be}", &format!("be{k}"));
                let answer = o.admin(&cmd);
                assert!(answer.trim().is_empty(), "admin {cmd}: {answer}");
                mirror(&mut b, &cmd);
                theirs.push(format!("[{cmd}]"));
                ours.push(format!("[{cmd}]"));
            }
            Step::Probe(p) => {
                let body = send_raw(port, p.src, &p.bytes());
                // No usable server: HAProxy answers 503.
                let no_server = body.contains("503 Service Unavailable");
                theirs.push(if no_server { "<none>".into() } else { body });
                let c = b.pick(&p.request(&b), None);
                if let (true, Choice::Server(i)) = (leastconn, c) {
                    // One connection at a time: up, then down again.
                    b.set_load(i, 1, 0);
                    b.set_load(i, 0, 0);
                }
                ours.push(name(c));
            }
        }
    }
    (theirs, ours)
}

/// Overlapping requests (`balance first`, weighted leastconn): `n`
/// requests sent 100 ms apart to servers that answer after 2.5 s, so
/// every connection is still open when the next server is chosen.
fn run_overlapping(o: &Oracle, k: usize, s: &Scenario, n: usize) -> (Vec<String>, Vec<String>) {
    let port = o.base + FIRST_SCENARIO + k as u16;
    let ports: Vec<u16> = (0..3).map(|i| o.base + SLOW + i).collect();
    let _slow = SlowServers::start(&ports, Duration::from_millis(2500));
    let mut conns = Vec::new();
    for _ in 0..n {
        conns.push(open(port, "/"));
        std::thread::sleep(Duration::from_millis(100));
    }
    let theirs = conns
        .into_iter()
        .map(|c| c.map_or_else(|| "<connect failed>".into(), read_body))
        .collect();
    let mut b = harp_balancer(s);
    let mut ours = Vec::new();
    for _ in 0..n {
        let c = b.pick(&Request::default(), None);
        if let Choice::Server(i) = c {
            let conns = b.servers()[i].conns + 1;
            b.set_load(i, conns, 0);
        }
        ours.push(name(c));
    }
    (theirs, ours)
}

fn steps_for(name: &str) -> Vec<Step> {
    use Step::Admin;
    let mut v = match name {
        "rr_1_1" => plain(8),
        "rr_3_2_1" | "static_3_2_1" => plain(24),
        "rr_10_1" => plain(33),
        "rr_3_3_2" => plain(32),
        "rr_mixed" => plain(54),
        "static_2_1" => plain(12),
        "static_gcd" => plain(24),
        "leastconn" => plain(9),
        n if n.contains("backup") && !n.starts_with("uri") => plain(12),
        "rr_dynamic" | "static_dynamic" => {
            let mut v = plain(7);
            for (cmd, n) in [
                ("set weight {be}/s1 1", 10),
                ("disable server {be}/s2", 7),
                ("enable server {be}/s2", 13),
                ("set weight {be}/s3 5", 17),
                ("set weight {be}/s2 0", 9),
                ("set weight {be}/s2 4", 20),
                ("disable server {be}/s1", 5),
                ("disable server {be}/s3", 5),
                ("enable server {be}/s1", 9),
                ("enable server {be}/s3", 11),
            ] {
                // static-rr accepts only 0 or the configured weight.
                if name == "static_dynamic" && cmd.starts_with("set weight") && !cmd.ends_with(" 0")
                {
                    continue;
                }
                v.push(Admin(cmd));
                v.extend(plain(n));
            }
            v
        }
        "uri_cons_dynamic" => {
            let mut v = probes(uri_targets());
            for cmd in [
                "disable server {be}/s2",
                "set weight {be}/s1 3",
                "enable server {be}/s2",
                "set weight {be}/s3 0",
            ] {
                v.push(Admin(cmd));
                v.extend(probes(uri_targets()));
            }
            v
        }
        n if n.starts_with("uri") => probes(uri_targets()),
        n if n.starts_with("source") => probes(source_probes()),
        "hdr_domain" => probes(header_probes("host")),
        n if n.starts_with("hdr") || n == "hash_expr" => probes(header_probes("x-key")),
        "urlparam_post" | "urlparam_post_nocheck" => probes(post_probes()),
        "rdp_map" => probes(rdp_probes("mstshash")),
        "rdp_named_cons" => probes(rdp_probes("user")),
        n if n.starts_with("urlparam") => probes(param_probes()),
        _ => Vec::new(),
    };
    if v.is_empty() && !matches!(name, "first" | "leastconn_weighted") {
        v = plain(1);
    }
    v
}

#[test]
fn selection_matches_haproxy() {
    let all = scenarios::all();
    let count = FIRST_SCENARIO + all.len() as u16;
    let o = Oracle::start(count, |base, sock| config(base, sock, &all));
    let mut report = Vec::new();
    let mut differ = Vec::new();
    for (k, s) in all.iter().enumerate() {
        let (theirs, ours) = if s.name == "first" {
            run_overlapping(&o, k, s, 6)
        } else if s.name == "leastconn_weighted" {
            run_overlapping(&o, k, s, 12)
        } else {
            run(&o, k, s, &steps_for(s.name))
        };
        let same = theirs == ours;
        if !same {
            differ.push(s.name);
        }
        report.push(format!(
            "{} ({} choices): {}\n  haproxy {theirs:?}\n  harp    {ours:?}",
            s.name,
            theirs.len(),
            if same { "same" } else { "DIFFERENT" }
        ));
    }
    let text = report.join("\n");
    println!("{text}");
    assert!(
        differ.is_empty(),
        "harp and haproxy disagree on {differ:?}:\n{text}"
    );
}
