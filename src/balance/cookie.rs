//! Cookie persistence (HAProxy manual §4.2 "cookie", server "cookie",
//! "option persist", "option redispatch", "force-persist"): which server
//! a request's persistence cookie designates, and whether to honour it.

use super::snapshot::{ServerSnap, SrvState};

/// What to do with a request's persistence cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persist {
    /// Send to this server.
    Server(usize),
    /// The cookie names a server that cannot take it (down, or in
    /// maintenance): load-balance instead (log flag 'D').
    Down(usize),
    /// The cookie names no server: load-balance (log flag 'I').
    Invalid,
    /// No cookie: load-balance (log flag 'N').
    NoCookie,
}

/// Options that change whether a matched server is honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersistOpts {
    /// `option persist`: keep sending to a server that is not running.
    pub persist: bool,
    /// A `force-persist` rule matched this request.
    pub force: bool,
}

/// The server part of a cookie value: in `insert` mode with `maxidle` /
/// `maxlife` HAProxy appends `|dates`; in `prefix` mode the application
/// value follows a `~`.
pub fn server_part(value: &str) -> &str {
    value.split(['|', '~']).next().unwrap_or(value)
}

/// Index of the server whose `cookie` value is exactly `value`.
pub fn find(servers: &[ServerSnap], value: &str) -> Option<usize> {
    servers
        .iter()
        .position(|s| s.cookie.as_deref() == Some(value))
}

/// Decide persistence for a cookie value (already extracted from the
/// request, without the delimiter suffix). A running server (even
/// draining, or backup) is honoured; a stopped one only with `option
/// persist` or `force-persist`.
pub fn decide(servers: &[ServerSnap], value: Option<&str>, opts: PersistOpts) -> Persist {
    let Some(v) = value else {
        return Persist::NoCookie;
    };
    let Some(i) = find(servers, server_part(v)) else {
        return Persist::Invalid;
    };
    let running = matches!(servers[i].state, SrvState::Up | SrvState::Drain);
    if running || opts.persist || opts.force {
        Persist::Server(i)
    } else {
        Persist::Down(i)
    }
}
