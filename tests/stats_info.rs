//! `show info` against HAProxy 2.6.12's golden outputs.

use harp::stats::info::{render, uptime_text, InfoFormat};
use harp::stats::snapshot::ProcessInfo;

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

/// The values of the golden run (show_info.txt).
fn golden_info() -> ProcessInfo {
    ProcessInfo {
        version: "2.6.12-1+deb12u4".into(),
        release_date: "2026/10/17".into(),
        nbthread: 2,
        pid: 17268,
        uptime_sec: 18,
        start_time_sec: 1795463623,
        ulimit_n: 19999,
        maxsock: 19999,
        maxconn: 9984,
        hard_maxconn: 9984,
        cum_conns: 55,
        cum_req: 17,
        max_conn_rate: 3,
        max_sess_rate: 3,
        tasks: 16,
        node: "vm".into(),
        jobs: 4,
        listeners: 3,
        total_bytes_out: 14637,
        bytes_out_rate: 1152,
        pool_alloc_bytes: 145224,
        pool_used_bytes: 145224,
        ..ProcessInfo::default()
    }
}

#[test]
fn show_info_is_byte_identical_to_golden() {
    let out = render(&golden_info(), InfoFormat::Text);
    assert_eq!(format!("{out}\n"), golden("show_info.txt"));
}

#[test]
fn show_info_keys_in_haproxy_order() {
    let keys = |s: &str| -> Vec<String> {
        s.lines()
            .filter_map(|l| l.split_once(": ").map(|(k, _)| k.to_string()))
            .collect()
    };
    let out = render(&ProcessInfo::default(), InfoFormat::Text);
    assert_eq!(keys(&out), keys(&golden("show_info.txt")));
}

#[test]
fn show_info_json_shape_matches_golden() {
    let mut info = golden_info();
    info.cum_conns = 61;
    let out = render(&info, InfoFormat::Json);
    let want = golden("show_info_json.txt");
    // Same objects up to run-specific values: compare field/tags/type parts.
    let strip = |s: &str| -> Vec<String> {
        s.split("{\"field\"")
            .map(|o| o.split("\"value\":").next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(strip(&out), strip(&want));
    assert!(out.starts_with("[{\"field\":{\"pos\":0,\"name\":\"Name\"},\"processNum\":1,\"tags\":{\"origin\":\"Product\",\"nature\":\"Output\",\"scope\":\"Service\"},\"value\":{\"type\":\"str\",\"value\":\"HAProxy\"}},"));
    assert!(out.ends_with("\"value\":{\"type\":\"str\",\"value\":\"0\"}}]\n"));
}

#[test]
fn description_appears_after_node_when_set() {
    let info = ProcessInfo {
        node: "lb1".into(),
        description: Some("edge".into()),
        ..ProcessInfo::default()
    };
    let out = render(&info, InfoFormat::Text);
    assert!(out.contains("node: lb1\ndescription: edge\nStopping: 0\n"));
    let typed = render(&info, InfoFormat::Typed);
    assert!(typed.contains(
        "50.node.1:COS:str:lb1\n51.description.1:COS:str:edge\n52.Stopping.1:MGP:u32:0\n"
    ));
}

#[test]
fn uptime_format() {
    assert_eq!(uptime_text(18), "0d 0h00m18s");
    assert_eq!(uptime_text(90061), "1d 1h01m01s");
}
