//! Running compiled rules on a transaction (manual §4.2 `http-request`,
//! `http-response`, `redirect`): conditions are evaluated by the sample
//! module, actions rewrite the transaction or end it with a response.

use crate::http::redirect::{response as redirect_response, RequestView};
use crate::http::Response as OwnResponse;
use crate::runtime::rules::{Action, CompiledRule, Fmt};
use crate::sample::{rule_applies, EvalCtx, Sample};

use super::txn::Txn;

/// What the rules decided.
#[derive(Debug)]
pub enum Verdict {
    /// Go on (next rule set, then the server).
    Continue,
    /// Answer now with this response.
    Respond(OwnResponse),
    /// `tarpit`: hold the client for `timeout tarpit`, then answer.
    Tarpit(u16),
    /// `deny` (answered with the proxy's message for that status).
    Deny(u16),
    /// `auth`: 401 with a challenge for this realm.
    Auth(Option<String>),
    /// `use-service prometheus-exporter`, with the request URI (its query
    /// selects what is exported).
    Prometheus(String),
}

fn render(f: &Fmt, txn: &Txn<'_>, response: bool) -> String {
    let ctx = if response {
        EvalCtx::response(txn)
    } else {
        EvalCtx::request(txn)
    };
    f.render(&ctx, txn)
}

/// HAProxy writes back-references as `\1`; the regex crate as `${1}`.
fn backrefs(repl: &str) -> String {
    let mut out = String::with_capacity(repl.len());
    let mut chars = repl.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(d)) if d.is_ascii_digit() => {
                out.push_str(&format!("${{{d}}}"));
                chars.next();
            }
            ('$', _) => out.push_str("$$"),
            _ => out.push(c),
        }
    }
    out
}

fn set_header(h: &mut Vec<(String, String)>, name: &str, value: String, add: bool) {
    if !add {
        h.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }
    h.push((name.to_ascii_lowercase(), value));
}

/// Run one rule set. `response` selects the response side (headers,
/// status) for header actions and the evaluation direction.
pub fn run(rules: &[CompiledRule], txn: &mut Txn<'_>, response: bool) -> Verdict {
    for r in rules {
        let applies = {
            let ctx = if response {
                EvalCtx::response(&*txn)
            } else {
                EvalCtx::request(&*txn)
            };
            rule_applies(r.cond.as_ref(), &ctx)
        };
        if !applies {
            continue;
        }
        match &r.action {
            Action::Allow | Action::Accept => return Verdict::Continue,
            Action::Reject => return Verdict::Deny(0),
            Action::Deny {
                status,
                tarpit: false,
            } => return Verdict::Deny(*status),
            Action::Deny {
                status,
                tarpit: true,
            } => return Verdict::Tarpit(*status),
            Action::Auth { realm } => return Verdict::Auth(realm.clone()),
            Action::Prometheus => return Verdict::Prometheus(txn.uri.clone()),
            Action::Redirect(rd) => {
                let view = RequestView {
                    uri: &txn.uri,
                    host: txn.header("host"),
                };
                return Verdict::Respond(redirect_response(rd, &view));
            }
            Action::Return {
                status,
                content_type,
                body,
                hdrs,
            } => {
                let body = body
                    .as_ref()
                    .map(|b| render(b, txn, response))
                    .unwrap_or_default();
                let hdrs: Vec<(String, String)> = hdrs
                    .iter()
                    .map(|(n, f)| (n.clone(), render(f, txn, response)))
                    .collect();
                return Verdict::Respond(crate::http::ret::build(
                    *status,
                    content_type.as_deref().filter(|_| !body.is_empty()),
                    body.as_bytes(),
                    &hdrs,
                ));
            }
            Action::SetHeader { name, value, add } => {
                let v = render(value, txn, response);
                let h = if response {
                    &mut txn.res_headers
                } else {
                    &mut txn.headers
                };
                set_header(h, name, v, *add);
            }
            Action::DelHeader { name } => {
                let h = if response {
                    &mut txn.res_headers
                } else {
                    &mut txn.headers
                };
                h.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            }
            Action::ReplaceHeader {
                name,
                re,
                with,
                per_value,
            } => {
                let repl = backrefs(&render(with, txn, response));
                let h = if response {
                    &mut txn.res_headers
                } else {
                    &mut txn.headers
                };
                for (k, v) in h.iter_mut().filter(|(k, _)| k.eq_ignore_ascii_case(name)) {
                    let _ = k;
                    *v = if *per_value {
                        v.split(',')
                            .map(|part| re.replace(part.trim(), repl.as_str()).into_owned())
                            .collect::<Vec<_>>()
                            .join(",")
                    } else {
                        re.replace(v, repl.as_str()).into_owned()
                    };
                }
            }
            Action::SetPath(f) => {
                let p = render(f, txn, response);
                let q = txn
                    .path_and_query()
                    .1
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default();
                txn.uri = format!("{p}{q}");
            }
            Action::SetPathq(f) | Action::SetUri(f) => txn.uri = render(f, txn, response),
            Action::SetQuery(f) => {
                let q = render(f, txn, response);
                let p = txn.path_and_query().0.to_string();
                txn.uri = if q.is_empty() { p } else { format!("{p}?{q}") };
            }
            Action::SetMethod(f) => txn.method = render(f, txn, response),
            Action::ReplacePath { re, with } => {
                let repl = backrefs(&render(with, txn, response));
                let (p, q) = txn.path_and_query();
                let q = q.map(|q| format!("?{q}")).unwrap_or_default();
                let np = re.replace(p, repl.as_str()).into_owned();
                txn.uri = format!("{np}{q}");
            }
            Action::ReplaceUri { re, with } => {
                let repl = backrefs(&render(with, txn, response));
                txn.uri = re.replace(&txn.uri, repl.as_str()).into_owned();
            }
            Action::SetStatus { status, reason } => {
                txn.status = Some(*status);
                txn.reason = reason.clone();
            }
            Action::SetVar { name, expr } => {
                let v = {
                    let ctx = if response {
                        EvalCtx::response(&*txn)
                    } else {
                        EvalCtx::request(&*txn)
                    };
                    expr.eval(&ctx)
                };
                if let Some(v) = v {
                    sample_set(txn, name, v);
                }
            }
            Action::UnsetVar { name } => crate::sample::SampleSource::unset_var(&*txn, name),
        }
    }
    Verdict::Continue
}

fn sample_set(txn: &Txn<'_>, name: &str, v: Sample) {
    crate::sample::SampleSource::set_var(txn, name, v);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backreferences_become_regex_crate_syntax() {
        assert_eq!(backrefs(r"/v2\1"), "/v2${1}");
        assert_eq!(backrefs("a$b"), "a$$b");
    }
}
