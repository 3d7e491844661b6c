//! harp: runs an existing `haproxy.conf` and FreeBSD CARP `rc.conf` lines.
//!
//! Data flow: text → parser (spans kept) → typed model → runtime.
//! `config` and `rcconf` are pure: they read files and never touch sockets.

pub mod balance;
pub mod carp;
pub mod check;
pub mod checks;
pub mod cli;
pub mod config;
pub mod diag;
pub mod http;
pub mod log;
pub mod proxy;
pub mod rcconf;
pub mod runtime;
pub mod sample;
pub mod stats;
