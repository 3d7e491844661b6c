//! What the checks know about each server, for whoever reports it (the
//! stats page and socket: `check_status`, `check_code`, `check_duration`,
//! `chkfail`, `chkdown`, health counters).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::health::Machine;
use super::status::{CheckResult, CheckStatus};

/// The last check of one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckView {
    /// `None` before the first check ends (HAProxy's `INI`).
    pub status: Option<CheckStatus>,
    pub code: Option<u16>,
    pub info: Option<String>,
    pub duration_ms: u64,
    /// HAProxy's counter, 0..rise+fall-1.
    pub health: u32,
    pub rise: u32,
    pub fall: u32,
    /// Failed checks (`chkfail`).
    pub failed: u64,
    /// UP to DOWN transitions (`chkdown`).
    pub downs: u64,
    /// When the state last changed.
    pub last_change: Option<SystemTime>,
}

impl CheckView {
    pub(crate) fn record(&mut self, res: &CheckResult, m: &Machine, changed: bool, down: bool) {
        self.status = Some(res.status);
        self.code = res.code;
        self.info = res.info.clone();
        self.duration_ms = res.duration.as_millis().min(u128::from(u64::MAX)) as u64;
        self.health = m.health();
        self.rise = m.params().rise;
        self.fall = m.params().fall;
        if res.status.verdict() == super::health::Verdict::Fail {
            self.failed += 1;
        }
        if changed {
            self.last_change = Some(SystemTime::now());
        }
        if down {
            self.downs += 1;
        }
    }
}

/// Every checked server's view, by backend and server name.
#[derive(Debug, Default)]
pub struct CheckViews {
    pub(crate) by_server: HashMap<(String, String), Arc<Mutex<CheckView>>>,
}

impl CheckViews {
    /// A copy of one server's view, if it is checked.
    pub fn get(&self, backend: &str, server: &str) -> Option<CheckView> {
        let v = self
            .by_server
            .get(&(backend.to_string(), server.to_string()))?;
        v.lock().ok().map(|g| g.clone())
    }

    pub fn len(&self) -> usize {
        self.by_server.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_server.is_empty()
    }
}
