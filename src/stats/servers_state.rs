//! `show servers state [<backend>]`: the format-1 dump that
//! `server-state-file` reloads read (management guide §9.3).

use super::snapshot::{OpState, ProxySnap, ServerSnap, Snapshot};

/// The version line and the column header.
pub const HEADER: &str = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n";

/// Error text when the backend named does not exist.
pub const NO_BACKEND: &str = "Can't find backend.\n";

fn row(px: &ProxySnap, s: &ServerSnap) -> String {
    // A server without health checks reports the "INI" status, its rise as
    // health (0 and the paused bit when disabled in the configuration).
    let (status, result, health, state) = match &s.check {
        Some(c) => (c.status_code, c.result, c.health, c.state_bits),
        None if s.admin.cmaint => (1, 0, 0, super::from_model::CHK_ST_PAUSED),
        None => (1, 0, 2, 0),
    };
    let agent_state = s.agent.as_ref().map_or(0, |a| a.state_bits);
    let op = match s.op {
        OpState::Stopped => 0,
        OpState::Starting => 1,
        OpState::Running => 2,
        OpState::Stopping => 3,
    };
    let dash = |o: Option<&String>| o.cloned().unwrap_or_else(|| "-".into());
    format!(
        "{} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} - {} {} {} {} {}\n",
        px.iid,
        px.name,
        s.sid,
        s.name,
        s.ip,
        op,
        s.admin.bits(),
        s.uweight,
        s.iweight,
        s.side.lastchg,
        status,
        result,
        health,
        state,
        agent_state,
        u32::from(px.forced_id),
        u32::from(s.forced_id),
        dash(s.fqdn.as_ref()),
        s.port,
        u32::from(s.use_ssl),
        s.check.as_ref().map_or(0, |c| c.port),
        dash(s.check.as_ref().and_then(|c| c.addr.as_ref())),
        dash(s.state_agent_addr.as_ref()),
        s.state_agent_port,
    )
}

/// The whole output (without the CLI's closing empty line), or the error
/// text when `backend` names no backend.
pub fn render(snap: &Snapshot, backend: Option<&str>) -> Result<String, String> {
    if let Some(b) = backend {
        if !snap
            .proxies
            .iter()
            .any(|p| p.name == b && p.backend.is_some())
        {
            return Err(NO_BACKEND.into());
        }
    }
    let mut out = String::from(HEADER);
    for px in snap.proxies.iter().filter(|p| p.backend.is_some()) {
        if backend.is_some_and(|b| b != px.name) {
            continue;
        }
        for s in &px.servers {
            out.push_str(&row(px, s));
        }
    }
    Ok(out)
}
