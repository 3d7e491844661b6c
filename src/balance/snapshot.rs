//! What the balancer knows about each server: a plain snapshot the data
//! plane fills from health checks, admin commands and connection counts.

use crate::config::model::Server;

/// Operational state of a server, as far as balancing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SrvState {
    /// Running: takes new and persistent traffic.
    #[default]
    Up,
    /// Running but draining (admin DRAIN or weight 0 on purpose): no new
    /// load-balanced traffic, persistent traffic still accepted.
    Drain,
    /// Failed health checks.
    Down,
    /// Administrative maintenance (`disabled`, `set server ... state maint`).
    Maint,
}

/// One server of a backend, in config order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSnap {
    /// Server id (`id` keyword or position): orders `balance first` and
    /// places consistent-hash ring points.
    pub id: u32,
    pub name: String,
    /// Current user weight, 0..=256 (0 = takes no load-balanced traffic).
    pub weight: u32,
    pub state: SrvState,
    pub backup: bool,
    /// Connections currently served.
    pub conns: u32,
    /// Requests queued on this server.
    pub queued: u32,
    /// Effective maxconn (0 = unlimited).
    pub maxconn: u32,
    /// `cookie` value of the server line, for persistence.
    pub cookie: Option<String>,
    /// Slow start (`slowstart`): the share of the weight in force, in
    /// sixteenths (1..=16; 16 = full). Dynamic algorithms only, as in
    /// HAProxy; the data plane steps it up as the ramp-up time passes.
    pub throttle: u32,
}

impl ServerSnap {
    /// A running server with the given id, name and weight.
    pub fn new(id: u32, name: &str, weight: u32) -> ServerSnap {
        ServerSnap {
            id,
            name: name.to_string(),
            weight: weight.min(256),
            state: SrvState::Up,
            backup: false,
            conns: 0,
            queued: 0,
            maxconn: 0,
            cookie: None,
            throttle: 16,
        }
    }

    /// The starting snapshot of a configured server: `disabled` starts in
    /// maintenance; otherwise up (health checks change that later).
    pub fn from_config(s: &Server) -> ServerSnap {
        let c = &s.config;
        ServerSnap {
            id: s.id,
            name: s.name.clone(),
            weight: c.weight.min(256),
            state: if c.disabled || s.unresolved_maint {
                SrvState::Maint
            } else {
                SrvState::Up
            },
            backup: c.backup,
            conns: 0,
            queued: 0,
            maxconn: c.maxconn,
            cookie: c.cookie.clone(),
            throttle: 16,
        }
    }

    /// May receive new load-balanced traffic.
    pub fn usable(&self) -> bool {
        self.state == SrvState::Up && self.weight > 0
    }

    /// Effective weight of dynamic algorithms: weight × throttle (HAProxy
    /// scales user weights by 16 internally).
    pub fn eweight(&self) -> i64 {
        i64::from(self.weight) * i64::from(self.throttle.clamp(1, 16))
    }

    /// Not saturated: no maxconn, or nothing queued and a free slot.
    pub fn has_room(&self) -> bool {
        self.maxconn == 0 || (self.queued == 0 && self.conns < self.maxconn)
    }

    /// Connections in flight, counting the queue (leastconn's measure).
    pub fn inflight(&self) -> u32 {
        self.conns.saturating_add(self.queued)
    }
}

/// Backend-wide counts over usable servers (HAProxy's recount).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub act: usize,
    pub bck: usize,
    pub tot_wact: i64,
    pub tot_wbck: i64,
    /// The first usable backup, when backups are used one at a time.
    pub fbck: Option<usize>,
    /// Total weight of the servers in use now.
    pub tot_weight: i64,
    /// Number of servers in use now.
    pub tot_used: usize,
}

impl Counts {
    /// Count usable servers, weighing each with `ew`.
    pub fn of(servers: &[ServerSnap], allbackups: bool, ew: impl Fn(usize) -> i64) -> Counts {
        let mut c = Counts::default();
        for (i, s) in servers.iter().enumerate() {
            if !s.usable() {
                continue;
            }
            if s.backup {
                if c.bck == 0 && !allbackups {
                    c.fbck = Some(i);
                }
                c.bck += 1;
                c.tot_wbck += ew(i);
            } else {
                c.act += 1;
                c.tot_wact += ew(i);
            }
        }
        if c.act > 0 {
            c.tot_weight = c.tot_wact;
            c.tot_used = c.act;
        } else if let Some(f) = c.fbck {
            c.tot_weight = ew(f);
            c.tot_used = 1;
        } else {
            c.tot_weight = c.tot_wbck;
            c.tot_used = c.bck;
        }
        c
    }
}
