//! Checks HAProxy runs once the whole configuration is parsed
//! (`check_config_validity()`): ids, name references, modes, timeouts;
//! and server address resolution at start (`init-addr`, `-dr`).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use crate::config::model::{Mode, Model, Proxy, ProxyKind};
use crate::config::tls;
use crate::diag::{Diagnostic, Diagnostics, LocStyle};

pub(super) fn check(model: &mut Model, d: &mut Diagnostics) {
    assign_proxy_ids(model, d);
    for p in &mut model.proxies {
        assign_server_ids(p);
    }
    userlists(model, d);
    for p in &model.proxies {
        for (ul, kw, loc) in &p.userlist_refs {
            if !model.userlists.iter().any(|u| &u.name == ul) {
                d.push(
                    Diagnostic::alert(
                        Some(loc.clone()),
                        format!(
                            "unable to find userlist '{ul}' referenced in arg 1 of ACL keyword '{kw}' in proxy '{}'.",
                            p.name
                        ),
                    )
                    .with_style(LocStyle::ParsingTight),
                );
            }
        }
    }
    let model: &Model = model;
    let backends: HashMap<&str, &Proxy> = model
        .proxies
        .iter()
        .rev()
        .filter(|p| p.cap.backend)
        .map(|p| (p.name.as_str(), p))
        .collect();
    for p in &model.proxies {
        server_refs(model, p, d);
        tls_settings(model, p, d);
        duplicate_servers(p, d);
        backend_refs(&backends, p, d);
        errorfiles_refs(model, p, d);
        warnings(model, p, d);
    }
}

/// Users name existing groups and groups name existing users.
fn userlists(model: &Model, d: &mut Diagnostics) {
    for ul in &model.userlists {
        for u in &ul.users {
            for g in &u.groups {
                if !ul.groups.iter().any(|x| &x.name == g) {
                    d.alert(
                        None,
                        format!(
                            "userlist '{}': no such group '{g}' specified in user '{}'",
                            ul.name, u.name
                        ),
                    );
                }
            }
        }
        for g in &ul.groups {
            for u in &g.users {
                if !ul.users.iter().any(|x| &x.name == u) {
                    d.alert(
                        None,
                        format!(
                            "userlist '{}': no such user '{u}' specified in group '{}'",
                            ul.name, g.name
                        ),
                    );
                }
            }
        }
    }
}

/// Servers name existing `resolvers` sections.
fn server_refs(model: &Model, p: &Proxy, d: &mut Diagnostics) {
    for s in &p.servers {
        if let Some(r) = &s.config.resolvers {
            let found = model
                .other_sections
                .iter()
                .any(|(kind, name, _)| kind == "resolvers" && name == r);
            if !found {
                d.alert(
                    None,
                    format!(
                        "{} '{}', server '{}': unable to find required resolvers '{r}'",
                        p.kind.keyword(),
                        p.name,
                        s.name
                    ),
                );
            }
        }
    }
}

/// Cipher lists OpenSSL would refuse (HAProxy fails at start).
fn tls_settings(model: &Model, p: &Proxy, d: &mut Diagnostics) {
    let g = &model.global;
    for b in &p.binds {
        if !b.config.ssl {
            continue;
        }
        let list = b
            .config
            .tls
            .ciphers
            .as_ref()
            .or(g.ssl_default_bind_ciphers.as_ref());
        if let Some(c) = list.filter(|c| !tls::cipher_list_usable(c)) {
            d.alert(
                None,
                format!(
                    "Proxy '{}': unable to set SSL cipher list to '{c}' for bind '{}' at [{}].",
                    p.name, b.config.addr_text, b.loc
                ),
            );
        }
    }
    for s in &p.servers {
        if !s.config.tls.ssl {
            continue;
        }
        let list = s
            .config
            .tls
            .ciphers
            .as_ref()
            .or(g.ssl_default_server_ciphers.as_ref());
        if let Some(c) = list.filter(|c| !tls::cipher_list_usable(c)) {
            d.push(
                Diagnostic::alert(
                    Some(s.loc.clone()),
                    format!(
                        "'server {}/{}' : unable to set SSL cipher list to '{c}'.",
                        p.name, s.name
                    ),
                )
                .with_style(LocStyle::Bracket),
            );
        }
    }
}

/// Proxy ids: explicit `id`s are kept, the others take the lowest free id
/// in config order. With a stats socket, HAProxy's internal CLI frontend
/// holds id 1 (seen in `show stat` of HAProxy 2.6).
fn assign_proxy_ids(model: &mut Model, d: &mut Diagnostics) {
    let mut used: HashSet<u32> = HashSet::new();
    for p in &model.proxies {
        if p.id != 0 && !used.insert(p.id) {
            d.alert(
                None,
                format!(
                    "{} '{}' has the same ID '{}' as another proxy.",
                    p.kind.keyword(),
                    p.name,
                    p.id
                ),
            );
        }
    }
    let mut next = 1u32;
    if !model.global.stats_sockets.is_empty() && !used.contains(&1) {
        used.insert(1);
    }
    for p in &mut model.proxies {
        if p.id == 0 {
            while used.contains(&next) {
                next += 1;
            }
            p.id = next;
            used.insert(next);
        }
    }
}

/// Server ids: each server takes its position (1-based) unless it has an
/// `id`, as HAProxy numbers them while parsing.
fn assign_server_ids(p: &mut Proxy) {
    for (i, s) in p.servers.iter_mut().enumerate() {
        s.id = match s.config.id {
            Some(id) if id > 0 => id as u32,
            _ => i as u32 + 1,
        };
    }
}

fn duplicate_servers(p: &Proxy, d: &mut Diagnostics) {
    for (i, s) in p.servers.iter().enumerate() {
        if let Some(prev) = p.servers[..i].iter().find(|o| o.name == s.name) {
            d.alert(
                Some(s.loc.clone()),
                format!(
                    "{} '{}', another server named '{}' was already defined at line {}, please use distinct names.",
                    p.kind.keyword(),
                    p.name,
                    s.name,
                    prev.loc.line
                ),
            );
        }
    }
}

/// `default_backend` / `use_backend` targets exist, have backend
/// capability, and agree on the mode.
fn backend_refs(backends: &HashMap<&str, &Proxy>, p: &Proxy, d: &mut Diagnostics) {
    if !p.cap.frontend || p.kind == ProxyKind::Defaults {
        return;
    }
    let mut targets: Vec<(&str, &str)> = Vec::new();
    if let Some(b) = p.default_backend() {
        targets.push((b, "default_backend"));
    }
    for u in &p.use_backend {
        targets.push((u.target.as_str(), "use_backend"));
    }
    for (name, kw) in targets {
        // Dynamic names (`%[...]`) are resolved per request.
        if name.contains("%[") {
            continue;
        }
        let Some(be) = backends.get(name) else {
            d.alert(
                None,
                format!(
                    "Proxy '{}': unable to find required {kw}: '{name}'.",
                    p.name
                ),
            );
            continue;
        };
        if p.mode() == Mode::Http && be.mode() != Mode::Http {
            let how = if kw == "default_backend" {
                "as its default backend".to_string()
            } else {
                "in a 'use_backend' rule".to_string()
            };
            d.alert(
                None,
                format!(
                    "http {} '{}' ({}) tries to use incompatible {} {} '{}' ({}) {how} (see 'mode').",
                    p.kind.keyword(),
                    p.name,
                    p.loc,
                    be.mode().name(),
                    be.kind.keyword(),
                    be.name,
                    be.loc
                ),
            );
        }
    }
}

fn errorfiles_refs(model: &Model, p: &Proxy, d: &mut Diagnostics) {
    for name in &p.settings.errorfiles_sections {
        if !model.http_errors.iter().any(|h| &h.name == name) {
            d.alert(
                None,
                format!(
                    "proxy '{}': unknown http-errors section '{name}' (at {}).",
                    p.name, p.loc
                ),
            );
        }
    }
}

fn kind_word(p: &Proxy) -> &'static str {
    match p.kind {
        ProxyKind::Listen => "proxy",
        k => k.keyword(),
    }
}

/// The non-fatal remarks HAProxy makes about a proxy.
fn warnings(model: &Model, p: &Proxy, d: &mut Diagnostics) {
    if p.disabled {
        return;
    }
    let t = &p.settings.timeouts;
    let missing = (p.cap.frontend && t.client.is_none())
        || (p.cap.backend && (t.connect.is_none() || t.server.is_none()));
    if missing && matches!(p.mode(), Mode::Http | Mode::Tcp) {
        d.warning(
            None,
            format!(
                "missing timeouts for {} '{}'.\n   | While not properly invalid, you will certainly encounter various problems\n   | with such a configuration. To fix this, please ensure that all following\n   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
                kind_word(p),
                p.name
            ),
        );
    }
    if p.mode() == Mode::Tcp {
        for set in ["http-request", "http-response", "http-after-response"] {
            if p.settings.rules.get(set).is_some_and(|r| !r.is_empty()) {
                d.warning(
                    None,
                    format!(
                        "'{set}' rules ignored for {} '{}' as they require HTTP mode.",
                        kind_word(p),
                        p.name
                    ),
                );
            }
        }
    }
    if p.kind == ProxyKind::Frontend && p.binds.is_empty() {
        d.warning(
            None,
            format!(
                "frontend '{}' has no 'bind' directive. Please declare it as a backend if this was intended.",
                p.name
            ),
        );
    }
    let has_log_target =
        !p.settings.logs.is_empty() || (p.settings.log_global && !model.global.logs.is_empty());
    let wants_format = p.option("httplog") || p.option("tcplog") || p.settings.log_format.is_some();
    if p.cap.frontend && wants_format && !has_log_target {
        d.warning(
            None,
            format!(
                "log format ignored for {} '{}' since it has no log address.",
                kind_word(p),
                p.name
            ),
        );
    }
}

/// Name resolution used at start-up (`getaddrinfo` in HAProxy).
pub trait Resolver {
    fn resolve(&self, host: &str) -> Option<IpAddr>;
}

/// The system resolver (`/etc/hosts`, DNS) through the standard library.
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve(&self, host: &str) -> Option<IpAddr> {
        use std::net::ToSocketAddrs;
        (host, 0)
            .to_socket_addrs()
            .ok()
            .and_then(|mut it| it.next())
            .map(|a| a.ip())
    }
}

/// Resolve server host names as HAProxy does at start (manual §5.2
/// `init-addr`, management guide `-dr`): an unresolvable name is fatal
/// unless `init-addr` ends in `none` or `-dr` is given, in which case the
/// server starts in maintenance. `bind` and `log` host names are resolved
/// first: HAProxy does that while parsing, so a failure there is reported
/// as a configuration error of the file.
pub fn resolve_addresses(
    model: &mut Model,
    resolver: &dyn Resolver,
    ignore_errors: bool,
    d: &mut Diagnostics,
) -> Result<(), AddrError> {
    if !(resolve_bind_hosts(model, resolver, d) & resolve_log_targets(model, resolver, d)) {
        return Err(AddrError::Parsing);
    }
    let mut ok = true;
    for p in &mut model.proxies {
        let pname = p.name.clone();
        for s in &mut p.servers {
            let Some(host) = s.hostname().map(str::to_string) else {
                continue;
            };
            let allow_none = s.init_addr_allows_none();
            let found = if s.init_addr_uses_libc() {
                resolver.resolve(&host)
            } else {
                None
            };
            match found.or_else(|| s.init_addr_ip()) {
                Some(ip) => s.resolved = Some(ip),
                None if ignore_errors || allow_none => {
                    d.push(
                        Diagnostic::warning(
                            Some(s.loc.clone()),
                            format!(
                                "'server {pname}/{}' : could not resolve address '{host}', disabling server.",
                                s.name
                            ),
                        )
                        .with_style(LocStyle::Bracket),
                    );
                    s.unresolved_maint = true;
                }
                None => {
                    ok = false;
                    d.push(
                        Diagnostic::alert(
                            Some(s.loc.clone()),
                            format!(
                                "'server {pname}/{}' : could not resolve address '{host}'.",
                                s.name
                            ),
                        )
                        .with_style(LocStyle::Bracket),
                    );
                }
            }
        }
    }
    if !ok {
        d.alert(None, "Failed to initialize server(s) addr.");
        return Err(AddrError::Servers);
    }
    Ok(())
}

/// Why addresses could not be set up at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrError {
    /// A `bind` or `log` host name did not resolve (a parsing error for HAProxy).
    Parsing,
    /// A server name did not resolve and neither `-dr` nor `init-addr none` allows it.
    Servers,
}

/// `bind` addresses given by name must resolve (HAProxy reports it as an
/// invalid address of the `bind` line).
fn resolve_bind_hosts(model: &Model, resolver: &dyn Resolver, d: &mut Diagnostics) -> bool {
    use crate::config::value::addr::{BindAddr, Host};
    let mut ok = true;
    for p in &model.proxies {
        for b in &p.binds {
            for a in &b.config.addrs {
                if let BindAddr::Inet {
                    host: Host::Name(n),
                    ..
                } = a
                {
                    if resolver.resolve(n).is_none() {
                        ok = false;
                        d.alert(
                            Some(b.loc.clone()),
                            format!(
                                "'bind' : invalid address: '{n}' in '{}'",
                                b.config.addr_text
                            ),
                        );
                    }
                }
            }
        }
    }
    ok
}

/// The host part of a `log` target that needs resolving, if any:
/// `stdout`, `stderr`, paths, `fd@`, `ring@`, `unix@` and literal IPs need none.
fn log_host(target: &str) -> Option<&str> {
    if target.starts_with('/')
        || matches!(target, "stdout" | "stderr")
        || ["fd@", "ring@", "unix@", "abns@"]
            .iter()
            .any(|p| target.starts_with(p))
    {
        return None;
    }
    let t = ["udp@", "udp4@", "udp6@", "ipv4@", "ipv6@"]
        .iter()
        .find_map(|p| target.strip_prefix(p))
        .unwrap_or(target);
    let host = if t.starts_with('[') {
        t.trim_start_matches('[').split(']').next().unwrap_or("")
    } else if t.matches(':').count() > 1 {
        t // a bare IPv6 address
    } else {
        t.split(':').next().unwrap_or("")
    };
    if host.is_empty() || host.parse::<IpAddr>().is_ok() {
        None
    } else {
        Some(host)
    }
}

/// Log targets given by host name are resolved at start; HAProxy reports
/// a failure as an invalid address of the `log` line (even with `-dr`).
fn resolve_log_targets(model: &Model, resolver: &dyn Resolver, d: &mut Diagnostics) -> bool {
    let mut ok = true;
    let proxy_logs = model.proxies.iter().flat_map(|p| p.settings.logs.iter());
    for t in model.global.logs.iter().chain(proxy_logs) {
        if let Some(host) = log_host(&t.target) {
            if resolver.resolve(host).is_none() {
                ok = false;
                d.alert(
                    Some(t.loc.clone()),
                    format!("log : invalid address: '{host}' in '{}'", t.target),
                );
            }
        }
    }
    ok
}
