//! The fixed date formats of HAProxy logs, computed by hand from a Unix
//! timestamp and a UTC offset (no clock is read here: callers pass both).
//!
//! HAProxy manual §8.2.3/§8.2.6 (`%t`, `%T`, `%Tl`, `%tr`, `%trg`, `%trl`)
//! and the syslog header dates of the `log` keyword's formats.

use std::time::{SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A point in time: seconds and microseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LogTime {
    pub secs: i64,
    pub usec: u32,
}

impl LogTime {
    pub fn new(secs: i64, usec: u32) -> Self {
        LogTime {
            secs: secs.saturating_add(i64::from(usec / 1_000_000)),
            usec: usec % 1_000_000,
        }
    }

    /// From a wall-clock reading (times before 1970 become the epoch).
    pub fn from_system(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => LogTime::new(
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_micros(),
            ),
            Err(_) => LogTime::default(),
        }
    }

    /// This time plus `ms` milliseconds (negative values move back).
    pub fn plus_ms(self, ms: i64) -> Self {
        let total =
            i128::from(self.secs) * 1_000_000 + i128::from(self.usec) + i128::from(ms) * 1000;
        let secs = total.div_euclid(1_000_000);
        let usec = total.rem_euclid(1_000_000);
        LogTime {
            secs: i64::try_from(secs).unwrap_or(i64::MAX),
            usec: u32::try_from(usec).unwrap_or(0),
        }
    }

    pub fn millis(self) -> u32 {
        self.usec / 1000
    }
}

/// Broken-down civil time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1..=12
    pub month: u32,
    /// 1..=31
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
}

impl Civil {
    /// `t` shifted by `offset_secs` (east of UTC positive), then split.
    pub fn at(t: LogTime, offset_secs: i32) -> Self {
        let s = t.secs.saturating_add(i64::from(offset_secs));
        let days = s.div_euclid(86_400);
        let rem = s.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            min: ((rem % 3600) / 60) as u32,
            sec: (rem % 60) as u32,
        }
    }

    fn month_name(&self) -> &'static str {
        MONTHS[(self.month.clamp(1, 12) - 1) as usize]
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (the well-known era-based conversion).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `+HHMM` / `-HHMM` as strftime's `%z`.
fn offset_compact(offset_secs: i32) -> String {
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let a = offset_secs.unsigned_abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// `+HH:MM` / `-HH:MM` (RFC 5424 / ISO 8601).
fn offset_colon(offset_secs: i32) -> String {
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let a = offset_secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

fn dmy_hms(c: &Civil) -> String {
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02}",
        c.day,
        c.month_name(),
        c.year,
        c.hour,
        c.min,
        c.sec
    )
}

/// `%t`, `%tr`: `dd/Mon/YYYY:HH:MM:SS.mmm` in local time.
pub fn log_date_ms(t: LogTime, offset_secs: i32) -> String {
    format!("{}.{:03}", dmy_hms(&Civil::at(t, offset_secs)), t.millis())
}

/// `%T`, `%trg`: `dd/Mon/YYYY:HH:MM:SS +0000` in UTC.
pub fn gmt_date(t: LogTime) -> String {
    format!("{} +0000", dmy_hms(&Civil::at(t, 0)))
}

/// `%Tl`, `%trl`: `dd/Mon/YYYY:HH:MM:SS +HHMM` in local time.
pub fn local_date(t: LogTime, offset_secs: i32) -> String {
    format!(
        "{} {}",
        dmy_hms(&Civil::at(t, offset_secs)),
        offset_compact(offset_secs)
    )
}

/// RFC 3164 header date: `Mmm dd HH:MM:SS`, the day padded with a space.
pub fn rfc3164_date(t: LogTime, offset_secs: i32) -> String {
    let c = Civil::at(t, offset_secs);
    format!(
        "{} {:2} {:02}:{:02}:{:02}",
        c.month_name(),
        c.day,
        c.hour,
        c.min,
        c.sec
    )
}

/// RFC 5424 / `timed` / `iso` header date:
/// `YYYY-MM-DDTHH:MM:SS.uuuuuu+HH:MM` in local time.
pub fn iso_date_us(t: LogTime, offset_secs: i32) -> String {
    let c = Civil::at(t, offset_secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}{}",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.min,
        c.sec,
        t.usec,
        offset_colon(offset_secs)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-23T19:53:46.095Z, the first traffic line of the golden capture.
    const GOLDEN: LogTime = LogTime {
        secs: 1_795_463_626,
        usec: 95_123,
    };

    #[test]
    fn civil_conversion_known_points() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        let c = Civil::at(GOLDEN, 0);
        assert_eq!((c.year, c.month, c.day), (2026, 11, 23));
        assert_eq!((c.hour, c.min, c.sec), (19, 53, 46));
    }

    #[test]
    fn haproxy_date_formats() {
        assert_eq!(log_date_ms(GOLDEN, 0), "23/Nov/2026:19:53:46.095");
        assert_eq!(gmt_date(GOLDEN), "23/Nov/2026:19:53:46 +0000");
        assert_eq!(local_date(GOLDEN, 3600), "23/Nov/2026:20:53:46 +0100");
        assert_eq!(
            local_date(GOLDEN, -5 * 3600 - 1800),
            "23/Nov/2026:14:23:46 -0530"
        );
        assert_eq!(log_date_ms(GOLDEN, 5 * 3600), "24/Nov/2026:00:53:46.095");
        assert_eq!(rfc3164_date(GOLDEN, 0), "Nov 23 19:53:46");
        assert_eq!(rfc3164_date(LogTime::new(0, 0), 0), "Jan  1 00:00:00");
        assert_eq!(iso_date_us(GOLDEN, 0), "2026-11-23T19:53:46.095123+00:00");
        assert_eq!(
            iso_date_us(GOLDEN, -7200),
            "2026-11-23T17:53:46.095123-02:00"
        );
    }

    #[test]
    fn arithmetic_on_times() {
        let t = LogTime::new(10, 999_500);
        assert_eq!(t.plus_ms(1), LogTime::new(11, 500));
        assert_eq!(
            t.plus_ms(-11_000),
            LogTime {
                secs: -1,
                usec: 999_500
            }
        );
        assert_eq!(LogTime::new(1, 2_000_001), LogTime { secs: 3, usec: 1 });
        assert_eq!(
            LogTime::from_system(UNIX_EPOCH + std::time::Duration::from_micros(1_500_001)),
            LogTime::new(1, 500_001)
        );
    }
}
