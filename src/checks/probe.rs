//! One check over the network: connect, send, read and judge, bounded by
//! the check timeouts (manual §4.2 `timeout check`: with it, connecting
//! may take min(`timeout connect`, `inter`) and the rest `timeout check`
//! once connected; without it, the whole check must fit in `inter`).
//! HAProxy 2.6 does not apply `timeout check` to `option tcp-check`
//! sequences: the connect limit covers them whole (observed: 1000 ms with
//! `timeout connect 1s`, `timeout check 300ms`).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::expect::{expect_label, judge_http, judge_tcp, TcpJudgement};
use super::plan::{HttpPlan, Kind, TcpStep};
use super::status::{os_text, CheckResult, CheckStatus};

/// HAProxy reads check answers into one buffer (`tune.bufsize`).
const MAX_READ: usize = 16384;

/// The time limits of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckTimeouts {
    /// Connecting (and the whole of a tcp-check sequence).
    pub connect: Duration,
    /// Everything after the connection is up (`timeout check`), HTTP and
    /// plain checks only; `None`: the connect deadline covers the whole
    /// check.
    pub once_connected: Option<Duration>,
}

impl CheckTimeouts {
    /// From `timeout connect`, `timeout check` and the server's `inter`
    /// (all in ms).
    pub fn new(connect: Option<u32>, check: Option<u32>, inter: u32) -> CheckTimeouts {
        let ms = |v: u32| Duration::from_millis(u64::from(v.max(1)));
        match check {
            Some(c) => CheckTimeouts {
                connect: ms(connect.map_or(inter, |t| t.min(inter))),
                once_connected: Some(ms(c)),
            },
            None => CheckTimeouts {
                connect: ms(inter),
                once_connected: None,
            },
        }
    }
}

/// Run one check against `addr` (explicit `tcp-check connect port N`
/// steps change its port).
pub async fn probe(kind: &Kind, addr: SocketAddr, t: CheckTimeouts) -> CheckResult {
    let start = Instant::now();
    let mut r = match kind {
        Kind::Connect => connect_only(addr, start + t.connect).await,
        Kind::Http(h) => http(h, addr, start, t).await,
        Kind::Tcp(steps) => tcp(steps, addr, start, t).await,
    };
    r.duration = start.elapsed();
    r
}

enum Connect {
    Ok(TcpStream),
    Refused(String),
    Timeout,
}

async fn connect(addr: SocketAddr, deadline: Instant) -> Connect {
    match timeout_at(deadline, TcpStream::connect(addr)).await {
        Ok(Ok(s)) => {
            let _ = s.set_nodelay(true);
            Connect::Ok(s)
        }
        Ok(Err(e)) => Connect::Refused(os_text(&e)),
        Err(_) => Connect::Timeout,
    }
}

async fn connect_only(addr: SocketAddr, deadline: Instant) -> CheckResult {
    match connect(addr, deadline).await {
        Connect::Ok(_) => CheckResult::new(CheckStatus::L4Ok, None, None),
        Connect::Refused(e) => CheckResult::new(CheckStatus::L4Con, None, Some(e)),
        Connect::Timeout => CheckResult::new(CheckStatus::L4Tout, None, None),
    }
}

/// What one read brought.
enum Read {
    /// More data (and whether the buffer is now full).
    More {
        full: bool,
    },
    /// The peer closed cleanly.
    Closed,
    /// A socket error (`Connection reset by peer`).
    Error(String),
    Timeout,
}

async fn read_more(s: &mut TcpStream, buf: &mut Vec<u8>, deadline: Instant) -> Read {
    let mut chunk = [0u8; 4096];
    match timeout_at(deadline, s.read(&mut chunk)).await {
        Err(_) => Read::Timeout,
        Ok(Ok(0)) => Read::Closed,
        Ok(Err(e)) => Read::Error(os_text(&e)),
        Ok(Ok(n)) => {
            buf.extend_from_slice(&chunk[..n]);
            Read::More {
                full: buf.len() >= MAX_READ,
            }
        }
    }
}

async fn http(h: &HttpPlan, addr: SocketAddr, start: Instant, t: CheckTimeouts) -> CheckResult {
    let mut deadline = start + t.connect;
    let mut s = match connect(addr, deadline).await {
        Connect::Ok(s) => s,
        Connect::Refused(e) => return CheckResult::new(CheckStatus::L4Con, None, Some(e)),
        Connect::Timeout => return CheckResult::new(CheckStatus::L4Tout, None, None),
    };
    if let Some(after) = t.once_connected {
        deadline = Instant::now() + after;
    }
    match timeout_at(deadline, s.write_all(&h.request)).await {
        Ok(Ok(())) => {}
        // A socket error once connected is HAProxy's SOCKERR.
        Ok(Err(e)) => return CheckResult::new(CheckStatus::SockErr, None, Some(os_text(&e))),
        Err(_) => return CheckResult::new(CheckStatus::L7Tout, None, None),
    }
    let mut buf = Vec::new();
    loop {
        let closed = match read_more(&mut s, &mut buf, deadline).await {
            Read::More { full } => full,
            Read::Closed => true,
            Read::Error(e) => return CheckResult::new(CheckStatus::SockErr, None, Some(e)),
            Read::Timeout => return CheckResult::new(CheckStatus::L7Tout, None, None),
        };
        if let Some(r) = judge_http(h, &buf, closed) {
            return r;
        }
        if closed {
            return CheckResult::new(CheckStatus::L7Rsp, None, None);
        }
    }
}

/// ` at step 2 of tcp-check (connect port 6379)` and the like.
fn step_suffix(step: &TcpStep, n: usize) -> String {
    let what = match step {
        TcpStep::Connect { implicit: true, .. } => {
            return " at initial connection step of tcp-check".into()
        }
        TcpStep::Connect {
            comment: Some(c), ..
        }
        | TcpStep::Send {
            comment: Some(c), ..
        } => format!("comment: '{c}'"),
        TcpStep::Connect { port: Some(p), .. } => format!("(connect port {p})"),
        TcpStep::Connect { .. } => "(connect)".into(),
        TcpStep::Send { .. } => "(send)".into(),
        TcpStep::Expect(e) => match &e.comment {
            Some(c) => format!("comment: '{c}'"),
            None => expect_label(e),
        },
    };
    format!(" at step {n} of tcp-check {what}")
}

async fn tcp(steps: &[TcpStep], addr: SocketAddr, start: Instant, t: CheckTimeouts) -> CheckResult {
    let deadline = start + t.connect;
    let mut conn: Option<TcpStream> = None;
    let mut buf: Vec<u8> = Vec::new();
    let mut closed = false;
    let mut n = 0usize;
    let mut last_ok = CheckResult::new(CheckStatus::L4Ok, None, None);
    for step in steps {
        let implicit = matches!(step, TcpStep::Connect { implicit: true, .. });
        if !implicit {
            n += 1;
        }
        match step {
            TcpStep::Connect { port, .. } => {
                let target = SocketAddr::new(addr.ip(), port.unwrap_or(addr.port()));
                match connect(target, deadline).await {
                    Connect::Ok(s) => conn = Some(s),
                    Connect::Refused(e) => {
                        let info = format!("{e}{}", step_suffix(step, n));
                        return CheckResult::new(CheckStatus::L4Con, None, Some(info));
                    }
                    Connect::Timeout => {
                        let info = step_suffix(step, n);
                        return CheckResult::new(CheckStatus::L4Tout, None, Some(info));
                    }
                }
                buf.clear();
                closed = false;
                last_ok = if implicit {
                    CheckResult::new(CheckStatus::L4Ok, None, None)
                } else {
                    CheckResult::new(CheckStatus::L4Ok, None, Some("(tcp-check)".into()))
                };
            }
            TcpStep::Send { data, .. } => {
                let Some(s) = conn.as_mut() else {
                    return CheckResult::new(CheckStatus::SockErr, None, None);
                };
                match timeout_at(deadline, s.write_all(data)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        let info = format!("{}{}", os_text(&e), step_suffix(step, n));
                        return CheckResult::new(CheckStatus::SockErr, None, Some(info));
                    }
                    Err(_) => {
                        return CheckResult::new(
                            CheckStatus::L7Tout,
                            None,
                            Some(step_suffix(step, n)),
                        )
                    }
                }
                last_ok = CheckResult::new(CheckStatus::L7Ok, None, Some("(tcp-check)".into()));
            }
            TcpStep::Expect(e) => {
                let Some(s) = conn.as_mut() else {
                    return CheckResult::new(CheckStatus::SockErr, None, None);
                };
                loop {
                    match judge_tcp(e, &buf, closed, n) {
                        TcpJudgement::Pass => break,
                        TcpJudgement::Fail(r) => return r,
                        TcpJudgement::NeedMore => {}
                    }
                    match read_more(s, &mut buf, deadline).await {
                        Read::More { full } => closed = full,
                        Read::Closed => closed = true,
                        Read::Error(err) => {
                            let info = format!("{err}{}", step_suffix(step, n));
                            return CheckResult::new(CheckStatus::SockErr, None, Some(info));
                        }
                        Read::Timeout => {
                            let status = e.tout_status.unwrap_or(CheckStatus::L7Tout);
                            return CheckResult::new(status, None, Some(step_suffix(step, n)));
                        }
                    }
                }
                let ok = e.ok_status.unwrap_or(CheckStatus::L7Ok);
                last_ok = CheckResult::new(ok, None, Some("(tcp-check)".into()));
            }
        }
    }
    last_ok
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;
