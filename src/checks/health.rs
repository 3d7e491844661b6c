//! The rise/fall state machine of one server's health check, as HAProxy
//! 2.6 keeps it (manual §5.2 `check`, `rise`, `fall`, `inter`,
//! `fastinter`, `downinter`). Pure: no clock, no sockets.
//!
//! HAProxy keeps one `health` counter per check, from 0 to
//! `rise + fall - 1`. Values below `rise` mean DOWN, the others UP. A
//! failure takes one away and, once it drops below `rise`, resets it to 0
//! (so coming back needs `rise` passes in a row); a pass adds one and,
//! once it reaches `rise`, sets it to the top (so going down needs `fall`
//! failures in a row). A checked server starts UP with `health = rise`:
//! "UP, going down", so its very first failure marks it DOWN (observed
//! with HAProxy 2.6.12; `init-state` only exists from 2.8).

/// How one check ended, as far as the counter cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// `http-check disable-on-404`: a 404 passes but puts the server in
    /// the stopping (drain) state.
    ConditionalPass,
    Fail,
}

/// The check-driven state of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Up,
    /// UP but answering 404 with `disable-on-404`: no new load-balanced
    /// traffic.
    Stopping,
    Down,
}

/// A state change to announce and apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: Health,
    pub to: Health,
}

/// What one result did to the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Step {
    /// The counter moved (HAProxy then logs the check with
    /// `option log-health-checks`).
    pub counter_moved: bool,
    pub transition: Option<Transition>,
}

/// Timings and thresholds of a check, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub rise: u32,
    pub fall: u32,
    pub inter: u32,
    pub fastinter: u32,
    pub downinter: u32,
}

impl Params {
    /// From a server line (`fastinter`/`downinter` default to `inter`).
    pub fn from_server(c: &crate::config::server::ServerConfig) -> Params {
        Params {
            rise: c.rise,
            fall: c.fall,
            inter: c.inter,
            fastinter: c.effective_fastinter(),
            downinter: c.effective_downinter(),
        }
        .sane()
    }

    /// HAProxy refuses zero for these at load time; never divide or loop
    /// on a zero here either.
    pub fn sane(self) -> Params {
        Params {
            rise: self.rise.max(1),
            fall: self.fall.max(1),
            inter: self.inter.max(1),
            fastinter: self.fastinter.max(1),
            downinter: self.downinter.max(1),
        }
    }
}

/// One server's check counter and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    params: Params,
    health: u32,
    state: Health,
}

impl Machine {
    /// A freshly started check: UP, one failure away from DOWN.
    pub fn new(params: Params) -> Machine {
        let params = params.sane();
        Machine {
            health: params.rise,
            params,
            state: Health::Up,
        }
    }

    pub fn params(&self) -> Params {
        self.params
    }

    pub fn state(&self) -> Health {
        self.state
    }

    /// The raw counter (0..=rise+fall-1).
    pub fn health(&self) -> u32 {
        self.health
    }

    fn top(&self) -> u32 {
        self.params.rise + self.params.fall - 1
    }

    /// Apply one check result.
    pub fn record(&mut self, v: Verdict) -> Step {
        let rise = self.params.rise;
        let before = self.health;
        match v {
            Verdict::Fail => {
                if self.health > 0 {
                    self.health -= 1;
                    if self.health < rise {
                        self.health = 0;
                    }
                }
            }
            Verdict::Pass | Verdict::ConditionalPass => {
                if self.health < self.top() {
                    self.health += 1;
                    if self.health >= rise {
                        self.health = self.top();
                    }
                }
            }
        }
        let from = self.state;
        // A 404 under `disable-on-404` never brings a DOWN server back
        // (observed with HAProxy 2.6.12: it stays DOWN, silently).
        let to = if self.health < rise || (from == Health::Down && v == Verdict::ConditionalPass) {
            Health::Down
        } else if v == Verdict::ConditionalPass {
            Health::Stopping
        } else if v == Verdict::Pass {
            Health::Up
        } else {
            // A failure that leaves the server up keeps its state
            // (including stopping).
            from
        };
        self.state = to;
        Step {
            counter_moved: self.health != before,
            transition: (from != to).then_some(Transition { from, to }),
        }
    }

    /// Milliseconds until the next check starts: `inter` when fully up,
    /// `downinter` when fully down, `fastinter` in between (HAProxy's
    /// rule, which also makes the first checks after start use
    /// `fastinter`).
    pub fn next_interval(&self) -> u32 {
        if self.health == self.top() {
            self.params.inter
        } else if self.health == 0 {
            self.params.downinter
        } else {
            self.params.fastinter
        }
    }

    /// `3/3 UP`, `1/2 DOWN`: the counter as `option log-health-checks`
    /// prints it (`DRAIN` instead of `UP` for a server of weight 0).
    pub fn status_text(&self, weight_zero: bool) -> String {
        let rise = self.params.rise;
        if self.health >= rise {
            let word = if weight_zero { "DRAIN" } else { "UP" };
            format!("{}/{} {word}", self.health - rise + 1, self.params.fall)
        } else {
            format!("{}/{} DOWN", self.health, rise)
        }
    }
}

/// Checks with an interval under this do not count for the start spread
/// (HAProxy's threshold, in ms).
pub const SPREAD_THRESHOLD_MS: u32 = 1000;

/// When the `pos`-th of `count` checks (in configuration order) first
/// runs, in ms after start: HAProxy spreads them evenly over the smallest
/// interval of at least [`SPREAD_THRESHOLD_MS`] (`min_inter`, 0 when
/// there is none), or over the check's own interval when that is
/// smaller.
pub fn first_delay(own_interval: u32, min_inter: u32, pos: u32, count: u32) -> u64 {
    if count == 0 {
        return 0;
    }
    let base = if min_inter > 0 && min_inter >= own_interval {
        min_inter
    } else {
        own_interval
    };
    u64::from(base) * u64::from(pos) / u64::from(count)
}

/// The smallest interval at or over the threshold, 0 if none (the
/// `min_inter` of [`first_delay`]).
pub fn spread_base(intervals: impl IntoIterator<Item = u32>) -> u32 {
    intervals
        .into_iter()
        .filter(|&i| i >= SPREAD_THRESHOLD_MS)
        .min()
        .unwrap_or(0)
}

/// Global `spread-checks <pct>`: each interval moves by up to ±pct%.
/// `unit` is a uniform random number in [0, 1).
pub fn spread_interval(interval: u32, pct: u32, unit: f64) -> u64 {
    let pct = pct.min(50);
    if pct == 0 {
        return u64::from(interval);
    }
    let rv = i64::from(interval) * i64::from(pct) / 100;
    let jitter = rv - (2.0 * rv as f64 * unit.clamp(0.0, 1.0)) as i64;
    (i64::from(interval) + jitter).max(1) as u64
}

#[cfg(test)]
mod tests;
