//! Rendering a compiled log-format (HAProxy manual §8.2.6) with a
//! [`LogRecord`]: flags `+Q` (quote), `+X` (hexadecimal), `+E` (escape
//! `"`, `\` and `]` for RFC 5424 structured data), `%o` (flags for all
//! following variables), `-` for missing values, the `#XX` encoding of
//! request lines and captured headers (§8.6), and the space separators
//! that merge (§8.2.6: "spaces are considered as delimiters and are
//! merged").
//!
//! Behaviour checked against HAProxy 2.6.12 (tests/log_*.rs list the
//! observed lines).

use crate::config::acl::SampleExpr;
use crate::config::logformat::{LfItem, LogFormat};

use super::date;
use super::record::{LogRecord, Peer};

/// `option httplog` (manual §8.2.3).
pub const HTTPLOG_FORMAT: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";

/// `option httplog clf` (manual §8.2.3).
pub const HTTPLOG_CLF_FORMAT: &str = "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl";

/// `option httpslog` (manual §8.2.4).
pub const HTTPSLOG_FORMAT: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc";

/// `option tcplog` (manual §8.2.2).
pub const TCPLOG_FORMAT: &str =
    "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";

/// Variables HAProxy 2.6 refuses outside `mode http` (checked with
/// `haproxy -c`): the config layer reports [`http_only_message`].
pub const HTTP_ONLY_VARIABLES: &[&str] = &[
    "CC", "CS", "HM", "HP", "HPO", "HQ", "HU", "HV", "Ta", "Ti", "Tq", "TR", "Tr", "r", "tr",
    "trg", "trl",
];

/// HAProxy's text for an HTTP-only variable in a TCP proxy (it follows
/// `failed to parse log-format : `).
pub fn http_only_message(name: &str) -> String {
    format!("format variable '{name}' is reserved for HTTP mode.")
}

/// Evaluates `%[sample]` items; the result is logged as text.
pub trait SampleSource {
    fn sample(&self, expr: &SampleExpr) -> Option<String>;
}

/// No sample engine: every `%[...]` logs as missing (`-`).
pub struct NoSamples;

impl SampleSource for NoSamples {
    fn sample(&self, _expr: &SampleExpr) -> Option<String> {
        None
    }
}

/// The per-variable options HAProxy 2.6 knows: Q, X, E.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub quote: bool,
    pub hex: bool,
    pub escape: bool,
}

impl Flags {
    /// Applies `+Q`, `-X`, ... in order. Unknown names and names without a
    /// sign are ignored, as HAProxy does.
    pub fn apply(mut self, flags: &[String]) -> Flags {
        for f in flags {
            let (on, name) = match f.as_bytes().first() {
                Some(b'+') => (true, &f[1..]),
                Some(b'-') => (false, &f[1..]),
                _ => continue,
            };
            match name {
                "Q" => self.quote = on,
                "X" => self.hex = on,
                "E" => self.escape = on,
                _ => {}
            }
        }
        self
    }
}

/// Which bytes are written as `#XX` (manual §8.6).
#[derive(Clone, Copy)]
enum Map {
    /// Request line and its parts: non-printables, `"` and `#`.
    Url,
    /// Captured headers: also `{`, `|` and `}`.
    Header,
}

impl Map {
    fn encodes(self, b: u8) -> bool {
        if !(32..127).contains(&b) || b == b'"' || b == b'#' {
            return true;
        }
        matches!(self, Map::Header) && matches!(b, b'{' | b'|' | b'}')
    }
}

fn rfc5424_special(b: u8) -> bool {
    matches!(b, b'"' | b'\\' | b']')
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The line being built. `last_space` implements the merging separators:
/// a space is written only after something that is not a space, and the
/// line starts as if after a space (a leading separator is dropped).
struct Line {
    out: String,
    last_space: bool,
    /// HAProxy stops the line where a field cannot be produced.
    stopped: bool,
}

impl Line {
    fn text_literal(&mut self, t: &str) {
        for ch in t.chars() {
            if ch == ' ' {
                if !self.last_space {
                    self.out.push(' ');
                    self.last_space = true;
                }
            } else {
                self.out.push(ch);
                self.last_space = false;
            }
        }
    }

    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
        self.last_space = false;
    }

    /// A plain text field: quoted with Q, `\`-escaped with E, `-` (or `""`
    /// when quoted) when missing or empty.
    fn text(&mut self, v: Option<&str>, f: Flags) {
        if f.quote {
            self.out.push('"');
        }
        match v {
            Some(s) if !s.is_empty() => {
                if f.escape {
                    for ch in s.chars() {
                        if ch.is_ascii() && rfc5424_special(ch as u8) {
                            self.out.push('\\');
                        }
                        self.out.push(ch);
                    }
                } else {
                    self.out.push_str(s);
                }
            }
            _ => {
                if !f.quote {
                    self.out.push('-');
                }
            }
        }
        if f.quote {
            self.out.push('"');
        }
        self.last_space = false;
    }

    /// `#XX`-encoded bytes; with E the RFC 5424 specials left by the map
    /// are `\`-escaped.
    fn encoded(&mut self, s: &str, map: Map, f: Flags) {
        for &b in s.as_bytes() {
            if map.encodes(b) {
                self.out.push('#');
                self.out.push(HEX[usize::from(b >> 4)] as char);
                self.out.push(HEX[usize::from(b & 15)] as char);
            } else {
                if f.escape && rfc5424_special(b) {
                    self.out.push('\\');
                }
                self.out.push(b as char);
            }
        }
        self.last_space = false;
    }

    /// An encoded value between optional quotes (request line parts).
    fn quoted_encoded(&mut self, s: &str, map: Map, f: Flags) {
        if f.quote {
            self.out.push('"');
        }
        self.encoded(s, map, f);
        if f.quote {
            self.out.push('"');
        }
        self.last_space = false;
    }

    fn num(&mut self, v: impl std::fmt::Display) {
        self.raw(&v.to_string());
    }

    fn timer(&mut self, v: i64, plus: bool) {
        if plus {
            self.out.push('+');
        }
        self.num(v);
    }

    fn ip(&mut self, p: Option<&Peer>, f: Flags) {
        match p {
            None => self.text(None, f),
            Some(Peer::Inet(sa)) if f.hex => match sa.ip() {
                std::net::IpAddr::V4(v4) => {
                    let o = v4.octets();
                    self.raw(&format!("{:02X}{:02X}{:02X}{:02X}", o[0], o[1], o[2], o[3]));
                }
                std::net::IpAddr::V6(v6) => {
                    let s: String = v6.segments().iter().map(|w| format!("{w:04X}")).collect();
                    self.raw(&s);
                }
            },
            Some(Peer::Inet(sa)) => self.text(Some(&sa.ip().to_string()), f),
            // HAProxy 2.6 cannot print a UNIX address in hex: the line
            // ends here (observed with `%{+X}ci` on a unix@ listener).
            Some(Peer::Unix { .. }) if f.hex => self.stopped = true,
            Some(Peer::Unix { .. }) => self.text(Some("unix"), f),
        }
    }

    fn port(&mut self, p: Option<&Peer>, f: Flags) {
        match p {
            None => self.text(None, f),
            Some(Peer::Inet(sa)) if f.hex => self.raw(&format!("{:04X}", sa.port())),
            Some(Peer::Inet(sa)) => self.num(sa.port()),
            Some(Peer::Unix { listener_id }) => self.num(listener_id),
        }
    }

    fn maybe_hex(&mut self, v: u64, f: Flags) {
        if f.hex {
            self.raw(&format!("{v:04X}"));
        } else {
            self.num(v);
        }
    }

    /// `%hr`/`%hs`: `{a|b}`; nothing at all when no capture exists.
    fn captures_block(&mut self, caps: Option<&Vec<Option<String>>>, f: Flags) {
        let Some(caps) = caps else { return };
        if f.quote {
            self.out.push('"');
        }
        self.out.push('{');
        for (i, c) in caps.iter().enumerate() {
            if i > 0 {
                self.out.push('|');
            }
            if let Some(v) = c {
                self.encoded(v, Map::Header, f);
            }
        }
        self.out.push('}');
        if f.quote {
            self.out.push('"');
        }
        self.last_space = false;
    }

    /// `%hrl`/`%hsl`: one field per capture, separated by spaces, `-` (or
    /// `""` when quoted) for an absent header.
    fn captures_list(&mut self, caps: Option<&Vec<Option<String>>>, f: Flags) {
        let Some(caps) = caps else { return };
        for (i, c) in caps.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            if f.quote {
                self.out.push('"');
            }
            match c {
                Some(v) => self.encoded(v, Map::Header, f),
                None if !f.quote => self.out.push('-'),
                None => {}
            }
            if f.quote {
                self.out.push('"');
            }
        }
        self.last_space = false;
    }
}

/// The request line split as HAProxy's `%HM`, `%HU`, ... see it.
struct RequestParts<'a> {
    method: &'a str,
    /// `None` when there is no URI (no space after the method).
    uri: Option<&'a str>,
    version: &'a str,
}

const BADREQ: &str = "<BADREQ>";

fn is_spht(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn split_request(line: &str) -> RequestParts<'_> {
    let m_end = line.find(is_spht).unwrap_or(line.len());
    let method = &line[..m_end];
    let rest = &line[m_end..];
    let after = rest.trim_start_matches(is_spht);
    if after.len() == rest.len() {
        return RequestParts {
            method,
            uri: None,
            version: "",
        };
    }
    let u_end = after.find(is_spht).unwrap_or(after.len());
    let uri = &after[..u_end];
    let tail = after[u_end..].trim_start_matches(is_spht);
    let v_end = tail.find(is_spht).unwrap_or(tail.len());
    RequestParts {
        method,
        uri: Some(uri),
        version: &tail[..v_end],
    }
}

/// The path of a URI without scheme and authority, up to `?`.
fn path_only(uri: &str) -> &str {
    let no_query = &uri[..uri.find('?').unwrap_or(uri.len())];
    if no_query.starts_with('/') {
        return no_query;
    }
    match no_query.find("://") {
        Some(i) => {
            let after = &no_query[i + 3..];
            match after.find('/') {
                Some(j) => &after[j..],
                None => "",
            }
        }
        None => "",
    }
}

/// Renders `fmt` for `rec` without a sample engine.
pub fn render(fmt: &LogFormat, rec: &LogRecord) -> String {
    render_with(fmt, rec, &NoSamples)
}

/// Renders `fmt` for `rec`; `%[...]` items are asked of `samples`. The
/// result is not truncated: see [`super::syslog::fit_message`].
pub fn render_with(fmt: &LogFormat, rec: &LogRecord, samples: &dyn SampleSource) -> String {
    let mut line = Line {
        out: String::with_capacity(256),
        last_space: true,
        stopped: false,
    };
    let mut defaults = Flags::default();
    for item in &fmt.items {
        if line.stopped {
            break;
        }
        match item {
            LfItem::Text(t) => line.text_literal(t),
            LfItem::Sample { expr, flags } => {
                let f = defaults.apply(flags);
                let v = samples.sample(expr);
                line.text(v.as_deref(), f);
            }
            LfItem::Var { name, flags } => {
                let f = defaults.apply(flags);
                if name == "o" {
                    defaults = f;
                    continue;
                }
                variable(&mut line, name, f, rec);
            }
        }
    }
    line.out
}

fn variable(line: &mut Line, name: &str, f: Flags, rec: &LogRecord) {
    let t = &rec.timers;
    let asap = rec.logasap;
    match name {
        "B" => {
            if asap {
                line.out.push('+');
            }
            line.num(rec.bytes_out);
        }
        "U" => line.num(rec.bytes_in),
        "CC" => line.text(rec.cookie_req.as_deref(), f),
        "CS" => line.text(rec.cookie_resp.as_deref(), f),
        "H" => line.text(Some(&rec.hostname), f),
        "ID" => line.text(rec.unique_id.as_deref(), f),
        "ST" => line.num(rec.status.map_or(-1, i32::from)),
        "T" => line.raw(&date::gmt_date(rec.accept_date)),
        "Tl" => line.raw(&date::local_date(rec.accept_date, rec.utc_offset_secs)),
        "t" => line.raw(&date::log_date_ms(rec.accept_date, rec.utc_offset_secs)),
        "tr" => line.raw(&date::log_date_ms(rec.request_date(), rec.utc_offset_secs)),
        "trg" => line.raw(&date::gmt_date(rec.request_date())),
        "trl" => line.raw(&date::local_date(rec.request_date(), rec.utc_offset_secs)),
        "Ts" => line.maybe_hex(u64::try_from(rec.accept_date.secs).unwrap_or(0), f),
        "ms" => {
            let ms = rec.accept_date.millis();
            if f.hex {
                line.raw(&format!("{ms:02X}"));
            } else {
                line.raw(&format!("{ms:03}"));
            }
        }
        "Ta" => line.timer(t.ta, asap),
        "Tc" => line.num(t.tc),
        "Td" => line.num(t.td(rec.http)),
        "Th" => line.num(t.th),
        "Ti" => line.num(t.ti),
        "Tq" => line.num(t.tq()),
        "TR" => line.num(t.treq),
        "Tr" => line.num(t.tr),
        "Tt" => line.timer(t.tt, asap),
        "Tu" => line.timer(t.tu(), asap),
        "Tw" => line.num(t.tw),
        "ac" => line.num(rec.actconn),
        "fc" => line.num(rec.feconn),
        "bc" => line.num(rec.beconn),
        "sc" => line.num(rec.srv_conn),
        "sq" => line.num(rec.srv_queue),
        "bq" => line.num(rec.backend_queue),
        "rc" => {
            if rec.redispatched {
                line.out.push('+');
            }
            line.num(rec.retries);
        }
        "rt" => line.maybe_hex(rec.request_counter, f),
        "lc" => line.num(rec.log_counter),
        "pid" => line.maybe_hex(u64::from(rec.pid), f),
        "f" => line.text(Some(&rec.frontend), f),
        "ft" => {
            if rec.frontend_tls {
                line.text(Some(&format!("{}~", rec.frontend)), f)
            } else {
                line.text(Some(&rec.frontend), f)
            }
        }
        "b" => line.text(Some(rec.backend.as_deref().unwrap_or(&rec.frontend)), f),
        "s" => line.text(Some(rec.server.as_deref().unwrap_or("<NOSRV>")), f),
        "ci" => line.ip(rec.client.as_ref(), f),
        "cp" => line.port(rec.client.as_ref(), f),
        "fi" => line.ip(rec.frontend_addr.as_ref(), f),
        "fp" => line.port(rec.frontend_addr.as_ref(), f),
        "bi" => line.ip(rec.backend_src.as_ref(), f),
        "bp" => line.port(rec.backend_src.as_ref(), f),
        "si" => line.ip(rec.server_addr.as_ref(), f),
        "sp" => line.port(rec.server_addr.as_ref(), f),
        "ts" => line.raw(&rec.term.short()),
        "tsc" => line.raw(&rec.term.with_cookies()),
        "hr" => line.captures_block(rec.req_captures.as_ref(), f),
        "hs" => line.captures_block(rec.resp_captures.as_ref(), f),
        "hrl" => line.captures_list(rec.req_captures.as_ref(), f),
        "hsl" => line.captures_list(rec.resp_captures.as_ref(), f),
        "sslc" => line.text(rec.ssl_cipher.as_deref(), f),
        "sslv" => line.text(rec.ssl_version.as_deref(), f),
        "r" => {
            let l = rec.request_line.as_deref().unwrap_or(BADREQ);
            line.quoted_encoded(l, Map::Url, f);
        }
        "HM" | "HU" | "HP" | "HPO" | "HQ" | "HV" => {
            let part = request_part(rec.request_line.as_deref(), name);
            line.quoted_encoded(part, Map::Url, f);
        }
        // Names the config parser accepts but that carry nothing here.
        _ => line.text(None, f),
    }
}

fn request_part<'a>(line: Option<&'a str>, name: &str) -> &'a str {
    let Some(line) = line else { return BADREQ };
    let p = split_request(line);
    if name == "HM" {
        return p.method;
    }
    let Some(uri) = p.uri else { return BADREQ };
    match name {
        "HU" => uri,
        "HP" => &uri[..uri.find('?').unwrap_or(uri.len())],
        "HPO" => path_only(uri),
        "HQ" => &uri[uri.find('?').unwrap_or(uri.len())..],
        _ if p.version.is_empty() => "HTTP/0.9",
        _ => p.version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_apply_in_order() {
        let f = Flags::default().apply(&["+Q".into(), "+X".into(), "-Q".into(), "E".into()]);
        assert_eq!(
            f,
            Flags {
                quote: false,
                hex: true,
                escape: false
            }
        );
        let g = f.apply(&["+E".into(), "+bogus".into()]);
        assert!(g.escape && g.hex && !g.quote);
    }

    #[test]
    fn request_line_parts() {
        let parts = |l: &str| {
            ["HM", "HU", "HP", "HPO", "HQ", "HV"]
                .iter()
                .map(|n| request_part(Some(l), n).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            parts("GET http://h:1/p/q?z HTTP/1.1"),
            [
                "GET",
                "http://h:1/p/q?z",
                "http://h:1/p/q",
                "/p/q",
                "?z",
                "HTTP/1.1"
            ]
        );
        assert_eq!(
            parts("GET /x? HTTP/1.0"),
            ["GET", "/x?", "/x", "/x", "?", "HTTP/1.0"]
        );
        assert_eq!(parts("GET /p"), ["GET", "/p", "/p", "/p", "", "HTTP/0.9"]);
        assert_eq!(
            parts("GET"),
            ["GET", BADREQ, BADREQ, BADREQ, BADREQ, BADREQ]
        );
        assert_eq!(request_part(None, "HM"), BADREQ);
        assert_eq!(path_only("h:443"), "");
        assert_eq!(path_only("http://host"), "");
    }

    #[test]
    fn encoding_maps() {
        assert!(Map::Url.encodes(b'"') && Map::Url.encodes(b'#') && Map::Url.encodes(0x7f));
        assert!(!Map::Url.encodes(b'{') && Map::Header.encodes(b'{'));
        assert!(Map::Header.encodes(b'|') && !Map::Header.encodes(b' '));
    }
}
