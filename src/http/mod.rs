//! The responses HAProxy 2.6 writes itself, byte for byte, and the checks it
//! applies to HTTP/1.1 request heads. Pure: no sockets, no hyper.
//!
//! Everything here was captured from a running HAProxy 2.6.12; the tests
//! (tests/http_responses.rs, http_replies.rs, http_validate.rs) replay it
//! against haproxy. The data plane builds a [`Response`] and writes it with
//! [`h1::write`], which applies what HAProxy's HTTP/1 mux does on output:
//! lower-case header names, the `connection` header it appends, no body for
//! HEAD.
//!
//! Which answer for which situation (captured):
//!
//! | situation | answer |
//! |---|---|
//! | unparsable/invalid request head, client shut mid-head | raw 400 ([`errors::raw`], closes) |
//! | `Transfer-Encoding: gzip, chunked` | raw 422 |
//! | `timeout http-request` with a partial head (or on a new connection) | raw 408 |
//! | `http-request deny` | 403 (or `deny_status`), via the proxy's errors |
//! | `http-request auth [realm]` | 401 + `www-authenticate` (407 + `proxy-authenticate`: [`errors::auth_is_proxy`]) |
//! | `http-request tarpit` | 500 (or `deny_status`) after `timeout tarpit` |
//! | no server / connection refused after retries | 503 |
//! | `timeout server` before the response head | 504 |
//! | server closes before a full head, or sends garbage | 502 |
//! | server closes mid-body | the partial response as forwarded, then close (no error page) |
//! | `monitor-uri` | 200 |
//!
//! "Via the proxy's errors" means [`resolve::pick`]: the chosen backend's
//! errorfile/errorloc/`errorfiles`/`http-error` for that status, else the
//! frontend's, else [`errors::builtin`]. The raw answers ignore errorfiles.
//! The 503/504/502 rows also go through [`resolve::pick`].

pub mod chars;
pub mod errorfile;
pub mod errors;
pub mod h1;
pub mod parse;
pub mod reason;
pub mod redirect;
pub mod resolve;
pub mod ret;
pub mod validate;

/// A response as HAProxy holds it before its HTTP/1 mux serialises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status line version is HTTP/1.1 or later (else written `HTTP/1.0`).
    pub version_11: bool,
    pub status: u16,
    pub reason: String,
    /// Header fields in order, names lower-case as HAProxy stores them.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The message itself ends the connection: it carried a `close`
    /// connection token, or its length is only known by closing.
    pub close: bool,
}

impl Response {
    /// A HTTP/1.1 response with no header and no body.
    pub fn new(status: u16, reason: &str) -> Self {
        Response {
            version_11: true,
            status,
            reason: reason.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            close: false,
        }
    }

    /// First value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn push_header(&mut self, name: &str, value: &str) {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
    }
}
