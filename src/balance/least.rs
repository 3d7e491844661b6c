//! `balance leastconn` and `balance first`.
//!
//! leastconn: servers are ordered by in-flight load divided by weight; a
//! server whose load changes goes behind the others of equal load, which
//! makes equal servers take turns (HAProxy manual §4.2 "balance").
//! first: servers ordered by id; the first with a free slot wins.

use std::collections::BTreeSet;

use super::fwrr::WEIGHT_SCALE;
use super::snapshot::{Counts, ServerSnap};

const EWGHT_MAX: u64 = 256 * WEIGHT_SCALE as u64;

type Entry = (u32, u64, usize);

#[derive(Debug, Clone, Default)]
pub struct LeastConn {
    act: BTreeSet<Entry>,
    bck: BTreeSet<Entry>,
    /// Each queued server's (key, seq).
    at: Vec<Option<(u32, u64)>>,
    seq: u64,
}

/// Ordering key: 0 when idle, else (inflight + 1) scaled by 1/weight.
fn key(s: &ServerSnap) -> u32 {
    let inflight = u64::from(s.inflight());
    if inflight == 0 {
        return 0;
    }
    let ew = (s.eweight().max(1)) as u64;
    ((inflight + 1) * EWGHT_MAX / ew).min(u64::from(u32::MAX)) as u32
}

impl LeastConn {
    pub fn new(servers: &[ServerSnap]) -> LeastConn {
        let mut l = LeastConn {
            at: vec![None; servers.len()],
            ..LeastConn::default()
        };
        for i in 0..servers.len() {
            l.reposition(servers, i);
        }
        l
    }

    /// Requeue server `i` if its usability or key changed.
    pub fn reposition(&mut self, servers: &[ServerSnap], i: usize) {
        let s = &servers[i];
        let want = s.usable().then(|| key(s));
        let have = self.at[i].map(|(k, _)| k);
        if want == have {
            return;
        }
        let set = if s.backup {
            &mut self.bck
        } else {
            &mut self.act
        };
        if let Some((k, q)) = self.at[i].take() {
            set.remove(&(k, q, i));
        }
        if let Some(k) = want {
            self.seq += 1;
            set.insert((k, self.seq, i));
            self.at[i] = Some((k, self.seq));
        }
    }

    pub fn next(
        &self,
        servers: &[ServerSnap],
        counts: &Counts,
        avoid: Option<usize>,
    ) -> Option<usize> {
        let set = if counts.act > 0 {
            &self.act
        } else if let Some(f) = counts.fbck {
            return Some(f);
        } else {
            &self.bck
        };
        pick_ordered(set.iter().map(|e| e.2), servers, avoid)
    }
}

/// First server with room that is not `avoid`; `avoid` if it is the only one.
fn pick_ordered(
    order: impl Iterator<Item = usize>,
    servers: &[ServerSnap],
    avoid: Option<usize>,
) -> Option<usize> {
    let mut avoided = None;
    for i in order {
        if servers[i].has_room() {
            if Some(i) != avoid {
                return Some(i);
            }
            avoided = Some(i);
        }
    }
    avoided
}

/// `balance first`: lowest id with a free slot.
pub fn first(servers: &[ServerSnap], counts: &Counts, avoid: Option<usize>) -> Option<usize> {
    let backup = if counts.act > 0 {
        false
    } else if let Some(f) = counts.fbck {
        return Some(f);
    } else {
        true
    };
    let mut order: Vec<usize> = (0..servers.len())
        .filter(|&i| servers[i].usable() && servers[i].backup == backup)
        .collect();
    order.sort_by_key(|&i| servers[i].id);
    pick_ordered(order.into_iter(), servers, avoid)
}
