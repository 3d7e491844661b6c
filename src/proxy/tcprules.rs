//! Layer-4 rules (manual §4.2 `tcp-request connection`, `tcp-request
//! content`, `tcp-request inspect-delay`) and the backend choice of
//! `mode tcp` proxies (`use_backend` on, e.g., `req.ssl_sni`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use super::http::ConnInfo;
use super::rules::{run, Verdict};
use super::txn::Txn;
use crate::runtime::rules::{CompiledRule, Target2};
use crate::runtime::table::BackendState;
use crate::runtime::Shared;
use crate::sample::EvalCtx;

fn txn<'a>(shared: &'a Shared, fe: usize, info: &ConnInfo) -> Txn<'a> {
    let p = &shared.frontends[fe].proxy;
    Txn::new(
        shared,
        &shared.userlists,
        info.client,
        info.local,
        (p.name.clone(), i64::from(p.id)),
    )
}

/// `tcp-request connection` rules, right after accept. False: close now.
pub fn connection_allowed(shared: &Shared, fe: usize, info: &ConnInfo) -> bool {
    let rules = &shared.frontends[fe].rules.tcp_connection;
    if rules.is_empty() {
        return true;
    }
    let mut t = txn(shared, fe, info);
    !matches!(run(rules, &mut t, false), Verdict::Deny(_))
}

/// Whether every rule's condition can be decided on the data so far.
fn decided(rules: &[CompiledRule], t: &Txn<'_>) -> bool {
    let ctx = EvalCtx::request(t).with_more_data();
    rules
        .iter()
        .all(|r| r.cond.as_ref().is_none_or(|c| c.eval_tri(&ctx).is_some()))
}

/// `tcp-request content` rules and `use_backend` for a TCP stream: wait
/// for data up to `tcp-request inspect-delay` while the conditions cannot
/// be decided yet, then run the rules and choose the backend. None: the
/// connection is rejected (or no backend).
pub async fn route(
    shared: &Shared,
    fe: usize,
    client: &TcpStream,
    info: &ConnInfo,
) -> Option<Arc<BackendState>> {
    let front = &shared.frontends[fe];
    let p = &front.proxy;
    let content = &front.rules.tcp_content;
    let conditional = front.rules.use_backend.iter().any(|(_, c)| c.is_some());
    let mut t = txn(shared, fe, info);
    if !content.is_empty() || conditional {
        let delay = p.settings.tcp_request_inspect_delay.unwrap_or(0);
        let deadline = Instant::now() + Duration::from_millis(u64::from(delay));
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            // Peek: the bytes stay in the socket for the server.
            let left = deadline.saturating_duration_since(Instant::now());
            let n = match tokio::time::timeout(left, client.peek(&mut buf)).await {
                Ok(Ok(n)) => n,
                Ok(Err(_)) => 0,
                Err(_) => break,
            };
            t.payload = Some(buf[..n].to_vec());
            let cond_rules_ok = {
                let ctx = EvalCtx::request(&t).with_more_data();
                front
                    .rules
                    .use_backend
                    .iter()
                    .all(|(_, c)| c.as_ref().is_none_or(|c| c.eval_tri(&ctx).is_some()))
            };
            let done = n == 0 || n == buf.len() || Instant::now() >= deadline;
            if done || (decided(content, &t) && cond_rules_ok) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if matches!(run(content, &mut t, false), Verdict::Deny(_)) {
            return None;
        }
    }
    for (target, cond) in &front.rules.use_backend {
        let holds = crate::sample::rule_applies(cond.as_ref(), &EvalCtx::request(&t));
        if !holds {
            continue;
        }
        let name = match target {
            Target2::Name(n) => n.clone(),
            Target2::Dynamic(f) => f.render(&EvalCtx::request(&t), &t),
        };
        if let Some(be) = shared.backends.get(&name) {
            return Some(be.clone());
        }
    }
    p.default_backend()
        .map(String::from)
        .or_else(|| p.cap.backend.then(|| p.name.clone()))
        .and_then(|n| shared.backends.get(&n).cloned())
}
