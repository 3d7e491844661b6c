//! Traffic logs as HAProxy 2.6 writes them (manual §8): a finished
//! stream's [`record::LogRecord`] is rendered with a log-format
//! ([`format`]), then framed as a syslog datagram ([`syslog`]) and sent
//! ([`send`]). Everything but `send` is pure: no clock, no sockets.

pub mod date;
pub mod fixed;
pub mod format;
pub mod record;
pub mod sampling;
pub mod send;
pub mod syslog;

pub use date::LogTime;
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
