//! Announcing check results as HAProxy 2.6 does: the server state
//! messages (`Server be/s1 is DOWN, reason: ...`), `backend be has no
//! server available!`, and with `option log-health-checks` every check
//! that moves the counter. Each goes to the backend's syslog targets (its
//! `log` lines, plus the global ones with `log global`) and to stderr as
//! `[WARNING]` / `[ALERT]` lines.

use std::time::SystemTime;

use crate::config::model::{Global, Proxy};
use crate::log::send::{parse_log_addr, LogSink};
use crate::log::{
    datagram, Cause, Farm, HeaderInfo, Level, LogTime, ServerEvent, ServerRef, SyslogTarget,
};

use super::health::{Health, Machine, Transition};
use super::status::{CheckResult, CheckStatus};

/// Where a backend's server messages go.
#[derive(Debug)]
pub struct EventLog {
    targets: Vec<(SyslogTarget, LogSink)>,
    tag: String,
    hostname: Option<String>,
    /// Print to stderr as well. HAProxy 2.6 does so with `-d`/`-db` only
    /// (even `quiet` does not silence it then); otherwise it has detached
    /// its stdio after starting, which is the process layer's business.
    pub stderr: bool,
}

impl EventLog {
    /// The targets of proxy `p`; unusable ones are reported and skipped.
    pub fn new(global: &Global, p: &Proxy) -> EventLog {
        let s = &p.settings;
        let mut cfg: Vec<&crate::config::model::LogTarget> = s.logs.iter().collect();
        if s.log_global {
            cfg.extend(global.logs.iter());
        }
        let send_hostname = global.log_send_hostname.is_some();
        let mut targets = Vec::new();
        for t in cfg {
            let target = SyslogTarget::from_config(t, send_hostname);
            let sink = parse_log_addr(&t.target)
                .and_then(|a| LogSink::open(&a).map_err(|e| e.to_string()));
            if let (Ok(t), Ok(s)) = (target, sink) {
                targets.push((t, s));
            }
        }
        let hostname = global.log_send_hostname.as_ref().map(|h| {
            if h.is_empty() {
                std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            } else {
                h.clone()
            }
        });
        EventLog {
            targets,
            tag: s
                .log_tag
                .clone()
                .or_else(|| global.log_tag.clone())
                .unwrap_or_else(|| "haproxy".into()),
            hostname,
            stderr: true,
        }
    }

    /// Send `msg` to the syslog targets at `level`.
    pub fn syslog(&self, level: Level, msg: &str) {
        let info = HeaderInfo {
            hostname: self.hostname.as_deref(),
            tag: &self.tag,
            pid: std::process::id(),
            now: LogTime::from_system(SystemTime::now()),
            utc_offset_secs: 0,
            structured_data: None,
        };
        for (target, sink) in &self.targets {
            if let Some(d) = datagram(target, level, &info, msg.as_bytes()) {
                let _ = sink.send(&d);
            }
        }
    }

    /// One announcement: syslog, and stderr with HAProxy's prefix.
    pub fn emit(&self, a: &Announcement) {
        self.syslog(a.level, &a.syslog);
        if self.stderr {
            write_stderr(&a.stderr_line(std::process::id()));
        }
    }
}

/// Write one line to stderr; a closed or broken stderr is not an error
/// worth stopping a check for (`eprintln!` would panic on EPIPE).
pub fn write_stderr(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub level: Level,
    /// The syslog text.
    pub syslog: String,
    /// The stderr text, when it differs (`backend 'be' has ...`).
    pub stderr: Option<String>,
    pub alert: bool,
}

impl Announcement {
    pub fn stderr_line(&self, pid: u32) -> String {
        let text = self.stderr.as_deref().unwrap_or(&self.syslog);
        if self.alert {
            format!("[ALERT]    ({pid}) : {text}")
        } else {
            format!("[WARNING]  ({pid}) : {text}")
        }
    }
}

/// What a message needs to know about the server and its backend.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub srv: ServerRef<'a>,
    /// `listen` sections are called `proxy` in the "no server" line.
    pub listen: bool,
    /// `option log-health-checks`: transitions then omit the reason, which
    /// the check line already gave.
    pub log_health_checks: bool,
}

/// The state change message.
pub fn transition(
    who: &Subject<'_>,
    tr: Transition,
    res: &CheckResult,
    farm: Farm,
) -> Announcement {
    let cause = Cause::Check(res.outcome());
    let ev = match tr.to {
        Health::Down => ServerEvent::Down {
            srv: who.srv,
            cause,
            farm,
            was_draining: tr.from == Health::Stopping,
        },
        Health::Up | Health::Stopping => ServerEvent::Up {
            srv: who.srv,
            cause,
            farm,
        },
    };
    let mut text = if who.log_health_checks {
        bare(&ev)
    } else {
        ev.message()
    };
    if tr.to == Health::Stopping {
        text = text.replacen(" is UP", " is stopping", 1);
    }
    Announcement {
        level: ev.level(),
        syslog: text,
        stderr: None,
        alert: false,
    }
}

/// `Server be/s is DOWN. 1 active ...`: the message without its cause.
fn bare(ev: &ServerEvent<'_>) -> String {
    let via = Cause::Via {
        backend: "",
        server: "",
    };
    let (ev, state) = match *ev {
        ServerEvent::Down {
            srv,
            farm,
            was_draining,
            ..
        } => (
            ServerEvent::Down {
                srv,
                cause: via,
                farm,
                was_draining,
            },
            "DOWN",
        ),
        ServerEvent::Up { srv, farm, .. } => (
            ServerEvent::Up {
                srv,
                cause: via,
                farm,
            },
            "UP",
        ),
        other => return other.message(),
    };
    ev.message()
        .replacen(&format!(" is {state} via /"), &format!(" is {state}"), 1)
}

/// `Server be/s is UP. 2 active ...`: the end of a slow start.
pub fn warmed_up(who: &Subject<'_>, farm: Farm) -> Announcement {
    let ev = ServerEvent::Up {
        srv: who.srv,
        cause: Cause::Via {
            backend: "",
            server: "",
        },
        farm,
    };
    Announcement {
        level: ev.level(),
        syslog: bare(&ev),
        stderr: None,
        alert: false,
    }
}

/// `backend be has no server available!` (`proxy` for a listen section).
pub fn no_server(who: &Subject<'_>) -> Announcement {
    let ev = ServerEvent::NoServerAvailable {
        backend: who.srv.backend,
    };
    let kind = if who.listen { "proxy" } else { "backend" };
    let mut syslog = ev.message();
    if who.listen {
        syslog = syslog.replacen("backend ", "proxy ", 1);
    }
    Announcement {
        level: ev.level(),
        syslog,
        stderr: Some(format!(
            "{kind} '{}' has no server available!",
            who.srv.backend
        )),
        alert: true,
    }
}

/// `Health check for server be/s failed, reason: ..., status: 0/2 DOWN.`
pub fn check_line(who: &Subject<'_>, res: &CheckResult, m: &Machine) -> Announcement {
    let o = res.outcome();
    let verb = match res.status {
        CheckStatus::L7OkC => "conditionally succeeded",
        s if s.verdict() == super::health::Verdict::Pass => "succeeded",
        _ => "failed",
    };
    let mut text = format!(
        "Health check for {}server {}/{} {verb}, reason: {}",
        if who.srv.backup { "backup " } else { "" },
        who.srv.backend,
        who.srv.server,
        o.reason
    );
    if let Some(c) = o.code {
        text.push_str(&format!(", code: {c}"));
    }
    if let Some(i) = o.info {
        text.push_str(&format!(", info: \"{i}\""));
    }
    text.push_str(&format!(
        ", check duration: {}ms, status: {}.",
        o.duration_ms,
        m.status_text(false)
    ));
    Announcement {
        level: Level::NOTICE,
        syslog: text,
        stderr: None,
        alert: false,
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
