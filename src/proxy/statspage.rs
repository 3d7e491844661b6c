//! The built-in stats page of a proxy with `stats enable` (manual §4.2
//! `stats uri|auth|realm|...`): intercepted before any server is picked,
//! protected by `stats auth`, and served as CSV with `;csv`.

use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, TRANSFER_ENCODING};
use http::{Request, Response};
use hyper::body::Incoming;

use super::body::{once, RespBody};
use super::http::to_hyper;
use super::http::ConnInfo;
use crate::config::model::{Proxy, StatsPage};
use crate::runtime::Shared;
use crate::stats::html::{
    apply_admin_post, parse_admin_post, redirect_location, refresh_header, ActionStatus,
    PageConfig, PageRequest,
};

/// HAProxy's default realm when `stats realm` is not set.
const DEFAULT_REALM: &str = "HAProxy Statistics";

/// The stats settings that apply to this request, if it is for the page.
pub fn wanted<'a>(px: &'a Proxy, req: &Request<Incoming>) -> Option<&'a StatsPage> {
    let st = &px.settings.stats;
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

/// `stats admin if <cond>`: whether this client may use the admin form.
fn admin_allowed(
    shared: &Shared,
    px: &Proxy,
    st: &StatsPage,
    req: &Request<Incoming>,
    info: &ConnInfo,
) -> bool {
    use crate::sample::{AclSet, CompiledCond, EvalCtx, MemStore};
    let store = MemStore::new();
    let Ok(acls) = AclSet::compile(&px.settings.acls, &store) else {
        return false;
    };
    let mut t = super::txn::Txn::new(
        shared,
        &shared.userlists,
        info.client,
        info.local,
        (px.name.clone(), i64::from(px.id)),
    );
    t.method = req.method().to_string();
    t.uri = req.uri().to_string();
    t.headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    st.admin.iter().any(|c| {
        CompiledCond::compile(c, &acls, &store)
            .map(|cc| cc.eval(&EvalCtx::request(&t)))
            .unwrap_or(false)
    })
}

fn page_response(body: String, ctype: &'static str, refresh: Option<u32>) -> Response<RespBody> {
    // Sent chunked, as HAProxy sends the page.
    let mut r = Response::new(once(body));
    let h = r.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Some(n) = refresh {
        h.insert("refresh", HeaderValue::from(n));
    }
    h.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
    r
}

/// The CARP vhids of this process, as a small table on the page.
fn carp_section(shared: &Shared) -> String {
    let Some(c) = shared.carp.get() else {
        return String::new();
    };
    let mut out = String::from(
        "<h3>CARP</h3>\n<table class=\"tbl\"><tr class=\"titre\"><th>vhid</th><th>interface</th><th>state</th><th>advbase</th><th>advskew</th><th>demotion</th><th>sent</th><th>received</th><th>bad</th></tr>\n",
    );
    let demotion = c.demotion();
    for v in c.status() {
        let class = match v.state {
            crate::carp::events::State::Master => "active_up",
            crate::carp::events::State::Backup => "backup_up",
            crate::carp::events::State::Init => "active_down",
        };
        out.push_str(&format!(
            "<tr class=\"{class}\"><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td><td>{demotion}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            v.vhid, v.iface, v.linux_iface, v.state, v.advbase, v.advskew, v.sent, v.received, v.bad
        ));
    }
    out.push_str("</table>\n");
    out
}

/// Answer a stats page request: 401 without valid `stats auth`, the CSV
/// with `;csv`, the admin form's POST (then a 303 back to the page), or
/// the HTML page.
pub async fn serve(
    shared: &Shared,
    px: &Proxy,
    st: &StatsPage,
    req: Request<Incoming>,
    info: &ConnInfo,
) -> Response<RespBody> {
    if !authorized(st, &req) {
        let realm = st.realm.as_deref().unwrap_or(DEFAULT_REALM);
        if let Some(r) = crate::http::errors::auth_challenge(realm, false) {
            return to_hyper(&r);
        }
    }
    let target = req
        .uri()
        .path_and_query()
        .map_or("", |pq| pq.as_str())
        .to_string();
    let cfg = PageConfig::from_model(st, &px.name);
    let preq = PageRequest::parse(&target, st.effective_uri());
    let admin = admin_allowed(shared, px, st, &req, info);
    if req.method() == http::Method::POST && admin {
        use http_body_util::BodyExt;
        let limited = http_body_util::Limited::new(req.into_body(), 64 * 1024);
        let body = match limited.collect().await {
            Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
            Err(_) => String::new(),
        };
        let status = match parse_admin_post(&body) {
            Ok(post) => apply_admin_post(shared, &post),
            Err(_) => ActionStatus::Errp,
        };
        let mut r = Response::new(once(Vec::new()));
        *r.status_mut() = http::StatusCode::SEE_OTHER;
        let h = r.headers_mut();
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(0));
        if let Ok(v) = HeaderValue::from_str(&redirect_location(&cfg, &preq, status)) {
            h.insert(http::header::LOCATION, v);
        }
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return r;
    }
    let snap = crate::runtime::statsrt::snapshot(shared, &shared.model, shared.started);
    if preq.csv {
        let filter = crate::stats::csv::StatFilter {
            legends: st.show_legends,
            ..Default::default()
        };
        return page_response(
            crate::stats::csv::render(&snap, &filter),
            "text/plain",
            None,
        );
    }
    let mut html = crate::stats::html::render(&snap, &cfg, &preq, admin);
    let carp = carp_section(shared);
    if !carp.is_empty() {
        match html.rfind("</body>") {
            Some(i) => html.insert_str(i, &carp),
            None => html.push_str(&carp),
        }
    }
    page_response(html, "text/html", refresh_header(&cfg, &preq))
}
