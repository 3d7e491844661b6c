//! Cookie persistence (manual §4.2 `cookie`, server `cookie`): a request
//! carrying a known server's cookie goes to that server while it can take
//! traffic; `insert` adds the cookie to responses of clients that lack it,
//! `indirect` hides it from servers. `rewrite`/`prefix` and passive mode
//! are named at start as not applied yet.

use std::sync::Arc;

use http::header::{HeaderValue, COOKIE, SET_COOKIE};

use crate::config::model::CookieConfig;
use crate::runtime::table::{BackendState, ServerState, Slot};

/// The persistence cookie of a backend in insert mode, if any.
pub fn insert_config(be: &BackendState) -> Option<&CookieConfig> {
    be.proxy
        .settings
        .cookie
        .as_ref()
        .filter(|c| c.mode == "insert")
}

/// The value of cookie `name` in the request's Cookie headers.
pub fn request_value(h: &http::HeaderMap, name: &str) -> Option<String> {
    h.get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `indirect`: remove the persistence cookie before the request goes on.
pub fn strip_from_request(h: &mut http::HeaderMap, name: &str) {
    let kept: Vec<String> = h
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .map(str::trim)
                .filter(|kv| kv.split_once('=').is_none_or(|(k, _)| k != name))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|v| !v.is_empty())
        .collect();
    h.remove(COOKIE);
    for v in kept {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.append(COOKIE, v);
        }
    }
}

/// The server a valid cookie names, with a slot, when it is usable.
pub fn persistent_slot(be: &Arc<BackendState>, value: &str) -> Option<Slot> {
    let value = crate::balance::cookie::server_part(value);
    let idx = be
        .proxy
        .servers
        .iter()
        .position(|s| s.config.cookie.as_deref() == Some(value))?;
    let server: &Arc<ServerState> = be.servers.get(idx)?;
    if !server.usable() {
        return None;
    }
    server.try_slot(be)
}

/// The `set-cookie` value for `server` (`NAME=value; path=/` plus the
/// configured attributes), or None when the server has no cookie value.
pub fn set_cookie_value(
    cfg: &CookieConfig,
    be: &BackendState,
    server: &ServerState,
) -> Option<HeaderValue> {
    let value = be.proxy.servers.get(server.idx)?.config.cookie.as_deref()?;
    let mut v = format!("{}={value}; path=/", cfg.name);
    for d in &cfg.domains {
        v.push_str(&format!("; domain={d}"));
    }
    if cfg.httponly {
        v.push_str("; HttpOnly");
    }
    if cfg.secure {
        v.push_str("; Secure");
    }
    for a in &cfg.attrs {
        v.push_str(&format!("; {a}"));
    }
    HeaderValue::from_str(&v).ok()
}

/// Add the persistence cookie to a response (insert mode).
pub fn add_to_response(h: &mut http::HeaderMap, v: HeaderValue) {
    h.append(SET_COOKIE, v);
}
