//! What this build of the data plane does not run yet. The support table
//! says what harp implements; until each part of the runtime lands, harp
//! says at start which configured features it is not applying, so that it
//! never runs a config differently from HAProxy without saying so.

use crate::config::model::{Mode, Model};

/// One line per proxy and feature the runtime ignores today.
pub fn unsupported(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    let hashed = model
        .userlists
        .iter()
        .flat_map(|u| u.users.iter())
        .any(|u| matches!(u.password, crate::config::model::UserPassword::Hashed(_)));
    if hashed {
        out.push("userlist 'password' hashes: crypt(3) is not verified yet, such users are refused (only 'insecure-password' authenticates)".into());
    }
    for p in &model.proxies {
        let s = &p.settings;
        let mut gaps: Vec<&str> = Vec::new();
        if p.servers.iter().any(|sv| sv.config.agent_check) {
            gaps.push("agent checks ('agent-check')");
        }
        for set in [
            "tcp-request connection",
            "tcp-request content",
            "tcp-request session",
            "tcp-response content",
        ] {
            if s.rules.get(set).is_some_and(|r| !r.is_empty()) {
                gaps.push(match set {
                    "tcp-request connection" => "'tcp-request connection' rules",
                    "tcp-request content" => "'tcp-request content' rules",
                    "tcp-request session" => "'tcp-request session' rules",
                    _ => "'tcp-response content' rules",
                });
            }
        }
        let actions = s.rules.values().flatten().map(|r| r.action.as_str());
        let services = s
            .rules
            .values()
            .flatten()
            .filter(|r| r.action == "use-service");
        if services
            .clone()
            .any(|r| r.args.first().map(String::as_str) != Some("prometheus-exporter"))
        {
            gaps.push("'use-service' other than prometheus-exporter");
        }
        if actions.clone().any(|a| a.starts_with("capture")) || !s.captures.is_empty() {
            gaps.push("header captures in logs");
        }
        let algo = s.balance.algorithm.as_str();
        if algo == "hash" || (algo.starts_with("rdp-cookie") && p.mode() == Mode::Tcp) {
            gaps.push("'balance hash' and 'balance rdp-cookie' keys (round robin is used instead)");
        }
        if !p.use_server.is_empty() {
            gaps.push("'use-server'");
        }
        if s.cookie.as_ref().is_some_and(|c| c.mode != "insert") {
            gaps.push("'cookie' in rewrite, prefix or passive mode (only insert is applied)");
        }
        if p.binds.iter().any(|b| b.config.ssl) {
            gaps.push("TLS on 'bind ... ssl'");
        }
        if s.monitor_uri.is_some() {
            gaps.push("'monitor-uri'");
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
