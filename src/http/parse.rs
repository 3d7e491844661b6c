//! An HTTP/1 message head parser that fails where HAProxy 2.6's fails, at
//! the same byte offset (the offset appears in `errorfile` diagnostics:
//! "unable to parse headers (error offset: N)").
//!
//! It handles both start lines: a response status line (errorfiles) and a
//! request line (request validation). Header fields get HAProxy's treatment:
//! names lower-cased, values trimmed, obsolete line folding turned into
//! spaces, `content-length` duplicates merged, `connection` cleaned of its
//! `close`/`keep-alive` tokens.

use super::chars::{is_crlf, is_lws, is_spht, is_token, is_ver_token, version_is_11};

/// Which start line to expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Request,
    Response,
}

/// A parsed head.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// Request: method, URI, version. Response: version, status text, reason.
    pub start: [Vec<u8>; 3],
    /// Response status as the digits read (may exceed 999).
    pub status: u32,
    pub version_11: bool,
    /// Header fields after HAProxy's clean-up, names lower-case.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Number of header lines seen (before merging duplicates).
    pub lines: usize,
    pub content_length: Option<u64>,
    /// A `transfer-encoding` header was present.
    pub xfer_enc: bool,
    /// `chunked` is the last transfer coding.
    pub chunked: bool,
    /// `chunked` appears more than once, or a coding follows it.
    pub xfer_enc_bad: bool,
    /// Transfer codings other than `chunked` were listed.
    pub xfer_enc_other: bool,
    pub conn_close: bool,
    pub conn_keep_alive: bool,
    pub conn_upgrade: bool,
    /// Bytes of the head, including the empty line.
    pub len: usize,
}

/// Why parsing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// More bytes are needed (HAProxy reports offset -2 for errorfiles).
    Incomplete,
    /// Invalid byte at this offset.
    Invalid(usize),
}

struct Cursor<'a> {
    b: &'a [u8],
    p: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Result<u8, Stop> {
        self.b.get(self.p).copied().ok_or(Stop::Incomplete)
    }
    /// After a CR, the next byte must be LF.
    fn eat_eol(&mut self) -> Result<(), Stop> {
        if self.peek()? == b'\r' {
            self.p += 1;
        }
        if self.peek()? != b'\n' {
            return Err(Stop::Invalid(self.p));
        }
        self.p += 1;
        Ok(())
    }
    fn skip_spht(&mut self) -> Result<(), Stop> {
        while is_spht(self.peek()?) {
            self.p += 1;
        }
        Ok(())
    }
}

/// Parse a message head from the start of `b`.
pub fn parse_head(b: &[u8], kind: Kind) -> Result<Head, Stop> {
    let mut c = Cursor { b, p: 0 };
    let mut head = Head::default();
    // Leading empty lines are tolerated.
    loop {
        let ch = c.peek()?;
        if ch == b'\n' {
            c.p += 1;
        } else if ch == b'\r' {
            c.p += 1;
            if c.peek()? != b'\n' {
                return Err(Stop::Invalid(c.p));
            }
            c.p += 1;
        } else if is_token(ch) {
            break;
        } else {
            return Err(Stop::Invalid(c.p));
        }
    }
    match kind {
        Kind::Response => status_line(&mut c, &mut head)?,
        Kind::Request => request_line(&mut c, &mut head)?,
    }
    header_fields(&mut c, &mut head, kind)?;
    if head.xfer_enc {
        // A transfer-encoding makes any content-length meaningless.
        head.content_length = None;
        head.headers.retain(|(n, _)| n != "content-length");
    }
    head.len = c.p;
    Ok(head)
}

fn status_line(c: &mut Cursor, head: &mut Head) -> Result<(), Stop> {
    let v0 = c.p;
    while is_ver_token(c.peek()?) {
        c.p += 1;
    }
    if !is_spht(c.peek()?) {
        return Err(Stop::Invalid(c.p));
    }
    head.start[0] = c.b[v0..c.p].to_vec();
    head.version_11 = version_is_11(&head.start[0]);
    c.skip_spht()?;
    if is_crlf(c.peek()?) {
        return Err(Stop::Invalid(c.p));
    }
    let s0 = c.p;
    let mut status: u32 = 0;
    loop {
        let ch = c.peek()?;
        if ch.is_ascii_digit() {
            status = status
                .saturating_mul(10)
                .saturating_add(u32::from(ch - b'0'));
            c.p += 1;
        } else if !is_lws(ch) {
            return Err(Stop::Invalid(c.p));
        } else {
            break;
        }
    }
    head.status = status;
    head.start[1] = c.b[s0..c.p].to_vec();
    c.skip_spht()?;
    let r0 = c.p;
    while !is_crlf(c.peek()?) {
        c.p += 1;
    }
    head.start[2] = c.b[r0..c.p].to_vec();
    c.eat_eol()
}

fn request_line(c: &mut Cursor, head: &mut Head) -> Result<(), Stop> {
    let m0 = c.p;
    while is_token(c.peek()?) {
        c.p += 1;
    }
    // HTTP/0.9 (no version) is refused by HAProxy 2.6 in HTTP mode.
    if !is_spht(c.peek()?) {
        return Err(Stop::Invalid(c.p));
    }
    head.start[0] = c.b[m0..c.p].to_vec();
    c.skip_spht()?;
    let u0 = c.p;
    loop {
        let ch = c.peek()?;
        if (33..=126).contains(&ch) {
            c.p += 1;
        } else if is_spht(ch) && c.p > u0 {
            break;
        } else {
            return Err(Stop::Invalid(c.p));
        }
    }
    head.start[1] = c.b[u0..c.p].to_vec();
    c.skip_spht()?;
    let v0 = c.p;
    while is_ver_token(c.peek()?) {
        c.p += 1;
    }
    if !is_crlf(c.peek()?) || c.p == v0 {
        return Err(Stop::Invalid(c.p));
    }
    let v = &c.b[v0..c.p];
    // Only "HTTP/<digit>.<digit>" passes (HTTP/1.10 and HTTX/1.1 get a 400).
    let well_formed = v.len() == 8
        && v.starts_with(b"HTTP/")
        && v[5].is_ascii_digit()
        && v[6] == b'.'
        && v[7].is_ascii_digit();
    if !well_formed {
        return Err(Stop::Invalid(v0));
    }
    head.start[2] = v.to_vec();
    head.version_11 = version_is_11(v);
    c.eat_eol()
}

fn header_fields(c: &mut Cursor, head: &mut Head, kind: Kind) -> Result<(), Stop> {
    loop {
        let sol = c.p;
        if is_crlf(c.peek()?) {
            return c.eat_eol();
        }
        while is_token(c.peek()?) {
            c.p += 1;
        }
        if c.peek()? != b':' || c.p == sol {
            return Err(Stop::Invalid(c.p));
        }
        let name = String::from_utf8_lossy(&c.b[sol..c.p]).to_ascii_lowercase();
        c.p += 1;
        // The value runs to the end of line; folded lines join with spaces.
        let mut value = Vec::new();
        let mut value_pos = None;
        loop {
            let ch = c.peek()?;
            if is_crlf(ch) {
                let eol_start = c.p;
                c.eat_eol()?;
                if is_spht(c.peek()?) {
                    value.extend(std::iter::repeat_n(b' ', c.p - eol_start));
                    continue;
                }
                break;
            }
            if value_pos.is_none() && !is_spht(ch) {
                value_pos = Some(c.p);
            }
            value.push(ch);
            c.p += 1;
        }
        head.lines += 1;
        let value = trim_lws(&value).to_vec();
        let vpos = value_pos.unwrap_or(c.p);
        if !field(head, kind, name, value, vpos)? {
            continue;
        }
    }
}

fn trim_lws(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|&b| !is_lws(b)).unwrap_or(v.len());
    let end = v.iter().rposition(|&b| !is_lws(b)).map_or(start, |e| e + 1);
    &v[start..end]
}

/// Record one field; false when it was merged away. `vpos` is the offset of
/// the value, where HAProxy reports a bad content-length or host.
fn field(
    head: &mut Head,
    kind: Kind,
    name: String,
    value: Vec<u8>,
    vpos: usize,
) -> Result<bool, Stop> {
    match name.as_str() {
        "content-length" => {
            let cl = content_length(&value).ok_or(Stop::Invalid(vpos))?;
            if let Some(prev) = head.content_length {
                if prev != cl {
                    return Err(Stop::Invalid(vpos));
                }
                return Ok(false);
            }
            head.content_length = Some(cl);
            // A list of equal values is stored as the single value.
            let single = value
                .split(|&b| b == b',')
                .next()
                .map(trim_lws)
                .unwrap_or(&[]);
            head.headers.push((name, single.to_vec()));
            return Ok(true);
        }
        "transfer-encoding" => transfer_encoding(head, &value),
        "connection" => {
            let kept = connection(head, &value);
            if kept.is_empty() {
                return Ok(false);
            }
            head.headers.push((name, kept));
            return Ok(true);
        }
        "host" if kind == Kind::Request => {
            if let Some((_, first)) = head.headers.iter().find(|(n, _)| n == "host") {
                if !first.eq_ignore_ascii_case(&value) {
                    return Err(Stop::Invalid(vpos));
                }
                return Ok(false);
            }
        }
        _ => {}
    }
    head.headers.push((name, value));
    Ok(true)
}

/// Comma-separated list of equal decimal values, as HAProxy accepts it.
fn content_length(v: &[u8]) -> Option<u64> {
    let mut found: Option<u64> = None;
    for word in v.split(|&b| b == b',') {
        let word = trim_lws(word);
        if word.is_empty() || !word.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut n: u64 = 0;
        for &d in word {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        }
        match found {
            Some(f) if f != n => return None,
            _ => found = Some(n),
        }
    }
    found
}

fn transfer_encoding(head: &mut Head, v: &[u8]) {
    if head.chunked {
        // Anything after a chunked coding is an error for requests.
        head.xfer_enc_bad = true;
    }
    head.xfer_enc = true;
    let mut any = false;
    for word in v.split(|&b| b == b',') {
        let word = trim_lws(word);
        if word.is_empty() {
            continue;
        }
        any = true;
        if word.eq_ignore_ascii_case(b"chunked") {
            if head.chunked {
                head.xfer_enc_bad = true;
            }
            head.chunked = true;
        } else {
            if head.chunked {
                head.xfer_enc_bad = true;
            }
            head.chunked = false;
            head.xfer_enc_other = true;
        }
    }
    if !any {
        head.chunked = false;
        head.xfer_enc_bad = true;
    }
}

/// Drop `close`/`keep-alive` tokens (recording them) and return what is left.
fn connection(head: &mut Head, v: &[u8]) -> Vec<u8> {
    let mut kept: Vec<u8> = Vec::new();
    for word in v.split(|&b| b == b',') {
        let word = trim_lws(word);
        if word.is_empty() {
            continue;
        }
        if word.eq_ignore_ascii_case(b"close") {
            head.conn_close = true;
            continue;
        }
        if word.eq_ignore_ascii_case(b"keep-alive") {
            head.conn_keep_alive = true;
            continue;
        }
        if word.eq_ignore_ascii_case(b"upgrade") {
            head.conn_upgrade = true;
        }
        if !kept.is_empty() {
            kept.push(b',');
        }
        kept.extend_from_slice(word);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(s: &str) -> Result<Head, Stop> {
        parse_head(s.as_bytes(), Kind::Response)
    }

    #[test]
    fn offsets_match_haproxy() {
        // Offsets captured from `haproxy -c` on errorfiles.
        assert_eq!(resp("garbage\n"), Err(Stop::Invalid(0)));
        assert_eq!(resp("Xttp/1.1 503 X\r\n\r\n"), Err(Stop::Invalid(1)));
        assert_eq!(resp("GET / HTTP/1.1\r\n\r\n"), Err(Stop::Invalid(4)));
        assert_eq!(resp("HTTP/1.1 5x3 X\r\n\r\n"), Err(Stop::Invalid(10)));
        assert_eq!(resp("HTTP/1.1\r\n\r\n"), Err(Stop::Invalid(8)));
        assert_eq!(
            resp("HTTP/1.1 503 X\r\nA b: c\r\n\r\n"),
            Err(Stop::Invalid(17))
        );
        assert_eq!(resp("HTTP/1.1 503 X\r\nA\r\n\r\n"), Err(Stop::Invalid(17)));
        assert_eq!(
            resp("HTTP/1.1 503 X\r\n: c\r\n\r\n"),
            Err(Stop::Invalid(16))
        );
        assert_eq!(
            resp("HTTP/1.1 503 X\r\nContent-Length: abc\r\n\r\n"),
            Err(Stop::Invalid(32))
        );
        assert_eq!(
            resp("HTTP/1.1 503 X\r\nContent-Length: 2\r\r\n\r\nab"),
            Err(Stop::Invalid(34))
        );
        assert_eq!(resp("HTTP/1.1 503 X\rY\r\n\r\n"), Err(Stop::Invalid(15)));
        assert_eq!(
            resp("HTTP/1.1 503 X\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"),
            Err(Stop::Invalid(51))
        );
        assert_eq!(resp("HTTP/1.1 503 X\r\nA: b\r\n"), Err(Stop::Incomplete));
    }

    #[test]
    fn connection_tokens_are_removed() {
        let h =
            resp("HTTP/1.1 410 CK\r\nX-Before: 1\r\nConnection: Keep-Alive, Foo\r\n\r\n").unwrap();
        assert!(h.conn_keep_alive);
        assert_eq!(h.headers[1], ("connection".to_owned(), b"Foo".to_vec()));
    }

    #[test]
    fn folding_becomes_spaces() {
        let h = parse_head(b"GET / HTTP/1.1\r\nX-Fold: a\r\n  b\r\n\r\n", Kind::Request).unwrap();
        assert_eq!(h.headers[0].1, b"a    b".to_vec());
    }
}
