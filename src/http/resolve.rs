//! Which response a proxy sends for a status: its `errorfile`, `errorloc*`,
//! `errorfiles <section>` and `http-error status` settings, else the
//! built-in message.
//!
//! HAProxy applies these in configuration order, a later one replacing an
//! earlier one for the same status (captured: `errorfile 403 A` then
//! `errorfiles sec` serves the section's 403). [`ErrorSet::build`] takes the
//! sources in that order; [`sources_from_settings`] rebuilds an order from
//! the model, which keeps them in separate collections (see its note).

use std::collections::BTreeMap;

use super::errorfile::{load, ErrorMessage, Limits, LoadError};
use super::errors::builtin;
use super::ret;
use super::Response;
use crate::config::model::{HttpErrors, Model, Proxy, ProxySettings};

/// One error-message setting of a proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `errorfile <status> <path>`
    Errorfile { status: u16, path: String },
    /// `errorloc|errorloc302|errorloc303 <status> <url>` (`code` 302 or 303)
    Errorloc { status: u16, code: u16, url: String },
    /// `errorfiles <name> [<status>...]` (empty `only` = every status)
    Section { name: String, only: Vec<u16> },
    /// `http-error status <code> ...` words after the keyword, as written.
    HttpError(Vec<String>),
}

/// A payload that may need evaluating per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Static(Vec<u8>),
    /// `lf-string`/`lf-file`: a log-format the caller evaluates.
    LogFormat(String),
}

/// What to send for a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A complete message (built-in, errorfile, errorloc).
    Message(ErrorMessage),
    /// An `http-error status` reply built like `http-request return`; the
    /// `hdr` values are log-formats. Build it with [`ret::build`].
    Return {
        status: u16,
        content_type: Option<String>,
        body: Body,
        hdrs: Vec<(String, String)>,
    },
}

impl Reply {
    /// The response when nothing needs evaluating (header values without
    /// `%`); None for a silent errorfile or a log-format reply.
    pub fn to_static(&self) -> Option<Response> {
        match self {
            Reply::Message(ErrorMessage::Response(r)) => Some(r.clone()),
            Reply::Message(ErrorMessage::Silent) => None,
            Reply::Return {
                status,
                content_type,
                body: Body::Static(b),
                hdrs,
            } if hdrs.iter().all(|(_, v)| !v.contains('%')) => {
                Some(ret::build(*status, content_type.as_deref(), b, hdrs))
            }
            Reply::Return { .. } => None,
        }
    }
}

/// The response of `errorloc`/`errorloc303`: captured order
/// cache-control, content-length, location.
pub fn errorloc_response(code: u16, url: &str) -> Response {
    let reason = if code == 303 { "See Other" } else { "Found" };
    let mut r = Response::new(code, reason);
    r.push_header("cache-control", "no-cache");
    r.push_header("content-length", "0");
    r.push_header("location", url);
    r
}

/// A proxy's resolved error replies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorSet {
    replies: BTreeMap<u16, Reply>,
    /// Non-fatal notes as HAProxy prints them (status missing from a section).
    pub warnings: Vec<String>,
}

impl ErrorSet {
    /// Load every file and apply `sources` in order. `proxy` names the proxy
    /// in messages; `sections` are the model's `http-errors` sections.
    pub fn build(
        proxy: &str,
        sources: &[Source],
        sections: &[HttpErrors],
        limits: &Limits,
    ) -> Result<ErrorSet, Vec<LoadError>> {
        let mut set = ErrorSet::default();
        let mut errors = Vec::new();
        for src in sources {
            match src {
                Source::Errorfile { status, path } => match load("errorfile", path, limits) {
                    Ok(m) => {
                        set.replies.insert(*status, Reply::Message(m));
                    }
                    Err(e) => errors.push(e),
                },
                Source::Errorloc { status, code, url } => {
                    let r = errorloc_response(*code, url);
                    set.replies
                        .insert(*status, Reply::Message(ErrorMessage::Response(r)));
                }
                Source::Section { name, only } => {
                    let Some(sec) = sections.iter().find(|s| &s.name == name) else {
                        continue; // reported by the model's validation
                    };
                    for (status, path) in &sec.files {
                        if !only.is_empty() && !only.contains(status) {
                            continue;
                        }
                        match load("errorfile", path, limits) {
                            Ok(m) => {
                                set.replies.insert(*status, Reply::Message(m));
                            }
                            Err(e) => errors.push(e),
                        }
                    }
                }
                Source::HttpError(words) => {
                    match http_error(proxy, words, sections, limits, &mut set.warnings) {
                        Ok(Some((status, reply))) => {
                            set.replies.insert(status, reply);
                        }
                        Ok(None) => {}
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }

    /// The reply for `status`: the configured one, else the built-in message
    /// (None for a status HAProxy has no message for).
    pub fn reply(&self, status: u16) -> Option<Reply> {
        if let Some(r) = self.replies.get(&status) {
            return Some(r.clone());
        }
        builtin(status).map(|r| Reply::Message(ErrorMessage::Response(r)))
    }

    /// True when `status` has a configured (non built-in) reply.
    pub fn is_configured(&self, status: u16) -> bool {
        self.replies.contains_key(&status)
    }
}

/// Parse `http-error status <code> [content-type <t>] [payload] [hdr <n> <fmt>]*`.
fn http_error(
    proxy: &str,
    words: &[String],
    sections: &[HttpErrors],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Result<Option<(u16, Reply)>, LoadError> {
    let mut it = words.iter().map(String::as_str).peekable();
    if it.peek() == Some(&"status") {
        it.next();
    }
    let Some(status) = it.next().and_then(|s| s.parse::<u16>().ok()) else {
        return Ok(None); // the configuration layer reports bad syntax
    };
    let mut content_type = None;
    let mut body = Body::Static(Vec::new());
    let mut hdrs = Vec::new();
    let mut message: Option<Reply> = None;
    while let Some(w) = it.next() {
        let arg = it.next().unwrap_or_default().to_owned();
        match w {
            "content-type" => content_type = Some(arg),
            "string" => body = Body::Static(arg.into_bytes()),
            "lf-string" => body = Body::LogFormat(arg),
            "file" | "lf-file" => {
                let bytes = std::fs::read(&arg).map_err(|_| LoadError::Open {
                    keyword: "http-error".into(),
                    path: arg.clone(),
                })?;
                body = if w == "file" {
                    Body::Static(bytes)
                } else {
                    Body::LogFormat(String::from_utf8_lossy(&bytes).into_owned())
                };
            }
            "errorfile" => message = Some(Reply::Message(load("http-error", &arg, limits)?)),
            "errorfiles" => {
                let found = sections
                    .iter()
                    .find(|s| s.name == arg)
                    .and_then(|s| s.files.iter().rev().find(|(c, _)| *c == status));
                match found {
                    Some((_, path)) => {
                        message = Some(Reply::Message(load("errorfile", path, limits)?))
                    }
                    None => {
                        warnings.push(format!(
                            "config: proxy '{proxy}' : status '{status}' not declared in http-errors section '{arg}'"
                        ));
                        return Ok(None);
                    }
                }
            }
            "default-errorfiles" => {
                if let Some(r) = builtin(status) {
                    message = Some(Reply::Message(ErrorMessage::Response(r)));
                }
                continue; // takes no argument: `arg` was the next keyword
            }
            "hdr" => {
                let v = it.next().unwrap_or_default().to_owned();
                hdrs.push((arg, v));
            }
            _ => {}
        }
    }
    if let Some(m) = message {
        return Ok(Some((status, m)));
    }
    Ok(Some((
        status,
        Reply::Return {
            status,
            content_type,
            body,
            hdrs,
        },
    )))
}

/// The reply for `status` in a stream: the backend's configured one (once a
/// backend is chosen), else the frontend's, else the built-in message.
/// Captured: a backend without errorfiles that has no server answers with
/// the frontend's errorfile 503; a deny in the frontend uses the frontend's.
pub fn pick(backend: Option<&ErrorSet>, frontend: &ErrorSet, status: u16) -> Option<Reply> {
    if let Some(r) = backend.and_then(|b| b.replies.get(&status)) {
        return Some(r.clone());
    }
    frontend.reply(status)
}

/// [`ErrorSet::build`] for a proxy of the model.
pub fn for_proxy(
    model: &Model,
    proxy: &Proxy,
    limits: &Limits,
) -> Result<ErrorSet, Vec<LoadError>> {
    ErrorSet::build(
        &proxy.name,
        &sources_from_settings(&proxy.settings),
        &model.http_errors,
        limits,
    )
}

/// The sources of `s` in an order rebuilt from the model: `errorfiles`
/// sections, then `errorfile`, then `errorloc`, then `http-error` lines.
/// The model keeps these in separate collections, so a proxy that mixes
/// them for one status in another order resolves differently from HAProxy
/// (which uses configuration order); `errorfiles <name> <codes>` is taken
/// as importing every code, since the model keeps only the name.
pub fn sources_from_settings(s: &ProxySettings) -> Vec<Source> {
    let mut out: Vec<Source> = s
        .errorfiles_sections
        .iter()
        .map(|n| Source::Section {
            name: n.clone(),
            only: Vec::new(),
        })
        .collect();
    out.extend(s.errorfiles.iter().map(|(st, p)| Source::Errorfile {
        status: *st,
        path: p.clone(),
    }));
    out.extend(s.errorloc.iter().map(|(st, (code, url))| Source::Errorloc {
        status: *st,
        code: *code,
        url: url.clone(),
    }));
    out.extend(s.http_errors.iter().map(|w| Source::HttpError(w.clone())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_source_wins_and_builtin_fills() {
        let srcs = vec![
            Source::Errorloc {
                status: 404,
                code: 302,
                url: "/loc".into(),
            },
            Source::Errorloc {
                status: 404,
                code: 303,
                url: "/gone?x=1".into(),
            },
            Source::HttpError(
                [
                    "status",
                    "429",
                    "content-type",
                    "text/plain",
                    "string",
                    "slow down",
                    "hdr",
                    "x-h",
                    "v",
                ]
                .map(String::from)
                .to_vec(),
            ),
        ];
        let set = ErrorSet::build("f", &srcs, &[], &Limits::default()).unwrap();
        let r = set.reply(404).unwrap().to_static().unwrap();
        assert_eq!(r.status, 303);
        assert_eq!(r.header("location"), Some("/gone?x=1"));
        let r = set.reply(429).unwrap().to_static().unwrap();
        assert_eq!(r.headers[0], ("x-h".to_owned(), "v".to_owned()));
        assert_eq!(r.body, b"slow down".to_vec());
        assert_eq!(
            set.reply(503).unwrap().to_static().unwrap().reason,
            "Service Unavailable"
        );
        assert!(set.reply(418).is_none());
    }

    #[test]
    fn missing_status_in_section_warns() {
        let sec = HttpErrors {
            name: "sec".into(),
            loc: None,
            files: vec![],
        };
        let srcs = vec![Source::HttpError(
            ["status", "410", "errorfiles", "sec"]
                .map(String::from)
                .to_vec(),
        )];
        let set = ErrorSet::build("f2", &srcs, &[sec], &Limits::default()).unwrap();
        assert_eq!(
            set.warnings,
            ["config: proxy 'f2' : status '410' not declared in http-errors section 'sec'"]
        );
        assert!(!set.is_configured(410));
    }
}
