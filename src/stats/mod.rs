//! Statistics: a plain [`Snapshot`] the runtime fills, HAProxy 2.6's
//! outputs rendered from it (`show stat` CSV/typed/JSON, `show info`,
//! `show servers state`), and the stats socket's command layer.

pub mod backend;
pub mod cli;
pub mod commands;
pub mod csv;
pub mod fields;
pub mod from_model;
pub mod help;
pub mod info;
pub mod rows;
pub mod servers_state;
pub mod snapshot;
pub mod socket;

pub use backend::{AdminOp, CheckKind, ForcedHealth, Level, StatsBackend};
pub use snapshot::Snapshot;
