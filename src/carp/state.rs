//! The state machine of one vhid (CARP.md §5–8), pure: every input takes
//! the current time as a value and returns the actions to carry out and
//! the next deadline. The driver owns sockets, addresses and the clock.
//!
//! It follows FreeBSD 10+/14 `ip_carp.c` behaviour; `TieBreak::Ucarp`
//! switches the MASTER-side comparison to ucarp's for mixed clusters.

use std::net::IpAddr;
use std::time::Duration;

pub use super::events::{Action, Advert, Family, Output, State, TieBreak, Timer, VhidParams};
use super::timing::{advert_interval, demoted_advskew, master_down_interval, skew};

/// Consecutive send errors that demote, and successes that undo it
/// (`CARP_SENDAD_MAX_ERRORS`, `CARP_SENDAD_MIN_SUCCESS`).
const SEND_MAX_ERRORS: u32 = 3;
const SEND_MIN_SUCCESS: u32 = 3;
/// The bow-out advert: a master that will certainly time out.
pub const BOW_OUT: u8 = 255;

/// One vhid.
#[derive(Debug, Clone)]
pub struct VhidMachine {
    p: VhidParams,
    state: State,
    demotion: i32,
    started: bool,
    stopped: bool,
    link_up: bool,
    /// The interface-down demotion is applied (FreeBSD `sc_suppress`).
    suppressed: bool,
    init_counter: bool,
    counter: u64,
    rng: u64,
    advert_at: Option<Duration>,
    /// Master-down deadlines, IPv4 then IPv6.
    down_at: [Option<Duration>; 2],
    /// Periodic adverts left before the second gratuitous ARP.
    delayed_arp: Option<u8>,
    send_errors: u32,
    send_successes: u32,
}

impl VhidMachine {
    /// A machine in INIT; nothing happens before [`VhidMachine::start`].
    /// `demotion` is the node's current global demotion.
    pub fn new(mut p: VhidParams, demotion: i32) -> VhidMachine {
        if p.advbase == 0 {
            p.advbase = 1;
        }
        let rng = p.seed;
        VhidMachine {
            p,
            state: State::Init,
            demotion,
            started: false,
            stopped: false,
            link_up: true,
            suppressed: false,
            init_counter: true,
            counter: 0,
            rng,
            advert_at: None,
            down_at: [None, None],
            delayed_arp: None,
            send_errors: 0,
            send_successes: 0,
        }
    }

    pub fn params(&self) -> &VhidParams {
        &self.p
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// The advskew sent and compared: configured plus demotion, 0..=240.
    pub fn effective_advskew(&self) -> u8 {
        demoted_advskew(self.p.advskew, self.demotion)
    }

    /// The earliest armed timer.
    pub fn deadline(&self) -> Option<Duration> {
        let downs = self.down_at.iter().flatten();
        self.advert_at.iter().chain(downs).min().copied()
    }

    /// Starts the vhid with the parent's link state. Any VIP left from a
    /// previous run is removed first.
    pub fn start(&mut self, now: Duration, link_up: bool) -> Output {
        let mut out = Vec::new();
        if self.started || self.stopped {
            return self.finish(out);
        }
        self.started = true;
        self.link_up = link_up;
        out.push(Action::RemoveAddresses);
        if !link_up {
            self.suppress(&mut out, true);
        }
        self.setrun(now, &mut out);
        self.finish(out)
    }

    /// The parent interface's link (or administrative state) changed.
    pub fn link_changed(&mut self, now: Duration, up: bool) -> Output {
        let mut out = Vec::new();
        if self.stopped || up == self.link_up {
            return self.finish(out);
        }
        self.link_up = up;
        if !self.started {
            return self.finish(out);
        }
        // FreeBSD `carp_sc_state`: the state change first, then the
        // demotion adjustment.
        if up {
            self.setrun(now, &mut out);
            self.suppress(&mut out, false);
        } else {
            let was_master = self.state == State::Master;
            self.clear_timers();
            self.set_state(State::Init, "hardware interface down", &mut out);
            if was_master {
                out.push(Action::RemoveAddresses);
            }
            self.suppress(&mut out, true);
        }
        self.finish(out)
    }

    /// A valid advert (checksum, version and HMAC already checked) for
    /// this vhid arrived (CARP.md §7).
    pub fn advert_received(&mut self, now: Duration, ad: &Advert) -> Output {
        let mut out = Vec::new();
        if !self.started || self.stopped || Some(ad.from) == self.p.own_source {
            return self.finish(out);
        }
        // §5: adopt the peer's counter, in every state.
        self.init_counter = false;
        self.counter = ad.counter;

        let my = advert_interval(self.p.advbase, self.effective_advskew());
        let his = advert_interval(ad.advbase, ad.advskew);
        match self.state {
            State::Init => {}
            State::Master => self.master_heard(now, ad, my, his, &mut out),
            State::Backup => {
                let will_time_out = Duration::from_secs(3 * u64::from(self.p.advbase))
                    + skew(self.effective_advskew());
                if self.p.preempt && my < his {
                    self.become_master(now, "preempting a slower master", &mut out);
                } else if will_time_out < his {
                    self.become_master(now, "master will time out", &mut out);
                } else {
                    self.arm_master_down(now, Some(Family::of(ad.from)), &mut out);
                }
            }
        }
        self.finish(out)
    }

    /// Call at (or after) the deadline. Early calls change nothing.
    pub fn timer_fired(&mut self, now: Duration) -> Output {
        let mut out = Vec::new();
        if !self.started || self.stopped {
            return self.finish(out);
        }
        match self.state {
            State::Backup if self.down_at.iter().flatten().any(|&t| t <= now) => {
                self.become_master(now, "master timed out", &mut out);
            }
            State::Master if self.advert_at.is_some_and(|t| t <= now) => {
                self.send_adverts(None, &mut out);
                self.arm_advert(now, self.effective_advskew(), &mut out);
                if let Some(n) = self.delayed_arp {
                    if n <= 1 {
                        self.delayed_arp = None;
                        out.push(Action::Announce);
                    } else {
                        self.delayed_arp = Some(n - 1);
                    }
                }
            }
            _ => {}
        }
        self.finish(out)
    }

    /// The node's global demotion changed. A MASTER advertises at once
    /// with the new advskew (CARP.md §8).
    pub fn set_demotion(&mut self, now: Duration, demotion: i32) -> Output {
        let mut out = Vec::new();
        self.demotion = demotion;
        if self.started && !self.stopped && self.state == State::Master {
            self.send_adverts(None, &mut out);
            self.arm_advert(now, self.effective_advskew(), &mut out);
        }
        self.finish(out)
    }

    /// The administrator asks for BACKUP or MASTER (FreeBSD 10+
    /// `ifconfig … vhid N state backup|master`). Like FreeBSD, a vhid in
    /// INIT ignores it, and so does a request for INIT.
    pub fn force_state(&mut self, now: Duration, to: State) -> Output {
        let mut out = Vec::new();
        if !self.started || self.stopped || self.state == State::Init || to == self.state {
            return self.finish(out);
        }
        const REASON: &str = "user requested via ifconfig";
        match to {
            State::Master => self.become_master(now, REASON, &mut out),
            State::Backup => {
                self.delayed_arp = None;
                self.set_state(State::Backup, REASON, &mut out);
                out.push(Action::RemoveAddresses);
                self.arm_master_down(now, None, &mut out);
            }
            State::Init => {}
        }
        self.finish(out)
    }

    /// Result of sending an advert: `None` for success, `Some(errno)` for
    /// an error. Three errors in a row demote; three successes undo it.
    pub fn send_result(&mut self, error: Option<i32>) -> Output {
        let mut out = Vec::new();
        match error {
            Some(errno) => {
                self.send_errors = self.send_errors.saturating_add(1);
                if self.send_errors == SEND_MAX_ERRORS {
                    out.push(Action::Demote {
                        by: self.p.senderr_demotion_factor,
                        reason: format!("send error {errno} on {}", self.p.iface),
                    });
                }
                self.send_successes = 0;
            }
            None if self.send_errors > 0 => {
                self.send_successes += 1;
                if self.send_successes >= SEND_MIN_SUCCESS {
                    if self.send_errors >= SEND_MAX_ERRORS {
                        out.push(Action::Demote {
                            by: self.p.senderr_demotion_factor.saturating_neg(),
                            reason: format!("send ok on {}", self.p.iface),
                        });
                    }
                    self.send_errors = 0;
                }
            }
            None => {}
        }
        self.finish(out)
    }

    /// Stop for good (SIGTERM): a MASTER bows out with an advbase 255 /
    /// advskew 255 advert so backups take over at once (CARP.md §6), and
    /// the addresses go. The machine ignores every later input.
    pub fn shutdown(&mut self, _now: Duration) -> Output {
        let mut out = Vec::new();
        if self.stopped {
            return self.finish(out);
        }
        if self.started && self.state == State::Master {
            self.send_adverts(Some((BOW_OUT, BOW_OUT)), &mut out);
        }
        if self.started {
            self.set_state(State::Init, "shutting down", &mut out);
            out.push(Action::RemoveAddresses);
        }
        if self.suppressed {
            self.suppressed = false;
            out.push(Action::Demote {
                by: self.p.ifdown_demotion_factor.saturating_neg(),
                reason: "vhid removed".to_string(),
            });
        }
        self.clear_timers();
        self.stopped = true;
        self.finish(out)
    }

    // --- internals ---

    fn finish(&self, actions: Vec<Action>) -> Output {
        Output {
            actions,
            deadline: self.deadline(),
        }
    }

    /// FreeBSD `carp_setrun`: leave INIT when everything allows it.
    fn setrun(&mut self, now: Duration, out: &mut Vec<Action>) {
        let runnable = self.link_up && self.p.allow && (self.p.has_v4 || self.p.has_v6);
        if runnable && self.state == State::Init {
            self.set_state(State::Backup, "initialization complete", out);
            self.arm_master_down(now, None, out);
        }
    }

    fn suppress(&mut self, out: &mut Vec<Action>, on: bool) {
        if on == self.suppressed {
            return;
        }
        self.suppressed = on;
        let (by, reason) = if on {
            (self.p.ifdown_demotion_factor, "interface down")
        } else {
            (
                self.p.ifdown_demotion_factor.saturating_neg(),
                "interface up",
            )
        };
        out.push(Action::Demote {
            by,
            reason: reason.to_string(),
        });
    }

    fn set_state(&mut self, to: State, reason: &str, out: &mut Vec<Action>) {
        if self.state == to {
            return;
        }
        if self.p.log > 0 {
            out.push(Action::Log(format!(
                "carp: {}@{}: {} -> {} ({reason})",
                self.p.vhid, self.p.iface, self.state, to
            )));
        }
        self.state = to;
    }

    fn master_heard(
        &mut self,
        now: Duration,
        ad: &Advert,
        my: Duration,
        his: Duration,
        out: &mut Vec<Action>,
    ) {
        let step_down = match self.p.tie_break {
            TieBreak::FreeBsd => (my >= his).then_some("more frequent advertisement received"),
            TieBreak::Ucarp if my > his => Some("more frequent advertisement received"),
            TieBreak::Ucarp if my == his && self.sender_is_lower(ad.from) => {
                Some("preferred master advertised")
            }
            TieBreak::Ucarp => {
                // A slower master is about; claim the addresses again.
                out.push(Action::Announce);
                None
            }
        };
        if let Some(reason) = step_down {
            self.advert_at = None;
            self.delayed_arp = None;
            self.set_state(State::Backup, reason, out);
            out.push(Action::RemoveAddresses);
            self.arm_master_down(now, None, out);
        }
    }

    /// ucarp compares `s_addr` values as host integers; on the
    /// little-endian hosts it runs on, that is the address bytes read
    /// little-endian. Without two IPv4 addresses it falls back to FreeBSD.
    fn sender_is_lower(&self, from: IpAddr) -> bool {
        match (from, self.p.own_source) {
            (IpAddr::V4(his), Some(IpAddr::V4(mine))) => {
                u32::from_le_bytes(his.octets()) < u32::from_le_bytes(mine.octets())
            }
            _ => true,
        }
    }

    /// FreeBSD `carp_master_down_locked`: advert, ARP/NA, advert timer.
    fn become_master(&mut self, now: Duration, reason: &str, out: &mut Vec<Action>) {
        self.down_at = [None, None];
        self.set_state(State::Master, reason, out);
        self.send_adverts(None, out);
        out.push(Action::AddAddresses);
        // The first interval uses the configured advskew, later ones the
        // demoted one (carp_setrun vs carp_send_ad_locked).
        self.arm_advert(now, self.p.advskew, out);
        self.delayed_arp = Some(2);
    }

    /// One advert per family the vhid has, IPv4 first, each with the next
    /// counter. `values` overrides (advbase, advskew) for the bow-out.
    fn send_adverts(&mut self, values: Option<(u8, u8)>, out: &mut Vec<Action>) {
        let (advbase, advskew) = values.unwrap_or((self.p.advbase, self.effective_advskew()));
        for (has, family) in [(self.p.has_v4, Family::V4), (self.p.has_v6, Family::V6)] {
            if has {
                let counter = self.next_counter();
                out.push(Action::SendAdvert {
                    family,
                    advbase,
                    advskew,
                    counter,
                });
            }
        }
    }

    fn arm_advert(&mut self, now: Duration, advskew: u8, out: &mut Vec<Action>) {
        let at = now.saturating_add(advert_interval(self.p.advbase, advskew));
        self.advert_at = Some(at);
        out.push(Action::ArmTimer {
            timer: Timer::Advert,
            at,
        });
    }

    /// Re-arms the master-down timer of `family`, or of every family the
    /// vhid has. Uses the configured advskew, as FreeBSD does.
    fn arm_master_down(&mut self, now: Duration, family: Option<Family>, out: &mut Vec<Action>) {
        self.advert_at = None;
        let at = now.saturating_add(master_down_interval(self.p.advbase, self.p.advskew));
        for (has, f) in [(self.p.has_v4, Family::V4), (self.p.has_v6, Family::V6)] {
            if has && family.is_none_or(|x| x == f) {
                self.down_at[f.index()] = Some(at);
                out.push(Action::ArmTimer {
                    timer: Timer::MasterDown(f),
                    at,
                });
            }
        }
    }

    fn clear_timers(&mut self) {
        self.advert_at = None;
        self.down_at = [None, None];
        self.delayed_arp = None;
    }

    /// §5: random until a peer's counter is adopted, then +1 per packet.
    fn next_counter(&mut self) -> u64 {
        if self.init_counter {
            self.counter = splitmix64(&mut self.rng);
        } else {
            self.counter = self.counter.wrapping_add(1);
        }
        self.counter
    }
}

/// A small, well-mixed generator; counters need no cryptographic quality
/// (no implementation checks them, CARP.md §5).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
