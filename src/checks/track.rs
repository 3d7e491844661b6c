//! `track [<backend>/]<server>` (manual §5.2): a server without checks of
//! its own follows the state of a checked one, and HAProxy announces it
//! as `Server be/tr is DOWN via be/bad.`. Chains (tracking a tracker)
//! follow along.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::balance::SrvState;
use crate::log::{Cause, Farm, ServerEvent, ServerRef};
use crate::runtime::table::BackendState;
use crate::runtime::Shared;

use super::health::Health;
use super::notify::{no_server, Announcement, EventLog, Subject};

/// Longest chain followed (HAProxy refuses loops at load time).
const MAX_DEPTH: usize = 16;

/// A server that follows another.
#[derive(Debug)]
struct Follower {
    backend: Arc<BackendState>,
    idx: usize,
}

/// Who follows whom, with each backend's message targets.
#[derive(Debug, Default)]
pub struct Trackers {
    by_target: HashMap<(String, String), Vec<Follower>>,
    logs: HashMap<String, Arc<EventLog>>,
}

impl Trackers {
    /// Collect the `track` lines of every backend; `logs` gives each
    /// backend's targets.
    pub fn new(shared: &Shared, logs: HashMap<String, Arc<EventLog>>) -> Trackers {
        let mut by_target: HashMap<(String, String), Vec<Follower>> = HashMap::new();
        let mut backends: Vec<&Arc<BackendState>> = shared.backends.values().collect();
        backends.sort_by_key(|b| b.id);
        for be in backends {
            for (idx, s) in be.proxy.servers.iter().enumerate() {
                let Some(t) = &s.config.track else { continue };
                let (tb, ts) = match t.split_once('/') {
                    Some((b, s)) => (b.to_string(), s.to_string()),
                    None => (be.name.clone(), t.clone()),
                };
                by_target.entry((tb, ts)).or_default().push(Follower {
                    backend: be.clone(),
                    idx,
                });
            }
        }
        Trackers { by_target, logs }
    }

    pub fn is_empty(&self) -> bool {
        self.by_target.is_empty()
    }

    /// Backends whose servers track something (their targets are needed).
    pub fn follower_backends(shared: &Shared) -> Vec<Arc<BackendState>> {
        shared
            .backends
            .values()
            .filter(|b| b.proxy.servers.iter().any(|s| s.config.track.is_some()))
            .cloned()
            .collect()
    }

    /// `backend/server` changed from `from` to `to`: move its followers.
    pub fn propagate(&self, backend: &str, server: &str, from: Health, to: Health) {
        self.follow(backend, server, from, to, 0);
    }

    fn follow(&self, backend: &str, server: &str, from: Health, to: Health, depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        let key = (backend.to_string(), server.to_string());
        let Some(list) = self.by_target.get(&key) else {
            return;
        };
        // HAProxy keeps the latest declared tracker first, and follows
        // each one's own trackers before the next (observed order).
        for f in list.iter().rev() {
            let Some(st) = f.backend.servers.get(f.idx) else {
                continue;
            };
            if st.maint.load(Ordering::Relaxed) {
                continue;
            }
            let (up, state) = match to {
                Health::Up => (true, SrvState::Up),
                Health::Stopping => (true, SrvState::Drain),
                Health::Down => (false, SrvState::Down),
            };
            st.up.store(up, Ordering::Relaxed);
            let farm = match f.backend.lb.lock() {
                Ok(mut lb) => {
                    lb.set_state(f.idx, state);
                    farm_of(lb.servers())
                }
                Err(_) => Farm::default(),
            };
            let who = Subject {
                srv: ServerRef {
                    backend: &f.backend.name,
                    server: &st.name,
                    backup: st.backup,
                },
                listen: f.backend.proxy.cap.frontend,
                log_health_checks: false,
            };
            let msg = via_message(&who, backend, server, from, to, farm, &st.cur_conns);
            if let Some(log) = self.logs.get(&f.backend.name) {
                log.emit(&msg);
                if from == Health::Up && to != Health::Up && farm.active + farm.backup == 0 {
                    log.emit(&no_server(&who));
                }
            }
            self.follow(&f.backend.name, &st.name, from, to, depth + 1);
        }
    }
}

/// Usable servers of a balancer snapshot.
pub fn farm_of(servers: &[crate::balance::ServerSnap]) -> Farm {
    let mut f = Farm::default();
    for s in servers.iter().filter(|s| s.usable()) {
        if s.backup {
            f.backup += 1;
        } else {
            f.active += 1;
        }
    }
    f
}

fn via_message(
    who: &Subject<'_>,
    backend: &str,
    server: &str,
    from: Health,
    to: Health,
    mut farm: Farm,
    conns: &std::sync::atomic::AtomicU32,
) -> Announcement {
    let cause = Cause::Via { backend, server };
    let ev = if to == Health::Down {
        farm.sessions_active = conns.load(Ordering::Relaxed);
        ServerEvent::Down {
            srv: who.srv,
            cause,
            farm,
            was_draining: from == Health::Stopping,
        }
    } else {
        ServerEvent::Up {
            srv: who.srv,
            cause,
            farm,
        }
    };
    let mut text = ev.message();
    if to == Health::Stopping {
        text = text.replacen(" is UP", " is stopping", 1);
    }
    Announcement {
        level: ev.level(),
        syslog: text,
        stderr: None,
        alert: false,
    }
}
