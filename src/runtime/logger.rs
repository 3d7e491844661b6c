//! Per-frontend traffic logging: the proxy's log targets (its own `log`
//! lines, plus the global ones with `log global`), its log format, and
//! the options that filter lines (manual §4.2 `log`, §8).

use std::sync::Arc;
use std::time::SystemTime;

use crate::config::logformat::{parse_log_format, LogFormat};
use crate::config::model::{Global, Proxy};
use crate::log::send::{parse_log_addr, LogSink};
use crate::log::{
    datagram, proxy_log_format, render, traffic_level, HeaderInfo, LogOptions, LogRecord, LogTime,
    SyslogTarget,
};

#[derive(Debug)]
pub struct Logger {
    targets: Vec<(SyslogTarget, LogSink)>,
    format: Option<LogFormat>,
    options: LogOptions,
    tag: String,
    hostname: Option<String>,
}

impl Logger {
    /// Build from the configuration; targets that cannot be opened are
    /// reported and skipped (HAProxy keeps running without them too).
    pub fn new(global: &Global, p: &Proxy) -> Arc<Logger> {
        let s = &p.settings;
        let mut cfg_targets: Vec<&crate::config::model::LogTarget> = s.logs.iter().collect();
        if s.log_global {
            cfg_targets.extend(global.logs.iter());
        }
        let send_hostname = global.log_send_hostname.is_some();
        let mut targets = Vec::new();
        for t in cfg_targets {
            let target = SyslogTarget::from_config(t, send_hostname);
            let sink = parse_log_addr(&t.target)
                .and_then(|a| LogSink::open(&a).map_err(|e| e.to_string()));
            match (target, sink) {
                (Ok(t), Ok(s)) => targets.push((t, s)),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!("log target '{}' unusable: {e}", t.target)
                }
            }
        }
        let format = proxy_log_format(s).and_then(|f| parse_log_format(f).ok());
        let hostname = global.log_send_hostname.as_ref().map(|h| {
            if h.is_empty() {
                std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            } else {
                h.clone()
            }
        });
        Arc::new(Logger {
            targets,
            format,
            options: LogOptions::from_settings(s),
            tag: s
                .log_tag
                .clone()
                .or_else(|| global.log_tag.clone())
                .unwrap_or_else(|| "haproxy".into()),
            hostname,
        })
    }

    /// Whether traffic lines are written at all (a format and a target).
    pub fn enabled(&self) -> bool {
        self.format.is_some() && !self.targets.is_empty()
    }

    /// Render and send one finished stream.
    pub fn log(&self, rec: &LogRecord) {
        let Some(fmt) = &self.format else { return };
        let Some(level) = traffic_level(rec, self.options) else {
            return;
        };
        let line = render(fmt, rec);
        let info = HeaderInfo {
            hostname: self.hostname.as_deref(),
            tag: &self.tag,
            pid: std::process::id(),
            now: LogTime::from_system(SystemTime::now()),
            utc_offset_secs: 0,
            structured_data: None,
        };
        for (target, sink) in &self.targets {
            if let Some(d) = datagram(target, level, &info, line.as_bytes()) {
                let _ = sink.send(&d);
            }
        }
    }
}
