//! Runtime state of backends and servers: what the balancer, health checks
//! and stats read and change. Built from the model; lives outside it so it
//! can survive reloads (keyed by backend and server names).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::balance::{Balancer, SrvState};
use crate::config::model::{Mode, Proxy};
use crate::config::value::addr::{Host, ServerAddr, ServerPort};
use crate::http::resolve::ErrorSet;

/// Where a server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Fixed(SocketAddr),
    /// No port or `+N`/`-N`: the port the client connected to, plus offset.
    DstPort {
        ip: std::net::IpAddr,
        offset: i32,
    },
}

impl Target {
    pub fn resolve(&self, dst_port: u16) -> SocketAddr {
        match *self {
            Target::Fixed(a) => a,
            Target::DstPort { ip, offset } => {
                let p = (i32::from(dst_port) + offset).clamp(0, 65535) as u16;
                SocketAddr::new(ip, p)
            }
        }
    }
}

/// One server's live state.
#[derive(Debug)]
pub struct ServerState {
    /// Position in the backend (the balancer's index).
    pub idx: usize,
    pub name: String,
    pub id: u32,
    pub target: Option<Target>,
    pub backup: bool,
    pub weight: AtomicU32,
    /// Operational state (health checks).
    pub up: AtomicBool,
    /// Administrative maintenance (`disabled`, unresolved name, CLI).
    pub maint: AtomicBool,
    /// Administrative drain (stats socket `state drain`).
    pub drain: AtomicBool,
    pub cur_conns: AtomicU32,
    pub total_conns: AtomicU64,
    pub maxconn: u32,
    /// Idle upstream HTTP connections, reused per `http-reuse`.
    pub idle: Mutex<Vec<hyper::client::conn::http1::SendRequest<crate::proxy::body::ProxyBody>>>,
}

impl ServerState {
    pub fn usable(&self) -> bool {
        self.target.is_some()
            && self.up.load(Ordering::Relaxed)
            && !self.maint.load(Ordering::Relaxed)
    }
}

/// One backend's servers and its rotation state.
#[derive(Debug)]
pub struct BackendState {
    pub name: String,
    pub id: u32,
    pub mode: Mode,
    pub servers: Vec<Arc<ServerState>>,
    pub proxy: Arc<Proxy>,
    /// Woken when a server slot frees up (requests waiting in the queue).
    pub freed: tokio::sync::Notify,
    /// Requests waiting for a slot (`qcur`).
    pub queued: AtomicU32,
    /// The `balance` algorithm over a snapshot of the servers' state.
    pub lb: Mutex<Balancer>,
    /// The backend's own error messages (`errorfile`, `errorloc`, ...).
    pub errors: ErrorSet,
    /// The backend's compiled rules (`http-request`, `http-response`...).
    pub rules: crate::runtime::rules::ProxyRules,
    /// What the balancing algorithm hashes on (fixed by the config).
    pub wants_uri: bool,
    pub wants_header: Option<String>,
}

/// A connection slot on a server, held until the exchange is over (the
/// response body included); dropping it wakes one queued request.
#[derive(Debug)]
pub struct Slot {
    pub server: Arc<ServerState>,
    backend: Arc<BackendState>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let left = self
            .server
            .cur_conns
            .fetch_sub(1, Ordering::AcqRel)
            .saturating_sub(1);
        if let Ok(mut lb) = self.backend.lb.lock() {
            lb.set_load(self.server.idx, left, 0);
        }
        self.backend.freed.notify_one();
    }
}

impl ServerState {
    /// Take a slot if the server is under its `maxconn` (0 = unlimited).
    pub fn try_slot(self: &Arc<Self>, backend: &Arc<BackendState>) -> Option<Slot> {
        let taken = self
            .cur_conns
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| {
                (self.maxconn == 0 || c < self.maxconn).then_some(c + 1)
            })
            .is_ok();
        taken.then(|| {
            self.total_conns.fetch_add(1, Ordering::Relaxed);
            Slot {
                server: self.clone(),
                backend: backend.clone(),
            }
        })
    }
}

fn target_of(addr: &ServerAddr, resolved: Option<std::net::IpAddr>) -> Option<Target> {
    match addr {
        ServerAddr::Inet { host, port, .. } => {
            let ip = match host {
                Host::Ip(ip) => *ip,
                Host::Name(_) => resolved?,
                Host::Any => return None,
            };
            Some(match port {
                ServerPort::Fixed(p) => Target::Fixed(SocketAddr::new(ip, *p)),
                ServerPort::Same => Target::DstPort { ip, offset: 0 },
                ServerPort::Offset(o) => Target::DstPort { ip, offset: *o },
            })
        }
        _ => None,
    }
}

impl BackendState {
    pub fn from_proxy(
        p: &Arc<Proxy>,
        errors: ErrorSet,
        rules: crate::runtime::rules::ProxyRules,
    ) -> Result<BackendState, String> {
        let servers = p
            .servers
            .iter()
            .enumerate()
            .map(|(idx, s)| {
                Arc::new(ServerState {
                    idx,
                    name: s.name.clone(),
                    id: s.id,
                    target: target_of(&s.addr, s.resolved),
                    backup: s.config.backup,
                    weight: AtomicU32::new(s.config.weight),
                    up: AtomicBool::new(true),
                    maint: AtomicBool::new(s.config.disabled || s.unresolved_maint),
                    drain: AtomicBool::new(false),
                    cur_conns: AtomicU32::new(0),
                    total_conns: AtomicU64::new(0),
                    maxconn: s.config.maxconn,
                    idle: Mutex::new(Vec::new()),
                })
            })
            .collect::<Vec<Arc<ServerState>>>();
        let mut lb = Balancer::from_proxy(p)?;
        for s in &servers {
            if !s.usable() {
                lb.set_state(s.idx, SrvState::Maint);
            }
        }
        let (wants_uri, wants_header) = match lb.wants() {
            crate::balance::Wants::Uri | crate::balance::Wants::UriAndBody => (true, None),
            crate::balance::Wants::Header(h) => (false, Some(h.to_string())),
            _ => (false, None),
        };
        Ok(BackendState {
            wants_uri,
            wants_header,
            name: p.name.clone(),
            id: p.id,
            mode: p.mode(),
            servers,
            proxy: p.clone(),
            freed: tokio::sync::Notify::new(),
            queued: AtomicU32::new(0),
            lb: Mutex::new(lb),
            errors,
            rules,
        })
    }

    pub fn usable_count(&self) -> u32 {
        self.servers.iter().filter(|s| s.usable()).count() as u32
    }
}
