//! Character classes of HTTP/1 as HAProxy's parser applies them.

/// RFC 7230 token character (methods, header names).
pub fn is_token(c: u8) -> bool {
    matches!(
        c,
        b'!' | b'#'
            | b'$'
            | b'%'
            | b'&'
            | b'\''
            | b'*'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~'
    ) || c.is_ascii_alphanumeric()
}

/// Characters HAProxy accepts in a status-line version: upper-case letters,
/// digits, '/' and '.' (observed: `xTTP/1.1` fails at offset 0, `GET` passes).
pub fn is_ver_token(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'/' || c == b'.'
}

pub fn is_spht(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

pub fn is_crlf(c: u8) -> bool {
    c == b'\r' || c == b'\n'
}

/// Linear white space: SP, HT, CR, LF.
pub fn is_lws(c: u8) -> bool {
    is_spht(c) || is_crlf(c)
}

/// A version token is HTTP/1.1 or later when it is 8 bytes long and its
/// major digit is above 1 or its minor digit at least 1 (HAProxy's test).
pub fn version_is_11(v: &[u8]) -> bool {
    v.len() == 8 && (v[5] > b'1' || (v[5] == b'1' && v[7] >= b'1'))
}
