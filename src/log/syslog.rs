//! Syslog framing as HAProxy 2.6 sends each log (the `log` keyword, manual
//! §3.1 and §4.2): `<PRI>` and a header chosen by `format`, the message,
//! truncation to `len`, then one `\n`. Facility/level names and numbers,
//! the max-level filter and the min-level cap live here too.
//!
//! Datagram layout checked byte for byte against HAProxy 2.6.12 (see
//! tests/log_golden.rs and tests/log_syslog.rs).

use crate::config::model::LogTarget;

use super::date::{self, LogTime};
use super::sampling::LogSample;

/// The 24 facilities, numbered as syslog does (`local0` = 16).
pub const FACILITIES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
    "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

/// The 8 levels, most severe first (`emerg` = 0, `debug` = 7).
pub const LEVELS: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// A facility number (0..=23).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facility(u8);

impl Facility {
    pub const LOCAL0: Facility = Facility(16);
    pub fn from_name(name: &str) -> Option<Self> {
        FACILITIES
            .iter()
            .position(|f| *f == name)
            .map(|i| Facility(i as u8))
    }
    pub fn code(self) -> u8 {
        self.0
    }
    pub fn name(self) -> &'static str {
        FACILITIES[usize::from(self.0)]
    }
}

/// A severity (0 = emerg ... 7 = debug). Lower is more severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Level(u8);

impl Level {
    pub const EMERG: Level = Level(0);
    pub const ALERT: Level = Level(1);
    pub const CRIT: Level = Level(2);
    pub const ERR: Level = Level(3);
    pub const WARNING: Level = Level(4);
    pub const NOTICE: Level = Level(5);
    pub const INFO: Level = Level(6);
    pub const DEBUG: Level = Level(7);
    pub fn from_name(name: &str) -> Option<Self> {
        LEVELS
            .iter()
            .position(|l| *l == name)
            .map(|i| Level(i as u8))
    }
    pub fn code(self) -> u8 {
        self.0
    }
    pub fn name(self) -> &'static str {
        LEVELS[usize::from(self.0)]
    }
}

/// The `format` argument of `log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyslogFormat {
    /// RFC 3164 without the hostname (the default).
    Local,
    Rfc3164,
    Rfc5424,
    /// `<PRI>` then the message.
    Priority,
    /// `<level>` then the message (systemd style).
    Short,
    /// `<level>`, an ISO date, the message.
    Timed,
    /// An ISO date, the message.
    Iso,
    /// The message only.
    Raw,
}

impl SyslogFormat {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "local" => SyslogFormat::Local,
            "rfc3164" => SyslogFormat::Rfc3164,
            "rfc5424" => SyslogFormat::Rfc5424,
            "priority" => SyslogFormat::Priority,
            "short" => SyslogFormat::Short,
            "timed" => SyslogFormat::Timed,
            "iso" => SyslogFormat::Iso,
            "raw" => SyslogFormat::Raw,
            _ => return None,
        })
    }
}

/// Default `len` of a log target.
pub const DEFAULT_MAX_LEN: usize = 1024;

/// One resolved `log` line: where the framing and filtering settings come
/// from. The address stays in [`LogTarget::target`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogTarget {
    pub format: SyslogFormat,
    pub facility: Facility,
    /// Messages less severe than this are not sent (default debug).
    pub max_level: Level,
    /// Messages more severe than this are sent at this level (default
    /// emerg: no cap).
    pub min_level: Level,
    /// `len`: the datagram's size before its final `\n`.
    pub max_len: usize,
    /// `sample <ranges>:<size>`; `None` sends every log.
    pub sample: Option<LogSample>,
}

impl SyslogTarget {
    /// From the parsed `log` line. `send_hostname` is true when the global
    /// section has `log-send-hostname`: a target without `format` then
    /// uses rfc3164 instead of local (manual §3.1 "log", format "local").
    pub fn from_config(t: &LogTarget, send_hostname: bool) -> Result<Self, String> {
        let format = match t.format.as_deref() {
            Some(f) => SyslogFormat::from_name(f).ok_or(format!("unknown log format '{f}'"))?,
            None if send_hostname => SyslogFormat::Rfc3164,
            None => SyslogFormat::Local,
        };
        let facility = Facility::from_name(&t.facility)
            .ok_or(format!("unknown log facility '{}'", t.facility))?;
        let level = |l: &Option<String>, def: Level| match l {
            Some(n) => Level::from_name(n).ok_or(format!("unknown optional log level '{n}'")),
            None => Ok(def),
        };
        Ok(SyslogTarget {
            format,
            facility,
            max_level: level(&t.level, Level::DEBUG)?,
            min_level: level(&t.min_level, Level::EMERG)?,
            max_len: t.max_len.map_or(DEFAULT_MAX_LEN, |n| n as usize),
            sample: t.sample.as_deref().map(LogSample::parse).transpose()?,
        })
    }

    /// The level a message of `level` is sent at, or `None` when this
    /// target filters it out.
    pub fn effective_level(&self, level: Level) -> Option<Level> {
        if level > self.max_level {
            None
        } else {
            Some(level.max(self.min_level))
        }
    }
}

/// The per-process parts of the header and the emission time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInfo<'a> {
    /// `log-send-hostname` value, if any.
    pub hostname: Option<&'a str>,
    /// `log-tag` (global or per proxy), default `haproxy`.
    pub tag: &'a str,
    pub pid: u32,
    /// When the log is sent (the header date; not the accept date).
    pub now: LogTime,
    pub utc_offset_secs: i32,
    /// RFC 5424 structured data (a rendered `log-format-sd`); `None` or
    /// blank gives HAProxy's default `-`.
    pub structured_data: Option<&'a str>,
}

/// The header HAProxy writes before a message at `level`/`facility`.
pub fn header(
    format: SyslogFormat,
    facility: Facility,
    level: Level,
    h: &HeaderInfo<'_>,
) -> String {
    use SyslogFormat as F;
    let pri = u32::from(facility.code()) * 8 + u32::from(level.code());
    let mut out = String::with_capacity(64);
    match format {
        F::Local | F::Rfc3164 | F::Rfc5424 | F::Priority => out.push_str(&format!("<{pri}>")),
        F::Short | F::Timed => out.push_str(&format!("<{}>", level.code())),
        F::Iso | F::Raw => {}
    }
    match format {
        F::Local | F::Rfc3164 => {
            out.push_str(&date::rfc3164_date(h.now, h.utc_offset_secs));
            out.push(' ');
        }
        F::Rfc5424 => {
            out.push_str("1 ");
            out.push_str(&date::iso_date_us(h.now, h.utc_offset_secs));
            out.push(' ');
        }
        F::Timed | F::Iso => {
            out.push_str(&date::iso_date_us(h.now, h.utc_offset_secs));
            out.push(' ');
        }
        F::Priority | F::Short | F::Raw => {}
    }
    match format {
        F::Local | F::Rfc3164 => {
            if format == F::Rfc3164 {
                out.push_str(h.hostname.filter(|s| !s.is_empty()).unwrap_or("localhost"));
                out.push(' ');
            }
            if !h.tag.is_empty() {
                out.push_str(h.tag);
                out.push_str(&format!("[{}]: ", h.pid));
            }
        }
        F::Rfc5424 => {
            let field = |v: Option<&str>| match v {
                Some(s) if !s.is_empty() => format!("{s} "),
                _ => "- ".to_string(),
            };
            out.push_str(&field(h.hostname));
            out.push_str(&field(Some(h.tag)));
            out.push_str(&format!("{} ", h.pid));
            // No MSGID; trailing spaces of the structured data are dropped.
            out.push_str("- ");
            let sd = h.structured_data.map(|s| s.trim_end_matches(' '));
            out.push_str(&field(sd));
        }
        _ => {}
    }
    out
}

/// The message as HAProxy's line buffer holds it: at most
/// `max_syslog_len - 1` bytes, where `max_syslog_len` is the largest `len`
/// of all log targets (1024 by default).
pub fn fit_message(msg: &str, max_syslog_len: usize) -> &[u8] {
    let b = msg.as_bytes();
    &b[..b.len().min(max_syslog_len.saturating_sub(1))]
}

/// One datagram: header + message cut to `max_len` bytes, then `\n`.
/// Trailing `\n` and NUL bytes of the message are dropped first.
pub fn frame(header: &str, msg: &[u8], max_len: usize) -> Vec<u8> {
    let mut end = msg.len();
    while end > 0 && matches!(msg[end - 1], b'\n' | 0) {
        end -= 1;
    }
    let mut out = Vec::with_capacity(header.len() + end + 1);
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&msg[..end]);
    out.truncate(max_len);
    out.push(b'\n');
    out
}

/// Frames `msg` at `level` for `target`, or `None` when the target's level
/// filter drops it.
pub fn datagram(
    target: &SyslogTarget,
    level: Level,
    info: &HeaderInfo<'_>,
    msg: &[u8],
) -> Option<Vec<u8>> {
    let level = target.effective_level(level)?;
    let h = header(target.format, target.facility, level, info);
    Some(frame(&h, msg, target.max_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(Facility::from_name("local0"), Some(Facility::LOCAL0));
        assert_eq!(Facility::from_name("local7").map(Facility::code), Some(23));
        assert_eq!(Facility::from_name("kern").map(Facility::code), Some(0));
        assert_eq!(
            Facility::from_name("auth2").map(Facility::name),
            Some("auth2")
        );
        assert_eq!(Facility::from_name("local8"), None);
        assert_eq!(Level::from_name("info"), Some(Level::INFO));
        assert_eq!(Level::from_name("emerg").map(Level::code), Some(0));
        assert_eq!(Level::DEBUG.name(), "debug");
        assert_eq!(Level::from_name("error"), None);
        assert_eq!(
            SyslogFormat::from_name("rfc5424"),
            Some(SyslogFormat::Rfc5424)
        );
        assert_eq!(SyslogFormat::from_name("json"), None);
    }

    #[test]
    fn frame_truncates_then_adds_newline() {
        assert_eq!(frame("<6>", b"abc\n\0\n", 1024), b"<6>abc\n");
        assert_eq!(frame("<134>", b"0123456789", 8), b"<134>012\n");
        assert_eq!(frame("<134>", b"x", 3), b"<13\n");
        assert_eq!(fit_message("abcdef", 4), b"abc");
        assert_eq!(fit_message("ab", 1024), b"ab");
    }
}
