//! `bind` lines and the bind options shared with `stats socket`
//! (configuration.txt §4 "bind", §5.1 "Bind options").
//!
//! The words come from the line tokenizer; errors are HAProxy 2.6's texts.
//! Like HAProxy, parsing a line stops at its first error. Keywords harp
//! refuses are fatal, but the rest of the line is still read so that
//! HAProxy's own errors show too; no-effect ones earn one warning each.
//! Checks that need the file system or other lines (certificate files,
//! user/group names, duplicate ids, `crt-base`) belong to the model layer.

use crate::config::support::{self, Context, Status};
use crate::config::value::{self, parse_bind_addr, parse_time, BindAddr, TimeUnit};
use crate::diag::{Diagnostic, Diagnostics, Loc};

/// Where the options are written: the error prefix differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindOwner<'a> {
    /// A `bind` line; the payload is the section type (`frontend`, `listen`).
    Bind { section: &'a str },
    /// `stats socket` in the global section.
    StatsSocket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    SslV3,
    TlsV10,
    TlsV11,
    TlsV12,
    TlsV13,
}

impl TlsVersion {
    pub fn parse(s: &str) -> Option<TlsVersion> {
        Some(match s {
            "SSLv3" => TlsVersion::SslV3,
            "TLSv1.0" => TlsVersion::TlsV10,
            "TLSv1.1" => TlsVersion::TlsV11,
            "TLSv1.2" => TlsVersion::TlsV12,
            "TLSv1.3" => TlsVersion::TlsV13,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    None,
    Optional,
    Required,
}

/// Stats socket privilege level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    User,
    Operator,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityOutput {
    None,
    Number,
    String,
}

/// TLS settings shared by listeners (and, for most fields, servers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    pub crt: Vec<String>,
    pub crt_list: Vec<String>,
    pub ca_file: Option<String>,
    pub crl_file: Option<String>,
    pub verify: Option<Verify>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub curves: Option<String>,
    pub ecdhe: Option<String>,
    pub alpn: Option<Vec<String>>,
    pub npn: Option<Vec<String>>,
    pub min_ver: Option<TlsVersion>,
    pub max_ver: Option<TlsVersion>,
    /// `force-tlsv1x`: exactly this version.
    pub force: Option<TlsVersion>,
    /// Versions disabled by `no-sslv3` / `no-tlsv1x`.
    pub disabled: Vec<TlsVersion>,
    pub no_tls_tickets: bool,
    pub strict_sni: bool,
    pub prefer_client_ciphers: bool,
    pub no_ca_names: bool,
    pub allow_0rtt: bool,
    pub tls_ticket_keys: Option<String>,
}

/// Everything a `bind` line (or `stats socket`) configures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BindConfig {
    /// The address word as written (used in messages: `'bind :80'`).
    pub addr_text: String,
    pub addrs: Vec<BindAddr>,
    pub name: Option<String>,
    pub id: Option<i32>,
    pub maxconn: Option<u32>,
    pub backlog: Option<u32>,
    pub ssl: bool,
    pub tls: TlsOptions,
    pub accept_proxy: bool,
    pub transparent: bool,
    pub v4v6: bool,
    pub v6only: bool,
    pub interface: Option<String>,
    pub namespace: Option<String>,
    /// Unix socket permissions (`mode`, octal), owner and group.
    pub unix_mode: Option<u32>,
    pub uid: Option<i64>,
    pub gid: Option<i64>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub tfo: bool,
    pub defer_accept: bool,
    pub nice: Option<i32>,
    pub process: Option<String>,
    pub thread: Option<String>,
    pub tcp_ut: Option<u32>,
    pub mss: Option<i32>,
    pub shards: Option<String>,
    pub proto: Option<String>,
    pub level: Option<Level>,
    pub severity_output: Option<SeverityOutput>,
    pub expose_fd_listeners: bool,
    /// Every option keyword in line order (for reports and support checks).
    pub keywords: Vec<String>,
}

/// Options that take one argument; every other known option takes none.
fn takes_arg(kw: &str) -> bool {
    !matches!(
        kw,
        "accept-proxy"
            | "allow-0rtt"
            | "defer-accept"
            | "force-sslv3"
            | "force-tlsv10"
            | "force-tlsv11"
            | "force-tlsv12"
            | "force-tlsv13"
            | "generate-certificates"
            | "no-ca-names"
            | "no-sslv3"
            | "no-tls-tickets"
            | "no-tlsv10"
            | "no-tlsv11"
            | "no-tlsv12"
            | "no-tlsv13"
            | "prefer-client-ciphers"
            | "ssl"
            | "strict-sni"
            | "tfo"
            | "transparent"
            | "v4v6"
            | "v6only"
    )
}

/// Parses the words after `bind`: the address list, then options.
pub fn parse_bind(
    words: &[String],
    loc: &Loc,
    section: &str,
    diags: &mut Diagnostics,
) -> Option<BindConfig> {
    let Some(addr) = words.first().filter(|w| !w.is_empty()) else {
        diags.alert(
            Some(loc.clone()),
            "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.",
        );
        return None;
    };
    let addrs = match parse_bind_addr(addr) {
        Ok(a) => a,
        Err(e) => {
            let e = e.trim_end_matches('\n');
            diags.alert(Some(loc.clone()), format!("'bind' : {e}"));
            return None;
        }
    };
    let mut cfg = parse_bind_options(&words[1..], addr, loc, BindOwner::Bind { section }, diags)?;
    cfg.addrs = addrs;
    Some(cfg)
}

/// Parses the words after `stats socket` (global section): the address,
/// then bind options. HAProxy words its address errors with the location
/// twice and an extra newline; kept as is.
pub fn parse_stats_socket(
    words: &[String],
    loc: &Loc,
    diags: &mut Diagnostics,
) -> Option<BindConfig> {
    let Some(addr) = words.first().filter(|w| !w.is_empty()) else {
        diags.alert(
            Some(loc.clone()),
            "'stats socket' in global section expects an address or a path to a UNIX socket",
        );
        return None;
    };
    let addrs = match parse_bind_addr(addr) {
        Ok(a) => a,
        Err(e) => {
            diags.alert(
                Some(loc.clone()),
                format!("parsing [{loc}] : 'stats socket' : {e}\n"),
            );
            return None;
        }
    };
    let mut cfg = parse_bind_options(&words[1..], addr, loc, BindOwner::StatsSocket, diags)?;
    cfg.addrs = addrs;
    Some(cfg)
}

/// Parses bind options (`words` = what follows the address). `addr_text` is
/// the address as written; it appears in `bind` messages.
pub fn parse_bind_options(
    words: &[String],
    addr_text: &str,
    loc: &Loc,
    owner: BindOwner<'_>,
    diags: &mut Diagnostics,
) -> Option<BindConfig> {
    let mut cfg = BindConfig {
        addr_text: addr_text.to_string(),
        ..BindConfig::default()
    };
    let mut refused_any = false;
    let mut i = 0;
    while i < words.len() {
        let kw = words[i].as_str();
        let Some(entry) = support::lookup(Context::Bind, kw) else {
            diags.push(Diagnostic::alert(
                Some(loc.clone()),
                unknown_msg(kw, addr_text, owner),
            ));
            return None;
        };
        let arg = if takes_arg(kw) {
            words.get(i + 1).map(String::as_str).unwrap_or("")
        } else {
            ""
        };
        i += if takes_arg(kw) { 2 } else { 1 };
        cfg.keywords.push(kw.to_string());
        match apply(&mut cfg, kw, arg) {
            // HAProxy prints time warnings of bind options without a
            // location (they come from its time parser itself).
            Ok(Some(Warn::Bare(w))) => diags.push(Diagnostic::warning(None, w)),
            Ok(Some(Warn::Located(w))) => {
                let m = prefixed(&w, addr_text, owner);
                diags.push(Diagnostic::warning(Some(loc.clone()), m));
            }
            Ok(None) => {}
            Err(e) => {
                let m = prefixed(&e, addr_text, owner);
                diags.push(Diagnostic::alert(Some(loc.clone()), m));
                return None;
            }
        }
        match entry.status {
            Status::Refused => {
                let m = format!("'{kw}' is not supported by harp");
                diags.push(Diagnostic::alert(
                    Some(loc.clone()),
                    prefixed(&m, addr_text, owner),
                ));
                // Keep reading: HAProxy's own errors later on the line
                // must still be reported.
                refused_any = true;
            }
            Status::NoEffect => {
                let m = format!("'{kw}' has no effect in harp ({}), ignored", entry.note);
                diags.push(Diagnostic::warning(
                    Some(loc.clone()),
                    prefixed(&m, addr_text, owner),
                ));
            }
            Status::Removed(msg) => {
                diags.push(Diagnostic::alert(
                    Some(loc.clone()),
                    prefixed(msg, addr_text, owner),
                ));
                return None;
            }
            Status::Implemented => {}
        }
    }
    (!refused_any).then_some(cfg)
}

fn prefixed(msg: &str, addr_text: &str, owner: BindOwner<'_>) -> String {
    match owner {
        // HAProxy trims a final newline here but not inside the quotes.
        BindOwner::Bind { section } => {
            let msg = msg.trim_end_matches('\n');
            format!("'bind {addr_text}' in section '{section}' : {msg}")
        }
        BindOwner::StatsSocket => format!("'stats socket' : '{msg}'"),
    }
}

fn unknown_msg(kw: &str, addr_text: &str, owner: BindOwner<'_>) -> String {
    let hint = crate::config::suggest::did_you_mean(kw, support::keywords(Context::Bind));
    match owner {
        BindOwner::Bind { section } => {
            let head = format!("'bind {addr_text}' in section '{section}': unknown keyword '{kw}'");
            match hint {
                Some(h) => format!("{head}; did you mean '{h}' maybe ?"),
                None => format!("{head}."),
            }
        }
        BindOwner::StatsSocket => {
            let head = format!("'stats socket' : unknown keyword '{kw}'.");
            match hint {
                Some(h) => format!("{head} Did you mean '{h}' maybe ?"),
                None => head,
            }
        }
    }
}

/// A warning from one option.
enum Warn {
    /// Printed without location (HAProxy's time parser warns on its own).
    Bare(String),
    /// Printed with the line's location and prefix.
    Located(String),
}

/// Applies one option; Ok(Some(_)) carries a warning.
fn apply(cfg: &mut BindConfig, kw: &str, arg: &str) -> Result<Option<Warn>, String> {
    let missing = |what: &str| format!("'{kw}' : {what}");
    let need = |what: &str| -> Result<String, String> {
        if arg.is_empty() {
            Err(missing(what))
        } else {
            Ok(arg.to_string())
        }
    };
    let t = &mut cfg.tls;
    match kw {
        "accept-netscaler-cip" => {
            need("missing value")?;
            let v = value::atol(arg);
            if v <= 0 {
                return Err(format!("'{kw}' : invalid value {v}, must be >= 0"));
            }
        }
        "accept-proxy" => cfg.accept_proxy = true,
        "allow-0rtt" => t.allow_0rtt = true,
        "alpn" => t.alpn = Some(need("missing the comma-delimited ALPN protocol suite").map(list)?),
        "npn" => t.npn = Some(need("missing the comma-delimited NPN protocol suite").map(list)?),
        "backlog" => {
            need("missing value")?;
            let v = value::atol(arg);
            // HAProxy 2.6 accepts 0 despite its wording.
            if v < 0 {
                return Err(format!("'{kw}' : invalid value {v}, must be > 0"));
            }
            cfg.backlog = Some(clamp_u32(v));
        }
        "maxconn" => {
            need("missing value")?;
            let v = value::atol(arg);
            if v < 0 {
                return Err(format!("'{kw}' : invalid value {v}, must be >= 0"));
            }
            cfg.maxconn = Some(clamp_u32(v));
        }
        "ca-file" => t.ca_file = Some(need("missing CAfile path")?),
        "ca-verify-file" | "ca-sign-file" => {
            need("missing CAfile path")?;
        }
        "ca-sign-pass" => {
            need("missing CAkey password")?;
        }
        "ca-ignore-err" | "crt-ignore-err" => {
            need("missing error IDs list")?;
        }
        "ciphers" => t.ciphers = Some(need("missing cipher suite")?),
        "ciphersuites" => t.ciphersuites = Some(need("missing cipher suite")?),
        "crl-file" => t.crl_file = Some(need("missing CRLfile path")?),
        "crt" => t.crt.push(need("missing certificate location")?),
        "crt-list" => t.crt_list.push(need("missing certificate location")?),
        "curves" => t.curves = Some(need("missing curve suite")?),
        "ecdhe" => t.ecdhe = Some(need("missing named curve")?),
        "defer-accept" => cfg.defer_accept = true,
        "expose-fd" => {
            need("missing fd type")?;
            if arg != "listeners" {
                return Err(format!(
                    "'expose-fd' only supports 'listeners' (got '{arg}')"
                ));
            }
            cfg.expose_fd_listeners = true;
        }
        "force-sslv3" => t.force = Some(TlsVersion::SslV3),
        "force-tlsv10" => t.force = Some(TlsVersion::TlsV10),
        "force-tlsv11" => t.force = Some(TlsVersion::TlsV11),
        "force-tlsv12" => t.force = Some(TlsVersion::TlsV12),
        "force-tlsv13" => t.force = Some(TlsVersion::TlsV13),
        "no-sslv3" => t.disabled.push(TlsVersion::SslV3),
        "no-tlsv10" => t.disabled.push(TlsVersion::TlsV10),
        "no-tlsv11" => t.disabled.push(TlsVersion::TlsV11),
        "no-tlsv12" => t.disabled.push(TlsVersion::TlsV12),
        "no-tlsv13" => t.disabled.push(TlsVersion::TlsV13),
        "generate-certificates" => {}
        "gid" => cfg.gid = Some(value::atol(&need("missing value")?)),
        "uid" => cfg.uid = Some(value::atol(&need("missing value")?)),
        "group" => cfg.group = Some(need("missing group name")?),
        "user" => cfg.user = Some(need("missing user name")?),
        "id" => {
            if arg.is_empty() {
                return Err(missing("expects an integer argument"));
            }
            let v = value::parse_int_strict(arg)
                .ok_or_else(|| format!("'id' : expects an integer argument, found '{arg}'"))?;
            if v <= 0 {
                return Err(missing("custom id has to be > 0"));
            }
            cfg.id = Some(v.min(i64::from(i32::MAX)) as i32);
        }
        "interface" => cfg.interface = Some(need("missing interface name")?),
        "namespace" => cfg.namespace = Some(need("missing namespace id")?),
        "level" => {
            need("missing level")?;
            cfg.level = Some(match arg {
                "user" => Level::User,
                "operator" => Level::Operator,
                "admin" => Level::Admin,
                _ => {
                    return Err(format!(
                        "'level' only supports 'user', 'operator', and 'admin' (got '{arg}')"
                    ))
                }
            });
        }
        "severity-output" => {
            need("missing severity format")?;
            cfg.severity_output = Some(match arg {
                "none" => SeverityOutput::None,
                "number" => SeverityOutput::Number,
                "string" => SeverityOutput::String,
                _ => {
                    return Err(format!(
                    "'severity-output' only supports 'none', 'number', and 'string' (got '{arg}')"
                ))
                }
            });
        }
        "mode" => {
            let m = (!arg.is_empty() && arg.bytes().all(|b| (b'0'..=b'7').contains(&b)))
                .then(|| u32::from_str_radix(arg, 8).ok())
                .flatten()
                .ok_or_else(|| {
                    format!("'mode' : missing or invalid mode '{arg}' (octal integer expected)")
                })?;
            cfg.unix_mode = Some(m);
        }
        "mss" => {
            need("missing MSS value")?;
            let v = value::atol(arg);
            if !(1..=65535).contains(&v.unsigned_abs()) {
                return Err(missing(
                    "expects an MSS with and absolute value between 1 and 65535",
                ));
            }
            cfg.mss = Some(v as i32);
        }
        "name" => cfg.name = Some(need("missing name")?),
        "nice" => {
            need("missing value")?;
            let v = value::atol(arg);
            if !(-1024..=1024).contains(&v) {
                return Err(format!(
                    "'nice' : invalid value {v}, allowed range is -1024..1024"
                ));
            }
            cfg.nice = Some(v as i32);
        }
        "no-ca-names" => t.no_ca_names = true,
        "no-tls-tickets" => t.no_tls_tickets = true,
        "prefer-client-ciphers" => t.prefer_client_ciphers = true,
        "process" => {
            // `process <procs>[/<threads>]`: one process in 2.6; deprecated.
            let (procs, threads) = match arg.split_once('/') {
                Some((p, t)) => (p, Some(t)),
                None => (arg, None),
            };
            check_cpu_set(procs, 1).map_err(|e| format!("'process' : {e}"))?;
            if let Some(t) = threads {
                check_cpu_set(t, 64).map_err(|e| format!("'process' : {e}"))?;
            }
            cfg.process = Some(arg.to_string());
            let hint = threads.map_or(String::new(), |t| {
                format!(" Please use 'thread {t}' instead.")
            });
            return Ok(Some(Warn::Located(format!(
                "'process {arg}' on 'bind' lines is deprecated and will be removed in 2.7.{hint}"
            ))));
        }
        "thread" => {
            // `thread [<group>/]<set>`: one thread group in 2.6.
            let set = match arg.split_once('/') {
                Some((g, set)) => {
                    let g = value::atol(g);
                    if g != 1 {
                        return Err(format!(
                            "'{arg}' thread-group number must be between 1 and 1 (was {g})"
                        ));
                    }
                    set
                }
                None => arg,
            };
            check_cpu_set(set, 64).map_err(|e| format!("'{arg}' : {e}"))?;
            cfg.thread = Some(arg.to_string());
        }
        "proto" => {
            need("missing value")?;
            // Registered names; fcgi/none are refused later by HAProxy's
            // post-parse check, which the model layer does.
            if !matches!(arg, "h1" | "h2" | "fcgi" | "none") {
                return Err(format!("'proto' :  unknown MUX protocol '{arg}'"));
            }
            cfg.proto = Some(arg.to_string());
        }
        "shards" => {
            need("missing value")?;
            if arg != "by-thread" {
                let v = value::atol(arg);
                if !(1..=64).contains(&v) {
                    return Err(format!(
                        "'shards' : invalid value {v}, allowed range is 1..64 or 'by-thread'"
                    ));
                }
            }
            cfg.shards = Some(arg.to_string());
        }
        "ssl" => cfg.ssl = true,
        "ssl-min-ver" | "ssl-max-ver" => {
            need("missing the ssl/tls version")?;
            let v = TlsVersion::parse(arg)
                .ok_or_else(|| format!("'{arg}' : unknown ssl/tls version"))?;
            if kw == "ssl-min-ver" {
                t.min_ver = Some(v);
            } else {
                t.max_ver = Some(v);
            }
        }
        "strict-sni" => t.strict_sni = true,
        "tcp-ut" => {
            need("missing TCP User Timeout value")?;
            let v = parse_time(arg, TimeUnit::Ms)
                .map_err(|_| missing("expects a positive delay in milliseconds"))?;
            cfg.tcp_ut = Some(v.value);
            return Ok(v.warning.map(Warn::Bare));
        }
        "tfo" => cfg.tfo = true,
        "tls-ticket-keys" => t.tls_ticket_keys = Some(need("missing TLS ticket keys file path")?),
        "transparent" => cfg.transparent = true,
        "v4v6" => cfg.v4v6 = true,
        "v6only" => cfg.v6only = true,
        "verify" => {
            need("missing verify method")?;
            t.verify = Some(match arg {
                "none" => Verify::None,
                "optional" => Verify::Optional,
                "required" => Verify::Required,
                _ => {
                    return Err(format!(
                        "'verify' : unknown verify method '{arg}', only 'none', 'optional', and 'required' are supported\n"
                    ))
                }
            });
        }
        // Every keyword of the support table has an arm above; a new table
        // row without one is caught by the tests.
        _ => return Err(format!("'{kw}' : not handled")),
    }
    Ok(None)
}

fn list(s: String) -> Vec<String> {
    s.split(',').map(str::to_string).collect()
}

fn clamp_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// `all`, `odd`, `even`, `N` or `N-M` with numbers in 1..=max.
fn check_cpu_set(s: &str, max: i64) -> Result<(), String> {
    if matches!(s, "all" | "odd" | "even") {
        return Ok(());
    }
    let numeric = s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    let ok = numeric && {
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let (a, b) = (
            value::parse_int_strict(a).unwrap_or(0),
            value::parse_int_strict(b).unwrap_or(0),
        );
        (1..=max).contains(&a) && (a..=max).contains(&b)
    };
    if ok {
        return Ok(());
    }
    let tail = if numeric {
        format!(" It supports numbers from 1 to {max}.\n")
    } else {
        String::new()
    };
    Err(format!("'{s}' is not a valid number/range.{tail}"))
}
