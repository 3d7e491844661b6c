//! `balance roundrobin`: HAProxy's "fast weighted round robin".
//!
//! Not the naive "smooth WRR": each server has a next position `npos` in a
//! window as wide as the group's total effective weight; servers wait in
//! three ordered queues (current window, next window, and an "init" queue
//! sorted heaviest first). Reproducing HAProxy's exact sequence needs the
//! same queues, the same tie-breaking (insertion order among equal keys)
//! and the same integer arithmetic, which is what this module does.
//! Effective weight is the user weight times [`WEIGHT_SCALE`] (less
//! during slow start: [`ServerSnap::throttle`]).

use std::collections::BTreeSet;

use super::snapshot::ServerSnap;

/// Effective weight units per user weight unit (HAProxy's BE_WEIGHT_SCALE).
pub const WEIGHT_SCALE: i64 = 16;
/// User weight range (0..=256).
const UWGHT_RANGE: i64 = 256;
/// Largest effective weight.
const EWGHT_MAX: i64 = UWGHT_RANGE * WEIGHT_SCALE;

/// Which queue a server waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Nowhere,
    Curr,
    /// One of the two swapping weight-sorted queues (0 or 1).
    Sorted(usize),
}

/// An ordered queue: by key, then by insertion (the order HAProxy's
/// trees give equal keys).
#[derive(Debug, Default, Clone)]
struct Queue {
    set: BTreeSet<(u32, u64, usize)>,
}

#[derive(Debug, Clone)]
struct Group {
    curr_pos: i64,
    curr_weight: i64,
    next_weight: i64,
    curr: Queue,
    sorted: [Queue; 2],
    /// Index in `sorted` of the "init" queue; the other is "next".
    init: usize,
}

impl Group {
    fn new(total: i64) -> Group {
        Group {
            curr_pos: total,
            curr_weight: total,
            next_weight: total,
            curr: Queue::default(),
            sorted: [Queue::default(), Queue::default()],
            init: 0,
        }
    }
    fn next(&self) -> usize {
        1 - self.init
    }
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    npos: i64,
    lpos: i64,
    rweight: i64,
    at: Where,
    key: (u32, u64),
    /// Committed effective weight.
    cur_ew: i64,
}

/// Round-robin state for one backend.
#[derive(Debug, Clone)]
pub struct Fwrr {
    act: Group,
    bck: Group,
    slots: Vec<Slot>,
    seq: u64,
}

pub fn eweight(s: &ServerSnap) -> i64 {
    s.eweight()
}

impl Fwrr {
    pub fn new(servers: &[ServerSnap]) -> Fwrr {
        let tot = |bck: bool| -> i64 {
            servers
                .iter()
                .filter(|s| s.backup == bck && s.usable())
                .map(eweight)
                .sum()
        };
        let mut f = Fwrr {
            act: Group::new(tot(false)),
            bck: Group::new(tot(true)),
            slots: servers
                .iter()
                .map(|s| Slot {
                    npos: 0,
                    lpos: 0,
                    rweight: 0,
                    at: Where::Nowhere,
                    key: (0, 0),
                    cur_ew: eweight(s),
                })
                .collect(),
            seq: 0,
        };
        for (i, s) in servers.iter().enumerate() {
            if s.usable() {
                let init = f.grp(s.backup).init;
                f.queue_by_weight(servers, i, init);
            }
        }
        f
    }

    fn grp(&mut self, backup: bool) -> &mut Group {
        if backup {
            &mut self.bck
        } else {
            &mut self.act
        }
    }

    fn insert(&mut self, i: usize, backup: bool, at: Where, key: u32) {
        self.seq += 1;
        let seq = self.seq;
        let g = self.grp(backup);
        match at {
            Where::Curr => g.curr.set.insert((key, seq, i)),
            Where::Sorted(t) => g.sorted[t].set.insert((key, seq, i)),
            Where::Nowhere => false,
        };
        self.slots[i].at = at;
        self.slots[i].key = (key, seq);
    }

    fn dequeue(&mut self, i: usize, backup: bool) {
        let Slot { at, key, .. } = self.slots[i];
        let g = self.grp(backup);
        let e = (key.0, key.1, i);
        match at {
            Where::Curr => g.curr.set.remove(&e),
            Where::Sorted(t) => g.sorted[t].set.remove(&e),
            Where::Nowhere => false,
        };
    }

    /// Queue in a weight-sorted queue, heaviest first.
    fn queue_by_weight(&mut self, servers: &[ServerSnap], i: usize, tree: usize) {
        let key = (EWGHT_MAX - eweight(&servers[i])) as u32;
        self.insert(i, servers[i].backup, Where::Sorted(tree), key);
    }

    /// Put a server back according to its next position.
    fn queue_srv(&mut self, servers: &[ServerSnap], i: usize) {
        let s = &servers[i];
        let ew = eweight(s);
        let (cw, nw, next) = {
            let g = self.grp(s.backup);
            (g.curr_weight, g.next_weight, g.next())
        };
        if !s.usable() {
            self.slots[i].at = Where::Nowhere;
        } else if ew <= 0 || self.slots[i].npos >= 2 * cw || self.slots[i].npos >= cw + nw {
            self.slots[i].npos -= cw;
            self.queue_by_weight(servers, i, next);
        } else {
            let sl = self.slots[i];
            let frac = ((EWGHT_MAX + sl.rweight - ew) as u32) / WEIGHT_SCALE as u32;
            let key = ((UWGHT_RANGE * sl.npos) as u32).wrapping_add(frac);
            self.insert(i, s.backup, Where::Curr, key);
        }
    }

    /// Adjust positions when taking a server out of its queue for a change.
    fn get_srv(&mut self, i: usize, backup: bool) {
        let g = if backup { &self.bck } else { &self.act };
        let (init, next, cw, cp) = (g.init, g.next(), g.curr_weight, g.curr_pos);
        let sl = &mut self.slots[i];
        match sl.at {
            Where::Sorted(t) if t == init => {
                sl.npos = 0;
                sl.rweight = 0;
            }
            Where::Sorted(t) if t == next => sl.npos += cw,
            Where::Nowhere => sl.npos = cp,
            _ => {}
        }
    }

    fn switch_trees(g: &mut Group) {
        g.init = g.next();
        g.curr_weight = g.next_weight;
        g.curr_pos = g.curr_weight;
    }

    fn take_from_group(&mut self, backup: bool) -> Option<usize> {
        let g = if backup { &self.bck } else { &self.act };
        let s1 = g.curr.set.iter().next().map(|e| e.2);
        if let Some(i) = s1 {
            if self.slots[i].cur_ew > 0 && self.slots[i].npos <= g.curr_pos {
                return Some(i);
            }
        }
        if let Some(&(_, _, i)) = g.sorted[g.init].set.iter().next() {
            if self.slots[i].cur_ew > 0 {
                self.slots[i].npos = 0;
                self.slots[i].rweight = 0;
                return Some(i);
            }
        }
        s1
    }

    fn update_position(&mut self, i: usize, backup: bool) {
        let g = if backup { &self.bck } else { &self.act };
        let (cp, nw) = (g.curr_pos, g.next_weight);
        let sl = &mut self.slots[i];
        let ew = sl.cur_ew;
        if ew == 0 {
            return;
        }
        if sl.npos == 0 {
            sl.npos = cp;
        }
        sl.lpos = sl.npos;
        sl.npos += nw / ew;
        sl.rweight += nw % ew;
        if sl.rweight >= ew {
            sl.rweight -= ew;
            sl.npos += 1;
        }
    }

    /// Next server of the group (`backup` selects which), skipping full
    /// servers and, once, `avoid`.
    pub fn next_server(
        &mut self,
        servers: &[ServerSnap],
        backup: bool,
        avoid: Option<usize>,
    ) -> Option<usize> {
        let mut switched = false;
        let mut avoided: Option<usize> = None;
        let mut full: Vec<usize> = Vec::new();
        let mut chosen: Option<usize> = None;
        // Each pass takes a server out of a queue; bounded by the number
        // of servers plus one tree switch.
        for _ in 0..=(2 * servers.len() + 2) {
            {
                let g = self.grp(backup);
                if g.curr_weight == 0 {
                    g.curr_pos = g.next_weight;
                    g.curr_weight = g.next_weight;
                }
            }
            let mut srv = self.take_from_group(backup);
            if srv.is_none() {
                if switched {
                    chosen = avoided;
                    break;
                }
                switched = true;
                Self::switch_trees(self.grp(backup));
                srv = self.take_from_group(backup);
                if srv.is_none() {
                    chosen = avoided;
                    break;
                }
            }
            let Some(i) = srv else { break };
            self.update_position(i, backup);
            self.dequeue(i, backup);
            self.grp(backup).curr_pos += 1;
            if servers[i].has_room() {
                if Some(i) != avoid || avoided.is_some() {
                    chosen = Some(i);
                    break;
                }
                avoided = Some(i);
            }
            full.push(i);
        }
        if let Some(i) = chosen {
            self.queue_srv(servers, i);
        }
        let init = self.grp(backup).init;
        for &f in full.iter().rev() {
            if Some(f) == chosen {
                continue;
            }
            if switched {
                self.queue_by_weight(servers, f, init);
            } else {
                self.queue_srv(servers, f);
            }
        }
        chosen
    }

    /// Apply server `i`'s change from `old` to `new` (state or weight),
    /// as HAProxy's up / down / weight-change handlers do.
    pub fn change(&mut self, old: &ServerSnap, new_all: &[ServerSnap], i: usize) {
        let new = &new_all[i];
        let (was, will) = (old.usable(), new.usable());
        let (old_ew, new_ew) = (self.slots[i].cur_ew, eweight(new));
        if was == will && old_ew == new_ew && old.backup == new.backup {
            return;
        }
        let b = new.backup;
        match (was, will) {
            (false, false) => {}
            (false, true) => {
                self.grp(b).next_weight += new_ew;
                self.get_srv(i, b);
                let g = self.grp(b);
                let np = g.curr_pos + (g.next_weight + g.curr_weight - g.curr_pos) / new_ew;
                self.slots[i].npos = np;
                self.queue_srv(new_all, i);
            }
            (true, false) => {
                self.grp(b).next_weight -= old_ew;
                self.dequeue(i, b);
                self.slots[i].at = Where::Nowhere;
            }
            (true, true) => {
                {
                    let g = self.grp(b);
                    g.next_weight = g.next_weight - old_ew + new_ew;
                }
                let (init, cp, cw, nw) = {
                    let g = self.grp(b);
                    (g.init, g.curr_pos, g.curr_weight, g.next_weight)
                };
                match self.slots[i].at {
                    Where::Sorted(t) if t == init => {
                        self.dequeue(i, b);
                        self.queue_by_weight(new_all, i, init);
                    }
                    Where::Nowhere => {
                        self.get_srv(i, b);
                        self.slots[i].npos = cp + (nw + cw - cp) / new_ew.max(1);
                        self.queue_srv(new_all, i);
                    }
                    _ => {
                        self.get_srv(i, b);
                        let sl = &mut self.slots[i];
                        if new_ew > 0 {
                            let prev_next = sl.npos;
                            let step = nw / new_ew;
                            sl.npos = (sl.lpos + step).min(prev_next);
                            sl.rweight = 0;
                            if sl.npos < cp + 2 {
                                sl.npos = cp + step;
                            }
                        } else {
                            sl.npos = cp + cw;
                        }
                        self.dequeue(i, b);
                        self.queue_srv(new_all, i);
                    }
                }
            }
        }
        self.slots[i].cur_ew = new_ew;
    }
}
