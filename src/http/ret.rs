//! `http-request return` (and `http-error status`): the response HAProxy
//! 2.6 builds from a status, an optional content type and payload, and
//! `hdr` lines. Log-format payloads and header values are evaluated by the
//! caller. The `errorfile` and `default-errorfiles` forms send an error
//! message instead (see `resolve`); HAProxy ignores `hdr` with them, warning
//! "hdr parameters ignored by the http reply when used with an erorrfile."
//! (sic).

use super::reason::reason;
use super::Response;

/// Captured order: the `hdr` headers, then `content-length` (absent for 204
/// and 304), then `content-type` when there is a payload type.
pub fn build(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    hdrs: &[(String, String)],
) -> Response {
    let mut resp = Response::new(status, reason(status));
    for (n, v) in hdrs {
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
