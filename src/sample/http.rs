//! HTTP pieces the fetches extract: header values (comma-split or full),
//! cookies, URL parts and parameters (manual 7.3.6).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Split a header value at commas outside double quotes, trimming blanks
/// around each part (what the non-`f` header fetches see).
pub(crate) fn split_values(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in v.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(v[start..i].trim_matches([' ', '\t']));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(v[start..].trim_matches([' ', '\t']));
    out
}

/// Values of header `name` (all headers for `None`), in order.
pub(crate) fn header_values<'a>(
    headers: &[(&'a str, &'a str)],
    name: Option<&str>,
    full: bool,
) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (n, v) in headers {
        if name.is_some_and(|want| !want.eq_ignore_ascii_case(n)) {
            continue;
        }
        if full {
            out.push(v.trim_matches([' ', '\t']));
        } else {
            out.extend(split_values(v));
        }
    }
    out
}

/// Pick occurrence `occ` (1 = first, -1 = last, 0 = every one when
/// `all`, else the last) of `values`.
pub(crate) fn pick<T: Clone>(values: Vec<T>, occ: i64, all: bool) -> Vec<T> {
    let n = values.len() as i64;
    let idx = match occ {
        0 if all => return values,
        0 => n - 1,
        o if o > 0 => o - 1,
        o => n + o,
    };
    match usize::try_from(idx).ok().and_then(|i| values.get(i)) {
        Some(v) => vec![v.clone()],
        None => Vec::new(),
    }
}

/// Cookies of request `Cookie` header values: (name, value), trimmed.
pub(crate) fn request_cookies<'a>(values: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for v in values {
        for item in v.split(';') {
            if let Some((n, val)) = item.split_once('=') {
                let n = n.trim_matches([' ', '\t']);
                if !n.is_empty() {
                    out.push((n, val.trim_matches([' ', '\t'])));
                }
            }
        }
    }
    out
}

/// The cookie of each `Set-Cookie` value (its first `name=value`).
pub(crate) fn response_cookies<'a>(values: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    values
        .iter()
        .filter_map(|v| {
            let first = v.split(';').next()?;
            let (n, val) = first.split_once('=')?;
            Some((n.trim_matches([' ', '\t']), val.trim_matches([' ', '\t'])))
        })
        .filter(|(n, _)| !n.is_empty())
        .collect()
}

/// Where the path starts in a request target: at the first `/` for origin
/// form, after the authority for absolute form; `None` otherwise.
fn path_start(uri: &str) -> Option<usize> {
    if uri.starts_with('/') {
        return Some(0);
    }
    let scheme_end = uri.find("://")?;
    let after = scheme_end + 3;
    uri[after..].find('/').map(|p| after + p)
}

/// Path and query (`pathq`).
pub(crate) fn pathq(uri: &str) -> Option<&str> {
    path_start(uri).map(|s| &uri[s..])
}

/// Path without the query (`path`).
pub(crate) fn path(uri: &str) -> Option<&str> {
    let pq = pathq(uri)?;
    Some(pq.split('?').next().unwrap_or(pq))
}

/// Query string after the first `?` (`query`): `None` without `?`.
pub(crate) fn query(uri: &str) -> Option<&str> {
    uri.split_once('?').map(|(_, q)| q)
}

/// Host and port of an absolute `http://`/`https://` target whose host is
/// an address (`url_ip`, `url_port`): port 80 (443 for https) when absent.
pub(crate) fn url_addr(uri: &str) -> Option<(IpAddr, u16)> {
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    let (rest, default_port) = if lower.starts_with("http://") {
        (&uri[7..], 80)
    } else if lower.starts_with("https://") {
        (&uri[8..], 443)
    } else {
        return None;
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']')?;
        let ip = addr.parse::<Ipv6Addr>().ok()?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => default_port,
        };
        return Some((IpAddr::V6(ip), port));
    }
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, default_port),
    };
    Some((IpAddr::V4(host.parse::<Ipv4Addr>().ok()?), port))
}

/// URL parameters (`urlp`): the text after `?` (or `delim` if given) split
/// at `&`, `;` and `delim`; (name, value) pairs. A parameter without `=`
/// is not one (HAProxy skips it, named or not).
pub(crate) fn url_params(uri: &str, delim: Option<char>) -> Vec<(&str, &str)> {
    let start = uri.find(|c| c == '?' || Some(c) == delim);
    let Some(start) = start else {
        return Vec::new();
    };
    let q = &uri[start + 1..];
    q.split(|c| c == '&' || c == ';' || Some(c) == delim)
        .filter_map(|p| p.split_once('='))
        .collect()
}

/// An address in a header value (`hdr_ip`): IPv4 with an optional port,
/// or a bare IPv6 address (HAProxy 2.6 takes no brackets).
pub(crate) fn header_ip(v: &str) -> Option<IpAddr> {
    let v = v.trim_matches([' ', '\t']);
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(ip);
    }
    let (addr, port) = v.split_once(':')?;
    port.parse::<u16>().ok()?;
    addr.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_splitting() {
        assert_eq!(
            split_values(" a , b,\"c,d\" ,"),
            vec!["a", "b", "\"c,d\"", ""]
        );
        let h = [("Host", "x"), ("X-F", "1, 2"), ("x-f", "3")];
        assert_eq!(header_values(&h, Some("x-f"), false), vec!["1", "2", "3"]);
        assert_eq!(header_values(&h, Some("X-F"), true), vec!["1, 2", "3"]);
        assert_eq!(header_values(&h, None, false).len(), 4);
        assert_eq!(pick(vec![1, 2, 3], 0, false), vec![3]);
        assert_eq!(pick(vec![1, 2, 3], 0, true), vec![1, 2, 3]);
        assert_eq!(pick(vec![1, 2, 3], 1, true), vec![1]);
        assert_eq!(pick(vec![1, 2, 3], -2, false), vec![2]);
        assert_eq!(pick(vec![1, 2, 3], 4, false), Vec::<i32>::new());
        assert_eq!(pick(vec![1, 2, 3], -4, false), Vec::<i32>::new());
    }

    #[test]
    fn cookies() {
        let c = request_cookies(&["a=1; b = 2 ;c", "a=3"]);
        assert_eq!(c, vec![("a", "1"), ("b", "2"), ("a", "3")]);
        let s = response_cookies(&["SID=x; Path=/", "bad"]);
        assert_eq!(s, vec![("SID", "x")]);
    }

    #[test]
    fn urls() {
        assert_eq!(path("/a/b?c"), Some("/a/b"));
        assert_eq!(path("http://h:81/a?x"), Some("/a"));
        assert_eq!(path("*"), None);
        assert_eq!(pathq("http://h/a?x"), Some("/a?x"));
        assert_eq!(query("/a?"), Some(""));
        assert_eq!(query("/a"), None);
        assert_eq!(
            url_addr("http://10.0.0.1:8080/x"),
            Some((IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 8080))
        );
        assert_eq!(
            url_addr("HTTP://10.0.0.1/x"),
            Some((IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 80))
        );
        assert_eq!(url_addr("/x"), None);
        assert_eq!(url_addr("http://name/x"), None);
        assert_eq!(
            url_params("/p?a=1&b&c=3;d=4", None),
            vec![("a", "1"), ("c", "3"), ("d", "4")]
        );
        assert_eq!(url_params("/p;j=5", Some(';')), vec![("j", "5")]);
        assert_eq!(url_params("/p", None), vec![]);
    }

    #[test]
    fn header_addresses() {
        assert_eq!(
            header_ip("1.2.3.4:80"),
            Some(IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4)))
        );
        assert_eq!(header_ip("[::1]:8"), None);
        assert_eq!(header_ip("::1"), Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(header_ip("1.2.3.4:99999"), None);
        assert_eq!(header_ip("unknown"), None);
    }
}
