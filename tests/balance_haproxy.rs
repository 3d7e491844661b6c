//! Differential test: harp's server selection against HAProxy 2.6.
//!
//! HAProxy runs here only as an oracle (never in harp). One process holds
//! every scenario as its own frontend/backend pair on 127.0.0.1 high
//! ports; each backend server is a HAProxy frontend that answers its own
//! name, so the body of each response says which server was chosen. Each
//! request is a fresh HTTP/1.0 connection. harp's pure balancer, built
//! from the same `balance`/`hash-type` words, must pick the same sequence.
//!
//! Not compared: `balance random` (HAProxy draws from its own PRNG; harp
//! injects its own: only distribution is checked, in tests/balance.rs).

#[path = "balance/oracle.rs"]
mod oracle;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use harp::balance::{
    Algorithm, Balancer, Choice, HashType, LbConfig, Request, ServerSnap, SrvState,
};
use harp::config::model::Balance;
use oracle::{get, get_from, open, read_body, Oracle, SlowServers};

/// Plain answering servers s1..s5 (HAProxy frontends) at base+1..base+5;
/// slow ones (test threads answering after 1.5 s) at base+6..base+8;
/// scenario frontends from base+20.
const PLAIN: u16 = 1;
const SLOW: u16 = 6;
const FIRST_SCENARIO: u16 = 20;

struct Srv {
    weight: u32,
    /// Extra words of the server line ("backup", "disabled", "maxconn 1").
    extra: &'static str,
    slow: bool,
}

fn srv(weight: u32) -> Srv {
    Srv {
        weight,
        extra: "",
        slow: false,
    }
}

struct Scenario {
    /// `balance` words.
    balance: &'static str,
    /// `hash-type` words, if any.
    hash_type: &'static str,
    allbackups: bool,
    servers: Vec<Srv>,
}

fn sc(balance: &'static str, hash_type: &'static str, weights: &[u32]) -> Scenario {
    Scenario {
        balance,
        hash_type,
        allbackups: false,
        servers: weights.iter().map(|&w| srv(w)).collect(),
    }
}

fn config(base: u16, sock: &str, scenarios: &[Scenario]) -> String {
    let mut c = format!(
        "global\n  nbthread 1\n  stats socket {sock} level admin\n\
         defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n  timeout queue 10s\n"
    );
    for i in 0..5 {
        c += &format!(
            "frontend plain{n}\n  bind 127.0.0.1:{p}\n  http-request return status 200 content-type text/plain string s{n}\n",
            n = i + 1,
            p = base + PLAIN + i
        );
    }
    for (k, s) in scenarios.iter().enumerate() {
        c += &format!(
            "frontend fe{k}\n  bind 127.0.0.1:{p}\n  default_backend be{k}\nbackend be{k}\n  balance {b}\n",
            p = base + FIRST_SCENARIO + k as u16,
            b = s.balance
        );
        if !s.hash_type.is_empty() {
            c += &format!("  hash-type {}\n", s.hash_type);
        }
        if s.allbackups {
            c += "  option allbackups\n";
        }
        for (i, v) in s.servers.iter().enumerate() {
            let port = if v.slow {
                base + SLOW + i as u16
            } else {
                base + PLAIN + i as u16
            };
            c += &format!(
                "  server s{} 127.0.0.1:{port} weight {} {}\n",
                i + 1,
                v.weight,
                v.extra
            );
        }
    }
    c
}

/// harp's balancer for a scenario, from the same words HAProxy reads.
fn harp_balancer(s: &Scenario) -> Balancer {
    let mut words = s.balance.split_whitespace().map(String::from);
    let algorithm = words.next().unwrap_or_default();
    let balance = Balance {
        algorithm,
        args: words.collect(),
    };
    let ht: Vec<String> = s.hash_type.split_whitespace().map(String::from).collect();
    let cfg = LbConfig {
        algo: Algorithm::parse(&balance).expect("balance words"),
        hash_type: HashType::parse(&ht).expect("hash-type words"),
        allbackups: s.allbackups,
        balance_factor: 0,
    };
    let servers = s
        .servers
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut snap = ServerSnap::new(i as u32 + 1, &format!("s{}", i + 1), v.weight);
            snap.backup = v.extra.contains("backup");
            if v.extra.contains("disabled") {
                snap.state = SrvState::Maint;
            }
            if let Some(m) = v.extra.split("maxconn ").nth(1) {
                snap.maxconn = m
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
            }
            snap
        })
        .collect();
    Balancer::new(cfg, servers)
}

fn name(c: Choice) -> String {
    match c {
        Choice::Server(i) => format!("s{}", i + 1),
        Choice::Full => "<full>".into(),
        Choice::NoServer => "<none>".into(),
    }
}

/// Keys for hash scenarios.
fn uri_targets() -> Vec<String> {
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
    v
}

struct Run {
    oracle: Oracle,
}

impl Run {
    fn port(&self, k: usize) -> u16 {
        self.oracle.base + FIRST_SCENARIO + k as u16
    }
}

const ALL: &[&str] = &[
    "rr_1_1",
    "rr_3_2_1",
    "rr_10_1",
    "static_2_1",
    "static_3_2_1",
    "uri_map",
    "uri_cons",
    "uri_djb2_aval",
    "uri_wt6_map",
    "uri_crc32_map",
    "uri_depth_len",
    "source_map",
    "source_cons",
    "hdr_map",
    "hdr_domain",
    "urlparam_map",
    "first",
    "rr_dynamic",
    "backup_first",
    "backup_all",
    "leastconn",
];

fn scenarios() -> Vec<Scenario> {
    let mut v = vec![
        sc("roundrobin", "", &[1, 1]),
        sc("roundrobin", "", &[3, 2, 1]),
        sc("roundrobin", "", &[10, 1]),
        sc("static-rr", "", &[2, 1]),
        sc("static-rr", "", &[3, 2, 1]),
        sc("uri", "", &[1, 1, 1]),
        sc("uri", "consistent", &[1, 1, 1]),
        sc("uri", "consistent djb2 avalanche", &[1, 2, 1]),
        sc("uri", "map-based wt6", &[1, 1, 1]),
        sc("uri", "map-based crc32", &[2, 1, 1]),
        sc("uri depth 2 len 12", "", &[1, 1, 1]),
        sc("source", "", &[1, 1, 1]),
        sc("source", "consistent", &[1, 1, 1]),
        sc("hdr(x-key)", "", &[1, 1, 1]),
        sc("hdr(host) use_domain_only", "", &[1, 1, 1]),
        sc("url_param id", "", &[1, 1, 1]),
    ];
    v.push(Scenario {
        balance: "first",
        hash_type: "",
        allbackups: false,
        servers: vec![
            Srv {
                weight: 1,
                extra: "maxconn 1",
                slow: true,
            },
            Srv {
                weight: 1,
                extra: "maxconn 2",
                slow: true,
            },
            Srv {
                weight: 1,
                extra: "maxconn 3",
                slow: true,
            },
        ],
    });
    v.push(sc("roundrobin", "", &[3, 2, 1]));
    let backups = |all| Scenario {
        balance: "roundrobin",
        hash_type: "",
        allbackups: all,
        servers: vec![
            Srv {
                weight: 1,
                extra: "disabled",
                slow: false,
            },
            Srv {
                weight: 1,
                extra: "backup",
                slow: false,
            },
            Srv {
                weight: 2,
                extra: "backup",
                slow: false,
            },
        ],
    };
    v.push(backups(false));
    v.push(backups(true));
    v.push(sc("leastconn", "", &[1, 1, 1]));
    v
}

fn start() -> (Run, Vec<Scenario>) {
    let s = scenarios();
    assert_eq!(s.len(), ALL.len());
    let count = FIRST_SCENARIO + s.len() as u16;
    let oracle = Oracle::start(count, |base, sock| config(base, sock, &s));
    (Run { oracle }, s)
}

fn idx(name: &str) -> usize {
    ALL.iter().position(|n| *n == name).expect("scenario name")
}

/// `n` plain requests: both sides' sequences.
fn plain(run: &Run, s: &[Scenario], which: &str, n: usize) -> (Vec<String>, Vec<String>) {
    let k = idx(which);
    let theirs: Vec<String> = (0..n).map(|_| get(run.port(k), "/")).collect();
    let mut b = harp_balancer(&s[k]);
    let ours = (0..n)
        .map(|_| name(b.pick(&Request::default(), None)))
        .collect();
    (theirs, ours)
}

#[test]
fn selection_matches_haproxy() {
    let (run, s) = start();
    let mut report = Vec::new();
    let mut check = |what: &str, (theirs, ours): (Vec<String>, Vec<String>)| {
        let same = theirs == ours;
        report.push(format!(
            "{what}: {}\n  haproxy {theirs:?}\n  harp    {ours:?}",
            if same { "same" } else { "DIFFERENT" }
        ));
        same
    };
    let mut ok = true;

    for (which, n) in [
        ("rr_1_1", 8),
        ("rr_3_2_1", 24),
        ("rr_10_1", 33),
        ("static_2_1", 12),
        ("static_3_2_1", 18),
    ] {
        ok &= check(which, plain(&run, &s, which, n));
    }

    // leastconn with one request at a time: each connection raises then
    // lowers its server's load, which sends it behind its equals.
    {
        let k = idx("leastconn");
        let theirs = (0..9).map(|_| get(run.port(k), "/")).collect();
        let mut b = harp_balancer(&s[k]);
        let ours = (0..9)
            .map(|_| {
                let c = b.pick(&Request::default(), None);
                if let Choice::Server(i) = c {
                    b.set_load(i, 1, 0);
                    b.set_load(i, 0, 0);
                }
                name(c)
            })
            .collect();
        ok &= check("leastconn", (theirs, ours));
    }

    // URI-based hashes.
    for which in [
        "uri_map",
        "uri_cons",
        "uri_djb2_aval",
        "uri_wt6_map",
        "uri_crc32_map",
        "uri_depth_len",
        "urlparam_map",
    ] {
        let k = idx(which);
        let targets = uri_targets();
        let theirs = targets.iter().map(|t| get(run.port(k), t)).collect();
        let mut b = harp_balancer(&s[k]);
        let ours = targets
            .iter()
            .map(|t| {
                name(b.pick(
                    &Request {
                        uri: Some(t.as_bytes()),
                        ..Request::default()
                    },
                    None,
                ))
            })
            .collect();
        ok &= check(which, (theirs, ours));
    }

    // Header hashes, with bytes above 0x7f (hashed as signed chars).
    for (which, hdr) in [("hdr_map", "x-key"), ("hdr_domain", "host")] {
        let k = idx(which);
        let mut values: Vec<Vec<u8>> = (0..24)
            .map(|i| format!("www.site{i}.example.com").into_bytes())
            .collect();
        values.extend((0..12).map(|i| {
            let mut v = format!("caf{i}").into_bytes();
            v.extend_from_slice(&[0xC3, 0xA9, 0xE9, b'.', b'x']);
            v
        }));
        let theirs = values
            .iter()
            .map(|v| get_from(run.port(k), None, "/", &[(hdr, v)]))
            .collect();
        let mut b = harp_balancer(&s[k]);
        let ours = values
            .iter()
            .map(|v| {
                name(b.pick(
                    &Request {
                        header: Some(v),
                        ..Request::default()
                    },
                    None,
                ))
            })
            .collect();
        ok &= check(which, (theirs, ours));
    }

    // Source hashes: clients bound to 127.0.0.2 ..= 127.0.0.20.
    for which in ["source_map", "source_cons"] {
        let k = idx(which);
        let srcs: Vec<Ipv4Addr> = (2..=20).map(|d| Ipv4Addr::new(127, 0, 0, d)).collect();
        let theirs = srcs
            .iter()
            .map(|&ip| get_from(run.port(k), Some(ip), "/", &[]))
            .collect();
        let mut b = harp_balancer(&s[k]);
        let ours = srcs
            .iter()
            .map(|&ip| {
                name(b.pick(
                    &Request {
                        src: Some(IpAddr::V4(ip)),
                        ..Request::default()
                    },
                    None,
                ))
            })
            .collect();
        ok &= check(which, (theirs, ours));
    }

    // Backups: the only active server is disabled.
    for which in ["backup_first", "backup_all"] {
        ok &= check(which, plain(&run, &s, which, 9));
    }

    // first: six overlapping requests against maxconn 1, 2, 3 servers that
    // answer after 1.5 s; each request is sent 100 ms after the previous.
    {
        let k = idx("first");
        let base = run.oracle.base;
        let _slow = SlowServers::start(
            &[base + SLOW, base + SLOW + 1, base + SLOW + 2],
            Duration::from_millis(1500),
        );
        let mut open_conns = Vec::new();
        for _ in 0..6 {
            open_conns.push(open(run.port(k), "/"));
            std::thread::sleep(Duration::from_millis(100));
        }
        let theirs = open_conns
            .into_iter()
            .map(|c| c.map_or_else(|| "<connect failed>".into(), read_body))
            .collect();
        let mut b = harp_balancer(&s[k]);
        let mut ours = Vec::new();
        for _ in 0..6 {
            let c = b.pick(&Request::default(), None);
            if let Choice::Server(i) = c {
                let (conns, q) = (b.servers()[i].conns + 1, b.servers()[i].queued);
                b.set_load(i, conns, q);
            }
            ours.push(name(c));
        }
        ok &= check("first", (theirs, ours));
    }

    // Dynamic roundrobin: weight changes and maintenance through the
    // admin socket, mirrored on harp's balancer.
    {
        let k = idx("rr_dynamic");
        let mut b = harp_balancer(&s[k]);
        let (mut theirs, mut ours) = (Vec::new(), Vec::new());
        let steps: &[(&str, usize)] = &[
            ("", 7),
            ("set weight be{k}/s1 1", 10),
            ("disable server be{k}/s2", 7),
            ("enable server be{k}/s2", 13),
            ("set weight be{k}/s3 5", 17),
            ("set weight be{k}/s2 0", 9),
            ("set weight be{k}/s2 4", 20),
        ];
        for (cmd, n) in steps {
            if !cmd.is_empty() {
                let cmd = cmd.replace("{k}", &k.to_string());
                let answer = run.oracle.admin(&cmd);
                assert!(answer.trim().is_empty(), "admin {cmd}: {answer}");
                let w: Vec<&str> = cmd.split_whitespace().collect();
                let srv_idx = w[2]
                    .rsplit('s')
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(1)
                    - 1;
                match (w[0], w.get(3)) {
                    ("set", Some(v)) => b.set_weight(srv_idx, v.parse().unwrap_or(0)),
                    ("disable", _) => b.set_state(srv_idx, SrvState::Maint),
                    ("enable", _) => b.set_state(srv_idx, SrvState::Up),
                    _ => {}
                }
                theirs.push(format!("[{cmd}]"));
                ours.push(format!("[{cmd}]"));
            }
            theirs.extend((0..*n).map(|_| get(run.port(k), "/")));
            ours.extend((0..*n).map(|_| name(b.pick(&Request::default(), None))));
        }
        ok &= check("rr_dynamic", (theirs, ours));
    }

    let text = report.join("\n");
    println!("{text}");
    assert!(ok, "harp and haproxy disagree:\n{text}");
}
