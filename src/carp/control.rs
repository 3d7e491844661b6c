//! A handle on a running CARP driver for the rest of harp: the node's
//! global demotion (`net.inet.carp.demotion`, which backend tracking will
//! drive) and a snapshot of each vhid's state.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;
use tracing::info;

use super::events::State;
use super::timing::Demotion;

/// One vhid as the driver runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VhidStatus {
    pub vhid: u8,
    /// The interface name of the rc.conf lines (`em0`, `carp0`).
    pub iface: String,
    /// The Linux interface it runs on.
    pub linux_iface: String,
    pub state: State,
    pub advbase: u8,
    /// The advskew advertised now (demotion included).
    pub advskew: u8,
    /// Adverts sent, accepted, and rejected (bad digest, TTL, ...).
    pub sent: u64,
    pub received: u64,
    pub bad: u64,
}

/// Cheap to clone; every clone controls the same driver.
#[derive(Clone)]
pub struct CarpControl {
    inner: Arc<Inner>,
}

struct Inner {
    demotion: Mutex<Demotion>,
    tx: watch::Sender<i32>,
    status: Mutex<Vec<VhidStatus>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks cannot leave them inconsistent
    // (plain value updates), so a poisoned lock is used as is.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl std::fmt::Debug for CarpControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CarpControl")
            .field("demotion", &self.demotion())
            .finish()
    }
}

impl CarpControl {
    /// `initial` is the configured `net.inet.carp.demotion`.
    pub fn new(initial: i32) -> CarpControl {
        let (tx, _) = watch::channel(initial);
        CarpControl {
            inner: Arc::new(Inner {
                demotion: Mutex::new(Demotion::new(initial)),
                tx,
                status: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Adds `by` (may be negative) to the node's demotion, logs FreeBSD's
    /// `carp: demoted by …` line and tells every vhid (a MASTER advertises
    /// its new advskew at once).
    pub fn demote(&self, by: i32, reason: &str) {
        let (line, value) = {
            let mut d = lock(&self.inner.demotion);
            (d.adjust(by, reason), d.value())
        };
        info!(target: "carp", "{line}");
        self.inner.tx.send_replace(value);
    }

    pub fn demotion(&self) -> i32 {
        lock(&self.inner.demotion).value()
    }

    /// Every vhid the driver runs, in configuration order.
    pub fn status(&self) -> Vec<VhidStatus> {
        lock(&self.inner.status).clone()
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<i32> {
        self.inner.tx.subscribe()
    }

    pub(crate) fn set_status(&self, s: VhidStatus) {
        let mut all = lock(&self.inner.status);
        match all
            .iter_mut()
            .find(|x| x.vhid == s.vhid && x.iface == s.iface)
        {
            Some(x) => *x = s,
            None => all.push(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demotion_adds_up_and_is_broadcast() {
        let c = CarpControl::new(10);
        let mut rx = c.subscribe();
        c.clone().demote(240, "backend down");
        assert_eq!(c.demotion(), 250);
        assert!(rx.has_changed().unwrap());
        assert_eq!(*rx.borrow_and_update(), 250);
        c.demote(-240, "backend up");
        assert_eq!(*rx.borrow(), 10);
    }

    #[test]
    fn status_is_updated_in_place() {
        let c = CarpControl::new(0);
        let s = |state| VhidStatus {
            vhid: 1,
            iface: "em0".into(),
            linux_iface: "eth0".into(),
            state,
            advbase: 1,
            advskew: 0,
            sent: 0,
            received: 0,
            bad: 0,
        };
        c.set_status(s(State::Backup));
        c.set_status(s(State::Master));
        assert_eq!(c.status(), [s(State::Master)]);
    }
}
