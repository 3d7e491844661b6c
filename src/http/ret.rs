//! `http-request return` (and `http-error status`): the response HAProxy
//! 2.6 builds from a status, an optional content type and payload, and
//! `hdr` lines. Log-format payloads and header values are evaluated by the
//! caller. The `errorfile` and `default-errorfiles` forms send an error
//! message instead (see `resolve`); HAProxy ignores `hdr` with them, warning
//! "hdr parameters ignored by the http reply when used with an erorrfile."
//! (sic).

use super::reason::reason;
use super::Response;

/// `hdr` names HAProxy drops from a reply, warning at start-up with
/// [`ignored_header_warning`].
pub fn is_ignored_header(name: &str) -> bool {
    ["content-length", "content-type", "transfer-encoding"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}

/// The start-up warning for an ignored `hdr` (to follow `parsing [f:l] : `).
pub fn ignored_header_warning(name: &str) -> String {
    format!("header '{name}' always ignored by the http reply.")
}

/// The reply of `http-request return`, and of `deny`/`tarpit`/`http-error`
/// when they carry reply arguments (captured: `deny deny_status 429 hdr x-a
/// b` sends a 429 with `content-length: 0`, not the built-in page).
/// Captured order: the `hdr` headers, then `content-length` (absent for 204
/// and 304), then `content-type` when there is a payload type. A `hdr
/// connection` is read like a message's Connection header (`close` makes
/// the response close the connection).
pub fn build(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    hdrs: &[(String, String)],
) -> Response {
    let mut resp = Response::new(status, reason(status));
    for (n, v) in hdrs {
        if is_ignored_header(n) {
            continue;
        }
        if n.eq_ignore_ascii_case("connection") {
            let mut kept = Vec::new();
            for tok in v.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if tok.eq_ignore_ascii_case("close") {
                    resp.close = true;
                } else if !tok.eq_ignore_ascii_case("keep-alive") {
                    kept.push(tok);
                }
            }
            if !kept.is_empty() {
                resp.push_header(n, &kept.join(","));
            }
            continue;
        }
        resp.push_header(n, v);
    }
    let bodyless = matches!(status, 204 | 304);
    if !bodyless {
        resp.push_header("content-length", &body.len().to_string());
        if let Some(ct) = content_type {
            resp.push_header("content-type", ct);
        }
        resp.body = body.to_vec();
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::h1::{write, Exchange};

    #[test]
    fn ignored_and_connection_headers() {
        let hdrs = [
            ("Content-Type".to_owned(), "foo/bar".to_owned()),
            ("transfer-encoding".to_owned(), "chunked".to_owned()),
            ("connection".to_owned(), "close".to_owned()),
        ];
        let r = build(200, Some("text/plain"), b"x", &hdrs);
        let w = write(&r, &Exchange::http11());
        assert_eq!(
            w.bytes,
            b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nx".to_vec()
        );
        assert!(!w.keep_alive);
        assert_eq!(
            ignored_header_warning("Content-Type"),
            "header 'Content-Type' always ignored by the http reply."
        );
    }

    #[test]
    fn captured_forms() {
        let w = |r: &Response| write(r, &Exchange::http11()).bytes;
        assert_eq!(
            w(&build(200, None, b"", &[])),
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec()
        );
        assert_eq!(
            w(&build(
                201,
                Some("text/plain; charset=utf-8"),
                b"p=/rlf",
                &[("X-A".into(), "a /rlf".into()), ("x-b".into(), "b".into())]
            )),
            b"HTTP/1.1 201 Created\r\nx-a: a /rlf\r\nx-b: b\r\ncontent-length: 6\r\ncontent-type: text/plain; charset=utf-8\r\n\r\np=/rlf".to_vec()
        );
        assert_eq!(
            w(&build(204, None, b"", &[])),
            b"HTTP/1.1 204 No Content\r\n\r\n".to_vec()
        );
        assert_eq!(
            w(&build(302, None, b"", &[("location".into(), "/z".into())])),
            b"HTTP/1.1 302 Moved Temporarily\r\nlocation: /z\r\ncontent-length: 0\r\n\r\n".to_vec()
        );
    }
}
