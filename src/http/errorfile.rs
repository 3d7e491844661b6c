//! Errorfiles: a complete raw HTTP response read at start-up and sent as is
//! (after HAProxy's own parsing, which lower-cases names and handles the
//! `connection` header). The checks and their messages are HAProxy 2.6's,
//! as `haproxy -c` prints them after `parsing [file:line] : `.

use std::fmt;
use std::path::Path;

use super::parse::{parse_head, Kind, Stop};
use super::Response;

/// Buffer size limits (`tune.bufsize`, `tune.maxrewrite`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub bufsize: usize,
    pub maxrewrite: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bufsize: 16384,
            maxrewrite: 1024,
        }
    }
}

/// Per-message overhead in HAProxy's internal buffer that is not block data:
/// measured as the gap between `tune.bufsize` and the largest errorfile
/// accepted (16315 bytes of blocks for a 16384 buffer).
const HTX_OVERHEAD: usize = 69;
/// Per-block overhead (start line, each header, end of headers, data).
const BLOCK: usize = 8;

/// Size a message takes as HAProxy's internal blocks (start line, headers,
/// end of headers, payload), compared against `bufsize - 69`.
pub fn internal_size(start: &[&[u8]], headers: &[(String, Vec<u8>)], body_len: usize) -> usize {
    let sl: usize = start.iter().map(|s| s.len()).sum();
    let hdrs: usize = headers.iter().map(|(n, v)| BLOCK + n.len() + v.len()).sum();
    let data = if body_len > 0 { BLOCK + body_len } else { 0 };
    BLOCK + sl + hdrs + BLOCK + data
}

/// Why a message cannot be used as an error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageError {
    /// Offset of the first invalid byte, -2 when the head is incomplete.
    Headers(i64),
    InvalidStatus(u32),
    Chunked,
    LengthMismatch {
        got: usize,
        announced: u64,
    },
    PayloadNotExpected,
    TooBig,
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::Headers(off) => {
                write!(f, "unable to parse headers (error offset: {off})")
            }
            MessageError::InvalidStatus(s) => {
                write!(f, "invalid http status code for an error message ({s})")
            }
            MessageError::Chunked => f.write_str("chunk-encoded payload not supported"),
            MessageError::LengthMismatch { got, announced } => write!(
                f,
                "payload size does not match the announced content-length ({got} != {announced})"
            ),
            MessageError::PayloadNotExpected => f.write_str("message payload not expected"),
            MessageError::TooBig => f.write_str("unable to add payload into the HTX message"),
        }
    }
}

/// Parse a raw response the way HAProxy converts an errorfile. An empty
/// input is valid: HAProxy then sends nothing and closes (see [`load`]).
pub fn parse_message(raw: &[u8], limits: &Limits) -> Result<Response, MessageError> {
    let head = parse_head(raw, Kind::Response).map_err(|s| match s {
        Stop::Incomplete => MessageError::Headers(-2),
        Stop::Invalid(p) => MessageError::Headers(i64::try_from(p).unwrap_or(i64::MAX)),
    })?;
    if (100..200).contains(&head.status) {
        return Err(MessageError::InvalidStatus(head.status));
    }
    if head.chunked {
        return Err(MessageError::Chunked);
    }
    let body = raw.get(head.len..).unwrap_or_default();
    if let Some(cl) = head.content_length {
        if u64::try_from(body.len()).ok() != Some(cl) {
            return Err(MessageError::LengthMismatch {
                got: body.len(),
                announced: cl,
            });
        }
    }
    if matches!(head.status, 204 | 304)
        && (!body.is_empty() || head.content_length.unwrap_or(0) > 0)
    {
        return Err(MessageError::PayloadNotExpected);
    }
    let start: Vec<&[u8]> = head.start.iter().map(Vec::as_slice).collect();
    if internal_size(&start, &head.headers, body.len())
        > limits.bufsize.saturating_sub(HTX_OVERHEAD)
    {
        return Err(MessageError::TooBig);
    }
    let no_length = head.content_length.is_none() && !matches!(head.status, 204 | 304);
    Ok(Response {
        version_11: head.version_11,
        status: u16::try_from(head.status).unwrap_or(u16::MAX),
        reason: String::from_utf8_lossy(&head.start[2]).into_owned(),
        headers: head
            .headers
            .into_iter()
            .map(|(n, v)| (n, String::from_utf8_lossy(&v).into_owned()))
            .collect(),
        body: body.to_vec(),
        close: head.conn_close || no_length,
    })
}

/// A loaded errorfile: a response, or nothing at all (an empty file makes
/// HAProxy close the connection without answering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorMessage {
    Response(Response),
    Silent,
}

/// Why an errorfile could not be loaded; `Display` gives HAProxy's text
/// (to follow `parsing [file:line] : `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    Open {
        keyword: String,
        path: String,
    },
    Read {
        keyword: String,
        path: String,
    },
    Message {
        keyword: String,
        path: String,
        error: MessageError,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Open { keyword, path } => {
                write!(f, "{keyword} : error opening file '{path}'.")
            }
            LoadError::Read { keyword, path } => {
                write!(f, "{keyword} : error reading file '{path}'.")
            }
            LoadError::Message {
                keyword,
                path,
                error,
            } => write!(f, "{keyword} : '{path}': {error}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Read and check the errorfile `path` (`keyword` names the directive for the
/// message: "errorfile").
pub fn load(keyword: &str, path: &str, limits: &Limits) -> Result<ErrorMessage, LoadError> {
    let bytes = match std::fs::File::open(Path::new(path)) {
        Err(_) => {
            return Err(LoadError::Open {
                keyword: keyword.to_owned(),
                path: path.to_owned(),
            })
        }
        Ok(mut f) => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut buf).map_err(|_| LoadError::Read {
                keyword: keyword.to_owned(),
                path: path.to_owned(),
            })?;
            buf
        }
    };
    message_from_bytes(keyword, path, &bytes, limits)
}

/// [`load`] on bytes already read.
pub fn message_from_bytes(
    keyword: &str,
    path: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<ErrorMessage, LoadError> {
    if bytes.is_empty() {
        return Ok(ErrorMessage::Silent);
    }
    parse_message(bytes, limits)
        .map(ErrorMessage::Response)
        .map_err(|error| LoadError::Message {
            keyword: keyword.to_owned(),
            path: path.to_owned(),
            error,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(raw: &[u8]) -> String {
        match parse_message(raw, &Limits::default()) {
            Ok(_) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn messages_as_haproxy_prints_them() {
        assert_eq!(
            msg(b"HTTP/1.1 503 X\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            "chunk-encoded payload not supported"
        );
        assert_eq!(
            msg(b"HTTP/1.1 503 X\r\nContent-Length: 2\r\n\r\nabcdef"),
            "payload size does not match the announced content-length (6 != 2)"
        );
        assert_eq!(
            msg(b"HTTP/1.1 100 Continue\r\n\r\n"),
            "invalid http status code for an error message (100)"
        );
        assert_eq!(msg(b"HTTP/1.1 099 X\r\n\r\n"), "ok");
        assert_eq!(
            msg(b"HTTP/1.1 503 X\r\nContent-Length: 2\r\n"),
            "unable to parse headers (error offset: -2)"
        );
        assert_eq!(
            msg(b"HTTP/1.1 204 X\r\n\r\nbody"),
            "message payload not expected"
        );
    }

    #[test]
    fn size_limit_is_bufsize_minus_69() {
        // Largest body accepted with one extra "A: b" header: 16242 bytes.
        let mk = |n: usize| {
            let mut v =
                format!("HTTP/1.1 503 X\r\nA: b\r\nContent-Length: {n}\r\n\r\n").into_bytes();
            v.extend(std::iter::repeat_n(b'a', n));
            v
        };
        assert_eq!(msg(&mk(16242)), "ok");
        assert_eq!(
            msg(&mk(16243)),
            "unable to add payload into the HTX message"
        );
    }

    #[test]
    fn load_errors() {
        let e = load("errorfile", "/nonexistent/x.http", &Limits::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "errorfile : error opening file '/nonexistent/x.http'."
        );
        let e = load("errorfile", "/", &Limits::default()).unwrap_err();
        assert_eq!(e.to_string(), "errorfile : error reading file '/'.");
    }
}
