//! Statistics: a plain [`Snapshot`] the runtime fills, HAProxy 2.6's
//! outputs rendered from it (`show stat` CSV/typed/JSON, `show info`,
//! `show servers state`), and the stats socket's command layer.
//!
//! Integration (runtime side):
//! - build a [`Snapshot`] once with [`Snapshot::from_model`], then keep it
//!   current (or build it on demand) from live counters through the pub
//!   fields and [`Snapshot::server_mut`] / `frontend_mut` / `backend_mut`;
//! - implement [`StatsBackend`] (snapshot + the few write operations);
//! - for each `global.stats_sockets` entry: [`socket::SocketConfig::from_model`],
//!   [`socket::bind`] then spawn [`socket::serve`];
//! - the stats page's `;csv` is [`csv::render`] with
//!   `StatFilter { legends: <stats show-legends>, ..Default::default() }`.

pub mod backend;
pub mod cli;
pub mod commands;
pub mod csv;
pub mod fields;
pub mod from_model;
pub mod help;
pub mod html;
pub mod info;
pub mod prometheus;
pub mod rows;
pub mod servers_state;
pub mod snapshot;
pub mod socket;

pub use backend::{AdminOp, CheckKind, ForcedHealth, Level, StatsBackend};
pub use snapshot::Snapshot;
