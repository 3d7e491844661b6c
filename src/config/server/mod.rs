//! `server`, `default-server` and `server-template` lines
//! (configuration.txt §4 "server", §5.2 "Server and default-server options").
//!
//! `parse_server` starts from the proxy's current `default-server` settings
//! (HAProxy copies them into each new server), so inheritance and the
//! `no-*` reset forms fall out of applying options in order. Errors use
//! HAProxy 2.6's `[file:line] : 'server px/name' : ...` style (LocStyle::Bracket).

mod options;
mod source;

pub use source::{SourceConfig, UseSrc};

use crate::config::bind::{TlsVersion, Verify};
use crate::config::value::{parse_server_addr, Host, ServerAddr};
use crate::diag::{Diagnostic, Diagnostics, Loc, LocStyle};

/// Which keyword the line starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKeyword {
    Server,
    DefaultServer,
    ServerTemplate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Observe {
    #[default]
    None,
    Layer4,
    Layer7,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    FastInter,
    #[default]
    FailCheck,
    SuddenDeath,
    MarkDown,
}

/// One step of `init-addr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitAddr {
    Last,
    Libc,
    None,
    Ip(std::net::IpAddr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveFamily {
    Ipv4,
    Ipv6,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsMode {
    Auto,
    H1,
    H2,
}

/// TLS towards a server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerTls {
    pub ssl: bool,
    pub verify: Option<Verify>,
    pub ca_file: Option<String>,
    pub crl_file: Option<String>,
    pub crt: Option<String>,
    pub sni: Option<String>,
    pub verifyhost: Option<String>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub alpn: Option<Vec<String>>,
    pub npn: Option<Vec<String>>,
    pub min_ver: Option<TlsVersion>,
    pub max_ver: Option<TlsVersion>,
    pub force: Option<TlsVersion>,
    pub disabled: Vec<TlsVersion>,
    pub no_tls_tickets: bool,
    pub allow_0rtt: bool,
    pub ssl_reuse: bool,
}

/// Everything a server line configures (the default-server lines too).
/// `Default` gives HAProxy's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    pub id: Option<i32>,
    pub weight: u32,
    pub backup: bool,
    pub disabled: bool,
    pub check: bool,
    /// Check intervals in ms; fastinter/downinter default to inter.
    pub inter: u32,
    pub fastinter: Option<u32>,
    pub downinter: Option<u32>,
    pub rise: u32,
    pub fall: u32,
    pub check_port: Option<u16>,
    pub check_addr: Option<Host>,
    pub check_ssl: bool,
    pub check_sni: Option<String>,
    pub check_alpn: Option<Vec<String>>,
    pub check_send_proxy: bool,
    pub maxconn: u32,
    pub minconn: u32,
    pub maxqueue: u32,
    pub slowstart: u32,
    pub cookie: Option<String>,
    pub track: Option<String>,
    pub tls: ServerTls,
    pub send_proxy: bool,
    pub send_proxy_v2: bool,
    pub send_proxy_v2_ssl: bool,
    pub send_proxy_v2_ssl_cn: bool,
    pub proxy_v2_options: Vec<String>,
    pub agent_check: bool,
    pub agent_port: Option<u16>,
    pub agent_inter: u32,
    pub agent_send: Option<String>,
    pub agent_addr: Option<Host>,
    pub observe: Observe,
    pub error_limit: u32,
    pub on_error: OnError,
    pub on_marked_down_shutdown: bool,
    pub on_marked_up_shutdown_backup: bool,
    /// Empty: HAProxy's default order, `last,libc`.
    pub init_addr: Vec<InitAddr>,
    pub resolvers: Option<String>,
    pub resolve_prefer: Option<ResolveFamily>,
    pub resolve_net: Option<String>,
    pub resolve_opts: Option<String>,
    pub redir: Option<String>,
    pub source: Option<SourceConfig>,
    pub non_stick: bool,
    pub tfo: bool,
    pub ws: WsMode,
    pub tcp_ut: Option<u32>,
    pub max_reuse: Option<i64>,
    pub pool_low_conn: Option<i64>,
    pub pool_max_conn: Option<i64>,
    pub pool_purge_delay: Option<u32>,
    pub proto: Option<String>,
    pub check_proto: Option<String>,
    pub namespace: Option<String>,
    pub socks4: Option<String>,
    pub check_via_socks4: bool,
    pub log_proto: Option<String>,
    /// Option keywords in line order (this line only, not inherited).
    pub keywords: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            id: None,
            weight: 1,
            backup: false,
            disabled: false,
            check: false,
            inter: 2000,
            fastinter: None,
            downinter: None,
            rise: 2,
            fall: 3,
            check_port: None,
            check_addr: None,
            check_ssl: false,
            check_sni: None,
            check_alpn: None,
            check_send_proxy: false,
            maxconn: 0,
            minconn: 0,
            maxqueue: 0,
            slowstart: 0,
            cookie: None,
            track: None,
            tls: ServerTls {
                ssl_reuse: true,
                ..ServerTls::default()
            },
            send_proxy: false,
            send_proxy_v2: false,
            send_proxy_v2_ssl: false,
            send_proxy_v2_ssl_cn: false,
            proxy_v2_options: Vec::new(),
            agent_check: false,
            agent_port: None,
            agent_inter: 2000,
            agent_send: None,
            agent_addr: None,
            observe: Observe::None,
            error_limit: 10,
            on_error: OnError::FailCheck,
            on_marked_down_shutdown: false,
            on_marked_up_shutdown_backup: false,
            init_addr: Vec::new(),
            resolvers: None,
            resolve_prefer: None,
            resolve_net: None,
            resolve_opts: None,
            redir: None,
            source: None,
            non_stick: false,
            tfo: false,
            ws: WsMode::Auto,
            tcp_ut: None,
            max_reuse: None,
            pool_low_conn: None,
            pool_max_conn: None,
            pool_purge_delay: None,
            proto: None,
            check_proto: None,
            namespace: None,
            socks4: None,
            check_via_socks4: false,
            log_proto: None,
            keywords: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// The interval used while a server changes state.
    pub fn effective_fastinter(&self) -> u32 {
        self.fastinter.unwrap_or(self.inter)
    }
    /// The interval used while a server is down.
    pub fn effective_downinter(&self) -> u32 {
        self.downinter.unwrap_or(self.inter)
    }
}

/// `server-template` numbering: `nb` means `1-nb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateRange {
    pub first: u32,
    pub last: u32,
}

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLine {
    pub keyword: ServerKeyword,
    /// Server name, or the template prefix; empty for default-server.
    pub name: String,
    /// None for default-server.
    pub addr: Option<ServerAddr>,
    /// The address word as written.
    pub addr_text: String,
    pub template: Option<TemplateRange>,
    pub config: ServerConfig,
}

/// Where the line is: location and proxy name (for messages).
#[derive(Debug, Clone, Copy)]
pub struct ServerCtx<'a> {
    pub loc: &'a Loc,
    pub proxy: &'a str,
}

impl ServerCtx<'_> {
    fn alert(&self, diags: &mut Diagnostics, msg: String) {
        diags.push(Diagnostic::alert(Some(self.loc.clone()), msg).with_style(LocStyle::Bracket));
    }
    fn warning(&self, diags: &mut Diagnostics, msg: String) {
        diags.push(Diagnostic::warning(Some(self.loc.clone()), msg).with_style(LocStyle::Bracket));
    }
}

/// Parses the words after `server` / `default-server` / `server-template`,
/// starting from `base` (the proxy's current default-server settings).
/// On error the diagnostics say why and None is returned.
pub fn parse_server(
    keyword: ServerKeyword,
    words: &[String],
    base: &ServerConfig,
    ctx: ServerCtx<'_>,
    diags: &mut Diagnostics,
) -> Option<ServerLine> {
    let (name, addr_text, template, opts) = match keyword {
        ServerKeyword::DefaultServer => (String::new(), String::new(), None, words),
        ServerKeyword::Server => {
            if words.len() < 2 || words[1].is_empty() {
                ctx.alert(
                    diags,
                    "'server' expects <name> and <addr>[:<port>] as arguments.".into(),
                );
                return None;
            }
            (words[0].clone(), words[1].clone(), None, &words[2..])
        }
        ServerKeyword::ServerTemplate => {
            if words.len() < 3 || words[2].is_empty() {
                ctx.alert(
                    diags,
                    "'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments."
                        .into(),
                );
                return None;
            }
            let Some(range) = template_range(&words[1]) else {
                ctx.alert(
                    diags,
                    format!("Wrong server-template number or range arg '{}'.", words[1]),
                );
                return None;
            };
            (words[0].clone(), words[2].clone(), Some(range), &words[3..])
        }
    };
    if keyword != ServerKeyword::DefaultServer {
        let what = if keyword == ServerKeyword::Server {
            "server name"
        } else {
            "server-template prefix"
        };
        if let Some(msg) = bad_name(&name, what) {
            ctx.alert(diags, msg);
            return None;
        }
    }
    // What HAProxy calls the server in messages.
    let (display, prefix) = match keyword {
        ServerKeyword::DefaultServer => ("default-server".to_string(), String::new()),
        ServerKeyword::Server => (name.clone(), format!("'server {}/{}' : ", ctx.proxy, name)),
        ServerKeyword::ServerTemplate => (
            "(null)".to_string(),
            format!("'server {}/(null)' : ", ctx.proxy),
        ),
    };
    let addr = if keyword == ServerKeyword::DefaultServer {
        None
    } else {
        match parse_server_addr(&addr_text) {
            Ok(a) => Some(a),
            Err(e) => {
                // Some messages end in a newline of their own (see value::addr).
                ctx.alert(diags, format!("{prefix}{e}"));
                return None;
            }
        }
    };
    let mut config = base.clone();
    config.keywords.clear();
    let dflt = keyword == ServerKeyword::DefaultServer;
    let state = options::LineState {
        display: &display,
        prefix: &prefix,
        default_server: dflt,
    };
    options::apply_all(&mut config, opts, &state, ctx, diags)?;
    if keyword != ServerKeyword::DefaultServer && config.agent_check && config.agent_port.is_none()
    {
        ctx.alert(
            diags,
            format!(
                "{prefix}server {display} does not have agent port. Agent check has been disabled."
            ),
        );
        return None;
    }
    if config.check && config.track.is_some() {
        ctx.alert(
            diags,
            format!("{prefix}unable to enable checks and tracking at the same time!"),
        );
        return None;
    }
    Some(ServerLine {
        keyword,
        name,
        addr,
        addr_text,
        template,
        config,
    })
}

/// Server names hold letters, digits and `-_.:` (HAProxy's identifier rule).
fn bad_name(name: &str, what: &str) -> Option<String> {
    if name.is_empty() {
        // HAProxy prints the NUL ending the name, which cuts its message.
        return Some("character '".to_string());
    }
    let c = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))?;
    Some(format!(
        "character '{c}' is not permitted in {what} '{name}'."
    ))
}

/// `N` (= 1-N) or `A-B` with 1 <= A <= B.
fn template_range(s: &str) -> Option<TemplateRange> {
    let num = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (first, last) = match s.split_once('-') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => (1, num(s)?),
    };
    (first >= 1 && last >= first).then_some(TemplateRange { first, last })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ranges() {
        assert_eq!(
            template_range("3"),
            Some(TemplateRange { first: 1, last: 3 })
        );
        assert_eq!(
            template_range("2-4"),
            Some(TemplateRange { first: 2, last: 4 })
        );
        assert_eq!(template_range("1-0"), None);
        assert_eq!(template_range("x"), None);
        assert_eq!(template_range("0"), None);
    }
}
