//! Server selection for one backend: the pure core of the data plane.
//!
//! No I/O, no clock, no threads: the data plane owns one [`Balancer`] per
//! backend (behind a lock), feeds it server snapshots as health, admin
//! state, weights and connection counts change, and asks it to [`pick`]
//! a server for each request. Every algorithm reproduces HAProxy 2.6's
//! choices for the same inputs (HAProxy manual §4.2 "balance",
//! "hash-type"), which `tests/balance_haproxy.rs` checks against the real
//! program.
//!
//! [`pick`]: Balancer::pick

mod chash;
mod config;
pub mod cookie;
mod fwrr;
pub mod hash;
pub mod keys;
mod least;
mod map;
mod snapshot;

use std::net::IpAddr;

pub use config::{Algorithm, HashMethod, HashType, LbConfig, UriOpts};
pub use hash::HashFn;
pub use snapshot::{Counts, ServerSnap, SrvState};

use crate::config::model::Proxy;

/// What the request offers as hash keys. The data plane fills what the
/// configured algorithm asks for (see [`Balancer::wants`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// Client address (`balance source`).
    pub src: Option<IpAddr>,
    /// Request target as received (`uri`, `url_param`).
    pub uri: Option<&'a [u8]>,
    /// The method is POST (`url_param` then also looks in the body).
    pub is_post: bool,
    /// Body bytes already received (`url_param`, POST only).
    pub body: Option<&'a [u8]>,
    /// First value of the header named by `hdr(<name>)` (first occurrence,
    /// up to the first comma, surrounding blanks trimmed, as HAProxy's
    /// header lookup gives it).
    pub header: Option<&'a [u8]>,
    /// Value of the RDP cookie named by `rdp-cookie(<name>)`.
    pub rdp_cookie: Option<&'a [u8]>,
    /// Result of `balance hash <expr>`, as bytes.
    pub sample: Option<&'a [u8]>,
}

/// Outcome of a pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Send to the server at this index (config order).
    Server(usize),
    /// Servers exist but all are saturated: queue in the backend.
    Full,
    /// No usable server (HTTP 503).
    NoServer,
}

/// What the request must carry for the algorithm to hash on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants<'a> {
    Nothing,
    Source,
    Uri,
    /// The URI, and whatever body bytes of a POST request have arrived
    /// (see [`Balancer::waits_for_body`]).
    UriAndBody,
    Header(&'a str),
    RdpCookie(&'a str),
    Sample(&'a str),
}

#[derive(Debug, Clone)]
enum Engine {
    RoundRobin(fwrr::Fwrr),
    Map(map::MapLb),
    Ring(chash::Chash),
    Least(least::LeastConn),
    First,
}

/// A random source for `balance random` (32 bits per call).
pub type Rng = Box<dyn FnMut() -> u32 + Send>;

/// Selection state of one backend.
pub struct Balancer {
    cfg: LbConfig,
    servers: Vec<ServerSnap>,
    engine: Engine,
    counts: Counts,
    rng: Rng,
}

impl std::fmt::Debug for Balancer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Balancer")
            .field("cfg", &self.cfg)
            .field("servers", &self.servers)
            .field("engine", &self.engine)
            .finish()
    }
}

/// A small xorshift generator: the default source for `balance random`
/// (statistical quality only; tests inject their own).
fn xorshift(seed: u32) -> Rng {
    let mut x = seed.max(1);
    Box::new(move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x
    })
}

impl Balancer {
    /// A balancer over `servers` (config order), all fresh.
    pub fn new(cfg: LbConfig, servers: Vec<ServerSnap>) -> Balancer {
        let engine = Self::engine_for(&cfg, &servers);
        let mut b = Balancer {
            cfg,
            servers,
            engine,
            counts: Counts::default(),
            rng: xorshift(0x9e37_79b9),
        };
        b.recount();
        b
    }

    /// The balancer of a backend of the model, servers as configured.
    pub fn from_proxy(p: &Proxy) -> Result<Balancer, String> {
        let cfg = LbConfig::from_proxy(p)?;
        let servers = p.servers.iter().map(ServerSnap::from_config).collect();
        Ok(Balancer::new(cfg, servers))
    }

    /// Replace the random source of `balance random`.
    pub fn with_rng(mut self, rng: Rng) -> Balancer {
        self.rng = rng;
        self
    }

    fn engine_for(cfg: &LbConfig, servers: &[ServerSnap]) -> Engine {
        let ab = cfg.allbackups;
        match cfg.algo {
            Algorithm::RoundRobin => Engine::RoundRobin(fwrr::Fwrr::new(servers)),
            Algorithm::StaticRr => Engine::Map(map::MapLb::new(servers, ab)),
            Algorithm::LeastConn => Engine::Least(least::LeastConn::new(servers)),
            Algorithm::First => Engine::First,
            Algorithm::Random { .. } => Engine::Ring(chash::Chash::new(servers, ab)),
            _ => match cfg.hash_type.method {
                HashMethod::MapBased => Engine::Map(map::MapLb::new(servers, ab)),
                HashMethod::Consistent => Engine::Ring(chash::Chash::new(servers, ab)),
            },
        }
    }

    fn recount(&mut self) {
        let ab = self.cfg.allbackups;
        self.counts = match &mut self.engine {
            Engine::Map(m) => m.counts(),
            Engine::Ring(c) => {
                c.recount(&self.servers, ab);
                c.counts()
            }
            _ => {
                let s = &self.servers;
                Counts::of(s, ab, |i| fwrr::eweight(&s[i]))
            }
        };
    }

    pub fn config(&self) -> &LbConfig {
        &self.cfg
    }

    pub fn servers(&self) -> &[ServerSnap] {
        &self.servers
    }

    /// Usable-server counts and weights now in force.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// What the request must carry for this backend's algorithm.
    pub fn wants(&self) -> Wants<'_> {
        match &self.cfg.algo {
            Algorithm::Source => Wants::Source,
            Algorithm::Uri(_) => Wants::Uri,
            Algorithm::UrlParam { .. } => Wants::UriAndBody,
            Algorithm::Hdr { name, .. } => Wants::Header(name),
            Algorithm::RdpCookie { name } => Wants::RdpCookie(name),
            Algorithm::Hash { expr } => Wants::Sample(expr),
            _ => Wants::Nothing,
        }
    }

    /// `url_param ... check_post`: wait for a POST body before picking.
    /// Without it the parameter is still looked up in whatever body bytes
    /// came with the request (HAProxy 2.6 does so for every POST).
    pub fn waits_for_body(&self) -> bool {
        matches!(
            self.cfg.algo,
            Algorithm::UrlParam {
                check_post: true,
                ..
            }
        )
    }

    /// Take a new snapshot of the servers (same servers, same order).
    /// Changes are applied server by server, in order, as HAProxy applies
    /// state-change events. Ids, names, backup flags and cookies are fixed
    /// at start: those of `new` are ignored.
    pub fn update(&mut self, new: &[ServerSnap]) -> Result<(), String> {
        if new.len() != self.servers.len() {
            return Err(format!(
                "server list changed size ({} → {}): build a new balancer",
                self.servers.len(),
                new.len()
            ));
        }
        for (i, n) in new.iter().enumerate() {
            if let Some(s) = self.servers.get_mut(i) {
                s.maxconn = n.maxconn;
            }
            self.set_throttle(i, n.throttle);
            self.set(i, n.weight.min(256), n.state, n.conns, n.queued);
        }
        Ok(())
    }

    /// Slow start: the share of server `i`'s weight in force, in
    /// sixteenths (clamped to 1..=16). Ignored by static algorithms.
    pub fn set_throttle(&mut self, i: usize, sixteenths: u32) {
        let t = sixteenths.clamp(1, 16);
        let Some(old) = self.servers.get(i).cloned() else {
            return;
        };
        if old.throttle == t {
            return;
        }
        self.servers[i].throttle = t;
        self.apply(i, &old, true);
    }

    /// Change one server's weight (0..=256). Static algorithms (static-rr,
    /// map-based hashing) honour only 0 and the configured weight, as
    /// HAProxy refuses other values for them: any other non-zero weight
    /// counts as the configured one.
    pub fn set_weight(&mut self, i: usize, weight: u32) {
        if let Some(s) = self.servers.get(i).cloned() {
            self.set(i, weight.min(256), s.state, s.conns, s.queued);
        }
    }

    /// Change one server's state.
    pub fn set_state(&mut self, i: usize, state: SrvState) {
        if let Some(s) = self.servers.get(i).cloned() {
            self.set(i, s.weight, state, s.conns, s.queued);
        }
    }

    /// Change one server's load (served connections and queue).
    pub fn set_load(&mut self, i: usize, conns: u32, queued: u32) {
        if let Some(s) = self.servers.get(i).cloned() {
            self.set(i, s.weight, s.state, conns, queued);
        }
    }

    fn set(&mut self, i: usize, weight: u32, state: SrvState, conns: u32, queued: u32) {
        let Some(old) = self.servers.get(i).cloned() else {
            return;
        };
        let lb_changed = old.weight != weight || old.state != state;
        {
            let s = &mut self.servers[i];
            s.weight = weight;
            s.state = state;
            s.conns = conns;
            s.queued = queued;
        }
        self.apply(i, &old, lb_changed);
    }

    /// Let the engine see server `i`'s change from `old`.
    fn apply(&mut self, i: usize, old: &ServerSnap, lb_changed: bool) {
        let ab = self.cfg.allbackups;
        match &mut self.engine {
            Engine::RoundRobin(f) if lb_changed => f.change(old, &self.servers, i),
            Engine::Map(m) if lb_changed => m.recalc(&self.servers, ab),
            Engine::Ring(c) if lb_changed => c.requeue(&self.servers, i),
            Engine::Least(l) => l.reposition(&self.servers, i),
            _ => {}
        }
        if lb_changed {
            self.recount();
        }
    }

    /// Choose a server for a request. `avoid` is the server a retry
    /// should not go back to (redispatch); it is still returned when it
    /// is the only candidate.
    pub fn pick(&mut self, req: &Request<'_>, avoid: Option<usize>) -> Choice {
        if self.counts.tot_weight == 0 {
            return Choice::NoServer;
        }
        let found = match &self.cfg.algo {
            Algorithm::RoundRobin | Algorithm::StaticRr => self.next_rr(avoid),
            Algorithm::LeastConn => match &self.engine {
                Engine::Least(l) => l.next(&self.servers, &self.counts, avoid),
                _ => None,
            },
            Algorithm::First => least::first(&self.servers, &self.counts, avoid),
            Algorithm::Random { draws } => {
                let draws = *draws;
                return self.random(draws, avoid);
            }
            _ => match self.hash_of(req) {
                Some(h) => self.by_hash(h, avoid),
                None => self.next_rr(avoid),
            },
        };
        match found {
            Some(i) => Choice::Server(i),
            None => Choice::Full,
        }
    }

    /// Plain round robin of the engine (also the fallback of hash
    /// algorithms when the key is missing).
    pub fn next_rr(&mut self, avoid: Option<usize>) -> Option<usize> {
        let c = self.counts;
        match &mut self.engine {
            Engine::RoundRobin(f) => {
                if c.act > 0 {
                    f.next_server(&self.servers, false, avoid)
                } else if c.fbck.is_some() {
                    c.fbck
                } else if c.bck > 0 {
                    f.next_server(&self.servers, true, avoid)
                } else {
                    None
                }
            }
            Engine::Map(m) => m.next_rr(&self.servers, avoid),
            Engine::Ring(r) => r.next_rr(&self.servers, avoid),
            _ => None,
        }
    }

    fn by_hash(&self, h: u32, avoid: Option<usize>) -> Option<usize> {
        match &self.engine {
            Engine::Map(m) => m.by_hash(h),
            Engine::Ring(r) => r.by_hash(&self.servers, h, avoid, self.cfg.balance_factor),
            _ => None,
        }
    }

    /// Apply the hash function and modifier of `hash-type`.
    fn gen_hash(&self, key: &[u8]) -> u32 {
        let h = self.cfg.hash_type.func.hash(key);
        if self.cfg.hash_type.avalanche {
            hash::avalanche(h)
        } else {
            h
        }
    }

    /// The hash of the request's key, or None when the key is missing.
    /// With a single server in use HAProxy skips hashing (hash 0).
    fn hash_of(&self, req: &Request<'_>) -> Option<u32> {
        let single = self.counts.tot_used == 1;
        match &self.cfg.algo {
            Algorithm::Source => {
                let ip = req.src?;
                if single {
                    return Some(0);
                }
                let h = keys::source_key(ip);
                Some(if self.cfg.hash_type.avalanche {
                    hash::avalanche(h)
                } else {
                    h
                })
            }
            Algorithm::Uri(o) => {
                if single {
                    return Some(0);
                }
                Some(self.gen_hash(keys::uri_key(req.uri?, o)))
            }
            Algorithm::UrlParam { name, .. } => {
                let from_uri = req.uri.and_then(|u| keys::url_param_key(u, name));
                let key = match from_uri {
                    Some(k) => k,
                    None if req.is_post => keys::post_param_key(req.body?, name)?,
                    None => return None,
                };
                Some(self.gen_hash(key))
            }
            Algorithm::Hdr {
                use_domain_only, ..
            } => {
                if single {
                    return Some(0);
                }
                let v = req.header.filter(|v| !v.is_empty())?;
                let key = if *use_domain_only {
                    keys::domain_key(v)
                } else {
                    v
                };
                Some(self.gen_hash(key))
            }
            Algorithm::RdpCookie { .. } => {
                let v = req.rdp_cookie.filter(|v| !v.is_empty())?;
                Some(if single { 0 } else { self.gen_hash(v) })
            }
            Algorithm::Hash { .. } => {
                if single {
                    return Some(0);
                }
                Some(self.gen_hash(req.sample?))
            }
            _ => None,
        }
    }

    /// `balance random(<draws>)`: the least loaded (relative to weight)
    /// of `draws` random ring positions; a saturated winner means queue.
    fn random(&mut self, draws: u32, avoid: Option<usize>) -> Choice {
        let Engine::Ring(ring) = &self.engine else {
            return Choice::NoServer;
        };
        let mut best: Option<usize> = None;
        for _ in 0..draws.max(1) {
            let h = (self.rng)();
            let Some(cur) = ring.by_hash(&self.servers, h, avoid, self.cfg.balance_factor) else {
                break;
            };
            best = match best {
                Some(prev) if prev != cur => {
                    let (c, p) = (&self.servers[cur], &self.servers[prev]);
                    let c_load = u64::from(c.conns) * u64::from(p.weight);
                    let p_load = u64::from(p.conns) * u64::from(c.weight);
                    if c_load > p_load {
                        Some(prev)
                    } else {
                        Some(cur)
                    }
                }
                _ => Some(cur),
            };
        }
        match best {
            Some(i) if self.servers[i].has_room() => Choice::Server(i),
            Some(_) => Choice::Full,
            None => Choice::NoServer,
        }
    }
}
