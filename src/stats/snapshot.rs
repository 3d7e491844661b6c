//! A plain copy of everything the stats outputs print. The runtime fills
//! the live counters; [`Snapshot::from_model`] fills what the
//! configuration fixes (names, ids, weights, limits, check settings).

/// Traffic counters shared by frontends, backends and servers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Traffic {
    pub scur: u32,
    pub smax: u32,
    pub stot: u64,
    pub bin: u64,
    pub bout: u64,
    pub dresp: u64,
    pub wrew: u64,
    pub eint: u64,
    /// hrsp_1xx .. hrsp_5xx, hrsp_other.
    pub hrsp: [u64; 6],
    pub req_tot: u64,
    /// Sessions per second over the last second, and its maximum.
    pub rate: u32,
    pub rate_max: u32,
    pub ssl_sess: u64,
    pub ssl_reused_sess: u64,
    pub ssl_failed_handshake: u64,
}

/// Per-connection protocol counters printed after the `-` column
/// (frontends and backends only): the h2 then the h1 module.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MuxCounters {
    /// h2_headers_rcvd .. h2_backend_total_streams (13 values).
    pub h2: [u64; 13],
    /// h1_open_connections, h1_open_streams, h1_total_connections,
    /// h1_total_streams, h1_bytes_in, h1_bytes_out, spliced in, spliced out.
    pub h1: [u64; 8],
}

/// Counters kept by backends and servers (queue, errors, timings).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackendSide {
    pub qcur: u32,
    pub qmax: u32,
    pub econ: u64,
    pub eresp: u64,
    pub wretr: u64,
    pub wredis: u64,
    pub lbtot: u64,
    pub cli_abrt: u64,
    pub srv_abrt: u64,
    /// Seconds since the last session, -1 when none yet.
    pub lastsess: i64,
    /// Averages over the last 1024 sessions, in ms.
    pub qtime: u32,
    pub ctime: u32,
    pub rtime: u32,
    pub ttime: u32,
    pub qtime_max: u32,
    pub ctime_max: u32,
    pub rtime_max: u32,
    pub ttime_max: u32,
    pub connect: u64,
    pub reuse: u64,
    /// Number of UP→DOWN transitions.
    pub chkdown: u64,
    /// Seconds since the last state change.
    pub lastchg: u32,
    /// Total seconds spent down.
    pub downtime: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FrontendSnap {
    /// "OPEN", "STOP" (disabled/paused) or "FULL".
    pub status: String,
    pub traffic: Traffic,
    pub slim: u32,
    pub dreq: u64,
    pub ereq: u64,
    pub rate_lim: u32,
    pub req_rate: u32,
    pub req_rate_max: u32,
    /// comp_in, comp_out, comp_byp, comp_rsp.
    pub comp: [u64; 4],
    pub conn_rate: u32,
    pub conn_rate_max: u32,
    pub conn_tot: u64,
    pub intercepted: u64,
    pub dcon: u64,
    pub dses: u64,
    pub cache_lookups: u64,
    pub cache_hits: u64,
    pub mux: MuxCounters,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BackendSnap {
    pub traffic: Traffic,
    pub side: BackendSide,
    /// `fullconn` (HAProxy prints it as the backend's slim).
    pub slim: u32,
    pub dreq: u64,
    pub comp: [u64; 4],
    pub cache_lookups: u64,
    pub cache_hits: u64,
    pub mux: MuxCounters,
    /// The `cookie` name, if any.
    pub cookie: Option<String>,
}

/// Result of the last health check or agent check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSnap {
    /// Checks are running (not disabled with `disable health`).
    pub enabled: bool,
    /// A check is in progress (printed as "* " before the status).
    pub in_progress: bool,
    /// Short status: "L4OK", "L4CON", "L7OK", "INI", ...
    pub status: String,
    /// Long status text ("Layer4 check passed").
    pub desc: String,
    /// Last check output ("Connection refused"), may be empty.
    pub info: String,
    /// L7 response code, when the check got one.
    pub code: Option<u32>,
    /// Duration of the last completed check in ms.
    pub duration: Option<u64>,
    pub rise: u32,
    pub fall: u32,
    /// 0..rise+fall-1; the server is UP at rise and above.
    pub health: u32,
    /// `show servers state` srv_check_result (CHK_RES_*: 0 unknown,
    /// 1 neutral, 2 failed, 3 passed, 4 condpass).
    pub result: u32,
    /// `show servers state` srv_check_status (HCHK_STATUS_* number).
    pub status_code: u32,
    /// `show servers state` check state bits (CHK_ST_*).
    pub state_bits: u32,
    pub port: u16,
    pub addr: Option<String>,
}

/// Operational state (HAProxy's SRV_ST_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpState {
    Stopped = 0,
    Starting = 1,
    #[default]
    Running = 2,
    /// Soft-stopped (weight 0 through agent): "NOLB".
    Stopping = 3,
}

/// Administrative state flags (HAProxy's SRV_ADMF_*; see
/// `show servers state` in the management guide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdminState {
    /// Forced maintenance (`set server ... state maint`, `disable server`).
    pub fmaint: bool,
    /// Inherited maintenance from a tracked server.
    pub imaint: bool,
    /// `disabled` in the configuration.
    pub cmaint: bool,
    /// Forced drain (`set server ... state drain`).
    pub fdrain: bool,
    /// Inherited drain.
    pub idrain: bool,
    /// Maintenance because the address did not resolve.
    pub rmaint: bool,
}

impl AdminState {
    pub fn maint(&self) -> bool {
        self.fmaint || self.imaint || self.cmaint || self.rmaint
    }
    pub fn drain(&self) -> bool {
        self.fdrain || self.idrain
    }
    /// The numeric srv_admin_state of `show servers state`.
    pub fn bits(&self) -> u32 {
        (self.fmaint as u32)
            | (self.imaint as u32) << 1
            | (self.cmaint as u32) << 2
            | (self.fdrain as u32) << 3
            | (self.idrain as u32) << 4
            | (self.rmaint as u32) << 5
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerSnap {
    pub name: String,
    pub sid: u32,
    pub forced_id: bool,
    /// Address as printed in the `addr` column ("127.0.0.1:18081").
    pub addr: String,
    /// IP alone and port alone (`show servers state`).
    pub ip: String,
    pub port: u16,
    /// FQDN when the address was a name, else None ("-").
    pub fqdn: Option<String>,
    pub use_ssl: bool,
    pub cookie: Option<String>,
    pub backup: bool,
    /// "backend/server" this server tracks.
    pub tracked: Option<String>,
    pub op: OpState,
    pub admin: AdminState,
    /// Effective weight as printed in the `weight` column.
    pub weight: u32,
    /// User weight (`set weight`) and initial weight from the config.
    pub uweight: u32,
    pub iweight: u32,
    /// `maxqueue`, printed as qlimit when set.
    pub qlimit: Option<u32>,
    /// Slowstart throttle percentage while ramping up.
    pub throttle: Option<u32>,
    pub traffic: Traffic,
    pub side: BackendSide,
    pub chkfail: u64,
    /// Failed health checks counted by `observe` (printed when observing).
    pub hanafail: Option<u64>,
    pub check: Option<CheckSnap>,
    pub agent: Option<CheckSnap>,
    /// Agent address and port as `show servers state` prints them: the
    /// agent's own, else those of `addr`/`port` (HAProxy applies those two
    /// keywords to the agent as well).
    pub state_agent_addr: Option<String>,
    pub state_agent_port: u16,
    pub srv_icur: u32,
    pub src_ilim: Option<u32>,
    pub idle_conn_cur: u32,
    pub safe_conn_cur: u32,
    pub used_conn_cur: u32,
    pub need_conn_est: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProxySnap {
    pub name: String,
    pub iid: u32,
    pub forced_id: bool,
    /// "http" or "tcp".
    pub mode: String,
    /// `balance` algorithm (printed with legends only).
    pub algo: String,
    pub frontend: Option<FrontendSnap>,
    pub backend: Option<BackendSnap>,
    pub servers: Vec<ServerSnap>,
}

/// Process-wide values for `show info`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessInfo {
    pub name: String,
    pub version: String,
    pub release_date: String,
    pub nbthread: u32,
    pub pid: u32,
    pub uptime_sec: u64,
    pub start_time_sec: u64,
    pub ulimit_n: u32,
    pub maxsock: u32,
    pub maxconn: u32,
    pub hard_maxconn: u32,
    pub curr_conns: u32,
    pub cum_conns: u64,
    pub cum_req: u64,
    pub conn_rate: u32,
    pub conn_rate_limit: u32,
    pub max_conn_rate: u32,
    pub sess_rate: u32,
    pub sess_rate_limit: u32,
    pub max_sess_rate: u32,
    pub tasks: u32,
    pub run_queue: u32,
    pub idle_pct: u32,
    pub node: String,
    pub description: Option<String>,
    pub stopping: bool,
    pub jobs: u32,
    pub listeners: u32,
    pub dropped_logs: u64,
    pub total_bytes_out: u64,
    pub bytes_out_rate: u64,
    pub pool_alloc_bytes: u64,
    pub pool_used_bytes: u64,
}

impl Default for ProcessInfo {
    fn default() -> Self {
        ProcessInfo {
            // Tools (haproxyadmin, exporters) key on the product name.
            name: "HAProxy".into(),
            version: HARP_VERSION.into(),
            release_date: HARP_RELEASE_DATE.into(),
            nbthread: 1,
            pid: std::process::id(),
            uptime_sec: 0,
            start_time_sec: 0,
            ulimit_n: 0,
            maxsock: 0,
            maxconn: 0,
            hard_maxconn: 0,
            curr_conns: 0,
            cum_conns: 0,
            cum_req: 0,
            conn_rate: 0,
            conn_rate_limit: 0,
            max_conn_rate: 0,
            sess_rate: 0,
            sess_rate_limit: 0,
            max_sess_rate: 0,
            tasks: 0,
            run_queue: 0,
            idle_pct: 100,
            node: String::new(),
            description: None,
            stopping: false,
            jobs: 0,
            listeners: 0,
            dropped_logs: 0,
            total_bytes_out: 0,
            bytes_out_rate: 0,
            pool_alloc_bytes: 0,
            pool_used_bytes: 0,
        }
    }
}

/// Version printed by `show info`: HAProxy-like "2.6" prefix so clients that
/// parse the major/minor (haproxyadmin, exporters) accept it, then harp's own.
pub const HARP_VERSION: &str = concat!("2.6.0-harp-", env!("CARGO_PKG_VERSION"));
pub const HARP_RELEASE_DATE: &str = "2026/11/24";

/// Everything the stats outputs print, at one instant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub info: ProcessInfo,
    /// Proxies in configuration order.
    pub proxies: Vec<ProxySnap>,
}

impl Snapshot {
    pub fn proxy(&self, name: &str) -> Option<&ProxySnap> {
        self.proxies.iter().find(|p| p.name == name)
    }
    pub fn proxy_mut(&mut self, name: &str) -> Option<&mut ProxySnap> {
        self.proxies.iter_mut().find(|p| p.name == name)
    }
    /// The server `srv` of backend `backend`.
    pub fn server_mut(&mut self, backend: &str, srv: &str) -> Option<&mut ServerSnap> {
        self.proxy_mut(backend)?
            .servers
            .iter_mut()
            .find(|s| s.name == srv)
    }
    pub fn frontend_mut(&mut self, name: &str) -> Option<&mut FrontendSnap> {
        self.proxy_mut(name)?.frontend.as_mut()
    }
    pub fn backend_mut(&mut self, name: &str) -> Option<&mut BackendSnap> {
        self.proxy_mut(name)?.backend.as_mut()
    }
}

impl ProxySnap {
    /// The backend's (weight, act, bck, uweight) from its servers' states,
    /// as HAProxy prints them: act/bck count usable servers; the weights
    /// sum the active ones, or the backups when no active one is usable.
    pub fn backend_weights(&self) -> (u32, u32, u32, u32) {
        // A server counts when it can take traffic: running, not in
        // maintenance or drain, with a non-zero effective weight.
        let usable = |s: &&ServerSnap| {
            !s.admin.maint()
                && !s.admin.drain()
                && s.weight > 0
                && matches!(s.op, OpState::Running | OpState::Starting)
        };
        let act: Vec<&ServerSnap> = self
            .servers
            .iter()
            .filter(|s| !s.backup)
            .filter(usable)
            .collect();
        let bck: Vec<&ServerSnap> = self
            .servers
            .iter()
            .filter(|s| s.backup)
            .filter(usable)
            .collect();
        let counted = if act.is_empty() { &bck } else { &act };
        let weight = counted.iter().map(|s| s.weight).sum();
        let uweight = counted.iter().map(|s| s.uweight).sum();
        (weight, act.len() as u32, bck.len() as u32, uweight)
    }
}
