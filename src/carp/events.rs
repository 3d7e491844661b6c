//! What goes in and out of a vhid's state machine: its parameters, the
//! adverts it is given, and the actions it asks the driver to carry out.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use super::packet::CarpHeader;
use crate::rcconf::{CarpSysctl, VhidConfig};

/// FreeBSD's `CARP_STATES`, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Init,
    Backup,
    Master,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Init => "INIT",
            State::Backup => "BACKUP",
            State::Master => "MASTER",
        })
    }
}

/// Address family of an advert (FreeBSD sends one per family per interval
/// and keeps one master-down timer per family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(addr: IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Family::V4 => 0,
            Family::V6 => 1,
        }
    }
}

/// What a MASTER does with an advert as fast as its own (CARP.md §7, §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TieBreak {
    /// FreeBSD: equal timing steps down; both masters fall back and the
    /// first master-down timer to fire wins.
    #[default]
    FreeBsd,
    /// ucarp: equal timing steps down only if the sender's IPv4 source is
    /// "lower", comparing the network-order bytes read as a little-endian
    /// integer (what ucarp computes on x86 and ARM hosts); a slower master
    /// is answered with another gratuitous ARP.
    Ucarp,
}

/// Which timer a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// MASTER: the next periodic advert.
    Advert,
    /// BACKUP: the master-down timer of one family.
    MasterDown(Family),
}

/// What the driver must do, in list order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send one advert of this family with these header values (the
    /// driver builds it with `VhidAuth::advertisement`; demote byte 0).
    SendAdvert {
        family: Family,
        advbase: u8,
        advskew: u8,
        counter: u64,
    },
    /// Install the vhid's addresses, then send a gratuitous ARP for each
    /// IPv4 one and an unsolicited NA (override flag) for each IPv6 one.
    AddAddresses,
    /// Gratuitous ARP / unsolicited NA again, addresses already present
    /// (the delayed second one, and ucarp's reassertion).
    Announce,
    /// Remove the vhid's addresses (idempotent: also sent at start to clear
    /// a VIP left behind by a crash).
    RemoveAddresses,
    /// A timer was (re)armed for `at`. Informational: `Output::deadline`
    /// is the one deadline to wait for.
    ArmTimer { timer: Timer, at: Duration },
    /// Add `by` to the node's global demotion (see `timing::Demotion`)
    /// and pass the new value to every vhid.
    Demote { by: i32, reason: String },
    /// A line for the log, in FreeBSD's wording.
    Log(String),
}

/// The actions of one input and the deadline to call `timer_fired` at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    pub actions: Vec<Action>,
    pub deadline: Option<Duration>,
}

/// A validated advert as the state machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advert {
    pub advbase: u8,
    pub advskew: u8,
    /// OpenBSD's demote byte; FreeBSD ignores it and so does this machine.
    pub demote: u8,
    pub counter: u64,
    /// IP source of the packet; its family selects the master-down timer.
    pub from: IpAddr,
}

impl Advert {
    pub fn from_header(h: &CarpHeader, from: IpAddr) -> Advert {
        Advert {
            advbase: h.advbase,
            advskew: h.advskew,
            demote: h.demote,
            counter: h.counter,
            from,
        }
    }
}

/// Everything that configures one vhid's machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VhidParams {
    pub vhid: u8,
    /// Interface name used in log lines (`1@em0`).
    pub iface: String,
    /// Seconds, 1..=255 (0 is read as FreeBSD's default 1).
    pub advbase: u8,
    pub advskew: u8,
    /// `net.inet.carp.preempt`.
    pub preempt: bool,
    /// `net.inet.carp.allow`: without it the vhid stays INIT.
    pub allow: bool,
    /// `net.inet.carp.log`: 0 silences the state-change lines.
    pub log: u32,
    pub ifdown_demotion_factor: i32,
    pub senderr_demotion_factor: i32,
    /// Whether the vhid has IPv4 / IPv6 addresses (it advertises and times
    /// out per family; with neither it stays INIT).
    pub has_v4: bool,
    pub has_v6: bool,
    pub tie_break: TieBreak,
    /// Our own advert source; adverts from it are loops and ignored.
    pub own_source: Option<IpAddr>,
    /// Seed of the counter generator (CARP.md §5: random counters until a
    /// peer is heard). The driver passes a random value.
    pub seed: u64,
}

impl VhidParams {
    pub fn from_config(v: &VhidConfig, s: &CarpSysctl, seed: u64) -> VhidParams {
        VhidParams {
            vhid: v.vhid,
            iface: v.iface().to_string(),
            advbase: v.advbase,
            advskew: v.advskew,
            preempt: s.preempt,
            allow: s.allow,
            log: s.log,
            ifdown_demotion_factor: s.ifdown_demotion_factor,
            senderr_demotion_factor: s.senderr_demotion_factor,
            has_v4: v.addrs.iter().any(|a| a.addr.is_ipv4()),
            has_v6: v.addrs.iter().any(|a| a.addr.is_ipv6()),
            tie_break: TieBreak::FreeBsd,
            own_source: None,
            seed,
        }
    }
}
