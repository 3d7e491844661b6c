//! An owned [`SampleSource`]: a request described by plain fields, for
//! tests and for callers that already hold copies of the data.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;

use super::source::SampleSource;
use super::value::Sample;

#[derive(Debug, Clone, Default)]
pub struct OwnedRequest {
    pub src: Option<SocketAddr>,
    pub dst: Option<SocketAddr>,
    pub method: Option<String>,
    pub uri: Option<String>,
    pub version: Option<String>,
    pub headers: Vec<(String, String)>,
    pub status: Option<u16>,
    pub res_version: Option<String>,
    pub res_headers: Vec<(String, String)>,
    pub ssl: bool,
    pub sni: Option<String>,
    pub alpn: Option<String>,
    pub payload: Option<Vec<u8>>,
    pub fe: Option<(String, i64)>,
    pub be: Option<(String, i64)>,
    /// Usable servers per backend name ("" = current backend).
    pub servers: HashMap<String, i64>,
    pub vars: RefCell<HashMap<String, Sample>>,
    /// userlist → authenticated user.
    pub auth_users: HashMap<String, String>,
    /// (userlist, user, group) memberships.
    pub groups: Vec<(String, String, String)>,
    pub env: HashMap<String, String>,
}

impl OwnedRequest {
    /// An HTTP/1.1 request from 127.0.0.1:40000 to 127.0.0.1:80.
    pub fn get(uri: &str, headers: &[(&str, &str)]) -> Self {
        OwnedRequest {
            src: "127.0.0.1:40000".parse().ok(),
            dst: "127.0.0.1:80".parse().ok(),
            method: Some("GET".into()),
            uri: Some(uri.into()),
            version: Some("1.1".into()),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }
}

impl SampleSource for OwnedRequest {
    fn src(&self) -> Option<SocketAddr> {
        self.src
    }
    fn dst(&self) -> Option<SocketAddr> {
        self.dst
    }
    fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }
    fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }
    fn req_version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    fn req_headers(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
    fn status(&self) -> Option<u16> {
        self.status
    }
    fn res_version(&self) -> Option<&str> {
        self.res_version.as_deref()
    }
    fn res_headers(&self) -> Vec<(&str, &str)> {
        self.res_headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
    fn fc_http_major(&self) -> Option<i64> {
        self.version
            .as_deref()
            .and_then(|v| v.split('.').next()?.parse().ok())
    }
    fn ssl_fc(&self) -> bool {
        self.ssl
    }
    fn ssl_fc_sni(&self) -> Option<&str> {
        self.sni.as_deref()
    }
    fn ssl_fc_alpn(&self) -> Option<&str> {
        self.alpn.as_deref()
    }
    fn payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }
    fn fe_name(&self) -> Option<&str> {
        self.fe.as_ref().map(|(n, _)| n.as_str())
    }
    fn fe_id(&self) -> Option<i64> {
        self.fe.as_ref().map(|(_, i)| *i)
    }
    fn be_name(&self) -> Option<&str> {
        self.be.as_ref().map(|(n, _)| n.as_str())
    }
    fn be_id(&self) -> Option<i64> {
        self.be.as_ref().map(|(_, i)| *i)
    }
    fn nbsrv(&self, backend: Option<&str>) -> Option<i64> {
        self.servers.get(backend.unwrap_or("")).copied()
    }
    fn var(&self, name: &str) -> Option<Sample> {
        self.vars.borrow().get(name).cloned()
    }
    fn set_var(&self, name: &str, value: Sample) {
        self.vars.borrow_mut().insert(name.to_string(), value);
    }
    fn unset_var(&self, name: &str) {
        self.vars.borrow_mut().remove(name);
    }
    fn http_auth_user(&self, userlist: &str) -> Option<String> {
        self.auth_users.get(userlist).cloned()
    }
    fn user_in_group(&self, userlist: &str, user: &str, group: &str) -> bool {
        self.groups
            .iter()
            .any(|(l, u, g)| l == userlist && u == user && g == group)
    }
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }
}
