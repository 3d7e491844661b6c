//! The `global` section (HAProxy manual §3).

use crate::config::model::{Global, LogTarget, StatsSocket};
use crate::config::reader::Statement;
use crate::config::support::Context;
use crate::config::value::atol;

use super::args::parse_time_global as parse_time_arg;
use crate::diag::{Diagnostics, Loc};

use super::{dispatch_status, tight_alert, unknown_keyword};

/// Keywords that accept the `no` / `default` modifiers (manual §2.4.. and
/// HAProxy's own list in its error message).
const NEGATABLE: &str = "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.";

/// Syslog facilities accepted by `log`.
pub const FACILITIES: &[&str] = &[
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
    "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];
/// Syslog levels.
pub const LEVELS: &[&str] = &[
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

pub(super) fn line(g: &mut Global, st: &Statement, diags: &mut Diagnostics) {
    let w = &st.words;
    let loc = &st.loc;
    let (modifier, w) = match w[0].as_str() {
        "no" | "default" if w.len() > 1 => (Some(w[0].as_str()), &w[1..]),
        _ => (None, &w[..]),
    };
    let two = w.get(1).map(|s| format!("{} {}", w[0], s));
    let (kw, args) = match two.as_deref() {
        Some(k) if crate::config::support::lookup(Context::Global, k).is_some() => {
            (k.to_string(), &w[2..])
        }
        _ => (w[0].clone(), &w[1..]),
    };
    if let Some(m) = modifier {
        let ok = matches!(
            kw.as_str(),
            "log"
                | "busy-polling"
                | "set-dumpable"
                | "strict-limits"
                | "insecure-fork-wanted"
                | "numa-cpu-mapping"
        );
        if !ok {
            diags.push(tight_alert(loc, NEGATABLE));
            return;
        }
        if m == "no" {
            if kw == "log" {
                g.logs.clear();
            }
            return;
        }
    }
    match dispatch_status(Context::Global, &kw, loc, diags) {
        None => {}
        Some(None) => unknown_keyword(&w[0], "global", Context::Global, loc, diags),
        Some(Some(_)) => implemented(g, &kw, args, loc, diags),
    }
}

fn one_arg<'a>(
    kw: &str,
    args: &'a [String],
    what: &str,
    loc: &Loc,
    d: &mut Diagnostics,
) -> Option<&'a str> {
    match args.first() {
        Some(a) if !a.is_empty() => Some(a),
        _ => {
            d.alert(
                Some(loc.clone()),
                format!("'{kw}' expects {what} as an argument."),
            );
            None
        }
    }
}

fn no_args(kw: &str, args: &[String], loc: &Loc, d: &mut Diagnostics) -> bool {
    if let Some(a) = args.first() {
        d.alert(
            Some(loc.clone()),
            format!("'{kw}' cannot handle unexpected argument '{a}'."),
        );
        return false;
    }
    true
}

fn int_arg(kw: &str, args: &[String], loc: &Loc, d: &mut Diagnostics) -> Option<u32> {
    let a = args.first().map(String::as_str).unwrap_or("");
    match a.parse::<u32>() {
        Ok(v) => Some(v),
        Err(_) => {
            d.alert(
                Some(loc.clone()),
                format!("'{kw}' passed a missing or unparsable integer value in '{a}'"),
            );
            None
        }
    }
}

fn implemented(g: &mut Global, kw: &str, args: &[String], loc: &Loc, d: &mut Diagnostics) {
    match kw {
        "daemon" => g.daemon = no_args(kw, args, loc, d),
        "master-worker" => g.master_worker = true,
        "zero-warning" => g.zero_warning = true,
        // HAProxy reads these with atol(): garbage silently becomes 0.
        "maxconn" => {
            if args.is_empty() {
                d.alert(
                    Some(loc.clone()),
                    format!("'{kw}' expects an integer argument."),
                );
            } else {
                g.maxconn = Some(atol(&args[0]).clamp(0, i64::from(u32::MAX)) as u32);
            }
        }
        "ulimit-n" => {
            g.ulimit_n = args
                .first()
                .map(|a| atol(a).clamp(0, i64::from(u32::MAX)) as u32)
        }
        "nbthread" => g.nbthread = int_arg(kw, args, loc, d),
        "uid" => g.uid = int_arg(kw, args, loc, d),
        "gid" => g.gid = int_arg(kw, args, loc, d),
        "user" => g.user = args.first().cloned(),
        "group" => g.group = args.first().cloned(),
        "chroot" => g.chroot = one_arg(kw, args, "a directory", loc, d).map(String::from),
        "pidfile" => g.pidfile = one_arg(kw, args, "a file name", loc, d).map(String::from),
        "description" => g.description = Some(args.join(" ")),
        "node" => g.node = args.first().cloned(),
        "crt-base" => g.crt_base = one_arg(kw, args, "a directory path", loc, d).map(String::from),
        "ca-base" => g.ca_base = one_arg(kw, args, "a directory path", loc, d).map(String::from),
        "hard-stop-after" => g.hard_stop_after = parse_time_arg(kw, args, loc, d),
        "stats timeout" => g.stats_timeout = parse_time_arg(kw, args, loc, d),
        "stats maxconn" => g.stats_maxconn = int_arg(kw, args, loc, d),
        "spread-checks" => g.spread_checks = args.first().map(|a| atol(a).clamp(0, 50) as u32),
        "log-tag" => g.log_tag = args.first().cloned(),
        "log-send-hostname" => {
            g.log_send_hostname = Some(args.first().cloned().unwrap_or_default())
        }
        "server-state-file" => g.server_state_file = args.first().cloned(),
        "server-state-base" => g.server_state_base = args.first().cloned(),
        "ssl-default-bind-ciphers" => g.ssl_default_bind_ciphers = args.first().cloned(),
        "ssl-default-bind-ciphersuites" => g.ssl_default_bind_ciphersuites = args.first().cloned(),
        "ssl-default-bind-options" => g.ssl_default_bind_options = args.to_vec(),
        "ssl-default-server-ciphers" => g.ssl_default_server_ciphers = args.first().cloned(),
        "ssl-default-server-ciphersuites" => {
            g.ssl_default_server_ciphersuites = args.first().cloned()
        }
        "ssl-default-server-options" => g.ssl_default_server_options = args.to_vec(),
        "log" => {
            if let Some(t) = parse_log(args, loc, d) {
                g.logs.push(t);
            }
        }
        "stats socket" => {
            let Some(addr) = args.first().filter(|a| !a.is_empty()) else {
                d.alert(
                    Some(loc.clone()),
                    "'stats socket' in global section expects an address or a path to a UNIX socket",
                );
                return;
            };
            let mut s = StatsSocket {
                addr: addr.clone(),
                options: args[1..].to_vec(),
                level: "user".into(),
                mode: None,
                loc: loc.clone(),
            };
            let mut it = args[1..].iter();
            while let Some(o) = it.next() {
                match o.as_str() {
                    "level" => {
                        if let Some(l) = it.next() {
                            if !matches!(l.as_str(), "user" | "operator" | "admin") {
                                d.alert(
                                    Some(loc.clone()),
                                    format!("'level' only supports 'user', 'operator', and 'admin' (got '{l}')."),
                                );
                            }
                            s.level = l.clone();
                        }
                    }
                    "mode" => s.mode = it.next().and_then(|m| u32::from_str_radix(m, 8).ok()),
                    _ => {}
                }
            }
            g.stats_sockets.push(s);
        }
        "setenv" | "presetenv" => {
            if args.len() != 2 {
                d.alert(
                    Some(loc.clone()),
                    format!("'{kw}' expects a name and a value."),
                );
            }
        }
        _ => g
            .settings
            .push((kw.to_string(), args.to_vec(), loc.clone())),
    }
}

/// `log <target> [len <n>] [format <f>] [sample <r>:<s>] <facility> [<level> [<minlevel>]]`
/// (also used in proxies). `log global` is handled by the caller.
pub(crate) fn parse_log(args: &[String], loc: &Loc, d: &mut Diagnostics) -> Option<LogTarget> {
    if args.len() < 2 {
        d.alert(
            Some(loc.clone()),
            "log : expects <address> and <facility>  as arguments",
        );
        return None;
    }
    let mut t = LogTarget {
        target: args[0].clone(),
        facility: String::new(),
        level: None,
        min_level: None,
        format: None,
        max_len: None,
        sample: None,
        loc: loc.clone(),
    };
    let mut i = 1;
    while i + 1 < args.len() {
        match args[i].as_str() {
            "len" => t.max_len = args[i + 1].parse().ok(),
            "format" => {
                let f = args[i + 1].as_str();
                if !matches!(
                    f,
                    "local"
                        | "rfc3164"
                        | "rfc5424"
                        | "priority"
                        | "short"
                        | "timed"
                        | "iso"
                        | "raw"
                ) {
                    d.alert(Some(loc.clone()), format!("log : unknown log format '{f}'"));
                    return None;
                }
                t.format = Some(f.to_string());
            }
            "sample" => t.sample = Some(args[i + 1].clone()),
            _ => break,
        }
        i += 2;
    }
    let Some(fac) = args.get(i) else {
        d.alert(
            Some(loc.clone()),
            "log : expects <address> and <facility>  as arguments",
        );
        return None;
    };
    if !FACILITIES.contains(&fac.as_str()) {
        d.alert(
            Some(loc.clone()),
            format!("log : unknown log facility '{fac}'"),
        );
        return None;
    }
    t.facility = fac.clone();
    if let Some(l) = args.get(i + 1) {
        if !LEVELS.contains(&l.as_str()) {
            d.alert(
                Some(loc.clone()),
                format!("log : unknown optional log level '{l}'"),
            );
            return None;
        }
        t.level = Some(l.clone());
    }
    if let Some(l) = args.get(i + 2) {
        if !LEVELS.contains(&l.as_str()) {
            d.alert(
                Some(loc.clone()),
                format!("log : unknown optional minimum log level '{l}'"),
            );
            return None;
        }
        t.min_level = Some(l.clone());
    }
    Some(t)
}
