//! ACLs, rule sets (`http-request`, `tcp-request content`, ...), backend
//! switching, redirects and the stats page keywords (HAProxy manual §4.2,
//! §7).

use crate::config::acl::{self, Condition};
use crate::config::model::{HttpCheck, Rule, Switch};
use crate::config::support::{action, Context, Status};
use crate::diag::{Diagnostics, Loc};

use super::proxy::Cur;
use super::{refused_message, tight_alert};

/// The rule-set keyword a line starts with, as written in the support
/// table (`http-request`, `tcp-request content`, ...).
pub(super) fn rule_set_name(w: &[String]) -> Option<&'static str> {
    let second = w.get(1).map(String::as_str);
    Some(match (w[0].as_str(), second) {
        ("http-request", _) => "http-request",
        ("http-response", _) => "http-response",
        ("http-after-response", _) => "http-after-response",
        ("tcp-request", Some("connection")) => "tcp-request connection",
        ("tcp-request", Some("content")) => "tcp-request content",
        ("tcp-request", Some("session")) => "tcp-request session",
        ("tcp-response", Some("content")) => "tcp-response content",
        _ => return None,
    })
}

/// Split `words` at `if`/`unless`: (action words, condition words).
fn split_cond(words: &[String]) -> (&[String], Option<&[String]>) {
    match words.iter().position(|w| w == "if" || w == "unless") {
        Some(i) => (&words[..i], Some(&words[i..])),
        None => (words, None),
    }
}

/// Parse and check a condition: named ACLs must exist (declared above, as
/// HAProxy requires) and every fetch must be one harp runs.
pub(super) fn condition(
    cur: &mut Cur,
    rule: &str,
    words: Option<&[String]>,
    loc: &Loc,
    d: &mut Diagnostics,
) -> Result<Option<Condition>, ()> {
    let Some(words) = words else {
        return Ok(None);
    };
    // Switching rules word their condition errors differently.
    let wrap = |e: &str| match rule {
        "use_backend" => format!("error detected while parsing switching rule : {e}."),
        "use-server" => format!("error detected while parsing server switching rule : {e}."),
        _ => acl::condition_error(rule, e),
    };
    let cond = match acl::parse_condition(words) {
        Ok(c) => c,
        Err(e) => {
            d.alert(Some(loc.clone()), wrap(&e));
            return Err(());
        }
    };
    let names = &cur.acl_names;
    if let Err(e) = acl::resolve(&cond, |n| names.contains(n)) {
        d.alert(Some(loc.clone()), wrap(&e));
        return Err(());
    }
    for t in cond.or_terms.iter().flatten() {
        if let acl::AclRef::Anonymous(def) = &t.acl {
            note_userlist(cur, def, loc);
        }
    }
    let refused = cond.refused_items();
    if let Some(first) = refused.first() {
        d.alert(
            Some(loc.clone()),
            refused_message(first, "this sample fetch or converter is not implemented"),
        );
        return Err(());
    }
    Ok(Some(cond))
}

/// Remember the userlist an `http_auth(...)` ACL names.
fn note_userlist(cur: &mut Cur, def: &acl::AclDef, loc: &Loc) {
    if def.expr.fetch.starts_with("http_auth") {
        if let Some(ul) = def.expr.args.first() {
            let kw = def
                .keyword
                .clone()
                .unwrap_or_else(|| def.expr.fetch.clone());
            cur.proxy.userlist_refs.push((ul.clone(), kw, loc.clone()));
        }
    }
}

/// One line of a rule set: `<set> <action>[(arg)] [args...] [if|unless cond]`.
pub(super) fn rule_line(
    cur: &mut Cur,
    set: &'static str,
    rest: &[String],
    loc: &Loc,
    d: &mut Diagnostics,
) {
    let Some(act) = rest.first() else {
        d.push(tight_alert(loc, format!("'{set}' expects an action.")));
        return;
    };
    // `set-var(txn.x)` → `set-var`; `lua.foo` → `lua.*`.
    let key = if act.starts_with("lua.") {
        "lua.*".to_string()
    } else {
        act.split('(').next().unwrap_or(act).to_string()
    };
    let Some(entry) = action::lookup_action(set, &key) else {
        // HAProxy stops reading the configuration here.
        d.abort = true;
        let cands: Vec<&str> = crate::config::support::keywords(Context::Action(set)).collect();
        let hint = crate::config::suggest::did_you_mean(&key, cands)
            .map(|s| format!(" did you mean '{s}' maybe ?"))
            .unwrap_or_default();
        d.push(tight_alert(
            loc,
            format!("'{set}' expects a known action, but got '{act}'.{hint}"),
        ));
        return;
    };
    match entry.status {
        Status::Implemented => {}
        Status::NoEffect => {
            d.warning(
                Some(loc.clone()),
                format!(
                    "'{set} {key}' is accepted but has no effect in harp ({}).",
                    entry.note
                ),
            );
            return;
        }
        Status::Refused => {
            d.alert(
                Some(loc.clone()),
                refused_message(&format!("{set} {key}"), entry.note),
            );
            return;
        }
        Status::Removed(m) => {
            d.alert(Some(loc.clone()), m.to_string());
            return;
        }
    }
    let (action_words, cond_words) = split_cond(&rest[1..]);
    // HAProxy 2.6's action parsers stop at the first empty word.
    let action_words = match action_words.iter().position(String::is_empty) {
        Some(i) => &action_words[..i],
        None => action_words,
    };
    let rule_name = format!("{set} {key}");
    let Ok(cond) = condition(cur, &rule_name, cond_words, loc, d) else {
        return;
    };
    if let Some(e) = check_action_args(&key, act, action_words) {
        d.alert(
            Some(loc.clone()),
            format!(
                "error detected in {} '{}' while parsing '{rule_name}' rule : {e}",
                cur.kind.keyword(),
                cur.name
            ),
        );
        d.abort = true;
        return;
    }
    cur.s()
        .rules
        .entry(set.to_string())
        .or_default()
        .push(Rule {
            action: act.clone(),
            args: action_words.to_vec(),
            cond,
            loc: loc.clone(),
        });
}

/// Which argument of an action is a log-format string (0-based).
fn log_format_arg(key: &str) -> Option<usize> {
    match key {
        "set-header" | "add-header" => Some(1),
        "replace-header" | "replace-value" => Some(2),
        "set-path" | "set-pathq" | "set-query" | "set-uri" | "set-method" | "set-var-fmt" => {
            Some(0)
        }
        "replace-path" | "replace-pathq" | "replace-uri" => Some(1),
        _ => None,
    }
}

/// Argument checks for the implemented actions, with HAProxy's texts.
fn check_action_args(key: &str, act: &str, args: &[String]) -> Option<String> {
    let n = args.len();
    let arity = match key {
        "set-header" | "add-header" | "replace-path" | "replace-pathq" | "replace-uri" => Some(2),
        "replace-header" | "replace-value" => Some(3),
        "set-path" | "set-pathq" | "set-query" | "set-uri" | "set-method" => Some(1),
        _ => None,
    };
    if let Some(a) = arity {
        if n < a {
            let plural = if a == 1 { "argument" } else { "arguments" };
            return Some(format!("expects exactly {a} {plural}."));
        }
    }
    if matches!(key, "set-var" | "unset-var") && !act.contains('(') {
        return Some("missing variable name.".into());
    }
    if let Some(i) = log_format_arg(key) {
        if let Some(fmt) = args.get(i) {
            match crate::config::logformat::parse_log_format(fmt) {
                Ok(lf) => {
                    if let Some(r) = lf.refused_items().first() {
                        return Some(refused_message(
                            r,
                            "this sample fetch or converter is not implemented",
                        ));
                    }
                }
                Err(e) => return Some(format!("{e}.")),
            }
        }
    }
    None
}

/// `stats <sub> ...` in a proxy.
pub(super) fn stats(cur: &mut Cur, sub: &str, args: &[String], loc: &Loc, d: &mut Diagnostics) {
    if sub == "admin" || sub == "http-request" {
        let rule = format!("stats {sub}");
        let (words, cond_words) = split_cond(args);
        if sub == "admin" && cond_words.is_none() {
            d.alert(
                Some(loc.clone()),
                "'stats admin' requires either 'if' or 'unless' followed by a condition.",
            );
            return;
        }
        let Ok(cond) = condition(cur, &rule, cond_words, loc, d) else {
            return;
        };
        let st = &mut cur.s().stats;
        st.enabled = true;
        if let (true, Some(c)) = (sub == "admin", cond.clone()) {
            st.admin.push(c);
        } else {
            st.http_request.push(Rule {
                action: words.first().cloned().unwrap_or_default(),
                args: words.get(1..).map(<[String]>::to_vec).unwrap_or_default(),
                cond,
                loc: loc.clone(),
            });
        }
        return;
    }
    let st = &mut cur.s().stats;
    match sub {
        "enable" => st.enabled = true,
        "uri" => match args.first() {
            Some(u) => {
                st.enabled = true;
                st.uri = Some(u.clone());
            }
            None => d.alert(Some(loc.clone()), "'uri' needs an URI prefix."),
        },
        "realm" => match args.first() {
            Some(r) => {
                st.enabled = true;
                st.realm = Some(r.clone());
            }
            None => d.alert(Some(loc.clone()), "'realm' needs an realm name."),
        },
        "auth" => match args.first() {
            Some(a) => {
                st.enabled = true;
                let (u, p) = a.split_once(':').unwrap_or((a.as_str(), ""));
                st.auth.push((u.to_string(), p.to_string()));
            }
            None => d.alert(Some(loc.clone()), "'auth' needs a user:password account."),
        },
        "refresh" => {
            let a = args.first().map(String::as_str).unwrap_or("");
            match crate::config::value::time::parse_time(a, crate::config::value::time::TimeUnit::S)
            {
                Ok(t) if !a.is_empty() => {
                    st.enabled = true;
                    st.refresh = Some(t.value);
                }
                Ok(_) => d.alert(
                    Some(loc.clone()),
                    "'refresh' needs a positive interval in seconds.",
                ),
                Err(e) => d.push(tight_alert(
                    loc,
                    match e {
                        crate::config::value::time::TimeError::UnexpectedChar(c) => {
                            format!(
                                "unexpected character '{c}' in argument to stats refresh interval."
                            )
                        }
                        _ => format!("timer overflow in argument <{a}> to stats refresh interval."),
                    },
                )),
            }
        }
        "hide-version" => {
            st.enabled = true;
            st.hide_version = true
        }
        "show-legends" => {
            st.enabled = true;
            st.show_legends = true
        }
        "show-node" => {
            st.enabled = true;
            st.show_node = Some(args.first().cloned().unwrap_or_default())
        }
        "show-desc" => {
            st.enabled = true;
            st.show_desc = Some(args.join(" "))
        }
        "scope" => match args.first() {
            Some(s) => {
                st.enabled = true;
                st.scope.push(s.clone())
            }
            None => d.alert(Some(loc.clone()), "'scope' needs a proxy name."),
        },
        _ => cur
            .s()
            .extra
            .push((format!("stats {sub}"), args.to_vec(), loc.clone())),
    }
}

/// The remaining implemented keywords: `acl`, switching rules, redirects,
/// captures, checks. Everything else is kept as written in `extra`.
pub(super) fn other(
    cur: &mut Cur,
    kw: &str,
    args: &[String],
    loc: &Loc,
    d: &mut Diagnostics,
) -> Option<()> {
    match kw {
        "acl" => match acl::parse_acl_def(args) {
            Ok(def) => {
                let refused = def.refused_items();
                if let Some(first) = refused.first() {
                    d.alert(
                        Some(loc.clone()),
                        refused_message(first, "this sample fetch or converter is not implemented"),
                    );
                    return None;
                }
                note_userlist(cur, &def, loc);
                cur.acl_names.insert(def.name.clone());
                cur.s().acls.push(def);
            }
            Err(e) => d.alert(Some(loc.clone()), e),
        },
        "use_backend" | "use-server" => {
            let (target, cond_words) = split_cond(args);
            let Some(name) = target.first() else {
                d.alert(
                    Some(loc.clone()),
                    format!("'{kw}' requires a backend name."),
                );
                return None;
            };
            let cond = condition(cur, kw, cond_words, loc, d).ok()?;
            let sw = Switch {
                target: name.clone(),
                cond,
                loc: loc.clone(),
            };
            if kw == "use_backend" {
                cur.proxy.use_backend.push(sw);
            } else {
                cur.proxy.use_server.push(sw);
            }
        }
        "redirect" => {
            let (words, cond_words) = split_cond(args);
            if words.len() < 2 || !matches!(words[0].as_str(), "location" | "prefix" | "scheme") {
                d.alert(
                    Some(loc.clone()),
                    format!(
                        "error parsing 'redirect' rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was '{}')",
                        words.first().map(String::as_str).unwrap_or("")
                    ),
                );
                return None;
            }
            let cond = condition(cur, kw, cond_words, loc, d).ok()?;
            cur.proxy.redirects.push(Rule {
                action: words[0].clone(),
                args: words[1..].to_vec(),
                cond,
                loc: loc.clone(),
            });
        }
        "monitor fail" => {
            let (_, cond_words) = split_cond(args);
            if cond_words.is_none() {
                d.alert(
                    Some(loc.clone()),
                    "'monitor fail' expects 'if' or 'unless' followed by a condition.",
                );
                return None;
            }
            if let Ok(Some(c)) = condition(cur, kw, cond_words, loc, d) {
                cur.proxy.monitor_fail.push(c);
            }
        }
        k if k.starts_with("capture ") => {
            let mut v = vec![k.to_string()];
            v.extend(args.iter().cloned());
            cur.s().captures.push(v);
        }
        k if k.starts_with("http-check ") => {
            let s = cur.s();
            let hc = s.httpchk.get_or_insert_with(|| HttpCheck {
                method: "OPTIONS".into(),
                uri: "/".into(),
                version: "HTTP/1.0".into(),
                rules: Vec::new(),
            });
            let mut v = vec![k.trim_start_matches("http-check ").to_string()];
            v.extend(args.iter().cloned());
            hc.rules.push(v);
        }
        k if k.starts_with("tcp-check ") => {
            let mut v = vec![k.trim_start_matches("tcp-check ").to_string()];
            v.extend(args.iter().cloned());
            cur.s().tcp_check.get_or_insert_with(Vec::new).push(v);
        }
        _ => cur
            .s()
            .extra
            .push((kw.to_string(), args.to_vec(), loc.clone())),
    }
    Some(())
}
