//! Connections to servers: connect with `timeout connect`, HTTP/1.1
//! handshake, and the per-server idle pool used by `http-reuse`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::body::ProxyBody;
use crate::runtime::table::ServerState;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("connection timeout")]
    Timeout,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Handshake(#[from] hyper::Error),
}

/// Open a TCP connection within `timeout` (None = no limit).
pub async fn connect_tcp(
    addr: SocketAddr,
    timeout: Option<Duration>,
) -> Result<TcpStream, ConnectError> {
    let fut = TcpStream::connect(addr);
    let stream = match timeout {
        Some(t) => tokio::time::timeout(t, fut)
            .await
            .map_err(|_| ConnectError::Timeout)??,
        None => fut.await?,
    };
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// An idle pooled connection that can take a request now, if any.
pub fn take_idle(s: &ServerState) -> Option<SendRequest<ProxyBody>> {
    let mut idle = s.idle.lock().ok()?;
    while let Some(tx) = idle.pop() {
        if !tx.is_closed() && tx.is_ready() {
            return Some(tx);
        }
    }
    None
}

/// Keep a connection for the next request (bounded per server).
pub fn put_idle(s: &Arc<ServerState>, tx: SendRequest<ProxyBody>) {
    const MAX_IDLE_PER_SERVER: usize = 256;
    if let Ok(mut idle) = s.idle.lock() {
        if idle.len() < MAX_IDLE_PER_SERVER {
            idle.push(tx);
        }
    }
}

/// A new HTTP/1.1 connection to `addr`; its driver runs as a task.
pub async fn connect_http(
    addr: SocketAddr,
    timeout: Option<Duration>,
) -> Result<SendRequest<ProxyBody>, ConnectError> {
    let stream = connect_tcp(addr, timeout).await?;
    let (tx, conn) = http1::Builder::new()
        .handshake(TokioIo::new(stream))
        .await?;
    tokio::spawn(async move {
        // with_upgrades: a 101 answer hands the socket to the tunnel.
        if let Err(e) = conn.with_upgrades().await {
            tracing::debug!("server connection ended: {e}");
        }
    });
    Ok(tx)
}
