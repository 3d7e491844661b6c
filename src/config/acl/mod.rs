//! ACLs, conditions and sample expressions (manual section 7, "Using ACLs and
//! fetching samples"). Input is already-tokenized words; output is typed.
//!
//! Error strings are HAProxy 2.6's texts: `parse_acl_def` gives the full
//! message of an `acl` line; `parse_condition`, `resolve` and
//! `parse_sample_expr` give the inner text that the rule's caller wraps
//! (see [`condition_error`]).

pub mod cond;
mod conv_sigs;
pub mod def;
mod fetch_sigs;
pub mod matchers;
pub mod predefined;
pub mod refs;
pub mod sample;
mod signature;

pub use cond::{condition_error, parse_condition, resolve, AclRef, Condition, Term};
pub use def::{parse_acl_body, parse_acl_def, pattern_file_error, AclDef, AclFlags};
pub use matchers::{IntOp, IntRange, IpPattern, Matcher};
pub use refs::{unresolved_ref_message, ArgRef, RefKind, RefSite};
pub use sample::{map_file_error, parse_sample_expr, Converter, SampleError, SampleExpr};

/// Whether a fetch name exists in HAProxy 2.6.
pub fn is_fetch(name: &str) -> bool {
    signature::fetch_sig(name).is_some()
}

/// Whether a converter name exists in HAProxy 2.6.
pub fn is_converter(name: &str) -> bool {
    signature::conv_sig(name).is_some()
}
