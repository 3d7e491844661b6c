//! Condition evaluation (manual 7.2): an OR of AND-lists of possibly
//! negated ACLs, under `if` or `unless`.

use std::collections::HashMap;

use super::matcher::CompiledAcl;
use super::source::EvalCtx;
use super::store::MapStore;
use crate::config::acl::predefined::predefined;
use crate::config::acl::{AclDef, AclRef, Condition};

/// The named ACLs of one proxy. Several `acl` lines with the same name form
/// one ACL that matches when any of them does.
#[derive(Debug, Clone, Default)]
pub struct AclSet {
    named: HashMap<String, Vec<CompiledAcl>>,
}

impl AclSet {
    /// Compile the proxy's `acl` lines (in config order).
    pub fn compile(defs: &[AclDef], store: &dyn MapStore) -> Result<Self, String> {
        let mut named: HashMap<String, Vec<CompiledAcl>> = HashMap::new();
        for d in defs {
            let acl =
                CompiledAcl::compile(d, store).map_err(|e| format!("ACL '{}': {e}", d.name))?;
            named.entry(d.name.clone()).or_default().push(acl);
        }
        Ok(AclSet { named })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.named.contains_key(name)
    }

    /// Evaluate a named ACL; `None` when the proxy has no such ACL.
    pub fn eval(&self, name: &str, ctx: &EvalCtx) -> Option<bool> {
        self.named
            .get(name)
            .map(|lines| lines.iter().any(|a| a.eval(ctx)))
    }
}

/// One term: the ACL lines it stands for (OR-ed), possibly negated.
#[derive(Debug, Clone)]
struct CompiledTerm {
    negate: bool,
    lines: Vec<CompiledAcl>,
}

/// A condition ready to run.
#[derive(Debug, Clone)]
pub struct CompiledCond {
    unless: bool,
    or_terms: Vec<Vec<CompiledTerm>>,
}

impl CompiledCond {
    /// Resolve named ACLs in `acls` and compile anonymous and predefined
    /// ones. The error names an unknown ACL as HAProxy does.
    pub fn compile(cond: &Condition, acls: &AclSet, store: &dyn MapStore) -> Result<Self, String> {
        let mut or_terms = Vec::new();
        for and_list in &cond.or_terms {
            let mut terms = Vec::new();
            for t in and_list {
                let lines = match &t.acl {
                    AclRef::Named(n) => acls
                        .named
                        .get(n)
                        .cloned()
                        .ok_or_else(|| format!("no such ACL : '{n}'"))?,
                    AclRef::Predefined(n) => {
                        let def = predefined(n).ok_or_else(|| format!("no such ACL : '{n}'"))?;
                        vec![CompiledAcl::compile(&def, store)?]
                    }
                    AclRef::Anonymous(def) => vec![CompiledAcl::compile(def, store)?],
                };
                terms.push(CompiledTerm {
                    negate: t.negate,
                    lines,
                });
            }
            or_terms.push(terms);
        }
        Ok(CompiledCond {
            unless: cond.unless,
            or_terms,
        })
    }

    /// Whether the rule applies: the condition's truth, inverted by
    /// `unless`. A condition with no terms is false (true under `unless`).
    pub fn eval(&self, ctx: &EvalCtx) -> bool {
        let truth = self.or_terms.iter().any(|and_list| {
            and_list
                .iter()
                .all(|t| t.lines.iter().any(|a| a.eval(ctx)) != t.negate)
        });
        truth != self.unless
    }
}

impl CompiledCond {
    /// Three-state evaluation for `tcp-request content` rules under an
    /// inspect delay: `None` means "wait for more data" (some ACL may still
    /// change and the result is not settled). AND: false wins over
    /// undecided; OR: true wins over undecided; negation and `unless` keep
    /// undecided.
    pub fn eval_tri(&self, ctx: &EvalCtx) -> Option<bool> {
        let mut any_undecided = false;
        for and_list in &self.or_terms {
            let mut list = Some(true);
            for t in and_list {
                let mut term = Some(false);
                for a in &t.lines {
                    match a.eval_tri(ctx) {
                        Some(true) => {
                            term = Some(true);
                            break;
                        }
                        None => term = None,
                        Some(false) => {}
                    }
                }
                match term.map(|v| v != t.negate) {
                    Some(false) => {
                        list = Some(false);
                        break;
                    }
                    None => list = None,
                    Some(true) => {}
                }
            }
            match list {
                Some(true) => return Some(!self.unless),
                None => any_undecided = true,
                Some(false) => {}
            }
        }
        if any_undecided {
            None
        } else {
            Some(self.unless)
        }
    }
}

/// Whether an optional condition lets a rule run (no condition: always).
pub fn rule_applies(cond: Option<&CompiledCond>, ctx: &EvalCtx) -> bool {
    cond.is_none_or(|c| c.eval(ctx))
}
