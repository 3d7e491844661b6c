//! Server choice for a request: rotation over the usable servers, and the
//! backend queue when every server is at its `maxconn` (manual §5.2
//! `maxconn`, §4.2 `timeout queue`).
//!
//! Equal-weight rotation is exactly HAProxy's roundrobin; weighted and
//! hash algorithms come from the `balance` module.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::runtime::table::{BackendState, ServerState, Slot};

/// Why no server could be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoServer {
    /// No usable server at all.
    Down,
    /// Every server stayed full for `timeout queue`.
    QueueTimeout,
}

/// The next server with a free slot, if any (never waits).
pub fn try_pick(
    be: &Arc<BackendState>,
    avoid: Option<&Arc<ServerState>>,
) -> Result<Option<Slot>, NoServer> {
    let cands = be.candidates();
    if cands.is_empty() {
        return Err(NoServer::Down);
    }
    let n = cands.len();
    for _ in 0..n {
        let i = be.rr.fetch_add(1, Ordering::Relaxed) % n;
        let s = &cands[i];
        if avoid.is_some_and(|a| Arc::ptr_eq(a, s)) && n > 1 {
            continue;
        }
        if let Some(slot) = s.try_slot(be) {
            return Ok(Some(slot));
        }
    }
    Ok(None)
}

/// A server slot, waiting in the backend queue up to `queue_timeout` when
/// all servers are full.
pub async fn pick(
    be: &Arc<BackendState>,
    avoid: Option<&Arc<ServerState>>,
    queue_timeout: Duration,
) -> Result<Slot, NoServer> {
    if let Some(slot) = try_pick(be, avoid)? {
        return Ok(slot);
    }
    be.queued.fetch_add(1, Ordering::Relaxed);
    let deadline = tokio::time::Instant::now() + queue_timeout;
    let res = loop {
        let woken = tokio::time::timeout_at(deadline, be.freed.notified()).await;
        match try_pick(be, avoid) {
            Ok(Some(slot)) => break Ok(slot),
            Ok(None) if woken.is_err() => break Err(NoServer::QueueTimeout),
            Ok(None) => continue,
            Err(e) => break Err(e),
        }
    };
    be.queued.fetch_sub(1, Ordering::Relaxed);
    res
}
