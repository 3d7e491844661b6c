//! `show stat` and the `;csv` page: CSV, typed and JSON renderings
//! (management guide §9.1 "CSV format" and "show stat").

use super::fields::{backend_tags, tag_words, Field, COLUMNS, MODULE_START};
use super::rows::{backend_row, frontend_row, server_row, Row, RowKind};
use super::snapshot::{OpState, Snapshot};

/// Output format of `show stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatFormat {
    #[default]
    Csv,
    Typed,
    Json,
}

/// Which proxy `show stat <iid|name> ...` selects.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxySel {
    #[default]
    All,
    Iid(u32),
    Name(String),
}

/// `show stat [{<iid>|<proxy>} <type> <sid>] [typed|json] [up|no-maint]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatFilter {
    pub proxy: ProxySel,
    /// Bit 1: frontends, 2: backends, 4: servers (-1: all).
    pub types: i32,
    /// Server id, -1 for all.
    pub sid: i32,
    pub format: StatFormat,
    /// Only servers that are UP (`up`).
    pub up_only: bool,
    /// Leave out servers in maintenance (`no-maint`).
    pub no_maint: bool,
    /// Print `addr` and `algo` (see [`super::rows::backend_row`]).
    pub legends: bool,
}

impl Default for StatFilter {
    fn default() -> Self {
        StatFilter {
            proxy: ProxySel::All,
            types: -1,
            sid: -1,
            format: StatFormat::Csv,
            up_only: false,
            no_maint: false,
            legends: true,
        }
    }
}

impl StatFilter {
    fn wants(&self, kind: RowKind) -> bool {
        let bit = match kind {
            RowKind::Frontend => 1,
            RowKind::Backend => 2,
            RowKind::Server => 4,
        };
        self.types & bit != 0
    }
}

/// The rows selected by `f`, in HAProxy's order: for each proxy in
/// configuration order, its FRONTEND, its servers, then its BACKEND.
pub fn select_rows(snap: &Snapshot, f: &StatFilter) -> Vec<Row> {
    let mut rows = Vec::new();
    for px in &snap.proxies {
        match &f.proxy {
            ProxySel::All => {}
            ProxySel::Iid(i) if *i == px.iid => {}
            ProxySel::Name(n) if *n == px.name => {}
            _ => continue,
        }
        if f.wants(RowKind::Frontend) {
            if let Some(fe) = &px.frontend {
                rows.push(frontend_row(px, fe));
            }
        }
        if f.wants(RowKind::Server) && px.backend.is_some() {
            for s in &px.servers {
                if f.sid >= 0 && i64::from(s.sid) != i64::from(f.sid) {
                    continue;
                }
                if f.no_maint && s.admin.maint() {
                    continue;
                }
                if f.up_only && (s.admin.maint() || s.op == OpState::Stopped) {
                    continue;
                }
                rows.push(server_row(px, s, f.legends));
            }
        }
        if f.wants(RowKind::Backend) {
            if let Some(r) = backend_row(px, f.legends) {
                rows.push(r);
            }
        }
    }
    rows
}

/// `# pxname,svname,...,` and its newline.
pub fn csv_header() -> String {
    let mut out = String::from("# ");
    for (i, c) in COLUMNS.iter().enumerate() {
        if i == MODULE_START {
            out.push_str("-,");
        }
        out.push_str(c.0);
        out.push(',');
    }
    out.push('\n');
    out
}

/// A string cell, quoted as HAProxy's CSV encoder does when it holds a
/// separator, a quote or a line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn cell_text(f: &Field) -> String {
    match f {
        Field::Empty => String::new(),
        Field::Num(n) => n.to_string(),
        Field::Str(s) => s.clone(),
    }
}

pub fn csv_row(r: &Row) -> String {
    let mut out = String::new();
    for (i, c) in r.cells.iter().enumerate() {
        if i == MODULE_START {
            out.push_str("-,");
        }
        if let Field::Str(s) = c {
            out.push_str(&csv_cell(s));
        } else {
            out.push_str(&cell_text(c));
        }
        out.push(',');
    }
    out.push('\n');
    out
}

fn tags_for(kind: RowKind, i: usize) -> &'static str {
    let (name, tags, _) = COLUMNS[i];
    match kind {
        RowKind::Backend => backend_tags(name).unwrap_or(tags),
        _ => tags,
    }
}

fn typed_row(r: &Row, out: &mut String) {
    for (i, c) in r.cells.iter().enumerate() {
        if c.is_empty() {
            continue;
        }
        let (name, _, ty) = COLUMNS[i];
        out.push_str(&format!(
            "{}.{}.{}.{}.{}.1:{}:{}:{}\n",
            r.kind.letter(),
            r.iid,
            r.sid,
            i,
            name,
            tags_for(r.kind, i),
            ty.name(),
            cell_text(c)
        ));
    }
}

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `"tags":{...},"value":{...}` shared by stat and info JSON.
pub fn json_tags_value(tags: &str, ty: &str, v: &Field) -> String {
    let (o, n, s) = tag_words(tags);
    let value = match v {
        Field::Str(t) => json_str(t),
        other => cell_text(other),
    };
    format!(
        "\"tags\":{{\"origin\":\"{o}\",\"nature\":\"{n}\",\"scope\":\"{s}\"}},\"value\":{{\"type\":\"{ty}\",\"value\":{value}}}"
    )
}

fn json_row(r: &Row) -> String {
    let items: Vec<String> = r
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .map(|(i, c)| {
            let (name, _, ty) = COLUMNS[i];
            format!(
                "{{\"objType\":\"{}\",\"proxyId\":{},\"id\":{},\"field\":{{\"pos\":{},\"name\":{}}},\"processNum\":1,{}}}",
                r.kind.word(),
                r.iid,
                r.sid,
                i,
                json_str(name),
                json_tags_value(tags_for(r.kind, i), ty.name(), c)
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// The whole `show stat` output (without the CLI's closing empty line).
pub fn render(snap: &Snapshot, f: &StatFilter) -> String {
    let rows = select_rows(snap, f);
    match f.format {
        StatFormat::Csv => {
            let mut out = csv_header();
            for r in &rows {
                out.push_str(&csv_row(r));
            }
            out
        }
        StatFormat::Typed => {
            let mut out = String::new();
            for r in &rows {
                typed_row(r, &mut out);
            }
            out
        }
        StatFormat::Json => {
            let rows: Vec<String> = rows.iter().map(json_row).collect();
            format!("[{}]\n", rows.join(","))
        }
    }
}
