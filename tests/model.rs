//! The typed model: defaults resolved, ids as HAProxy assigns them, names
//! resolved at start. Ids were observed on HAProxy 2.6 (`show stat` iid/sid).

use std::collections::HashMap;
use std::net::IpAddr;

use harp::config::build::{load_bytes, resolve_addresses, Loaded, Resolver};
use harp::config::model::{HttpConnMode, Mode, Model};
use harp::config::reader::ConfigEnv;
use harp::config::value::addr::{Host, ServerAddr, ServerPort};
use harp::diag::{Diagnostics, Severity};

fn load(src: &str) -> Loaded {
    let mut env = ConfigEnv::from_map(HashMap::new());
    load_bytes("t.cfg", src.as_bytes(), &mut env)
}

fn model(src: &str) -> Model {
    let l = load(src);
    let alerts: Vec<String> = l
        .diags
        .items
        .iter()
        .filter(|d| d.severity == Severity::Alert)
        .map(|d| d.body())
        .collect();
    l.model
        .unwrap_or_else(|| panic!("config rejected: {alerts:?}"))
}

const SEED: &str = "global
daemon
maxconn 256
defaults
mode http
timeout connect 5000ms
timeout client 5000ms
timeout server 5000ms
stats enable
frontend http-in
option httplog
log global
default_backend servers
backend servers
server server1 server1.example.com:8080 check
server server2 server2.example.com:8080 check
";

#[test]
fn seed_config_model() {
    let m = model(SEED);
    assert!(m.global.daemon);
    assert_eq!(m.global.maxconn, Some(256));
    let fe = m.proxy("http-in").expect("frontend");
    assert_eq!(fe.mode(), Mode::Http);
    assert_eq!(fe.settings.timeouts.client, Some(5000));
    assert!(fe.settings.stats.enabled);
    assert_eq!(fe.settings.stats.effective_uri(), "/haproxy?stats");
    assert!(fe.option("httplog"));
    assert!(fe.settings.log_global);
    assert_eq!(fe.default_backend(), Some("servers"));
    let be = m.backend("servers").expect("backend");
    assert_eq!(be.settings.timeouts.connect, Some(5000));
    assert_eq!(be.settings.timeouts.server, Some(5000));
    assert_eq!(be.settings.balance.algorithm, "roundrobin");
    let names: Vec<&str> = be.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["server1", "server2"]);
    let s1 = &be.servers[0];
    assert!(s1.config.check);
    assert_eq!(
        (s1.config.inter, s1.config.rise, s1.config.fall),
        (2000, 2, 3)
    );
    assert_eq!(
        s1.addr,
        ServerAddr::Inet {
            family: harp::config::value::addr::Family::Unspec,
            host: Host::Name("server1.example.com".into()),
            port: ServerPort::Fixed(8080),
        }
    );
    // No bind: HAProxy's exit 2 "no listener".
    assert!(!m.has_listener());
    assert_eq!((fe.id, be.id), (1, 2));
}

#[test]
fn ids_follow_haproxy() {
    // Observed on HAProxy 2.6: b2 forces id 1, so fe_main gets 2 and be_app 3;
    // servers take their position unless `id` is given (s3 gets 3, not 2).
    let m = model(
        "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n\
         frontend fe_main\n bind 127.0.0.1:19080\n default_backend be_app\n\
         backend be_app\n server s1 127.0.0.1:18081\n server s2 127.0.0.1:18082 id 7\n server s3 127.0.0.1:18083\n\
         backend b2\n id 1\n",
    );
    let ids: Vec<(&str, u32)> = m.proxies.iter().map(|p| (p.name.as_str(), p.id)).collect();
    assert_eq!(ids, [("fe_main", 2), ("be_app", 3), ("b2", 1)]);
    let sids: Vec<u32> = m
        .backend("be_app")
        .expect("be")
        .servers
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(sids, [1, 7, 3]);
    // A stats socket's internal frontend holds id 1 (golden show stat: fe_main iid 2).
    let m = model(
        "global\n stats socket /tmp/x.sock level admin\ndefaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n\
         frontend fe_main\n bind 127.0.0.1:19080\n default_backend be_app\nbackend be_app\n server s1 127.0.0.1:1\n",
    );
    assert_eq!(m.proxies[0].id, 2);
    assert_eq!(m.global.stats_sockets[0].level, "admin");
}

#[test]
fn defaults_named_from_and_default_server() {
    let m = model(
        "defaults base\n mode http\n timeout connect 1s\n timeout client 2s\n timeout server 3s\n default-server inter 500 fall 5\n\
         defaults other\n mode tcp\n timeout connect 4s\n timeout client 4s\n timeout server 4s\n\
         backend uses_last\n server a 127.0.0.1:1\n\
         backend uses_base from base\n default-server rise 7\n server b 127.0.0.1:2 weight 9\n server c 127.0.0.1:3 no-check\n",
    );
    let last = m.backend("uses_last").expect("be");
    assert_eq!(last.mode(), Mode::Tcp);
    assert_eq!(last.settings.timeouts.connect, Some(4000));
    assert_eq!(last.defaults.as_deref(), Some("other"));
    let base = m.backend("uses_base").expect("be");
    assert_eq!(base.mode(), Mode::Http);
    assert_eq!(base.settings.timeouts.server, Some(3000));
    let b = &base.servers[0].config;
    // inter/fall from the defaults' default-server, rise from the proxy's.
    assert_eq!((b.inter, b.fall, b.rise, b.weight), (500, 5, 7, 9));
}

#[test]
fn rules_acls_and_switching() {
    let m = model(
        "defaults\n mode http\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n option http-server-close\n\
         frontend f\n bind :8080\n acl api path_beg -i /api\n use_backend api if api || { hdr(host) -m str api.local }\n\
         http-request set-header X-Fwd %[src]\n http-request deny deny_status 403 if !api METH_POST\n default_backend web\n\
         backend api\n server a 127.0.0.1:1\nbackend web\n option forwardfor except 127.0.0.0/8 if-none\n server w 127.0.0.1:2\n",
    );
    let f = m.proxy("f").expect("f");
    assert_eq!(f.settings.acls.len(), 1);
    assert_eq!(f.settings.acls[0].name, "api");
    assert_eq!(f.use_backend.len(), 1);
    assert_eq!(f.use_backend[0].target, "api");
    let cond = f.use_backend[0].cond.as_ref().expect("cond");
    assert_eq!(cond.or_terms.len(), 2);
    let rules = &f.settings.rules["http-request"];
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].action, "set-header");
    assert_eq!(rules[0].args, ["X-Fwd", "%[src]"]);
    assert_eq!(rules[1].action, "deny");
    assert!(rules[1]
        .cond
        .as_ref()
        .is_some_and(|c| c.or_terms[0].len() == 2));
    assert_eq!(f.settings.http_conn_mode, HttpConnMode::ServerClose);
    let web = m.backend("web").expect("web");
    let ff = web.settings.forwardfor.as_ref().expect("forwardfor");
    assert_eq!(
        (ff.header.as_str(), ff.if_none, ff.except.as_deref()),
        ("X-Forwarded-For", true, Some("127.0.0.0/8"))
    );
}

#[test]
fn every_error_is_collected_with_its_line() {
    let l = load(
        "global\n maxconn 10\n bogus_kw 1\nfrontend f\n bind :80\n mode http\n timeout client 1s\n option bogus\n timeout clinet 5s\n",
    );
    assert!(l.model.is_none());
    let lines: Vec<u32> = l
        .diags
        .items
        .iter()
        .filter(|d| d.is_fatal())
        .filter_map(|d| d.loc.as_ref().map(|x| x.line))
        .collect();
    assert_eq!(lines, [3, 8, 9]);
    assert_eq!(l.error_files, ["t.cfg"]);
}

struct FakeDns;
impl Resolver for FakeDns {
    fn resolve(&self, host: &str) -> Option<IpAddr> {
        (host == "server1.example.com").then(|| "127.0.0.11".parse().expect("ip"))
    }
}

#[test]
fn names_resolve_at_start_like_haproxy() {
    let mut m = model(SEED);
    let mut d = Diagnostics::default();
    // server2 does not resolve: fatal without -dr.
    assert!(resolve_addresses(&mut m, &FakeDns, false, &mut d).is_err());
    let texts: Vec<String> = d.items.iter().map(|x| x.body()).collect();
    assert!(texts.contains(
        &"[t.cfg:16] : 'server servers/server2' : could not resolve address 'server2.example.com'."
            .to_string()
    ));
    assert!(texts.contains(&"Failed to initialize server(s) addr.".to_string()));
    // With -dr: a warning, and the server starts in maintenance.
    let mut m = model(SEED);
    let mut d = Diagnostics::default();
    assert!(resolve_addresses(&mut m, &FakeDns, true, &mut d).is_ok());
    let be = m.backend("servers").expect("be");
    assert_eq!(
        be.servers[0].resolved,
        Some("127.0.0.11".parse().expect("ip"))
    );
    assert!(be.servers[1].unresolved_maint);
    assert_eq!(d.count(Severity::Warning), 1);
}

#[test]
fn init_addr_none_and_fallback_ip() {
    let mut m = model(
        "defaults\n mode tcp\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n\
         backend b\n server x nowhere.invalid:80 init-addr none\n server y nowhere.invalid:81 init-addr last,libc,127.0.0.9\n",
    );
    let mut d = Diagnostics::default();
    assert!(resolve_addresses(&mut m, &FakeDns, false, &mut d).is_ok());
    let be = m.backend("b").expect("b");
    assert!(be.servers[0].unresolved_maint);
    assert_eq!(
        be.servers[1].resolved,
        Some("127.0.0.9".parse().expect("ip"))
    );
}
