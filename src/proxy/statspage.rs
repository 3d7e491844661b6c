//! The built-in stats page of a proxy with `stats enable` (manual §4.2
//! `stats uri|auth|realm|...`): intercepted before any server is picked,
//! protected by `stats auth`, and served as CSV with `;csv`.

use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, TRANSFER_ENCODING};
use http::{Request, Response};
use hyper::body::Incoming;

use super::body::{once, RespBody};
use super::http::to_hyper;
use crate::config::model::StatsPage;
use crate::runtime::table::BackendState;
use crate::runtime::Shared;

/// HAProxy's default realm when `stats realm` is not set.
const DEFAULT_REALM: &str = "HAProxy Statistics";

/// The stats settings that apply to this request, if it is for the page.
pub fn wanted<'a>(be: &'a BackendState, req: &Request<Incoming>) -> Option<&'a StatsPage> {
    let st = &be.proxy.settings.stats;
    if !st.enabled {
        return None;
    }
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    target.starts_with(st.effective_uri()).then_some(st)
}

/// `stats auth user:password` (Basic); no `stats auth` line means open.
fn authorized(st: &StatsPage, req: &Request<Incoming>) -> bool {
    if st.auth.is_empty() {
        return true;
    }
    let Some(cred) = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Some(decoded) = super::txn::base64_decode(cred.trim()) else {
        return false;
    };
    let text = String::from_utf8_lossy(&decoded);
    st.auth.iter().any(|(u, p)| text == format!("{u}:{p}"))
}

/// Answer a stats page request.
pub fn serve(shared: &Shared, st: &StatsPage, req: &Request<Incoming>) -> Response<RespBody> {
    if !authorized(st, req) {
        let realm = st.realm.as_deref().unwrap_or(DEFAULT_REALM);
        if let Some(r) = crate::http::errors::auth_challenge(realm, false) {
            return to_hyper(&r);
        }
    }
    let target = req.uri().path_and_query().map_or("", |pq| pq.as_str());
    let rest = &target[st.effective_uri().len().min(target.len())..];
    let snap = crate::runtime::statsrt::snapshot(shared, &shared.model, shared.started);
    let (body, ctype) = if rest.split(';').any(|o| o == "csv") {
        let filter = crate::stats::csv::StatFilter {
            legends: st.show_legends,
            ..Default::default()
        };
        (crate::stats::csv::render(&snap, &filter), "text/plain")
    } else {
        // The HTML page arrives with the stats page renderer; until then
        // the page answers with the CSV as plain text.
        (
            crate::stats::csv::render(&snap, &Default::default()),
            "text/plain",
        )
    };
    // Sent chunked, as HAProxy sends the page.
    let mut r = Response::new(once(body));
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(ctype));
    r.headers_mut()
        .insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
    r
}
