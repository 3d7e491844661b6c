//! Which bytes each hash algorithm hashes (HAProxy manual §4.2
//! "balance"). Pure slicing: no allocation, no I/O.

use std::net::IpAddr;

use super::config::UriOpts;

/// The source address folded to 32 bits: IPv4 as a big-endian number,
/// IPv6 as the XOR of its four big-endian 32-bit words.
pub fn source_key(ip: IpAddr) -> u32 {
    match ip {
        IpAddr::V4(v4) => u32::from(v4),
        IpAddr::V6(v6) => {
            let o = v6.octets();
            o.chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .fold(0, |h, w| h ^ w)
        }
    }
}

/// The path of a request target: origin-form as is; absolute-form from
/// the first '/' after the authority; anything else empty.
pub fn path_of(uri: &[u8]) -> &[u8] {
    if uri.first() == Some(&b'/') {
        return uri;
    }
    let Some(pos) = uri.windows(3).position(|w| w == b"://") else {
        return &[];
    };
    let rest = &uri[pos + 3..];
    match rest.iter().position(|&c| c == b'/') {
        Some(p) => &rest[p..],
        None => &[],
    }
}

/// The part of the URI `balance uri` hashes: up to `len` bytes, stopping
/// before the slash that starts level `depth + 1`, and before '?' unless
/// `whole`.
pub fn uri_key<'a>(uri: &'a [u8], o: &UriOpts) -> &'a [u8] {
    let uri = if o.path_only { path_of(uri) } else { uri };
    let limit = o.len.map_or(uri.len(), |l| (l as usize).min(uri.len()));
    let stop_at = o.depth.map(|d| d as usize + 1);
    let mut slashes = 0usize;
    let mut end = 0;
    while end < limit {
        match uri[end] {
            b'/' => {
                slashes += 1;
                if Some(slashes) == stop_at {
                    break;
                }
            }
            b'?' if !o.whole => break,
            _ => {}
        }
        end += 1;
    }
    &uri[..end]
}

/// Find `name=` in an `&`-separated parameter list (case-sensitive, as
/// HAProxy does) and return the start of the value and what follows it.
fn find_param<'a>(mut params: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let plen = name.len();
    while params.len() > plen {
        if params[plen] == b'=' && &params[..plen] == name {
            return Some(&params[plen + 1..]);
        }
        let amp = params.iter().position(|&c| c == b'&')?;
        params = &params[amp + 1..];
    }
    None
}

/// `balance url_param <name>`: the value in the query string.
pub fn url_param_key<'a>(uri: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let q = uri.iter().position(|&c| c == b'?')?;
    let v = find_param(&uri[q + 1..], name.as_bytes())?;
    let end = v.iter().position(|&c| c == b'&').unwrap_or(v.len());
    Some(&v[..end])
}

fn is_token(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// `url_param` on a POST: the value in a form-encoded body.
/// HAProxy judges the value by its first byte only: a non-token first
/// byte ends the value there if it is white space, else the body is not
/// taken as parameters at all.
pub fn post_param_key<'a>(body: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let v = find_param(body, name.as_bytes())?;
    let end = v.iter().position(|&c| c == b'&').unwrap_or(v.len());
    match v.first() {
        Some(&c) if end > 0 && !is_token(c) => {
            if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                Some(&v[..0])
            } else {
                None
            }
        }
        _ => Some(&v[..end]),
    }
}

/// `hdr(<name>) use_domain_only`: the label before the last dot
/// ("haproxy.1wt.eu" → "1wt"); a value without a dot is used whole.
/// As in HAProxy's backward scan, a dot in the first byte is not taken
/// as the last dot, and the label keeps at least one byte.
pub fn domain_key(v: &[u8]) -> &[u8] {
    let Some(tld_dot) = v
        .get(1..)
        .and_then(|t| t.iter().rposition(|&c| c == b'.'))
        .map(|p| p + 1)
    else {
        return v;
    };
    let start = v[..tld_dot - 1]
        .iter()
        .rposition(|&c| c == b'.')
        .map_or(0, |p| p + 1);
    &v[start..tld_dot]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(whole: bool, len: Option<u32>, depth: Option<u32>) -> UriOpts {
        UriOpts {
            whole,
            path_only: false,
            len,
            depth,
        }
    }

    #[test]
    fn uri_key_stops_at_question_mark_len_and_depth() {
        let u = b"/a/b/c?x=1";
        assert_eq!(uri_key(u, &opts(false, None, None)), b"/a/b/c");
        assert_eq!(uri_key(u, &opts(true, None, None)), b"/a/b/c?x=1");
        assert_eq!(uri_key(u, &opts(false, Some(3), None)), b"/a/");
        assert_eq!(uri_key(u, &opts(false, None, Some(1))), b"/a");
        assert_eq!(uri_key(u, &opts(false, None, Some(2))), b"/a/b");
    }

    #[test]
    fn path_only_drops_scheme_and_authority() {
        assert_eq!(path_of(b"http://h:80/x?y"), b"/x?y");
        assert_eq!(path_of(b"/x"), b"/x");
        assert_eq!(path_of(b"http://h"), b"");
    }

    #[test]
    fn url_param_finds_exact_names_only() {
        assert_eq!(url_param_key(b"/p?a=1&id=42&z", "id"), Some(&b"42"[..]));
        assert_eq!(url_param_key(b"/p?xid=1", "id"), None);
        assert_eq!(url_param_key(b"/p?id=", "id"), Some(&b""[..]));
        assert_eq!(url_param_key(b"/p?id=&b=2", "id"), Some(&b""[..]));
        assert_eq!(url_param_key(b"/p", "id"), None);
    }

    #[test]
    fn post_body_values_are_checked_on_first_byte() {
        assert_eq!(post_param_key(b"a=1&id=7", "id"), Some(&b"7"[..]));
        assert_eq!(post_param_key(b"id=\x00bin", "id"), None);
        assert_eq!(post_param_key(b"id= x", "id"), Some(&b""[..]));
    }

    #[test]
    fn domain_key_is_the_label_before_the_tld() {
        assert_eq!(domain_key(b"haproxy.1wt.eu"), b"1wt");
        assert_eq!(domain_key(b"example.com"), b"example");
        assert_eq!(domain_key(b"localhost"), b"localhost");
        assert_eq!(domain_key(b"a.b."), b"b");
        assert_eq!(domain_key(b".com"), b".com");
        assert_eq!(domain_key(b"a..com"), b"a.");
    }

    #[test]
    fn source_key_folds_addresses() {
        assert_eq!(source_key("127.0.0.2".parse().unwrap()), 0x7f00_0002);
        assert_eq!(source_key("::1".parse().unwrap()), 1);
    }
}
