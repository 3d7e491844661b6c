//! `slowstart <time>` (manual §5.2): a server coming back UP takes a
//! growing share of its weight until the time has passed, then HAProxy
//! says `Server be/s is UP.` again. HAProxy counts the ramp in whole
//! seconds and steps it every max(1 s, slowstart / 20).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::log::ServerRef;
use crate::runtime::table::{BackendState, ServerState};

use super::notify::{warmed_up, EventLog, Subject};
use super::track::farm_of;

/// Slow start in whole seconds, as HAProxy keeps it.
pub fn seconds(slowstart_ms: u32) -> u64 {
    u64::from(slowstart_ms).div_ceil(1000)
}

/// The share of the weight in force, in sixteenths, `elapsed_s` whole
/// seconds into a slow start of `total_s` seconds.
pub fn throttle_at(elapsed_s: u64, total_s: u64) -> u32 {
    if total_s == 0 || elapsed_s >= total_s {
        return 16;
    }
    ((16 * elapsed_s + total_s) / total_s).clamp(1, 16) as u32
}

/// How often the ramp is recomputed.
pub fn step(slowstart_ms: u32) -> Duration {
    Duration::from_millis(u64::from((slowstart_ms / 20).max(1000)))
}

/// Everything a ramp needs.
pub struct Ramp {
    pub backend: Arc<BackendState>,
    pub server: Arc<ServerState>,
    pub log: Arc<EventLog>,
    pub listen: bool,
    pub slowstart_ms: u32,
    /// Bumped on every state change: a ramp whose generation is gone
    /// stops.
    pub generation: Arc<AtomicU64>,
}

impl Ramp {
    /// Start at the lowest share, then grow it until full.
    pub fn start(self) {
        if let Ok(mut lb) = self.backend.lb.lock() {
            lb.set_throttle(self.server.idx, throttle_at(0, seconds(self.slowstart_ms)));
        }
        tokio::spawn(self.run());
    }

    async fn run(self) {
        let mine = self.generation.load(Ordering::Relaxed);
        let began = Instant::now();
        let total = seconds(self.slowstart_ms);
        loop {
            tokio::time::sleep(step(self.slowstart_ms)).await;
            if self.generation.load(Ordering::Relaxed) != mine {
                return;
            }
            let t = throttle_at(began.elapsed().as_secs(), total);
            let farm = match self.backend.lb.lock() {
                Ok(mut lb) => {
                    lb.set_throttle(self.server.idx, t);
                    farm_of(lb.servers())
                }
                Err(_) => return,
            };
            if t == 16 {
                let who = Subject {
                    srv: ServerRef {
                        backend: &self.backend.name,
                        server: &self.server.name,
                        backup: self.server.backup,
                    },
                    listen: self.listen,
                    log_health_checks: false,
                };
                self.log.emit(&warmed_up(&who, farm));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_in_whole_seconds() {
        assert_eq!(seconds(1), 1);
        assert_eq!(seconds(1000), 1);
        assert_eq!(seconds(1001), 2);
        assert_eq!(throttle_at(0, 1), 1);
        assert_eq!(throttle_at(1, 1), 16);
        let ten: Vec<u32> = (0..=10).map(|s| throttle_at(s, 10)).collect();
        assert_eq!(ten, [1, 2, 4, 5, 7, 9, 10, 12, 13, 15, 16]);
        assert_eq!(throttle_at(5, 0), 16);
        assert_eq!(step(1000), Duration::from_millis(1000));
        assert_eq!(step(60_000), Duration::from_millis(3000));
    }
}
