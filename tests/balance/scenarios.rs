//! The backends compared with HAProxy: how each is written in
//! haproxy.cfg, and the same backend as harp's balancer.

use harp::balance::{Algorithm, Balancer, Choice, HashType, LbConfig, ServerSnap, SrvState};
use harp::config::model::Balance;

/// Answering servers s1..s5 (HAProxy frontends) at base+PLAIN..;
/// slow ones (test threads answering after 2.5 s) at base+SLOW..;
/// scenario frontends from
/// base+FIRST_SCENARIO.
pub const PLAIN: u16 = 1;
pub const SLOW: u16 = 6;
pub const FIRST_SCENARIO: u16 = 20;

pub struct Srv {
    pub weight: u32,
    /// Extra words of the server line ("backup", "disabled", "maxconn 1").
    pub extra: &'static str,
    pub slow: bool,
}

pub struct Scenario {
    pub name: &'static str,
    /// `balance` words.
    pub balance: &'static str,
    /// `hash-type` words, if any.
    pub hash_type: &'static str,
    pub allbackups: bool,
    /// TCP mode with RDP cookie inspection (`balance rdp-cookie`); the
    /// servers are then test threads at the SLOW ports.
    pub rdp: bool,
    pub servers: Vec<Srv>,
}

fn sc(
    name: &'static str,
    balance: &'static str,
    hash_type: &'static str,
    weights: &[u32],
) -> Scenario {
    Scenario {
        name,
        balance,
        hash_type,
        allbackups: false,
        rdp: false,
        servers: weights
            .iter()
            .map(|&weight| Srv {
                weight,
                extra: "",
                slow: false,
            })
            .collect(),
    }
}

fn with(
    name: &'static str,
    balance: &'static str,
    allbackups: bool,
    servers: &[(u32, &'static str)],
) -> Scenario {
    Scenario {
        name,
        balance,
        hash_type: "",
        allbackups,
        rdp: false,
        servers: servers
            .iter()
            .map(|&(weight, extra)| Srv {
                weight,
                extra,
                slow: extra.contains("maxconn"),
            })
            .collect(),
    }
}

fn rdp(name: &'static str, balance: &'static str, hash_type: &'static str) -> Scenario {
    let mut s = sc(name, balance, hash_type, &[1, 2, 1]);
    s.rdp = true;
    for v in &mut s.servers {
        v.slow = true;
    }
    s
}

pub fn all() -> Vec<Scenario> {
    vec![
        rdp("rdp_map", "rdp-cookie", ""),
        rdp("rdp_named_cons", "rdp-cookie(user)", "consistent"),
        sc("rr_1_1", "roundrobin", "", &[1, 1]),
        sc("rr_3_2_1", "roundrobin", "", &[3, 2, 1]),
        sc("rr_10_1", "roundrobin", "", &[10, 1]),
        // First window is 4,3,1, later ones 3,3,2 (see tests/balance.rs).
        sc("rr_3_3_2", "roundrobin", "", &[3, 3, 2]),
        sc("rr_mixed", "roundrobin", "", &[5, 3, 7, 1, 2]),
        sc("rr_dynamic", "roundrobin", "", &[3, 2, 1]),
        sc("static_2_1", "static-rr", "", &[2, 1]),
        sc("static_3_2_1", "static-rr", "", &[3, 2, 1]),
        sc("static_gcd", "static-rr", "", &[4, 2, 6]),
        sc("static_dynamic", "static-rr", "", &[3, 2, 1]),
        sc("leastconn", "leastconn", "", &[1, 1, 1]),
        // Slow servers ("maxconn" marks them), so connections overlap.
        with(
            "leastconn_weighted",
            "leastconn",
            false,
            &[(1, "maxconn 100"), (3, "maxconn 100"), (2, "maxconn 100")],
        ),
        with(
            "first",
            "first",
            false,
            &[(1, "maxconn 1"), (1, "maxconn 2"), (1, "maxconn 3")],
        ),
        with(
            "backup_first",
            "roundrobin",
            false,
            &[(1, "disabled"), (1, "backup"), (2, "backup")],
        ),
        with(
            "backup_all",
            "roundrobin",
            true,
            &[(1, "disabled"), (1, "backup"), (2, "backup")],
        ),
        with(
            "static_backup",
            "static-rr",
            false,
            &[(1, "disabled"), (2, "backup"), (3, "backup")],
        ),
        with(
            "static_backup_all",
            "static-rr",
            true,
            &[(1, "disabled"), (2, "backup"), (3, "backup")],
        ),
        sc("uri_map", "uri", "", &[1, 1, 1]),
        sc("uri_cons", "uri", "consistent", &[1, 1, 1]),
        sc(
            "uri_djb2_aval",
            "uri",
            "consistent djb2 avalanche",
            &[1, 2, 1],
        ),
        sc("uri_wt6_map", "uri", "map-based wt6", &[1, 1, 1]),
        sc("uri_crc32_map", "uri", "map-based crc32", &[2, 1, 1]),
        sc("uri_depth_len", "uri depth 2 len 12", "", &[1, 1, 1]),
        sc("uri_whole_path", "uri whole path-only", "", &[1, 1, 1]),
        sc("uri_cons_dynamic", "uri", "consistent", &[1, 2, 1]),
        Scenario {
            hash_type: "consistent",
            ..with(
                "uri_cons_backup_all",
                "uri",
                true,
                &[(1, "disabled"), (1, "backup"), (2, "backup")],
            )
        },
        with(
            "uri_map_backup",
            "uri",
            false,
            &[(1, "disabled"), (2, "backup"), (3, "backup")],
        ),
        sc("source_map", "source", "", &[1, 1, 1]),
        sc("source_weighted", "source", "", &[2, 1, 3]),
        sc("source_cons", "source", "consistent", &[1, 1, 1]),
        sc("hdr_map", "hdr(x-key)", "", &[1, 1, 1]),
        sc("hdr_cons_wt6", "hdr(x-key)", "consistent wt6", &[1, 1, 1]),
        sc("hdr_domain", "hdr(host) use_domain_only", "", &[1, 1, 1]),
        sc(
            "hash_expr",
            "hash req.hdr(x-key)",
            "consistent crc32 avalanche",
            &[1, 1, 1],
        ),
        sc("urlparam_map", "url_param id", "", &[1, 1, 1]),
        sc("urlparam_cons", "url_param id", "consistent", &[1, 1, 1]),
        sc("urlparam_post", "url_param id check_post", "", &[1, 1, 1]),
        sc("urlparam_post_nocheck", "url_param id", "", &[1, 1, 1]),
    ]
}

pub fn config(base: u16, sock: &str, scenarios: &[Scenario]) -> String {
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
        let (fe_mode, be_mode) = if s.rdp {
            (
                "  mode tcp\n  tcp-request inspect-delay 2s\n  tcp-request content accept if RDP_COOKIE\n",
                "  mode tcp\n",
            )
        } else {
            ("", "")
        };
        c += &format!(
            "frontend fe{k}\n  bind 127.0.0.1:{p}\n{fe_mode}  default_backend be{k}\nbackend be{k}\n{be_mode}  balance {b}\n",
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
            let base_port = if v.slow { SLOW } else { PLAIN };
            let port = base + base_port + i as u16;
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
pub fn harp_balancer(s: &Scenario) -> Balancer {
    let mut words = s.balance.split_whitespace().map(String::from);
    let balance = Balance {
        algorithm: words.next().unwrap_or_default(),
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

/// A choice as the server name HAProxy's answer carries.
pub fn name(c: Choice) -> String {
    match c {
        Choice::Server(i) => format!("s{}", i + 1),
        Choice::Full => "<full>".into(),
        Choice::NoServer => "<none>".into(),
    }
}
