//! Handlers for the implemented proxy keywords that set values (as
//! opposed to rules): mode, balance, timeouts, options, logs, cookie, stats,
//! servers, binds, error files (HAProxy manual §4.2).

use crate::config::model::{
    Balance, CookieConfig, ForwardFor, HttpCheck, HttpConnMode, Mode, OriginalTo,
};
use crate::config::value::atol;
use crate::diag::{Diagnostics, Loc};

use super::args::{need, parse_time_kw};
use super::global::parse_log;
use super::proxy::Cur;
use super::{rules, servers};

/// Balance algorithms of 2.6 (manual §4.2 "balance").
const BALANCE_ALGOS: &[&str] = &[
    "roundrobin",
    "static-rr",
    "leastconn",
    "first",
    "source",
    "uri",
    "url_param",
    "random",
];

pub(super) fn keyword(
    cur: &mut Cur,
    kw: &str,
    args: &[String],
    modifier: Option<&str>,
    loc: &Loc,
    d: &mut Diagnostics,
) {
    let negate = modifier == Some("no");
    if let Some(opt) = kw.strip_prefix("option ") {
        option(cur, opt, args, modifier, loc, d);
        return;
    }
    if let Some(t) = kw.strip_prefix("timeout ") {
        let field = t.to_string();
        if let Some(v) = parse_time_kw(kw, args, loc, d) {
            let to = &mut cur.s().timeouts;
            let slot = match field.as_str() {
                "client" => &mut to.client,
                "client-fin" => &mut to.client_fin,
                "server" => &mut to.server,
                "server-fin" => &mut to.server_fin,
                "connect" => &mut to.connect,
                "check" => &mut to.check,
                "queue" => &mut to.queue,
                "http-request" => &mut to.http_request,
                "http-keep-alive" => &mut to.http_keep_alive,
                "tunnel" => &mut to.tunnel,
                "tarpit" => &mut to.tarpit,
                _ => {
                    cur.s().extra.push((kw.into(), args.to_vec(), loc.clone()));
                    return;
                }
            };
            *slot = Some(v);
        }
        return;
    }
    if let Some(sub) = kw.strip_prefix("stats ") {
        rules::stats(cur, sub, args, loc, d);
        return;
    }
    match kw {
        "mode" => match args.first().map(String::as_str) {
            Some("http") => cur.s().mode = Mode::Http,
            Some("tcp") => cur.s().mode = Mode::Tcp,
            Some("health") => d.alert(
                Some(loc.clone()),
                "'mode health' doesn't exist anymore. Please use 'http-request return' or 'tcp-request connection reject' instead.",
            ),
            other => d.alert(
                Some(loc.clone()),
                format!("unknown proxy mode '{}'.", other.unwrap_or("")),
            ),
        },
        "balance" => {
            let Some(algo) = args.first() else {
                d.alert(Some(loc.clone()), "'balance' expects an algorithm.");
                return;
            };
            let base = algo.split('(').next().unwrap_or(algo);
            let ok = BALANCE_ALGOS.contains(&base)
                || (matches!(base, "hdr" | "rdp-cookie") && algo.ends_with(')'))
                || base == "rdp-cookie"
                || base == "hash";
            if !ok {
                d.alert(
                    Some(loc.clone()),
                    "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.",
                );
                return;
            }
            if base == "url_param" && args.len() < 2 {
                d.alert(Some(loc.clone()), "'balance url_param' requires an URL parameter name.");
                return;
            }
            cur.s().balance = Balance {
                algorithm: algo.clone(),
                args: args[1..].to_vec(),
            };
        }
        "hash-type" => match args.first().map(String::as_str) {
            Some("consistent" | "map-based") => cur.s().hash_type = Some(args.to_vec()),
            _ => d.alert(
                Some(loc.clone()),
                "'hash-type' only supports 'consistent' and 'map-based'.",
            ),
        },
        // HAProxy reads these with atol(): garbage silently becomes 0.
        "maxconn" => cur.s().maxconn = need(kw, args, loc, d).map(|a| atol(a).max(0) as u32),
        "backlog" => cur.s().backlog = need(kw, args, loc, d).map(|a| atol(a).max(0) as u32),
        "fullconn" => cur.s().fullconn = need(kw, args, loc, d).map(|a| atol(a).max(0) as u32),
        "retries" => cur.s().retries = need(kw, args, loc, d).map(|a| atol(a).max(0) as u32),
        "retry-on" => cur.s().retry_on = args.to_vec(),
        "http-reuse" => match args.first().map(String::as_str) {
            Some(v @ ("never" | "safe" | "aggressive" | "always")) => {
                cur.s().http_reuse = Some(v.to_string())
            }
            _ => d.alert(
                Some(loc.clone()),
                "'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'.",
            ),
        },
        "log" => {
            if negate {
                cur.s().logs.clear();
                cur.s().log_global = false;
            } else if args.first().map(String::as_str) == Some("global") {
                cur.s().log_global = true;
            } else if let Some(t) = parse_log(args, loc, d) {
                cur.s().logs.push(t);
            }
        }
        "log-format" | "unique-id-format" => match args.first() {
            Some(f) if args.len() == 1 => {
                match crate::config::logformat::parse_log_format(f) {
                    Ok(_) if kw == "log-format" => cur.s().log_format = Some(f.clone()),
                    Ok(_) => cur.s().unique_id_format = Some(f.clone()),
                    // HAProxy compiles log formats after parsing, hence "Parsing".
                    Err(e) => d.push(crate::diag::Diagnostic::alert(
                        None,
                        format!(
                            "Parsing [{loc}]: failed to parse {} : {e}.",
                            kw.trim_end_matches("-format")
                        ),
                    )),
                }
            }
            Some(_) => d.alert(
                Some(loc.clone()),
                "log-format expects only one argument, don't forget to escape spaces!",
            ),
            None => d.alert(Some(loc.clone()), "log-format expects an argument."),
        },
        "log-tag" => cur.s().log_tag = need(kw, args, loc, d).map(String::from),
        "cookie" => cookie(cur, args, loc, d),
        "default-server" | "server" | "server-template" => servers::server(cur, kw, args, loc, d),
        "bind" => servers::bind(cur, args, loc, d),
        "default_backend" => match args.first() {
            Some(b) => cur.s().default_backend = Some((b.clone(), loc.clone())),
            None => d.alert(Some(loc.clone()), "'default_backend' expects a backend name."),
        },
        "errorfile" => {
            if args.len() != 2 {
                d.alert(Some(loc.clone()), "'errorfile' expects <status_code> and <file> as arguments.");
                return;
            }
            match args[0].parse::<u16>() {
                Ok(code) => {
                    cur.s().errorfiles.insert(code, args[1].clone());
                }
                Err(_) => d.alert(
                    Some(loc.clone()),
                    format!("'errorfile' : status code '{}' not handled.", args[0]),
                ),
            }
        }
        "errorfiles" => match args.first() {
            Some(n) => cur.s().errorfiles_sections.push(n.clone()),
            None => d.alert(Some(loc.clone()), "'errorfiles' expects <name> as argument."),
        },
        "monitor-uri" => match args.first() {
            Some(u) if u.starts_with('/') || !u.is_empty() => cur.s().monitor_uri = Some(u.clone()),
            _ => d.alert(Some(loc.clone()), "'monitor-uri' expects an URI."),
        },
        "description" => cur.s().description = Some(args.join(" ")),
        "tcp-request inspect-delay" | "tcp-response inspect-delay" => {
            let v = parse_time_kw(kw, args, loc, d);
            if kw.starts_with("tcp-request") {
                cur.s().tcp_request_inspect_delay = v;
            } else {
                cur.s().tcp_response_inspect_delay = v;
            }
        }
        "errorloc" | "errorloc302" | "errorloc303" => {
            let code = args.first().and_then(|c| c.parse::<u16>().ok());
            match (code, args.get(1)) {
                (Some(c), Some(url)) => {
                    let status = if kw == "errorloc303" { 303 } else { 302 };
                    cur.s().errorloc.insert(c, (status, url.clone()));
                }
                _ => d.alert(
                    Some(loc.clone()),
                    format!("'{kw}' expects <status_code> and <url> as arguments."),
                ),
            }
        }
        "http-send-name-header" => {
            cur.s().send_name_header = Some(args.first().cloned().unwrap_or_else(|| "X-Server".into()))
        }
        "error-log-format" | "log-format-sd" => match args.first() {
            Some(f) => match crate::config::logformat::parse_log_format(f) {
                Ok(_) if kw == "error-log-format" => cur.s().error_log_format = Some(f.clone()),
                Ok(_) => cur.s().log_format_sd = Some(f.clone()),
                Err(e) => d.push(crate::diag::Diagnostic::alert(
                    None,
                    format!("Parsing [{loc}]: failed to parse {kw} : {e}."),
                )),
            },
            None => d.alert(Some(loc.clone()), format!("{kw} expects an argument.")),
        },
        "http-error" => cur.s().http_errors.push(args.to_vec()),
        "declare capture" => {
            let dir = args.first().map(String::as_str);
            let len = match (dir, args.get(1).map(String::as_str), args.get(2)) {
                (Some("request" | "response"), Some("len"), Some(n)) => n.parse::<u32>().ok(),
                _ => None,
            };
            match (dir, len) {
                (Some(dir), Some(n)) => cur.s().declared_captures.push((dir.to_string(), n)),
                _ => d.alert(
                    Some(loc.clone()),
                    "'declare capture' expects 'request' or 'response' followed by 'len' and a length.",
                ),
            }
        }
        "disabled" => cur.proxy.disabled = true,
        "enabled" => cur.proxy.disabled = false,
        "id" => match args.first().map(|a| a.parse::<i64>()) {
            Some(Ok(v)) if v > 0 && v <= i64::from(i32::MAX) => cur.proxy.id = v as u32,
            _ => d.alert(
                Some(loc.clone()),
                "custom id has to be > 0.".to_string(),
            ),
        },
        "unique-id-header" => cur.s().unique_id_header = args.first().cloned(),
        _ => {
            rules::other(cur, kw, args, loc, d);
        }
    }
}

fn option(
    cur: &mut Cur,
    opt: &str,
    args: &[String],
    modifier: Option<&str>,
    loc: &Loc,
    d: &mut Diagnostics,
) {
    let negate = modifier == Some("no");
    let s = cur.s();
    match opt {
        "httplog" => {
            if let Some(a) = args.first() {
                if a != "clf" {
                    d.alert(
                        Some(loc.clone()),
                        "keyword 'httplog' only supports option 'clf'.",
                    );
                    return;
                }
            }
            if modifier.is_some() {
                d.push(super::tight_alert(
                    loc,
                    "negation/default is not supported for option 'httplog'.",
                ));
                return;
            }
            s.options.insert("httplog".into(), true);
            if !args.is_empty() {
                s.options.insert("httplog clf".into(), true);
            }
        }
        "tcplog" => {
            if modifier.is_some() {
                d.push(super::tight_alert(
                    loc,
                    "negation/default is not supported for option 'tcplog'.",
                ));
                return;
            }
            s.options.insert("tcplog".into(), true);
        }
        "http-keep-alive" | "http-server-close" | "httpclose" => {
            let m = match opt {
                "http-keep-alive" => HttpConnMode::KeepAlive,
                "http-server-close" => HttpConnMode::ServerClose,
                _ => HttpConnMode::Close,
            };
            if negate {
                if s.http_conn_mode == m {
                    s.http_conn_mode = HttpConnMode::KeepAlive;
                }
            } else {
                s.http_conn_mode = m;
            }
        }
        "forwardfor" => {
            if negate {
                s.forwardfor = None;
                return;
            }
            let mut ff = ForwardFor {
                except: None,
                header: "X-Forwarded-For".into(),
                if_none: false,
            };
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "except" => ff.except = it.next().cloned(),
                    "header" => match it.next() {
                        Some(h) => ff.header = h.clone(),
                        None => {
                            d.alert(
                                Some(loc.clone()),
                                "'option forwardfor' 'header' requires a header name.",
                            );
                            return;
                        }
                    },
                    "if-none" => ff.if_none = true,
                    _ => {
                        d.alert(
                            Some(loc.clone()),
                            "'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.",
                        );
                        return;
                    }
                }
            }
            s.forwardfor = Some(ff);
        }
        "originalto" => {
            if negate {
                s.originalto = None;
                return;
            }
            let mut ot = OriginalTo {
                except: None,
                header: "X-Original-To".into(),
            };
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "except" => ot.except = it.next().cloned(),
                    "header" => ot.header = it.next().cloned().unwrap_or_default(),
                    _ => {
                        d.alert(
                            Some(loc.clone()),
                            "'option originalto' only supports optional values: 'except' and 'header'.",
                        );
                        return;
                    }
                }
            }
            s.originalto = Some(ot);
        }
        "httpchk" => {
            // `option httpchk [<method>] [<uri>] [<version>]`; one argument is the URI.
            let (method, uri, version) = match args.len() {
                0 => ("OPTIONS", "/", "HTTP/1.0"),
                1 => ("OPTIONS", args[0].as_str(), "HTTP/1.0"),
                2 => (args[0].as_str(), args[1].as_str(), "HTTP/1.0"),
                _ => (args[0].as_str(), args[1].as_str(), args[2].as_str()),
            };
            let rules = s.httpchk.take().map(|h| h.rules).unwrap_or_default();
            s.httpchk = Some(HttpCheck {
                method: method.into(),
                uri: uri.into(),
                version: version.into(),
                rules,
            });
            s.check_type = Some("httpchk".into());
        }
        "tcp-check" => {
            s.tcp_check.get_or_insert_with(Vec::new);
            s.check_type = Some("tcp-check".into());
        }
        "ssl-hello-chk" | "mysql-check" | "pgsql-check" | "redis-check" | "smtpchk"
        | "ldap-check" | "spop-check" => {
            s.check_type = Some(opt.to_string());
        }
        _ => {
            s.options.insert(opt.to_string(), !negate);
        }
    }
}

fn cookie(cur: &mut Cur, args: &[String], loc: &Loc, d: &mut Diagnostics) {
    let Some(name) = args.first().filter(|n| !n.is_empty()) else {
        d.alert(
            Some(loc.clone()),
            "'cookie' expects <cookie_name> as argument.",
        );
        return;
    };
    let mut c = CookieConfig {
        name: name.clone(),
        mode: String::new(),
        ..Default::default()
    };
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "rewrite" | "insert" | "prefix" => c.mode = a.clone(),
            "indirect" => c.indirect = true,
            "nocache" => c.nocache = true,
            "postonly" => c.postonly = true,
            "preserve" => c.preserve = true,
            "httponly" => c.httponly = true,
            "secure" => c.secure = true,
            "dynamic" => c.dynamic = true,
            "domain" => match it.next() {
                Some(v) => c.domains.push(v.clone()),
                None => {
                    d.alert(Some(loc.clone()), "'domain' expects <domain> as argument.");
                    return;
                }
            },
            "maxidle" | "maxlife" => {
                let v = it.next().and_then(|v| {
                    crate::config::value::time::parse_time(
                        v,
                        crate::config::value::time::TimeUnit::S,
                    )
                    .ok()
                });
                match v {
                    Some(t) if a == "maxidle" => c.maxidle = Some(t.value),
                    Some(t) => c.maxlife = Some(t.value),
                    None => {
                        d.alert(
                            Some(loc.clone()),
                            format!("'{a}' expects <idletime> in seconds as argument."),
                        );
                        return;
                    }
                }
            }
            "attr" => match it.next() {
                Some(v) => c.attrs.push(v.clone()),
                None => {
                    d.alert(Some(loc.clone()), "'attr' expects <value> as argument.");
                    return;
                }
            },
            other => {
                d.alert(
                    Some(loc.clone()),
                    format!("'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options (got '{other}')."),
                );
                return;
            }
        }
    }
    // No mode: passive, harp only learns the server's own cookie.
    cur.s().cookie = Some(c);
}
