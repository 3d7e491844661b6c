//! The admin form's POST (`stats admin`): its fields, the actions it
//! offers, and applying them through [`StatsBackend`].

use super::{action_status, ActionStatus};
use crate::stats::backend::{AdminOp, CheckKind, ForcedHealth, StatsBackend};
use crate::stats::snapshot::{ProxySnap, Snapshot};

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

impl AdminPost {
    /// The backend this POST names, if it exists and has servers.
    pub fn proxy<'a>(&self, snap: &'a Snapshot) -> Option<&'a ProxySnap> {
        snap.proxies
            .iter()
            .filter(|p| p.backend.is_some())
            .find(|p| match &self.backend {
                BackendRef::Iid(i) => p.iid == *i,
                BackendRef::Name(n) => p.name == *n,
            })
    }
}

/// Applies a POST like HAProxy's page does and returns the status for the
/// redirect: an unknown backend is ERRP; unknown server names count as
/// not changed; servers an action does not apply to (health actions
/// without `check`, agent actions without `agent-check`) are not counted
/// at all. harp's [`StatsBackend`] cannot kill sessions yet, so
/// `shutdown` changes nothing (ERRP).
pub fn apply_admin_post(be: &dyn StatsBackend, post: &AdminPost) -> ActionStatus {
    let snap = be.snapshot();
    let Some(px) = post.proxy(&snap) else {
        return ActionStatus::Errp;
    };
    let (mut altered, mut total) = (0, 0);
    for name in &post.servers {
        let Some(sv) = px.servers.iter().find(|s| s.name == *name) else {
            total += 1;
            continue;
        };
        let (b, s) = (px.name.as_str(), sv.name.as_str());
        let health = sv.check.is_some();
        let agent = sv.agent.is_some();
        let result = match post.action {
            AdminAction::Ready => Some(be.set_admin(b, s, AdminOp::Ready)),
            AdminAction::Drain => Some(be.set_admin(b, s, AdminOp::Drain)),
            AdminAction::Maint => Some(be.set_admin(b, s, AdminOp::Maint)),
            AdminAction::DisableHealth if health => {
                Some(be.set_check_enabled(b, s, CheckKind::Health, false))
            }
            AdminAction::EnableHealth if health => {
                Some(be.set_check_enabled(b, s, CheckKind::Health, true))
            }
            AdminAction::HealthUp if health => {
                Some(be.force_health(b, s, CheckKind::Health, ForcedHealth::Up))
            }
            AdminAction::HealthNolb if health => {
                Some(be.force_health(b, s, CheckKind::Health, ForcedHealth::Stopping))
            }
            AdminAction::HealthDown if health => {
                Some(be.force_health(b, s, CheckKind::Health, ForcedHealth::Down))
            }
            AdminAction::DisableAgent if agent => {
                Some(be.set_check_enabled(b, s, CheckKind::Agent, false))
            }
            AdminAction::EnableAgent if agent => {
                Some(be.set_check_enabled(b, s, CheckKind::Agent, true))
            }
            AdminAction::AgentUp if agent => {
                Some(be.force_health(b, s, CheckKind::Agent, ForcedHealth::Up))
            }
            AdminAction::AgentDown if agent => {
                Some(be.force_health(b, s, CheckKind::Agent, ForcedHealth::Down))
            }
            AdminAction::Shutdown => Some(Err("not supported".to_string())),
            _ => None,
        };
        match result {
            Some(Ok(())) => {
                altered += 1;
                total += 1;
            }
            Some(Err(_)) => total += 1,
            None => {}
        }
    }
    action_status(altered, total)
}
