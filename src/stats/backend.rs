//! What the stats CLI needs from the running process. The runtime
//! implements [`StatsBackend`]; tests use a fake built on a [`Snapshot`].

use super::snapshot::Snapshot;

/// CLI access level (`stats socket ... level user|operator|admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    User,
    Operator,
    Admin,
}

impl Level {
    /// Parse the `level` bind option (without one, a stats socket is at
    /// operator level).
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "user" => Some(Level::User),
            "operator" => Some(Level::Operator),
            "admin" => Some(Level::Admin),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Level::User => "user",
            Level::Operator => "operator",
            Level::Admin => "admin",
        }
    }
}

/// `set server <b>/<s> state ...`, `enable/disable server`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminOp {
    Ready,
    Drain,
    Maint,
}

/// Which check `enable/disable health|agent` and `set server ... health|agent` act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    Health,
    Agent,
}

/// `set server <b>/<s> health|agent up|stopping|down`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForcedHealth {
    Up,
    Stopping,
    Down,
}

/// Operations the runtime performs for the CLI. Names given to these
/// methods have already been checked against [`StatsBackend::snapshot`];
/// an `Err` text is sent to the client as is (end it with '\n').
pub trait StatsBackend: Send + Sync {
    /// Current counters and states.
    fn snapshot(&self) -> Snapshot;
    /// New user weight (0..=256, already scaled for `N%`).
    fn set_weight(&self, backend: &str, server: &str, weight: u32) -> Result<(), String>;
    fn set_admin(&self, backend: &str, server: &str, op: AdminOp) -> Result<(), String>;
    /// Start or stop the health checks / agent checks of a server.
    fn set_check_enabled(
        &self,
        backend: &str,
        server: &str,
        kind: CheckKind,
        enabled: bool,
    ) -> Result<(), String>;
    /// Force the result of the health checks / agent checks.
    fn force_health(
        &self,
        backend: &str,
        server: &str,
        kind: CheckKind,
        to: ForcedHealth,
    ) -> Result<(), String>;
    fn set_frontend_maxconn(&self, frontend: &str, maxconn: u32) -> Result<(), String>;
    fn set_global_maxconn(&self, maxconn: u32) -> Result<(), String>;
    /// `clear counters`: reset the max values; with `all`, every counter.
    fn clear_counters(&self, all: bool);
}
