//! The checks HAProxy 2.6 applies to an HTTP/1.x request head before any
//! rule runs, and the normalisations it makes. A failed check is answered by
//! the mux with the raw built-in message ([`super::errors::raw`]), whatever
//! errorfiles say, and the connection closes.
//!
//! Captured behaviour (tests/http_validate.rs replays it against haproxy):
//! - 400: unparsable request line or header (non-token name byte, no colon,
//!   empty name, control or non-ASCII byte in the URI, version other than
//!   `HTTP/d.d`, HTTP/0.9), more than `tune.http.maxhdr - 1` header lines,
//!   a head larger than the buffer allows, a bad or conflicting
//!   Content-Length, Transfer-Encoding not ending in `chunked` (or `chunked`
//!   twice), two different Host values, a Host differing from the
//!   absolute URI's authority, a URI that is neither origin form, `*`,
//!   absolute form nor (for CONNECT) authority form, a websocket upgrade
//!   without `Sec-WebSocket-Key`.
//! - 422: codings before `chunked` (`Transfer-Encoding: gzip, chunked`).
//! - accepted and normalised: Content-Length dropped when Transfer-Encoding
//!   is present; repeated equal Content-Length / Host merged; header names
//!   lower-cased; values trimmed; folded lines joined with spaces;
//!   `close`/`keep-alive` removed from Connection; an absolute URI's default
//!   port (80 for http, 443 for https) removed, and from Host too; HTTP/1.2
//!   or 2.0 forwarded as HTTP/1.1. Host is not required.

use super::chars::is_token;
use super::errorfile::internal_size;
use super::parse::{parse_head, Kind, Stop};

/// `tune.bufsize`, `tune.maxrewrite`, `tune.http.maxhdr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub bufsize: usize,
    pub maxrewrite: usize,
    pub maxhdr: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bufsize: 16384,
            maxrewrite: 1024,
            maxhdr: 101,
        }
    }
}

/// Room for a request head in HAProxy's internal form (bufsize - maxrewrite
/// - 69: the largest head accepted measured 15291 internal bytes with the
///   defaults).
pub fn head_room(l: &Limits) -> usize {
    l.bufsize.saturating_sub(l.maxrewrite).saturating_sub(69)
}

/// Why HAProxy refuses a request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HaproxyError {
    /// Not all of the head is there yet (read more; at `timeout
    /// http-request` the answer is the raw 408).
    #[error("incomplete request head")]
    Incomplete,
    #[error("invalid request (byte {0})")]
    Syntax(usize),
    #[error("too many header fields")]
    TooManyHeaders,
    #[error("request head too large")]
    TooLarge,
    #[error("header name longer than 255 bytes")]
    NameTooLong,
    #[error("invalid transfer-encoding")]
    TransferEncoding,
    #[error("transfer codings other than chunked")]
    UnsupportedCoding,
    #[error("invalid request URI")]
    Uri,
    #[error("host does not match the request URI")]
    HostMismatch,
    #[error("websocket upgrade without sec-websocket-key")]
    WebSocketKey,
}

impl HaproxyError {
    /// Status the mux answers with (0 for `Incomplete`: nothing yet).
    pub fn status(&self) -> u16 {
        match self {
            HaproxyError::Incomplete => 0,
            HaproxyError::UnsupportedCoding => 422,
            _ => 400,
        }
    }

    /// The exact bytes HAProxy writes before closing.
    pub fn response_bytes(&self) -> Option<Vec<u8>> {
        super::errors::raw(self.status())
    }
}

/// How the body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLength {
    None,
    ContentLength(u64),
    Chunked,
}

/// A request head HAProxy accepts, as it forwards it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalisation {
    pub method: String,
    /// The URI, default port removed from an absolute URI's authority.
    pub uri: String,
    /// Forwarded as HTTP/1.1 (else HTTP/1.0).
    pub version_11: bool,
    /// Header fields as forwarded: lower-case names, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: BodyLength,
    pub conn_close: bool,
    pub conn_keep_alive: bool,
    /// Bytes of the head in the input (the body starts here).
    pub head_len: usize,
}

/// Check and normalise the request head at the start of `raw`.
pub fn validate_request_head(raw: &[u8], limits: &Limits) -> Result<Normalisation, HaproxyError> {
    let head = match parse_head(raw, Kind::Request) {
        Ok(h) => h,
        Err(Stop::Incomplete) if raw.len() >= limits.bufsize.saturating_sub(limits.maxrewrite) => {
            return Err(HaproxyError::TooLarge)
        }
        Err(Stop::Incomplete) => return Err(HaproxyError::Incomplete),
        Err(Stop::Invalid(p)) => return Err(HaproxyError::Syntax(p)),
    };
    if head.lines >= limits.maxhdr {
        return Err(HaproxyError::TooManyHeaders);
    }
    if head.headers.iter().any(|(n, _)| n.len() > 255) {
        return Err(HaproxyError::NameTooLong);
    }
    let start: Vec<&[u8]> = head.start.iter().map(Vec::as_slice).collect();
    if internal_size(&start, &head.headers, 0) > head_room(limits) {
        return Err(HaproxyError::TooLarge);
    }
    if head.xfer_enc {
        if head.xfer_enc_bad || !head.chunked {
            return Err(HaproxyError::TransferEncoding);
        }
        if head.xfer_enc_other {
            return Err(HaproxyError::UnsupportedCoding);
        }
    }
    let method = String::from_utf8_lossy(&head.start[0]).into_owned();
    let uri = String::from_utf8_lossy(&head.start[1]).into_owned();
    let mut headers = head.headers;
    let uri = check_uri(&method, &uri, &mut headers)?;
    websocket(&headers, head.conn_upgrade)?;
    let body = if head.chunked {
        BodyLength::Chunked
    } else {
        head.content_length
            .map_or(BodyLength::None, BodyLength::ContentLength)
    };
    Ok(Normalisation {
        method,
        uri,
        version_11: head.version_11,
        headers,
        body,
        conn_close: head.conn_close,
        conn_keep_alive: head.conn_keep_alive,
        head_len: head.len,
    })
}

/// Split `host[:port]` (IPv6 literals in brackets).
fn split_port(authority: &str) -> (&str, Option<&str>) {
    let colon = if authority.starts_with('[') {
        authority
            .find(']')
            .and_then(|e| authority[e..].find(':').map(|c| e + c))
    } else {
        authority.rfind(':')
    };
    match colon {
        Some(c) => (&authority[..c], Some(&authority[c + 1..])),
        None => (authority, None),
    }
}

fn default_port(scheme: &str) -> Option<&'static str> {
    if scheme.eq_ignore_ascii_case("http") {
        Some("80")
    } else if scheme.eq_ignore_ascii_case("https") {
        Some("443")
    } else {
        None
    }
}

/// `authority` without a port equal to `dflt`.
fn without_default<'a>(authority: &'a str, dflt: Option<&str>) -> &'a str {
    match (split_port(authority), dflt) {
        ((host, Some(p)), Some(d)) if p == d => host,
        _ => authority,
    }
}

/// Check the URI form and the Host header against the URI's authority;
/// returns the URI as forwarded.
fn check_uri(
    method: &str,
    uri: &str,
    headers: &mut [(String, Vec<u8>)],
) -> Result<String, HaproxyError> {
    if method == "CONNECT" {
        return connect_authority(uri, headers);
    }
    if uri.starts_with('/') || uri == "*" {
        return Ok(uri.to_owned());
    }
    let Some(sep) = uri.find("://") else {
        return Err(HaproxyError::Uri);
    };
    let scheme = &uri[..sep];
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return Err(HaproxyError::Uri);
    }
    let rest = &uri[sep + 3..];
    let auth_end = rest.find('/').unwrap_or(rest.len());
    let authority_full = &rest[..auth_end];
    if authority_full.contains('?') || authority_full.contains('#') {
        return Err(HaproxyError::Uri);
    }
    let authority = authority_full.rsplit('@').next().unwrap_or(authority_full);
    let dflt = default_port(scheme);
    let bare = without_default(authority, dflt);
    if let Some((_, host)) = headers.iter_mut().find(|(n, _)| n == "host") {
        let host_str = String::from_utf8_lossy(host).into_owned();
        // An empty authority (`http:///p`) is not compared.
        if !authority.is_empty() && !without_default(&host_str, dflt).eq_ignore_ascii_case(bare) {
            return Err(HaproxyError::HostMismatch);
        }
        // Only when the URI itself carried the default port is it removed,
        // from the URI and from Host (captured: `http://a.com/p` with
        // `Host: a.com:80` is forwarded unchanged).
        if bare.len() != authority.len() {
            *host = without_default(&host_str, dflt).as_bytes().to_vec();
        }
    }
    if bare.len() == authority.len() {
        return Ok(uri.to_owned());
    }
    let userinfo_len = authority_full.len() - authority.len();
    let mut out = String::with_capacity(uri.len());
    out.push_str(&uri[..sep + 3 + userinfo_len]);
    out.push_str(bare);
    out.push_str(&rest[auth_end..]);
    Ok(out)
}

/// `host` without a `:80` or `:443` suffix (CONNECT has no scheme; both
/// were seen removed from its Host header).
fn without_web_port(host: &str) -> &str {
    match split_port(host) {
        (h, Some("80" | "443")) => h,
        _ => host,
    }
}

/// CONNECT takes `host:port` (captured: `CONNECT a.com` and `CONNECT /x`
/// get a 400). Host must name the same host; its :80/:443 is removed. The
/// URI is forwarded unchanged.
fn connect_authority(uri: &str, headers: &mut [(String, Vec<u8>)]) -> Result<String, HaproxyError> {
    match split_port(uri) {
        (h, Some(p)) if !h.is_empty() && !p.is_empty() && !uri.contains('/') => {}
        _ => return Err(HaproxyError::Uri),
    }
    if let Some((_, host)) = headers.iter_mut().find(|(n, _)| n == "host") {
        let host_str = String::from_utf8_lossy(host).into_owned();
        if !without_web_port(&host_str).eq_ignore_ascii_case(without_web_port(uri)) {
            return Err(HaproxyError::HostMismatch);
        }
        *host = without_web_port(&host_str).as_bytes().to_vec();
    }
    Ok(uri.to_owned())
}

/// A websocket upgrade must carry its key (HAProxy 2.4+ refuses it without).
fn websocket(headers: &[(String, Vec<u8>)], conn_upgrade: bool) -> Result<(), HaproxyError> {
    let wants_ws = conn_upgrade
        && headers.iter().any(|(n, v)| {
            n == "upgrade"
                && v.split(|&b| b == b',')
                    .any(|w| w.trim_ascii().eq_ignore_ascii_case(b"websocket"))
        });
    if wants_ws && !headers.iter().any(|(n, _)| n == "sec-websocket-key") {
        return Err(HaproxyError::WebSocketKey);
    }
    Ok(())
}

impl Normalisation {
    /// The head as HAProxy forwards it to an HTTP/1.1 server (for an
    /// HTTP/1.1 request; HTTP/1.0 requests also get the server-side
    /// connection header, which depends on the backend's mode).
    pub fn forwarded_head(&self) -> Vec<u8> {
        let mut out = format!(
            "{} {} {}\r\n",
            self.method,
            self.uri,
            if self.version_11 {
                "HTTP/1.1"
            } else {
                "HTTP/1.0"
            }
        )
        .into_bytes();
        for (n, v) in &self.headers {
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// True when `name` is a valid header name (a non-empty token).
pub fn is_header_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| is_token(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Result<Normalisation, HaproxyError> {
        validate_request_head(s.as_bytes(), &Limits::default())
    }

    #[test]
    fn verdicts() {
        assert!(v("GET / HTTP/1.1\r\nHost: x\r\n\r\n").is_ok());
        assert!(v("GET / HTTP/1.0\r\n\r\n").is_ok());
        assert_eq!(v("GET /\r\n\r\n").unwrap_err().status(), 400);
        assert_eq!(v("GET / HTTP/1.10\r\n\r\n").unwrap_err().status(), 400);
        assert_eq!(v("GET / http/1.1\r\n\r\n").unwrap_err().status(), 400);
        assert_eq!(v(" GET / HTTP/1.1\r\n\r\n").unwrap_err().status(), 400);
        assert_eq!(v("GET a HTTP/1.1\r\n\r\n"), Err(HaproxyError::Uri));
        assert_eq!(
            v("GET http://a.com?q HTTP/1.1\r\nHost: a.com\r\n\r\n"),
            Err(HaproxyError::Uri)
        );
        assert_eq!(
            v("GET http://a.com/p HTTP/1.1\r\nHost: b.com\r\n\r\n"),
            Err(HaproxyError::HostMismatch)
        );
        assert_eq!(
            v("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
                .unwrap_err()
                .status(),
            422
        );
        assert_eq!(
            v("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"),
            Err(HaproxyError::TransferEncoding)
        );
        assert_eq!(
            v("GET / HTTP/1.1\r\nHost: x\r\n"),
            Err(HaproxyError::Incomplete)
        );
    }

    #[test]
    fn normalisations() {
        let n = v("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
            .unwrap();
        assert_eq!(n.body, BodyLength::Chunked);
        assert!(n.headers.iter().all(|(h, _)| h != "content-length"));
        let n = v("GET http://a.com:80/p HTTP/1.1\r\nHost: a.com:80\r\n\r\n").unwrap();
        assert_eq!(n.uri, "http://a.com/p");
        assert_eq!(n.headers[0].1, b"a.com".to_vec());
        let n = v("GET http://a.com/p HTTP/1.1\r\nHost: a.com:80\r\n\r\n").unwrap();
        assert_eq!(n.headers[0].1, b"a.com:80".to_vec());
        let n = v("GET / HTTP/2.0\r\n\r\n").unwrap();
        assert!(n.version_11);
    }

    #[test]
    fn header_count_limit() {
        let mk = |n: usize| {
            let mut s = String::from("GET / HTTP/1.1\r\n");
            for i in 0..n {
                s.push_str(&format!("X-{i}: v\r\n"));
            }
            s.push_str("\r\n");
            s
        };
        assert!(v(&mk(100)).is_ok());
        assert_eq!(v(&mk(101)), Err(HaproxyError::TooManyHeaders));
    }
}
