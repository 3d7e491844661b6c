//! The two log lines HAProxy builds without a log-format: the default
//! "Connect from" line (manual §8.2.1, no `option *log`) and the connection
//! error line (§8.2.5, failed TLS handshake or PROXY header, when no
//! `error-log-format` is set). Texts observed from HAProxy 2.6.12.

use super::date::{self, LogTime};
use super::record::Peer;

/// `Connect from 10.0.1.2:33312 to 10.0.3.31:8012 (www/HTTP)`; for a UNIX
/// listener `Connect to unix:2 (www/TCP)`. Sent at level info when the
/// connection is accepted.
pub fn connect_line(client: &Peer, local: &Peer, frontend: &str, http: bool) -> String {
    let mode = if http { "HTTP" } else { "TCP" };
    match (client, local) {
        (Peer::Inet(c), Peer::Inet(l)) => format!(
            "Connect from {}:{} to {}:{} ({frontend}/{mode})",
            c.ip(),
            c.port(),
            l.ip(),
            l.port()
        ),
        (Peer::Unix { listener_id }, _) | (_, Peer::Unix { listener_id }) => {
            format!("Connect to unix:{listener_id} ({frontend}/{mode})")
        }
    }
}

/// `127.0.0.1:56059 [03/Dec/2012:17:35:10.380] frt/f1: Connection error
/// during SSL handshake`. `bind` is the listener's `name`, or its numeric
/// id when it has none.
pub fn error_line(
    client: &Peer,
    accept: LogTime,
    utc_offset_secs: i32,
    frontend: &str,
    bind: &str,
    message: &str,
) -> String {
    let who = match client {
        Peer::Inet(c) => format!("{}:{}", c.ip(), c.port()),
        Peer::Unix { listener_id } => format!("unix:{listener_id}"),
    };
    format!(
        "{who} [{}] {frontend}/{bind}: {message}",
        date::log_date_ms(accept, utc_offset_secs)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    fn inet(s: &str) -> Peer {
        Peer::Inet(s.parse::<SocketAddr>().expect("address"))
    }

    #[test]
    fn connect_lines_as_haproxy_prints_them() {
        assert_eq!(
            connect_line(
                &inet("127.0.0.1:47838"),
                &inet("127.0.0.1:39118"),
                "fe_conn",
                false
            ),
            "Connect from 127.0.0.1:47838 to 127.0.0.1:39118 (fe_conn/TCP)"
        );
        assert_eq!(
            connect_line(
                &inet("127.0.0.1:35906"),
                &inet("127.0.0.1:39119"),
                "fe_conn_http",
                true
            ),
            "Connect from 127.0.0.1:35906 to 127.0.0.1:39119 (fe_conn_http/HTTP)"
        );
        let unix = Peer::Unix { listener_id: 2 };
        assert_eq!(
            connect_line(&unix, &unix, "fe_conn", false),
            "Connect to unix:2 (fe_conn/TCP)"
        );
        assert_eq!(
            connect_line(&inet("[::1]:5000"), &inet("[::1]:80"), "v6", true),
            "Connect from ::1:5000 to ::1:80 (v6/HTTP)"
        );
    }

    #[test]
    fn error_lines_as_haproxy_prints_them() {
        let msg = "Received something which does not look like a PROXY protocol header";
        // 2026-11-24T05:55:27.413Z
        let t = LogTime::new(1_795_499_727, 413_000);
        assert_eq!(
            error_line(&inet("127.0.0.1:38722"), t, 0, "fe_pp", "mybind", msg),
            format!("127.0.0.1:38722 [24/Nov/2026:05:55:27.413] fe_pp/mybind: {msg}")
        );
        assert_eq!(
            error_line(&Peer::Unix { listener_id: 3 }, t, 3600, "f", "1", "x"),
            "unix:3 [24/Nov/2026:06:55:27.413] f/1: x"
        );
    }
}
