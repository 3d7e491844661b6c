//! The Prometheus exporter against HAProxy 2.6.12's golden output
//! (`promex_metrics.txt`, taken from `reference_haproxy.cfg`).

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::stats::prometheus::{render, PromQuery, CONTENT_TYPE};
use harp::stats::snapshot::{OpState, Snapshot};

/// $HARP_SHARED, else ../shared next to the crate, else /work/shared.
fn shared_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("HARP_SHARED") {
        return d.into();
    }
    let sibling = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if sibling.join("golden").is_dir() {
        sibling
    } else {
        "/work/shared".into()
    }
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(shared_dir().join("golden").join(name)).unwrap_or_default()
}

/// The reference config with the counters of the golden run filled in.
fn golden_snapshot() -> Snapshot {
    let cfg = golden("reference_haproxy.cfg");
    let loaded = load_bytes(
        "reference_haproxy.cfg",
        cfg.as_bytes(),
        &mut ConfigEnv::default(),
    );
    let model = loaded.model.expect("reference config loads");
    let mut snap = Snapshot::from_model_with_maxconn(&model, 9984);
    {
        let i = &mut snap.info;
        i.version = "2.6.12-1+deb12u4".into();
        i.nbthread = 2;
        i.uptime_sec = 40;
        i.ulimit_n = 19999;
        i.maxsock = 19999;
        i.maxconn = 9984;
        i.hard_maxconn = 9984;
        i.curr_conns = 1;
        i.cum_conns = 181;
        i.cum_req = 99;
        i.conn_rate = 1;
        i.max_conn_rate = 3;
        i.sess_rate = 1;
        i.max_sess_rate = 3;
        i.tasks = 17;
        i.idle_pct = 100;
        i.jobs = 4;
        i.listeners = 3;
        i.total_bytes_out = 175980;
        i.pool_alloc_bytes = 146048;
        i.pool_used_bytes = 146048;
        i.start_time_sec = 1795463623;
    }
    {
        let fe = snap.frontend_mut("fe_main").unwrap();
        fe.traffic.smax = 1;
        fe.traffic.stot = 3;
        fe.traffic.bin = 246;
        fe.traffic.bout = 2001;
        fe.traffic.rate_max = 3;
        fe.traffic.hrsp[1] = 3;
        fe.traffic.req_tot = 3;
        fe.req_rate_max = 3;
        fe.conn_rate_max = 3;
        fe.conn_tot = 3;
    }
    {
        let fe = snap.frontend_mut("stats").unwrap();
        fe.traffic.scur = 1;
        fe.traffic.smax = 1;
        fe.traffic.stot = 2;
        fe.traffic.bin = 170;
        fe.traffic.bout = 2878;
        fe.traffic.rate_max = 1;
        fe.traffic.hrsp[1] = 1;
        fe.traffic.req_tot = 2;
        fe.req_rate_max = 1;
        fe.conn_rate_max = 1;
        fe.conn_tot = 2;
        fe.intercepted = 2;
    }
    for name in ["s1", "s2"] {
        let s = snap.server_mut("be_app", name).unwrap();
        s.need_conn_est = 1;
        s.check.as_mut().unwrap().duration = Some(0);
    }
    {
        let s1 = snap.server_mut("be_app", "s1").unwrap();
        s1.traffic.smax = 1;
        s1.traffic.stot = 3;
        s1.traffic.bin = 246;
        s1.traffic.bout = 2001;
        s1.traffic.rate_max = 3;
        s1.traffic.hrsp[1] = 3;
        s1.traffic.req_tot = 3;
        s1.side.lbtot = 3;
        s1.side.lastsess = 37;
        s1.side.rtime = 1;
        s1.side.ttime = 1;
        s1.side.rtime_max = 2;
        s1.side.ttime_max = 2;
        s1.side.connect = 3;
        s1.side.chkdown = 1;
        s1.side.lastchg = 4;
        s1.side.downtime = 2;
        s1.chkfail = 1;
        s1.weight = 50;
        s1.uweight = 50;
        s1.check.as_mut().unwrap().status = "L4OK".into();
    }
    {
        let s2 = snap.server_mut("be_app", "s2").unwrap();
        s2.op = OpState::Stopped;
        s2.side.chkdown = 2;
        s2.side.lastchg = 30;
        s2.side.downtime = 30;
        s2.chkfail = 2;
        s2.check.as_mut().unwrap().status = "L4CON".into();
    }
    {
        let be = snap.backend_mut("be_app").unwrap();
        be.traffic.smax = 1;
        be.traffic.stot = 3;
        be.traffic.bin = 246;
        be.traffic.bout = 2001;
        be.traffic.rate_max = 3;
        be.traffic.hrsp[1] = 3;
        be.traffic.req_tot = 3;
        be.side.lbtot = 3;
        be.side.lastsess = 37;
        be.side.rtime = 1;
        be.side.ttime = 1;
        be.side.rtime_max = 2;
        be.side.ttime_max = 2;
        be.side.connect = 3;
        be.side.chkdown = 3;
        be.side.lastchg = 4;
        be.side.downtime = 2;
    }
    {
        let be = snap.backend_mut("stats").unwrap();
        be.traffic.bin = 170;
        be.traffic.bout = 2878;
        be.side.lastchg = 40;
        be.side.lastsess = 0;
    }
    snap
}

/// A sample line without its value (what does not depend on the run).
fn shape(line: &str) -> &str {
    if line.starts_with('#') {
        line
    } else {
        line.rsplit_once(' ').map_or(line, |(k, _)| k)
    }
}

#[test]
fn metric_names_labels_and_help_match_golden_line_by_line() {
    let want = golden("promex_metrics.txt");
    let got = render(&golden_snapshot(), &PromQuery::default());
    for (i, (a, b)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(shape(a), shape(b), "line {}", i + 1);
    }
    assert_eq!(got.lines().count(), 780);
    assert_eq!(want.lines().count(), 780);
}

#[test]
fn whole_output_is_byte_identical_with_the_golden_runs_counters() {
    let want = golden("promex_metrics.txt");
    let got = render(&golden_snapshot(), &PromQuery::default());
    for (i, (a, b)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(a, b, "line {}", i + 1);
    }
    assert_eq!(got, want);
}

#[test]
fn content_type_is_exposition_0_0_4() {
    assert_eq!(CONTENT_TYPE, "text/plain; version=0.0.4");
}

#[test]
fn scope_selects_sections() {
    let snap = golden_snapshot();
    let q = PromQuery::parse("scope=backend").unwrap();
    let out = render(&snap, &q);
    assert!(out.starts_with("# HELP haproxy_backend_current_queue "));
    assert!(!out.contains("haproxy_process_"));
    assert!(!out.contains("haproxy_frontend_"));
    assert!(!out.contains("haproxy_server_"));

    let q = PromQuery::parse("?scope=global&scope=server").unwrap();
    let out = render(&snap, &q);
    assert!(out.contains("haproxy_process_nbthread 2\n"));
    assert!(out.contains("haproxy_server_weight{proxy=\"be_app\",server=\"s1\"} 50\n"));
    assert!(!out.contains("haproxy_backend_"));

    // An empty scope selects nothing; `*` everything.
    assert_eq!(render(&snap, &PromQuery::parse("scope=").unwrap()), "");
    assert_eq!(
        render(&snap, &PromQuery::parse("scope=*").unwrap()),
        render(&snap, &PromQuery::default())
    );
    assert!(PromQuery::parse("scope=bogus").is_err());
    // Unknown parameters are ignored.
    assert_eq!(PromQuery::parse("foo=bar").unwrap(), PromQuery::default());
}

#[test]
fn no_maint_leaves_out_servers_in_maintenance() {
    let mut snap = golden_snapshot();
    snap.server_mut("be_app", "s2").unwrap().admin.fmaint = true;
    let all = render(&snap, &PromQuery::default());
    assert!(
        all.contains("haproxy_server_status{proxy=\"be_app\",server=\"s2\",state=\"MAINT\"} 1\n")
    );
    let q = PromQuery::parse("no-maint").unwrap();
    assert!(q.no_maint);
    let out = render(&snap, &q);
    assert!(!out.contains("server=\"s2\""));
    assert!(out.contains("server=\"s1\""));
    // The backend aggregates count only the servers shown.
    assert!(out.contains("haproxy_backend_agg_server_status{proxy=\"be_app\",state=\"MAINT\"} 0\n"));
}

#[test]
fn drain_and_tcp_proxies() {
    let mut snap = golden_snapshot();
    snap.server_mut("be_app", "s1").unwrap().admin.fdrain = true;
    snap.proxy_mut("fe_main").unwrap().mode = "tcp".into();
    let out = render(&snap, &PromQuery::default());
    assert!(
        out.contains("haproxy_server_status{proxy=\"be_app\",server=\"s1\",state=\"DRAIN\"} 1\n")
    );
    // HTTP-only metrics skip TCP proxies.
    assert!(!out.contains("haproxy_frontend_http_requests_total{proxy=\"fe_main\"}"));
    assert!(out.contains("haproxy_frontend_http_requests_total{proxy=\"stats\"} 2\n"));
    assert!(out.contains("haproxy_frontend_current_sessions{proxy=\"fe_main\"} 0\n"));
}

#[test]
fn query_is_found_in_a_whole_uri() {
    let q = PromQuery::parse("/metrics?scope=frontend&no-maint").unwrap();
    assert!(q.frontend && !q.backend && !q.global && q.no_maint);
}
