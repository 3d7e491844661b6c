//! The stats page (`stats enable`, `stats uri`; manual §4.2 "stats *"):
//! its HTML rendering, the options taken from the request URI (`;up`,
//! `;norefresh`, `;st=...`, `?scope=`) and the admin form's POST.
//!
//! What tools and scripts depend on follows HAProxy 2.6: one table per
//! proxy with its column groups, the row classes (`frontend`, `backend`,
//! `active_up`, `backup_down`, `maintain`, ...), the anchors
//! (`<proxy>/<server>`), and the admin form's fields (`s`, `action`,
//! `b=#<iid>`) and action values. The markup and style are harp's own.
//!
//! Integration (HTTP side):
//! - [`PageConfig::from_model`] once per proxy with `stats enable`;
//! - per request: [`PageRequest::parse`] on the URI, then
//!   [`render`] for GET (header `refresh: N` from [`refresh_header`]);
//! - for a POST when admin is allowed: [`parse_admin_post`] (ERRP on error),
//!   apply it, [`action_status`] from the counts, and answer
//!   `303 See Other` with `location:` [`redirect_location`]; when admin is
//!   not allowed the status is [`ActionStatus::Deny`].

mod page;
mod style;

use crate::config::model::StatsPage;

pub use page::render;

/// What the page shows, from the proxy's `stats` keywords.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageConfig {
    /// `stats uri` (the prefix links and redirects are built on).
    pub uri: String,
    /// `stats refresh`, in seconds.
    pub refresh: Option<u32>,
    pub hide_version: bool,
    pub show_legends: bool,
    /// `stats show-node [name]`: `Some("")` means the process node name.
    pub show_node: Option<String>,
    /// `stats show-desc [text]`: `Some("")` means the global description.
    pub show_desc: Option<String>,
    /// `stats scope`: proxy names shown (empty = all; `.` = this proxy).
    pub scope: Vec<String>,
    /// Name of the proxy serving the page (what `stats scope .` means).
    pub proxy: String,
}

impl PageConfig {
    pub fn from_model(page: &StatsPage, proxy: &str) -> PageConfig {
        PageConfig {
            uri: page.effective_uri().to_string(),
            refresh: page.refresh.filter(|r| *r > 0),
            hide_version: page.hide_version,
            show_legends: page.show_legends,
            show_node: page.show_node.clone(),
            show_desc: page.show_desc.clone(),
            scope: page.scope.clone(),
            proxy: proxy.to_string(),
        }
    }

    /// Whether `stats scope` lets the page show proxy `name`.
    pub fn in_scope(&self, name: &str) -> bool {
        self.scope.is_empty()
            || self
                .scope
                .iter()
                .any(|s| s == name || (s == "." && name == self.proxy))
    }
}

/// Result of an admin action, carried in the redirect as `;st=<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStatus {
    /// Every listed server was changed.
    Done,
    /// Some servers were changed, others unknown.
    Part,
    /// Nothing to do (no server selected, or the action did not apply).
    None,
    /// Bad parameters (unknown backend or action, no server changed).
    Errp,
    /// The request body was too large.
    Excd,
    /// Admin actions are not allowed to this client.
    Deny,
    /// Unexpected internal condition.
    Unkn,
    /// Invalid request.
    Ival,
}

impl ActionStatus {
    pub fn code(self) -> &'static str {
        match self {
            ActionStatus::Done => "DONE",
            ActionStatus::Part => "PART",
            ActionStatus::None => "NONE",
            ActionStatus::Errp => "ERRP",
            ActionStatus::Excd => "EXCD",
            ActionStatus::Deny => "DENY",
            ActionStatus::Unkn => "UNKN",
            ActionStatus::Ival => "IVAL",
        }
    }

    /// Any other code is shown as an unexpected result, like HAProxy does.
    pub fn from_code(code: &str) -> ActionStatus {
        match code {
            "DONE" => ActionStatus::Done,
            "PART" => ActionStatus::Part,
            "NONE" => ActionStatus::None,
            "ERRP" => ActionStatus::Errp,
            "EXCD" => ActionStatus::Excd,
            "DENY" => ActionStatus::Deny,
            "IVAL" => ActionStatus::Ival,
            _ => ActionStatus::Unkn,
        }
    }
}

/// Options carried by the request URI after the stats prefix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageRequest {
    /// `;csv`: answer with the CSV instead (see [`super::csv::render`]).
    pub csv: bool,
    /// `;json`.
    pub json: bool,
    /// `;norefresh`: no `refresh` header.
    pub norefresh: bool,
    /// `;up`: hide servers that are not UP.
    pub up_only: bool,
    /// `;st=XXXX`: the result of the last admin action.
    pub status: Option<ActionStatus>,
    /// `?scope=text` (or `;scope=`): only proxies whose name contains it
    /// (case-insensitive), at most 20 characters like the page's input.
    pub scope: Option<String>,
}

/// The longest `scope=` text HAProxy keeps (its input's `maxlength`).
pub const SCOPE_MAX: usize = 20;

impl PageRequest {
    /// Parses `uri` (path and query of the request); options are looked
    /// for after `stats_uri` when the URI starts with it, else anywhere.
    pub fn parse(uri: &str, stats_uri: &str) -> PageRequest {
        let rest = uri.strip_prefix(stats_uri).unwrap_or(uri);
        let mut r = PageRequest::default();
        for part in rest.split([';', '?', '&']) {
            match part {
                "csv" => r.csv = true,
                "json" => r.json = true,
                "norefresh" => r.norefresh = true,
                "up" => r.up_only = true,
                _ => {
                    if let Some(code) = part.strip_prefix("st=") {
                        r.status = Some(ActionStatus::from_code(code));
                    } else if let Some(text) = part.strip_prefix("scope=") {
                        let text: String = text.chars().take(SCOPE_MAX).collect();
                        r.scope = Some(text).filter(|t| !t.is_empty());
                    }
                }
            }
        }
        r
    }

    /// The options to carry over in links and redirects:
    /// `;up`, `;norefresh` and `?scope=...` when set.
    fn carried(&self, up: bool, norefresh: bool) -> String {
        let mut s = String::new();
        if up {
            s.push_str(";up");
        }
        if norefresh {
            s.push_str(";norefresh");
        }
        if let Some(t) = &self.scope {
            s.push_str("?scope=");
            s.push_str(t);
        }
        s
    }

    /// The request as the page sees it: `;norefresh` only counts when the
    /// page refreshes (HAProxy ignores it, in links and redirects, otherwise).
    fn effective(&self, cfg: &PageConfig) -> PageRequest {
        let mut r = self.clone();
        r.norefresh &= cfg.refresh.is_some();
        r
    }
}

/// The `refresh` response header's value (seconds), when the page has
/// `stats refresh` and the request did not ask for `;norefresh`.
pub fn refresh_header(cfg: &PageConfig, req: &PageRequest) -> Option<u32> {
    if req.norefresh || req.csv || req.json {
        None
    } else {
        cfg.refresh
    }
}

/// `location` of the 303 answered to an admin POST: the stats URI, the
/// status, then the request's `;up`, `;norefresh` (when the page
/// refreshes) and scope
/// (e.g. `/haproxy?stats;st=DONE;up`).
pub fn redirect_location(cfg: &PageConfig, req: &PageRequest, st: ActionStatus) -> String {
    let req = req.effective(cfg);
    format!(
        "{};st={}{}",
        cfg.uri,
        st.code(),
        req.carried(req.up_only, req.norefresh)
    )
}

/// The status of a POST from how many listed servers were known (`total`)
/// and how many were changed (`altered`).
pub fn action_status(altered: usize, total: usize) -> ActionStatus {
    if total == 0 {
        ActionStatus::None
    } else if altered == 0 {
        ActionStatus::Errp
    } else if altered < total {
        ActionStatus::Part
    } else {
        ActionStatus::Done
    }
}

/// The admin form's actions, with the `action=` values the page posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    Ready,
    Drain,
    Maint,
    DisableHealth,
    EnableHealth,
    HealthUp,
    HealthNolb,
    HealthDown,
    DisableAgent,
    EnableAgent,
    AgentUp,
    AgentDown,
    /// Kill the server's sessions.
    Shutdown,
}

impl AdminAction {
    /// Every action in the order the form lists them.
    pub const ALL: [AdminAction; 13] = [
        AdminAction::Ready,
        AdminAction::Drain,
        AdminAction::Maint,
        AdminAction::DisableHealth,
        AdminAction::EnableHealth,
        AdminAction::HealthUp,
        AdminAction::HealthNolb,
        AdminAction::HealthDown,
        AdminAction::DisableAgent,
        AdminAction::EnableAgent,
        AdminAction::AgentUp,
        AdminAction::AgentDown,
        AdminAction::Shutdown,
    ];

    /// The `action=` value.
    pub fn value(self) -> &'static str {
        match self {
            AdminAction::Ready => "ready",
            AdminAction::Drain => "drain",
            AdminAction::Maint => "maint",
            AdminAction::DisableHealth => "dhlth",
            AdminAction::EnableHealth => "ehlth",
            AdminAction::HealthUp => "hrunn",
            AdminAction::HealthNolb => "hnolb",
            AdminAction::HealthDown => "hdown",
            AdminAction::DisableAgent => "dagent",
            AdminAction::EnableAgent => "eagent",
            AdminAction::AgentUp => "arunn",
            AdminAction::AgentDown => "adown",
            AdminAction::Shutdown => "shutdown",
        }
    }

    pub fn from_value(v: &str) -> Option<AdminAction> {
        AdminAction::ALL.into_iter().find(|a| a.value() == v)
    }

    /// The label shown in the form's select.
    pub fn label(self) -> &'static str {
        match self {
            AdminAction::Ready => "Set state to READY",
            AdminAction::Drain => "Set state to DRAIN",
            AdminAction::Maint => "Set state to MAINT",
            AdminAction::DisableHealth => "Health: disable checks",
            AdminAction::EnableHealth => "Health: enable checks",
            AdminAction::HealthUp => "Health: force UP",
            AdminAction::HealthNolb => "Health: force NOLB",
            AdminAction::HealthDown => "Health: force DOWN",
            AdminAction::DisableAgent => "Agent: disable checks",
            AdminAction::EnableAgent => "Agent: enable checks",
            AdminAction::AgentUp => "Agent: force UP",
            AdminAction::AgentDown => "Agent: force DOWN",
            AdminAction::Shutdown => "Kill Sessions",
        }
    }
}

/// The backend a POST names: `b=#<iid>` as the page posts it, or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendRef {
    Iid(u32),
    Name(String),
}

/// A decoded admin POST: apply `action` to each of `servers` of `backend`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminPost {
    pub backend: BackendRef,
    pub servers: Vec<String>,
    pub action: AdminAction,
}

/// Decodes one `application/x-www-form-urlencoded` component.
pub fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(v) = hex {
                    out.push(v);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a value for a form body (the inverse of [`form_decode`]).
pub fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl AdminPost {
    /// The body the page's form posts for this action.
    pub fn to_body(&self) -> String {
        let mut parts: Vec<String> = self
            .servers
            .iter()
            .map(|s| format!("s={}", form_encode(s)))
            .collect();
        parts.push(format!("action={}", self.action.value()));
        let b = match &self.backend {
            BackendRef::Iid(i) => format!("#{i}"),
            BackendRef::Name(n) => n.clone(),
        };
        parts.push(format!("b={}", form_encode(&b)));
        parts.join("&")
    }
}

/// Parses the admin form's body (`s=<server>` repeated, `action=<value>`,
/// `b=#<iid>`), in any order. Errors are what the page reports as ERRP: no
/// or an unknown backend reference, a missing or unknown action. No
/// server at all is valid (the caller answers NONE).
pub fn parse_admin_post(body: &str) -> Result<AdminPost, String> {
    let mut backend = None;
    let mut action = None;
    let mut servers = Vec::new();
    for pair in body.trim_end_matches(['\r', '\n']).split('&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = form_decode(v);
        match form_decode(k).as_str() {
            "b" => {
                let r = match v.strip_prefix('#') {
                    Some(id) => BackendRef::Iid(
                        id.parse()
                            .map_err(|_| format!("invalid backend id '{id}'"))?,
                    ),
                    None if v.is_empty() => return Err("empty backend".into()),
                    None => BackendRef::Name(v),
                };
                backend = Some(r);
            }
            "action" => {
                action = Some(
                    AdminAction::from_value(&v).ok_or_else(|| format!("unknown action '{v}'"))?,
                );
            }
            "s" => servers.push(v),
            _ => {}
        }
    }
    Ok(AdminPost {
        backend: backend.ok_or("no backend ('b') in the request")?,
        servers,
        action: action.ok_or("no action in the request")?,
    })
}
