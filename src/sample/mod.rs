//! Evaluation of the config's sample expressions, ACLs and conditions
//! against one request or connection (manual section 7). Pure: no I/O; the
//! data plane exposes the request through [`SampleSource`] and pattern/map
//! file contents through [`MapStore`].
//!
//! Usage: compile once at config load ([`AclSet::compile`],
//! [`CompiledCond::compile`], [`CompiledExpr::compile`],
//! [`CompiledLogFormat::compile`]), then evaluate per request with an
//! [`EvalCtx`].

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
