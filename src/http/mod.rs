//! The responses HAProxy 2.6 writes itself, byte for byte, and the checks it
//! applies to HTTP/1.1 request heads. Pure: no sockets, no hyper.
//!
//! Everything here was captured from a running HAProxy 2.6.12 (see
//! tests/http_responses.rs and tests/http_validate.rs). The data plane builds a [`Response`] (built-in
//! error, errorfile, errorloc, redirect, `http-request return`) and writes it
//! with [`h1::write`], which applies the rules HAProxy's HTTP/1 mux applies on
//! output: lower-case header names, the `connection` header it adds, no body
//! for HEAD.

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
