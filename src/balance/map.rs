//! Map-based selection: `balance static-rr`, and every hash algorithm
//! under `hash-type map-based` (HAProxy manual §4.2 "hash-type").
//!
//! The map is a table with one slot per unit of weight, filled so that
//! each server is spread evenly and, among equal weights, declaration
//! order wins. Weights are first divided by their greatest common
//! divisor (as HAProxy does), so `hash % total` matches HAProxy's table.

use super::snapshot::{Counts, ServerSnap};

#[derive(Debug, Clone)]
pub struct MapLb {
    /// The weights' greatest common divisor, fixed at start.
    wmult: i64,
    /// Configured weights: static algorithms accept only 0 or these.
    initial: Vec<u32>,
    table: Vec<usize>,
    rr_idx: usize,
    counts: Counts,
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl MapLb {
    pub fn new(servers: &[ServerSnap], allbackups: bool) -> MapLb {
        let mut w = servers
            .iter()
            .map(|s| i64::from(s.weight))
            .filter(|&w| w > 0);
        let wmult = match w.next() {
            Some(first) => w.fold(first, gcd).max(1),
            None => 1,
        };
        let mut m = MapLb {
            wmult,
            initial: servers.iter().map(|s| s.weight).collect(),
            table: Vec::new(),
            rr_idx: 0,
            counts: Counts::default(),
        };
        m.recalc(servers, allbackups);
        m
    }

    /// Weight in table slots. Static: a non-zero weight is the configured one.
    pub fn eweight(&self, i: usize, s: &ServerSnap) -> i64 {
        let uw = if s.weight == 0 {
            0
        } else {
            i64::from(self.initial.get(i).copied().unwrap_or(s.weight))
        };
        (uw + self.wmult - 1) / self.wmult
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Rebuild the table after any server change.
    pub fn recalc(&mut self, servers: &[ServerSnap], allbackups: bool) {
        let ew: Vec<i64> = servers
            .iter()
            .enumerate()
            .map(|(i, s)| self.eweight(i, s))
            .collect();
        self.counts = Counts::of(servers, allbackups, |i| ew[i]);
        self.table.clear();
        if self.counts.tot_used == 0 {
            return;
        }
        let tot = self.counts.tot_weight;
        let want_backup = self.counts.act == 0;
        let mut score = vec![0i64; servers.len()];
        for _ in 0..tot {
            let mut best: Option<usize> = None;
            let mut max = 0i64;
            for (i, s) in servers.iter().enumerate() {
                if s.backup != want_backup || !s.usable() || ew[i] == 0 {
                    continue;
                }
                if tot == 1 {
                    best = Some(i);
                    break;
                }
                score[i] += ew[i];
                let v = (score[i] + tot) / tot;
                if best.is_none() || v > max {
                    max = v;
                    best = Some(i);
                }
            }
            if let Some(b) = best {
                if tot != 1 {
                    score[b] -= tot;
                }
                self.table.push(b);
            }
        }
    }

    /// Next server in table order with a free slot, skipping `avoid` unless
    /// it is the only one.
    pub fn next_rr(&mut self, servers: &[ServerSnap], avoid: Option<usize>) -> Option<usize> {
        let tot = self.table.len();
        if tot == 0 {
            return None;
        }
        if self.rr_idx >= tot {
            self.rr_idx = 0;
        }
        let start = self.rr_idx;
        let mut idx = start;
        let mut avoided: Option<(usize, usize)> = None;
        loop {
            let srv = self.table[idx];
            idx += 1;
            if servers[srv].has_room() {
                avoided = Some((srv, idx));
                if Some(srv) != avoid {
                    self.rr_idx = idx;
                    return Some(srv);
                }
            }
            if idx == tot {
                idx = 0;
            }
            if idx == start {
                break;
            }
        }
        let (srv, at) = avoided?;
        self.rr_idx = at;
        Some(srv)
    }

    /// The server for a hash value.
    pub fn by_hash(&self, hash: u32) -> Option<usize> {
        let tot = self.table.len();
        if tot == 0 {
            return None;
        }
        self.table.get(hash as usize % tot).copied()
    }
}
