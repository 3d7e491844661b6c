//! The static part of a [`Snapshot`], taken from the configuration model.

use crate::config::model::{Model, Proxy, Server};
use crate::config::value::addr::{Host, ServerAddr, ServerPort};

use super::snapshot::{
    AdminState, BackendSide, BackendSnap, CheckSnap, FrontendSnap, OpState, ProcessInfo, ProxySnap,
    ServerSnap, Snapshot, Traffic,
};

/// harp's process-wide maxconn when `global maxconn` is not set (the
/// runtime uses the same bound; HAProxy derives it from ulimits instead).
pub const DEFAULT_GLOBAL_MAXCONN: u32 = 100_000;

/// HAProxy's check state bits printed by `show servers state`
/// (CHK_ST_CONFIGURED, CHK_ST_ENABLED, CHK_ST_PAUSED, CHK_ST_AGENT).
pub const CHK_ST_CONFIGURED: u32 = 0x2;
pub const CHK_ST_ENABLED: u32 = 0x4;
pub const CHK_ST_PAUSED: u32 = 0x8;
pub const CHK_ST_AGENT: u32 = 0x10;

/// Numeric HAProxy check status (srv_check_status) for a short status.
pub fn check_status_code(short: &str) -> u32 {
    const ORDER: &[&str] = &[
        "UNK", "INI", "START", "CHECKED", "HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK",
        "L6TOUT", "L6RSP", "L7TOUT", "L7RSP", "L57DATA", "L7OK", "L7OKC", "L7STS", "PROCERR",
        "PROCTOUT", "PROCOK",
    ];
    ORDER.iter().position(|s| *s == short).unwrap_or(0) as u32
}

impl Snapshot {
    /// Names, ids, limits, weights and check settings from the config,
    /// every counter at zero, every server UP (checked ones "INI").
    pub fn from_model(model: &Model) -> Snapshot {
        Snapshot::from_model_with_maxconn(model, DEFAULT_GLOBAL_MAXCONN)
    }

    /// As [`Snapshot::from_model`], with the global maxconn to use when the
    /// config sets none (HAProxy computes it from ulimit-n).
    pub fn from_model_with_maxconn(model: &Model, default_maxconn: u32) -> Snapshot {
        let g = &model.global;
        let maxconn = g.maxconn.filter(|&m| m > 0).unwrap_or(default_maxconn);
        let info = ProcessInfo {
            nbthread: g.nbthread.unwrap_or(1),
            maxconn,
            hard_maxconn: maxconn,
            ulimit_n: g.ulimit_n.unwrap_or(0),
            maxsock: g.ulimit_n.unwrap_or(0),
            node: g.node.clone().unwrap_or_else(hostname),
            description: g.description.clone(),
            listeners: model
                .proxies
                .iter()
                .filter(|p| p.cap.frontend && !p.disabled)
                .map(|p| p.binds.len() as u32)
                .sum::<u32>()
                + g.stats_sockets.len() as u32,
            ..ProcessInfo::default()
        };
        let proxies = model
            .proxies
            .iter()
            .map(|p| proxy_snap(model, p, maxconn))
            .collect();
        Snapshot { info, proxies }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn frontend_maxconn(p: &Proxy, global: u32) -> u32 {
    p.settings.maxconn.filter(|&m| m > 0).unwrap_or(global)
}

/// HAProxy's default `fullconn`: a tenth of the maxconn of every frontend
/// that can reach the backend, rounded up (configuration manual, "fullconn").
fn fullconn(model: &Model, be: &Proxy, global: u32) -> u32 {
    if let Some(f) = be.settings.fullconn.filter(|&f| f > 0) {
        return f;
    }
    let sum: u64 = model
        .frontends()
        .filter(|fe| {
            fe.name == be.name
                || fe.default_backend() == Some(be.name.as_str())
                || fe.use_backend.iter().any(|s| s.target == be.name)
        })
        .map(|fe| u64::from(frontend_maxconn(fe, global)))
        .sum();
    let sum = if sum == 0 { u64::from(global) } else { sum };
    u32::try_from(sum.div_ceil(10)).unwrap_or(u32::MAX)
}

fn proxy_snap(model: &Model, p: &Proxy, global: u32) -> ProxySnap {
    let frontend = p.cap.frontend.then(|| FrontendSnap {
        status: if p.disabled { "STOP" } else { "OPEN" }.into(),
        traffic: Traffic::default(),
        slim: frontend_maxconn(p, global),
        dreq: 0,
        ereq: 0,
        rate_lim: 0,
        req_rate: 0,
        req_rate_max: 0,
        comp: [0; 4],
        conn_rate: 0,
        conn_rate_max: 0,
        conn_tot: 0,
        intercepted: 0,
        dcon: 0,
        dses: 0,
        cache_lookups: 0,
        cache_hits: 0,
        mux: Default::default(),
    });
    let backend = p.cap.backend.then(|| BackendSnap {
        traffic: Traffic::default(),
        side: fresh_side(),
        slim: fullconn(model, p, global),
        dreq: 0,
        comp: [0; 4],
        cache_lookups: 0,
        cache_hits: 0,
        mux: Default::default(),
        cookie: p.settings.cookie.as_ref().map(|c| c.name.clone()),
    });
    let servers = if p.cap.backend {
        p.servers.iter().map(|s| server_snap(p, s)).collect()
    } else {
        Vec::new()
    };
    ProxySnap {
        name: p.name.clone(),
        iid: p.id,
        forced_id: false,
        mode: p.mode().name().into(),
        algo: p.settings.balance.algorithm.clone(),
        frontend,
        backend,
        servers,
    }
}

fn fresh_side() -> BackendSide {
    BackendSide {
        lastsess: -1,
        ..BackendSide::default()
    }
}

fn host_text(h: &Host) -> String {
    match h {
        Host::Any => "0.0.0.0".into(),
        Host::Ip(ip) => ip.to_string(),
        Host::Name(n) => n.clone(),
    }
}

fn server_snap(p: &Proxy, s: &Server) -> ServerSnap {
    let c = &s.config;
    let (ip, port, fqdn) = match &s.addr {
        ServerAddr::Inet { host, port, .. } => {
            let ip = match (host, s.resolved) {
                (_, Some(r)) => r.to_string(),
                (Host::Name(_), None) => "0.0.0.0".into(),
                (h, None) => host_text(h),
            };
            let fqdn = match host {
                Host::Name(n) => Some(n.clone()),
                _ => None,
            };
            let port = match port {
                ServerPort::Fixed(n) => *n,
                _ => 0,
            };
            (ip, port, fqdn)
        }
        ServerAddr::Unix(path) | ServerAddr::Abns(path) => (path.clone(), 0, None),
        ServerAddr::SockPair(fd) => (format!("sockpair@{fd}"), 0, None),
    };
    let addr = if port == 0 {
        ip.clone()
    } else if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    };
    let check = (c.check && c.track.is_none()).then(|| CheckSnap {
        enabled: true,
        in_progress: false,
        status: "INI".into(),
        desc: "Initializing".into(),
        info: String::new(),
        code: None,
        duration: None,
        rise: c.rise,
        fall: c.fall,
        health: c.rise + c.fall.saturating_sub(1),
        result: 0,
        status_code: check_status_code("INI"),
        state_bits: CHK_ST_CONFIGURED | CHK_ST_ENABLED,
        port: c.check_port.unwrap_or(0),
        addr: c.check_addr.as_ref().map(host_text),
    });
    let agent = c.agent_check.then(|| CheckSnap {
        enabled: true,
        in_progress: false,
        status: "INI".into(),
        desc: "Initializing".into(),
        info: String::new(),
        code: None,
        duration: None,
        rise: 1,
        fall: 1,
        health: 1,
        result: 0,
        status_code: check_status_code("INI"),
        state_bits: CHK_ST_CONFIGURED | CHK_ST_ENABLED | CHK_ST_AGENT,
        port: c.agent_port.unwrap_or(0),
        addr: c.agent_addr.as_ref().map(host_text),
    });
    ServerSnap {
        name: s.name.clone(),
        sid: s.id,
        forced_id: s.forced_id,
        addr,
        ip,
        port,
        fqdn,
        use_ssl: c.tls.ssl,
        cookie: c.cookie.clone(),
        backup: c.backup,
        tracked: c.track.as_ref().map(|t| {
            if t.contains('/') {
                t.clone()
            } else {
                format!("{}/{}", p.name, t)
            }
        }),
        op: if c.disabled || s.unresolved_maint {
            OpState::Stopped
        } else {
            OpState::Running
        },
        admin: AdminState {
            // `disabled` sets both the forced and the config maintenance bits.
            fmaint: c.disabled,
            cmaint: c.disabled,
            rmaint: s.unresolved_maint,
            ..AdminState::default()
        },
        weight: c.weight,
        uweight: c.weight,
        iweight: c.weight,
        qlimit: (c.maxqueue > 0).then_some(c.maxqueue),
        throttle: None,
        traffic: Traffic::default(),
        side: fresh_side(),
        chkfail: 0,
        hanafail: None,
        check,
        agent,
        state_agent_addr: c
            .agent_addr
            .as_ref()
            .or(c.check_addr.as_ref())
            .map(host_text),
        state_agent_port: c.agent_port.or(c.check_port).unwrap_or(0),
        srv_icur: 0,
        src_ilim: None,
        idle_conn_cur: 0,
        safe_conn_cur: 0,
        used_conn_cur: 0,
        need_conn_est: 0,
    }
}
