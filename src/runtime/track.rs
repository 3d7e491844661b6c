//! Failover that follows backend health (harp's `harp_carp_track` rc.conf
//! variable): while a tracked backend has no usable server, the node adds
//! 240 to its CARP demotion so a peer with preemption takes the address;
//! the demotion is undone when a server is back.

use std::sync::Arc;
use std::time::Duration;

use crate::carp::control::CarpControl;
use crate::runtime::Shared;

/// FreeBSD's demotion for a failed interface; the same weight here.
pub const TRACK_DEMOTION: i32 = 240;
const POLL: Duration = Duration::from_millis(200);

/// Watch the tracked backends and demote/undo as their health changes.
pub fn spawn(shared: &Arc<Shared>, backends: &[String], control: &CarpControl) {
    if backends.is_empty() {
        return;
    }
    for b in backends {
        if !shared.backends.contains_key(b) {
            eprintln!(
                "[WARNING]  ({}) : carp : tracked backend '{b}' is not in the configuration; it is ignored.",
                std::process::id()
            );
        }
    }
    let shared = shared.clone();
    let names: Vec<String> = backends
        .iter()
        .filter(|b| shared.backends.contains_key(*b))
        .cloned()
        .collect();
    let control = control.clone();
    tokio::spawn(async move {
        let mut demoted = false;
        loop {
            let down: Vec<&String> = names
                .iter()
                .filter(|n| {
                    shared
                        .backends
                        .get(*n)
                        .is_some_and(|b| b.usable_count() == 0)
                })
                .collect();
            match (down.is_empty(), demoted) {
                (false, false) => {
                    control.demote(
                        TRACK_DEMOTION,
                        &format!("backend {} has no server available", down[0]),
                    );
                    demoted = true;
                }
                (true, true) => {
                    control.demote(-TRACK_DEMOTION, "tracked backends have servers again");
                    demoted = false;
                }
                _ => {}
            }
            tokio::time::sleep(POLL).await;
        }
    });
}
