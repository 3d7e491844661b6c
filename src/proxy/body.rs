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
