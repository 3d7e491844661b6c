//! Server state messages HAProxy logs on behalf of a backend (health
//! checks, `disable server`, `set server ... state drain`...), with their
//! levels. Texts observed from HAProxy 2.6.12; see tests/log_golden.rs.

use super::syslog::Level;

/// The server a message is about. Backup servers are announced as
/// `Backup Server be/srv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerRef<'a> {
    pub backend: &'a str,
    pub server: &'a str,
    pub backup: bool,
}

/// What a health check reported (`reason` is HAProxy's check status text,
/// e.g. [`L4_CON_PROBLEM`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOutcome<'a> {
    pub reason: &'a str,
    /// HTTP status of a layer 7 check.
    pub code: Option<u16>,
    /// Detail, e.g. `Connection refused`, `Service Unavailable`.
    pub info: Option<&'a str>,
    pub duration_ms: u64,
}

pub const L4_OK: &str = "Layer4 check passed";
pub const L4_CON_PROBLEM: &str = "Layer4 connection problem";
pub const L4_TIMEOUT: &str = "Layer4 timeout";
pub const L7_OK: &str = "Layer7 check passed";
pub const L7_WRONG_STATUS: &str = "Layer7 wrong status";

/// Why the state changed: the server's own check, or the server it tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause<'a> {
    Check(CheckOutcome<'a>),
    Via { backend: &'a str, server: &'a str },
}

/// Usable servers of the backend after the change, and its queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Farm {
    pub active: u32,
    pub backup: u32,
    /// Streams still on the server (DOWN messages only).
    pub sessions_active: u32,
    pub requeued: u32,
    /// Requests left in the server's queue.
    pub in_queue: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerEvent<'a> {
    /// `is DOWN`; a server already draining logs it at notice.
    Down {
        srv: ServerRef<'a>,
        cause: Cause<'a>,
        farm: Farm,
        was_draining: bool,
    },
    Up {
        srv: ServerRef<'a>,
        cause: Cause<'a>,
        farm: Farm,
    },
    /// `disable server` / `state maint` on a running server.
    GoingDownForMaintenance {
        srv: ServerRef<'a>,
        farm: Farm,
    },
    /// The same on a server already down.
    WasDownEntersMaintenance {
        srv: ServerRef<'a>,
    },
    LeavingMaintenance {
        srv: ServerRef<'a>,
    },
    EntersDrain {
        srv: ServerRef<'a>,
        farm: Farm,
    },
    LeavingDrain {
        srv: ServerRef<'a>,
    },
    /// A check changed state while the server is in forced drain.
    RemainsInDrain {
        srv: ServerRef<'a>,
    },
    /// The backend's last usable server went away.
    NoServerAvailable {
        backend: &'a str,
    },
}

fn who(s: &ServerRef<'_>) -> String {
    let prefix = if s.backup { "Backup " } else { "" };
    format!("{prefix}Server {}/{}", s.backend, s.server)
}

fn cause_text(c: &Cause<'_>, state: &str) -> String {
    match c {
        Cause::Check(o) => {
            let mut s = format!(" is {state}, reason: {}", o.reason);
            if let Some(code) = o.code {
                s.push_str(&format!(", code: {code}"));
            }
            if let Some(info) = o.info {
                s.push_str(&format!(", info: \"{info}\""));
            }
            s.push_str(&format!(", check duration: {}ms", o.duration_ms));
            s
        }
        Cause::Via { backend, server } => format!(" is {state} via {backend}/{server}"),
    }
}

/// `. 1 active and 0 backup servers left.` (+ ` Running on backup.`)
fn servers(f: &Farm, word: &str) -> String {
    let mut s = format!(
        ". {} active and {} backup servers {word}.",
        f.active, f.backup
    );
    if f.active == 0 && f.backup > 0 {
        s.push_str(" Running on backup.");
    }
    s
}

fn down_tail(f: &Farm) -> String {
    format!(
        "{} {} sessions active, {} requeued, {} remaining in queue.",
        servers(f, "left"),
        f.sessions_active,
        f.requeued,
        f.in_queue
    )
}

fn up_tail(f: &Farm) -> String {
    format!(
        "{} {} sessions requeued, {} total in queue.",
        servers(f, "online"),
        f.requeued,
        f.in_queue
    )
}

impl ServerEvent<'_> {
    /// The log text (no trailing newline).
    pub fn message(&self) -> String {
        match self {
            ServerEvent::Down {
                srv, cause, farm, ..
            } => format!(
                "{}{}{}",
                who(srv),
                cause_text(cause, "DOWN"),
                down_tail(farm)
            ),
            ServerEvent::Up { srv, cause, farm } => {
                format!("{}{}{}", who(srv), cause_text(cause, "UP"), up_tail(farm))
            }
            ServerEvent::GoingDownForMaintenance { srv, farm } => format!(
                "{} is going DOWN for maintenance{}",
                who(srv),
                down_tail(farm)
            ),
            ServerEvent::WasDownEntersMaintenance { srv } => {
                format!("{} was DOWN and now enters maintenance.", who(srv))
            }
            ServerEvent::LeavingMaintenance { srv } => {
                format!("{} is UP/READY (leaving forced maintenance).", who(srv))
            }
            ServerEvent::EntersDrain { srv, farm } => {
                format!("{} enters drain state{}", who(srv), up_tail(farm))
            }
            ServerEvent::LeavingDrain { srv } => {
                format!("{} is UP (leaving forced drain).", who(srv))
            }
            ServerEvent::RemainsInDrain { srv } => {
                format!("{} remains in forced drain mode.", who(srv))
            }
            ServerEvent::NoServerAvailable { backend } => {
                format!("backend {backend} has no server available!")
            }
        }
    }

    /// The syslog level HAProxy uses for it.
    pub fn level(&self) -> Level {
        match self {
            ServerEvent::Down { was_draining, .. } => {
                if *was_draining {
                    Level::NOTICE
                } else {
                    Level::ALERT
                }
            }
            ServerEvent::GoingDownForMaintenance { .. } => Level::ALERT,
            ServerEvent::NoServerAvailable { .. } => Level::EMERG,
            _ => Level::NOTICE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: ServerRef<'static> = ServerRef {
        backend: "be_l7",
        server: "ok",
        backup: false,
    };

    /// Lines from HAProxy 2.6.12 (`option httpchk`, `track`, `backup`,
    /// `disable server`, `set server ... state drain`).
    #[test]
    fn observed_messages_and_levels() {
        let bad = ServerEvent::Down {
            srv: ServerRef {
                server: "bad",
                ..OK
            },
            cause: Cause::Check(CheckOutcome {
                reason: L7_WRONG_STATUS,
                code: Some(503),
                info: Some("Service Unavailable"),
                duration_ms: 2,
            }),
            farm: Farm {
                active: 3,
                backup: 1,
                ..Farm::default()
            },
            was_draining: false,
        };
        assert_eq!(bad.message(), "Server be_l7/bad is DOWN, reason: Layer7 wrong status, code: 503, info: \"Service Unavailable\", check duration: 2ms. 3 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.");
        assert_eq!(bad.level(), Level::ALERT);

        let via = ServerEvent::Down {
            srv: ServerRef { server: "tr", ..OK },
            cause: Cause::Via {
                backend: "be_l7",
                server: "bad",
            },
            farm: Farm {
                active: 2,
                backup: 1,
                ..Farm::default()
            },
            was_draining: false,
        };
        assert_eq!(via.message(), "Server be_l7/tr is DOWN via be_l7/bad. 2 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.");
        let up_via = ServerEvent::Up {
            srv: ServerRef { server: "tr", ..OK },
            cause: Cause::Via {
                backend: "be_l7",
                server: "bad",
            },
            farm: Farm {
                active: 3,
                backup: 1,
                ..Farm::default()
            },
        };
        assert_eq!(up_via.message(), "Server be_l7/tr is UP via be_l7/bad. 3 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.");

        let on_backup = Farm {
            active: 0,
            backup: 1,
            ..Farm::default()
        };
        let maint = ServerEvent::GoingDownForMaintenance {
            srv: OK,
            farm: on_backup,
        };
        assert_eq!(maint.message(), "Server be_l7/ok is going DOWN for maintenance. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.");
        assert_eq!(maint.level(), Level::ALERT);
        let drain = ServerEvent::EntersDrain {
            srv: OK,
            farm: on_backup,
        };
        assert_eq!(drain.message(), "Server be_l7/ok enters drain state. 0 active and 1 backup servers online. Running on backup. 0 sessions requeued, 0 total in queue.");
        assert_eq!(drain.level(), Level::NOTICE);

        let bk_up = ServerEvent::Up {
            srv: ServerRef {
                server: "bk",
                backup: true,
                ..OK
            },
            cause: Cause::Check(CheckOutcome {
                reason: L7_OK,
                code: Some(200),
                info: None,
                duration_ms: 0,
            }),
            farm: Farm {
                active: 2,
                backup: 1,
                ..Farm::default()
            },
        };
        assert_eq!(bk_up.message(), "Backup Server be_l7/bk is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 2 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.");

        let draining_down = ServerEvent::Down {
            srv: OK,
            cause: Cause::Check(CheckOutcome {
                reason: L4_CON_PROBLEM,
                code: None,
                info: Some("Connection refused"),
                duration_ms: 0,
            }),
            farm: Farm {
                active: 2,
                ..Farm::default()
            },
            was_draining: true,
        };
        assert_eq!(draining_down.level(), Level::NOTICE);
        assert_eq!(
            ServerEvent::RemainsInDrain { srv: OK }.message(),
            "Server be_l7/ok remains in forced drain mode."
        );
        assert_eq!(
            ServerEvent::NoServerAvailable { backend: "be_l7" }.level(),
            Level::EMERG
        );
    }
}
