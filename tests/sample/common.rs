//! Helpers shared by the sample evaluation tests.
#![allow(dead_code)]

use harp::config::acl::{parse_acl_body, parse_acl_def, parse_condition, parse_sample_expr};
use harp::sample::{
    AclSet, CompiledAcl, CompiledCond, CompiledExpr, EvalCtx, MemStore, OwnedRequest, Sample,
};

pub fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

/// Evaluate `%[expr]` on `req` (single-value context).
pub fn eval_in(expr: &str, req: &OwnedRequest, store: &MemStore) -> Option<Sample> {
    let e = parse_sample_expr(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    let c = CompiledExpr::compile(&e, store).unwrap_or_else(|e| panic!("{expr}: {e}"));
    c.eval(&EvalCtx::request(req))
}

pub fn eval(expr: &str, req: &OwnedRequest) -> Option<String> {
    eval_in(expr, req, &MemStore::new()).map(|s| s.to_text())
}

/// Every value in ACL context.
pub fn eval_all(expr: &str, req: &OwnedRequest) -> Vec<String> {
    let e = parse_sample_expr(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    let c = CompiledExpr::compile(&e, &MemStore::new()).unwrap_or_else(|e| panic!("{e}"));
    c.eval_all(&EvalCtx::request(req))
        .iter()
        .map(|s| s.to_text())
        .collect()
}

/// Whether the anonymous ACL body `body` matches `req`.
pub fn acl_in(body: &str, req: &OwnedRequest, store: &MemStore) -> bool {
    let def = parse_acl_body(&words(body)).unwrap_or_else(|e| panic!("{body}: {e}"));
    let acl = CompiledAcl::compile(&def, store).unwrap_or_else(|e| panic!("{body}: {e}"));
    acl.eval(&EvalCtx::request(req))
}

pub fn acl(body: &str, req: &OwnedRequest) -> bool {
    acl_in(body, req, &MemStore::new())
}

/// Evaluate condition `cond` ("if ..."/"unless ...") with named ACL lines.
pub fn cond(acl_lines: &[&str], cond: &str, req: &OwnedRequest) -> bool {
    let store = MemStore::new();
    let defs: Vec<_> = acl_lines
        .iter()
        .map(|l| {
            parse_acl_def(&words(l.strip_prefix("acl ").unwrap_or(l)))
                .unwrap_or_else(|e| panic!("{l}: {e}"))
        })
        .collect();
    let set = AclSet::compile(&defs, &store).unwrap_or_else(|e| panic!("{e}"));
    let c = parse_condition(&words(cond)).unwrap_or_else(|e| panic!("{cond}: {e}"));
    let c = CompiledCond::compile(&c, &set, &store).unwrap_or_else(|e| panic!("{e}"));
    c.eval(&EvalCtx::request(req))
}
