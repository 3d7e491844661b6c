//! `redirect` and `http-request redirect`: the response HAProxy 2.6 sends.
//!
//! Captured: `content-length: 0`, then `location`, then `cache-control:
//! no-cache` for the temporary codes (302, 303, 307; not 301/308), then the
//! `set-cookie` of `set-cookie`/`clear-cookie`. The location, prefix and
//! scheme arguments are log-format strings: the caller passes them
//! evaluated.

use super::Response;

/// How the Location is built (configuration manual, "redirect").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `location <loc>`: used as is (`drop-query`/`append-slash` ignored).
    Location(String),
    /// `prefix <pfx>`: prefix + the request's path (and query). A prefix of
    /// exactly "/" means "the path alone".
    Prefix(String),
    /// `scheme <sch>`: scheme + "://" + Host header + path (and query).
    Scheme(String),
}

/// A `redirect` rule's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub target: Target,
    /// 301, 302 (default), 303, 307 or 308.
    pub code: u16,
    pub drop_query: bool,
    pub append_slash: bool,
    /// `set-cookie NAME[=value]` as written.
    pub set_cookie: Option<String>,
    /// `clear-cookie NAME[=]` as written.
    pub clear_cookie: Option<String>,
}

impl Redirect {
    pub fn new(target: Target) -> Self {
        Redirect {
            target,
            code: 302,
            drop_query: false,
            append_slash: false,
            set_cookie: None,
            clear_cookie: None,
        }
    }
}

/// The request parts a redirect reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestView<'a> {
    /// The request URI as received (origin or absolute form).
    pub uri: &'a str,
    /// The Host header value, if any.
    pub host: Option<&'a str>,
}

/// Reason phrases of the redirect codes (not those of `http-request return`:
/// 302 is "Found" here).
pub fn redirect_reason(code: u16) -> &'static str {
    match code {
        301 => "Moved Permanently",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        _ => "Found",
    }
}

/// The path part of a request URI (from the first '/' after the authority
/// of an absolute URI), query included.
pub fn path_of(uri: &str) -> &str {
    if uri.starts_with('/') {
        return uri;
    }
    match uri.find("://") {
        Some(i) => {
            let rest = &uri[i + 3..];
            rest.find('/').map_or("", |j| &rest[j..])
        }
        None => uri,
    }
}

/// The Location value for `r` answering `req`.
pub fn location(r: &Redirect, req: &RequestView) -> String {
    let (mut out, uses_path) = match &r.target {
        Target::Location(l) => return l.clone(),
        Target::Prefix(p) if p == "/" => (String::new(), true),
        Target::Prefix(p) => (p.clone(), true),
        Target::Scheme(s) => (format!("{s}://{}", req.host.unwrap_or("")), true),
    };
    if uses_path {
        let mut path = path_of(req.uri);
        if r.drop_query {
            path = path.split('?').next().unwrap_or("");
        }
        out.push_str(path);
        if r.append_slash && !out.ends_with('/') {
            out.push('/');
        }
    }
    out
}

/// The full response for `r` answering `req`.
pub fn response(r: &Redirect, req: &RequestView) -> Response {
    let mut resp = Response::new(r.code, redirect_reason(r.code));
    resp.push_header("content-length", "0");
    resp.push_header("location", &location(r, req));
    if matches!(r.code, 302 | 303 | 307) {
        resp.push_header("cache-control", "no-cache");
    }
    if let Some(c) = &r.set_cookie {
        resp.push_header("set-cookie", &format!("{c}; path=/;"));
    } else if let Some(c) = &r.clear_cookie {
        resp.push_header("set-cookie", &format!("{c}; path=/; Max-Age=0;"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(uri: &str) -> RequestView<'_> {
        RequestView {
            uri,
            host: Some("x.org"),
        }
    }

    #[test]
    fn prefix_and_scheme() {
        let mut r = Redirect::new(Target::Prefix("http://pre.com".into()));
        assert_eq!(
            location(&r, &req("/pre/a/b?x=1")),
            "http://pre.com/pre/a/b?x=1"
        );
        r.drop_query = true;
        assert_eq!(location(&r, &req("/pred/a?x=1")), "http://pre.com/pred/a");
        let mut s = Redirect::new(Target::Prefix("/".into()));
        s.append_slash = true;
        assert_eq!(location(&s, &req("/slashx?y=1")), "/slashx?y=1/");
        let t = Redirect::new(Target::Scheme("https".into()));
        assert_eq!(location(&t, &req("/sch/a?b=c")), "https://x.org/sch/a?b=c");
        let nohost = RequestView {
            uri: "/sch",
            host: None,
        };
        assert_eq!(location(&t, &nohost), "https:///sch");
    }

    #[test]
    fn headers_in_order() {
        let mut r = Redirect::new(Target::Location("/c".into()));
        r.clear_cookie = Some("SEEN=".into());
        let resp = response(&r, &req("/"));
        assert_eq!(resp.reason, "Found");
        assert_eq!(
            resp.headers,
            vec![
                ("content-length".to_owned(), "0".to_owned()),
                ("location".to_owned(), "/c".to_owned()),
                ("cache-control".to_owned(), "no-cache".to_owned()),
                (
                    "set-cookie".to_owned(),
                    "SEEN=; path=/; Max-Age=0;".to_owned()
                ),
            ]
        );
        r.code = 301;
        assert_eq!(response(&r, &req("/")).headers.len(), 3);
    }
}
