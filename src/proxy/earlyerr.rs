//! HAProxy's early rejections on the client connection.
//!
//! When a request head cannot be parsed, hyper answers by itself with a
//! bare `400 Bad Request` (431 for oversized heads) and closes. HAProxy
//! answers such requests with its own raw message (configuration manual,
//! "HTTP error messages"; bytes in `crate::http::errors::raw`). This
//! wrapper sits between hyper and the socket and swaps hyper's own answer
//! for HAProxy's — only while no request is being served, so a server's
//! 400 passing through is never touched.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// hyper's own answers to unparsable requests (hyper 1.x, HTTP/1).
const HYPER_400: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
const HYPER_431: &[u8] =
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";

/// Set while the service handles a request on this connection.
#[derive(Debug, Default, Clone)]
pub struct InService(pub Arc<AtomicBool>);

pub struct EarlyErrors<S> {
    inner: S,
    busy: InService,
    /// Bytes of HAProxy's message still to write.
    pending: Vec<u8>,
}

impl<S> EarlyErrors<S> {
    pub fn new(inner: S, busy: InService) -> Self {
        EarlyErrors {
            inner,
            busy,
            pending: Vec::new(),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for EarlyErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for EarlyErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let idle = !self.busy.0.load(Ordering::Acquire);
        if idle && self.pending.is_empty() && (data == HYPER_400 || data == HYPER_431) {
            // HAProxy answers both with its 400 page (the head is refused).
            self.pending = crate::http::errors::raw(400).unwrap_or_default();
        }
        if !self.pending.is_empty() {
            while !self.pending.is_empty() {
                let this = &mut *self;
                match Pin::new(&mut this.inner).poll_write(cx, &this.pending) {
                    Poll::Ready(Ok(n)) => {
                        this.pending.drain(..n);
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                }
            }
            // hyper's bytes are reported written: they were replaced.
            return Poll::Ready(Ok(data.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
