//! Traffic logs as HAProxy 2.6 writes them (manual §8): a finished
//! stream's [`record::LogRecord`] is rendered with a log-format
//! ([`format`]), then framed as a syslog datagram ([`syslog`]) and sent
//! ([`send`]). Everything but `send` is pure: no clock, no sockets.

use crate::config::model::{Mode, ProxySettings};

pub mod date;
pub mod events;
pub mod fixed;
pub mod format;
pub mod record;
pub mod sampling;
pub mod send;
pub mod syslog;

pub use date::LogTime;
pub use events::{Cause, CheckOutcome, Farm, ServerEvent, ServerRef};
pub use fixed::{connect_line, error_line};
pub use format::{
    render, render_with, Flags, NoSamples, SampleSource, HTTPLOG_CLF_FORMAT, HTTPLOG_FORMAT,
    HTTPSLOG_FORMAT, TCPLOG_FORMAT,
};
pub use record::{LogRecord, Peer, TermCause, TermPhase, TermState, Timers};
pub use sampling::LogSample;
pub use syslog::{
    datagram, fit_message, frame, header, Facility, HeaderInfo, Level, SyslogFormat, SyslogTarget,
};

/// The `option` switches that decide whether and at which level a stream
/// is logged (manual §8.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// `option dontlognull`: skip streams that received no data.
    pub dontlognull: bool,
    /// `option dontlog-normal`: log only errors.
    pub dontlog_normal: bool,
    /// `option log-separate-errors`: errors at `err` instead of `info`.
    pub log_separate_errors: bool,
}

/// The level `rec` is logged at, or `None` when the options suppress it.
pub fn traffic_level(rec: &LogRecord, opts: LogOptions) -> Option<Level> {
    if opts.dontlognull && rec.bytes_in == 0 {
        return None;
    }
    let err = rec.is_error();
    if opts.dontlog_normal && !err {
        return None;
    }
    Some(if err && opts.log_separate_errors {
        Level::ERR
    } else {
        Level::INFO
    })
}

impl LogOptions {
    /// From a proxy's `option` flags.
    pub fn from_settings(s: &ProxySettings) -> Self {
        let on = |name: &str| s.options.get(name).copied().unwrap_or(false);
        LogOptions {
            dontlognull: on("dontlognull"),
            dontlog_normal: on("dontlog-normal"),
            log_separate_errors: on("log-separate-errors"),
        }
    }
}

/// The log-format string a frontend uses, `None` for the default
/// "Connect from" line ([`connect_line`]). `option httplog` in a TCP
/// proxy falls back to tcplog as HAProxy 2.6 does (with a warning at
/// load time). The model does not keep the order of `log-format` and
/// `option *log` lines, so an explicit `log-format` wins here, where
/// HAProxy lets the last one win.
pub fn proxy_log_format(s: &ProxySettings) -> Option<&str> {
    let on = |name: &str| s.options.get(name).copied().unwrap_or(false);
    let http = s.mode == Mode::Http;
    if let Some(f) = s.log_format.as_deref() {
        return Some(f);
    }
    if on("httplog") {
        return Some(match (http, on("httplog clf")) {
            (false, _) => TCPLOG_FORMAT,
            (true, true) => HTTPLOG_CLF_FORMAT,
            (true, false) => HTTPLOG_FORMAT,
        });
    }
    if on("httpslog") {
        return Some(if http { HTTPSLOG_FORMAT } else { TCPLOG_FORMAT });
    }
    on("tcplog").then_some(TCPLOG_FORMAT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_chosen_from_options() {
        let mut s = ProxySettings {
            mode: Mode::Http,
            ..ProxySettings::default()
        };
        assert_eq!(proxy_log_format(&s), None);
        s.options.insert("tcplog".into(), true);
        assert_eq!(proxy_log_format(&s), Some(TCPLOG_FORMAT));
        s.options.insert("httplog".into(), true);
        assert_eq!(proxy_log_format(&s), Some(HTTPLOG_FORMAT));
        s.options.insert("httplog clf".into(), true);
        assert_eq!(proxy_log_format(&s), Some(HTTPLOG_CLF_FORMAT));
        s.mode = Mode::Tcp;
        assert_eq!(proxy_log_format(&s), Some(TCPLOG_FORMAT));
        s.log_format = Some("%ci".into());
        assert_eq!(proxy_log_format(&s), Some("%ci"));
    }

    #[test]
    fn options_read_from_settings() {
        let mut s = ProxySettings::default();
        s.options.insert("dontlognull".into(), true);
        s.options.insert("log-separate-errors".into(), false);
        let o = LogOptions::from_settings(&s);
        assert!(o.dontlognull && !o.dontlog_normal && !o.log_separate_errors);
    }
}
