//! Evaluation of the config's sample expressions, ACLs and conditions
//! against one request or connection (manual section 7). Pure: no I/O; the
//! data plane exposes the request through [`SampleSource`] and pattern/map
//! file contents through [`MapStore`].
//!
//! Usage: compile once at config load, then evaluate per request:
//!
//! - `AclSet::compile(&proxy.acls, &store)` for a proxy's `acl` lines;
//! - `CompiledCond::compile(&rule.cond, &acl_set, &store)` per rule, then
//!   `cond.eval(&EvalCtx::request(&src))` (or [`rule_applies`] for an
//!   optional condition);
//! - `CompiledExpr::compile(&expr, &store)` for a rule's sample expression,
//!   `eval` for one value, `eval_all` for every occurrence;
//! - `CompiledLogFormat::compile(&lf, &store)` for `set-header` values,
//!   dynamic `use_backend` names and `lf-string` bodies, then `render`.
//!
//! Known differences from HAProxy 2.6: regexes use the `regex` crate (no
//! backreferences or look-around: refused at compile time); `ltime` formats
//! in UTC; host name patterns (`src localhost`) match nothing unless the
//! model layer resolved them into addresses; `strcmp` returns -1/0/1.

pub mod cond;
pub mod conv;
mod conv_hash;
mod conv_more;
mod conv_xxh3;
pub mod fetch;
mod http;
pub mod matcher;
mod owned;
pub mod render;
pub mod source;
pub mod store;
mod tls;
mod value;

pub use cond::{rule_applies, AclSet, CompiledCond};
pub use conv::{CompiledConv, MapTable, IMPLEMENTED_CONVERTERS};
pub use fetch::{CompiledExpr, IMPLEMENTED_FETCHES};
pub use matcher::{CompiledAcl, PatternSet};
pub use owned::OwnedRequest;
pub use render::{CompiledLogFormat, LogVarHook, NoLogVars};
pub use source::{Direction, EvalCtx, SampleSource};
pub use store::{parse_map_file, parse_pattern_file, MapStore, MemStore};
pub use value::Sample;
