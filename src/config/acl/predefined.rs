//! The predefined ACLs of HAProxy 2.6 (manual 7.4): upper-case names usable
//! in any condition without an `acl` line.

use super::def::{parse_acl_body, AclDef};

/// (name, equivalent criterion and patterns)
static PREDEFINED: &[(&str, &[&str])] = &[
    ("FALSE", &["always_false"]),
    ("HTTP", &["req.proto_http"]),
    ("HTTP_1.0", &["req.ver", "1.0"]),
    ("HTTP_1.1", &["req.ver", "1.1"]),
    ("HTTP_2.0", &["req.ver", "2.0"]),
    ("HTTP_CONTENT", &["req.hdr_val(content-length)", "gt", "0"]),
    ("HTTP_URL_ABS", &["url_reg", "^[^/:]*://"]),
    ("HTTP_URL_SLASH", &["url_beg", "/"]),
    ("HTTP_URL_STAR", &["url", "*"]),
    ("LOCALHOST", &["src", "127.0.0.1/8", "::1"]),
    ("METH_CONNECT", &["method", "CONNECT"]),
    ("METH_DELETE", &["method", "DELETE"]),
    ("METH_GET", &["method", "GET", "HEAD"]),
    ("METH_HEAD", &["method", "HEAD"]),
    ("METH_OPTIONS", &["method", "OPTIONS"]),
    ("METH_POST", &["method", "POST"]),
    ("METH_PUT", &["method", "PUT"]),
    ("METH_TRACE", &["method", "TRACE"]),
    ("RDP_COOKIE", &["req.rdp_cookie_cnt", "gt", "0"]),
    ("REQ_CONTENT", &["req.len", "gt", "0"]),
    ("TRUE", &["always_true"]),
    ("WAIT_END", &["wait_end"]),
];

/// All predefined ACL names.
pub fn names() -> impl Iterator<Item = &'static str> {
    PREDEFINED.iter().map(|(n, _)| *n)
}

pub fn is_predefined(name: &str) -> bool {
    PREDEFINED.iter().any(|(n, _)| *n == name)
}

/// The definition a predefined ACL stands for.
pub fn predefined(name: &str) -> Option<AclDef> {
    let (n, words) = PREDEFINED.iter().find(|(n, _)| *n == name)?;
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let mut def = parse_acl_body(&words).ok()?;
    def.name = n.to_string();
    Some(def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_predefined_acl_parses() {
        for n in names() {
            let def = predefined(n);
            assert_eq!(def.map(|d| d.name), Some(n.to_string()));
        }
        assert_eq!(names().count(), 22);
        assert!(predefined("NOPE").is_none());
    }
}
