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

mod admin;
mod page;
mod style;

use crate::config::model::StatsPage;

pub use admin::{
    apply_admin_post, form_decode, form_encode, parse_admin_post, AdminAction, AdminPost,
    BackendRef,
};
pub use page::render;

/// The page's `content-type` (HAProxy also sends `cache-control: no-cache`
/// with the page, the CSV and the 303 after a POST).
pub const CONTENT_TYPE: &str = "text/html";

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
