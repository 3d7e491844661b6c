//! Server and limit commands of the stats CLI, with HAProxy 2.6's replies.

use super::backend::{AdminOp, CheckKind, ForcedHealth, StatsBackend};
use super::snapshot::{ServerSnap, Snapshot};

pub const REQUIRE_SERVER: &str = "Require 'backend/server'.\n";
pub const NO_BACKEND: &str = "No such backend.\n";
pub const NO_SERVER: &str = "No such server.\n";
pub const REQUIRE_WEIGHT: &str = "Require <weight> or <weight%>.\n";
const SET_SERVER_USAGE: &str = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n";

/// Resolve `<backend>/<server>` against the snapshot.
fn find<'a>(snap: &'a Snapshot, arg: Option<&&str>) -> Result<(&'a str, &'a ServerSnap), String> {
    let (b, s) = arg
        .and_then(|a| a.split_once('/'))
        .filter(|(b, s)| !b.is_empty() && !s.is_empty())
        .ok_or_else(|| REQUIRE_SERVER.to_string())?;
    let px = snap
        .proxies
        .iter()
        .find(|p| p.name == b && p.backend.is_some())
        .ok_or_else(|| NO_BACKEND.to_string())?;
    let sv = px
        .servers
        .iter()
        .find(|x| x.name == s)
        .ok_or_else(|| NO_SERVER.to_string())?;
    Ok((px.name.as_str(), sv))
}

/// C's atoi: optional sign and leading digits, 0 when none.
pub(crate) fn atoi(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |acc, d| {
            acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
    if neg {
        -v
    } else {
        v
    }
}

/// `get weight <bk>/<srv>`.
pub fn get_weight(be: &dyn StatsBackend, args: &[&str]) -> Result<String, String> {
    let snap = be.snapshot();
    let (_, sv) = find(&snap, args.first())?;
    Ok(format!("{} (initial {})\n", sv.uweight, sv.iweight))
}

/// The new user weight for `weight_str` ("N" or "N%"), or HAProxy's error.
pub fn parse_weight(sv: &ServerSnap, algo: &str, weight_str: Option<&&str>) -> Result<u32, String> {
    let Some(text) = weight_str.filter(|s| !s.is_empty()) else {
        return Err(REQUIRE_WEIGHT.into());
    };
    let sign_len = usize::from(text.starts_with(['-', '+']));
    let digits = text[sign_len..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 0 {
        // HAProxy prints these two without a newline of their own.
        return Err("Empty weight string empty or preceded by garbage".into());
    }
    let num_end = sign_len + digits;
    let v = atoi(&text[..num_end]);
    let w = match &text[num_end..] {
        "%" => {
            if v < 0 {
                return Err("Relative weight must be positive.\n".into());
            }
            (i64::from(sv.iweight) * v.min(1 << 20) / 100).min(256)
        }
        "" => {
            if !(0..=256).contains(&v) {
                return Err("Absolute weight can only be between 0 and 256 inclusive.\n".into());
            }
            v
        }
        _ => return Err("Trailing garbage in weight string".into()),
    };
    let w = u32::try_from(w).unwrap_or(0);
    // Static algorithms only know "on" (initial weight) and "off".
    if algo == "static-rr" && w != 0 && w != sv.iweight {
        return Err(
            "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"
                .into(),
        );
    }
    Ok(w)
}

fn apply_weight(
    be: &dyn StatsBackend,
    target: &&str,
    value: Option<&&str>,
) -> Result<String, String> {
    let snap = be.snapshot();
    let (b, sv) = find(&snap, Some(target))?;
    let algo = snap.proxy(b).map_or("", |p| p.algo.as_str());
    let w = parse_weight(sv, algo, value)?;
    be.set_weight(b, &sv.name, w)?;
    Ok(String::new())
}

/// `set weight <bk>/<srv> <weight>[%]`.
pub fn set_weight(be: &dyn StatsBackend, args: &[&str]) -> Result<String, String> {
    match args.first() {
        Some(t) => apply_weight(be, t, args.get(1)),
        None => Err(REQUIRE_SERVER.into()),
    }
}

/// `set server <bk>/<srv> state|weight|health|agent ...`.
pub fn set_server(be: &dyn StatsBackend, args: &[&str]) -> Result<String, String> {
    let snap = be.snapshot();
    let (b, sv) = find(&snap, args.first())?;
    let name = sv.name.as_str();
    match args.get(1).copied() {
        Some("state") => {
            let op = match args.get(2).copied() {
                Some("ready") => AdminOp::Ready,
                Some("drain") => AdminOp::Drain,
                Some("maint") => AdminOp::Maint,
                _ => {
                    return Err(
                        "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n".into(),
                    )
                }
            };
            be.set_admin(b, name, op)?;
        }
        Some("weight") => return apply_weight(be, &args[0], args.get(2)),
        Some("health") => {
            if sv.tracked.is_some() {
                return Err("cannot change health on a tracking server.\n".into());
            }
            let to = match args.get(2).copied() {
                Some("up") => ForcedHealth::Up,
                Some("stopping") => ForcedHealth::Stopping,
                Some("down") => ForcedHealth::Down,
                _ => {
                    return Err(
                        "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n".into(),
                    )
                }
            };
            be.force_health(b, name, CheckKind::Health, to)?;
        }
        Some("agent") => {
            if !sv.agent.as_ref().is_some_and(|a| a.enabled) {
                return Err("agent checks are not enabled on this server.\n".into());
            }
            let to = match args.get(2).copied() {
                Some("up") => ForcedHealth::Up,
                Some("down") => ForcedHealth::Down,
                _ => return Err("'set server <srv> agent' expects 'up' or 'down'.\n".into()),
            };
            be.force_health(b, name, CheckKind::Agent, to)?;
        }
        _ => return Err(SET_SERVER_USAGE.into()),
    }
    Ok(String::new())
}

/// `enable|disable server|health|agent <bk>/<srv>`.
pub fn enable_disable(
    be: &dyn StatsBackend,
    enable: bool,
    what: &str,
    args: &[&str],
) -> Result<String, String> {
    let snap = be.snapshot();
    let (b, sv) = find(&snap, args.first())?;
    let name = sv.name.as_str();
    match (what, enable) {
        ("server", true) => be.set_admin(b, name, AdminOp::Ready)?,
        ("server", false) => be.set_admin(b, name, AdminOp::Maint)?,
        ("health", _) => {
            if enable && sv.check.is_none() {
                return Err(
                    "Health check was not configured on this server, cannot enable.\n".into(),
                );
            }
            if sv.check.is_some() {
                be.set_check_enabled(b, name, CheckKind::Health, enable)?;
            }
        }
        _ => {
            if enable && sv.agent.is_none() {
                return Err("Agent was not configured on this server, cannot enable.\n".into());
            }
            if sv.agent.is_some() {
                be.set_check_enabled(b, name, CheckKind::Agent, enable)?;
            }
        }
    }
    Ok(String::new())
}

/// `set maxconn frontend <frontend> <value>`.
pub fn set_maxconn_frontend(be: &dyn StatsBackend, args: &[&str]) -> Result<String, String> {
    let Some(name) = args.first() else {
        return Err("A frontend name is expected.\n".into());
    };
    let snap = be.snapshot();
    if !snap
        .proxies
        .iter()
        .any(|p| p.name == *name && p.frontend.is_some())
    {
        return Err("No such frontend.\n".into());
    }
    let Some(value) = args.get(1) else {
        return Err("Integer value expected.\n".into());
    };
    let v = atoi(value);
    if v < 0 {
        return Err("Value out of range.\n".into());
    }
    be.set_frontend_maxconn(name, u32::try_from(v).unwrap_or(u32::MAX))?;
    Ok(String::new())
}

/// `set maxconn global <value>`: 0 or less means the hard limit.
pub fn set_maxconn_global(be: &dyn StatsBackend, args: &[&str]) -> Result<String, String> {
    let Some(value) = args.first() else {
        return Err("Expects an integer value.\n".into());
    };
    let hard = be.snapshot().info.hard_maxconn;
    let v = atoi(value);
    if v > i64::from(hard) {
        return Err("Value out of range.\n".into());
    }
    let v = if v <= 0 { hard } else { v as u32 };
    be.set_global_maxconn(v)?;
    Ok(String::new())
}

#[cfg(test)]
mod tests {
    use super::atoi;

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi("12x"), 12);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi(""), 0);
    }
}
