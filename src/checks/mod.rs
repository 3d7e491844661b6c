//! Server health checks as HAProxy 2.6 runs them (manual §5.2 `check`,
//! §4.2 `option httpchk`, `http-check`, `option tcp-check`, `tcp-check`):
//! [`health`] is the pure rise/fall machine, [`plan`] turns a backend's
//! settings into what to send and expect, [`expect`] judges answers,
//! [`status`] names outcomes as HAProxy logs them, and [`probe`] runs one
//! check over the network.
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
