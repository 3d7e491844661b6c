//! Conditions: `if|unless <cond>` (manual 7.2). A condition is an OR of
//! AND-lists of possibly negated ACL references.

use super::def::{parse_acl_body, up_to_empty, AclDef};
use super::predefined::{is_predefined, predefined};

/// What a term refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclRef {
    /// An `acl` defined in the proxy (checked by [`resolve`]).
    Named(String),
    /// One of manual 7.4's predefined ACLs (`TRUE`, `METH_GET`, ...).
    /// A proxy's own ACL of the same name is not considered (rare).
    Predefined(String),
    /// `{ criterion [flags] [values] }`
    Anonymous(Box<AclDef>),
}

/// One term of an AND-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negate: bool,
    pub acl: AclRef,
}

/// A parsed condition. `or_terms` never holds an empty AND-list: like
/// HAProxy, `||` with nothing around it adds nothing, and an empty condition
/// has no AND-list at all (it never matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// `unless` rather than `if`.
    pub unless: bool,
    pub or_terms: Vec<Vec<Term>>,
}

impl Condition {
    fn terms(&self) -> impl Iterator<Item = &Term> {
        self.or_terms.iter().flatten()
    }

    /// Refused fetches/converters used by anonymous and predefined ACLs
    /// (named ACLs are checked where they are defined).
    pub fn refused_items(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in self.terms() {
            let items = match &t.acl {
                AclRef::Anonymous(def) => def.refused_items(),
                AclRef::Predefined(n) => {
                    predefined(n).map(|d| d.refused_items()).unwrap_or_default()
                }
                AclRef::Named(_) => Vec::new(),
            };
            for i in items {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        out
    }

    /// Names of the proxy ACLs the condition refers to.
    pub fn named_refs(&self) -> Vec<&str> {
        self.terms()
            .filter_map(|t| match &t.acl {
                AclRef::Named(n) => Some(n.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Warnings of anonymous ACLs (see [`AclDef::warning`]).
    pub fn warnings(&self) -> Vec<String> {
        self.terms()
            .filter_map(|t| match &t.acl {
                AclRef::Anonymous(def) => def.warning(),
                _ => None,
            })
            .collect()
    }
}

/// HAProxy's full message for a condition error of rule `rule`
/// (e.g. `http-request deny`).
pub fn condition_error(rule: &str, inner: &str) -> String {
    format!("error detected while parsing an '{rule}' condition : {inner}.")
}

/// Parse `if <cond>` or `unless <cond>`: `words[0]` is the keyword.
/// Errors are HAProxy's inner text (wrap with [`condition_error`]).
pub fn parse_condition(words: &[String]) -> Result<Condition, String> {
    let (unless, rest) = match words.split_first() {
        Some((k, rest)) if k == "if" => (false, rest),
        Some((k, rest)) if k == "unless" => (true, rest),
        Some((k, _)) => {
            return Err(format!(
                "expects either 'if' or 'unless' followed by a condition but found '{k}'"
            ))
        }
        None => return Err("expects either 'if' or 'unless' followed by a condition".into()),
    };
    let rest = up_to_empty(rest);
    let mut or_terms: Vec<Vec<Term>> = Vec::new();
    let mut current: Vec<Term> = Vec::new();
    let mut negate = false;
    let mut i = 0;
    while let Some(word) = rest.get(i) {
        i += 1;
        if word == "||" || word.eq_ignore_ascii_case("or") {
            if !current.is_empty() {
                or_terms.push(std::mem::take(&mut current));
            }
            negate = false;
            continue;
        }
        let mut w = word.as_str();
        while let Some(r) = w.strip_prefix('!') {
            negate = !negate;
            w = r;
        }
        if w.is_empty() {
            continue;
        }
        let acl = if w == "{" {
            let close = rest[i..]
                .iter()
                .position(|x| x == "}")
                .ok_or_else(|| "missing closing '}' in condition".to_string())?;
            let def = parse_acl_body(&rest[i..i + close])?;
            i += close + 1;
            AclRef::Anonymous(Box::new(def))
        } else if is_predefined(w) {
            AclRef::Predefined(w.to_string())
        } else {
            AclRef::Named(w.to_string())
        };
        current.push(Term { negate, acl });
        negate = false;
    }
    if !current.is_empty() {
        or_terms.push(current);
    }
    Ok(Condition { unless, or_terms })
}

/// Check every named reference against the proxy's ACLs; the error is
/// HAProxy's inner text for the first unknown one.
pub fn resolve(cond: &Condition, known: impl Fn(&str) -> bool) -> Result<(), String> {
    match cond.named_refs().into_iter().find(|n| !known(n)) {
        Some(n) => Err(format!("no such ACL : '{n}'")),
        None => Ok(()),
    }
}
