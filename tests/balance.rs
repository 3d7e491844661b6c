//! Server selection (src/balance): exact sequences, exhaustive small-case
//! properties, backups, consistent-hash stability, leastconn / first /
//! random behaviour (cookies and config: tests/balance_config.rs). The exact
//! HAProxy sequences themselves are checked in tests/balance_haproxy.rs.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use harp::balance::{
    Algorithm, Balancer, Choice, HashType, LbConfig, Request, ServerSnap, SrvState, UriOpts,
};

fn snaps(weights: &[u32]) -> Vec<ServerSnap> {
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| ServerSnap::new(i as u32 + 1, &format!("s{}", i + 1), w))
        .collect()
}

fn cfg(algo: Algorithm) -> LbConfig {
    LbConfig {
        algo,
        ..LbConfig::default()
    }
}

fn consistent(algo: Algorithm) -> LbConfig {
    LbConfig {
        algo,
        hash_type: HashType::parse(&["consistent".to_string()]).expect("hash-type"),
        ..LbConfig::default()
    }
}

fn pick(b: &mut Balancer) -> Option<usize> {
    match b.pick(&Request::default(), None) {
        Choice::Server(i) => Some(i),
        _ => None,
    }
}

fn seq(b: &mut Balancer, n: usize) -> Vec<usize> {
    (0..n).map(|_| pick(b).map_or(99, |i| i)).collect()
}

#[test]
fn roundrobin_3_2_1_has_haproxy_cycle() {
    let mut b = Balancer::new(cfg(Algorithm::RoundRobin), snaps(&[3, 2, 1]));
    let cycle = [0, 1, 0, 2, 0, 1];
    let want: Vec<usize> = cycle.iter().cycle().take(24).copied().collect();
    assert_eq!(seq(&mut b, 24), want);
}

#[test]
fn static_rr_3_2_1_has_haproxy_cycle() {
    let mut b = Balancer::new(cfg(Algorithm::StaticRr), snaps(&[3, 2, 1]));
    let want: Vec<usize> = [0, 0, 1, 0, 1, 2]
        .iter()
        .cycle()
        .take(18)
        .copied()
        .collect();
    assert_eq!(seq(&mut b, 18), want);
}

#[test]
fn static_rr_divides_weights_by_their_gcd() {
    // 4,2,6 behaves as 2,1,3: a 6-slot cycle.
    let mut a = Balancer::new(cfg(Algorithm::StaticRr), snaps(&[4, 2, 6]));
    let mut b = Balancer::new(cfg(Algorithm::StaticRr), snaps(&[2, 1, 3]));
    assert_eq!(seq(&mut a, 12), seq(&mut b, 12));
    assert_eq!(seq(&mut a, 6), vec![0, 2, 0, 2, 1, 2]);
}

/// Every weight vector of 1..=4 servers with weights 0..=4.
fn weight_vectors() -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    for n in 1..=4u32 {
        for code in 0..5u32.pow(n) {
            let mut c = code;
            let w: Vec<u32> = (0..n)
                .map(|_| {
                    let d = c % 5;
                    c /= 5;
                    d
                })
                .collect();
            out.push(w);
        }
    }
    out
}

/// Counts per server over `n` picks.
fn counts(b: &mut Balancer, servers: usize, n: usize) -> Vec<u32> {
    let mut count = vec![0u32; servers];
    for i in seq(b, n) {
        count[i] += 1;
    }
    count
}

#[test]
fn static_rr_gives_each_server_exactly_its_weight_per_cycle() {
    let mut checked = 0;
    for w in weight_vectors() {
        let total: u32 = w.iter().sum();
        if total == 0 {
            continue;
        }
        let mut b = Balancer::new(cfg(Algorithm::StaticRr), snaps(&w));
        for cycle in 0..3 {
            assert_eq!(
                counts(&mut b, w.len(), total as usize),
                w,
                "weights {w:?} cycle {cycle}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * (5 + 25 + 125 + 625 - 4));
}

/// roundrobin's first window may lean towards the heaviest servers
/// (HAProxy 2.6 itself picks 4,3,1 for weights 3,3,2 in the first 8
/// requests, then 3,3,2 in every later window), so the exact property
/// is: after the first window, each window of `total` picks holds each
/// server exactly `weight` times; over k windows from the start, every
/// count is within one of k × weight.
#[test]
fn roundrobin_gives_each_server_its_weight_per_window() {
    let mut checked = 0;
    for w in weight_vectors() {
        let total: u32 = w.iter().sum();
        if total == 0 {
            continue;
        }
        let mut b = Balancer::new(cfg(Algorithm::RoundRobin), snaps(&w));
        let first = counts(&mut b, w.len(), total as usize);
        for (c, x) in first.iter().zip(&w) {
            assert!(c.abs_diff(*x) <= 1, "weights {w:?}: first window {first:?}");
            assert!(*x > 0 || *c == 0, "weight 0 never picked: {w:?} {first:?}");
        }
        for window in 1..4 {
            assert_eq!(
                counts(&mut b, w.len(), total as usize),
                w,
                "weights {w:?} window {window}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * (5 + 25 + 125 + 625 - 4));
}

#[test]
fn down_and_maintenance_servers_are_never_picked() {
    let algos = [
        cfg(Algorithm::RoundRobin),
        cfg(Algorithm::StaticRr),
        cfg(Algorithm::LeastConn),
        cfg(Algorithm::First),
        cfg(Algorithm::Source),
        consistent(Algorithm::Source),
    ];
    for w in weight_vectors().into_iter().filter(|w| w.len() == 3) {
        for mask in 0..8u32 {
            for c in &algos {
                let mut s = snaps(&w);
                for (i, srv) in s.iter_mut().enumerate() {
                    if mask & (1 << i) != 0 {
                        srv.state = if i % 2 == 0 {
                            SrvState::Down
                        } else {
                            SrvState::Maint
                        };
                    }
                }
                let usable: Vec<bool> = s.iter().map(ServerSnap::usable).collect();
                let mut b = Balancer::new(c.clone(), s);
                for k in 0..20u8 {
                    let req = Request {
                        src: Some(IpAddr::V4(Ipv4Addr::new(10, 0, k, 1))),
                        ..Request::default()
                    };
                    match b.pick(&req, None) {
                        Choice::Server(i) => {
                            assert!(usable[i], "{:?} {w:?} mask {mask}: picked {i}", c.algo)
                        }
                        Choice::NoServer => assert!(!usable.contains(&true)),
                        Choice::Full => panic!("no maxconn set, cannot be full"),
                    }
                }
            }
        }
    }
}

#[test]
fn runtime_state_changes_take_effect() {
    let mut b = Balancer::new(cfg(Algorithm::RoundRobin), snaps(&[1, 1, 1]));
    b.set_state(1, SrvState::Down);
    assert!(seq(&mut b, 12).iter().all(|&i| i != 1));
    b.set_state(1, SrvState::Up);
    let mut count = [0; 3];
    for i in seq(&mut b, 30) {
        count[i] += 1;
    }
    assert!(count[1] >= 8, "server back up gets its share: {count:?}");
    b.set_weight(0, 0);
    assert!(seq(&mut b, 12).iter().all(|&i| i != 0));
    assert_eq!(b.counts().act, 2);
}

#[test]
fn backups_only_when_all_actives_are_down() {
    let mut s = snaps(&[1, 1, 2, 3]);
    s[2].backup = true;
    s[3].backup = true;
    for allbackups in [false, true] {
        let c = LbConfig {
            allbackups,
            ..cfg(Algorithm::RoundRobin)
        };
        let mut b = Balancer::new(c, s.clone());
        assert!(seq(&mut b, 10).iter().all(|&i| i < 2));
        b.set_state(0, SrvState::Down);
        assert!(seq(&mut b, 10).iter().all(|&i| i == 1));
        b.set_state(1, SrvState::Maint);
        let got = seq(&mut b, 10);
        if allbackups {
            assert_eq!(got.iter().filter(|&&i| i == 2).count(), 4);
            assert_eq!(got.iter().filter(|&&i| i == 3).count(), 6);
        } else {
            assert!(got.iter().all(|&i| i == 2), "first backup only: {got:?}");
            b.set_state(2, SrvState::Down);
            assert!(seq(&mut b, 5).iter().all(|&i| i == 3));
        }
        b.set_state(1, SrvState::Up);
        assert!(seq(&mut b, 5).iter().all(|&i| i == 1));
    }
}

#[test]
fn no_usable_server_means_no_server_and_saturation_means_full() {
    let mut s = snaps(&[1, 1]);
    s[0].state = SrvState::Down;
    s[1].state = SrvState::Drain;
    let mut b = Balancer::new(cfg(Algorithm::RoundRobin), s);
    assert_eq!(b.pick(&Request::default(), None), Choice::NoServer);

    let mut s = snaps(&[1, 1]);
    for x in &mut s {
        x.maxconn = 1;
        x.conns = 1;
    }
    let mut b = Balancer::new(cfg(Algorithm::RoundRobin), s);
    assert_eq!(b.pick(&Request::default(), None), Choice::Full);
    b.set_load(1, 0, 0);
    assert_eq!(b.pick(&Request::default(), None), Choice::Server(1));
}

#[test]
fn avoid_skips_a_server_unless_it_is_the_only_one() {
    for algo in [
        Algorithm::RoundRobin,
        Algorithm::StaticRr,
        Algorithm::LeastConn,
        Algorithm::First,
    ] {
        let mut b = Balancer::new(cfg(algo.clone()), snaps(&[1, 1]));
        for _ in 0..6 {
            assert_eq!(
                b.pick(&Request::default(), Some(0)),
                Choice::Server(1),
                "{algo:?}"
            );
        }
        let mut one = Balancer::new(cfg(algo.clone()), snaps(&[1]));
        assert_eq!(
            one.pick(&Request::default(), Some(0)),
            Choice::Server(0),
            "{algo:?}"
        );
    }
}

#[test]
fn leastconn_prefers_lower_load_per_weight_and_rotates_ties() {
    let mut b = Balancer::new(cfg(Algorithm::LeastConn), snaps(&[1, 1, 2]));
    b.set_load(0, 3, 0);
    b.set_load(1, 1, 0);
    b.set_load(2, 2, 0);
    // Keys: (3+1)/1, (1+1)/1, (2+1)/2 → server 2 is least loaded.
    assert_eq!(pick(&mut b), Some(2));
    for i in 0..3 {
        b.set_load(i, 0, 0);
    }
    // All idle: they take turns in the order they became idle, each
    // connection (up then down) sending its server behind the others.
    let mut got = Vec::new();
    for _ in 0..6 {
        let i = pick(&mut b).expect("a server");
        b.set_load(i, 1, 0);
        b.set_load(i, 0, 0);
        got.push(i);
    }
    assert_eq!(got, vec![0, 1, 2, 0, 1, 2]);
}

#[test]
fn first_fills_lowest_id_up_to_maxconn() {
    let mut s = snaps(&[1, 1, 1]);
    // Ids out of config order: server index 2 has the lowest id.
    s[0].id = 5;
    s[1].id = 9;
    s[2].id = 2;
    for x in &mut s {
        x.maxconn = 2;
    }
    let mut b = Balancer::new(cfg(Algorithm::First), s);
    let mut got = Vec::new();
    for _ in 0..7 {
        match b.pick(&Request::default(), None) {
            Choice::Server(i) => {
                let c = b.servers()[i].conns + 1;
                b.set_load(i, c, 0);
                got.push(i as i32);
            }
            Choice::Full => got.push(-1),
            Choice::NoServer => got.push(-2),
        }
    }
    assert_eq!(got, vec![2, 2, 0, 0, 1, 1, -1]);
}

fn uri_req(u: &str) -> Request<'_> {
    Request {
        uri: Some(u.as_bytes()),
        ..Request::default()
    }
}

#[test]
fn hash_algorithms_fall_back_to_round_robin_without_a_key() {
    let up = Algorithm::UrlParam {
        name: "id".into(),
        check_post: false,
    };
    let mut b = Balancer::new(cfg(up), snaps(&[3, 2, 1]));
    let mut rr = Balancer::new(cfg(Algorithm::StaticRr), snaps(&[3, 2, 1]));
    let got: Vec<Choice> = (0..12)
        .map(|_| b.pick(&uri_req("/x?other=1"), None))
        .collect();
    let want: Vec<Choice> = (0..12)
        .map(|_| rr.pick(&Request::default(), None))
        .collect();
    assert_eq!(got, want);
    // A present key always goes to the same server.
    let first = b.pick(&uri_req("/x?id=42"), None);
    for _ in 0..5 {
        assert_eq!(b.pick(&uri_req("/x?a=1&id=42"), None), first);
    }
    // check_post reads the body of POSTs only.
    let post = Algorithm::UrlParam {
        name: "id".into(),
        check_post: true,
    };
    let b2 = Balancer::new(cfg(post), snaps(&[1, 1, 1, 1, 1]));
    let mut b2 = b2;
    let body_req = Request {
        uri: Some(b"/form"),
        is_post: true,
        body: Some(b"a=b&id=42"),
        ..Request::default()
    };
    let q = b2.pick(&uri_req("/form?id=42"), None);
    for _ in 0..4 {
        assert_eq!(
            b2.pick(&body_req, None),
            q,
            "body value hashes like the query value"
        );
    }
}

#[test]
fn uri_options_change_the_key() {
    let o = UriOpts {
        depth: Some(1),
        ..UriOpts::default()
    };
    let mut b = Balancer::new(cfg(Algorithm::Uri(o)), snaps(&[1, 1, 1, 1, 1, 1, 1]));
    let a = b.pick(&uri_req("/static/a.png"), None);
    for u in ["/static/b.png", "/static/x/y/z", "/static?q=1"] {
        assert_eq!(b.pick(&uri_req(u), None), a, "{u} shares the first level");
    }
}

fn owner_map(b: &mut Balancer, keys: &[String]) -> Vec<Choice> {
    keys.iter().map(|k| b.pick(&uri_req(k), None)).collect()
}

#[test]
fn consistent_hashing_moves_only_the_removed_servers_keys() {
    let keys: Vec<String> = (0..10_000).map(|i| format!("/k/{i}")).collect();
    let mut b = Balancer::new(
        consistent(Algorithm::Uri(UriOpts::default())),
        snaps(&[1; 5]),
    );
    let before = owner_map(&mut b, &keys);
    b.set_state(2, SrvState::Down);
    let after = owner_map(&mut b, &keys);
    let mut moved = 0;
    for (x, y) in before.iter().zip(&after) {
        if x != y {
            moved += 1;
            assert_eq!(
                *x,
                Choice::Server(2),
                "only keys of the removed server move"
            );
        }
    }
    let share = moved as f64 / keys.len() as f64;
    assert!(
        (0.08..=0.35).contains(&share),
        "moved {share} of keys, expected about 1/5"
    );
    // Back up: the original mapping returns exactly.
    b.set_state(2, SrvState::Up);
    assert_eq!(owner_map(&mut b, &keys), before);

    // Map-based hashing, by contrast, reshuffles most keys.
    let mut m = Balancer::new(cfg(Algorithm::Uri(UriOpts::default())), snaps(&[1; 5]));
    let before = owner_map(&mut m, &keys);
    m.set_state(2, SrvState::Down);
    let after = owner_map(&mut m, &keys);
    let moved = before.iter().zip(&after).filter(|(x, y)| x != y).count();
    assert!(moved > keys.len() / 2, "map-based moved only {moved}");
}

#[test]
fn consistent_hashing_spreads_keys_by_weight() {
    let keys: Vec<String> = (0..20_000).map(|i| format!("/w/{i}")).collect();
    let mut b = Balancer::new(
        consistent(Algorithm::Uri(UriOpts::default())),
        snaps(&[1, 2, 4]),
    );
    let mut count = [0usize; 3];
    for c in owner_map(&mut b, &keys) {
        if let Choice::Server(i) = c {
            count[i] += 1;
        }
    }
    // Expected 1/7, 2/7, 4/7 of the keys, within the ring's spread.
    let share = |i: usize| count[i] as f64 / keys.len() as f64;
    assert!((0.07..0.23).contains(&share(0)), "{count:?}");
    assert!((0.18..0.40).contains(&share(1)), "{count:?}");
    assert!((0.45..0.70).contains(&share(2)), "{count:?}");
}

/// A deterministic RNG for `balance random`.
fn lcg(seed: u32) -> harp::balance::Rng {
    let mut x = seed;
    Box::new(move || {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        x
    })
}

#[test]
fn random_is_reproducible_with_an_injected_rng_and_follows_weights() {
    let mk = || Balancer::new(cfg(Algorithm::Random { draws: 1 }), snaps(&[1, 3])).with_rng(lcg(7));
    let (mut a, mut b) = (mk(), mk());
    assert_eq!(seq(&mut a, 50), seq(&mut b, 50));
    let mut c = mk();
    let n = 8000;
    let heavy = seq(&mut c, n).iter().filter(|&&i| i == 1).count() as f64 / n as f64;
    assert!((0.6..0.9).contains(&heavy), "weight 3 of 4 got {heavy}");
}

#[test]
fn random_with_two_draws_avoids_the_loaded_server() {
    let mut b = Balancer::new(cfg(Algorithm::Random { draws: 2 }), snaps(&[1, 1])).with_rng(lcg(3));
    b.set_load(0, 50, 0);
    let got = seq(&mut b, 200);
    let to_loaded = got.iter().filter(|&&i| i == 0).count();
    // Only when both draws land on server 0 (about 1 in 4).
    assert!(to_loaded < 90, "loaded server picked {to_loaded}/200");
    let mut one =
        Balancer::new(cfg(Algorithm::Random { draws: 1 }), snaps(&[1, 1])).with_rng(lcg(3));
    one.set_load(0, 50, 0);
    let plain = seq(&mut one, 200).iter().filter(|&&i| i == 0).count();
    assert!(
        to_loaded < plain,
        "two draws ({to_loaded}) beat one ({plain})"
    );
}

#[test]
fn source_hash_is_stable_per_address() {
    let mut b = Balancer::new(cfg(Algorithm::Source), snaps(&[1, 1, 1]));
    let mut seen: HashMap<u8, Choice> = HashMap::new();
    for round in 0..3 {
        for d in 1..50u8 {
            let req = Request {
                src: Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, d))),
                ..Request::default()
            };
            let c = b.pick(&req, None);
            if round == 0 {
                seen.insert(d, c);
            } else {
                assert_eq!(seen[&d], c);
            }
        }
    }
    // Map-based source hashing is the address modulo the total weight.
    assert_eq!(seen[&3], Choice::Server(((0xC000_0203u32) % 3) as usize));
}

#[test]
fn header_hash_uses_domain_only_when_asked() {
    let algo = Algorithm::Hdr {
        name: "host".into(),
        use_domain_only: true,
    };
    let mut b = Balancer::new(cfg(algo), snaps(&[1; 7]));
    let req = |h: &'static [u8]| Request {
        header: Some(h),
        ..Request::default()
    };
    let a = b.pick(&req(b"www.example.com"), None);
    assert_eq!(b.pick(&req(b"api.example.org"), None), a);
    assert_eq!(b.pick(&req(b"example.net"), None), a);
}

/// All algorithms under random operations: no panic, and every server
/// picked is usable (or the avoided one, when it is the only candidate).
#[test]
fn random_operations_never_pick_an_unusable_server() {
    let algos = [
        cfg(Algorithm::RoundRobin),
        cfg(Algorithm::StaticRr),
        cfg(Algorithm::LeastConn),
        cfg(Algorithm::First),
        cfg(Algorithm::Random { draws: 2 }),
        cfg(Algorithm::Source),
        consistent(Algorithm::Source),
        LbConfig {
            balance_factor: 125,
            ..consistent(Algorithm::Uri(UriOpts::default()))
        },
        LbConfig {
            allbackups: true,
            ..cfg(Algorithm::RoundRobin)
        },
    ];
    let mut rng = lcg(99);
    let mut picks = 0;
    for c in &algos {
        for _ in 0..20 {
            let n = 1 + (rng() % 6) as usize;
            let mut s = snaps(&vec![1; n]);
            for x in &mut s {
                x.weight = rng() % 5;
                x.backup = rng().is_multiple_of(3);
                x.maxconn = rng() % 3;
            }
            let mut b = Balancer::new(c.clone(), s).with_rng(lcg(rng()));
            for _ in 0..200 {
                let i = (rng() as usize) % n;
                match rng() % 6 {
                    0 => b.set_weight(i, rng() % 300),
                    1 => {
                        let st = [
                            SrvState::Up,
                            SrvState::Drain,
                            SrvState::Down,
                            SrvState::Maint,
                        ];
                        b.set_state(i, st[(rng() % 4) as usize]);
                    }
                    2 => b.set_load(i, rng() % 4, rng() % 2),
                    _ => {
                        let avoid = rng().is_multiple_of(2).then_some(i);
                        let u = format!("/{}", rng() % 50);
                        let req = Request {
                            src: Some(IpAddr::V4(Ipv4Addr::from(rng()))),
                            uri: Some(u.as_bytes()),
                            ..Request::default()
                        };
                        if let Choice::Server(k) = b.pick(&req, avoid) {
                            let srv = &b.servers()[k];
                            assert!(srv.usable(), "{:?} picked unusable {srv:?}", c.algo);
                            picks += 1;
                        }
                    }
                }
            }
            assert!(
                b.update(&snaps(&vec![1; n + 1])).is_err(),
                "size change refused"
            );
        }
    }
    assert!(picks > 1000, "only {picks} picks");
}

#[test]
fn hash_balance_factor_moves_keys_off_an_overloaded_server() {
    let c = LbConfig {
        balance_factor: 150,
        ..consistent(Algorithm::Uri(UriOpts::default()))
    };
    let mut b = Balancer::new(c.clone(), snaps(&[1, 1, 1]));
    let keys: Vec<String> = (0..300).map(|i| format!("/f/{i}")).collect();
    let home = owner_map(&mut b, &keys);
    let on_0: Vec<usize> = (0..keys.len())
        .filter(|&k| home[k] == Choice::Server(0))
        .collect();
    assert!(!on_0.is_empty());
    // Server 0 far above 1.5 × the average: its keys go elsewhere.
    b.set_load(0, 30, 0);
    for &k in &on_0 {
        assert_ne!(
            b.pick(&uri_req(&keys[k]), None),
            Choice::Server(0),
            "key {k}"
        );
    }
    // Without the factor, load does not matter.
    let mut plain = Balancer::new(
        consistent(Algorithm::Uri(UriOpts::default())),
        snaps(&[1, 1, 1]),
    );
    plain.set_load(0, 30, 0);
    assert_eq!(owner_map(&mut plain, &keys), home);
}

#[test]
fn slow_start_throttle_scales_dynamic_weights_only() {
    for (algo, throttled_share) in [(Algorithm::RoundRobin, 8), (Algorithm::StaticRr, 16)] {
        let mut b = Balancer::new(cfg(algo.clone()), snaps(&[1, 1]));
        b.set_throttle(0, 8);
        // Effective weights 8:16 (dynamic) or 16:16 (static ignores it).
        let c = counts(&mut b, 2, 240);
        let want0 = 240 * throttled_share / (throttled_share + 16);
        assert!(c[0].abs_diff(want0) <= 1, "{algo:?}: {c:?}");
        b.set_throttle(0, 16);
        let c = counts(&mut b, 2, 240);
        assert!(c[0].abs_diff(120) <= 2, "{algo:?} back to full: {c:?}");
    }
}
