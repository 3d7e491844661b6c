//! `show stat` against HAProxy 2.6.12's golden outputs.

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::stats::csv::{csv_header, render, StatFilter, StatFormat};
use harp::stats::snapshot::{OpState, Snapshot};

/// The shared reference directory: $HARP_SHARED, else ../shared next to
/// the crate (the main checkout), else /work/shared.
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

/// The reference config as a snapshot, with the counters of the golden run
/// (`show_stat.txt`) filled in as the runtime would.
pub fn golden_snapshot() -> Snapshot {
    let cfg = golden("reference_haproxy.cfg");
    let loaded = load_bytes(
        "reference_haproxy.cfg",
        cfg.as_bytes(),
        &mut ConfigEnv::default(),
    );
    let model = loaded.model.expect("reference config loads");
    // HAProxy computed maxconn 9984 from the ulimit of the golden run.
    let mut snap = Snapshot::from_model_with_maxconn(&model, 9984);
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
        fe.mux.h1 = [0, 0, 3, 3, 237, 2076, 0, 0];
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
        s1.side.lastsess = 15;
        s1.side.rtime = 1;
        s1.side.ttime = 1;
        s1.side.rtime_max = 2;
        s1.side.ttime_max = 2;
        s1.side.connect = 3;
        s1.side.chkdown = 1;
        s1.side.lastchg = 16;
        s1.side.downtime = 2;
        s1.chkfail = 1;
        s1.need_conn_est = 1;
        s1.weight = 50;
        s1.uweight = 50;
        let c = s1.check.as_mut().unwrap();
        c.status = "L4OK".into();
        c.desc = "Layer4 check passed".into();
        c.duration = Some(0);
        c.health = 4;
        c.result = 3;
        c.status_code = 6;
    }
    {
        let s2 = snap.server_mut("be_app", "s2").unwrap();
        s2.op = OpState::Stopped;
        s2.side.chkdown = 2;
        s2.side.lastchg = 8;
        s2.side.downtime = 8;
        s2.chkfail = 2;
        s2.need_conn_est = 1;
        let c = s2.check.as_mut().unwrap();
        c.status = "L4CON".into();
        c.desc = "Layer4 connection problem".into();
        c.info = "Connection refused".into();
        c.duration = Some(0);
        c.health = 0;
        c.result = 2;
        c.status_code = 8;
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
        be.side.lastsess = 15;
        be.side.rtime = 1;
        be.side.ttime = 1;
        be.side.rtime_max = 2;
        be.side.ttime_max = 2;
        be.side.connect = 3;
        be.side.chkdown = 1;
        be.side.lastchg = 16;
        be.side.downtime = 2;
        be.mux.h1 = [0, 0, 3, 3, 2004, 237, 0, 0];
    }
    snap.backend_mut("stats").unwrap().side.lastchg = 18;
    snap
}

#[test]
fn csv_header_is_haproxy_26s() {
    let g = golden("http_csv.txt");
    let first = g.lines().next().unwrap_or_default();
    assert_eq!(csv_header(), format!("{first}\n"));
    assert_eq!(first.split(',').count(), 129);
}

#[test]
fn show_stat_csv_is_byte_identical_to_golden() {
    let snap = golden_snapshot();
    let out = render(&snap, &StatFilter::default());
    // The CLI adds one empty line after every answer.
    assert_eq!(format!("{out}\n"), golden("show_stat.txt"));
}

#[test]
fn show_stat_typed_is_byte_identical_to_golden() {
    let snap = golden_snapshot();
    let f = StatFilter {
        format: StatFormat::Typed,
        ..StatFilter::default()
    };
    let out = render(&snap, &f);
    let want = golden("show_stat_typed.txt");
    for (i, (a, b)) in format!("{out}\n").lines().zip(want.lines()).enumerate() {
        assert_eq!(a, b, "line {}", i + 1);
    }
    assert_eq!(format!("{out}\n"), want);
}

#[test]
fn show_stat_json_has_haproxy_shape() {
    let snap = golden_snapshot();
    let f = StatFilter {
        format: StatFormat::Json,
        ..StatFilter::default()
    };
    let out = render(&snap, &f);
    assert!(out.starts_with("[[{\"objType\":\"Frontend\",\"proxyId\":2,\"id\":0,\"field\":{\"pos\":0,\"name\":\"pxname\"},\"processNum\":1,\"tags\":{\"origin\":\"Key\",\"nature\":\"Name\",\"scope\":\"Service\"},\"value\":{\"type\":\"str\",\"value\":\"fe_main\"}},"));
    assert!(out.ends_with("}}]]\n"));
    // One array per row: FRONTEND, s1, s2, BACKEND, FRONTEND, BACKEND.
    assert_eq!(out.matches("\"name\":\"pxname\"").count(), 6);
    assert!(out.contains("{\"objType\":\"Server\",\"proxyId\":3,\"id\":2,\"field\":{\"pos\":56,\"name\":\"last_chk\"},\"processNum\":1,\"tags\":{\"origin\":\"Metric\",\"nature\":\"Output\",\"scope\":\"Process\"},\"value\":{\"type\":\"str\",\"value\":\"Connection refused\"}}"));
}

#[test]
fn show_stat_filters_select_rows() {
    let snap = golden_snapshot();
    let only_servers = StatFilter {
        types: 4,
        ..StatFilter::default()
    };
    assert_eq!(
        format!("{}\n", render(&snap, &only_servers)),
        golden("show_stat_servers.txt")
    );
    let one = StatFilter {
        proxy: harp::stats::csv::ProxySel::Iid(3),
        types: 4,
        sid: 2,
        ..StatFilter::default()
    };
    let out = render(&snap, &one);
    assert_eq!(out.lines().count(), 2);
    assert!(out.lines().nth(1).unwrap().starts_with("be_app,s2,"));
    let fe = StatFilter {
        proxy: harp::stats::csv::ProxySel::Name("stats".into()),
        types: 1,
        ..StatFilter::default()
    };
    let out = render(&snap, &fe);
    assert_eq!(out.lines().count(), 2);
    assert!(out.lines().nth(1).unwrap().starts_with("stats,FRONTEND,"));
}

#[test]
fn http_csv_without_legends_leaves_addr_and_algo_empty() {
    let snap = golden_snapshot();
    let f = StatFilter {
        legends: false,
        ..StatFilter::default()
    };
    let out = render(&snap, &f);
    let golden_page = golden("http_csv.txt");
    // Counters differ between the two golden runs; compare the static columns.
    let cols = |line: &str, idx: &[usize]| -> Vec<String> {
        let v: Vec<&str> = line.split(',').collect();
        idx.iter().map(|&i| v[i].to_string()).collect()
    };
    // pxname, svname, status, addr, cookie, mode, algo.
    let idx = [0, 1, 17, 73, 74, 75, 76];
    for (a, b) in out.lines().zip(golden_page.lines()).skip(1) {
        assert_eq!(cols(a, &idx), cols(b, &idx));
    }
    assert_eq!(out.lines().count(), golden_page.lines().count());
}

#[test]
fn show_servers_state_is_byte_identical_to_golden() {
    let snap = golden_snapshot();
    let out = harp::stats::servers_state::render(&snap, None).unwrap();
    assert_eq!(format!("{out}\n"), golden("show_servers_state.txt"));
    let one = harp::stats::servers_state::render(&snap, Some("be_app")).unwrap();
    assert_eq!(one, out);
    assert_eq!(
        harp::stats::servers_state::render(&snap, Some("fe_main")),
        Err("Can't find backend.\n".to_string())
    );
}
