//! What this build of the data plane does not run yet. The support table
//! says what harp implements; until each part of the runtime lands, harp
//! says at start which configured features it is not applying, so that it
//! never runs a config differently from HAProxy without saying so.

use crate::config::model::{Mode, Model};

/// One line per proxy and feature the runtime ignores today.
pub fn unsupported(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    let g = &model.global;
    if !g.stats_sockets.is_empty() {
        out.push("'stats socket': the runtime API is not running yet".into());
    }
    for p in &model.proxies {
        let s = &p.settings;
        let mut gaps: Vec<&str> = Vec::new();
        if p.servers.iter().any(|sv| sv.config.agent_check) {
            gaps.push("agent checks ('agent-check')");
        }
        if s.rules.values().any(|r| !r.is_empty()) || !p.redirects.is_empty() {
            gaps.push("http-request/http-response/tcp-request rules and redirects");
        }
        if p.use_backend.iter().any(|u| u.cond.is_some()) || !p.use_server.is_empty() {
            gaps.push("conditional 'use_backend'/'use-server'");
        }
        if s.stats.enabled && p.mode() == Mode::Http {
            gaps.push("the stats page");
        }
        if s.cookie.is_some() {
            gaps.push("cookie persistence");
        }
        if p.binds.iter().any(|b| b.config.ssl) {
            gaps.push("TLS on 'bind ... ssl'");
        }
        if s.monitor_uri.is_some() {
            gaps.push("'monitor-uri'");
        }
        if !s.errorfiles.is_empty() || !s.errorloc.is_empty() || !s.errorfiles_sections.is_empty() {
            gaps.push("custom error pages");
        }
        for g in gaps {
            out.push(format!(
                "{} '{}': {g} not applied yet by this harp build",
                p.kind.keyword(),
                p.name
            ));
        }
    }
    out
}
