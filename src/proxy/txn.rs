//! One HTTP transaction as rules see it: an owned copy of the request (and
//! later the response) that rules read and rewrite, the transaction's
//! variables, and the `SampleSource` view the sample evaluator needs.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;

use crate::config::model::UserPassword;
use crate::runtime::Shared;
use crate::sample::{Sample, SampleSource};

pub struct Txn<'a> {
    pub shared: &'a Shared,
    pub model_users: &'a [crate::config::model::Userlist],
    pub client: SocketAddr,
    pub local: SocketAddr,
    pub method: String,
    pub uri: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub res_headers: Vec<(String, String)>,
    pub fe: (String, i64),
    pub be: Option<(String, i64)>,
    /// The first bytes of a TCP stream (`req.payload`, `req.ssl_sni`...).
    pub payload: Option<Vec<u8>>,
    vars: RefCell<HashMap<String, Sample>>,
}

impl<'a> Txn<'a> {
    pub fn new(
        shared: &'a Shared,
        model_users: &'a [crate::config::model::Userlist],
        client: SocketAddr,
        local: SocketAddr,
        fe: (String, i64),
    ) -> Self {
        Txn {
            shared,
            model_users,
            client,
            local,
            method: String::new(),
            uri: String::new(),
            version: "1.1".into(),
            headers: Vec::new(),
            status: None,
            reason: None,
            res_headers: Vec::new(),
            fe,
            be: None,
            payload: None,
            vars: RefCell::new(HashMap::new()),
        }
    }

    /// The path part of the URI (origin form or absolute form).
    pub fn path_and_query(&self) -> (&str, Option<&str>) {
        let u = self.uri.as_str();
        let start = if let Some(i) = u.find("://") {
            u[i + 3..].find('/').map_or(u.len(), |j| i + 3 + j)
        } else {
            0
        };
        let rest = &u[start..];
        match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl SampleSource for Txn<'_> {
    fn src(&self) -> Option<SocketAddr> {
        Some(self.client)
    }
    fn dst(&self) -> Option<SocketAddr> {
        Some(self.local)
    }
    fn method(&self) -> Option<&str> {
        (!self.method.is_empty()).then_some(self.method.as_str())
    }
    fn uri(&self) -> Option<&str> {
        (!self.method.is_empty()).then_some(self.uri.as_str())
    }
    fn req_version(&self) -> Option<&str> {
        (!self.method.is_empty()).then_some(self.version.as_str())
    }
    fn req_headers(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
    fn status(&self) -> Option<u16> {
        self.status
    }
    fn res_version(&self) -> Option<&str> {
        self.status.map(|_| "1.1")
    }
    fn res_headers(&self) -> Vec<(&str, &str)> {
        self.res_headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
    fn fc_http_major(&self) -> Option<i64> {
        (!self.method.is_empty()).then_some(1)
    }
    fn payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }
    fn fe_name(&self) -> Option<&str> {
        Some(&self.fe.0)
    }
    fn fe_id(&self) -> Option<i64> {
        Some(self.fe.1)
    }
    fn be_name(&self) -> Option<&str> {
        self.be.as_ref().map(|b| b.0.as_str())
    }
    fn be_id(&self) -> Option<i64> {
        self.be.as_ref().map(|b| b.1)
    }
    fn nbsrv(&self, backend: Option<&str>) -> Option<i64> {
        let name = backend.or(self.be.as_ref().map(|b| b.0.as_str()))?;
        self.shared
            .backends
            .get(name)
            .map(|b| i64::from(b.usable_count()))
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
    /// Basic authentication against a userlist. Only `insecure-password`
    /// entries are verified: crypt(3) hashes never match (deny, not allow).
    fn http_auth_user(&self, userlist: &str) -> Option<String> {
        let cred = self.header("authorization")?.strip_prefix("Basic ")?;
        let decoded = base64_decode(cred.trim())?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, pass) = text.split_once(':')?;
        let ul = self.model_users.iter().find(|u| u.name == userlist)?;
        let u = ul.users.iter().find(|u| u.name == user)?;
        match &u.password {
            UserPassword::Insecure(p) if p == pass => Some(user.to_string()),
            _ => None,
        }
    }
    fn user_in_group(&self, userlist: &str, user: &str, group: &str) -> bool {
        let Some(ul) = self.model_users.iter().find(|u| u.name == userlist) else {
            return false;
        };
        ul.users
            .iter()
            .any(|u| u.name == user && u.groups.iter().any(|g| g == group))
            || ul
                .groups
                .iter()
                .any(|g| g.name == group && g.users.iter().any(|u| u == user))
    }
}

/// The `%var` items of log-format arguments (`set-header X %ci`).
impl crate::sample::LogVarHook for Txn<'_> {
    fn render_var(&self, name: &str, _flags: &[String]) -> Option<String> {
        let (path, query) = self.path_and_query();
        Some(match name {
            "ci" => self.client.ip().to_string(),
            "cp" => self.client.port().to_string(),
            "fi" => self.local.ip().to_string(),
            "fp" => self.local.port().to_string(),
            "f" | "ft" => self.fe.0.clone(),
            "b" => self
                .be
                .as_ref()
                .map_or_else(|| self.fe.0.clone(), |b| b.0.clone()),
            "HM" => self.method.clone(),
            "HU" => self.uri.clone(),
            "HP" => path.to_string(),
            "HQ" => query.map(|q| format!("?{q}")).unwrap_or_default(),
            "HV" => format!("HTTP/{}", self.version),
            "pid" => std::process::id().to_string(),
            "Ts" => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
                .to_string(),
            _ => return None,
        })
    }
}

/// Standard base64 (RFC 4648), as used by HTTP Basic credentials.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let n = chunk.len();
        if n < 2 {
            return None;
        }
        out.push((acc >> 16) as u8);
        if n > 2 {
            out.push((acc >> 8) as u8);
        }
        if n > 3 {
            out.push(acc as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_basic_credentials() {
        assert_eq!(
            base64_decode("YWxpY2U6c2VjcmV0").as_deref(),
            Some(&b"alice:secret"[..])
        );
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("!!"), None);
    }
}
