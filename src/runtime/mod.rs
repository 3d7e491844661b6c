//! Starts the data plane from a model: binds every listener first (so a
//! bad address fails the start, as in HAProxy), then accepts connections
//! until SIGINT/SIGTERM.

pub mod gaps;
pub mod logger;
pub mod process;
pub mod rules;
pub mod statsrt;
pub mod table;
pub mod track;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::model::{Mode, Model, Proxy};
use crate::proxy::http::ConnInfo;
use crate::proxy::listener::{bind_addrs, listen};
use table::BackendState;

/// HAProxy's process-wide maxconn when `global maxconn` is not set is
/// derived from ulimits; harp uses a fixed, generous bound.
const DEFAULT_GLOBAL_MAXCONN: usize = 100_000;

/// A frontend (or listen) as the data plane sees it.
#[derive(Debug)]
pub struct FrontendState {
    pub proxy: Arc<Proxy>,
    pub logger: Arc<logger::Logger>,
    /// Compiled ACLs and rules.
    pub rules: rules::ProxyRules,
    /// The frontend's error messages (used when the backend has none).
    pub errors: crate::http::resolve::ErrorSet,
    /// `maxconn` of the frontend: accepting pauses when it is reached.
    pub slots: Arc<Semaphore>,
    /// Connections being served by this frontend (`feconn`).
    pub feconn: AtomicU64,
}

/// Everything connection handlers share.
#[derive(Debug)]
pub struct Shared {
    pub frontends: Vec<FrontendState>,
    pub backends: HashMap<String, Arc<BackendState>>,
    pub global_slots: Arc<Semaphore>,
    /// Userlists, for `http_auth()` and `http-request auth`.
    pub userlists: Vec<crate::config::model::Userlist>,
    /// The running configuration (stats page, stats socket).
    pub model: Arc<Model>,
    pub started: std::time::Instant,
    /// Health check results, once the checks run.
    pub checks: std::sync::OnceLock<Arc<crate::checks::view::CheckViews>>,
    /// The CARP driver's handle when `--carp` runs in this process.
    pub carp: std::sync::OnceLock<crate::carp::control::CarpControl>,

    /// Connections being served (`actconn`).
    pub actconn: AtomicU64,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("Starting {kind} {name}: cannot bind socket ({reason}) [{addr}]")]
    Bind {
        kind: &'static str,
        name: String,
        reason: String,
        addr: String,
    },
    #[error("proxy '{proxy}': {reason}")]
    ErrorFile { proxy: String, reason: String },
    #[error("proxy '{proxy}': {reason}")]
    Rules { proxy: String, reason: String },
    #[error("backend '{backend}': {reason}")]
    Balance { backend: String, reason: String },
    #[error("the CARP driver stopped")]
    Carp,
    #[error("cannot start the runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

impl Shared {
    pub fn from_model(model: &Model) -> Result<Shared, RunError> {
        let mut backends = HashMap::new();
        let mut frontends = Vec::new();
        for p in &model.proxies {
            let p = Arc::new(p.clone());
            let errors = crate::http::resolve::for_proxy(model, &p, &Default::default()).map_err(
                |errs| RunError::ErrorFile {
                    proxy: p.name.clone(),
                    reason: errs
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" "),
                },
            )?;
            let compile = || {
                rules::ProxyRules::compile(&p).map_err(|reason| RunError::Rules {
                    proxy: p.name.clone(),
                    reason,
                })
            };
            if p.cap.backend && !p.disabled {
                let be = BackendState::from_proxy(&p, errors.clone(), compile()?).map_err(|e| {
                    RunError::Balance {
                        backend: p.name.clone(),
                        reason: e,
                    }
                })?;
                backends.insert(p.name.clone(), Arc::new(be));
            }
            if p.cap.frontend && !p.disabled && !p.binds.is_empty() {
                let maxconn = p
                    .settings
                    .maxconn
                    .filter(|&m| m > 0)
                    .map_or(Semaphore::MAX_PERMITS, |m| m as usize);
                frontends.push(FrontendState {
                    rules: compile()?,
                    errors,
                    logger: logger::Logger::new(&model.global, &p),
                    proxy: p,
                    slots: Arc::new(Semaphore::new(maxconn)),
                    feconn: AtomicU64::new(0),
                });
            }
        }
        let global = model
            .global
            .maxconn
            .filter(|&m| m > 0)
            .map_or(DEFAULT_GLOBAL_MAXCONN, |m| m as usize);
        Ok(Shared {
            frontends,
            backends,
            global_slots: Arc::new(Semaphore::new(global)),
            actconn: AtomicU64::new(0),
            userlists: model.userlists.clone(),
            model: Arc::new(model.clone()),
            started: std::time::Instant::now(),
            checks: std::sync::OnceLock::new(),
            carp: std::sync::OnceLock::new(),
        })
    }
}

/// Bind every listener of every frontend (before serving anything).
fn bind_all(shared: &Shared) -> Result<Vec<(usize, std::net::TcpListener)>, RunError> {
    let mut out = Vec::new();
    for (i, f) in shared.frontends.iter().enumerate() {
        let kind = if f.proxy.cap.backend {
            "proxy"
        } else {
            "frontend"
        };
        for b in &f.proxy.binds {
            let fail = |reason: String, addr: String| RunError::Bind {
                kind,
                name: f.proxy.name.clone(),
                reason,
                addr,
            };
            let addrs =
                bind_addrs(b).map_err(|e| fail(e.to_string(), b.config.addr_text.clone()))?;
            for a in addrs {
                let l = listen(
                    a,
                    b.config.backlog.or(f.proxy.settings.backlog),
                    b.config.v6only,
                )
                .map_err(|e| fail(os_reason(&e), a.to_string()))?;
                out.push((i, l));
            }
        }
    }
    Ok(out)
}

/// The reason in HAProxy's words ("Address already in use").
fn os_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// How the process was started (from the command line and `global`).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub pidfile: Option<std::path::PathBuf>,
    /// `-sf` pids: asked to finish (SIGUSR1) once we listen.
    pub soft_finish: Vec<u32>,
    /// `-st` pids: terminated (SIGTERM) once we listen.
    pub terminate: Vec<u32>,
    /// This process is the re-executed child of a daemon start.
    pub daemon_child: bool,
    /// CARP vhids to run beside (or without) the balancer.
    pub carp: Option<CarpRun>,
}

/// What `--carp` asks for: the rc.conf model and the interface mapping.
#[derive(Debug, Clone)]
pub struct CarpRun {
    pub model: crate::rcconf::CarpModel,
    pub ifaces: crate::carp::iface::IfaceMap,
}

/// How a stop was asked for.
enum Stop {
    /// SIGTERM / SIGINT: leave now.
    Hard,
    /// SIGUSR1: stop accepting, let current connections finish.
    Soft,
}

/// Run the data plane (when a configuration is given) and the CARP vhids
/// (with `--carp`) until SIGINT or SIGTERM, or until a soft stop
/// (SIGUSR1) has drained the connections. A MASTER bows out first, so its
/// peer takes the address while connections drain.
pub fn run(model: Option<&Model>, opts: &RunOptions) -> Result<(), RunError> {
    let empty = Model::default();
    let model = model.unwrap_or(&empty);
    for gap in gaps::unsupported(model) {
        eprintln!("[WARNING]  ({}) : {gap}.", std::process::id());
    }
    let shared = Arc::new(Shared::from_model(model)?);

    let listeners = bind_all(&shared)?;
    let pidfile = opts
        .pidfile
        .clone()
        .or_else(|| model.global.pidfile.clone().map(Into::into));
    if let Some(p) = &pidfile {
        if let Err(e) = process::write_pidfile(p) {
            eprintln!(
                "[ALERT]    ({}) : cannot create pidfile {} : {e}",
                std::process::id(),
                p.display()
            );
        }
    }
    if opts.daemon_child {
        process::daemon_ready();
    }
    process::signal_old(&opts.soft_finish, &opts.terminate);
    let threads = model
        .global
        .nbthread
        .map(|n| n.max(1) as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let hard_stop_after = model
        .global
        .hard_stop_after
        .map(|ms| std::time::Duration::from_millis(u64::from(ms)));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;
    let carp = opts.carp.clone();
    let stats_model = shared.model.clone();
    rt.block_on(async move {
        // The stats sockets (runtime API), as HAProxy's `stats socket`.
        let control = carp
            .as_ref()
            .map(|c| crate::carp::control::CarpControl::new(c.model.sysctl.demotion));
        if let Some(c) = &control {
            let _ = shared.carp.set(c.clone());
        }
        let check_views = crate::checks::run::spawn_checks(&shared, &stats_model.global);
        let _ = shared.checks.set(check_views.clone());
        let stats: Arc<dyn crate::stats::backend::StatsBackend> = shared.clone();
        for s in &stats_model.global.stats_sockets {
            let started = crate::stats::socket::SocketConfig::from_model(s, &stats_model.global)
                .and_then(|cfg| {
                    crate::stats::socket::bind(&cfg)
                        .map(|l| (l, cfg))
                        .map_err(|e| e.to_string())
                });
            match started {
                Ok((l, cfg)) => {
                    tokio::spawn(crate::stats::socket::serve(l, cfg, stats.clone()));
                }
                Err(e) => {
                    return Err(RunError::Bind {
                        kind: "stats socket",
                        name: s.addr.clone(),
                        reason: e,
                        addr: s.addr.clone(),
                    })
                }
            }
        }
        let mut accepting = Vec::new();
        for (fe, l) in listeners {
            let l = TcpListener::from_std(l)?;
            accepting.push(tokio::spawn(accept_loop(shared.clone(), fe, l)));
        }
        let (carp_stop, carp_task) = match (carp, control) {
            (Some(c), Some(control)) => {
                let (tx, rx) = tokio::sync::watch::channel(false);
                track::spawn(&shared, &c.model.track_backends, &control);
                let task = tokio::spawn(async move {
                    let mut rx = rx;
                    let stop = async move {
                        let _ = rx.wait_for(|v| *v).await;
                    };
                    crate::carp::driver::run_carp_with(&c.model, &c.ifaces, &control, stop).await
                });
                (Some(tx), Some(task))
            }
            _ => (None, None),
        };
        let stop = tokio::select! {
            s = wait_for_stop() => s,
            r = async {
                match &mut { carp_task } {
                    Some(t) => t.await,
                    None => std::future::pending().await,
                }
            } => {
                // The CARP driver could not start (or ended): say why and stop.
                if let Ok(Err(e)) = r {
                    eprintln!("[ALERT]    ({}) : carp : {e}", std::process::id());
                }
                return Err(RunError::Carp);
            }
        };
        if let Some(tx) = carp_stop {
            tx.send_replace(true);
            // Give the bow-out advert and the address removal their time.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        if let Stop::Soft = stop {
            // Close the listeners, then let connections finish, bounded by
            // `hard-stop-after` (manual §3.1).
            for a in &accepting {
                a.abort();
            }
            let drained = async {
                while shared.actconn.load(Ordering::Relaxed) > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            };
            match hard_stop_after {
                Some(t) => {
                    let _ = tokio::time::timeout(t, drained).await;
                }
                None => drained.await,
            }
        }
        Ok(())
    })
}

async fn wait_for_stop() -> Stop {
    use tokio::signal::unix::{signal, SignalKind};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    let usr1 = signal(SignalKind::user_defined1());
    match (term, int, usr1) {
        (Ok(mut t), Ok(mut i), Ok(mut u)) => {
            tokio::select! {
                _ = t.recv() => Stop::Hard,
                _ = i.recv() => Stop::Hard,
                _ = u.recv() => Stop::Soft,
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
            Stop::Hard
        }
    }
}

/// Accept while the frontend and process have free slots (HAProxy pauses
/// accepting at maxconn; the kernel backlog holds the rest).
async fn accept_loop(shared: Arc<Shared>, fe: usize, l: TcpListener) {
    let f_slots = shared.frontends[fe].slots.clone();
    let g_slots = shared.global_slots.clone();
    let mode = shared.frontends[fe].proxy.mode();
    loop {
        let Ok(fp) = f_slots.clone().acquire_owned().await else {
            return;
        };
        let Ok(gp) = g_slots.clone().acquire_owned().await else {
            return;
        };
        let (stream, client) = match l.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let local = stream
            .local_addr()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        let info = ConnInfo { client, local };
        // `tcp-request connection reject`: closed before anything is read.
        if !crate::proxy::tcprules::connection_allowed(&shared, fe, &info) {
            drop(stream);
            continue;
        }
        let shared = shared.clone();
        shared.actconn.fetch_add(1, Ordering::Relaxed);
        shared.frontends[fe].feconn.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            match mode {
                Mode::Http => crate::proxy::http::serve(shared.clone(), fe, stream, info).await,
                _ => crate::proxy::tcp::serve(shared.clone(), fe, stream, info).await,
            }
            shared.actconn.fetch_sub(1, Ordering::Relaxed);
            shared.frontends[fe].feconn.fetch_sub(1, Ordering::Relaxed);
            drop((fp, gp));
        });
    }
}
