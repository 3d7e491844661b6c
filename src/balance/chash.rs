//! `hash-type consistent` and `balance random`: a ring of points, each
//! server owning weight×16 of them at fixed places derived from its id
//! (so removing a server only moves the keys it owned). A key goes to the
//! nearest point on either side; ties go to the point before it.

use std::collections::BTreeMap;

use super::fwrr::WEIGHT_SCALE;
use super::hash::avalanche;
use super::snapshot::{Counts, ServerSnap};

/// Points reserved per server id (HAProxy's SRV_EWGHT_RANGE).
const POINTS_PER_ID: u32 = 256 * WEIGHT_SCALE as u32;

type Point = (u32, u64);

#[derive(Debug, Clone, Default)]
pub struct Chash {
    act: BTreeMap<Point, usize>,
    bck: BTreeMap<Point, usize>,
    /// Points each server has on the ring, in insertion order.
    points: Vec<Vec<Point>>,
    seq: u64,
    /// Where round robin over the ring stopped.
    last: Option<Point>,
    counts: Counts,
}

pub fn eweight(s: &ServerSnap) -> i64 {
    s.eweight()
}

impl Chash {
    pub fn new(servers: &[ServerSnap], allbackups: bool) -> Chash {
        let mut c = Chash {
            points: vec![Vec::new(); servers.len()],
            ..Chash::default()
        };
        for i in 0..servers.len() {
            c.requeue(servers, i);
        }
        c.recount(servers, allbackups);
        c
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    pub fn recount(&mut self, servers: &[ServerSnap], allbackups: bool) {
        self.counts = Counts::of(servers, allbackups, |i| eweight(&servers[i]));
    }

    /// Bring server `i`'s number of points in line with its weight.
    pub fn requeue(&mut self, servers: &[ServerSnap], i: usize) {
        let s = &servers[i];
        let want = if s.usable() { eweight(s) as u32 } else { 0 };
        let ring = if s.backup {
            &mut self.bck
        } else {
            &mut self.act
        };
        while self.points[i].len() as u32 > want {
            if let Some(p) = self.points[i].pop() {
                ring.remove(&p);
                if self.last == Some(p) {
                    self.last = None;
                }
            }
        }
        while (self.points[i].len() as u32) < want {
            let n = self.points[i].len() as u32;
            let key = avalanche(s.id.wrapping_mul(POINTS_PER_ID).wrapping_add(n));
            self.seq += 1;
            let p = (key, self.seq);
            ring.insert(p, i);
            self.points[i].push(p);
        }
    }

    fn ring(&self) -> Result<&BTreeMap<Point, usize>, Option<usize>> {
        if self.counts.act > 0 {
            Ok(&self.act)
        } else if let Some(f) = self.counts.fbck {
            Err(Some(f))
        } else if self.counts.bck > 0 {
            Ok(&self.bck)
        } else {
            Err(None)
        }
    }

    /// Bounded load (`hash-balance-factor`): may server `i` take one more?
    fn eligible(&self, servers: &[ServerSnap], i: usize, factor: u32) -> bool {
        let tot = self.counts.tot_weight.max(1) as u64;
        let served: u64 = servers.iter().map(|s| u64::from(s.conns)).sum();
        let slots_total = ((served + 1) * u64::from(factor)).div_ceil(100);
        let per_weight = slots_total / tot;
        let rem = slots_total % tot;
        let ew = eweight(&servers[i]) as u64;
        let cumul: u64 = servers[..i]
            .iter()
            .filter(|s| s.usable() && s.backup == servers[i].backup)
            .map(|s| eweight(s) as u64)
            .sum();
        let mut slots = ew * per_weight;
        slots += ((cumul + ew) * rem) / tot - (cumul * rem) / tot;
        u64::from(servers[i].conns) < slots.max(1)
    }

    /// The server nearest to `hash` on the ring.
    pub fn by_hash(
        &self,
        servers: &[ServerSnap],
        hash: u32,
        avoid: Option<usize>,
        factor: u32,
    ) -> Option<usize> {
        let ring = match self.ring() {
            Ok(r) => r,
            Err(direct) => return direct,
        };
        let first = ring.iter().next()?;
        let next = ring.range((hash, 0)..).next().unwrap_or(first);
        let prev = ring
            .range(..*next.0)
            .next_back()
            .or_else(|| ring.iter().next_back())
            .unwrap_or(next);
        let dp = hash.wrapping_sub(prev.0 .0);
        let dn = next.0 .0.wrapping_sub(hash);
        let mut at = if dp <= dn { prev } else { next };
        let mut wrapped = 0;
        // Walk forward past the avoided or overloaded server, at most one
        // full turn (as HAProxy's loop guard does).
        for _ in 0..=ring.len() {
            let i = *at.1;
            let skip = Some(i) == avoid || (factor > 0 && !self.eligible(servers, i, factor));
            if !skip {
                break;
            }
            match ring
                .range((std::ops::Bound::Excluded(*at.0), std::ops::Bound::Unbounded))
                .next()
            {
                Some(n) => at = n,
                None => {
                    at = first;
                    wrapped += 1;
                    if wrapped > 1 {
                        break;
                    }
                }
            }
        }
        Some(*at.1)
    }

    /// Round robin over the ring points (fallback when a key is missing).
    pub fn next_rr(&mut self, servers: &[ServerSnap], avoid: Option<usize>) -> Option<usize> {
        let last = self.last;
        let ring = match self.ring() {
            Ok(r) => r,
            Err(direct) => return direct,
        };
        let start = last.filter(|p| ring.contains_key(p));
        let mut node = start;
        let mut stop = start;
        let mut avoided: Option<(Point, usize)> = None;
        let mut chosen: Option<(Point, usize)> = None;
        for _ in 0..=ring.len() {
            let n = match node {
                Some(p) => ring
                    .range((std::ops::Bound::Excluded(p), std::ops::Bound::Unbounded))
                    .next()
                    .or_else(|| ring.iter().next()),
                None => ring.iter().next(),
            };
            let Some((&p, &i)) = n else { break };
            node = Some(p);
            if stop.is_none() {
                stop = Some(p);
            }
            if servers[i].has_room() {
                if Some(i) != avoid {
                    chosen = Some((p, i));
                    break;
                }
                avoided = Some((p, i));
            }
            if node == stop {
                break;
            }
        }
        let pick = chosen.or(avoided);
        self.last = pick.map(|(p, _)| p).or(node);
        pick.map(|(_, i)| i)
    }
}
