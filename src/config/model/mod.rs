//! The typed, validated configuration: the only thing the runtime reads.
//!
//! Plain data. Defaults sections are already folded into each proxy,
//! `default-server` into each server, names are checked and ids assigned
//! (in config order, honouring `id`), as HAProxy does: runtime tools
//! (stats CSV `iid`/`sid`, `show servers state`) depend on those ids.

mod proxy;
mod server;

pub use proxy::*;
pub use server::Server;

use crate::diag::Loc;

/// The whole configuration.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub global: Global,
    /// Frontends, backends and listens in config order.
    pub proxies: Vec<Proxy>,
    pub userlists: Vec<Userlist>,
    pub http_errors: Vec<HttpErrors>,
    /// Names of `resolvers`/`peers`/`mailers`/`ring` sections (accepted; see
    /// the support table for what harp does with them).
    pub other_sections: Vec<(String, String, Loc)>,
    /// The files read, in order (HAPROXY_CFGFILES).
    pub files: Vec<String>,
}

impl Model {
    pub fn proxy(&self, name: &str) -> Option<&Proxy> {
        self.proxies.iter().find(|p| p.name == name)
    }
    /// The proxy with backend capability called `name`.
    pub fn backend(&self, name: &str) -> Option<&Proxy> {
        self.proxies
            .iter()
            .find(|p| p.name == name && p.cap.backend)
    }
    pub fn frontends(&self) -> impl Iterator<Item = &Proxy> {
        self.proxies.iter().filter(|p| p.cap.frontend)
    }
    pub fn backends(&self) -> impl Iterator<Item = &Proxy> {
        self.proxies.iter().filter(|p| p.cap.backend)
    }
    /// True when at least one enabled frontend has a listener (else
    /// `haproxy -c` exits 2: "will not start (no listener)").
    pub fn has_listener(&self) -> bool {
        self.proxies
            .iter()
            .any(|p| p.cap.frontend && !p.disabled && !p.binds.is_empty())
            || !self.global.stats_sockets.is_empty()
    }
}

/// A log target (`log <target> [len N] [format F] [sample R:S] <facility> [level [minlevel]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct LogTarget {
    pub target: String,
    pub facility: String,
    pub level: Option<String>,
    pub min_level: Option<String>,
    pub format: Option<String>,
    pub max_len: Option<u32>,
    pub sample: Option<String>,
    pub loc: Loc,
}

/// Process-wide settings (`global`).
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub daemon: bool,
    pub master_worker: bool,
    pub maxconn: Option<u32>,
    pub nbthread: Option<u32>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub chroot: Option<String>,
    pub pidfile: Option<String>,
    pub description: Option<String>,
    pub node: Option<String>,
    pub hard_stop_after: Option<u32>,
    pub logs: Vec<LogTarget>,
    pub log_tag: Option<String>,
    pub log_send_hostname: Option<String>,
    pub stats_sockets: Vec<StatsSocket>,
    pub stats_timeout: Option<u32>,
    pub stats_maxconn: Option<u32>,
    pub crt_base: Option<String>,
    pub ca_base: Option<String>,
    pub ssl_default_bind_ciphers: Option<String>,
    pub ssl_default_bind_ciphersuites: Option<String>,
    pub ssl_default_bind_options: Vec<String>,
    pub ssl_default_server_ciphers: Option<String>,
    pub ssl_default_server_ciphersuites: Option<String>,
    pub ssl_default_server_options: Vec<String>,
    pub server_state_file: Option<String>,
    pub server_state_base: Option<String>,
    pub spread_checks: Option<u32>,
    pub ulimit_n: Option<u32>,
    /// `zero-warning`: warnings are fatal, as with `-dW`.
    pub zero_warning: bool,
    /// Other implemented keywords kept as written, keyed by keyword.
    pub settings: Vec<(String, Vec<String>, Loc)>,
}

/// `stats socket <path> [bind options]` in global.
#[derive(Debug, Clone)]
pub struct StatsSocket {
    pub addr: String,
    pub options: Vec<String>,
    pub level: String,
    pub mode: Option<u32>,
    pub loc: Loc,
}

/// `userlist` section.
#[derive(Debug, Clone, Default)]
pub struct Userlist {
    pub name: String,
    pub loc: Option<Loc>,
    pub groups: Vec<UserGroup>,
    pub users: Vec<User>,
}

#[derive(Debug, Clone)]
pub struct UserGroup {
    pub name: String,
    pub users: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub password: UserPassword,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UserPassword {
    /// crypt(3) hash.
    Hashed(String),
    Insecure(String),
    None,
}

/// `http-errors` section: status code → file.
#[derive(Debug, Clone, Default)]
pub struct HttpErrors {
    pub name: String,
    pub loc: Option<Loc>,
    pub files: Vec<(u16, String)>,
}
