//! Rules compiled once at start: a proxy's ACLs, `http-request`,
//! `http-response`, `http-after-response`, `tcp-request` rules, `redirect`
//! and `use_backend` (manual §4.2, §7). The data plane only evaluates them.

use regex::Regex;

use crate::config::logformat::parse_log_format;
use crate::config::model::{Proxy, Rule, Switch};
use crate::http::redirect::{Redirect, Target};
use crate::sample::{AclSet, CompiledCond, CompiledExpr, CompiledLogFormat, MemStore};

/// A log-format argument, compiled.
pub type Fmt = CompiledLogFormat;

#[derive(Debug)]
pub enum Action {
    Allow,
    /// `deny` / `tarpit` (`deny_status`, or `status` with a reply).
    Deny {
        status: u16,
        tarpit: bool,
    },
    /// `auth [realm <r>]`.
    Auth {
        realm: Option<String>,
    },
    Redirect(Redirect),
    Return {
        status: u16,
        content_type: Option<String>,
        body: Option<Fmt>,
        hdrs: Vec<(String, Fmt)>,
    },
    SetHeader {
        name: String,
        value: Fmt,
        add: bool,
    },
    DelHeader {
        name: String,
    },
    ReplaceHeader {
        name: String,
        re: Regex,
        with: Fmt,
        per_value: bool,
    },
    SetPath(Fmt),
    SetPathq(Fmt),
    SetQuery(Fmt),
    SetUri(Fmt),
    SetMethod(Fmt),
    ReplacePath {
        re: Regex,
        with: Fmt,
    },
    ReplaceUri {
        re: Regex,
        with: Fmt,
    },
    SetStatus {
        status: u16,
        reason: Option<String>,
    },
    SetVar {
        name: String,
        expr: CompiledExpr,
    },
    UnsetVar {
        name: String,
    },
    Accept,
    Reject,
    /// `use-service prometheus-exporter` (HAProxy's promex).
    Prometheus,
}

#[derive(Debug)]
pub struct CompiledRule {
    pub action: Action,
    pub cond: Option<CompiledCond>,
}

/// A `use_backend` target: a name, or a log-format (`%[...]`) rendered
/// per request.
#[derive(Debug)]
pub enum Target2 {
    Name(String),
    Dynamic(Fmt),
}

#[derive(Debug)]
pub struct ProxyRules {
    pub http_request: Vec<CompiledRule>,
    pub http_response: Vec<CompiledRule>,
    pub http_after_response: Vec<CompiledRule>,
    pub tcp_connection: Vec<CompiledRule>,
    pub tcp_content: Vec<CompiledRule>,
    pub redirects: Vec<CompiledRule>,
    pub use_backend: Vec<(Target2, Option<CompiledCond>)>,
}

fn fmt(s: &str, store: &MemStore) -> Result<Fmt, String> {
    let lf = parse_log_format(s)?;
    CompiledLogFormat::compile(&lf, store)
}

fn regex(s: &str) -> Result<Regex, String> {
    Regex::new(s).map_err(|e| format!("regex '{s}' is not supported by harp: {e}"))
}

/// `name(arg)` → arg (set-var(txn.x) → txn.x).
fn paren_arg(action: &str) -> Option<String> {
    let open = action.find('(')?;
    let close = action.rfind(')')?;
    (close > open).then(|| action[open + 1..close].to_string())
}

fn status_arg(args: &[String], key: &str) -> Option<u16> {
    args.iter()
        .position(|a| a == key)
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
}

fn redirect_of(args: &[String]) -> Result<Redirect, String> {
    let kind = match (args.first().map(String::as_str), args.get(1)) {
        (Some("location"), Some(t)) => Target::Location(t.clone()),
        (Some("prefix"), Some(t)) => Target::Prefix(t.clone()),
        (Some("scheme"), Some(t)) => Target::Scheme(t.clone()),
        _ => return Err("redirect expects location, prefix or scheme".into()),
    };
    let mut r = Redirect::new(kind);
    let mut it = args[2..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "code" => r.code = it.next().and_then(|c| c.parse().ok()).unwrap_or(302),
            "drop-query" => r.drop_query = true,
            "append-slash" => r.append_slash = true,
            "set-cookie" => r.set_cookie = it.next().cloned(),
            "clear-cookie" => r.clear_cookie = it.next().cloned(),
            _ => {}
        }
    }
    Ok(r)
}

fn compile_action(r: &Rule, store: &MemStore) -> Result<Action, String> {
    let name = r.action.split('(').next().unwrap_or(&r.action);
    let a = &r.args;
    let arg = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    Ok(match name {
        "allow" => Action::Allow,
        "accept" => Action::Accept,
        "reject" => Action::Reject,
        "deny" => Action::Deny {
            status: status_arg(a, "deny_status")
                .or_else(|| status_arg(a, "status"))
                .unwrap_or(403),
            tarpit: false,
        },
        "tarpit" => Action::Deny {
            status: status_arg(a, "deny_status")
                .or_else(|| status_arg(a, "status"))
                .unwrap_or(500),
            tarpit: true,
        },
        "auth" => Action::Auth {
            realm: a
                .iter()
                .position(|w| w == "realm")
                .and_then(|i| a.get(i + 1))
                .cloned(),
        },
        "redirect" => Action::Redirect(redirect_of(a)?),
        "return" => {
            let mut status = 200;
            let mut content_type = None;
            let mut body = None;
            let mut hdrs = Vec::new();
            let mut i = 0;
            while i < a.len() {
                match a[i].as_str() {
                    "status" => status = arg(i + 1).parse().unwrap_or(200),
                    "content-type" => content_type = Some(arg(i + 1).to_string()),
                    "string" => body = Some(fmt(&arg(i + 1).replace('%', "%%"), store)?),
                    "lf-string" => body = Some(fmt(arg(i + 1), store)?),
                    "file" | "lf-file" => {
                        let text = std::fs::read_to_string(arg(i + 1))
                            .map_err(|e| format!("cannot read '{}': {e}", arg(i + 1)))?;
                        let text = if a[i] == "file" {
                            text.replace('%', "%%")
                        } else {
                            text
                        };
                        body = Some(fmt(&text, store)?);
                    }
                    "hdr" => {
                        hdrs.push((arg(i + 1).to_string(), fmt(arg(i + 2), store)?));
                        i += 1;
                    }
                    "default-errorfiles" | "errorfile" | "errorfiles" => {
                        return Err(format!("'return {}' is not supported by harp yet", a[i]))
                    }
                    _ => {
                        i += 1;
                        continue;
                    }
                }
                i += 2;
            }
            Action::Return {
                status,
                content_type,
                body,
                hdrs,
            }
        }
        "set-header" | "add-header" => Action::SetHeader {
            name: arg(0).to_string(),
            value: fmt(arg(1), store)?,
            add: name == "add-header",
        },
        "del-header" => Action::DelHeader {
            name: arg(0).to_string(),
        },
        "replace-header" | "replace-value" => Action::ReplaceHeader {
            name: arg(0).to_string(),
            re: regex(arg(1))?,
            with: fmt(arg(2), store)?,
            per_value: name == "replace-value",
        },
        "set-path" => Action::SetPath(fmt(arg(0), store)?),
        "set-pathq" => Action::SetPathq(fmt(arg(0), store)?),
        "set-query" => Action::SetQuery(fmt(arg(0), store)?),
        "set-uri" => Action::SetUri(fmt(arg(0), store)?),
        "set-method" => Action::SetMethod(fmt(arg(0), store)?),
        "replace-path" | "replace-pathq" => Action::ReplacePath {
            re: regex(arg(0))?,
            with: fmt(arg(1), store)?,
        },
        "replace-uri" => Action::ReplaceUri {
            re: regex(arg(0))?,
            with: fmt(arg(1), store)?,
        },
        "set-status" => Action::SetStatus {
            status: arg(0)
                .parse()
                .map_err(|_| "set-status expects a status code".to_string())?,
            reason: a
                .iter()
                .position(|w| w == "reason")
                .and_then(|i| a.get(i + 1))
                .cloned(),
        },
        "set-var" => {
            let var = paren_arg(&r.action).ok_or("set-var: missing variable name")?;
            let expr = crate::config::acl::parse_sample_expr(&a.join(" "))?;
            Action::SetVar {
                name: var,
                expr: CompiledExpr::compile(&expr, store)?,
            }
        }
        "unset-var" => Action::UnsetVar {
            name: paren_arg(&r.action).ok_or("unset-var: missing variable name")?,
        },
        "use-service" => match arg(0) {
            "prometheus-exporter" => Action::Prometheus,
            svc => {
                return Err(format!(
                    "'use-service {svc}' is not run by this harp build yet"
                ))
            }
        },
        other => return Err(format!("'{other}' is not run by this harp build yet")),
    })
}

fn compile_set(
    rules: Option<&Vec<Rule>>,
    acls: &AclSet,
    store: &MemStore,
) -> Result<Vec<CompiledRule>, String> {
    let mut out = Vec::new();
    for r in rules.into_iter().flatten() {
        let cond = match &r.cond {
            Some(c) => Some(CompiledCond::compile(c, acls, store)?),
            None => None,
        };
        let action = compile_action(r, store).map_err(|e| format!("{} : {e}", r.loc))?;
        out.push(CompiledRule { action, cond });
    }
    Ok(out)
}

fn compile_switch(
    sw: &Switch,
    acls: &AclSet,
    store: &MemStore,
) -> Result<(Target2, Option<CompiledCond>), String> {
    let target = if sw.target.contains("%[") {
        Target2::Dynamic(fmt(&sw.target, store)?)
    } else {
        Target2::Name(sw.target.clone())
    };
    let cond = match &sw.cond {
        Some(c) => Some(CompiledCond::compile(c, acls, store)?),
        None => None,
    };
    Ok((target, cond))
}

impl ProxyRules {
    /// Compile a proxy's rules; pattern and map files are read here.
    pub fn compile(p: &Proxy) -> Result<ProxyRules, String> {
        let store = load_files(p);
        let acls = AclSet::compile(&p.settings.acls, &store)?;
        let rs = &p.settings.rules;
        let redirects = p
            .redirects
            .iter()
            .map(|r| {
                let mut args = vec![r.action.clone()];
                args.extend(r.args.iter().cloned());
                let cond = match &r.cond {
                    Some(c) => Some(CompiledCond::compile(c, &acls, &store)?),
                    None => None,
                };
                Ok(CompiledRule {
                    action: Action::Redirect(redirect_of(&args)?),
                    cond,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(ProxyRules {
            http_request: compile_set(rs.get("http-request"), &acls, &store)?,
            http_response: compile_set(rs.get("http-response"), &acls, &store)?,
            http_after_response: compile_set(rs.get("http-after-response"), &acls, &store)?,
            tcp_connection: compile_set(rs.get("tcp-request connection"), &acls, &store)?,
            tcp_content: compile_set(rs.get("tcp-request content"), &acls, &store)?,
            redirects,
            use_backend: p
                .use_backend
                .iter()
                .map(|u| compile_switch(u, &acls, &store))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Every pattern (`-f`) and map file the proxy's ACLs and rules name.
fn load_files(p: &Proxy) -> MemStore {
    let mut store = MemStore::new();
    let mut paths: Vec<String> = p
        .settings
        .acls
        .iter()
        .flat_map(|a| a.flags.files.iter().cloned())
        .collect();
    for a in &p.settings.acls {
        paths.extend(a.expr.map_files().into_iter().map(|(_, f)| f.to_string()));
    }
    for path in paths {
        if let Ok(text) = std::fs::read_to_string(&path) {
            store.insert(path, text);
        }
    }
    store
}
