//! Applying server options in order onto a `ServerConfig`, with HAProxy
//! 2.6's messages (many end in ".." because HAProxy appends a dot to a
//! sentence that already has one; kept byte for byte).

use super::source::{parse_source, SourceError};
use super::{InitAddr, Observe, OnError, ResolveFamily, ServerConfig, ServerCtx, WsMode};
use crate::config::bind::{TlsVersion, Verify};
use crate::config::support::{self, Context, Status};
use crate::config::value::{self, parse_check_addr, parse_time, TimeError, TimeUnit};
use crate::diag::Diagnostics;

pub(super) struct LineState<'a> {
    /// The server's name as HAProxy prints it ("default-server", "(null)").
    pub display: &'a str,
    /// `'server px/name' : ` or empty for default-server.
    pub prefix: &'a str,
    pub default_server: bool,
}

/// Options without an argument; `source` takes several, the rest one.
fn arity(kw: &str) -> usize {
    match kw {
        "agent-check"
        | "allow-0rtt"
        | "backup"
        | "check"
        | "check-send-proxy"
        | "check-ssl"
        | "check-via-socks4"
        | "disabled"
        | "enabled"
        | "force-sslv3"
        | "force-tlsv10"
        | "force-tlsv11"
        | "force-tlsv12"
        | "force-tlsv13"
        | "no-agent-check"
        | "no-backup"
        | "no-check"
        | "no-check-send-proxy"
        | "no-check-ssl"
        | "no-send-proxy"
        | "no-send-proxy-v2"
        | "no-send-proxy-v2-ssl"
        | "no-send-proxy-v2-ssl-cn"
        | "no-ssl"
        | "no-ssl-reuse"
        | "no-sslv3"
        | "no-tfo"
        | "no-tls-tickets"
        | "no-tlsv10"
        | "no-tlsv11"
        | "no-tlsv12"
        | "no-tlsv13"
        | "non-stick"
        | "send-proxy"
        | "send-proxy-v2"
        | "send-proxy-v2-ssl"
        | "send-proxy-v2-ssl-cn"
        | "ssl"
        | "ssl-reuse"
        | "stick"
        | "tfo"
        | "tls-tickets" => 0,
        _ => 1,
    }
}

pub(super) fn apply_all(
    cfg: &mut ServerConfig,
    words: &[String],
    st: &LineState<'_>,
    ctx: ServerCtx<'_>,
    diags: &mut Diagnostics,
) -> Option<()> {
    let mut refused_any = false;
    let mut i = 0;
    while i < words.len() {
        let kw = words[i].as_str();
        let Some(entry) = support::lookup(Context::Server, kw) else {
            ctx.alert(diags, unknown_msg(kw, st));
            return None;
        };
        if st.default_server && kw == "id" {
            ctx.alert(
                diags,
                "'id' option is not accepted in default-server sections".into(),
            );
            return None;
        }
        let args: &[String] = if kw == "source" {
            let n = source_len(&words[i + 1..]);
            &words[i + 1..i + 1 + n]
        } else {
            let n = arity(kw).min(words.len() - i - 1);
            &words[i + 1..i + 1 + n]
        };
        i += 1 + if kw == "source" {
            args.len()
        } else {
            arity(kw)
        };
        let arg = args.first().map(String::as_str).unwrap_or("");
        cfg.keywords.push(kw.to_string());
        if kw == "source" {
            match parse_source(args) {
                Ok(src) => cfg.source = Some(src),
                Err(errs) => {
                    for e in errs {
                        match e {
                            SourceError::Located(m) => {
                                ctx.alert(diags, format!("{}{m}", st.prefix))
                            }
                            SourceError::Bare(m) => diags.alert(None, m),
                        }
                    }
                    return None;
                }
            }
        }
        match apply(cfg, kw, arg, st) {
            Ok(Some(w)) => ctx.warning(diags, format!("{}{w}", st.prefix)),
            Ok(None) => {}
            Err(e) => {
                ctx.alert(diags, format!("{}{e}", st.prefix));
                return None;
            }
        }
        match entry.status {
            Status::Implemented => {}
            Status::NoEffect => ctx.warning(
                diags,
                format!(
                    "{}'{kw}' has no effect in harp ({}), ignored",
                    st.prefix, entry.note
                ),
            ),
            Status::Refused => {
                ctx.alert(
                    diags,
                    format!("{}'{kw}' is not supported by harp", st.prefix),
                );
                // Keep reading: HAProxy's own errors later on the line
                // must still be reported.
                refused_any = true;
            }
            Status::Removed(msg) => {
                ctx.alert(diags, format!("{}{msg}", st.prefix));
                return None;
            }
        }
    }
    (!refused_any).then_some(())
}

fn unknown_msg(kw: &str, st: &LineState<'_>) -> String {
    let hint = crate::config::suggest::did_you_mean(kw, support::keywords(Context::Server));
    let mut m = format!("{}unknown keyword '{kw}'", st.prefix);
    match hint {
        Some(h) => m.push_str(&format!("; did you mean '{h}' maybe ?")),
        None => m.push('.'),
    }
    if st.default_server {
        m.push_str(" Hint: no address was expected for this server.");
    }
    m
}

/// How many words `source` consumes: its address, then `usesrc X` and
/// `interface X` pairs.
fn source_len(rest: &[String]) -> usize {
    if rest.is_empty() {
        return 0;
    }
    let mut n = 1;
    while let Some(w) = rest.get(n) {
        if w == "usesrc" || w == "interface" {
            n += (2).min(rest.len() - n);
        } else {
            break;
        }
    }
    n
}

/// Time options of the health-check family: errors name 'agent-inter'
/// whatever the keyword (HAProxy 2.6 does so).
fn check_delay(kw: &str, arg: &str, name: &str) -> Result<(u32, Option<String>), String> {
    if arg.is_empty() {
        return Err(format!("'{kw}' expects a delay as argument.."));
    }
    match parse_time(arg, TimeUnit::Ms) {
        Err(TimeError::UnexpectedChar(c)) => Err(cut_at_nul(format!(
            "unexpected character '{c}' in 'agent-inter' argument of server {name}.."
        ))),
        Err(TimeError::Overflow) => Err(format!(
            "timer overflow in argument <{arg}> to <{kw}> of server {name}, {}..",
            value::time::OVERFLOW_HINT
        )),
        Ok(t) if t.value == 0 => Err(format!(
            "invalid value 0 for argument '{kw}' of server {name}.."
        )),
        Ok(t) => Ok((t.value, t.warning)),
    }
}

/// `ip`, `ip/len` or (IPv4) `ip/mask`.
fn is_network(n: &str) -> bool {
    use std::net::{IpAddr, Ipv4Addr};
    let (ip, mask) = match n.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (n, None),
    };
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    let bits = if ip.is_ipv4() { 32 } else { 128 };
    match mask {
        None => true,
        Some(m) => {
            m.parse::<u32>().is_ok_and(|l| l <= bits)
                || (ip.is_ipv4() && m.parse::<Ipv4Addr>().is_ok())
        }
    }
}

/// HAProxy builds its time messages with `%c`; a NUL there (empty word)
/// ends the text, and the caller's final "." follows.
fn cut_at_nul(msg: String) -> String {
    match msg.find('\0') {
        Some(i) => format!("{}.", &msg[..i]),
        None => msg,
    }
}

fn tls_version(arg: &str, kw: &str) -> Result<TlsVersion, String> {
    if arg.is_empty() {
        return Err(format!("'{kw}' : missing the ssl/tls version."));
    }
    TlsVersion::parse(arg).ok_or_else(|| format!("'{arg}' : unknown ssl/tls version."))
}

fn list(s: &str) -> Vec<String> {
    s.split(',').map(str::to_string).collect()
}

fn clamp_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// Applies one option; Ok(Some(w)) carries a warning text.
fn apply(
    cfg: &mut ServerConfig,
    kw: &str,
    arg: &str,
    st: &LineState<'_>,
) -> Result<Option<String>, String> {
    let name = st.display;
    // "'kw' : what." when the argument is missing.
    let need = |what: &str| -> Result<String, String> {
        if arg.is_empty() {
            Err(format!("'{kw}' : {what}."))
        } else {
            Ok(arg.to_string())
        }
    };
    // "'kw' expects what as argument.." when the argument is missing.
    let expects = |what: &str| -> Result<String, String> {
        if arg.is_empty() {
            Err(format!("'{kw}' expects {what} as argument.."))
        } else {
            Ok(arg.to_string())
        }
    };
    let t = &mut cfg.tls;
    match kw {
        "addr" => {
            expects("<ipv4|ipv6>")?;
            let h = parse_check_addr(arg)
                .map_err(|e| format!("'addr' : {}.", e.trim_end_matches('\n')))?;
            cfg.check_addr = Some(h);
        }
        "agent-addr" => {
            expects("an address")?;
            let h = parse_check_addr(arg).map_err(|_| {
                format!("parsing agent-addr failed. Check if '{arg}' is correct address..")
            })?;
            cfg.agent_addr = Some(h);
        }
        "agent-check" => cfg.agent_check = true,
        "no-agent-check" => cfg.agent_check = false,
        "agent-inter" | "inter" | "fastinter" | "downinter" => {
            let (v, w) = check_delay(kw, arg, name)?;
            match kw {
                "inter" => cfg.inter = v,
                "fastinter" => cfg.fastinter = Some(v),
                "downinter" => cfg.downinter = Some(v),
                _ => cfg.agent_inter = v,
            }
            return Ok(w);
        }
        "agent-port" | "port" => {
            expects("a port number")?;
            // atol() then a C int narrowed to 16 bits, as HAProxy does.
            let p = value::atol(arg) as u16;
            if kw == "port" {
                cfg.check_port = Some(p);
            } else {
                cfg.agent_port = Some(p);
            }
        }
        "agent-send" => cfg.agent_send = Some(expects("a string")?),
        "allow-0rtt" => t.allow_0rtt = true,
        "alpn" => {
            t.alpn = Some(list(&need(
                "missing the comma-delimited ALPN protocol suite",
            )?))
        }
        "npn" => {
            t.npn = Some(list(&need(
                "missing the comma-delimited NPN protocol suite",
            )?))
        }
        "check-alpn" => {
            cfg.check_alpn = Some(list(&need(
                "missing the comma-delimited ALPN protocol suite",
            )?))
        }
        "backup" => cfg.backup = true,
        "no-backup" => cfg.backup = false,
        "ca-file" => t.ca_file = Some(need("missing CAfile path")?),
        "crl-file" => t.crl_file = Some(need("missing CRLfile path")?),
        "crt" => t.crt = Some(need("missing certificate file path")?),
        "ciphers" => t.ciphers = Some(need("missing cipher suite")?),
        "ciphersuites" => t.ciphersuites = Some(need("missing cipher suite")?),
        "check" => cfg.check = true,
        "no-check" => cfg.check = false,
        "check-proto" | "proto" => {
            need("missing value")?;
            // The multiplexers HAProxy 2.6 (Debian build) registers.
            if !matches!(arg, "h1" | "h2" | "fcgi" | "none") {
                return Err(format!("'{kw}' :  unknown MUX protocol '{arg}'."));
            }
            if kw == "proto" {
                cfg.proto = Some(arg.to_string());
            } else {
                cfg.check_proto = Some(arg.to_string());
            }
        }
        "check-send-proxy" => cfg.check_send_proxy = true,
        "no-check-send-proxy" => cfg.check_send_proxy = false,
        "usesrc" => return Err("'usesrc' only allowed after a 'source' statement..".into()),
        "check-sni" => cfg.check_sni = Some(need("missing SNI")?),
        "check-ssl" => cfg.check_ssl = true,
        "no-check-ssl" => cfg.check_ssl = false,
        "check-via-socks4" => cfg.check_via_socks4 = true,
        "cookie" => cfg.cookie = Some(expects("<value>")?),
        "disabled" => cfg.disabled = true,
        "enabled" => cfg.disabled = false,
        "error-limit" => {
            if arg.is_empty() {
                return Err("'error-limit' expects an integer argument..".into());
            }
            let v = value::atol(arg);
            if v < 1 {
                return Err("error-limit has to be > 0..".into());
            }
            cfg.error_limit = clamp_u32(v);
        }
        "rise" | "fall" => {
            if arg.is_empty() {
                return Err(format!("'{kw}' expects an integer argument.."));
            }
            let v = value::atol(arg);
            if v <= 0 {
                return Err(format!("'{kw}' has to be > 0.."));
            }
            if kw == "rise" {
                cfg.rise = clamp_u32(v);
            } else {
                cfg.fall = clamp_u32(v);
            }
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
        "id" => {
            if arg.is_empty() {
                return Err("'id' : expects an integer argument.".into());
            }
            let v = value::atol(arg);
            if v <= 0 {
                return Err("'id' : custom id has to be > 0.".into());
            }
            cfg.id = Some(v.min(i64::from(i32::MAX)) as i32);
        }
        "init-addr" => {
            let mut steps = Vec::new();
            for m in arg.split(',').filter(|m| !m.is_empty()) {
                steps.push(match m {
                    "last" => InitAddr::Last,
                    "libc" => InitAddr::Libc,
                    "none" => InitAddr::None,
                    _ => InitAddr::Ip(m.parse().map_err(|_| {
                        format!(
                            "'init-addr' : unknown init-addr method '{m}', supported methods are 'libc', 'last', 'none'.."
                        )
                    })?),
                });
            }
            cfg.init_addr = steps;
        }
        "log-proto" => {
            if !matches!(arg, "legacy" | "octet-count") {
                return Err(format!(
                    "'log-proto' expects one of 'legacy' or 'octet-count' but got '{arg}'."
                ));
            }
            cfg.log_proto = Some(arg.to_string());
        }
        "max-reuse" => cfg.max_reuse = Some(value::atol(&expects("<value>")?)),
        "pool-low-conn" => cfg.pool_low_conn = Some(value::atol(&expects("<value>")?)),
        "pool-max-conn" => cfg.pool_max_conn = Some(value::atol(&expects("<value>")?)),
        "pool-purge-delay" => {
            expects("<value>")?;
            let v = parse_time(arg, TimeUnit::Ms).map_err(|e| match e {
                TimeError::UnexpectedChar(c) => cut_at_nul(format!(
                    "unexpected character '{c}' in argument to <{kw}>.."
                )),
                TimeError::Overflow => format!(
                    "timer overflow in argument <{arg}> to <{kw}> of server {name}, {}..",
                    value::time::OVERFLOW_HINT
                ),
            })?;
            cfg.pool_purge_delay = Some(v.value);
            return Ok(v.warning);
        }
        "maxconn" => cfg.maxconn = clamp_u32(value::atol(arg)),
        "minconn" => cfg.minconn = clamp_u32(value::atol(arg)),
        "maxqueue" => cfg.maxqueue = clamp_u32(value::atol(arg)),
        "namespace" => {
            if arg.is_empty() {
                return Err("'namespace' : expects <name> as argument.".into());
            }
            cfg.namespace = Some(arg.to_string());
        }
        "no-send-proxy" => cfg.send_proxy = false,
        "no-send-proxy-v2" => cfg.send_proxy_v2 = false,
        "no-send-proxy-v2-ssl" => cfg.send_proxy_v2_ssl = false,
        "no-send-proxy-v2-ssl-cn" => cfg.send_proxy_v2_ssl_cn = false,
        "send-proxy" => cfg.send_proxy = true,
        "send-proxy-v2" => cfg.send_proxy_v2 = true,
        "send-proxy-v2-ssl" => cfg.send_proxy_v2_ssl = true,
        "send-proxy-v2-ssl-cn" => cfg.send_proxy_v2_ssl_cn = true,
        "proxy-v2-options" => {
            for o in arg.split(',') {
                if !matches!(
                    o,
                    "ssl"
                        | "cert-cn"
                        | "ssl-cipher"
                        | "cert-sig"
                        | "cert-key"
                        | "authority"
                        | "crc32c"
                        | "unique-id"
                ) {
                    return Err(format!("'{o}' : proxy v2 option not implemented."));
                }
                cfg.proxy_v2_options.push(o.to_string());
            }
        }
        "ssl" => t.ssl = true,
        "no-ssl" => t.ssl = false,
        "ssl-reuse" => t.ssl_reuse = true,
        "no-ssl-reuse" => t.ssl_reuse = false,
        "tfo" => cfg.tfo = true,
        "no-tfo" => cfg.tfo = false,
        "tls-tickets" => t.no_tls_tickets = false,
        "no-tls-tickets" => t.no_tls_tickets = true,
        "verifyhost" => t.verifyhost = Some(need("missing hostname to verify against")?),
        "non-stick" => cfg.non_stick = true,
        "stick" => cfg.non_stick = false,
        "observe" => {
            expects("<mode>")?;
            cfg.observe = match arg {
                "none" => Observe::None,
                "layer4" => Observe::Layer4,
                "layer7" => Observe::Layer7,
                _ => {
                    return Err(format!(
                        "'observe' expects one of 'none', 'layer4', 'layer7' but got '{arg}'."
                    ))
                }
            };
        }
        "on-error" => {
            cfg.on_error = match arg {
                "fastinter" => OnError::FastInter,
                "fail-check" => OnError::FailCheck,
                "sudden-death" => OnError::SuddenDeath,
                "mark-down" => OnError::MarkDown,
                _ => return Err(format!(
                    "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '{arg}'."
                )),
            };
        }
        "on-marked-down" => {
            if arg != "shutdown-sessions" {
                return Err(format!(
                    "'on-marked-down' expects 'shutdown-sessions' but got '{arg}'."
                ));
            }
            cfg.on_marked_down_shutdown = true;
        }
        "on-marked-up" => {
            if arg != "shutdown-backup-sessions" {
                return Err(format!(
                    "'on-marked-up' expects 'shutdown-backup-sessions' but got '{arg}'."
                ));
            }
            cfg.on_marked_up_shutdown_backup = true;
        }
        "redir" => cfg.redir = Some(expects("<prefix>")?),
        "resolve-net" => {
            if arg.is_empty() {
                return Err("'resolve-net' expects a list of networks..".into());
            }
            if let Some(bad) = arg.split(',').find(|n| !is_network(n)) {
                return Err(format!("'resolve-net' invalid network '{bad}'.."));
            }
            cfg.resolve_net = Some(arg.to_string());
        }
        "resolve-opts" => {
            for o in arg.split(',').filter(|o| !o.is_empty()) {
                if !matches!(o, "allow-dup-ip" | "ignore-weight" | "prevent-dup-ip") {
                    return Err(format!(
                        "'resolve-opts' : unknown resolve-opts option '{o}', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'.."
                    ));
                }
            }
            cfg.resolve_opts = Some(arg.to_string());
        }
        "resolve-prefer" => {
            cfg.resolve_prefer = Some(match arg {
                "ipv4" => ResolveFamily::Ipv4,
                "ipv6" => ResolveFamily::Ipv6,
                _ => {
                    return Err("'resolve-prefer' expects either ipv4 or ipv6 as argument..".into())
                }
            });
        }
        "resolvers" => cfg.resolvers = (!arg.is_empty()).then(|| arg.to_string()),
        "slowstart" => match parse_time(arg, TimeUnit::Ms) {
            Err(TimeError::UnexpectedChar(c)) => {
                return Err(cut_at_nul(format!(
                    "unexpected character '{c}' in 'slowstart' argument of server {name}.."
                )))
            }
            Err(TimeError::Overflow) => {
                return Err(format!(
                    "overflow in argument <{arg}> to <slowstart> of server {name}, {}..",
                    value::time::OVERFLOW_HINT
                ))
            }
            Ok(t) => {
                cfg.slowstart = t.value;
                return Ok(t.warning);
            }
        },
        "sni" => t.sni = Some(need("missing sni expression")?),
        "socks4" => cfg.socks4 = Some(expects("<addr>:<port>")?),
        // Parsed in apply_all (several words, several diagnostics).
        "source" => {}
        "ssl-min-ver" => t.min_ver = Some(tls_version(arg, kw)?),
        "ssl-max-ver" => t.max_ver = Some(tls_version(arg, kw)?),
        "tcp-ut" => {
            need("missing TCP User Timeout value")?;
            let v = parse_time(arg, TimeUnit::Ms)
                .map_err(|_| "'tcp-ut' : expects a positive delay in milliseconds.".to_string())?;
            cfg.tcp_ut = Some(v.value);
            return Ok(v.warning);
        }
        "track" => cfg.track = Some(expects("[<proxy>/]<server>")?),
        "verify" => {
            need("missing verify method")?;
            t.verify = Some(match arg {
                "none" => Verify::None,
                "required" => Verify::Required,
                _ => {
                    return Err(format!(
                        "'verify' : unknown verify method '{arg}', only 'none' and 'required' are supported."
                    ))
                }
            });
        }
        "weight" => {
            let v = value::atol(arg);
            if !(0..=256).contains(&v) {
                return Err(format!(
                    "weight of server {name} is not within 0 and 256 ({v}).."
                ));
            }
            cfg.weight = v as u32;
        }
        "ws" => {
            cfg.ws = match arg {
                "auto" => WsMode::Auto,
                "h1" => WsMode::H1,
                "h2" => WsMode::H2,
                _ => return Err("'ws' has to be 'auto', 'h1' or 'h2'.".into()),
            };
        }
        _ => return Err(format!("'{kw}' : not handled")),
    }
    Ok(None)
}
