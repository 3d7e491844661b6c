//! Writing a [`Response`] as HAProxy 2.6's HTTP/1 mux does.
//!
//! Observed rules: header names go out lower-case in stored order; the body
//! is omitted for HEAD (content-length kept); a `connection` header is
//! appended last: `keep-alive` when the connection stays open and either
//! side spoke HTTP/1.0, `close` when it closes and the response is
//! HTTP/1.1. The connection closes when the client did not want keep-alive,
//! the request body was not fully read, or the response asks for it.

use super::Response;

/// What the mux knows about the request being answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    /// The request line said HTTP/1.1 (or later).
    pub req_version_11: bool,
    /// The client side may stay open: see [`client_keep_alive`]. Set it
    /// false too when the request body was not fully received.
    pub keep_alive: bool,
    /// The request method was HEAD.
    pub head: bool,
}

impl Exchange {
    /// An HTTP/1.1 GET on a persistent connection.
    pub fn http11() -> Self {
        Exchange {
            req_version_11: true,
            keep_alive: true,
            head: false,
        }
    }
}

/// HAProxy's client-side persistence decision: HTTP/1.1 unless `close` was
/// asked, HTTP/1.0 only with `keep-alive`.
pub fn client_keep_alive(req_version_11: bool, conn_close: bool, conn_keep_alive: bool) -> bool {
    if req_version_11 {
        !conn_close
    } else {
        conn_keep_alive && !conn_close
    }
}

/// The bytes on the wire, and whether the connection stays open after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub bytes: Vec<u8>,
    pub keep_alive: bool,
}

/// Serialise `resp` for the exchange `ex`.
pub fn write(resp: &Response, ex: &Exchange) -> Written {
    let keep_alive = ex.keep_alive && !resp.close;
    let mut out = Vec::with_capacity(128 + resp.body.len());
    out.extend_from_slice(if resp.version_11 {
        b"HTTP/1.1 "
    } else {
        b"HTTP/1.0 "
    });
    out.extend_from_slice(format!("{} {}\r\n", resp.status, resp.reason).as_bytes());
    for (n, v) in &resp.headers {
        out.extend_from_slice(n.to_ascii_lowercase().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if keep_alive {
        if !resp.version_11 || !ex.req_version_11 {
            out.extend_from_slice(b"connection: keep-alive\r\n");
        }
    } else if resp.version_11 {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !ex.head && !matches!(resp.status, 204 | 304) {
        out.extend_from_slice(&resp.body);
    }
    Written {
        bytes: out,
        keep_alive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::errors::builtin;

    #[test]
    fn deny_on_http10_closes() {
        let ex = Exchange {
            req_version_11: false,
            keep_alive: client_keep_alive(false, false, false),
            head: false,
        };
        let w = write(&builtin(403).unwrap(), &ex);
        assert!(!w.keep_alive);
        assert!(w
            .bytes
            .starts_with(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html>"));
    }

    #[test]
    fn head_drops_body() {
        let ex = Exchange {
            head: true,
            ..Exchange::http11()
        };
        let w = write(&builtin(503).unwrap(), &ex);
        assert!(w.bytes.ends_with(b"content-type: text/html\r\n\r\n"));
        assert!(w.keep_alive);
    }
}
