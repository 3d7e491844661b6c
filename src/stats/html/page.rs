//! The stats page markup: header block, then one table per proxy with its
//! frontend, server and backend rows.

use super::style::STYLE;
use super::{ActionStatus, AdminAction, PageConfig, PageRequest};
use crate::stats::fields::Field;
use crate::stats::info::uptime_text;
use crate::stats::rows::{backend_row, frontend_row, server_row, server_status, Row};
use crate::stats::snapshot::{OpState, ProxySnap, ServerSnap, Snapshot};
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A duration the way the page prints ages: "4s", "2m30s", "1h02m", "3d4h".
pub fn human_time(secs: i64) -> String {
    if secs < 0 {
        return "?".into();
    }
    let (d, h, m, s) = (
        secs / 86400,
        (secs % 86400) / 3600,
        (secs % 3600) / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m{s:02}s")
    } else {
        format!("{s}s")
    }
}

/// The row class of a server (HAProxy's page colours): `maintain`, or
/// `active_`/`backup_` followed by the health style.
pub fn server_class(s: &ServerSnap) -> String {
    let status = server_status(s);
    if status.starts_with("MAINT") {
        return "maintain".into();
    }
    let style = if status == "DOWN" || status == "DOWN (agent)" {
        "down"
    } else if status.starts_with("DOWN ") {
        "going_up"
    } else if status.starts_with("DRAIN") {
        "draining"
    } else if status.starts_with("NOLB ") {
        "going_down"
    } else if status == "NOLB" {
        "nolb"
    } else if status == "no check" {
        "no_check"
    } else if status.starts_with("UP ") {
        // Still up but failed its last checks.
        "going_down"
    } else if s.weight == 0 {
        "draining"
    } else {
        "up"
    };
    let kind = if s.backup { "backup" } else { "active" };
    format!("{kind}_{style}")
}

fn is_up(s: &ServerSnap) -> bool {
    !s.admin.maint() && s.op != OpState::Stopped
}

fn cell(r: &Row, name: &str) -> String {
    match r.get(name) {
        Some(Field::Num(n)) => n.to_string(),
        Some(Field::Str(s)) => esc(s),
        _ => String::new(),
    }
}

fn num(r: &Row, name: &str) -> i64 {
    match r.get(name) {
        Some(Field::Num(n)) => *n,
        _ => 0,
    }
}

/// Cells of a row: plain `<td>` each.
fn tds(out: &mut String, cells: &[String]) {
    for c in cells {
        let _ = write!(out, "<td>{c}</td>");
    }
}

/// Whether the page shows proxy `px` (config `stats scope` and the
/// request's `scope=` text, a case-insensitive substring).
fn shown(px: &ProxySnap, cfg: &PageConfig, req: &PageRequest) -> bool {
    cfg.in_scope(&px.name)
        && req
            .scope
            .as_ref()
            .is_none_or(|t| px.name.to_lowercase().contains(&t.to_lowercase()))
}

fn head(out: &mut String, snap: &Snapshot, cfg: &PageConfig) {
    let node = node_name(snap, cfg);
    let title = match &node {
        Some(n) => format!("Statistics Report for HAProxy on {}", esc(n)),
        None => "Statistics Report for HAProxy".into(),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html>\n<head>\n<title>{title}</title>\n\
         <meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\">\n\
         <style type=\"text/css\">\n{STYLE}</style>\n</head>\n<body>\n"
    );
}

fn node_name(snap: &Snapshot, cfg: &PageConfig) -> Option<String> {
    cfg.show_node.as_ref().map(|n| {
        if n.is_empty() {
            snap.info.node.clone()
        } else {
            n.clone()
        }
    })
}

fn description(snap: &Snapshot, cfg: &PageConfig) -> Option<String> {
    let d = cfg.show_desc.as_ref()?;
    if d.is_empty() {
        snap.info.description.clone().filter(|d| !d.is_empty())
    } else {
        Some(d.clone())
    }
}

/// Title lines, process information, legend and display options.
fn header_block(out: &mut String, snap: &Snapshot, cfg: &PageConfig, req: &PageRequest) {
    let i = &snap.info;
    if cfg.hide_version {
        out.push_str("<h1 class=\"product\">HAProxy</h1>\n");
    } else {
        let _ = writeln!(
            out,
            "<h1 class=\"product\">HAProxy version {}, released {}</h1>",
            esc(&i.version),
            esc(&i.release_date)
        );
    }
    let mut h2 = format!("Statistics Report for pid {}", i.pid);
    if let Some(n) = node_name(snap, cfg) {
        let _ = write!(h2, " on {}", esc(&n));
    }
    if let Some(d) = description(snap, cfg) {
        let _ = write!(h2, ": {}", esc(&d));
    }
    let _ = writeln!(out, "<h2>{h2}</h2>");
    out.push_str("<h3>&gt; General process information</h3>\n<table class=\"info\"><tr><td>\n");
    let _ = writeln!(
        out,
        "<b>pid</b> {} (nbthread {})<br>\n<b>uptime</b> {}<br>\n\
         <b>limits</b>: ulimit-n {}, maxsock {}, maxconn {}<br>\n\
         <b>current conns</b> {}; conn rate {}/s; session rate {}/s<br>\n\
         <b>tasks</b> {}/{}; idle {} %",
        i.pid,
        i.nbthread,
        uptime_text(i.uptime_sec),
        i.ulimit_n,
        i.maxsock,
        i.maxconn,
        i.curr_conns,
        i.conn_rate,
        i.sess_rate,
        i.run_queue,
        i.tasks,
        i.idle_pct
    );
    out.push_str("</td><td>\n<table class=\"lgd\">\n");
    for (class, text) in [
        ("active_up", "active UP"),
        ("backup_up", "backup UP"),
        ("active_going_down", "active UP, failing checks"),
        ("backup_going_down", "backup UP, failing checks"),
        ("active_going_up", "active DOWN, passing checks"),
        ("backup_going_up", "backup DOWN, passing checks"),
        ("active_down", "DOWN"),
        ("active_no_check", "no health check"),
        ("maintain", "maintenance (MAINT)"),
        ("active_draining", "draining (DRAIN) or soft-stopped (NOLB)"),
    ] {
        let _ = writeln!(
            out,
            "<tr><td class=\"{class}\">&nbsp;</td><td class=\"noborder\">{text}</td></tr>"
        );
    }
    out.push_str("</table>\n</td><td>\n<b>Display options</b>\n<ul>\n");
    let scope = req.scope.as_deref().unwrap_or("");
    let _ = writeln!(
        out,
        "<li><form method=\"GET\">Scope: <input value=\"{}\" name=\"scope\" size=\"8\" maxlength=\"{}\"/></form>",
        esc(scope),
        super::SCOPE_MAX
    );
    let link = |out: &mut String, opts: String, text: &str| {
        let _ = writeln!(
            out,
            "<li><a href=\"{}{}\">{text}</a>",
            esc(&cfg.uri),
            esc(&opts)
        );
    };
    if req.up_only {
        link(out, req.carried(false, req.norefresh), "Show all servers");
    } else {
        link(out, req.carried(true, req.norefresh), "Hide 'DOWN' servers");
    }
    if cfg.refresh.is_some() {
        if req.norefresh {
            link(out, req.carried(req.up_only, false), "Enable refresh");
        } else {
            link(out, req.carried(req.up_only, true), "Disable refresh");
        }
    }
    link(out, req.carried(req.up_only, req.norefresh), "Refresh now");
    link(
        out,
        format!(";csv{}", req.carried(false, true)),
        "CSV export",
    );
    link(
        out,
        format!(";json{}", req.carried(false, true)),
        "JSON export",
    );
    out.push_str("</ul>\n</td></tr></table>\n");
}

fn status_message(out: &mut String, cfg: &PageConfig, st: ActionStatus) {
    let (class, text) = match st {
        ActionStatus::Done => ("active_up", "The action was applied."),
        ActionStatus::Part => (
            "active_going_down",
            "The action was applied to some servers only; the others are unknown or ambiguous.",
        ),
        ActionStatus::None => ("active_going_down", "Nothing was changed."),
        ActionStatus::Errp => (
            "active_down",
            "The action was not applied: invalid backend, server or action.",
        ),
        ActionStatus::Excd => (
            "active_down",
            "The action was not applied: request too large.",
        ),
        ActionStatus::Deny => (
            "active_down",
            "The action was not applied: administration is not allowed.",
        ),
        ActionStatus::Ival => (
            "active_down",
            "The action was not applied: invalid request.",
        ),
        ActionStatus::Unkn => ("active_no_check", "Unexpected result."),
    };
    let _ = writeln!(
        out,
        "<p><div class={class}><a class=lfsb href=\"{}\" title=\"Dismiss\">[X]</a> {text}</div>",
        esc(&cfg.uri)
    );
}

const GROUPS: [(&str, &[&str]); 8] = [
    ("Queue", &["Cur", "Max", "Limit"]),
    ("Session rate", &["Cur", "Max", "Limit"]),
    (
        "Sessions",
        &["Cur", "Max", "Limit", "Total", "LbTot", "Last"],
    ),
    ("Bytes", &["In", "Out"]),
    ("Denied", &["Req", "Resp"]),
    ("Errors", &["Req", "Conn", "Resp"]),
    ("Warnings", &["Retr", "Redis"]),
    (
        "Server",
        &[
            "Status", "LastChk", "Wght", "Act", "Bck", "Chk", "Dwn", "Dwntme", "Thrtle",
        ],
    ),
];

fn proxy_header(out: &mut String, px: &ProxySnap, admin: bool, form: bool, legends: bool) {
    let name = esc(&px.name);
    let cap = match (px.frontend.is_some(), px.backend.is_some()) {
        (true, true) => "proxy",
        (true, false) => "frontend",
        _ => "backend",
    };
    let tip = if legends {
        format!(
            " title=\"cap: {cap}, mode: {}, id: {}\"",
            esc(&px.mode),
            px.iid
        )
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\"><th class=\"pxname\" width=\"10%\"{tip}>\
         <a name=\"{name}\"></a><a class=px href=\"#{name}\">{name}</a></th>\
         <th class=\"empty\" width=\"90%\"></th></tr>\n</table>\n<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\">"
    );
    if form {
        let _ = write!(
            out,
            "<th rowspan=2 width=1><input type=\"checkbox\" title=\"select all\" \
             onclick=\"var l=document.getElementsByClassName('{name}-checkbox');\
             for(var i=0;i<l.length;i++)l[i].checked=this.checked\"></th>"
        );
    } else if admin {
        out.push_str("<th rowspan=2></th>");
    }
    out.push_str("<th rowspan=2></th>");
    for (g, cols) in GROUPS {
        let _ = write!(out, "<th colspan={}>{g}</th>", cols.len());
    }
    out.push_str("</tr>\n<tr class=\"titre\">");
    for (_, cols) in GROUPS {
        for c in cols {
            let _ = write!(out, "<th>{c}</th>");
        }
    }
    out.push_str("</tr>\n");
}

fn name_cell(out: &mut String, px: &ProxySnap, label: &str, tip: Option<String>) {
    let anchor = esc(&format!("{}/{}", px.name, label));
    let title = tip.map_or(String::new(), |t| format!(" title=\"{}\"", esc(&t)));
    let _ = write!(
        out,
        "<td class=ac{title}><a name=\"{anchor}\"></a><a class=lfsb href=\"#{anchor}\">{}</a></td>",
        esc(label)
    );
}

fn frontend_tr(out: &mut String, px: &ProxySnap, r: &Row, admin: bool) {
    out.push_str("<tr class=\"frontend\">");
    if admin {
        out.push_str("<td></td>");
    }
    name_cell(out, px, "Frontend", None);
    let rate_lim = match num(r, "rate_lim") {
        0 => String::new(),
        n => n.to_string(),
    };
    tds(
        out,
        &[
            String::new(),
            String::new(),
            String::new(),
            cell(r, "rate"),
            cell(r, "rate_max"),
            rate_lim,
            cell(r, "scur"),
            cell(r, "smax"),
            cell(r, "slim"),
            cell(r, "stot"),
            String::new(),
            String::new(),
            cell(r, "bin"),
            cell(r, "bout"),
            cell(r, "dreq"),
            cell(r, "dresp"),
            cell(r, "ereq"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ],
    );
    let _ = writeln!(
        out,
        "<td class=ac>{}</td><td class=ac colspan=8></td></tr>",
        cell(r, "status")
    );
}

fn last_check(s: &ServerSnap) -> (String, Option<String>) {
    let Some(c) = s.check.as_ref().filter(|c| c.enabled) else {
        return (String::new(), None);
    };
    let mut t = String::new();
    if c.in_progress {
        t.push_str("* ");
    }
    t.push_str(&c.status);
    if let Some(code) = c.code {
        let _ = write!(t, "/{code}");
    }
    if let Some(d) = c.duration {
        let _ = write!(t, " in {d}ms");
    }
    let mut tip = c.desc.clone();
    if !c.info.is_empty() {
        let _ = write!(tip, ": {}", c.info);
    }
    (esc(&t), Some(tip))
}

fn server_tr(out: &mut String, px: &ProxySnap, s: &ServerSnap, admin: bool, legends: bool) {
    let r = server_row(px, s, legends);
    let _ = write!(out, "<tr class=\"{}\">", server_class(s));
    if admin {
        let _ = write!(
            out,
            "<td><input class='{}-checkbox' type=\"checkbox\" name=\"s\" value=\"{}\"></td>",
            esc(&px.name),
            esc(&s.name)
        );
    }
    let tip = legends.then(|| format!("address: {}, id: {}", s.addr, s.sid));
    name_cell(out, px, &s.name, tip);
    let dash = |f: Option<u32>| f.map_or("-".to_string(), |v| v.to_string());
    tds(
        out,
        &[
            cell(&r, "qcur"),
            cell(&r, "qmax"),
            dash(s.qlimit),
            cell(&r, "rate"),
            cell(&r, "rate_max"),
            String::new(),
            cell(&r, "scur"),
            cell(&r, "smax"),
            match r.get("slim") {
                Some(Field::Num(n)) => n.to_string(),
                _ => "-".into(),
            },
            cell(&r, "stot"),
            cell(&r, "lbtot"),
            human_time(s.side.lastsess),
            cell(&r, "bin"),
            cell(&r, "bout"),
            String::new(),
            cell(&r, "dresp"),
            String::new(),
            cell(&r, "econ"),
            cell(&r, "eresp"),
            cell(&r, "wretr"),
            cell(&r, "wredis"),
        ],
    );
    let status = format!(
        "{} {}",
        human_time(i64::from(s.side.lastchg)),
        server_status(s)
    );
    let (chk, chk_tip) = last_check(s);
    let chk_title = chk_tip.map_or(String::new(), |t| format!(" title=\"{}\"", esc(&t)));
    let has_check = s.check.is_some();
    let yes_no = |b: bool| if b { "Y" } else { "-" };
    let _ = write!(
        out,
        "<td class=ac>{}</td><td class=ac{chk_title}>{chk}</td><td class=ac>{}/{}</td>\
         <td class=ac>{}</td><td class=ac>{}</td>",
        esc(&status),
        s.weight,
        s.uweight,
        yes_no(!s.backup),
        yes_no(s.backup)
    );
    if has_check {
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td><td>{}</td>",
            s.chkfail,
            s.side.chkdown,
            human_time(i64::from(s.side.downtime))
        );
    } else {
        out.push_str("<td></td><td></td><td></td>");
    }
    let _ = writeln!(
        out,
        "<td class=ac>{}</td></tr>",
        dash(s.throttle.map(|t| t.min(100)))
    );
}

fn backend_tr(out: &mut String, px: &ProxySnap, admin: bool, legends: bool) {
    let Some(r) = backend_row(px, legends) else {
        return;
    };
    out.push_str("<tr class=\"backend\">");
    if admin {
        out.push_str("<td></td>");
    }
    let tip = legends.then(|| format!("balancing: {}", px.algo));
    name_cell(out, px, "Backend", tip);
    let last = match r.get("lastsess") {
        Some(Field::Num(n)) => human_time(*n),
        _ => String::new(),
    };
    tds(
        out,
        &[
            cell(&r, "qcur"),
            cell(&r, "qmax"),
            String::new(),
            cell(&r, "rate"),
            cell(&r, "rate_max"),
            String::new(),
            cell(&r, "scur"),
            cell(&r, "smax"),
            cell(&r, "slim"),
            cell(&r, "stot"),
            cell(&r, "lbtot"),
            last,
            cell(&r, "bin"),
            cell(&r, "bout"),
            cell(&r, "dreq"),
            cell(&r, "dresp"),
            String::new(),
            cell(&r, "econ"),
            cell(&r, "eresp"),
            cell(&r, "wretr"),
            cell(&r, "wredis"),
        ],
    );
    let downtime = match r.get("downtime") {
        Some(Field::Num(n)) => human_time(*n),
        _ => "&nbsp;".into(),
    };
    let _ = writeln!(
        out,
        "<td class=ac>{} {}</td><td class=ac>&nbsp;</td><td class=ac>{}/{}</td>\
         <td class=ac>{}</td><td class=ac>{}</td><td class=ac>&nbsp;</td><td>{}</td><td>{downtime}</td><td></td></tr>",
        human_time(num(&r, "lastchg")),
        cell(&r, "status"),
        cell(&r, "weight"),
        cell(&r, "uweight"),
        cell(&r, "act"),
        cell(&r, "bck"),
        cell(&r, "chkdown"),
    );
}

fn admin_controls(out: &mut String, px: &ProxySnap) {
    out.push_str("Apply to the selected servers: <select name=action><option value=\"\"></option>");
    for a in AdminAction::ALL {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            a.value(),
            a.label()
        );
    }
    let _ = writeln!(
        out,
        "</select><input type=\"hidden\" name=\"b\" value=\"#{}\">&nbsp;<input type=\"submit\" value=\"Apply\"></form>",
        px.iid
    );
}

fn proxy_table(out: &mut String, px: &ProxySnap, cfg: &PageConfig, req: &PageRequest, admin: bool) {
    let form = admin && px.backend.is_some() && !px.servers.is_empty();
    out.push_str("<p>\n");
    if form {
        out.push_str("<form method=\"post\">");
    }
    proxy_header(out, px, admin, form, cfg.show_legends);
    if let Some(fe) = &px.frontend {
        frontend_tr(out, px, &frontend_row(px, fe), admin);
    }
    if px.backend.is_some() {
        for s in &px.servers {
            if req.up_only && !is_up(s) {
                continue;
            }
            server_tr(out, px, s, admin, cfg.show_legends);
        }
        backend_tr(out, px, admin, cfg.show_legends);
    }
    out.push_str("</table>\n");
    if form {
        admin_controls(out, px);
    }
}

/// The whole page. `admin`: the client may use the admin form
/// (`stats admin` condition true for this request).
pub fn render(snap: &Snapshot, cfg: &PageConfig, req: &PageRequest, admin: bool) -> String {
    let req = &req.effective(cfg);
    let mut out = String::new();
    head(&mut out, snap, cfg);
    header_block(&mut out, snap, cfg, req);
    if let Some(st) = req.status {
        status_message(&mut out, cfg, st);
    }
    for px in snap.proxies.iter().filter(|p| shown(p, cfg, req)) {
        proxy_table(&mut out, px, cfg, req, admin);
    }
    out.push_str("<p>\n</body>\n</html>\n");
    out
}
