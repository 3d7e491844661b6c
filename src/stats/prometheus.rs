//! HAProxy 2.6's built-in Prometheus exporter (`http-request use-service
//! prometheus-exporter`, see the manual's "prometheus-exporter" service and
//! HAProxy's `addons/promex/README`): text exposition format 0.0.4 with
//! HAProxy's metric names, rendered from a [`Snapshot`].
//!
//! Layout: for each scope (process, frontend, backend, server) and each
//! metric of that scope, `# HELP`/`# TYPE` then one line per object, in
//! configuration order. The header of a metric is printed only when at
//! least one object has a value for it; the six `http_responses_total`
//! columns share one header.

mod tables;

use super::fields::Field;
use super::html::form_decode;
use super::info::info_values;
use super::rows::{backend_row, frontend_row, server_row, Row};
use super::snapshot::{OpState, ProxySnap, ServerSnap, Snapshot};
use crate::stats::fields::INFO_FIELDS;
pub use tables::{
    BACKEND_COLUMNS, COLUMN_METRICS, FRONTEND_COLUMNS, PROCESS_METRICS, SERVER_COLUMNS,
};

/// The `content-type` HAProxy answers with.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// Query parameters of the exporter (`/metrics?scope=backend&no-maint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromQuery {
    pub global: bool,
    pub frontend: bool,
    pub backend: bool,
    pub server: bool,
    /// Stick tables (harp prints none yet; the scope is accepted).
    pub sticktable: bool,
    /// `no-maint`: leave out servers in maintenance.
    pub no_maint: bool,
}

impl Default for PromQuery {
    fn default() -> Self {
        PromQuery {
            global: true,
            frontend: true,
            backend: true,
            server: true,
            sticktable: true,
            no_maint: false,
        }
    }
}

impl PromQuery {
    /// Parses the query string (or the whole request URI). The
    /// first `scope=` clears the default "everything"; several `scope=`
    /// add up; `scope=*` selects all. An unknown scope is an error (HAProxy
    /// answers 400); unknown parameters are ignored.
    pub fn parse(query: &str) -> Result<PromQuery, String> {
        let query = query.split_once('?').map_or(query, |(_, q)| q);
        let mut q = PromQuery::default();
        let mut scoped = false;
        for param in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = match param.split_once('=') {
                Some((k, v)) => (form_decode(k), Some(form_decode(v))),
                None => (form_decode(param), None),
            };
            match key.as_str() {
                "scope" => {
                    if !scoped {
                        scoped = true;
                        q.global = false;
                        q.frontend = false;
                        q.backend = false;
                        q.server = false;
                        q.sticktable = false;
                    }
                    match value.as_deref().unwrap_or("") {
                        "" => {}
                        "*" => {
                            q.global = true;
                            q.frontend = true;
                            q.backend = true;
                            q.server = true;
                            q.sticktable = true;
                        }
                        "global" => q.global = true,
                        "frontend" => q.frontend = true,
                        "backend" => q.backend = true,
                        "server" => q.server = true,
                        "sticktable" => q.sticktable = true,
                        other => return Err(format!("Invalid scope '{other}'")),
                    }
                }
                "no-maint" => q.no_maint = true,
                _ => {}
            }
        }
        Ok(q)
    }
}

/// States of the `status` metrics, in HAProxy's label order.
const FRONT_STATES: [&str; 2] = ["DOWN", "UP"];
const SRV_STATES: [&str; 5] = ["DOWN", "UP", "MAINT", "DRAIN", "NOLB"];
/// Health check statuses with a `check_status` series.
const CHECK_STATES: [&str; 16] = [
    "HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK", "L6TOUT", "L6RSP", "L7TOUT", "L7RSP",
    "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK",
];
const HRSP: [(&str, &str); 6] = [
    ("hrsp_1xx", "1xx"),
    ("hrsp_2xx", "2xx"),
    ("hrsp_3xx", "3xx"),
    ("hrsp_4xx", "4xx"),
    ("hrsp_5xx", "5xx"),
    ("hrsp_other", "other"),
];

/// Columns HAProxy prints only for HTTP proxies.
fn http_only(col: &str, server: bool) -> bool {
    match col {
        "hrsp" => true,
        _ if server => false,
        "req_rate_max" | "req_tot" | "intercepted" | "cache_lookups" | "cache_hits" | "comp_in"
        | "comp_out" | "comp_byp" | "comp_rsp" => true,
        _ => false,
    }
}

/// Columns in milliseconds that the exporter prints in seconds.
fn is_ms(col: &str) -> bool {
    matches!(
        col,
        "qtime"
            | "ctime"
            | "rtime"
            | "ttime"
            | "qtime_max"
            | "ctime_max"
            | "rtime_max"
            | "ttime_max"
    )
}

fn num(v: impl Into<f64>) -> String {
    let v: f64 = v.into();
    v.to_string()
}

fn secs(ms: f64) -> String {
    format!("{:.6}", ms / 1000.0)
}

fn cell_value(f: Option<&Field>, ms: bool) -> String {
    match f {
        Some(Field::Num(n)) if ms => secs(*n as f64),
        Some(Field::Num(n)) => n.to_string(),
        _ => "NaN".to_string(),
    }
}

/// A label value, escaped as the exposition format wants.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Accumulates one metric: the header goes out with its first sample.
struct Out<'a> {
    buf: &'a mut String,
    header: Option<String>,
}

impl Out<'_> {
    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: &str) {
        if let Some(h) = self.header.take() {
            self.buf.push_str(&h);
        }
        self.buf.push_str(name);
        if !labels.is_empty() {
            self.buf.push('{');
            let parts: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", label(v)))
                .collect();
            self.buf.push_str(&parts.join(","));
            self.buf.push('}');
        }
        self.buf.push(' ');
        self.buf.push_str(value);
        self.buf.push('\n');
    }
}

fn header(full: &str, help: &str, ty: &str) -> String {
    format!("# HELP {full} {help}\n# TYPE {full} {ty}\n")
}

fn metric_type(name: &str) -> &'static str {
    if name.ends_with("_total") {
        "counter"
    } else {
        "gauge"
    }
}

fn info_num(snap: &Snapshot, key: &str) -> String {
    let values = info_values(&snap.info);
    INFO_FIELDS
        .iter()
        .position(|f| f.0 == key)
        .and_then(|i| values.get(i))
        .map_or_else(|| "0".to_string(), |v| cell_value(Some(v), false))
}

fn process(snap: &Snapshot, buf: &mut String) {
    let i = &snap.info;
    for (name, ty, help) in PROCESS_METRICS {
        let full = format!("haproxy_process_{name}");
        let mut out = Out {
            buf,
            header: Some(header(&full, help, ty)),
        };
        let value = match *name {
            "nbthread" => num(i.nbthread),
            "nbproc" | "relative_process_id" => num(1),
            "uptime_seconds" => i.uptime_sec.to_string(),
            "max_fds" => num(i.ulimit_n),
            "max_sockets" => num(i.maxsock),
            "max_connections" => num(i.maxconn),
            "hard_max_connections" => num(i.hard_maxconn),
            "current_connections" => num(i.curr_conns),
            "connections_total" => i.cum_conns.to_string(),
            "requests_total" => i.cum_req.to_string(),
            "current_connection_rate" => num(i.conn_rate),
            "limit_connection_rate" => num(i.conn_rate_limit),
            "max_connection_rate" => num(i.max_conn_rate),
            "current_session_rate" => num(i.sess_rate),
            "limit_session_rate" => num(i.sess_rate_limit),
            "max_session_rate" => num(i.max_sess_rate),
            // harp has no zlib compressor memory accounting.
            "current_zlib_memory" | "max_zlib_memory" => "NaN".into(),
            "current_tasks" => num(i.tasks),
            "current_run_queue" => num(i.run_queue),
            "idle_time_percent" => num(i.idle_pct),
            "stopping" => num(u8::from(i.stopping)),
            "jobs" => num(i.jobs),
            "listeners" => num(i.listeners),
            "dropped_logs_total" => i.dropped_logs.to_string(),
            "bytes_out_total" => i.total_bytes_out.to_string(),
            "bytes_out_rate" => i.bytes_out_rate.to_string(),
            "pool_allocated_bytes" => i.pool_alloc_bytes.to_string(),
            "pool_used_bytes" => i.pool_used_bytes.to_string(),
            "start_time_seconds" => i.start_time_sec.to_string(),
            "build_info" => {
                out.sample(&full, &[("version", &i.version)], "1");
                continue;
            }
            "pool_failures_total" => info_num(snap, "PoolFailed"),
            _ => "0".into(),
        };
        out.sample(&full, &[], &value);
    }
}

fn help_of(col: &str) -> (&'static str, &'static str) {
    COLUMN_METRICS
        .iter()
        .find(|c| c.0 == col)
        .map_or(("", ""), |c| (c.1, c.2))
}

/// HAProxy's exporter view of a server state (its `promex_srv_status`).
fn srv_state(s: &ServerSnap) -> usize {
    if s.admin.maint() {
        return 2;
    }
    match s.op {
        OpState::Running | OpState::Starting if s.admin.drain() => 3,
        OpState::Running | OpState::Starting => 1,
        OpState::Stopping => 4,
        OpState::Stopped => 0,
    }
}

/// The check status word without the "in progress" marker.
fn check_word(s: &ServerSnap) -> Option<&str> {
    let c = s.check.as_ref().filter(|c| c.enabled)?;
    Some(c.status.trim_start_matches("* "))
}

fn frontends(snap: &Snapshot, buf: &mut String) {
    let rows: Vec<(&ProxySnap, Row)> = snap
        .proxies
        .iter()
        // Disabled (stopped) frontends are left out entirely.
        .filter_map(|p| p.frontend.as_ref().map(|f| (p, f)))
        .filter(|(_, f)| f.status != "STOP")
        .map(|(p, f)| (p, frontend_row(p, f)))
        .collect();
    for col in FRONTEND_COLUMNS {
        let (name, help) = help_of(col);
        let full = format!("haproxy_frontend_{name}");
        let mut out = Out {
            buf,
            header: Some(header(&full, help, metric_type(name))),
        };
        if *col == "hrsp" {
            for (c, code) in HRSP {
                for (px, row) in rows.iter().filter(|(p, _)| p.mode == "http") {
                    let v = cell_value(row.get(c), false);
                    out.sample(&full, &[("proxy", &px.name), ("code", code)], &v);
                }
            }
            continue;
        }
        for (px, row) in &rows {
            if http_only(col, false) && px.mode != "http" {
                continue;
            }
            if *col == "status" {
                let up = px.frontend.as_ref().is_some_and(|f| f.status != "STOP");
                for (i, st) in FRONT_STATES.iter().enumerate() {
                    let v = u8::from(usize::from(up) == i).to_string();
                    out.sample(&full, &[("proxy", &px.name), ("state", st)], &v);
                }
                continue;
            }
            out.sample(
                &full,
                &[("proxy", &px.name)],
                &cell_value(row.get(col), false),
            );
        }
    }
}

fn backends(snap: &Snapshot, q: &PromQuery, buf: &mut String) {
    let rows: Vec<(&ProxySnap, Row)> = snap
        .proxies
        .iter()
        .filter_map(|p| backend_row(p, false).map(|r| (p, r)))
        .collect();
    for col in BACKEND_COLUMNS {
        let (name, help) = help_of(col);
        let full = format!("haproxy_backend_{name}");
        let mut out = Out {
            buf,
            header: Some(header(&full, help, metric_type(name))),
        };
        if *col == "hrsp" {
            for (c, code) in HRSP {
                for (px, row) in rows.iter().filter(|(p, _)| p.mode == "http") {
                    let v = cell_value(row.get(c), false);
                    out.sample(&full, &[("proxy", &px.name), ("code", code)], &v);
                }
            }
            continue;
        }
        for (px, row) in &rows {
            if http_only(col, false) && px.mode != "http" {
                continue;
            }
            let servers = || {
                px.servers
                    .iter()
                    .filter(|s| !(q.no_maint && s.admin.maint()))
            };
            match *col {
                "status" => {
                    let up = matches!(row.get("status"), Some(Field::Str(s)) if s == "UP");
                    for (i, st) in FRONT_STATES.iter().enumerate() {
                        let v = u8::from(usize::from(up) == i).to_string();
                        out.sample(&full, &[("proxy", &px.name), ("state", st)], &v);
                    }
                }
                "agg_server_status" | "agg_server_check_status" => {
                    if px.servers.is_empty() {
                        continue;
                    }
                    for (i, st) in SRV_STATES.iter().enumerate() {
                        let n = servers().filter(|s| srv_state(s) == i).count();
                        out.sample(&full, &[("proxy", &px.name), ("state", st)], &n.to_string());
                    }
                }
                "agg_check_status" => {
                    if px.servers.is_empty() {
                        continue;
                    }
                    for st in CHECK_STATES {
                        let n = servers().filter(|s| check_word(s) == Some(st)).count();
                        out.sample(&full, &[("proxy", &px.name), ("state", st)], &n.to_string());
                    }
                }
                _ => {
                    let v = cell_value(row.get(col), is_ms(col));
                    out.sample(&full, &[("proxy", &px.name)], &v);
                }
            }
        }
    }
}

fn servers(snap: &Snapshot, q: &PromQuery, buf: &mut String) {
    let mut rows: Vec<(&ProxySnap, &ServerSnap, Row)> = Vec::new();
    for px in snap.proxies.iter().filter(|p| p.backend.is_some()) {
        for s in &px.servers {
            if q.no_maint && s.admin.maint() {
                continue;
            }
            rows.push((px, s, server_row(px, s, false)));
        }
    }
    for col in SERVER_COLUMNS {
        let (name, help) = help_of(col);
        let full = format!("haproxy_server_{name}");
        let mut out = Out {
            buf,
            header: Some(header(&full, help, metric_type(name))),
        };
        if *col == "hrsp" {
            for (c, code) in HRSP {
                for (px, s, row) in rows.iter().filter(|(p, _, _)| p.mode == "http") {
                    let v = cell_value(row.get(c), false);
                    let labels = [
                        ("proxy", px.name.as_str()),
                        ("server", &s.name),
                        ("code", code),
                    ];
                    out.sample(&full, &labels, &v);
                }
            }
            continue;
        }
        for (px, s, row) in &rows {
            let base = [("proxy", px.name.as_str()), ("server", s.name.as_str())];
            match *col {
                "status" => {
                    let cur = srv_state(s);
                    for (i, st) in SRV_STATES.iter().enumerate() {
                        let labels = [base[0], base[1], ("state", st)];
                        out.sample(&full, &labels, &u8::from(cur == i).to_string());
                    }
                }
                "check_status" => {
                    let Some(word) = check_word(s) else { continue };
                    for st in CHECK_STATES {
                        let labels = [base[0], base[1], ("state", st)];
                        out.sample(&full, &labels, &u8::from(word == st).to_string());
                    }
                }
                "check_code" => {
                    let Some(c) = s.check.as_ref().filter(|c| c.enabled) else {
                        continue;
                    };
                    // Only layer 5-7 checks have a code; others print 0.
                    out.sample(&full, &base, &c.code.unwrap_or(0).to_string());
                }
                "check_duration" => {
                    let Some(c) = s.check.as_ref().filter(|c| c.enabled) else {
                        continue;
                    };
                    out.sample(&full, &base, &secs(c.duration.unwrap_or(0) as f64));
                }
                _ => {
                    let v = cell_value(row.get(col), is_ms(col));
                    out.sample(&full, &base, &v);
                }
            }
        }
    }
}

/// The exporter's whole answer body for `q`.
pub fn render(snap: &Snapshot, q: &PromQuery) -> String {
    let mut buf = String::new();
    if q.global {
        process(snap, &mut buf);
    }
    if q.frontend {
        frontends(snap, &mut buf);
    }
    if q.backend {
        backends(snap, q, &mut buf);
    }
    if q.server {
        servers(snap, q, &mut buf);
    }
    buf
}
