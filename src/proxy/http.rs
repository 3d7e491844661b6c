//! The HTTP/1.1 pipeline of a frontend: accept requests (hyper), pick the
//! backend and server, forward, and answer HAProxy's own errors when that
//! fails (HAProxy manual §4 `mode http`, §4.2 `option forwardfor`,
//! `http-reuse`, `retries`, `option redispatch`, timeouts).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue, CONNECTION};
use http::{Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;

use super::body::{full, once, RespBody};
use super::earlyerr::{EarlyErrors, InService};
use super::pick::pick;
use super::upstream::{connect_http, put_idle, take_idle};
use crate::balance::Request as LbRequest;
use crate::config::model::HttpConnMode;
use crate::log::{LogRecord, LogTime, Peer, TermCause, TermPhase, TermState, Timers};
use crate::runtime::logger::Logger;
use crate::runtime::table::{BackendState, ServerState};
use crate::runtime::Shared;
use std::time::{Instant, SystemTime};

/// Per client connection facts.
#[derive(Debug, Clone, Copy)]
pub struct ConnInfo {
    pub client: SocketAddr,
    pub local: SocketAddr,
}

fn ms(v: Option<u32>) -> Option<Duration> {
    v.filter(|&m| m > 0)
        .map(|m| Duration::from_millis(u64::from(m)))
}

/// A response of harp's own (HAProxy's bytes: `crate::http`) for hyper.
pub fn to_hyper(r: &crate::http::Response) -> Response<RespBody> {
    let has_len = r
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
    let body = if has_len {
        once(r.body.clone())
    } else {
        full(r.body.clone())
    };
    let mut out = Response::new(body);
    *out.status_mut() =
        http::StatusCode::from_u16(r.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    if out.status().canonical_reason() != Some(r.reason.as_str()) {
        if let Ok(reason) = hyper::ext::ReasonPhrase::try_from(r.reason.as_bytes()) {
            out.extensions_mut().insert(reason);
        }
    }
    let h = out.headers_mut();
    for (k, v) in &r.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.append(k, v);
        }
    }
    out
}

/// HAProxy's answer for `status`: the backend's message if it has one,
/// else the frontend's, else the built-in page.
pub fn reply(
    shared: &Shared,
    fe: usize,
    be: Option<&BackendState>,
    status: u16,
) -> Response<RespBody> {
    let front = &shared.frontends[fe].errors;
    let r = crate::http::resolve::pick(be.map(|b| &b.errors), front, status)
        .and_then(|r| r.to_static())
        .or_else(|| crate::http::errors::builtin(status));
    match r {
        Some(r) => to_hyper(&r),
        None => {
            let mut e = Response::new(full(Vec::new()));
            *e.status_mut() = http::StatusCode::from_u16(status)
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            e
        }
    }
}

/// Clears the in-service flag once the response body is gone.
struct BusyUntilDropped(InService);

impl Drop for BusyUntilDropped {
    fn drop(&mut self) {
        self.0 .0.store(false, std::sync::atomic::Ordering::Release);
    }
}

/// Serve one client connection of an HTTP frontend.
pub async fn serve(shared: Arc<Shared>, fe: usize, stream: TcpStream, info: ConnInfo) {
    let front = &shared.frontends[fe];
    let s = &front.proxy.settings;
    let keep_alive = s.http_conn_mode != HttpConnMode::Close;
    // `timeout http-request` bounds the wait for a complete header;
    // without it HAProxy falls back to `timeout client`.
    let header_timeout = ms(s.timeouts.http_request.or(s.timeouts.client));
    let mut b = hyper::server::conn::http1::Builder::new();
    b.keep_alive(keep_alive)
        .auto_date_header(false)
        .timer(TokioTimer::new());
    if header_timeout.is_some() {
        b.header_read_timeout(header_timeout);
    }
    let svc_shared = shared.clone();
    let busy = InService::default();
    let svc_busy = busy.clone();
    let svc = service_fn(move |req| {
        let shared = svc_shared.clone();
        let busy = svc_busy.clone();
        async move {
            // From here until the response is written, what hyper writes
            // is ours to pass through unchanged.
            busy.0.store(true, std::sync::atomic::Ordering::Release);
            let resp = handle(&shared, fe, req, info).await;
            let guard = BusyUntilDropped(busy);
            let (parts, body) = resp.into_parts();
            let body = body.map_frame(move |f| {
                let _held = &guard;
                f
            });
            Ok::<_, Infallible>(Response::from_parts(parts, body.boxed()))
        }
    });
    if let Err(e) = b
        .serve_connection(TokioIo::new(EarlyErrors::new(stream, busy)), svc)
        .with_upgrades()
        .await
    {
        tracing::debug!("client connection ended: {e}");
    }
}

/// One request: forward it, then log the stream when its response body
/// ends (HAProxy logs at the end of the stream unless `option logasap`).
async fn handle(
    shared: &Shared,
    fe: usize,
    req: Request<Incoming>,
    info: ConnInfo,
) -> Response<RespBody> {
    let t0 = Instant::now();
    let front = &shared.frontends[fe];
    let logging = front.logger.enabled();
    // The record is only filled when a log line will be written.
    let mut rec = if logging {
        LogRecord {
            client: Some(Peer::Inet(info.client)),
            frontend_addr: Some(Peer::Inet(info.local)),
            frontend: front.proxy.name.clone(),
            http: true,
            accept_date: LogTime::from_system(SystemTime::now()),
            request_line: Some(format!(
                "{} {} {:?}",
                req.method(),
                req.uri(),
                req.version()
            )),
            timers: Timers {
                th: 0,
                ti: 0,
                treq: 0,
                ..Timers::default()
            },
            ..LogRecord::default()
        }
    } else {
        LogRecord::default()
    };
    let resp = forward(shared, fe, req, info, &mut rec, t0).await;
    if !logging {
        return resp;
    }
    let logger = front.logger.clone();
    rec.status = Some(resp.status().as_u16());
    rec.timers.ta = t0.elapsed().as_millis() as i64;
    // What the client receives: the header block, then the body.
    let head = 17
        + resp.status().canonical_reason().map_or(0, str::len)
        + resp
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>()
        + 2;
    let mut done = LogOnEnd {
        rec: Some(rec),
        logger,
        t0,
        bytes: head as u64,
    };
    let (parts, body) = resp.into_parts();
    let body = body.map_frame(move |f| {
        // `done` as a whole moves into the closure: it logs when dropped.
        let done = &mut done;
        if let Some(d) = f.data_ref() {
            done.bytes += d.len() as u64;
        }
        f
    });
    Response::from_parts(parts, body.boxed())
}

/// Writes the log line when the response is over (or abandoned).
struct LogOnEnd {
    rec: Option<LogRecord>,
    logger: Arc<Logger>,
    t0: Instant,
    bytes: u64,
}

impl Drop for LogOnEnd {
    fn drop(&mut self) {
        if let Some(mut rec) = self.rec.take() {
            rec.bytes_out = self.bytes;
            rec.timers.tt = self.t0.elapsed().as_millis() as i64;
            self.logger.log(&rec);
        }
    }
}

/// The log fields of a request the stats page answered: `px/<STATS>`,
/// `LR`, and Tw/Tc/Tr of 0 (the page is served at once, like a server
/// that needs no connection).
fn log_as_stats(rec: &mut LogRecord, px: &str) {
    rec.backend = Some(px.to_string());
    rec.server = Some("<STATS>".into());
    rec.term = TermState::new(TermCause::Local, TermPhase::Request);
    rec.timers.tw = 0;
    rec.timers.tc = 0;
    rec.timers.tr = 0;
}

async fn forward(
    shared: &Shared,
    fe: usize,
    mut req: Request<Incoming>,
    info: ConnInfo,
    rec: &mut LogRecord,
    t0: Instant,
) -> Response<RespBody> {
    // `monitor-uri`: harp answers itself, whatever the backends' state.
    let front = &shared.frontends[fe].proxy;
    if let Some(m) = &front.settings.monitor_uri {
        let target = req.uri().path_and_query().map_or("", |pq| pq.as_str());
        if target == m {
            return reply(shared, fe, None, 200);
        }
    }
    let (be, mut txn) = match super::phases::request_phase(shared, fe, &mut req, &info).await {
        super::phases::Routed::To(be, txn) => (be, txn),
        super::phases::Routed::Answer(resp, be) => {
            rec.backend = be.map(|b| b.name.clone());
            rec.term = TermState::new(TermCause::Local, TermPhase::Request);
            return resp;
        }
        super::phases::Routed::Stats => {
            let px = shared.frontends[fe].proxy.clone();
            // No backend was chosen: HAProxy logs the frontend as both.
            log_as_stats(rec, &px.name);
            if let Some(st) = super::statspage::wanted(&px, &req) {
                return super::statspage::serve(shared, &px, st, req, &info).await;
            }
            return reply(shared, fe, None, 503);
        }
    };
    let be = &be;
    // The stats page answers before any server is chosen.
    if let Some(st) = super::statspage::wanted(&be.proxy, &req) {
        log_as_stats(rec, &be.name);
        return super::statspage::serve(shared, &be.proxy, st, req, &info).await;
    }
    rec.backend = Some(be.name.clone());
    let bs = &be.proxy.settings;
    let fs = &shared.frontends[fe].proxy.settings;
    // Options set on either side apply (HAProxy merges frontend and backend).
    add_forwarding_headers(&mut req, fs, bs, &info);
    let strictness = |s: &crate::config::model::ProxySettings| match s.http_conn_mode {
        HttpConnMode::KeepAlive => 0,
        HttpConnMode::ServerClose => 1,
        HttpConnMode::Close => 2,
    };
    let close_server =
        strictness(fs).max(strictness(bs)) > 0 || bs.http_reuse.as_deref() == Some("never");
    // Connection management is hop-by-hop: HAProxy drops the client's
    // `Connection` (and what it names) and writes its own.
    let upgrading = wants_upgrade(&req);
    strip_hop_by_hop(req.headers_mut());
    if upgrading {
        req.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("upgrade"));
    } else if close_server {
        req.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    let retries = bs.retries.unwrap_or(3);
    let redispatch = bs.options.get("redispatch").copied().unwrap_or(false);
    let connect_to = ms(bs.timeouts.connect);
    let server_to = ms(bs.timeouts.server);
    // `timeout queue` defaults to `timeout connect` (manual §4.2).
    let queue_to =
        ms(bs.timeouts.queue.or(bs.timeouts.connect)).unwrap_or(Duration::from_secs(3600));
    // What the balancing algorithm may hash on, taken before the request
    // moves on to the server.
    let lb_uri = be
        .wants_uri
        .then(|| req.uri().path_and_query().map(|pq| pq.as_str().to_owned()))
        .flatten();
    let lb_header = be.wants_header.as_deref().and_then(|name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or("").trim().to_owned())
    });
    let lb_req = LbRequest {
        src: Some(info.client.ip()),
        uri: lb_uri.as_deref().map(str::as_bytes),
        is_post: req.method() == http::Method::POST,
        header: lb_header.as_deref().map(str::as_bytes),
        ..LbRequest::default()
    };
    // Cookie persistence: a valid cookie names the server to use.
    let cookie_cfg = super::cookie::insert_config(be);
    let cookie_in = cookie_cfg.and_then(|c| super::cookie::request_value(req.headers(), &c.name));
    let mut persisted = cookie_in
        .as_deref()
        .and_then(|v| super::cookie::persistent_slot(be, v));
    if let Some(c) = cookie_cfg.filter(|c| c.indirect) {
        super::cookie::strip_from_request(req.headers_mut(), &c.name);
    }
    let mut last: Option<Arc<ServerState>> = None;
    let mut sender = None;
    for attempt in 0..=retries {
        // Retries stay on the same server; the last one may redispatch.
        let avoid = if redispatch && attempt == retries && attempt > 0 {
            last.as_ref()
        } else {
            None
        };
        let slot = match (&last, avoid, persisted.take()) {
            (_, _, Some(slot)) => slot,
            (Some(s), None, None) if attempt > 0 => match s.try_slot(be) {
                Some(slot) => slot,
                None => match pick(be, &lb_req, None, queue_to).await {
                    Ok(slot) => slot,
                    Err(_) => return reply(shared, fe, Some(be), 503),
                },
            },
            _ => match pick(be, &lb_req, avoid, queue_to).await {
                Ok(slot) => slot,
                Err(_) => return reply(shared, fe, Some(be), 503),
            },
        };
        let Some(target) = slot.server.target else {
            return reply(shared, fe, Some(be), 503);
        };
        let addr = target.resolve(info.local.port());
        if let Some(tx) = take_idle(&slot.server) {
            sender = Some((slot, tx));
            break;
        }
        match connect_http(addr, connect_to).await {
            Ok(tx) => {
                sender = Some((slot, tx));
                break;
            }
            Err(e) => {
                tracing::debug!("connect to {addr} failed: {e}");
                last = Some(slot.server.clone());
            }
        }
    }
    let Some((slot, mut tx)) = sender else {
        rec.term = TermState::new(TermCause::ServerAbort, TermPhase::Connect);
        return reply(shared, fe, Some(be), 503);
    };
    let server = slot.server.clone();
    rec.server = Some(server.name.clone());
    rec.timers.tw = 0;
    rec.timers.tc = t0.elapsed().as_millis() as i64;
    let t_sent = Instant::now();
    let upgrade = upgrading.then(|| hyper::upgrade::on(&mut req));
    let sent = tx.send_request(req);
    let res = match server_to {
        Some(t) => tokio::time::timeout(t, sent).await,
        None => Ok(sent.await),
    };
    rec.timers.tr = t_sent.elapsed().as_millis() as i64;
    // Connection counts as the log shows them (%ac/%fc/%bc/%sc).
    rec.actconn = shared.actconn.load(std::sync::atomic::Ordering::Relaxed);
    rec.feconn = shared.frontends[fe]
        .feconn
        .load(std::sync::atomic::Ordering::Relaxed);
    rec.beconn = be
        .servers
        .iter()
        .map(|s| u64::from(s.cur_conns.load(std::sync::atomic::Ordering::Relaxed)))
        .sum();
    rec.srv_conn = u64::from(server.cur_conns.load(std::sync::atomic::Ordering::Relaxed));
    match res {
        Ok(Ok(mut resp)) => {
            // Insert mode: tell clients without a valid cookie where they went.
            if let Some(c) = cookie_cfg {
                let had = cookie_in
                    .as_deref()
                    .map(crate::balance::cookie::server_part);
                let mine = be
                    .proxy
                    .servers
                    .get(server.idx)
                    .and_then(|s| s.config.cookie.as_deref());
                if had.is_none() || had != mine {
                    if let Some(v) = super::cookie::set_cookie_value(c, be, &server) {
                        super::cookie::add_to_response(resp.headers_mut(), v);
                    }
                }
            }
            if let Some(answer) =
                super::phases::response_phase(shared, fe, be, &mut txn, &mut resp).await
            {
                return answer;
            }
            if let (Some(client_side), http::StatusCode::SWITCHING_PROTOCOLS) =
                (upgrade, resp.status())
            {
                let server_side = hyper::upgrade::on(&mut resp);
                let idle = ms(bs.timeouts.tunnel.or(bs.timeouts.server));
                tokio::spawn(tunnel(client_side, server_side, idle));
            } else if !close_server {
                put_idle(&server, tx);
            }
            let (parts, body) = resp.into_parts();
            // The slot is held until the body is over (or dropped).
            let body = body.map_frame(move |f| {
                let _held = &slot;
                f
            });
            Response::from_parts(parts, body.boxed())
        }
        Ok(Err(e)) => {
            tracing::debug!("server {} failed: {e}", server.name);
            rec.term = TermState::new(TermCause::ServerAbort, TermPhase::Headers);
            reply(shared, fe, Some(be), 502)
        }
        Err(_) => {
            rec.term = TermState::new(TermCause::ServerTimeout, TermPhase::Headers);
            reply(shared, fe, Some(be), 504)
        }
    }
}

/// Remove `Connection`, the headers it names (except `Upgrade`, which a
/// tunnel needs), `Keep-Alive` and `Proxy-Connection`.
fn strip_hop_by_hop(h: &mut http::HeaderMap) {
    let named: Vec<HeaderName> = h
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty() && t != "close" && t != "keep-alive" && t != "upgrade")
        .filter_map(|t| HeaderName::from_bytes(t.as_bytes()).ok())
        .collect();
    for n in named {
        h.remove(n);
    }
    h.remove(CONNECTION);
    h.remove("keep-alive");
    h.remove("proxy-connection");
}

/// `Connection: upgrade` with an `Upgrade` header (WebSocket and others).
fn wants_upgrade<B>(req: &Request<B>) -> bool {
    let conn_upgrade = req
        .headers()
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
    conn_upgrade && req.headers().contains_key(http::header::UPGRADE)
}

/// After a 101, relay both upgraded connections; `timeout tunnel` (else
/// `timeout server`) bounds idleness.
async fn tunnel(
    client: hyper::upgrade::OnUpgrade,
    server: hyper::upgrade::OnUpgrade,
    idle: Option<Duration>,
) {
    let (Ok(c), Ok(s)) = tokio::join!(client, server) else {
        return;
    };
    super::tcp::relay(TokioIo::new(c), TokioIo::new(s), idle).await;
}

/// `option forwardfor` and `option originalto` (manual §4.2).
fn add_forwarding_headers(
    req: &mut Request<Incoming>,
    fs: &crate::config::model::ProxySettings,
    bs: &crate::config::model::ProxySettings,
    info: &ConnInfo,
) {
    if let Some(ff) = bs.forwardfor.as_ref().or(fs.forwardfor.as_ref()) {
        let name = HeaderName::from_bytes(ff.header.as_bytes()).ok();
        if let Some(name) = name {
            let present = req.headers().contains_key(&name);
            if !(ff.if_none && present) {
                if let Ok(v) = HeaderValue::from_str(&info.client.ip().to_string()) {
                    req.headers_mut().append(name, v);
                }
            }
        }
    }
    if let Some(ot) = bs.originalto.as_ref().or(fs.originalto.as_ref()) {
        if let (Ok(name), Ok(v)) = (
            HeaderName::from_bytes(ot.header.as_bytes()),
            HeaderValue::from_str(&info.local.ip().to_string()),
        ) {
            req.headers_mut().insert(name, v);
        }
    }
}
