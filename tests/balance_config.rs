//! Cookie persistence helpers and reading balancing settings from the
//! configuration (`balance`, `hash-type`, `option allbackups`, server
//! `weight` / `backup` / `disabled` / `cookie`).

use std::collections::HashMap;

use harp::balance::cookie::{self, Persist, PersistOpts};
use harp::balance::{Algorithm, Balancer, HashMethod, HashType, ServerSnap, SrvState, UriOpts};
use harp::config::model::Balance;
use harp::config::reader::ConfigEnv;

fn snaps(weights: &[u32]) -> Vec<ServerSnap> {
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| ServerSnap::new(i as u32 + 1, &format!("s{}", i + 1), w))
        .collect()
}

fn persist_servers() -> Vec<ServerSnap> {
    let mut s = snaps(&[1, 1, 1, 1]);
    for (i, x) in s.iter_mut().enumerate() {
        x.cookie = Some(format!("c{}", i + 1));
    }
    s[1].state = SrvState::Drain;
    s[2].state = SrvState::Down;
    s[3].state = SrvState::Maint;
    s
}

#[test]
fn cookie_persistence_honours_running_servers_only() {
    let s = persist_servers();
    let none = PersistOpts::default();
    assert_eq!(cookie::decide(&s, Some("c1"), none), Persist::Server(0));
    assert_eq!(
        cookie::decide(&s, Some("c2"), none),
        Persist::Server(1),
        "draining keeps persistence"
    );
    assert_eq!(cookie::decide(&s, Some("c3"), none), Persist::Down(2));
    assert_eq!(cookie::decide(&s, Some("c4"), none), Persist::Down(3));
    assert_eq!(cookie::decide(&s, Some("zz"), none), Persist::Invalid);
    assert_eq!(cookie::decide(&s, None, none), Persist::NoCookie);
    let persist = PersistOpts {
        persist: true,
        force: false,
    };
    assert_eq!(cookie::decide(&s, Some("c3"), persist), Persist::Server(2));
    let force = PersistOpts {
        persist: false,
        force: true,
    };
    assert_eq!(cookie::decide(&s, Some("c4"), force), Persist::Server(3));
    // Prefix mode and maxidle/maxlife dates after the server part.
    assert_eq!(
        cookie::decide(&s, Some("c1~appsession"), none),
        Persist::Server(0)
    );
    assert_eq!(
        cookie::decide(&s, Some("c1|abc|def"), none),
        Persist::Server(0)
    );
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

#[test]
fn balance_and_hash_type_words_parse_like_haproxy() {
    let b = |a: &str| {
        let mut w = words(a);
        let algorithm = w.remove(0);
        Algorithm::parse(&Balance { algorithm, args: w })
    };
    assert_eq!(b("random"), Ok(Algorithm::Random { draws: 2 }));
    assert_eq!(b("random(5)"), Ok(Algorithm::Random { draws: 5 }));
    assert!(b("random(0)").is_err());
    assert_eq!(
        b("rdp-cookie"),
        Ok(Algorithm::RdpCookie {
            name: "mstshash".into()
        })
    );
    assert_eq!(
        b("rdp-cookie(user)"),
        Ok(Algorithm::RdpCookie {
            name: "user".into()
        })
    );
    assert_eq!(
        b("hdr(Host) use_domain_only"),
        Ok(Algorithm::Hdr {
            name: "Host".into(),
            use_domain_only: true
        })
    );
    assert_eq!(
        b("uri len 10 depth 3 whole"),
        Ok(Algorithm::Uri(UriOpts {
            whole: true,
            path_only: false,
            len: Some(10),
            depth: Some(3)
        }))
    );
    assert_eq!(
        b("uri foo"),
        Err(
            "uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'foo')."
                .into()
        )
    );
    assert!(b("uri len 0").is_err());
    let ht = |s: &str| HashType::parse(&words(s));
    let cons = ht("consistent").expect("consistent");
    assert_eq!(
        (cons.method, cons.avalanche),
        (HashMethod::Consistent, true)
    );
    let djb = ht("consistent djb2").expect("djb2");
    assert!(
        !djb.avalanche,
        "a named function drops the implied avalanche"
    );
    assert!(ht("map-based sdbm avalanche").expect("aval").avalanche);
    assert!(ht("map-based md5").is_err());
}

#[test]
fn from_proxy_reads_the_backend_of_a_parsed_config() {
    let text = b"defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n\
backend be\n  balance uri whole\n  hash-type consistent wt6\n  option allbackups\n  cookie SRV insert\n\
  server a 127.0.0.1:8001 weight 3 cookie ca\n  server b 127.0.0.1:8002 backup cookie cb\n  server c 127.0.0.1:8003 disabled\n";
    let mut env = ConfigEnv::from_map(HashMap::new());
    let loaded = harp::config::build::load_bytes("t.cfg", text, &mut env);
    let model = loaded.model.expect("config loads");
    let be = model.backend("be").expect("backend be");
    let b = Balancer::from_proxy(be).expect("balancer");
    let c = b.config();
    assert!(matches!(
        c.algo,
        Algorithm::Uri(UriOpts { whole: true, .. })
    ));
    assert_eq!(c.hash_type.method, HashMethod::Consistent);
    assert!(c.allbackups);
    let s = b.servers();
    assert_eq!((s[0].weight, s[0].cookie.as_deref()), (3, Some("ca")));
    assert!(s[1].backup);
    assert_eq!(s[2].state, SrvState::Maint);
    assert_eq!(b.counts().act, 1);
}
