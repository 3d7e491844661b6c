//! The support table: every keyword harp knows, with exactly one status
//! (ARCHITECTURE.md, "The support policy"). It is data: the config loader
//! consults it, `harp --list-keywords` prints it, the man page lists it.

pub mod action;
pub mod converter;
pub mod fetch;
pub mod global;
pub mod other;
pub mod placement;
pub mod proxy;
pub mod render;
pub mod section;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use placement::{proxy_allowed, Allowed, Misplaced, ProxySection};
pub mod bind;
pub mod server;

/// What harp does with a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Parsed into the model and run as HAProxy's manual describes.
    Implemented,
    /// Accepted; changes nothing clients or servers see. One `[WARNING]`.
    NoEffect,
    /// Known, but harp does not run its semantics and ignoring it would
    /// change traffic or security: fatal, "'KW' is not supported by harp".
    Refused,
    /// Removed from HAProxy; fatal with HAProxy's own message (the payload).
    Removed(&'static str),
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Implemented => "implemented",
            Status::NoEffect => "no-effect",
            Status::Refused => "refused",
            Status::Removed(_) => "removed",
        }
    }
}

/// Where a keyword is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// A section header (`global`, `frontend`, ...).
    Section,
    Global,
    /// defaults/frontend/listen/backend keywords, multi-word ones written in
    /// full ("option httplog", "timeout connect", "stats uri").
    Proxy,
    Bind,
    Server,
    /// An action of a rule set (`http-request`, `tcp-request content`, ...);
    /// the payload is the rule set's name as written in the config.
    Action(&'static str),
    /// Sample fetches (ACL criteria, `%[...]`).
    Fetch,
    /// Sample converters (`,lower`, `,map(...)`).
    Converter,
    /// Keywords of the other sections, payload = section name.
    Other(&'static str),
}

impl Context {
    pub fn label(self) -> String {
        match self {
            Context::Section => "section".into(),
            Context::Global => "global".into(),
            Context::Proxy => "proxy".into(),
            Context::Bind => "bind".into(),
            Context::Server => "server".into(),
            Context::Action(rs) => rs.to_string(),
            Context::Fetch => "fetch".into(),
            Context::Converter => "converter".into(),
            Context::Other(s) => s.to_string(),
        }
    }
}

/// One row of the support table.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub context: Context,
    pub keyword: &'static str,
    pub status: Status,
    /// One short line: what harp does, or why it refuses.
    pub note: &'static str,
}

/// Shorthand constructors so tables read as data.
pub const fn imp(context: Context, keyword: &'static str, note: &'static str) -> Entry {
    Entry {
        context,
        keyword,
        status: Status::Implemented,
        note,
    }
}
pub const fn noeff(context: Context, keyword: &'static str, note: &'static str) -> Entry {
    Entry {
        context,
        keyword,
        status: Status::NoEffect,
        note,
    }
}
pub const fn refused(context: Context, keyword: &'static str, note: &'static str) -> Entry {
    Entry {
        context,
        keyword,
        status: Status::Refused,
        note,
    }
}
pub const fn removed(context: Context, keyword: &'static str, msg: &'static str) -> Entry {
    Entry {
        context,
        keyword,
        status: Status::Removed(msg),
        note: "",
    }
}

/// Every table, in display order. Each keyword family's module exposes a
/// `pub static TABLE: &[Entry]` and is listed here.
pub fn tables() -> Vec<&'static [Entry]> {
    vec![
        fetch::TABLE,
        converter::TABLE,
        section::TABLE,
        global::TABLE,
        proxy::TABLE,
        action::TABLE,
        other::TABLE,
        bind::TABLE,
        server::TABLE,
    ]
}

type Index = HashMap<Context, HashMap<&'static str, &'static Entry>>;

/// Find a keyword's entry in one context. Hashed: a large configuration
/// looks up every keyword of every line.
pub fn lookup(context: Context, keyword: &str) -> Option<&'static Entry> {
    static INDEX: OnceLock<Index> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut m = Index::new();
        for e in tables().into_iter().flat_map(|t| t.iter()) {
            m.entry(e.context)
                .or_default()
                .entry(e.keyword)
                .or_insert(e);
        }
        m
    });
    index.get(&context)?.get(keyword).copied()
}

/// All keywords of a context (for "did you mean").
pub fn keywords(context: Context) -> impl Iterator<Item = &'static str> {
    tables()
        .into_iter()
        .flat_map(|t| t.iter())
        .filter(move |e| e.context == context)
        .map(|e| e.keyword)
}
