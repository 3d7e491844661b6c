//! Applying the stats page's admin POST through the runtime interface.

use std::sync::Mutex;

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::stats::html::{apply_admin_post, parse_admin_post, ActionStatus};
use harp::stats::snapshot::Snapshot;
use harp::stats::{AdminOp, CheckKind, ForcedHealth, StatsBackend};

const CFG: &str = "\
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
backend be_app
    server s1 127.0.0.1:28081 check
    server s2 127.0.0.1:28082
frontend fe
    bind 127.0.0.1:28080
    default_backend be_app
";

struct Fake {
    snap: Snapshot,
    calls: Mutex<Vec<String>>,
}

impl Fake {
    fn new() -> Fake {
        let loaded = load_bytes("a.cfg", CFG.as_bytes(), &mut ConfigEnv::default());
        let model = loaded.model.expect("config loads");
        Fake {
            snap: Snapshot::from_model(&model),
            calls: Mutex::new(Vec::new()),
        }
    }
    fn log(&self, s: String) -> Result<(), String> {
        if let Ok(mut c) = self.calls.lock() {
            c.push(s);
        }
        Ok(())
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl StatsBackend for Fake {
    fn snapshot(&self) -> Snapshot {
        self.snap.clone()
    }
    fn set_weight(&self, b: &str, s: &str, w: u32) -> Result<(), String> {
        self.log(format!("weight {b}/{s} {w}"))
    }
    fn set_admin(&self, b: &str, s: &str, op: AdminOp) -> Result<(), String> {
        self.log(format!("admin {b}/{s} {op:?}"))
    }
    fn set_check_enabled(&self, b: &str, s: &str, k: CheckKind, on: bool) -> Result<(), String> {
        self.log(format!("check {b}/{s} {k:?} {on}"))
    }
    fn force_health(&self, b: &str, s: &str, k: CheckKind, to: ForcedHealth) -> Result<(), String> {
        self.log(format!("force {b}/{s} {k:?} {to:?}"))
    }
    fn set_frontend_maxconn(&self, _: &str, _: u32) -> Result<(), String> {
        Ok(())
    }
    fn set_global_maxconn(&self, _: u32) -> Result<(), String> {
        Ok(())
    }
    fn clear_counters(&self, _: bool) {}
}

fn apply(fake: &Fake, body: &str) -> ActionStatus {
    let post = parse_admin_post(body).expect("valid post");
    apply_admin_post(fake, &post)
}

#[test]
fn state_actions_apply_to_every_listed_server() {
    let f = Fake::new();
    // be_app is the first proxy: iid 1.
    assert_eq!(
        apply(&f, "s=s1&s=s2&action=drain&b=%231"),
        ActionStatus::Done
    );
    assert_eq!(
        f.calls(),
        ["admin be_app/s1 Drain", "admin be_app/s2 Drain"]
    );
}

#[test]
fn unknown_servers_make_a_partial_or_failed_action() {
    let f = Fake::new();
    assert_eq!(
        apply(&f, "s=s1&s=zz&action=maint&b=%231"),
        ActionStatus::Part
    );
    assert_eq!(apply(&f, "s=zz&action=maint&b=%231"), ActionStatus::Errp);
    assert_eq!(apply(&f, "action=maint&b=%231"), ActionStatus::None);
    // Unknown backend, or a frontend's id.
    assert_eq!(apply(&f, "s=s1&action=maint&b=%239"), ActionStatus::Errp);
    assert_eq!(apply(&f, "s=s1&action=maint&b=fe"), ActionStatus::Errp);
    assert_eq!(apply(&f, "s=s1&action=ready&b=be_app"), ActionStatus::Done);
}

#[test]
fn check_actions_skip_servers_without_that_check() {
    let f = Fake::new();
    // s2 has no health check: not counted, like HAProxy.
    assert_eq!(
        apply(&f, "s=s1&s=s2&action=hdown&b=%231"),
        ActionStatus::Done
    );
    assert_eq!(f.calls(), ["force be_app/s1 Health Down"]);
    // No agent anywhere: nothing counted (HAProxy answers NONE).
    assert_eq!(apply(&f, "s=s1&action=dagent&b=%231"), ActionStatus::None);
    assert_eq!(apply(&f, "s=s1&action=dhlth&b=%231"), ActionStatus::Done);
    assert_eq!(
        f.calls().last().map(String::as_str),
        Some("check be_app/s1 Health false")
    );
}
