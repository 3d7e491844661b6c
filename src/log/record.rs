//! What a finished stream (TCP connection or HTTP transaction) leaves
//! behind for its log line: every value the log-format variables of
//! HAProxy manual §8.2.6 read. Filled by the data plane; read-only here.

use std::net::SocketAddr;

use super::date::LogTime;

/// One end of a connection as logs show it (`%ci:%cp`, `%fi:%fp`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    Inet(SocketAddr),
    /// A UNIX socket: the address prints as `unix` and the port as the
    /// numeric id of the listener that accepted it (manual §8.2.2).
    Unix {
        listener_id: u32,
    },
}

/// First character of the termination state: what ended the session
/// (manual §8.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TermCause {
    #[default]
    Normal,
    /// `L`: handled locally (stats, redirect, return).
    Local,
    /// `c`: client-side timeout.
    ClientTimeout,
    /// `C`: client aborted.
    ClientAbort,
    /// `s`: server-side timeout.
    ServerTimeout,
    /// `S`: server aborted or refused.
    ServerAbort,
    /// `P`: proxy decision (deny, limit, invalid message).
    Proxy,
    /// `R`: local resource exhausted.
    Resource,
    /// `I`: internal error.
    Internal,
    /// `D`: killed because the server went down.
    Down,
    /// `K`: killed by an admin.
    Killed,
    /// `U`: killed on a backup server because an active one came up.
    Up,
}

impl TermCause {
    pub fn code(self) -> char {
        match self {
            TermCause::Normal => '-',
            TermCause::Local => 'L',
            TermCause::ClientTimeout => 'c',
            TermCause::ClientAbort => 'C',
            TermCause::ServerTimeout => 's',
            TermCause::ServerAbort => 'S',
            TermCause::Proxy => 'P',
            TermCause::Resource => 'R',
            TermCause::Internal => 'I',
            TermCause::Down => 'D',
            TermCause::Killed => 'K',
            TermCause::Up => 'U',
        }
    }
    pub fn from_code(c: char) -> Option<Self> {
        Some(match c {
            '-' => TermCause::Normal,
            'L' => TermCause::Local,
            'c' => TermCause::ClientTimeout,
            'C' => TermCause::ClientAbort,
            's' => TermCause::ServerTimeout,
            'S' => TermCause::ServerAbort,
            'P' => TermCause::Proxy,
            'R' => TermCause::Resource,
            'I' => TermCause::Internal,
            'D' => TermCause::Down,
            'K' => TermCause::Killed,
            'U' => TermCause::Up,
            _ => return None,
        })
    }
}

/// Second character: the session phase when it ended (manual §8.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TermPhase {
    /// `-`: after the end of the data transfer.
    #[default]
    Done,
    /// `R`: waiting for the client's request.
    Request,
    /// `Q`: queued.
    Queue,
    /// `C`: connecting to the server.
    Connect,
    /// `H`: waiting for the server's response headers.
    Headers,
    /// `D`: data phase.
    Data,
    /// `L`: sending the last data to the client.
    Last,
    /// `T`: tarpitted.
    Tarpit,
}

impl TermPhase {
    pub fn code(self) -> char {
        match self {
            TermPhase::Done => '-',
            TermPhase::Request => 'R',
            TermPhase::Queue => 'Q',
            TermPhase::Connect => 'C',
            TermPhase::Headers => 'H',
            TermPhase::Data => 'D',
            TermPhase::Last => 'L',
            TermPhase::Tarpit => 'T',
        }
    }
    pub fn from_code(c: char) -> Option<Self> {
        Some(match c {
            '-' => TermPhase::Done,
            'R' => TermPhase::Request,
            'Q' => TermPhase::Queue,
            'C' => TermPhase::Connect,
            'H' => TermPhase::Headers,
            'D' => TermPhase::Data,
            'L' => TermPhase::Last,
            'T' => TermPhase::Tarpit,
            _ => return None,
        })
    }
}

/// The termination state: `%ts` prints the first two characters, `%tsc`
/// all four. The cookie characters are `-` when no cookie persistence is
/// configured; otherwise one of `NIDVEOU` (request) and `NIPRDU` (response)
/// as listed in manual §8.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermState {
    pub cause: TermCause,
    pub phase: TermPhase,
    pub cookie_req: char,
    pub cookie_resp: char,
}

impl Default for TermState {
    fn default() -> Self {
        TermState {
            cause: TermCause::Normal,
            phase: TermPhase::Done,
            cookie_req: '-',
            cookie_resp: '-',
        }
    }
}

impl TermState {
    pub fn new(cause: TermCause, phase: TermPhase) -> Self {
        TermState {
            cause,
            phase,
            ..TermState::default()
        }
    }
    /// Reads `SC`, `cD--`, `LR--`, ... (2 or 4 characters).
    pub fn parse(s: &str) -> Option<Self> {
        let c: Vec<char> = s.chars().collect();
        if c.len() != 2 && c.len() != 4 {
            return None;
        }
        let cookie_ok = |ch: char| ch == '-' || ch.is_ascii_uppercase();
        let (cookie_req, cookie_resp) = if c.len() == 4 {
            if !cookie_ok(c[2]) || !cookie_ok(c[3]) {
                return None;
            }
            (c[2], c[3])
        } else {
            ('-', '-')
        };
        Some(TermState {
            cause: TermCause::from_code(c[0])?,
            phase: TermPhase::from_code(c[1])?,
            cookie_req,
            cookie_resp,
        })
    }
    /// `%ts`
    pub fn short(&self) -> String {
        [self.cause.code(), self.phase.code()].iter().collect()
    }
    /// `%tsc`
    pub fn with_cookies(&self) -> String {
        [
            self.cause.code(),
            self.phase.code(),
            self.cookie_req,
            self.cookie_resp,
        ]
        .iter()
        .collect()
    }
}

/// Timers in milliseconds, `-1` when the event never happened (manual §8.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// Th: handshakes (PROXY protocol, TLS).
    pub th: i64,
    /// Ti: idle time before the request (HTTP).
    pub ti: i64,
    /// TR: receiving the request headers (HTTP).
    pub treq: i64,
    /// Tw: waiting in queues.
    pub tw: i64,
    /// Tc: connecting to the server.
    pub tc: i64,
    /// Tr: server response headers (HTTP).
    pub tr: i64,
    /// Ta: request active time (HTTP).
    pub ta: i64,
    /// Tt: whole session.
    pub tt: i64,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            th: 0,
            ti: 0,
            treq: -1,
            tw: -1,
            tc: -1,
            tr: -1,
            ta: 0,
            tt: 0,
        }
    }
}

impl Timers {
    /// `%Tq` = Th + Ti + TR, or -1 when any of them is -1.
    pub fn tq(&self) -> i64 {
        if self.th < 0 || self.ti < 0 || self.treq < 0 {
            -1
        } else {
            self.th + self.ti + self.treq
        }
    }
    /// `%Td`, data transmission time: Tt - (Th + Ti + TR + Tw + Tc + Tr)
    /// in HTTP, Tt - (Th + Tw + Tc) in TCP; -1 when the data phase was
    /// never reached (Tr resp. Tc is -1).
    pub fn td(&self, http: bool) -> i64 {
        if http {
            if self.tr < 0 || self.tc < 0 || self.tw < 0 || self.tq() < 0 {
                return -1;
            }
            (self.tt - (self.tq() + self.tw + self.tc + self.tr)).max(0)
        } else {
            if self.tc < 0 || self.tw < 0 {
                return -1;
            }
            (self.tt - (self.th.max(0) + self.tw + self.tc)).max(0)
        }
    }
    /// `%Tu` = Tt - Ti (the idle time is left out).
    pub fn tu(&self) -> i64 {
        self.tt - self.ti.max(0)
    }
}

/// Captured header values (`capture request|response header`), in
/// declaration order; `None` for a header that was absent.
pub type Captures = Vec<Option<String>>;

/// Everything a log line may show about one stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogRecord {
    /// `%ci`/`%cp`
    pub client: Option<Peer>,
    /// `%fi`/`%fp`: the accepting address.
    pub frontend_addr: Option<Peer>,
    /// `%bi`/`%bp`: the source address of the server connection.
    pub backend_src: Option<Peer>,
    /// `%si`/`%sp`: the server's address.
    pub server_addr: Option<Peer>,
    /// `%f`
    pub frontend: String,
    /// `%ft` adds `~` after the frontend name when the listener is TLS.
    pub frontend_tls: bool,
    /// `%b`; `None` (no backend chosen) prints the frontend's name.
    pub backend: Option<String>,
    /// `%s`; `None` prints `<NOSRV>`. Applets set `<STATS>`, `<PROMEX>`...
    pub server: Option<String>,
    /// HTTP mode (`%Td` is computed differently; `%r` exists).
    pub http: bool,
    /// Accept date (`%t`, `%T`, `%Tl`, `%Ts`, `%ms`).
    pub accept_date: LogTime,
    /// Offset of the local time zone from UTC, seconds east (`%t`, `%Tl`,
    /// `%tr`, `%trl`). The caller reads it from the system; 0 = UTC.
    pub utc_offset_secs: i32,
    pub timers: Timers,
    /// Option logasap was in effect: `%Ta`, `%Tt`, `%Tu`, `%B` get a `+`.
    pub logasap: bool,
    /// `%ST`; `None` (no response, TCP) prints -1.
    pub status: Option<u16>,
    /// `%B`: bytes from server to client.
    pub bytes_out: u64,
    /// `%U`: bytes from client to server.
    pub bytes_in: u64,
    /// `%CC`/`%CS`: the captured cookie (`capture cookie`), already
    /// truncated to its configured length.
    pub cookie_req: Option<String>,
    pub cookie_resp: Option<String>,
    /// `%hr`/`%hrl`: `None` when no request header capture exists for this
    /// stream (nothing printed), otherwise one slot per capture.
    pub req_captures: Option<Captures>,
    /// `%hs`/`%hsl`: as `req_captures`, for responses.
    pub resp_captures: Option<Captures>,
    pub term: TermState,
    /// `%ac`, `%fc`, `%bc`, `%sc`
    pub actconn: u64,
    pub feconn: u64,
    pub beconn: u64,
    pub srv_conn: u64,
    /// `%rc`; `redispatched` prefixes it with `+`.
    pub retries: u32,
    pub redispatched: bool,
    /// `%sq`/`%bq`
    pub srv_queue: u64,
    pub backend_queue: u64,
    /// `%r` and the `%HM`... family: the request line as captured
    /// (`None` → `<BADREQ>`).
    pub request_line: Option<String>,
    /// `%ID`
    pub unique_id: Option<String>,
    /// `%sslv`/`%sslc`
    pub ssl_version: Option<String>,
    pub ssl_cipher: Option<String>,
    /// `%rt`: the process-wide stream counter.
    pub request_counter: u64,
    /// `%lc`: the frontend's log counter.
    pub log_counter: u64,
    /// `%pid`
    pub pid: u32,
    /// `%H`
    pub hostname: String,
}

impl LogRecord {
    /// `%tr`: when the request began = accept date + Th + Ti (only
    /// when Ti is known).
    pub fn request_date(&self) -> LogTime {
        let t = &self.timers;
        if t.ti >= 0 {
            self.accept_date.plus_ms(t.ti + t.th.max(0))
        } else {
            self.accept_date
        }
    }

    /// True when the stream counts as an error for `option
    /// log-separate-errors` and `option dontlog-normal` (manual §8.3.3):
    /// a redispatch, an abnormal termination, retries, or an HTTP 5xx.
    pub fn is_error(&self) -> bool {
        let abnormal = !matches!(self.term.cause, TermCause::Normal | TermCause::Local);
        self.redispatched
            || abnormal
            || (self.term.cause == TermCause::Normal && self.retries > 0)
            || (self.http && self.status.is_some_and(|s| s >= 500))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn termination_state_round_trips() {
        for s in [
            "--", "SC", "cD", "----", "SC--", "LR--", "PR--", "cDNI", "sHVP",
        ] {
            let t = TermState::parse(s).expect(s);
            let back = if s.len() == 2 {
                t.short()
            } else {
                t.with_cookies()
            };
            assert_eq!(back, s);
        }
        assert_eq!(
            TermState::parse("SC").map(|t| t.with_cookies()).as_deref(),
            Some("SC--")
        );
        assert_eq!(TermState::parse("XY"), None);
        assert_eq!(TermState::parse("S"), None);
        assert_eq!(TermState::parse("SC-"), None);
        assert_eq!(TermState::parse("SCn-"), None);
    }

    #[test]
    fn derived_timers() {
        let t = Timers {
            th: 1,
            ti: 2,
            treq: 3,
            tw: 4,
            tc: 5,
            tr: 6,
            ta: 30,
            tt: 33,
        };
        assert_eq!(t.tq(), 6);
        assert_eq!(t.td(true), 33 - (6 + 4 + 5 + 6));
        assert_eq!(t.td(false), 33 - (1 + 4 + 5));
        assert_eq!(t.tu(), 31);
        let bad = Timers { treq: -1, ..t };
        assert_eq!(bad.tq(), -1);
        assert_eq!(bad.td(true), -1);
        let refused = Timers { tc: -1, ..t };
        assert_eq!(refused.td(false), -1);
    }

    #[test]
    fn error_classification() {
        let mut r = LogRecord {
            http: true,
            status: Some(200),
            ..LogRecord::default()
        };
        assert!(!r.is_error());
        r.term = TermState::parse("LR--").expect("valid");
        assert!(!r.is_error());
        r.status = Some(503);
        assert!(r.is_error());
        r.status = Some(200);
        // Retries count only for an otherwise normal ending.
        r.retries = 1;
        assert!(!r.is_error());
        r.term = TermState::default();
        assert!(r.is_error());
        r.retries = 0;
        r.term = TermState::parse("SC--").expect("valid");
        assert!(r.is_error());
    }

    #[test]
    fn request_date_adds_handshake_and_idle() {
        let r = LogRecord {
            accept_date: LogTime::new(100, 900_000),
            timers: Timers {
                th: 50,
                ti: 100,
                ..Timers::default()
            },
            ..LogRecord::default()
        };
        assert_eq!(r.request_date(), LogTime::new(101, 50_000));
        let idle_unknown = LogRecord {
            timers: Timers { ti: -1, ..r.timers },
            ..r.clone()
        };
        assert_eq!(idle_unknown.request_date(), r.accept_date);
    }
}
