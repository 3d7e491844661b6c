//! A small sender for framed log datagrams: UDP, UNIX datagram sockets,
//! stdout/stderr (the `log` keyword's target forms, manual §3.1). Sends
//! never block: a full socket buffer drops the log, as HAProxy does.

use std::io::{self, Write};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

/// The syslog port used when a target gives none.
pub const SYSLOG_PORT: u16 = 514;

/// Where a `log` target's address points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogAddr {
    Udp(SocketAddr),
    Unix(PathBuf),
    Stdout,
    Stderr,
}

/// Reads a target address: `stdout`, `stderr`, `fd@1`, `fd@2`, a path
/// (`/dev/log`, `unix@/dev/log`), `ipv4@`/`ipv6@`/`udp@`-prefixed or bare
/// `host[:port]`, IPv6 as `addr[:port]` (last colon) or `[addr][:port]`.
pub fn parse_log_addr(s: &str) -> Result<LogAddr, String> {
    match s {
        "stdout" | "fd@1" => return Ok(LogAddr::Stdout),
        "stderr" | "fd@2" => return Ok(LogAddr::Stderr),
        _ => {}
    }
    if let Some(p) = s.strip_prefix("unix@") {
        return Ok(LogAddr::Unix(PathBuf::from(p)));
    }
    if s.starts_with('/') {
        return Ok(LogAddr::Unix(PathBuf::from(s)));
    }
    let rest = ["udp4@", "udp6@", "udp@", "ipv4@", "ipv6@"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(s);
    let (host, port) = split_host_port(rest)?;
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("invalid address: '{s}' ({e})"))?
        .next()
        .ok_or(format!("invalid address: '{s}'"))?;
    Ok(LogAddr::Udp(addr))
}

fn split_host_port(s: &str) -> Result<(&str, u16), String> {
    let port = |p: &str| -> Result<u16, String> {
        if p.is_empty() {
            Ok(SYSLOG_PORT)
        } else {
            p.parse().map_err(|_| format!("invalid port '{p}'"))
        }
    };
    if let Some(r) = s.strip_prefix('[') {
        let (h, tail) = r.split_once(']').ok_or(format!("invalid address: '{s}'"))?;
        return Ok((h, port(tail.strip_prefix(':').unwrap_or(tail))?));
    }
    match s.matches(':').count() {
        0 => Ok((s, SYSLOG_PORT)),
        1 => {
            let (h, p) = s.split_once(':').unwrap_or((s, ""));
            Ok((h, port(p)?))
        }
        // IPv6: the port follows the last colon when the rest is an address.
        _ => match s.rsplit_once(':') {
            Some((h, p)) if h.parse::<std::net::Ipv6Addr>().is_ok() => Ok((h, port(p)?)),
            _ => Ok((s, SYSLOG_PORT)),
        },
    }
}

/// An open log destination.
#[derive(Debug)]
pub enum LogSink {
    Udp { sock: UdpSocket, dest: SocketAddr },
    Unix { sock: UnixDatagram, path: PathBuf },
    Stdout,
    Stderr,
}

impl LogSink {
    pub fn open(addr: &LogAddr) -> io::Result<Self> {
        Ok(match addr {
            LogAddr::Udp(dest) => {
                let bind: SocketAddr = if dest.is_ipv4() {
                    ([0, 0, 0, 0], 0).into()
                } else {
                    (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
                };
                let sock = UdpSocket::bind(bind)?;
                sock.set_nonblocking(true)?;
                LogSink::Udp { sock, dest: *dest }
            }
            LogAddr::Unix(path) => {
                let sock = UnixDatagram::unbound()?;
                sock.set_nonblocking(true)?;
                LogSink::Unix {
                    sock,
                    path: path.clone(),
                }
            }
            LogAddr::Stdout => LogSink::Stdout,
            LogAddr::Stderr => LogSink::Stderr,
        })
    }

    /// Sends one framed datagram (see [`super::syslog::frame`]).
    pub fn send(&self, datagram: &[u8]) -> io::Result<()> {
        match self {
            LogSink::Udp { sock, dest } => sock.send_to(datagram, dest).map(|_| ()),
            LogSink::Unix { sock, path } => sock.send_to(datagram, path).map(|_| ()),
            LogSink::Stdout => io::stdout().lock().write_all(datagram),
            LogSink::Stderr => io::stderr().lock().write_all(datagram),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_forms() {
        let udp = |s: &str| match parse_log_addr(s) {
            Ok(LogAddr::Udp(a)) => a.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(udp("127.0.0.1:15514"), "127.0.0.1:15514");
        assert_eq!(udp("127.0.0.1"), "127.0.0.1:514");
        assert_eq!(udp("udp@127.0.0.1:9"), "127.0.0.1:9");
        assert_eq!(udp("ipv4@10.0.0.1:"), "10.0.0.1:514");
        assert_eq!(udp("::1:5140"), "[::1]:5140");
        assert_eq!(udp("[::1]:5140"), "[::1]:5140");
        assert_eq!(udp("[::1]"), "[::1]:514");
        assert_eq!(parse_log_addr("stdout"), Ok(LogAddr::Stdout));
        assert_eq!(parse_log_addr("fd@2"), Ok(LogAddr::Stderr));
        assert_eq!(
            parse_log_addr("/dev/log"),
            Ok(LogAddr::Unix(PathBuf::from("/dev/log")))
        );
        assert_eq!(
            parse_log_addr("unix@/run/log.sock"),
            Ok(LogAddr::Unix(PathBuf::from("/run/log.sock")))
        );
        assert!(parse_log_addr("127.0.0.1:99999").is_err());
    }

    #[test]
    fn udp_and_unix_datagrams_arrive_whole() -> io::Result<()> {
        let rx = UdpSocket::bind("127.0.0.1:0")?;
        let sink = LogSink::open(&LogAddr::Udp(rx.local_addr()?))?;
        sink.send(b"<134>hello\n")?;
        let mut buf = [0u8; 64];
        rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
        let n = rx.recv(&mut buf)?;
        assert_eq!(&buf[..n], b"<134>hello\n");

        let dir = std::env::temp_dir().join(format!("harp-log-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("log.sock");
        let _ = std::fs::remove_file(&path);
        let urx = UnixDatagram::bind(&path)?;
        urx.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
        let usink = LogSink::open(&LogAddr::Unix(path.clone()))?;
        usink.send(b"<6>unix\n")?;
        let n = urx.recv(&mut buf)?;
        assert_eq!(&buf[..n], b"<6>unix\n");
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
