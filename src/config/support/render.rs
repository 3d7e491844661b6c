//! Listings of the support table: `harp --list-keywords` and the
//! "SUPPORTED KEYWORDS" section of harp.conf(5).

use super::{tables, Entry, Status};

/// Every row, sorted by context label then keyword.
fn sorted_entries() -> Vec<&'static Entry> {
    let mut all: Vec<&'static Entry> = tables().into_iter().flatten().collect();
    all.sort_by(|a, b| (a.context.label(), a.keyword).cmp(&(b.context.label(), b.keyword)));
    all
}

/// The note shown for a row; removed keywords show HAProxy's message.
fn note(e: &Entry) -> &'static str {
    match e.status {
        Status::Removed(msg) => msg,
        _ => e.note,
    }
}

/// One line per keyword: `context<TAB>keyword<TAB>status<TAB>note`, sorted
/// by context then keyword, so the output is stable and easy to grep.
pub fn render_keyword_list() -> String {
    let mut out = String::new();
    for e in sorted_entries() {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            e.context.label(),
            e.keyword,
            e.status.label(),
            note(e)
        ));
    }
    out
}

/// Escape text for roff: backslashes, and a leading `.` or `'` that would
/// otherwise start a request.
fn roff(text: &str) -> String {
    let t = text.replace('\\', "\\e");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}

/// A keyword in bold, with hyphens written as `\-` so they stay hyphens.
fn roff_keyword(kw: &str) -> String {
    format!("\\fB{}\\fR", roff(kw).replace('-', "\\-"))
}

/// The roff body of the SUPPORTED KEYWORDS section: one subsection per
/// context, one tagged paragraph per keyword.
pub fn render_man_section() -> String {
    let mut out = String::new();
    let mut current = String::new();
    for e in sorted_entries() {
        let label = e.context.label();
        if label != current {
            out.push_str(&format!(".SS {}\n", roff(&label)));
            current = label;
        }
        out.push_str(".TP\n");
        out.push_str(&format!(
            "{} ({})\n",
            roff_keyword(e.keyword),
            e.status.label()
        ));
        let n = note(e);
        out.push_str(&format!(
            "{}\n",
            if n.is_empty() {
                "\\&".to_string()
            } else {
                roff(n)
            }
        ));
    }
    out
}
