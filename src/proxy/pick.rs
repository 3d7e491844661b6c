//! Server choice for a request: the backend's `balance` algorithm, and
//! the backend queue when every server is at its `maxconn` (manual §4.2
//! `balance`, §5.2 `maxconn`, §4.2 `timeout queue`).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::balance::{Choice, Request};
use crate::runtime::table::{BackendState, ServerState, Slot};

/// Why no server could be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoServer {
    /// No usable server at all.
    Down,
    /// Every server stayed full for `timeout queue`.
    QueueTimeout,
}

/// The server the algorithm chooses, with a free slot, if any (never waits).
pub fn try_pick(
    be: &Arc<BackendState>,
    req: &Request<'_>,
    avoid: Option<&Arc<ServerState>>,
) -> Result<Option<Slot>, NoServer> {
    let choice = match be.lb.lock() {
        Ok(mut lb) => lb.pick(req, avoid.map(|s| s.idx)),
        Err(_) => Choice::NoServer,
    };
    match choice {
        Choice::Server(i) => {
            let Some(server) = be.servers.get(i) else {
                return Err(NoServer::Down);
            };
            let slot = server.try_slot(be);
            if let (Some(_), Ok(mut lb)) = (&slot, be.lb.lock()) {
                lb.set_load(i, server.cur_conns.load(Ordering::Acquire), 0);
            }
            Ok(slot)
        }
        Choice::Full => Ok(None),
        Choice::NoServer => Err(NoServer::Down),
    }
}

/// A server slot, waiting in the backend queue up to `queue_timeout` when
/// all servers are full.
pub async fn pick(
    be: &Arc<BackendState>,
    req: &Request<'_>,
    avoid: Option<&Arc<ServerState>>,
    queue_timeout: Duration,
) -> Result<Slot, NoServer> {
    if let Some(slot) = try_pick(be, req, avoid)? {
        return Ok(slot);
    }
    be.queued.fetch_add(1, Ordering::Relaxed);
    let deadline = tokio::time::Instant::now() + queue_timeout;
    let res = loop {
        let woken = tokio::time::timeout_at(deadline, be.freed.notified()).await;
        match try_pick(be, req, avoid) {
            Ok(Some(slot)) => break Ok(slot),
            Ok(None) if woken.is_err() => break Err(NoServer::QueueTimeout),
            Ok(None) => continue,
            Err(e) => break Err(e),
        }
    };
    be.queued.fetch_sub(1, Ordering::Relaxed);
    res
}
