//! HAProxy 2.6's built-in error messages.
//!
//! Each exists as raw bytes, which the HTTP/1 mux writes as they are when it
//! rejects a request before any stream exists (unparsable request → 400,
//! incomplete request at `timeout http-request` → 408, a request
//! transfer-encoding it cannot forward → 422); errorfiles are not consulted
//! there. Everywhere else (deny, no server, server errors, timeouts...) the
//! message goes through the same parsing as an errorfile, so it comes out
//! with lower-case names and its `connection` header moved to the end.

use super::errorfile::{parse_message, Limits};
use super::Response;

/// Status codes with a built-in message (the only ones `deny_status`,
/// `errorfile` and `http-error` accept).
pub const STATUSES: [u16; 19] = [
    200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504,
];

/// Status line reason and body sentence of each built-in message.
fn text(status: u16) -> Option<(&'static str, &'static str)> {
    Some(match status {
        200 => ("200 OK", "Service ready."),
        400 => ("400 Bad request", "Your browser sent an invalid request."),
        401 => ("401 Unauthorized", "You need a valid user and password to access this content."),
        403 => ("403 Forbidden", "Request forbidden by administrative rules."),
        404 => ("404 Not Found", "The resource could not be found."),
        405 => (
            "405 Method Not Allowed",
            "A request was made of a resource using a request method not supported by that resource",
        ),
        407 => ("407 Unauthorized", "You need a valid user and password to access this content."),
        408 => ("408 Request Time-out", "Your browser didn't send a complete request in time."),
        410 => (
            "410 Gone",
            "The resource is no longer available and will not be available again.",
        ),
        413 => ("413 Payload Too Large", "The request entity exceeds the maximum allowed."),
        421 => ("421 Misdirected Request", "Request sent to a non-authoritative server."),
        422 => (
            "422 Unprocessable Content",
            "The server cannot process the contained instructions.",
        ),
        425 => ("425 Too Early", "Your browser sent early data."),
        429 => (
            "429 Too Many Requests",
            "You have sent too many requests in a given amount of time.",
        ),
        500 => ("500 Internal Server Error", "An internal server error occurred."),
        501 => (
            "501 Not Implemented",
            ".The server does not support the functionality required to fulfill the request.",
        ),
        502 => ("502 Bad Gateway", "The server returned an invalid or incomplete response."),
        503 => ("503 Service Unavailable", "No server is available to handle this request."),
        504 => ("504 Gateway Time-out", "The server didn't respond in time."),
        _ => return None,
    })
}

/// The raw bytes of the built-in message for `status`, exactly as the
/// HTTP/1 mux writes them for an early rejection (capitalised names; 400 and
/// 408 carry `Connection: close`). None for a status without one.
pub fn raw(status: u16) -> Option<Vec<u8>> {
    let (line, sentence) = text(status)?;
    let body = format!("<html><body><h1>{line}</h1>\n{sentence}\n</body></html>\n");
    let conn = if matches!(status, 400 | 408) {
        "Connection: close\r\n"
    } else {
        ""
    };
    let head = format!(
        "HTTP/1.1 {line}\r\nContent-length: {}\r\nCache-Control: no-cache\r\n{conn}Content-Type: text/html\r\n\r\n",
        body.len()
    );
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    Some(out)
}

/// The built-in message for `status` as a stream-level response (deny, no
/// server, 502/504...), before the mux writes it with [`super::h1::write`].
pub fn builtin(status: u16) -> Option<Response> {
    parse_message(&raw(status)?, &Limits::default()).ok()
}

/// The built-in 401 (or 407 for a proxy) with its challenge, as
/// `http-request auth [realm R]` sends it; the realm defaults to the proxy
/// name. See [`auth_is_proxy`] for when HAProxy uses 407.
pub fn auth_challenge(realm: &str, proxy_auth: bool) -> Option<Response> {
    let (status, header) = if proxy_auth {
        (407, "proxy-authenticate")
    } else {
        (401, "www-authenticate")
    };
    let mut r = builtin(status)?;
    r.push_header(header, &format!("Basic realm=\"{realm}\""));
    Some(r)
}

/// What the mux sends when `timeout http-request` (or `timeout
/// http-keep-alive`) expires while waiting for a request head. Captured: on
/// a new connection the raw 408 goes out even if nothing (or only empty
/// lines) arrived; between keep-alive requests, silence unless part of a
/// request arrived. (`option http-ignore-probes` silences the first case;
/// not captured.)
pub fn on_request_timeout(first_request: bool, bytes_received: usize) -> Option<Vec<u8>> {
    if first_request || bytes_received > 0 {
        raw(408)
    } else {
        None
    }
}

/// What the mux sends when the client shuts its side while a request head
/// is incomplete. Captured: the raw 400 on a new connection (even with
/// nothing received) or when part of a request arrived; nothing when a
/// keep-alive connection is closed between requests.
pub fn on_client_shutdown(first_request: bool, bytes_received: usize) -> Option<Vec<u8>> {
    if first_request || bytes_received > 0 {
        raw(400)
    } else {
        None
    }
}

/// Captured: `http-request auth` answers 407 with `proxy-authenticate`
/// when `option http-use-proxy-header` is set and the request URI is not in
/// origin form (absolute URI, CONNECT authority); 401 otherwise.
pub fn auth_is_proxy(use_proxy_header: bool, uri: &str) -> bool {
    use_proxy_header && !uri.starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_400_is_the_mux_form() {
        let r = raw(400).unwrap();
        assert_eq!(
            r,
            b"HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n".to_vec()
        );
    }

    #[test]
    fn builtin_503_headers_in_order() {
        let r = builtin(503).unwrap();
        let names: Vec<_> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["content-length", "cache-control", "content-type"]);
        assert!(!r.close);
        assert!(builtin(408).unwrap().close);
        assert!(builtin(418).is_none());
    }
}
