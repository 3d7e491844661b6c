//! What a backend's checks send and expect, from its settings: a plain
//! connect (`check` alone), an HTTP check (`option httpchk`, `http-check
//! send|expect|disable-on-404`, manual §4.2) or a `tcp-check` sequence
//! (`option tcp-check`, `tcp-check connect|send|send-binary|expect`).
//! Pure; rules harp cannot run are reported, not silently changed.

use crate::config::model::ProxySettings;

use super::status::CheckStatus;

/// How responses are matched.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// `status <codes>`: a list of codes and ranges (`200-399,404`).
    Status(Vec<(u16, u16)>),
    /// `rstatus <regex>` on the code as text.
    RStatus(regex::Regex),
    /// `string` (HTTP body / tcp-check data contains it).
    String(Vec<u8>),
    /// `rstring <regex>`.
    RString(regex::bytes::Regex),
    /// tcp-check `binary <hex>`.
    Binary(Vec<u8>),
    /// tcp-check `rbinary <regex>` on the data as uppercase hex.
    RBinary(regex::Regex),
}

/// One `expect` rule.
#[derive(Debug, Clone)]
pub struct Expect {
    pub negate: bool,
    pub pattern: Pattern,
    /// The pattern as written (for messages).
    pub text: String,
    /// The keyword (`string`, `rstring`, `binary`...).
    pub kind: String,
    /// `comment <msg>`: the info reported when the rule fails.
    pub comment: Option<String>,
    pub ok_status: Option<CheckStatus>,
    pub error_status: Option<CheckStatus>,
    pub tout_status: Option<CheckStatus>,
}

#[derive(Debug, Clone)]
pub struct HttpPlan {
    /// The request bytes, ready to write.
    pub request: Vec<u8>,
    /// `http-check expect` rules in order; none means 2xx/3xx pass.
    pub expects: Vec<Expect>,
    pub disable_on_404: bool,
    /// HEAD responses have no body to wait for.
    pub head: bool,
}

#[derive(Debug, Clone)]
pub enum TcpStep {
    /// `tcp-check connect [port N]`; `implicit` for the one HAProxy adds
    /// when the sequence does not start with a connect.
    Connect {
        port: Option<u16>,
        comment: Option<String>,
        implicit: bool,
    },
    Send {
        data: Vec<u8>,
        comment: Option<String>,
    },
    Expect(Expect),
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// Layer 4: a connection that opens passes.
    Connect,
    Http(HttpPlan),
    Tcp(Vec<TcpStep>),
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub kind: Kind,
    /// Rules harp ignores, one message each.
    pub ignored: Vec<String>,
}

/// Build the plan of a backend.
pub fn plan(s: &ProxySettings) -> Plan {
    let mut ignored = Vec::new();
    let kind = match s.check_type.as_deref() {
        Some("httpchk") => match &s.httpchk {
            Some(h) => Kind::Http(http_plan(h, &mut ignored)),
            None => Kind::Connect,
        },
        Some("tcp-check") => Kind::Tcp(tcp_plan(
            s.tcp_check.as_deref().unwrap_or_default(),
            &mut ignored,
        )),
        Some(other) => {
            ignored.push(format!(
                "'option {other}' checks are not run by this harp build; a TCP connect check is used"
            ));
            Kind::Connect
        }
        None => Kind::Connect,
    };
    Plan { kind, ignored }
}

fn http_plan(h: &crate::config::model::HttpCheck, ignored: &mut Vec<String>) -> HttpPlan {
    let mut method = h.method.clone();
    let mut uri = h.uri.clone();
    // `option httpchk` lets headers hide after the version (deprecated).
    let mut parts = h.version.split("\r\n");
    let mut version = parts.next().unwrap_or("HTTP/1.0").to_string();
    let mut headers: Vec<(String, String)> = parts
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = Vec::new();
    let mut expects = Vec::new();
    let mut disable_on_404 = false;
    for rule in &h.rules {
        let Some((kw, args)) = rule.split_first() else {
            continue;
        };
        match kw.as_str() {
            "send" => {
                let mut i = 0;
                while i < args.len() {
                    let val = args.get(i + 1).cloned().unwrap_or_default();
                    match args[i].as_str() {
                        "meth" => method = val,
                        "uri" => uri = val,
                        "ver" => version = val,
                        "body" => body = val.into_bytes(),
                        "comment" => {}
                        "hdr" => {
                            headers.push((val, args.get(i + 2).cloned().unwrap_or_default()));
                            i += 1;
                        }
                        other => ignored.push(format!(
                            "'http-check send {other}' is not supported by this harp build"
                        )),
                    }
                    i += 2;
                }
            }
            "expect" => match parse_expect(args, true) {
                Ok(e) => expects.push(e),
                Err(e) => ignored.push(format!("'http-check expect': {e}")),
            },
            "disable-on-404" => disable_on_404 = true,
            "comment" => {}
            other => ignored.push(format!(
                "'http-check {other}' is not supported by this harp build"
            )),
        }
    }
    let head = method.eq_ignore_ascii_case("HEAD");
    HttpPlan {
        request: http_request(&method, &uri, &version, &headers, &body),
        expects,
        disable_on_404,
        head,
    }
}

/// The request as HAProxy 2.6 writes it: header names in lower case, and
/// `connection: close` (plus `content-length` with a body) in HTTP/1.1.
pub fn http_request(
    method: &str,
    uri: &str,
    version: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method} {uri} {version}\r\n");
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    for (n, v) in headers {
        out.push_str(&format!("{}: {v}\r\n", n.to_ascii_lowercase()));
    }
    if version.eq_ignore_ascii_case("HTTP/1.1") {
        if !has("connection") {
            out.push_str("connection: close\r\n");
        }
        if !body.is_empty() && !has("content-length") {
            out.push_str(&format!("content-length: {}\r\n", body.len()));
        }
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn tcp_plan(rules: &[Vec<String>], ignored: &mut Vec<String>) -> Vec<TcpStep> {
    let mut steps = Vec::new();
    for rule in rules {
        let Some((kw, args)) = rule.split_first() else {
            continue;
        };
        match kw.as_str() {
            "connect" => {
                let mut port = None;
                let mut comment = None;
                let mut i = 0;
                while i < args.len() {
                    match args[i].as_str() {
                        "port" => {
                            port = args.get(i + 1).and_then(|p| p.parse().ok());
                            i += 1;
                        }
                        "comment" => {
                            comment = args.get(i + 1).cloned();
                            i += 1;
                        }
                        "default" | "linger" => {}
                        other => ignored.push(format!(
                            "'tcp-check connect {other}' is not supported by this harp build"
                        )),
                    }
                    i += 1;
                }
                steps.push(TcpStep::Connect {
                    port,
                    comment,
                    implicit: false,
                });
            }
            "send" | "send-binary" => {
                let Some(raw) = args.first() else { continue };
                let data = if kw == "send" {
                    Ok(raw.clone().into_bytes())
                } else {
                    unhex(raw)
                };
                let comment = comment_of(&args[1..]);
                match data {
                    Ok(data) => steps.push(TcpStep::Send { data, comment }),
                    Err(e) => ignored.push(format!("'tcp-check send-binary': {e}")),
                }
            }
            "expect" => match parse_expect(args, false) {
                Ok(e) => steps.push(TcpStep::Expect(e)),
                Err(e) => ignored.push(format!("'tcp-check expect': {e}")),
            },
            "comment" => {}
            other => ignored.push(format!(
                "'tcp-check {other}' is not supported by this harp build"
            )),
        }
    }
    if !matches!(steps.first(), Some(TcpStep::Connect { .. })) {
        steps.insert(
            0,
            TcpStep::Connect {
                port: None,
                comment: None,
                implicit: true,
            },
        );
    }
    steps
}

fn comment_of(args: &[String]) -> Option<String> {
    args.iter()
        .position(|a| a == "comment")
        .and_then(|i| args.get(i + 1).cloned())
}

/// Hex string to bytes (`send-binary`, `expect binary`).
pub fn unhex(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(format!("'{s}' is not an even-length hex string"));
    }
    b.chunks(2)
        .map(|c| {
            std::str::from_utf8(c)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("'{s}' is not a hex string"))
        })
        .collect()
}

/// `200-399,404` → ranges.
fn status_list(s: &str) -> Result<Vec<(u16, u16)>, String> {
    s.split(',')
        .map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            match (a.trim().parse::<u16>(), b.trim().parse::<u16>()) {
                (Ok(a), Ok(b)) if a <= b => Ok((a, b)),
                _ => Err(format!("invalid status code list '{s}'")),
            }
        })
        .collect()
}

/// `[min-recv N] [comment M] [ok-status S] ... [!] <match> <pattern>`.
fn parse_expect(args: &[String], http: bool) -> Result<Expect, String> {
    let mut comment = None;
    let (mut ok_status, mut error_status, mut tout_status) = (None, None, None);
    let mut negate = false;
    let mut i = 0;
    let status = |v: Option<&String>| -> Result<Option<CheckStatus>, String> {
        let v = v.ok_or("missing status")?;
        CheckStatus::from_name(v)
            .map(Some)
            .ok_or_else(|| format!("unknown check status '{v}'"))
    };
    while i < args.len() {
        let a = args[i].as_str();
        let next = args.get(i + 1);
        match a {
            "min-recv" => {}
            "comment" => comment = next.cloned(),
            "ok-status" => ok_status = status(next)?,
            "error-status" => error_status = status(next)?,
            "tout-status" => tout_status = status(next)?,
            "on-success" | "on-error" | "status-code" => {
                return Err(format!("'{a}' is not supported by this harp build"))
            }
            "!" => {
                negate = true;
                i += 1;
                continue;
            }
            _ => {
                let (neg, kind) = match a.strip_prefix('!') {
                    Some(k) => (true, k),
                    None => (false, a),
                };
                negate |= neg;
                let text = next.cloned().ok_or(format!("'{kind}' expects a pattern"))?;
                let pattern = match (kind, http) {
                    ("status", true) => Pattern::Status(status_list(&text)?),
                    ("rstatus", true) => {
                        Pattern::RStatus(regex::Regex::new(&text).map_err(|e| e.to_string())?)
                    }
                    ("string", _) => Pattern::String(text.clone().into_bytes()),
                    ("rstring", _) => Pattern::RString(
                        regex::bytes::Regex::new(&text).map_err(|e| e.to_string())?,
                    ),
                    ("binary", false) => Pattern::Binary(unhex(&text)?),
                    ("rbinary", false) => {
                        Pattern::RBinary(regex::Regex::new(&text).map_err(|e| e.to_string())?)
                    }
                    _ => return Err(format!("'{kind}' is not supported by this harp build")),
                };
                return Ok(Expect {
                    negate,
                    pattern,
                    text,
                    kind: kind.to_string(),
                    comment,
                    ok_status,
                    error_status,
                    tout_status,
                });
            }
        }
        i += 2;
    }
    Err("missing match keyword".into())
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
