//! Running the checks: one task per checked server, started spread over
//! the smallest interval as HAProxy does, each applying its results to the
//! data plane (`ServerState::up` and the balancer's server state) and
//! announcing state changes.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::balance::SrvState;
use crate::config::model::{Global, Proxy, Server};
use crate::config::value::addr::Host;
use crate::log::{Farm, ServerRef};
use crate::runtime::table::{BackendState, ServerState, Target};
use crate::runtime::Shared;

use super::health::{first_delay, spread_base, spread_interval, Health, Machine, Params};
use super::notify::{check_line, no_server, transition, EventLog, Subject};
use super::plan::{plan, Kind};
use super::probe::{probe, CheckTimeouts};
use super::slowstart::Ramp;
use super::status::{CheckResult, CheckStatus};
use super::track::{farm_of, Trackers};
use super::view::{CheckView, CheckViews};

/// Everything one server's check task needs.
struct Job {
    backend: Arc<BackendState>,
    server: Arc<ServerState>,
    kind: Arc<Kind>,
    log: Arc<EventLog>,
    addr: SocketAddr,
    params: Params,
    timeouts: CheckTimeouts,
    first: Duration,
    spread_pct: u32,
    log_health_checks: bool,
    listen: bool,
    trackers: Arc<Trackers>,
    slowstart_ms: u32,
    /// Bumped on every state change (stops a slow start in progress).
    generation: Arc<std::sync::atomic::AtomicU64>,
    view: Arc<std::sync::Mutex<CheckView>>,
}

/// Where a server is checked: `addr`/`port` of the server line over its
/// own address. `None` when there is no port to check (HAProxy refuses
/// such a configuration).
pub fn check_addr(s: &Server, target: Option<Target>) -> Option<SocketAddr> {
    let ip: IpAddr = match &s.config.check_addr {
        Some(Host::Ip(ip)) => *ip,
        _ => match target? {
            Target::Fixed(a) => a.ip(),
            Target::DstPort { ip, .. } => ip,
        },
    };
    let port = match (s.config.check_port, target?) {
        (Some(p), _) => p,
        (None, Target::Fixed(a)) => a.port(),
        (None, Target::DstPort { .. }) => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Checks harp cannot speak (TLS, PROXY protocol): the probe would send
/// plain text where the server expects something else, so only the
/// connection is checked.
/// Traffic settings carry over to checks without `port`/`addr` (manual
/// §5.2 `check-ssl`, `check-send-proxy`).
fn layer4_only(s: &Server) -> Option<&'static str> {
    let c = &s.config;
    let inherits = c.check_port.is_none() && c.check_addr.is_none();
    if c.check_ssl || (c.tls.ssl && inherits) {
        Some("TLS ('ssl'/'check-ssl')")
    } else if c.check_send_proxy || ((c.send_proxy || c.send_proxy_v2) && inherits) {
        Some("PROXY protocol ('check-send-proxy')")
    } else {
        None
    }
}

fn warn(msg: &str) {
    super::notify::write_stderr(&format!("[WARNING]  ({}) : {msg}", std::process::id()));
}

/// Start the health checks of every backend (inside the runtime). The
/// returned views follow each checked server's last result.
pub fn spawn_checks(shared: &Arc<Shared>, global: &Global) -> Arc<CheckViews> {
    let mut backends: Vec<&Arc<BackendState>> = shared.backends.values().collect();
    backends.sort_by_key(|b| b.id);
    let mut logs: HashMap<String, Arc<EventLog>> = HashMap::new();
    let mut log_of = |be: &BackendState| {
        logs.entry(be.name.clone())
            .or_insert_with(|| Arc::new(EventLog::new(global, &be.proxy)))
            .clone()
    };
    for be in Trackers::follower_backends(shared) {
        log_of(&be);
    }
    let mut jobs: Vec<Job> = Vec::new();
    let no_trackers = Arc::new(Trackers::default());
    for be in backends {
        let p: &Proxy = &be.proxy;
        let checked: Vec<(&Server, &Arc<ServerState>)> = p
            .servers
            .iter()
            .zip(be.servers.iter())
            .filter(|(s, _)| s.config.check && s.config.track.is_none())
            .collect();
        if checked.is_empty() {
            continue;
        }
        let pl = plan(&p.settings);
        for msg in &pl.ignored {
            warn(&format!(
                "backend '{}': {msg}; the rest of the check runs.",
                p.name
            ));
        }
        let kind = Arc::new(pl.kind);
        let connect_kind = Arc::new(Kind::Connect);
        let log = log_of(be);
        let t = &p.settings.timeouts;
        for (s, st) in checked {
            let Some(addr) = check_addr(s, st.target) else {
                if st.target.is_some() {
                    warn(&format!(
                        "backend '{}': server '{}' has no port to check; not checked.",
                        p.name, s.name
                    ));
                }
                continue;
            };
            let params = Params::from_server(&s.config);
            let kind = match layer4_only(s) {
                Some(why) if !matches!(*kind, Kind::Connect) => {
                    warn(&format!(
                        "backend '{}': server '{}': {why} checks are not supported by this harp build; a TCP connect check is used.",
                        p.name, s.name
                    ));
                    connect_kind.clone()
                }
                _ => kind.clone(),
            };
            jobs.push(Job {
                backend: be.clone(),
                server: st.clone(),
                kind,
                log: log.clone(),
                addr,
                params,
                timeouts: CheckTimeouts::new(t.connect, t.check, params.inter),
                first: Duration::ZERO,
                spread_pct: global.spread_checks.unwrap_or(0),
                log_health_checks: p.option("log-health-checks"),
                listen: p.cap.frontend,
                trackers: no_trackers.clone(),
                slowstart_ms: s.config.slowstart,
                generation: Arc::default(),
                view: Arc::default(),
            });
        }
    }
    let trackers = Arc::new(Trackers::new(shared, logs));
    let views = CheckViews {
        by_server: jobs
            .iter()
            .map(|j| {
                let key = (j.backend.name.clone(), j.server.name.clone());
                (key, j.view.clone())
            })
            .collect(),
    };
    let start_inter = |j: &Job| Machine::new(j.params).next_interval();
    let base = spread_base(jobs.iter().map(start_inter));
    let count = jobs.len() as u32;
    for (pos, mut job) in jobs.into_iter().enumerate() {
        let ms = first_delay(start_inter(&job), base, pos as u32, count);
        job.first = Duration::from_millis(ms);
        job.trackers = trackers.clone();
        tokio::spawn(check_loop(job));
    }
    Arc::new(views)
}

/// A small xorshift for `spread-checks` jitter (no need for more).
struct Jitter(u64);

impl Jitter {
    fn new(salt: u64) -> Jitter {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Jitter((t ^ (salt << 32) ^ u64::from(std::process::id())) | 1)
    }
    fn unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

async fn check_loop(job: Job) {
    let mut machine = Machine::new(job.params);
    let mut prev_status: Option<CheckStatus> = None;
    let mut jitter = Jitter::new(job.server.idx as u64 ^ u64::from(job.backend.id) << 16);
    let mut next = Instant::now() + job.first;
    loop {
        tokio::time::sleep_until(next).await;
        if !job.server.maint.load(Ordering::Relaxed) {
            let res = probe(&job.kind, job.addr, job.timeouts).await;
            apply(&job, &mut machine, &res, prev_status);
            prev_status = Some(res.status);
        }
        let iv = spread_interval(machine.next_interval(), job.spread_pct, jitter.unit());
        let iv = Duration::from_millis(iv.max(1));
        // The schedule keeps its pace: a check that overran skips slots.
        next += iv;
        let now = Instant::now();
        while next <= now {
            next += iv;
        }
    }
}

fn apply(job: &Job, machine: &mut Machine, res: &CheckResult, prev: Option<CheckStatus>) {
    let step = machine.record(res.status.verdict());
    let who = Subject {
        srv: ServerRef {
            backend: &job.backend.name,
            server: &job.server.name,
            backup: job.server.backup,
        },
        listen: job.listen,
        log_health_checks: job.log_health_checks,
    };
    if job.log_health_checks && (step.counter_moved || prev != Some(res.status)) {
        job.log.emit(&check_line(&who, res, machine));
    }
    if let Ok(mut v) = job.view.lock() {
        let down = step.transition.is_some_and(|t| t.to == Health::Down);
        v.record(res, machine, step.transition.is_some(), down);
    }
    let Some(tr) = step.transition else { return };
    let (up, state) = match tr.to {
        Health::Up => (true, SrvState::Up),
        Health::Stopping => (true, SrvState::Drain),
        Health::Down => (false, SrvState::Down),
    };
    job.server.up.store(up, Ordering::Relaxed);
    let mut farm = match job.backend.lb.lock() {
        Ok(mut lb) => {
            lb.set_state(job.server.idx, state);
            farm_of(lb.servers())
        }
        Err(_) => Farm::default(),
    };
    if tr.to == Health::Down {
        farm.sessions_active = job.server.cur_conns.load(Ordering::Relaxed);
    }
    job.generation.fetch_add(1, Ordering::Relaxed);
    if tr.to == Health::Up && tr.from == Health::Down && job.slowstart_ms > 0 {
        Ramp {
            backend: job.backend.clone(),
            server: job.server.clone(),
            log: job.log.clone(),
            listen: job.listen,
            slowstart_ms: job.slowstart_ms,
            generation: job.generation.clone(),
        }
        .start();
    }
    job.log.emit(&transition(&who, tr, res, farm));
    // HAProxy says it when the backend loses its last usable server (a
    // stopping server no longer counted).
    if tr.from == Health::Up && tr.to != Health::Up && farm.active + farm.backup == 0 {
        job.log.emit(&no_server(&who));
    }
    job.trackers
        .propagate(&job.backend.name, &job.server.name, tr.from, tr.to);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_address_uses_addr_and_port_over_the_server_address() {
        let src = "defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n\
                   backend b\n  server a 127.0.0.1:80 check addr 127.0.0.2 port 8080\n  server b 127.0.0.1:80 check\n  server c 127.0.0.1 check\n  server d 127.0.0.1 check port 9000\n";
        let mut env = crate::config::reader::ConfigEnv::from_map(std::collections::HashMap::new());
        let loaded = crate::config::build::load_bytes("t.cfg", src.as_bytes(), &mut env);
        let model = loaded.model.expect("config accepted");
        let shared = Shared::from_model(&model).expect("data plane");
        let be = shared.backends.get("b").expect("backend");
        let p = &be.proxy;
        let got: Vec<Option<String>> = p
            .servers
            .iter()
            .zip(&be.servers)
            .map(|(s, st)| check_addr(s, st.target).map(|a| a.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                Some("127.0.0.2:8080".to_string()),
                Some("127.0.0.1:80".to_string()),
                None,
                Some("127.0.0.1:9000".to_string()),
            ]
        );
    }

    /// A server on a closed port: after its first check it is DOWN for the
    /// balancer and `ServerState`, and the view says why.
    #[tokio::test]
    async fn results_reach_the_data_plane_and_the_views() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let src = format!(
            "defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n\
             backend b\n  server a 127.0.0.1:{closed} check inter 100\n  server n 127.0.0.1:1\n"
        );
        let mut env = crate::config::reader::ConfigEnv::from_map(std::collections::HashMap::new());
        let loaded = crate::config::build::load_bytes("t.cfg", src.as_bytes(), &mut env);
        let model = loaded.model.expect("config accepted");
        let shared = Arc::new(Shared::from_model(&model).expect("data plane"));
        let views = spawn_checks(&shared, &model.global);
        assert_eq!(views.len(), 1);
        assert_eq!(views.get("b", "n"), None);
        let be = shared.backends.get("b").expect("backend").clone();
        let mut view = None;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            view = views.get("b", "a").filter(|v| v.downs == 1);
            if view.is_some() {
                break;
            }
        }
        let v = view.expect("marked down within a second");
        assert_eq!(v.status, Some(CheckStatus::L4Con));
        assert_eq!(v.info.as_deref(), Some("Connection refused"));
        assert_eq!((v.health, v.rise, v.fall), (0, 2, 3));
        assert!(v.failed >= 1 && v.last_change.is_some());
        assert!(!be.servers[0].up.load(Ordering::Relaxed));
        let lb = be.lb.lock().expect("lb");
        assert_eq!(lb.servers()[0].state, SrvState::Down);
        assert_eq!(lb.servers()[1].state, SrvState::Up);
    }

    #[test]
    fn jitter_stays_in_the_unit_interval_and_moves() {
        let mut j = Jitter::new(3);
        let v: Vec<f64> = (0..1000).map(|_| j.unit()).collect();
        assert!(v.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!((0.4..0.6).contains(&mean), "mean {mean}");
    }
}
