//! Judging what a server answered: an HTTP check response against the
//! `http-check expect` rules (2xx/3xx by default), and tcp-check data
//! against one `tcp-check expect`. Pure; the texts are HAProxy 2.6's.

use super::plan::{Expect, HttpPlan, Pattern};
use super::status::{CheckResult, CheckStatus};

/// An HTTP response head: status code, reason phrase, body start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub code: u16,
    pub reason: String,
    /// Offset of the body in the buffer.
    pub body_at: usize,
    pub content_length: Option<usize>,
    pub chunked: bool,
}

/// What the start of a response is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Incomplete,
    NotHttp,
    Head(Head),
}

/// Parse the status line and headers.
pub fn parse_head(buf: &[u8]) -> Parsed {
    match head_of(buf) {
        Ok(Some(h)) => Parsed::Head(h),
        Ok(None) => Parsed::Incomplete,
        Err(NotHttp) => Parsed::NotHttp,
    }
}

struct NotHttp;

fn head_of(buf: &[u8]) -> Result<Option<Head>, NotHttp> {
    let prefix = b"HTTP/";
    let n = buf.len().min(prefix.len());
    if buf[..n] != prefix[..n] {
        return Err(NotHttp);
    }
    let Some(end) = find(buf, b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| find(buf, b"\n\n").map(|i| (i, i + 2)))
    else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end.0]).map_err(|_| NotHttp)?;
    let mut lines = head.lines();
    let status = lines.next().ok_or(NotHttp)?;
    let mut parts = status.splitn(3, ' ');
    let _version = parts.next();
    let code: u16 = parts
        .next()
        .and_then(|c| c.trim().parse().ok())
        .filter(|c| (100..=999).contains(c))
        .ok_or(NotHttp)?;
    let reason = parts.next().unwrap_or("").trim().to_string();
    let mut content_length = None;
    let mut chunked = false;
    for l in lines {
        if let Some((n, v)) = l.split_once(':') {
            let (n, v) = (n.trim(), v.trim());
            if n.eq_ignore_ascii_case("content-length") {
                content_length = v.parse().ok();
            } else if n.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.to_ascii_lowercase().contains("chunked");
            }
        }
    }
    Ok(Some(Head {
        code,
        reason,
        body_at: end.1,
        content_length,
        chunked,
    }))
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Chunked body to plain bytes (as much as is complete).
fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = find(b, b"\r\n") {
        let size_txt = std::str::from_utf8(&b[..eol]).unwrap_or("");
        let size_txt = size_txt.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_txt, 16) else {
            break;
        };
        let start = eol + 2;
        let end = start.saturating_add(size);
        if size == 0 || end > b.len() {
            out.extend_from_slice(&b[start.min(b.len())..end.min(b.len())]);
            break;
        }
        out.extend_from_slice(&b[start..end]);
        b = &b[end.saturating_add(2).min(b.len())..];
    }
    out
}

/// Judge an HTTP check response. `closed`: the server closed (or the
/// read ended), so no more data comes. `None`: wait for more.
pub fn judge_http(plan: &HttpPlan, buf: &[u8], closed: bool) -> Option<CheckResult> {
    let invalid = || Some(CheckResult::new(CheckStatus::L7Rsp, None, None));
    let head = match parse_head(buf) {
        Parsed::NotHttp => return invalid(),
        Parsed::Incomplete if closed => return invalid(),
        Parsed::Incomplete => return None,
        Parsed::Head(h) => h,
    };
    let code = Some(head.code);
    if plan.disable_on_404 && head.code == 404 {
        return Some(CheckResult::new(CheckStatus::L7OkC, code, None));
    }
    let wrong_status = |e: Option<&Expect>| {
        let info = e
            .and_then(|e| e.comment.clone())
            .unwrap_or_else(|| head.reason.clone());
        let status = e.and_then(|e| e.error_status).unwrap_or(CheckStatus::L7Sts);
        Some(CheckResult::new(status, code, Some(info)))
    };
    if plan.expects.is_empty() {
        return if (200..400).contains(&head.code) {
            Some(CheckResult::new(CheckStatus::L7Ok, code, None))
        } else {
            wrong_status(None)
        };
    }
    let needs_body = plan
        .expects
        .iter()
        .any(|e| matches!(e.pattern, Pattern::String(_) | Pattern::RString(_)));
    let raw = &buf[head.body_at.min(buf.len())..];
    let body: Vec<u8> = if head.chunked {
        dechunk(raw)
    } else {
        match head.content_length {
            Some(n) => raw[..n.min(raw.len())].to_vec(),
            None => raw.to_vec(),
        }
    };
    if needs_body && !plan.head && !closed {
        let complete = match head.content_length {
            Some(n) => raw.len() >= n,
            None => head.chunked && find(raw, b"0\r\n\r\n").is_some(),
        };
        if !complete {
            return None;
        }
    }
    for e in &plan.expects {
        let matched = match &e.pattern {
            Pattern::Status(list) => list.iter().any(|&(a, b)| (a..=b).contains(&head.code)),
            Pattern::RStatus(re) => re.is_match(&head.code.to_string()),
            Pattern::String(s) => find(&body, s).is_some(),
            Pattern::RString(re) => re.is_match(&body),
            Pattern::Binary(_) | Pattern::RBinary(_) => false,
        };
        if matched == e.negate {
            return match e.pattern {
                Pattern::Status(_) | Pattern::RStatus(_) => wrong_status(Some(e)),
                _ => {
                    let text = if e.negate {
                        "HTTP check matched unwanted content"
                    } else {
                        "HTTP content check did not match"
                    };
                    let info = e.comment.clone().unwrap_or_else(|| text.to_string());
                    let status = e.error_status.unwrap_or(CheckStatus::L7Rsp);
                    Some(CheckResult::new(status, code, Some(info)))
                }
            };
        }
    }
    let ok = plan
        .expects
        .last()
        .and_then(|e| e.ok_status)
        .unwrap_or(CheckStatus::L7Ok);
    Some(CheckResult::new(ok, code, None))
}

/// What one tcp-check `expect` made of the data so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpJudgement {
    Pass,
    NeedMore,
    Fail(CheckResult),
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// ` 'ZZZ'`, ` (regex)`...: how a failed match names the pattern.
fn pattern_words(e: &Expect) -> String {
    match e.pattern {
        Pattern::RString(_) | Pattern::RStatus(_) => " (regex)".into(),
        Pattern::Binary(_) => " (binary)".into(),
        Pattern::RBinary(_) => " (binary regex)".into(),
        _ => format!(" '{}'", e.text),
    }
}

/// Judge tcp-check data against `e`, the `step`-th rule.
pub fn judge_tcp(e: &Expect, buf: &[u8], closed: bool, step: usize) -> TcpJudgement {
    let matched = match &e.pattern {
        Pattern::String(s) | Pattern::Binary(s) => find(buf, s).is_some(),
        Pattern::RString(re) => re.is_match(buf),
        Pattern::RBinary(re) => re.is_match(&hex_upper(buf)),
        Pattern::Status(_) | Pattern::RStatus(_) => false,
    };
    let fail = |text: String| {
        let info = e.comment.clone().unwrap_or(text);
        let status = e.error_status.unwrap_or(CheckStatus::L7Rsp);
        TcpJudgement::Fail(CheckResult::new(status, None, Some(info)))
    };
    if matched {
        return if e.negate {
            fail(format!(
                "TCPCHK matched unwanted content{} at step {step}",
                pattern_words(e)
            ))
        } else {
            TcpJudgement::Pass
        };
    }
    if !closed {
        return TcpJudgement::NeedMore;
    }
    if buf.is_empty() {
        return fail(format!("TCPCHK got an empty response at step {step}"));
    }
    if e.negate {
        TcpJudgement::Pass
    } else {
        fail(format!(
            "TCPCHK did not match content{} at step {step}",
            pattern_words(e)
        ))
    }
}

/// `(expect string 'ZZZ')`: how a timed-out expect is described.
pub fn expect_label(e: &Expect) -> String {
    match &e.pattern {
        Pattern::RString(_) => "(expect regex)".into(),
        Pattern::RBinary(_) => "(expect binary regex)".into(),
        Pattern::Binary(b) => format!("(expect binary '{}')", String::from_utf8_lossy(b)),
        _ => format!("(expect {} '{}')", e.kind, e.text),
    }
}

#[cfg(test)]
#[path = "expect_tests.rs"]
mod tests;
