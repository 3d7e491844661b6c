//! Snapshot → stats rows: one cell per CSV column, left empty where
//! HAProxy 2.6 leaves that column empty for the row type (management
//! guide §9.1 lists which columns apply to which row type).

use super::fields::{Field, COLUMNS};
use super::snapshot::{
    BackendSide, CheckSnap, FrontendSnap, MuxCounters, OpState, ProxySnap, ServerSnap, Traffic,
};

/// Row type, as in the `type` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Frontend,
    Backend,
    Server,
}

impl RowKind {
    pub fn number(self) -> u32 {
        match self {
            RowKind::Frontend => 0,
            RowKind::Backend => 1,
            RowKind::Server => 2,
        }
    }
    /// Letter of typed output, word of JSON output.
    pub fn letter(self) -> char {
        match self {
            RowKind::Frontend => 'F',
            RowKind::Backend => 'B',
            RowKind::Server => 'S',
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            RowKind::Frontend => "Frontend",
            RowKind::Backend => "Backend",
            RowKind::Server => "Server",
        }
    }
}

/// One row of stats.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub kind: RowKind,
    pub iid: u32,
    pub sid: u32,
    pub cells: Vec<Field>,
}

impl Row {
    fn new(kind: RowKind, iid: u32, sid: u32) -> Row {
        Row {
            kind,
            iid,
            sid,
            cells: vec![Field::Empty; COLUMNS.len()],
        }
    }
    fn set(&mut self, name: &str, v: Field) {
        if let Some(i) = COLUMNS.iter().position(|c| c.0 == name) {
            self.cells[i] = v;
        }
    }
    fn n<T: Into<i64>>(&mut self, name: &str, v: T) {
        self.set(name, Field::num(v));
    }
    fn u(&mut self, name: &str, v: u64) {
        self.set(name, Field::big(v));
    }
    /// The cell of column `name`.
    pub fn get(&self, name: &str) -> Option<&Field> {
        COLUMNS
            .iter()
            .position(|c| c.0 == name)
            .map(|i| &self.cells[i])
    }
}

fn common(r: &mut Row, px: &ProxySnap, svname: &str) {
    r.set("pxname", Field::text(&px.name));
    r.set("svname", Field::text(svname));
    r.n("pid", 1u32);
    r.n("iid", r.iid);
    r.n("sid", r.sid);
    r.n("type", r.kind.number());
    r.set("mode", Field::text(&px.mode));
}

fn traffic(r: &mut Row, t: &Traffic) {
    r.n("scur", t.scur);
    r.n("smax", t.smax);
    r.u("stot", t.stot);
    r.u("bin", t.bin);
    r.u("bout", t.bout);
    r.u("dresp", t.dresp);
    r.n("rate", t.rate);
    r.n("rate_max", t.rate_max);
    for (i, name) in [
        "hrsp_1xx",
        "hrsp_2xx",
        "hrsp_3xx",
        "hrsp_4xx",
        "hrsp_5xx",
        "hrsp_other",
    ]
    .iter()
    .enumerate()
    {
        r.u(name, t.hrsp[i]);
    }
    r.u("req_tot", t.req_tot);
    r.u("wrew", t.wrew);
    r.u("eint", t.eint);
    r.u("ssl_sess", t.ssl_sess);
    r.u("ssl_reused_sess", t.ssl_reused_sess);
    r.u("ssl_failed_handshake", t.ssl_failed_handshake);
}

const COMP: [&str; 4] = ["comp_in", "comp_out", "comp_byp", "comp_rsp"];
const H2: [&str; 13] = [
    "h2_headers_rcvd",
    "h2_data_rcvd",
    "h2_settings_rcvd",
    "h2_rst_stream_rcvd",
    "h2_goaway_rcvd",
    "h2_detected_conn_protocol_errors",
    "h2_detected_strm_protocol_errors",
    "h2_rst_stream_resp",
    "h2_goaway_resp",
    "h2_open_connections",
    "h2_backend_open_streams",
    "h2_total_connections",
    "h2_backend_total_streams",
];
const H1: [&str; 8] = [
    "h1_open_connections",
    "h1_open_streams",
    "h1_total_connections",
    "h1_total_streams",
    "h1_bytes_in",
    "h1_bytes_out",
    "h1_spliced_bytes_in",
    "h1_spliced_bytes_out",
];

fn mux(r: &mut Row, m: &MuxCounters) {
    for (name, v) in H2.iter().zip(m.h2) {
        r.u(name, v);
    }
    for (name, v) in H1.iter().zip(m.h1) {
        r.u(name, v);
    }
}

fn side(r: &mut Row, s: &BackendSide) {
    r.n("qcur", s.qcur);
    r.n("qmax", s.qmax);
    r.u("econ", s.econ);
    r.u("eresp", s.eresp);
    r.u("wretr", s.wretr);
    r.u("wredis", s.wredis);
    r.u("lbtot", s.lbtot);
    r.u("cli_abrt", s.cli_abrt);
    r.u("srv_abrt", s.srv_abrt);
    r.n("lastsess", s.lastsess);
    r.n("qtime", s.qtime);
    r.n("ctime", s.ctime);
    r.n("rtime", s.rtime);
    r.n("ttime", s.ttime);
    r.n("qtime_max", s.qtime_max);
    r.n("ctime_max", s.ctime_max);
    r.n("rtime_max", s.rtime_max);
    r.n("ttime_max", s.ttime_max);
    r.u("connect", s.connect);
    r.u("reuse", s.reuse);
    r.n("lastchg", s.lastchg);
}

pub fn frontend_row(px: &ProxySnap, f: &FrontendSnap) -> Row {
    let mut r = Row::new(RowKind::Frontend, px.iid, 0);
    common(&mut r, px, "FRONTEND");
    traffic(&mut r, &f.traffic);
    r.n("slim", f.slim);
    r.u("dreq", f.dreq);
    r.u("ereq", f.ereq);
    r.set("status", Field::text(&f.status));
    r.n("rate_lim", f.rate_lim);
    r.n("req_rate", f.req_rate);
    r.n("req_rate_max", f.req_rate_max);
    for (i, name) in COMP.iter().enumerate() {
        r.u(name, f.comp[i]);
    }
    r.n("conn_rate", f.conn_rate);
    r.n("conn_rate_max", f.conn_rate_max);
    r.u("conn_tot", f.conn_tot);
    r.u("intercepted", f.intercepted);
    r.u("dcon", f.dcon);
    r.u("dses", f.dses);
    r.u("cache_lookups", f.cache_lookups);
    r.u("cache_hits", f.cache_hits);
    mux(&mut r, &f.mux);
    r
}

/// `legends`: the `addr` and `algo` columns are printed only to clients
/// allowed to see them (operator level and above on the CLI, `stats
/// show-legends` on the page).
pub fn backend_row(px: &ProxySnap, legends: bool) -> Option<Row> {
    let b = px.backend.as_ref()?;
    let mut r = Row::new(RowKind::Backend, px.iid, 0);
    common(&mut r, px, "BACKEND");
    traffic(&mut r, &b.traffic);
    side(&mut r, &b.side);
    r.n("slim", b.slim);
    r.u("dreq", b.dreq);
    let (weight, act, bck, uweight) = px.backend_weights();
    let up = weight > 0 || px.servers.is_empty();
    r.set("status", Field::text(if up { "UP" } else { "DOWN" }));
    r.n("weight", weight);
    r.n("act", act);
    r.n("bck", bck);
    r.n("uweight", uweight);
    r.u("chkdown", b.side.chkdown);
    if !px.servers.is_empty() {
        r.n("downtime", b.side.downtime);
    }
    for (i, name) in COMP.iter().enumerate() {
        r.u(name, b.comp[i]);
    }
    r.u("cache_lookups", b.cache_lookups);
    r.u("cache_hits", b.cache_hits);
    if let Some(c) = &b.cookie {
        r.set("cookie", Field::text(c));
    }
    if legends {
        r.set("algo", Field::text(&px.algo));
    }
    r.n("agg_server_status", 0u32);
    r.n("agg_server_check_status", 0u32);
    r.n("agg_check_status", 0u32);
    mux(&mut r, &b.mux);
    Some(r)
}

/// The `status` column of a server (HAProxy's server stats states).
pub fn server_status(s: &ServerSnap) -> String {
    if s.admin.maint() {
        if s.admin.imaint && !s.admin.fmaint && !s.admin.cmaint {
            if let Some(t) = &s.tracked {
                return format!("MAINT (via {t})");
            }
        }
        if s.admin.rmaint && !s.admin.fmaint && !s.admin.cmaint {
            return "MAINT (resolution)".into();
        }
        return "MAINT".into();
    }
    let check = s.check.as_ref().filter(|c| c.enabled);
    let agent = s.agent.as_ref().filter(|c| c.enabled);
    let mut state = match s.op {
        OpState::Running | OpState::Starting => match check {
            Some(c) if c.health < c.rise + c.fall.saturating_sub(1) => {
                format!("UP {}/{}", (c.health + 1).saturating_sub(c.rise), c.fall)
            }
            Some(_) => "UP".to_string(),
            None if s.tracked.is_none() && agent.is_none() => "no check".to_string(),
            None => "UP".to_string(),
        },
        OpState::Stopping => match check {
            Some(c) if c.health < c.rise + c.fall.saturating_sub(1) => {
                format!("NOLB {}/{}", (c.health + 1).saturating_sub(c.rise), c.fall)
            }
            _ => "NOLB".to_string(),
        },
        OpState::Stopped => match (agent, check) {
            (Some(a), _) if a.health == 0 => "DOWN (agent)".to_string(),
            (_, Some(c)) if c.health > 0 => format!("DOWN {}/{}", c.health, c.rise),
            _ => "DOWN".to_string(),
        },
    };
    if s.admin.drain() && matches!(s.op, OpState::Running | OpState::Starting) {
        state = if agent.is_some_and(|a| a.health > 0) && !s.admin.fdrain {
            "DRAIN (agent)".into()
        } else {
            "DRAIN".into()
        };
    }
    state
}

fn check_cells(r: &mut Row, c: &CheckSnap, agent: bool) {
    let (st, code, dur, desc, rise, fall, health, last) = if agent {
        (
            "agent_status",
            "agent_code",
            "agent_duration",
            "agent_desc",
            "agent_rise",
            "agent_fall",
            "agent_health",
            "last_agt",
        )
    } else {
        (
            "check_status",
            "check_code",
            "check_duration",
            "check_desc",
            "check_rise",
            "check_fall",
            "check_health",
            "last_chk",
        )
    };
    let status = if c.in_progress {
        format!("* {}", c.status)
    } else {
        c.status.clone()
    };
    r.set(st, Field::Str(status));
    r.set(code, Field::opt(c.code));
    r.set(dur, c.duration.map_or(Field::Empty, Field::big));
    r.set(desc, Field::text(&c.desc));
    r.n(rise, c.rise);
    r.n(fall, c.fall);
    r.n(health, c.health);
    r.set(last, Field::text(&c.info));
}

pub fn server_row(px: &ProxySnap, s: &ServerSnap, legends: bool) -> Row {
    let mut r = Row::new(RowKind::Server, px.iid, s.sid);
    common(&mut r, px, &s.name);
    traffic(&mut r, &s.traffic);
    side(&mut r, &s.side);
    // Servers have no denied-request, compression nor cache counters.
    r.set("status", Field::Str(server_status(s)));
    r.n("weight", s.weight);
    r.n("uweight", s.uweight);
    r.n("act", u32::from(!s.backup));
    r.n("bck", u32::from(s.backup));
    if let Some(c) = &s.check {
        r.u("chkfail", s.chkfail);
        r.u("chkdown", s.side.chkdown);
        r.n("downtime", s.side.downtime);
        check_cells(&mut r, c, false);
    }
    if let Some(a) = &s.agent {
        check_cells(&mut r, a, true);
    }
    r.set("qlimit", Field::opt(s.qlimit));
    r.set("throttle", Field::opt(s.throttle));
    r.set("hanafail", s.hanafail.map_or(Field::Empty, Field::big));
    if let Some(t) = &s.tracked {
        r.set("tracked", Field::text(t));
    }
    if legends {
        r.set("addr", Field::text(&s.addr));
    }
    if let Some(c) = &s.cookie {
        r.set("cookie", Field::text(c));
    }
    r.n("srv_icur", s.srv_icur);
    r.set("src_ilim", Field::opt(s.src_ilim));
    r.n("idle_conn_cur", s.idle_conn_cur);
    r.n("safe_conn_cur", s.safe_conn_cur);
    r.n("used_conn_cur", s.used_conn_cur);
    r.n("need_conn_est", s.need_conn_est);
    // Server rows carry only the SSL module's counters.
    r
}
