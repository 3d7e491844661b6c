//! The stats socket's view of the running process (implemented by
//! `Shared`): a snapshot of the
//! model filled with live counters, and the admin commands applied to the
//! runtime tables and the balancers.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use crate::balance::SrvState;
use crate::config::model::Model;
use crate::runtime::table::{BackendState, ServerState};
use crate::runtime::Shared;
use crate::stats::backend::{AdminOp, CheckKind, ForcedHealth, StatsBackend};
use crate::stats::snapshot::{OpState, Snapshot};

/// The last health check of every checked server, as the CSV shows it
/// (check_status, check_code, check_duration, chkfail, chkdown, health).
pub fn fill_checks(snap: &mut Snapshot, sh: &Shared, views: &crate::checks::view::CheckViews) {
    for (name, be) in &sh.backends {
        for sv in &be.servers {
            let Some(v) = views.get(name, &sv.name) else {
                continue;
            };
            let Some(s) = snap.server_mut(name, &sv.name) else {
                continue;
            };
            s.chkfail = v.failed;
            s.side.chkdown = v.downs;
            if let Some(c) = s.check.as_mut() {
                if let Some(st) = v.status {
                    c.status = st.name().to_string();
                }
                c.code = v.code.map(u32::from);
                c.info = v.info.clone().unwrap_or_default();
                c.duration = Some(v.duration_ms);
                c.health = v.health;
            }
        }
    }
}

/// `show carp`: a header line, then one line per vhid (state, timing,
/// demotion and advert counters), comma-separated like `show stat`.
pub fn show_carp(c: &crate::carp::control::CarpControl) -> String {
    let mut out =
        String::from("# vhid,iface,linux_iface,state,advbase,advskew,demotion,sent,received,bad\n");
    let demotion = c.demotion();
    for v in c.status() {
        out.push_str(&format!(
            "{},{},{},{},{},{},{demotion},{},{},{}\n",
            v.vhid,
            v.iface,
            v.linux_iface,
            v.state,
            v.advbase,
            v.advskew,
            v.sent,
            v.received,
            v.bad
        ));
    }
    out.push('\n');
    out
}

impl Shared {
    fn server(&self, b: &str, s: &str) -> Result<(&Arc<BackendState>, &Arc<ServerState>), String> {
        let be = self.backends.get(b).ok_or("No such backend.\n")?;
        let sv = be
            .servers
            .iter()
            .find(|x| x.name == s)
            .ok_or("No such server.\n")?;
        Ok((be, sv))
    }

    /// Tell the balancer what the server's state now is.
    fn sync(be: &BackendState, sv: &ServerState) {
        let state = if sv.maint.load(Ordering::Relaxed) {
            SrvState::Maint
        } else if !sv.up.load(Ordering::Relaxed) {
            SrvState::Down
        } else if sv.drain.load(Ordering::Relaxed) {
            SrvState::Drain
        } else {
            SrvState::Up
        };
        if let Ok(mut lb) = be.lb.lock() {
            lb.set_state(sv.idx, state);
        }
    }
}

/// The model's snapshot filled with the live counters of the tables.
pub fn snapshot(sh: &Shared, model: &Model, started: Instant) -> Snapshot {
    let snap = live_snapshot(sh, model, started);
    let mut snap = snap;
    if let Some(views) = sh.checks.get() {
        fill_checks(&mut snap, sh, views);
    }
    snap
}

fn live_snapshot(sh: &Shared, model: &Model, started: Instant) -> Snapshot {
    let mut snap = Snapshot::from_model(model);
    snap.info.curr_conns = sh.actconn.load(Ordering::Relaxed) as u32;
    snap.info.uptime_sec = started.elapsed().as_secs();
    for f in &sh.frontends {
        if let Some(fs) = snap.frontend_mut(&f.proxy.name) {
            fs.traffic.scur = f.feconn.load(Ordering::Relaxed) as u32;
        }
    }
    for (name, be) in &sh.backends {
        let mut total = 0u64;
        let mut cur = 0u32;
        for sv in &be.servers {
            let stot = sv.total_conns.load(Ordering::Relaxed);
            let scur = sv.cur_conns.load(Ordering::Relaxed);
            total += stot;
            cur += scur;
            if let Some(s) = snap.server_mut(name, &sv.name) {
                s.traffic.scur = scur;
                s.traffic.stot = stot;
                s.side.lbtot = stot;
                let w = sv.weight.load(Ordering::Relaxed);
                s.weight = w;
                s.uweight = w;
                s.admin.fmaint = sv.maint.load(Ordering::Relaxed) && !s.admin.cmaint;
                s.admin.fdrain = sv.drain.load(Ordering::Relaxed);
                s.op = if sv.up.load(Ordering::Relaxed) {
                    OpState::Running
                } else {
                    OpState::Stopped
                };
            }
        }
        if let Some(b) = snap.backend_mut(name) {
            b.traffic.scur = cur;
            b.traffic.stot = total;
            b.side.lbtot = total;
            b.side.qcur = be.queued.load(Ordering::Relaxed);
        }
    }
    snap
}

/// The stats socket and the page's admin form act on the live tables.
impl StatsBackend for Shared {
    fn snapshot(&self) -> Snapshot {
        snapshot(self, &self.model, self.started)
    }

    fn set_weight(&self, backend: &str, server: &str, weight: u32) -> Result<(), String> {
        let (be, sv) = self.server(backend, server)?;
        sv.weight.store(weight.min(256), Ordering::Relaxed);
        if let Ok(mut lb) = be.lb.lock() {
            lb.set_weight(sv.idx, weight.min(256));
        }
        Ok(())
    }

    fn set_admin(&self, backend: &str, server: &str, op: AdminOp) -> Result<(), String> {
        let (be, sv) = self.server(backend, server)?;
        match op {
            AdminOp::Ready => {
                sv.maint.store(false, Ordering::Relaxed);
                sv.drain.store(false, Ordering::Relaxed);
            }
            AdminOp::Drain => {
                sv.maint.store(false, Ordering::Relaxed);
                sv.drain.store(true, Ordering::Relaxed);
            }
            AdminOp::Maint => sv.maint.store(true, Ordering::Relaxed),
        }
        Self::sync(be, sv);
        Ok(())
    }

    fn set_check_enabled(
        &self,
        _b: &str,
        _s: &str,
        _k: CheckKind,
        _on: bool,
    ) -> Result<(), String> {
        Err(
            "Enabling or disabling checks at runtime is not supported by this harp build yet.\n"
                .into(),
        )
    }

    fn force_health(
        &self,
        backend: &str,
        server: &str,
        kind: CheckKind,
        to: ForcedHealth,
    ) -> Result<(), String> {
        if kind == CheckKind::Agent {
            return Err("Agent checks are not run by this harp build.\n".into());
        }
        let (be, sv) = self.server(backend, server)?;
        sv.up
            .store(!matches!(to, ForcedHealth::Down), Ordering::Relaxed);
        Self::sync(be, sv);
        Ok(())
    }

    fn set_frontend_maxconn(&self, _fe: &str, _maxconn: u32) -> Result<(), String> {
        Err("Changing maxconn at runtime is not supported by this harp build.\n".into())
    }

    fn set_global_maxconn(&self, _maxconn: u32) -> Result<(), String> {
        Err("Changing maxconn at runtime is not supported by this harp build.\n".into())
    }

    fn show_carp(&self) -> Result<String, String> {
        match self.carp.get() {
            Some(c) => Ok(show_carp(c)),
            None => Err("No CARP vhid runs in this process.\n".into()),
        }
    }

    fn clear_counters(&self, _all: bool) {
        for be in self.backends.values() {
            for sv in &be.servers {
                sv.total_conns.store(0, Ordering::Relaxed);
            }
        }
    }
}
