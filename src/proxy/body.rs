//! Body types of the HTTP pipeline.

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};

/// What a client sends and harp forwards to a server as is.
pub type ProxyBody = hyper::body::Incoming;

/// What harp answers: a server's body streamed through, or its own bytes.
pub type RespBody = BoxBody<Bytes, hyper::Error>;

/// A complete body of harp's own.
pub fn full(b: impl Into<Bytes>) -> RespBody {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

/// A one-chunk body that does not announce its size, so that hyper keeps
/// a `content-length` header where the message put it (HAProxy's header
/// order) instead of writing its own at the end.
#[derive(Debug)]
pub struct OnceBody(Option<Bytes>);

impl hyper::body::Body for OnceBody {
    type Data = Bytes;
    type Error = hyper::Error;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, hyper::Error>>> {
        std::task::Poll::Ready(
            self.0
                .take()
                .filter(|b| !b.is_empty())
                .map(|b| Ok(hyper::body::Frame::data(b))),
        )
    }
}

/// Our own bytes, sized by the message's own `content-length` header.
pub fn once(b: impl Into<Bytes>) -> RespBody {
    OnceBody(Some(b.into())).boxed()
}
