//! A check's outcome as HAProxy reports it: its check status (manual §9.1
//! stats `check_status`: L4OK, L4CON, L7STS...), the text logged as
//! `reason`, the HTTP code and the detail logged as `info`.

use std::time::Duration;

use super::health::Verdict;
use crate::log::events;

/// HAProxy's check statuses that harp's checks produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    /// Socket error before connecting.
    SockErr,
    L4Ok,
    L4Tout,
    L4Con,
    L6Ok,
    L6Tout,
    L6Rsp,
    L7Tout,
    L7Rsp,
    L7Ok,
    /// Conditionally passed (`disable-on-404`, `L7OKC` statuses).
    L7OkC,
    L7Sts,
}

impl CheckStatus {
    /// The `reason:` text of the server state messages.
    pub fn reason(self) -> &'static str {
        match self {
            CheckStatus::SockErr => "Socket error",
            CheckStatus::L4Ok => events::L4_OK,
            CheckStatus::L4Tout => events::L4_TIMEOUT,
            CheckStatus::L4Con => events::L4_CON_PROBLEM,
            CheckStatus::L6Ok => "Layer6 check passed",
            CheckStatus::L6Tout => "Layer6 timeout",
            CheckStatus::L6Rsp => "Layer6 invalid response",
            CheckStatus::L7Tout => "Layer7 timeout",
            CheckStatus::L7Rsp => "Layer7 invalid response",
            CheckStatus::L7Ok => events::L7_OK,
            CheckStatus::L7OkC => "Layer7 check conditionally passed",
            CheckStatus::L7Sts => events::L7_WRONG_STATUS,
        }
    }

    /// The short name (`L7STS`), as in the stats and `*-status` options.
    pub fn name(self) -> &'static str {
        match self {
            CheckStatus::SockErr => "SOCKERR",
            CheckStatus::L4Ok => "L4OK",
            CheckStatus::L4Tout => "L4TOUT",
            CheckStatus::L4Con => "L4CON",
            CheckStatus::L6Ok => "L6OK",
            CheckStatus::L6Tout => "L6TOUT",
            CheckStatus::L6Rsp => "L6RSP",
            CheckStatus::L7Tout => "L7TOUT",
            CheckStatus::L7Rsp => "L7RSP",
            CheckStatus::L7Ok => "L7OK",
            CheckStatus::L7OkC => "L7OKC",
            CheckStatus::L7Sts => "L7STS",
        }
    }

    pub fn from_name(s: &str) -> Option<CheckStatus> {
        [
            CheckStatus::SockErr,
            CheckStatus::L4Ok,
            CheckStatus::L4Tout,
            CheckStatus::L4Con,
            CheckStatus::L6Ok,
            CheckStatus::L6Tout,
            CheckStatus::L6Rsp,
            CheckStatus::L7Tout,
            CheckStatus::L7Rsp,
            CheckStatus::L7Ok,
            CheckStatus::L7OkC,
            CheckStatus::L7Sts,
        ]
        .into_iter()
        .find(|c| c.name().eq_ignore_ascii_case(s))
    }

    pub fn verdict(self) -> Verdict {
        match self {
            CheckStatus::L4Ok | CheckStatus::L6Ok | CheckStatus::L7Ok => Verdict::Pass,
            CheckStatus::L7OkC => Verdict::ConditionalPass,
            _ => Verdict::Fail,
        }
    }

    /// Only statuses that carry response data show the HTTP code.
    fn shows_code(self) -> bool {
        matches!(
            self,
            CheckStatus::L7Ok | CheckStatus::L7OkC | CheckStatus::L7Sts
        )
    }
}

/// One finished check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub status: CheckStatus,
    /// HTTP status of the response, when one was parsed.
    pub code: Option<u16>,
    pub info: Option<String>,
    pub duration: Duration,
}

impl CheckResult {
    pub fn new(status: CheckStatus, code: Option<u16>, info: Option<String>) -> CheckResult {
        CheckResult {
            status,
            code,
            info: info.filter(|i| !i.is_empty()),
            duration: Duration::ZERO,
        }
    }

    /// As the log helper takes it (the code only where HAProxy prints it).
    pub fn outcome(&self) -> events::CheckOutcome<'_> {
        events::CheckOutcome {
            reason: self.status.reason(),
            // HAProxy prints `code: 0` when no HTTP status was read.
            code: self.status.shows_code().then_some(self.code.unwrap_or(0)),
            info: self.info.as_deref(),
            duration_ms: self.duration.as_millis().min(u128::from(u64::MAX)) as u64,
        }
    }
}

/// `Connection refused`: the OS error text without Rust's ` (os error N)`.
pub fn os_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_reasons_and_verdicts() {
        assert_eq!(CheckStatus::from_name("l7okc"), Some(CheckStatus::L7OkC));
        assert_eq!(CheckStatus::from_name("L9"), None);
        assert_eq!(CheckStatus::L7Rsp.reason(), "Layer7 invalid response");
        assert_eq!(CheckStatus::L7Sts.verdict(), Verdict::Fail);
        assert_eq!(CheckStatus::L6Ok.verdict(), Verdict::Pass);
        let ok = CheckResult::new(CheckStatus::L7Ok, None, Some("(tcp-check)".into()));
        assert_eq!(ok.outcome().code, Some(0));
        let mut r = CheckResult::new(CheckStatus::L7Rsp, Some(200), Some(String::new()));
        r.duration = Duration::from_millis(7);
        let o = r.outcome();
        assert_eq!((o.code, o.info, o.duration_ms), (None, None, 7));
        let r = CheckResult::new(CheckStatus::L7Sts, Some(503), Some("x".into()));
        assert_eq!(r.outcome().code, Some(503));
        let e = std::io::Error::from_raw_os_error(111);
        assert_eq!(os_text(&e), "Connection refused");
    }
}
