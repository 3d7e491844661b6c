//! Server rows with agent checks, tracking, cookies, maxqueue and
//! `disabled`, against the output of HAProxy 2.6.12 on the same config.

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::stats::csv::{render, StatFilter};
use harp::stats::snapshot::{OpState, Snapshot};

const CFG: &str = r#"global
    stats socket /tmp/st/r.sock mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:29080
    default_backend be
backend be
    balance leastconn
    cookie SRV insert
    server a 127.0.0.1:29081 check cookie ca maxqueue 5 slowstart 10s agent-check agent-port 29099 agent-inter 1s
    server b 127.0.0.1:29082 track be/a backup
    server c 127.0.0.1:29083 disabled
"#;

/// `show stat` of haproxy 2.6.12 three seconds after start (a's checks
/// and agent refused, b tracks a, c disabled).
const WANT: &[&str] = &[
    "fe,FRONTEND,,,0,0,9984,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,0,,,,0,0,0,0,0,0,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,0,0,0,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
    "be,a,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,3,3,5,1,3,1,,0,,2,0,,0,L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,Connection refused,0,0,0,0,L4CON,,0,Layer4 connection problem,Layer4 connection problem,2,3,0,1,1,1,127.0.0.1:29081,ca,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
    "be,b,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,0,1,,,3,,,1,3,2,,0,be/a,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:29082,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
    "be,c,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,,,3,,,1,3,3,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:29083,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
    "be,BACKEND,0,0,0,0,999,0,0,0,0,0,,0,0,0,0,DOWN,0,0,0,,1,3,3,,1,3,0,,0,,1,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,SRV,http,leastconn,,,,,,,0,0,0,0,0,,,0,0,0,0,0,,,,,0,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
];

const WANT_STATE: &str = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n3 be 1 a 127.0.0.1 0 0 1 1 3 8 2 0 6 22 0 0 - 29081 - 0 0 - - 29099\n3 be 2 b 127.0.0.1 0 0 1 1 3 1 0 2 0 0 0 0 - 29082 - 0 0 - - 0\n3 be 3 c 127.0.0.1 0 5 1 1 3 1 0 0 8 0 0 0 - 29083 - 0 0 - - 0\n\n";

fn snapshot() -> Snapshot {
    let model = load_bytes("r.cfg", CFG.as_bytes(), &mut ConfigEnv::default())
        .model
        .expect("config loads");
    let mut snap = Snapshot::from_model_with_maxconn(&model, 9984);
    let a = snap.server_mut("be", "a").unwrap();
    a.op = OpState::Stopped;
    a.chkfail = 1;
    a.need_conn_est = 1;
    a.side.chkdown = 1;
    a.side.lastchg = 3;
    a.side.downtime = 3;
    let c = a.check.as_mut().unwrap();
    c.status = "L4CON".into();
    c.desc = "Layer4 connection problem".into();
    c.info = "Connection refused".into();
    c.duration = Some(0);
    c.health = 0;
    c.result = 2;
    c.status_code = 8;
    let ag = a.agent.as_mut().unwrap();
    ag.status = "L4CON".into();
    ag.desc = "Layer4 connection problem".into();
    ag.info = "Connection refused".into();
    ag.duration = Some(0);
    let b = snap.server_mut("be", "b").unwrap();
    b.op = OpState::Stopped;
    b.side.lastchg = 3;
    snap.server_mut("be", "c").unwrap().side.lastchg = 3;
    let be = snap.backend_mut("be").unwrap();
    be.side.chkdown = 1;
    be.side.lastchg = 3;
    be.side.downtime = 3;
    snap
}

#[test]
fn agent_track_cookie_maxqueue_disabled_rows_match_haproxy() {
    let out = render(&snapshot(), &StatFilter::default());
    let got: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(got.len(), WANT.len());
    for (g, w) in got.iter().zip(WANT) {
        assert_eq!(g, w);
    }
}

#[test]
fn servers_state_with_agent_track_disabled_matches_haproxy() {
    let out = harp::stats::servers_state::render(&snapshot(), None).unwrap();
    assert_eq!(format!("{out}\n"), WANT_STATE);
}

/// `addr`/`port` on a server without agent: HAProxy 2.6 prints them as the
/// agent's address and port too.
#[test]
fn servers_state_check_addr_and_port() {
    let cfg = "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nbackend be\n    option httpchk GET /ok\n    server good 127.0.0.1:29290 check inter 500\n    server bad 127.0.0.1:29290 check inter 500 port 29290 addr 127.0.0.1\n";
    let model = load_bytes("k.cfg", cfg.as_bytes(), &mut ConfigEnv::default())
        .model
        .expect("config loads");
    let mut snap = Snapshot::from_model(&model);
    let bad = snap.server_mut("be", "bad").unwrap();
    bad.side.lastchg = 2;
    let c = bad.check.as_mut().unwrap();
    (c.status_code, c.result, c.health) = (15, 3, 4);
    let iid = snap.proxy("be").map_or(0, |p| p.iid);
    let out = harp::stats::servers_state::render(&snap, None).unwrap();
    assert_eq!(
        out.lines().nth(3).map(str::to_string),
        Some(format!("{iid} be 2 bad 127.0.0.1 2 0 1 1 2 15 3 4 6 0 0 0 - 29290 - 0 29290 127.0.0.1 127.0.0.1 29290"))
    );
}
