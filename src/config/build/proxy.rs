//! `defaults`, `frontend`, `backend` and `listen` sections: headers,
//! inheritance, and keyword dispatch (HAProxy manual §4).

use std::collections::HashSet;

use crate::config::model::{Proxy, ProxyKind, ProxySettings};
use crate::config::reader::{RawSection, Statement};
use crate::config::support::placement::{self, Allowed, ProxySection};
use crate::config::support::{self, Context, Status};
use crate::diag::{Diagnostic, Diagnostics, Loc, LocStyle};

use super::{
    dispatch_status, proxy_kind, refused_message, rules, settings, tight_alert, unknown_keyword,
    Builder,
};

/// The proxy being built.
pub(super) struct Cur {
    pub kind: ProxyKind,
    pub name: String,
    /// A defaults section with a name may carry rules (HAProxy ≥ 2.5).
    pub named: bool,
    pub proxy: Proxy,
    /// Names of the ACLs declared so far (conditions may only use those).
    pub acl_names: HashSet<String>,
}

impl Cur {
    pub fn s(&mut self) -> &mut ProxySettings {
        &mut self.proxy.settings
    }
}

/// Characters allowed in proxy names (manual §2.9 / "Proxies").
fn invalid_name_char(name: &str) -> Option<char> {
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
}

pub(super) fn section(b: &mut Builder, sec: &RawSection, diags: &mut Diagnostics) {
    let Some(kind) = proxy_kind(&sec.kind) else {
        return;
    };
    let loc = &sec.loc;
    let a = &sec.args;
    // Header: `<kw> [<name>] [from <defaults>]`.
    let (name, from) = match (a.first().map(String::as_str), a.get(1).map(String::as_str)) {
        (Some("from"), _) if kind == ProxyKind::Defaults => (String::new(), a.get(1).cloned()),
        (Some(n), Some("from")) => (n.to_string(), a.get(2).cloned()),
        (Some(n), None) => (n.to_string(), None),
        (None, _) => (String::new(), None),
        (Some(_), Some(_)) => {
            if kind == ProxyKind::Defaults {
                (a[0].clone(), None)
            } else {
                diags.alert(
                    Some(loc.clone()),
                    "please use the 'bind' keyword for listening addresses.",
                );
                orphan_body(sec, diags);
                return;
            }
        }
    };
    if name.is_empty() && kind != ProxyKind::Defaults {
        diags.alert(
            Some(loc.clone()),
            format!("'{}' expects an <id> argument", kind.keyword()),
        );
        diags.abort = true;
        return;
    }
    if let Some(c) = invalid_name_char(&name) {
        diags.alert(
            Some(loc.clone()),
            format!(
                "character '{c}' is not permitted in '{}' name '{name}'.",
                kind.keyword()
            ),
        );
        orphan_body(sec, diags);
        return;
    }
    // Duplicate names among proxies that share a capability.
    if kind != ProxyKind::Defaults {
        let cap = kind.cap();
        let same_name = b.names.get(&name).into_iter().flatten();
        if let Some(other) = same_name
            .map(|&i| &b.model.proxies[i])
            .find(|p| (p.cap.frontend && cap.frontend) || (p.cap.backend && cap.backend))
        {
            diags.push(
                Diagnostic::alert(
                    Some(loc.clone()),
                    format!(
                        "{} '{name}' has the same name as {} '{name}' declared at {}.",
                        kind.keyword(),
                        other.kind.keyword(),
                        other.loc
                    ),
                )
                .with_style(LocStyle::ParsingCapital),
            );
        }
    }
    // Inheritance: `from X` or the last defaults section above.
    let base = match &from {
        Some(f) => match b.named_defaults.get(f) {
            Some((s, _)) => Some((Some(f.clone()), s.clone())),
            None => {
                diags.alert(
                    Some(loc.clone()),
                    format!(
                        "defaults section '{f}' not found for {} '{name}'.",
                        kind.keyword()
                    ),
                );
                diags.abort = true;
                return;
            }
        },
        None => b.last_defaults.clone(),
    };
    let (defaults_name, mut settings) = base.unwrap_or_default();
    if kind == ProxyKind::Defaults && from.is_some() {
        if let Some((_, true)) = from.as_ref().and_then(|f| b.named_defaults.get(f)) {
            diags.alert(
                Some(loc.clone()),
                "a defaults section cannot inherit from a defaults section defining TCP/HTTP rules.",
            );
        }
    }
    // Rules of a named defaults section pass only through `from`.
    if from.is_none() && kind != ProxyKind::Defaults {
        settings.acls.clear();
        settings.rules.clear();
    }
    let proxy = Proxy {
        name: name.clone(),
        kind,
        cap: kind.cap(),
        id: 0,
        loc: loc.clone(),
        disabled: false,
        defaults: defaults_name.filter(|_| kind != ProxyKind::Defaults),
        settings,
        binds: Vec::new(),
        servers: Vec::new(),
        use_backend: Vec::new(),
        use_server: Vec::new(),
        redirects: Vec::new(),
        monitor_fail: Vec::new(),
        userlist_refs: Vec::new(),
    };
    let acl_names = proxy.settings.acls.iter().map(|a| a.name.clone()).collect();
    let mut cur = Cur {
        kind,
        named: !name.is_empty(),
        name,
        proxy,
        acl_names,
    };
    for st in &sec.body {
        line(&mut cur, st, diags);
        if diags.abort {
            return;
        }
    }
    if kind == ProxyKind::Defaults {
        let has_rules = !cur.proxy.settings.rules.is_empty();
        let s = cur.proxy.settings;
        if !cur.name.is_empty() {
            b.named_defaults
                .insert(cur.name.clone(), (s.clone(), has_rules));
        }
        b.last_defaults = Some((Some(cur.name).filter(|n| !n.is_empty()), s));
    } else {
        b.names
            .entry(cur.name.clone())
            .or_default()
            .push(b.model.proxies.len());
        b.model.proxies.push(cur.proxy);
    }
}

/// Lines of a section whose header failed: HAProxy has no current proxy.
fn orphan_body(sec: &RawSection, diags: &mut Diagnostics) {
    for st in &sec.body {
        diags.alert(Some(st.loc.clone()), "'listen' or 'defaults' expected.");
    }
}

/// Keywords written as two words in the support table.
const TWO_WORD_PREFIXES: &[&str] = &[
    "option",
    "timeout",
    "stats",
    "tcp-request",
    "tcp-response",
    "http-check",
    "tcp-check",
    "capture",
    "monitor",
    "compression",
    "stick",
    "email-alert",
    "unique-id",
];

/// Which sections allow a keyword (the 4.1 matrix), with HAProxy's own
/// warning or alert when it is misplaced.
fn check_section(cur: &Cur, kw: &str, loc: &Loc, diags: &mut Diagnostics) -> bool {
    let section = match cur.kind {
        ProxyKind::Defaults => ProxySection::Defaults { named: cur.named },
        ProxyKind::Frontend => ProxySection::Frontend,
        ProxyKind::Backend => ProxySection::Backend,
        ProxyKind::Listen => ProxySection::Listen,
    };
    match placement::proxy_allowed(kw, section) {
        Allowed::Yes | Allowed::Unknown => true,
        Allowed::Ignored(None) => false,
        Allowed::Ignored(Some(m)) | Allowed::Fatal(m) => {
            diags.push(m.diagnostic(kw, cur.kind.keyword(), &cur.name, loc));
            false
        }
    }
}

pub(super) fn line(cur: &mut Cur, st: &Statement, diags: &mut Diagnostics) {
    let loc = &st.loc;
    let (modifier, w) = match st.words[0].as_str() {
        "no" | "default" if st.words.len() > 1 => (Some(st.words[0].as_str()), &st.words[1..]),
        _ => (None, &st.words[..]),
    };
    let first = w[0].as_str();
    if modifier.is_some() && !matches!(first, "option" | "log") {
        diags.push(tight_alert(
            loc,
            "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
        ));
        return;
    }
    // Rule sets: the keyword, then the action in its own table.
    if let Some(set) = rules::rule_set_name(w) {
        let nwords = if set.contains(' ') { 2 } else { 1 };
        if !check_section(cur, set, loc, diags) {
            return;
        }
        rules::rule_line(cur, set, &w[nwords..], loc, diags);
        return;
    }
    // Longest keyword first: "capture request header", "option httplog", "bind".
    // The count of words used is kept apart from the keyword: a single
    // word may itself hold a space (`stats\ uri`).
    let (nwords, kw) = match [3, 2, 1]
        .into_iter()
        .filter(|&n| n <= w.len())
        .map(|n| (n, w[..n].join(" ")))
        .find(|(_, k)| support::lookup(Context::Proxy, k).is_some())
    {
        Some(found) => found,
        None if TWO_WORD_PREFIXES.contains(&first) => {
            let second = w.get(1).map(String::as_str).unwrap_or("");
            unknown_two_word(cur, first, second, loc, diags);
            return;
        }
        None => (1, first.to_string()),
    };
    let args = &w[nwords..];
    if let Some(e) = support::lookup(Context::Proxy, &kw) {
        if !matches!(e.status, Status::Implemented) {
            if let Status::Refused = e.status {
                diags.alert(Some(loc.clone()), refused_message(&kw, e.note));
                return;
            }
            let _ = dispatch_status(Context::Proxy, &kw, loc, diags);
            return;
        }
    } else {
        unknown_keyword(first, cur.kind.keyword(), Context::Proxy, loc, diags);
        return;
    }
    if !check_section(cur, &kw, loc, diags) {
        return;
    }
    settings::keyword(cur, &kw, args, modifier, loc, diags);
}

/// `option X`, `timeout X`, ... where X is not known.
fn unknown_two_word(cur: &Cur, first: &str, second: &str, loc: &Loc, diags: &mut Diagnostics) {
    let prefix = format!("{first} ");
    let cands: Vec<&str> = support::keywords(Context::Proxy)
        .filter_map(|k| k.strip_prefix(prefix.as_str()))
        .collect();
    let hint = crate::config::suggest::did_you_mean(second, cands.iter().copied())
        .map(|s| format!("; did you mean '{s}' maybe ?"))
        .unwrap_or_default();
    let msg = match first {
        "option" if hint.is_empty() => format!("unknown option '{second}'."),
        "option" => format!("unknown option '{second}'{hint}"),
        "timeout" => format!(
            "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '{second}')"
        ),
        "stats" => "'stats' expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.".to_string(),
        _ => {
            let _ = cur;
            format!("unknown keyword '{first} {second}' in '{}' section", cur.kind.keyword())
        }
    };
    diags.alert(Some(loc.clone()), msg);
}
