//! Server choice for a request: rotation over the usable servers.
//!
//! Equal-weight rotation is exactly HAProxy's roundrobin; weighted and
//! hash algorithms come from the `balance` module.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::runtime::table::{BackendState, ServerState};

/// The next server, or None when the backend has no usable server (503).
pub fn pick(be: &BackendState, avoid: Option<&Arc<ServerState>>) -> Option<Arc<ServerState>> {
    let cands = be.candidates();
    if cands.is_empty() {
        return None;
    }
    let n = cands.len();
    for _ in 0..n {
        let i = be.rr.fetch_add(1, Ordering::Relaxed) % n;
        let s = &cands[i];
        let full = s.maxconn > 0 && s.cur_conns.load(Ordering::Relaxed) >= s.maxconn;
        let avoided = avoid.is_some_and(|a| Arc::ptr_eq(a, s)) && n > 1;
        if !full && !avoided {
            return Some(s.clone());
        }
    }
    None
}
