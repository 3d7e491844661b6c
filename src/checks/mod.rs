//! Server health checks as HAProxy 2.6 runs them (manual §5.2 `check`,
//! `inter`, `fastinter`, `downinter`, `rise`, `fall`, `port`, `addr`,
//! `slowstart`, `track`; §4.2 `option httpchk`, `http-check`, `option
//! tcp-check`, `tcp-check`, `timeout check`; §3.1 `spread-checks`).
//!
//! - [`health`]: the pure rise/fall machine and the check schedule;
//! - [`plan`]: a backend's settings → what to send and expect;
//! - [`expect`]: judging answers (pure); [`status`]: outcomes as HAProxy
//!   names them; [`probe`]: one check over the network;
//! - [`run`]: one task per checked server, results applied to the data
//!   plane; [`notify`]: the messages; [`track`], [`slowstart`]: followers
//!   and weight ramps; [`view`]: the last result of each server.
//!
//! The module is `checks` because `crate::check` is `harp -c`.

pub mod expect;
pub mod health;
pub mod notify;
pub mod plan;
pub mod probe;
pub mod run;
pub mod slowstart;
pub mod status;
pub mod track;
pub mod view;
