//! Arguments that name other config objects (`nbsrv(be)`, `table_cnt(t)`,
//! `http_auth(users)`, `srv_conn(be/srv)`): the model layer resolves them
//! once every section is known, and reports HAProxy's message when one is
//! missing.

use super::sample::SampleExpr;
use super::signature::{conv_sig, fetch_sig};

/// What an argument names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Backend,
    Frontend,
    /// A stick table (a proxy's own or a `table` of a peers section).
    Table,
    Userlist,
    /// `backend/server` or just `server` (in the current proxy).
    Server,
}

/// One reference, with the keyword that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgRef {
    pub kind: RefKind,
    /// 1-based argument position.
    pub pos: usize,
    pub value: String,
    /// The converter carrying it, `None` for the fetch.
    pub converter: Option<String>,
}

fn kind_of(ty: &str) -> Option<RefKind> {
    Some(match ty {
        "backend" => RefKind::Backend,
        "frontend" => RefKind::Frontend,
        "table" => RefKind::Table,
        "user list" => RefKind::Userlist,
        "server" => RefKind::Server,
        _ => return None,
    })
}

fn collect(types: &[&str], args: &[String], converter: Option<&str>, out: &mut Vec<ArgRef>) {
    for (i, (ty, value)) in types.iter().zip(args).enumerate() {
        if let Some(kind) = kind_of(ty).filter(|_| !value.is_empty()) {
            out.push(ArgRef {
                kind,
                pos: i + 1,
                value: value.clone(),
                converter: converter.map(String::from),
            });
        }
    }
}

impl SampleExpr {
    /// Explicit arguments naming backends, frontends, tables, userlists or
    /// servers (an omitted one means the current proxy).
    pub fn references(&self) -> Vec<ArgRef> {
        let mut out = Vec::new();
        if let Some(sig) = fetch_sig(&self.fetch) {
            collect(&sig.types, &self.args, None, &mut out);
        }
        for c in &self.converters {
            if let Some(sig) = conv_sig(&c.name) {
                collect(&sig.types, &c.args, Some(&c.name), &mut out);
            }
        }
        out
    }
}

/// Where the expression was written, as HAProxy names it in the message.
#[derive(Debug, Clone, Copy)]
pub enum RefSite<'a> {
    /// In an ACL; `keyword` is the ACL keyword or fetch as written
    /// (`nbsrv`, `path`).
    Acl { keyword: &'a str },
    /// In a rule's sample expression: `rule` is e.g. `http-request`.
    Sample { fetch: &'a str, rule: &'a str },
}

/// HAProxy's message for an unresolved reference, e.g.
/// `unable to find backend 'zz' referenced in arg 1 of ACL keyword 'nbsrv'
/// in proxy 'f'.` `subject` is what is missing, as HAProxy words it:
/// `backend 'x'`, `frontend 'x'`, `table 'x'`, `userlist 'x'`,
/// `proxy 'x'`, or `server 's' in proxy 'p',`. (HAProxy prefixes it with
/// `parsing [file:line]: `, without the usual space before the colon.)
pub fn unresolved_ref_message(r: &ArgRef, subject: &str, site: RefSite, proxy: &str) -> String {
    let keyword = match site {
        RefSite::Acl { keyword } => format!("ACL keyword '{keyword}'"),
        RefSite::Sample { fetch, rule } => {
            format!("sample fetch keyword '{fetch}' in {rule} expression")
        }
    };
    let carrier = match &r.converter {
        Some(c) => format!("conversion keyword '{c}' for {keyword}"),
        None => keyword,
    };
    format!(
        "unable to find {subject} referenced in arg {} of {carrier} in proxy '{proxy}'.",
        r.pos
    )
}

#[cfg(test)]
mod tests {
    use super::super::sample::parse_sample_expr;
    use super::*;

    #[test]
    fn references_and_messages() {
        let e =
            parse_sample_expr("nbsrv(be1),table_trackers(t1)").unwrap_or_else(|e| panic!("{e}"));
        let refs = e.references();
        assert_eq!(
            refs,
            vec![
                ArgRef {
                    kind: RefKind::Backend,
                    pos: 1,
                    value: "be1".into(),
                    converter: None
                },
                ArgRef {
                    kind: RefKind::Table,
                    pos: 1,
                    value: "t1".into(),
                    converter: Some("table_trackers".into())
                },
            ]
        );
        assert_eq!(
            unresolved_ref_message(
                &refs[0],
                "backend 'be1'",
                RefSite::Acl { keyword: "nbsrv" },
                "f"
            ),
            "unable to find backend 'be1' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'f'."
        );
        let site = RefSite::Sample {
            fetch: "nbsrv",
            rule: "http-request",
        };
        assert_eq!(
            unresolved_ref_message(&refs[1], "table 't1'", site, "f"),
            "unable to find table 't1' referenced in arg 1 of conversion keyword 'table_trackers' for sample fetch keyword 'nbsrv' in http-request expression in proxy 'f'."
        );
        assert_eq!(
            parse_sample_expr("nbsrv").map(|e| e.references()),
            Ok(vec![])
        );
    }
}
