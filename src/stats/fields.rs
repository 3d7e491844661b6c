//! The stats field tables: CSV columns and `show info` keys with their
//! typed-output tags, as HAProxy 2.6 prints them (management guide §9.1,
//! "show stat typed" / "show info typed").

/// Value type printed by the typed and JSON outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    U32,
    U64,
    S32,
    Str,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::U32 => "u32",
            Ty::U64 => "u64",
            Ty::S32 => "s32",
            Ty::Str => "str",
        }
    }
}

/// One cell: `Empty` prints nothing in CSV and is left out of typed/JSON
/// output; `Str("")` is an empty string that typed output still lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Empty,
    Num(i64),
    Str(String),
}

impl Field {
    pub fn num<T: Into<i64>>(v: T) -> Field {
        Field::Num(v.into())
    }
    pub fn big(v: u64) -> Field {
        Field::Num(i64::try_from(v).unwrap_or(i64::MAX))
    }
    pub fn opt<T: Into<i64>>(v: Option<T>) -> Field {
        v.map_or(Field::Empty, |x| Field::Num(x.into()))
    }
    pub fn text(s: &str) -> Field {
        Field::Str(s.to_string())
    }
    pub fn text_or_empty(s: &str) -> Field {
        if s.is_empty() {
            Field::Empty
        } else {
            Field::text(s)
        }
    }
    pub fn is_empty(&self) -> bool {
        matches!(self, Field::Empty)
    }
}

/// Index of the first module column (after `agg_check_status`): the CSV
/// header prints a `-` column there that typed output does not number.
pub const MODULE_START: usize = 103;

/// Generated from HAProxy 2.6.12's `show stat typed` output (golden files):
/// column name, tags (origin, nature, scope), value type.
pub const COLUMNS: &[(&str, &str, Ty)] = &[
    ("pxname", "KNS", Ty::Str),
    ("svname", "KNS", Ty::Str),
    ("qcur", "MGP", Ty::U32),
    ("qmax", "MMP", Ty::U32),
    ("scur", "MGP", Ty::U32),
    ("smax", "MMP", Ty::U32),
    ("slim", "CLP", Ty::U32),
    ("stot", "MCP", Ty::U64),
    ("bin", "MCP", Ty::U64),
    ("bout", "MCP", Ty::U64),
    ("dreq", "MCP", Ty::U64),
    ("dresp", "MCP", Ty::U64),
    ("ereq", "MCP", Ty::U64),
    ("econ", "MCP", Ty::U64),
    ("eresp", "MCP", Ty::U64),
    ("wretr", "MCP", Ty::U64),
    ("wredis", "MCP", Ty::U64),
    ("status", "SGP", Ty::Str),
    ("weight", "MaP", Ty::U32),
    ("act", "SGP", Ty::U32),
    ("bck", "SGP", Ty::U32),
    ("chkfail", "MCP", Ty::U64),
    ("chkdown", "MCP", Ty::U64),
    ("lastchg", "MAP", Ty::U32),
    ("downtime", "MCP", Ty::U32),
    ("qlimit", "CGS", Ty::U32),
    ("pid", "KGP", Ty::U32),
    ("iid", "KGS", Ty::U32),
    ("sid", "KGS", Ty::U32),
    ("throttle", "MGP", Ty::U32),
    ("lbtot", "MCP", Ty::U64),
    ("tracked", "CNS", Ty::Str),
    ("type", "CGS", Ty::U32),
    ("rate", "MRP", Ty::U32),
    ("rate_lim", "CLP", Ty::U32),
    ("rate_max", "MMP", Ty::U32),
    ("check_status", "MOP", Ty::Str),
    ("check_code", "MOP", Ty::U32),
    ("check_duration", "MDP", Ty::U64),
    ("hrsp_1xx", "MCP", Ty::U64),
    ("hrsp_2xx", "MCP", Ty::U64),
    ("hrsp_3xx", "MCP", Ty::U64),
    ("hrsp_4xx", "MCP", Ty::U64),
    ("hrsp_5xx", "MCP", Ty::U64),
    ("hrsp_other", "MCP", Ty::U64),
    ("hanafail", "MCP", Ty::U64),
    ("req_rate", "MRP", Ty::U32),
    ("req_rate_max", "MMP", Ty::U32),
    ("req_tot", "MCP", Ty::U64),
    ("cli_abrt", "MCP", Ty::U64),
    ("srv_abrt", "MCP", Ty::U64),
    ("comp_in", "MCP", Ty::U64),
    ("comp_out", "MCP", Ty::U64),
    ("comp_byp", "MCP", Ty::U64),
    ("comp_rsp", "MCP", Ty::U64),
    ("lastsess", "MAP", Ty::S32),
    ("last_chk", "MOP", Ty::Str),
    ("last_agt", "MOP", Ty::Str),
    ("qtime", "MaP", Ty::U32),
    ("ctime", "MaP", Ty::U32),
    ("rtime", "MaP", Ty::U32),
    ("ttime", "MaP", Ty::U32),
    ("agent_status", "MOP", Ty::Str),
    ("agent_code", "MOP", Ty::U32),
    ("agent_duration", "MDP", Ty::U64),
    ("check_desc", "MOP", Ty::Str),
    ("agent_desc", "MOP", Ty::Str),
    ("check_rise", "CGS", Ty::U32),
    ("check_fall", "CGS", Ty::U32),
    ("check_health", "CGS", Ty::U32),
    ("agent_rise", "CGS", Ty::U32),
    ("agent_fall", "CGS", Ty::U32),
    ("agent_health", "CGS", Ty::U32),
    ("addr", "CGS", Ty::Str),
    ("cookie", "CNS", Ty::Str),
    ("mode", "CGS", Ty::Str),
    ("algo", "CGS", Ty::Str),
    ("conn_rate", "MRP", Ty::U32),
    ("conn_rate_max", "MMP", Ty::U32),
    ("conn_tot", "MCP", Ty::U64),
    ("intercepted", "MCP", Ty::U64),
    ("dcon", "MCP", Ty::U64),
    ("dses", "MCP", Ty::U64),
    ("wrew", "MCP", Ty::U64),
    ("connect", "MCP", Ty::U64),
    ("reuse", "MCP", Ty::U64),
    ("cache_lookups", "MCP", Ty::U64),
    ("cache_hits", "MCP", Ty::U64),
    ("srv_icur", "MGP", Ty::U32),
    ("src_ilim", "MGP", Ty::U32),
    ("qtime_max", "MMP", Ty::U32),
    ("ctime_max", "MMP", Ty::U32),
    ("rtime_max", "MMP", Ty::U32),
    ("ttime_max", "MMP", Ty::U32),
    ("eint", "MCP", Ty::U64),
    ("idle_conn_cur", "MGP", Ty::U32),
    ("safe_conn_cur", "MGP", Ty::U32),
    ("used_conn_cur", "MGP", Ty::U32),
    ("need_conn_est", "MGP", Ty::U32),
    ("uweight", "MaP", Ty::U32),
    ("agg_server_status", "MGP", Ty::U32),
    ("agg_server_check_status", "MGP", Ty::U32),
    ("agg_check_status", "MGP", Ty::U32),
    ("ssl_sess", "MCP", Ty::U64),
    ("ssl_reused_sess", "MCP", Ty::U64),
    ("ssl_failed_handshake", "MCP", Ty::U64),
    ("h2_headers_rcvd", "MCP", Ty::U64),
    ("h2_data_rcvd", "MCP", Ty::U64),
    ("h2_settings_rcvd", "MCP", Ty::U64),
    ("h2_rst_stream_rcvd", "MCP", Ty::U64),
    ("h2_goaway_rcvd", "MCP", Ty::U64),
    ("h2_detected_conn_protocol_errors", "MCP", Ty::U64),
    ("h2_detected_strm_protocol_errors", "MCP", Ty::U64),
    ("h2_rst_stream_resp", "MCP", Ty::U64),
    ("h2_goaway_resp", "MCP", Ty::U64),
    ("h2_open_connections", "MGP", Ty::U64),
    ("h2_backend_open_streams", "MGP", Ty::U64),
    ("h2_total_connections", "MCP", Ty::U64),
    ("h2_backend_total_streams", "MCP", Ty::U64),
    ("h1_open_connections", "MGP", Ty::U64),
    ("h1_open_streams", "MGP", Ty::U64),
    ("h1_total_connections", "MCP", Ty::U64),
    ("h1_total_streams", "MCP", Ty::U64),
    ("h1_bytes_in", "MCP", Ty::U64),
    ("h1_bytes_out", "MCP", Ty::U64),
    ("h1_spliced_bytes_in", "MCP", Ty::U64),
    ("h1_spliced_bytes_out", "MCP", Ty::U64),
];

/// Tags that differ on BACKEND rows (the backend's act/bck/rate are gauges).
pub fn backend_tags(name: &str) -> Option<&'static str> {
    match name {
        "act" | "bck" | "rate" | "rate_max" => Some("MGP"),
        _ => None,
    }
}

/// `show info` keys in output order, with typed-output tags.
pub const INFO_FIELDS: &[(&str, &str, Ty)] = &[
    ("Name", "POS", Ty::Str),
    ("Version", "POS", Ty::Str),
    ("Release_date", "POS", Ty::Str),
    ("Nbthread", "CGS", Ty::U32),
    ("Nbproc", "CGS", Ty::U32),
    ("Process_num", "KGP", Ty::U32),
    ("Pid", "SGP", Ty::U32),
    ("Uptime", "MDP", Ty::Str),
    ("Uptime_sec", "MDP", Ty::U32),
    ("Memmax_MB", "CLP", Ty::U32),
    ("PoolAlloc_MB", "MGP", Ty::U32),
    ("PoolUsed_MB", "MGP", Ty::U32),
    ("PoolFailed", "MCP", Ty::U32),
    ("Ulimit-n", "CLP", Ty::U32),
    ("Maxsock", "CLP", Ty::U32),
    ("Maxconn", "CLP", Ty::U32),
    ("Hard_maxconn", "CLP", Ty::U32),
    ("CurrConns", "MGP", Ty::U32),
    ("CumConns", "MCP", Ty::U32),
    ("CumReq", "MCP", Ty::U32),
    ("MaxSslConns", "MMP", Ty::U32),
    ("CurrSslConns", "MGP", Ty::U32),
    ("CumSslConns", "MCP", Ty::U32),
    ("Maxpipes", "CLP", Ty::U32),
    ("PipesUsed", "MGP", Ty::U32),
    ("PipesFree", "MGP", Ty::U32),
    ("ConnRate", "MRP", Ty::U32),
    ("ConnRateLimit", "CLP", Ty::U32),
    ("MaxConnRate", "MMP", Ty::U32),
    ("SessRate", "MRP", Ty::U32),
    ("SessRateLimit", "CLP", Ty::U32),
    ("MaxSessRate", "MRP", Ty::U32),
    ("SslRate", "MRP", Ty::U32),
    ("SslRateLimit", "CLP", Ty::U32),
    ("MaxSslRate", "MMP", Ty::U32),
    ("SslFrontendKeyRate", "MGP", Ty::U32),
    ("SslFrontendMaxKeyRate", "MMP", Ty::U32),
    ("SslFrontendSessionReuse_pct", "MGP", Ty::U32),
    ("SslBackendKeyRate", "MRP", Ty::U32),
    ("SslBackendMaxKeyRate", "MMP", Ty::U32),
    ("SslCacheLookups", "MCP", Ty::U32),
    ("SslCacheMisses", "MCP", Ty::U32),
    ("CompressBpsIn", "MRP", Ty::U32),
    ("CompressBpsOut", "MRP", Ty::U32),
    ("CompressBpsRateLim", "CLP", Ty::U32),
    ("Tasks", "MGP", Ty::U32),
    ("Run_queue", "MGP", Ty::U32),
    ("Idle_pct", "MaP", Ty::U32),
    ("node", "COS", Ty::Str),
    ("description", "COS", Ty::Str),
    ("Stopping", "MGP", Ty::U32),
    ("Jobs", "MGP", Ty::U32),
    ("Unstoppable Jobs", "MGP", Ty::U32),
    ("Listeners", "MGP", Ty::U32),
    ("ActivePeers", "MGP", Ty::U32),
    ("ConnectedPeers", "MGP", Ty::U32),
    ("DroppedLogs", "MGP", Ty::U32),
    ("BusyPolling", "MGP", Ty::U32),
    ("FailedResolutions", "MGP", Ty::U32),
    ("TotalBytesOut", "MGP", Ty::U64),
    ("TotalSplicdedBytesOut", "MGP", Ty::U64),
    ("BytesOutRate", "MRP", Ty::U64),
    ("DebugCommandsIssued", "MGP", Ty::U32),
    ("CumRecvLogs", "MCP", Ty::U32),
    ("Build info", "POS", Ty::Str),
    ("Memmax_bytes", "CLP", Ty::U32),
    ("PoolAlloc_bytes", "MGP", Ty::U64),
    ("PoolUsed_bytes", "MGP", Ty::U64),
    ("Start_time_sec", "MDP", Ty::U32),
    ("Tainted", "SGP", Ty::Str),
];

/// The field position HAProxy 2.6 prints for `INFO_FIELDS[idx]` in typed
/// and JSON output (two slots before `Tasks`, zlib memory usage in
/// HAProxy, are never printed).
pub fn info_pos(idx: usize) -> usize {
    if idx >= 45 {
        idx + 2
    } else {
        idx
    }
}

/// Expand a 3-letter tag (origin, nature, scope) into JSON words.
pub fn tag_words(tags: &str) -> (&'static str, &'static str, &'static str) {
    let b = tags.as_bytes();
    let origin = match b.first() {
        Some(b'M') => "Metric",
        Some(b'S') => "Status",
        Some(b'K') => "Key",
        Some(b'C') => "Config",
        Some(b'P') => "Product",
        _ => "",
    };
    let nature = match b.get(1) {
        Some(b'G') => "Gauge",
        Some(b'L') => "Limit",
        Some(b'M') => "Max",
        Some(b'R') => "Rate",
        Some(b'C') => "Counter",
        Some(b'D') => "Duration",
        Some(b'A') => "Age",
        Some(b'T') => "Time",
        Some(b'N') => "Name",
        Some(b'O') => "Output",
        Some(b'a') => "Avg",
        _ => "",
    };
    let scope = match b.get(2) {
        Some(b'P') => "Process",
        Some(b'S') => "Service",
        Some(b'C') => "Cluster",
        _ => "",
    };
    (origin, nature, scope)
}
