//! The rule phases of an HTTP transaction, in HAProxy's order (manual
//! §4 "Proxies", rule evaluation order): frontend `http-request` rules,
//! `redirect` rules, the backend choice (`use_backend`, then
//! `default_backend`), the backend's own `http-request` rules; and on the
//! way back `http-response` rules, backend first, then frontend.

use std::sync::Arc;

use http::header::{HeaderName, HeaderValue};
use http::{Request, Response};
use hyper::body::Incoming;

use super::body::RespBody;
use super::http::{reply, to_hyper, ConnInfo};
use super::rules::{run, Verdict};
use super::txn::Txn;
use crate::runtime::rules::{ProxyRules, Target2};
use crate::runtime::table::BackendState;
use crate::runtime::Shared;
use crate::sample::{rule_applies, EvalCtx};

/// Whether a proxy has anything the request phase must evaluate.
fn has_request_work(r: &ProxyRules) -> bool {
    !r.http_request.is_empty()
        || !r.redirects.is_empty()
        || r.use_backend
            .iter()
            .any(|(t, c)| c.is_some() || matches!(t, Target2::Dynamic(_)))
}

/// Copy the request into a transaction for rules to read and rewrite.
fn txn_of<'a>(shared: &'a Shared, fe: usize, req: &Request<Incoming>, info: &ConnInfo) -> Txn<'a> {
    let p = &shared.frontends[fe].proxy;
    let mut t = Txn::new(
        shared,
        &shared.userlists,
        info.client,
        info.local,
        (p.name.clone(), i64::from(p.id)),
    );
    t.method = req.method().to_string();
    t.uri = req.uri().to_string();
    t.version = match req.version() {
        http::Version::HTTP_10 => "1.0".into(),
        _ => "1.1".into(),
    };
    t.headers = req
        .headers()
        .iter()
        .filter(|(k, _)| *k != http::header::CONNECTION)
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    t
}

/// Write the rewritten method, URI and headers back into the request.
fn write_back(t: &Txn<'_>, req: &mut Request<Incoming>) {
    if let Ok(m) = http::Method::from_bytes(t.method.as_bytes()) {
        *req.method_mut() = m;
    }
    if let Ok(u) = t.uri.parse() {
        *req.uri_mut() = u;
    }
    let conn = req.headers().get(http::header::CONNECTION).cloned();
    let h = req.headers_mut();
    h.clear();
    for (k, v) in &t.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.append(k, v);
        }
    }
    if let Some(c) = conn {
        h.insert(http::header::CONNECTION, c);
    }
}

/// Turn a terminal verdict into HAProxy's response.
pub async fn answer(
    shared: &Shared,
    fe: usize,
    be: Option<&BackendState>,
    v: Verdict,
) -> Response<RespBody> {
    match v {
        Verdict::Respond(r) => to_hyper(&r),
        Verdict::Deny(status) => reply(shared, fe, be, if status == 0 { 403 } else { status }),
        Verdict::Tarpit(status) => {
            let s = &shared.frontends[fe].proxy.settings.timeouts;
            let wait = s.tarpit.or(s.connect).unwrap_or(0);
            tokio::time::sleep(std::time::Duration::from_millis(u64::from(wait))).await;
            reply(shared, fe, be, status)
        }
        Verdict::Auth(realm) => {
            let name = be.map_or_else(
                || shared.frontends[fe].proxy.name.clone(),
                |b| b.name.clone(),
            );
            let realm = realm.unwrap_or(name);
            match crate::http::errors::auth_challenge(&realm, false) {
                Some(r) => to_hyper(&r),
                None => reply(shared, fe, be, 401),
            }
        }
        Verdict::Prometheus(uri) => {
            let snap = crate::runtime::statsrt::snapshot(shared, &shared.model, shared.started);
            let query = crate::stats::prometheus::PromQuery::parse(&uri).unwrap_or_default();
            let body = crate::stats::prometheus::render(&snap, &query);
            let mut r = Response::new(super::body::once(body));
            let h = r.headers_mut();
            h.insert(
                http::header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            );
            h.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            h.insert(
                http::header::TRANSFER_ENCODING,
                HeaderValue::from_static("chunked"),
            );
            r
        }
        Verdict::Continue => reply(shared, fe, be, 500),
    }
}

/// Where a request goes after the request-side rules, or the answer the
/// rules gave. The transaction is kept when response rules need it.
pub enum Routed<'a> {
    To(Arc<BackendState>, Option<Box<Txn<'a>>>),
    Answer(Response<RespBody>, Option<Arc<BackendState>>),
    /// A frontend's own `stats uri` matched: HAProxy serves the page from
    /// the frontend before any backend is chosen.
    Stats,
}

pub async fn request_phase<'a>(
    shared: &'a Shared,
    fe: usize,
    req: &mut Request<Incoming>,
    info: &ConnInfo,
) -> Routed<'a> {
    let front = &shared.frontends[fe];
    let mut txn = None;
    if has_request_work(&front.rules) {
        let mut t = txn_of(shared, fe, req, info);
        for set in [&front.rules.http_request, &front.rules.redirects] {
            match run(set, &mut t, false) {
                Verdict::Continue => {}
                v => return Routed::Answer(answer(shared, fe, None, v).await, None),
            }
        }
        txn = Some(t);
    }
    // A frontend section's stats page (a listen section's is found with
    // its backend side, after that side's rules).
    if !front.proxy.cap.backend && super::statspage::wanted(&front.proxy, req).is_some() {
        return Routed::Stats;
    }
    // use_backend: the first rule whose condition holds.
    let mut name: Option<String> = None;
    for (target, cond) in &front.rules.use_backend {
        let holds = match (&txn, cond) {
            (_, None) => true,
            (Some(t), Some(c)) => rule_applies(Some(c), &EvalCtx::request(t)),
            (None, Some(_)) => false,
        };
        if holds {
            let n = match (target, &txn) {
                (Target2::Name(n), _) => n.clone(),
                (Target2::Dynamic(f), Some(t)) => f.render(&EvalCtx::request(t), t),
                (Target2::Dynamic(_), None) => continue,
            };
            // A dynamic name that matches no backend is skipped (the
            // next rules, then default_backend, decide).
            if matches!(target, Target2::Dynamic(_)) && !shared.backends.contains_key(&n) {
                continue;
            }
            name = Some(n);
            break;
        }
    }
    let p = &front.proxy;
    let name = name
        .or_else(|| p.default_backend().map(String::from))
        .or_else(|| p.cap.backend.then(|| p.name.clone()));
    let Some(be) = name.and_then(|n| shared.backends.get(&n)).cloned() else {
        return Routed::Answer(reply(shared, fe, None, 503), None);
    };
    // The backend's own rules, unless it is this listen section itself.
    let same = Arc::ptr_eq(&be.proxy, &front.proxy) || be.proxy.name == p.name && p.cap.backend;
    let response_rules =
        !front.rules.http_response.is_empty() || !be.rules.http_response.is_empty();
    if txn.is_none() && ((!same && !be.rules.http_request.is_empty()) || response_rules) {
        txn = Some(txn_of(shared, fe, req, info));
    }
    if let Some(t) = txn.as_mut() {
        t.be = Some((be.name.clone(), i64::from(be.id)));
        if !same {
            match run(&be.rules.http_request, t, false) {
                Verdict::Continue => {}
                v => return Routed::Answer(answer(shared, fe, Some(&be), v).await, Some(be)),
            }
        }
        write_back(t, req);
    }
    Routed::To(be, txn.map(Box::new))
}

/// `http-response` rules, backend first then frontend; the response's
/// status and headers are rewritten in place.
pub async fn response_phase(
    shared: &Shared,
    fe: usize,
    be: &Arc<BackendState>,
    txn: &mut Option<Box<Txn<'_>>>,
    resp: &mut Response<Incoming>,
) -> Option<Response<RespBody>> {
    let front = &shared.frontends[fe];
    let same = be.proxy.name == front.proxy.name && front.proxy.cap.backend;
    let sets: Vec<&Vec<crate::runtime::rules::CompiledRule>> = if same {
        vec![&front.rules.http_response]
    } else {
        vec![&be.rules.http_response, &front.rules.http_response]
    };
    if sets.iter().all(|s| s.is_empty()) {
        return None;
    }
    let t = txn.as_mut()?;
    t.status = Some(resp.status().as_u16());
    t.res_headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    for set in sets {
        match run(set, t, true) {
            Verdict::Continue => {}
            v => return Some(answer(shared, fe, Some(be), v).await),
        }
    }
    if let Some(s) = t.status.and_then(|s| http::StatusCode::from_u16(s).ok()) {
        *resp.status_mut() = s;
    }
    if let Some(r) = t
        .reason
        .as_ref()
        .and_then(|r| hyper::ext::ReasonPhrase::try_from(r.as_bytes()).ok())
    {
        resp.extensions_mut().insert(r);
    }
    let h = resp.headers_mut();
    h.clear();
    for (k, v) in &t.res_headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.append(k, v);
        }
    }
    None
}
