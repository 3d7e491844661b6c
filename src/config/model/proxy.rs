//! Proxies (frontend / backend / listen) and the settings a `defaults`
//! section passes on to them.

use std::collections::BTreeMap;

use crate::config::acl::{AclDef, Condition};
use crate::config::bind::BindConfig;
use crate::config::server::ServerConfig;
use crate::diag::Loc;

use super::{LogTarget, Server};

/// Which section declared the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    Defaults,
    Frontend,
    Backend,
    Listen,
}

impl ProxyKind {
    pub fn keyword(self) -> &'static str {
        match self {
            ProxyKind::Defaults => "defaults",
            ProxyKind::Frontend => "frontend",
            ProxyKind::Backend => "backend",
            ProxyKind::Listen => "listen",
        }
    }
    pub fn cap(self) -> Cap {
        match self {
            ProxyKind::Defaults | ProxyKind::Listen => Cap {
                frontend: true,
                backend: true,
            },
            ProxyKind::Frontend => Cap {
                frontend: true,
                backend: false,
            },
            ProxyKind::Backend => Cap {
                frontend: false,
                backend: true,
            },
        }
    }
}

/// Frontend / backend capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cap {
    pub frontend: bool,
    pub backend: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// HAProxy's default mode is tcp.
    #[default]
    Tcp,
    Http,
    /// `mode log` (3.x log backends): refused by harp.
    Log,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Tcp => "tcp",
            Mode::Http => "http",
            Mode::Log => "log",
        }
    }
}

/// All `timeout` values, in milliseconds (None = not set).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeouts {
    pub client: Option<u32>,
    pub client_fin: Option<u32>,
    pub server: Option<u32>,
    pub server_fin: Option<u32>,
    pub connect: Option<u32>,
    pub check: Option<u32>,
    pub queue: Option<u32>,
    pub http_request: Option<u32>,
    pub http_keep_alive: Option<u32>,
    pub tunnel: Option<u32>,
    pub tarpit: Option<u32>,
}

/// HTTP connection handling (`option http-keep-alive|http-server-close|httpclose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpConnMode {
    #[default]
    KeepAlive,
    ServerClose,
    Close,
}

/// `balance <algo> [args]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Balance {
    pub algorithm: String,
    pub args: Vec<String>,
}

impl Default for Balance {
    fn default() -> Self {
        Balance {
            algorithm: "roundrobin".into(),
            args: Vec::new(),
        }
    }
}

/// `option forwardfor [except <net>] [header <name>] [if-none]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardFor {
    pub except: Option<String>,
    pub header: String,
    pub if_none: bool,
}

/// `option originalto [except <net>] [header <name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginalTo {
    pub except: Option<String>,
    pub header: String,
}

/// `option httpchk [<method>] [<uri>] [<version>]` plus `http-check` lines.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpCheck {
    pub method: String,
    pub uri: String,
    pub version: String,
    /// `http-check ...` lines (send / expect / disable-on-404 / ...), as written.
    pub rules: Vec<Vec<String>>,
}

/// `cookie <name> [rewrite|insert|prefix] [indirect] [nocache] ...`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CookieConfig {
    pub name: String,
    pub mode: String,
    pub indirect: bool,
    pub nocache: bool,
    pub postonly: bool,
    pub preserve: bool,
    pub httponly: bool,
    pub secure: bool,
    pub domains: Vec<String>,
    pub maxidle: Option<u32>,
    pub maxlife: Option<u32>,
    pub dynamic: bool,
    pub attrs: Vec<String>,
}

/// The built-in stats page settings (`stats ...` in a proxy).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatsPage {
    pub enabled: bool,
    pub uri: Option<String>,
    pub realm: Option<String>,
    /// `user:password` pairs.
    pub auth: Vec<(String, String)>,
    pub refresh: Option<u32>,
    pub hide_version: bool,
    pub show_legends: bool,
    pub show_node: Option<String>,
    pub show_desc: Option<String>,
    pub scope: Vec<String>,
    pub admin: Vec<Condition>,
    pub http_request: Vec<Rule>,
}

impl StatsPage {
    /// `stats uri` defaults to `/haproxy?stats` once any stats keyword is used.
    pub fn effective_uri(&self) -> &str {
        self.uri.as_deref().unwrap_or("/haproxy?stats")
    }
}

/// One rule of a rule set (`http-request`, `tcp-request content`, ...):
/// action name, its arguments, and the optional condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub action: String,
    pub args: Vec<String>,
    pub cond: Option<Condition>,
    pub loc: Loc,
}

/// `use_backend <name|%[expr]> [if|unless cond]`, `use-server`, `redirect`...
#[derive(Debug, Clone, PartialEq)]
pub struct Switch {
    pub target: String,
    pub cond: Option<Condition>,
    pub loc: Loc,
}

/// Rule sets, keyed as written ("http-request", "tcp-request content", ...).
pub type RuleSets = BTreeMap<String, Vec<Rule>>;

/// Everything a `defaults` section can carry, and what a proxy starts from.
#[derive(Debug, Clone, Default)]
pub struct ProxySettings {
    pub mode: Mode,
    pub timeouts: Timeouts,
    pub balance: Balance,
    pub hash_type: Option<Vec<String>>,
    pub maxconn: Option<u32>,
    pub backlog: Option<u32>,
    pub fullconn: Option<u32>,
    pub retries: Option<u32>,
    pub retry_on: Vec<String>,
    pub http_conn_mode: HttpConnMode,
    pub http_reuse: Option<String>,
    /// Boolean `option X` flags that are set, by name ("redispatch", "httplog"...).
    pub options: BTreeMap<String, bool>,
    pub forwardfor: Option<ForwardFor>,
    pub originalto: Option<OriginalTo>,
    pub httpchk: Option<HttpCheck>,
    /// `option tcp-check` and its `tcp-check` lines.
    pub tcp_check: Option<Vec<Vec<String>>>,
    /// Other check types (`option ssl-hello-chk`, `mysql-check`...), by name.
    pub check_type: Option<String>,
    pub log_global: bool,
    pub logs: Vec<LogTarget>,
    pub log_format: Option<String>,
    pub log_tag: Option<String>,
    pub cookie: Option<CookieConfig>,
    pub stats: StatsPage,
    pub default_server: Option<ServerConfig>,
    pub errorfiles: BTreeMap<u16, String>,
    pub errorfiles_sections: Vec<String>,
    pub monitor_uri: Option<String>,
    pub description: Option<String>,
    pub acls: Vec<AclDef>,
    pub rules: RuleSets,
    pub captures: Vec<Vec<String>>,
    pub unique_id_format: Option<String>,
    pub unique_id_header: Option<String>,
    pub default_backend: Option<(String, Loc)>,
    /// `tcp-request inspect-delay` / `tcp-response inspect-delay` (ms).
    pub tcp_request_inspect_delay: Option<u32>,
    pub tcp_response_inspect_delay: Option<u32>,
    /// `errorloc|errorloc302|errorloc303 <code> <url>`: code → (redirect status, url).
    pub errorloc: BTreeMap<u16, (u16, String)>,
    /// `http-send-name-header [<header>]` (default "X-Server").
    pub send_name_header: Option<String>,
    pub error_log_format: Option<String>,
    pub log_format_sd: Option<String>,
    /// `http-error status <code> [content-type ...] ...` lines, as written.
    pub http_errors: Vec<Vec<String>>,
    /// `declare capture request|response len <n>`: (direction, length).
    pub declared_captures: Vec<(String, u32)>,
    /// Other implemented keywords kept as written.
    pub extra: Vec<(String, Vec<String>, Loc)>,
}

/// A `bind` line of a proxy.
#[derive(Debug, Clone)]
pub struct Bind {
    pub loc: Loc,
    pub config: BindConfig,
}

/// A frontend, backend or listen section.
#[derive(Debug, Clone)]
pub struct Proxy {
    pub name: String,
    pub kind: ProxyKind,
    pub cap: Cap,
    /// Proxy id (`id` keyword or assigned in config order).
    pub id: u32,
    pub loc: Loc,
    pub disabled: bool,
    /// Name of the defaults section used, if any.
    pub defaults: Option<String>,
    pub settings: ProxySettings,
    pub binds: Vec<Bind>,
    pub servers: Vec<Server>,
    pub use_backend: Vec<Switch>,
    pub use_server: Vec<Switch>,
    pub redirects: Vec<Rule>,
    pub monitor_fail: Vec<Condition>,
    /// Userlists named by `http_auth(...)` fetches, with where (checked
    /// once every section is read).
    pub userlist_refs: Vec<(String, String, Loc)>,
}

impl Proxy {
    pub fn mode(&self) -> Mode {
        self.settings.mode
    }
    pub fn option(&self, name: &str) -> bool {
        self.settings.options.get(name).copied().unwrap_or(false)
    }
    pub fn default_backend(&self) -> Option<&str> {
        self.settings
            .default_backend
            .as_ref()
            .map(|(n, _)| n.as_str())
    }
}
