//! `mode tcp`: relay bytes both ways between the client and one server,
//! closing when either side stays idle past its timeout (manual §4
//! `mode tcp`, `timeout client|server|connect`, `retries`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::http::ConnInfo;
use super::pick::pick;
use super::upstream::connect_tcp;
use crate::runtime::Shared;

fn ms(v: Option<u32>) -> Option<Duration> {
    v.filter(|&m| m > 0)
        .map(|m| Duration::from_millis(u64::from(m)))
}

pub async fn serve(shared: Arc<Shared>, fe: usize, client: TcpStream, info: ConnInfo) {
    let p = &shared.frontends[fe].proxy;
    let Some(be) = super::tcprules::route(&shared, fe, &client, &info).await else {
        return;
    };
    let be = &be;
    let s = &be.proxy.settings;
    let retries = s.retries.unwrap_or(3);
    let queue_to = ms(s.timeouts.queue.or(s.timeouts.connect)).unwrap_or(Duration::from_secs(3600));
    let lb_req = crate::balance::Request {
        src: Some(info.client.ip()),
        ..crate::balance::Request::default()
    };
    let mut server_conn = None;
    for _ in 0..=retries {
        let Ok(slot) = pick(be, &lb_req, None, queue_to).await else {
            return;
        };
        let Some(target) = slot.server.target else {
            return;
        };
        match connect_tcp(target.resolve(info.local.port()), ms(s.timeouts.connect)).await {
            Ok(c) => {
                server_conn = Some((slot, c));
                break;
            }
            Err(e) => tracing::debug!("tcp connect to {} failed: {e}", slot.server.name),
        }
    }
    let Some((slot, upstream)) = server_conn else {
        return;
    };
    let client_to = ms(p.settings.timeouts.client);
    let server_to = ms(s.timeouts.server);
    let idle = match (client_to, server_to) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    relay(client, upstream, idle).await;
    drop(slot);
}

/// Copy both directions. A side is idle when no byte moved in either
/// direction for its timeout (HAProxy counts writes to a side as activity
/// too); the relay ends on EOF (propagated as a shutdown) or idleness.
pub async fn relay<A, B>(client: A, server: B, idle: Option<Duration>)
where
    A: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
    B: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
{
    let start = Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    let (mut cr, mut cw) = tokio::io::split(client);
    let (mut sr, mut sw) = tokio::io::split(server);
    let (l1, l2) = (last.clone(), last);
    let up = async move {
        let _ = pump(&mut cr, &mut sw, idle, start, &l1).await;
        let _ = sw.shutdown().await;
    };
    let down = async move {
        let _ = pump(&mut sr, &mut cw, idle, start, &l2).await;
        let _ = cw.shutdown().await;
    };
    tokio::join!(up, down);
}

async fn pump<R, W>(
    r: &mut R,
    w: &mut W,
    idle: Option<Duration>,
    start: Instant,
    last: &AtomicU64,
) -> std::io::Result<()>
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match idle {
            Some(t) => match tokio::time::timeout(t, r.read(&mut buf)).await {
                Ok(res) => res?,
                Err(_) => {
                    // Idle only if the other direction was quiet as well.
                    let since = start.elapsed().as_millis() as u64 - last.load(Ordering::Relaxed);
                    if since >= t.as_millis() as u64 {
                        return Ok(());
                    }
                    continue;
                }
            },
            None => r.read(&mut buf).await?,
        };
        if n == 0 {
            return Ok(());
        }
        last.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
        w.write_all(&buf[..n]).await?;
    }
}
