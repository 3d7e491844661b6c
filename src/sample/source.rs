//! What the data plane exposes of one connection/request/response, and the
//! context an evaluation runs in.

use std::net::SocketAddr;

use super::value::Sample;

/// One connection, with its current request (HTTP mode) and response (when
/// response rules run). Everything is optional: a fetch whose data is
/// missing yields no sample (and an ACL on it does not match).
///
/// Header access is raw (`(name, full value)` in received order); the
/// evaluator does HAProxy's comma splitting, cookie parsing and occurrence
/// selection itself, so every fetch behaves the same whatever the transport.
pub trait SampleSource {
    /// Client address (`src`, `src_port`).
    fn src(&self) -> Option<SocketAddr>;
    /// Local address the client connected to (`dst`, `dst_port`).
    fn dst(&self) -> Option<SocketAddr>;

    /// Request method as received; `None` when there is no HTTP request
    /// (TCP mode, or not parsed yet).
    fn method(&self) -> Option<&str>;
    /// Request target as received: origin form (`/a?b`), absolute form
    /// (`http://h/a?b`), authority form (`h:443`) or `*`.
    fn uri(&self) -> Option<&str>;
    /// Request version without the `HTTP/` prefix: `1.0`, `1.1`, `2.0`.
    fn req_version(&self) -> Option<&str>;
    /// Request header fields in received order: (name as received, full
    /// value). HTTP/2 requests should list `host` if the authority is set.
    /// Like HAProxy's HTTP/1 parser, leave out `Connection` (hop-by-hop,
    /// consumed by the parser): `req.fhdr_cnt` and friends count without it.
    fn req_headers(&self) -> Vec<(&str, &str)>;

    /// Response status (response rules only).
    fn status(&self) -> Option<u16> {
        None
    }
    /// Response version, as [`SampleSource::req_version`].
    fn res_version(&self) -> Option<&str> {
        None
    }
    /// Response header fields in received order.
    fn res_headers(&self) -> Vec<(&str, &str)> {
        Vec::new()
    }

    /// Major HTTP version of the frontend connection (1 or 2).
    fn fc_http_major(&self) -> Option<i64> {
        None
    }
    /// Whether this request is the first of its connection.
    fn http_first_req(&self) -> bool {
        true
    }

    /// Whether the frontend connection is TLS (harp's own termination).
    fn ssl_fc(&self) -> bool {
        false
    }
    /// SNI received by harp's TLS termination.
    fn ssl_fc_sni(&self) -> Option<&str> {
        None
    }
    /// ALPN protocol negotiated by harp's TLS termination.
    fn ssl_fc_alpn(&self) -> Option<&str> {
        None
    }
    /// First bytes of the request stream (TCP content inspection); used by
    /// `req.ssl_sni` and `req.ssl_hello_type`.
    fn payload(&self) -> Option<&[u8]> {
        None
    }

    fn fe_name(&self) -> Option<&str> {
        None
    }
    fn fe_id(&self) -> Option<i64> {
        None
    }
    /// The backend chosen so far (none before `use_backend` ran).
    fn be_name(&self) -> Option<&str> {
        None
    }
    fn be_id(&self) -> Option<i64> {
        None
    }
    /// Usable servers of `backend`, or of the current backend for `None`.
    fn nbsrv(&self, backend: Option<&str>) -> Option<i64>;

    /// `var(name)`; `name` as written (`txn.foo`, `req.bar`, ...).
    fn var(&self, name: &str) -> Option<Sample> {
        let _ = name;
        None
    }
    /// `set-var(name)` converter: store a variable (implementations use
    /// interior mutability; the default drops it).
    fn set_var(&self, name: &str, value: Sample) {
        let _ = (name, value);
    }
    /// `unset-var(name)` converter.
    fn unset_var(&self, name: &str) {
        let _ = name;
    }

    /// User name authenticated against `userlist` with the request's basic
    /// authentication (`http_auth`, `http_auth_group`); `None` when absent
    /// or wrong.
    fn http_auth_user(&self, userlist: &str) -> Option<String> {
        let _ = userlist;
        None
    }
    /// Whether `user` of `userlist` belongs to `group`.
    fn user_in_group(&self, userlist: &str, user: &str, group: &str) -> bool {
        let _ = (userlist, user, group);
        false
    }

    /// `env(name)`: the process environment by default.
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
    /// `hostname`.
    fn hostname(&self) -> Option<String> {
        None
    }
    /// Seconds since the Unix epoch (`ltime`/`utime`/`http_date` use it
    /// only when given no input; they convert their input otherwise).
    fn now(&self) -> Option<i64> {
        None
    }
}

/// Which side is being processed: `hdr()`, `cookie()` and `shdr`-less
/// fetches pick the request or response from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Request,
    Response,
}

/// What one evaluation runs against.
#[derive(Clone, Copy)]
pub struct EvalCtx<'a> {
    pub src: &'a dyn SampleSource,
    pub dir: Direction,
    /// More request data may still arrive (`tcp-request inspect-delay`
    /// not expired): fetches on incomplete data report "may change" to
    /// [`crate::sample::CompiledCond::eval_tri`].
    pub more_data: bool,
}

impl<'a> EvalCtx<'a> {
    pub fn request(src: &'a dyn SampleSource) -> Self {
        EvalCtx {
            src,
            dir: Direction::Request,
            more_data: false,
        }
    }

    /// The same context while more data may still arrive.
    pub fn with_more_data(self) -> Self {
        EvalCtx {
            more_data: true,
            ..self
        }
    }

    pub fn response(src: &'a dyn SampleSource) -> Self {
        EvalCtx {
            src,
            dir: Direction::Response,
            more_data: false,
        }
    }
}
