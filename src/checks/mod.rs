//! Server health checks as HAProxy 2.6 runs them (manual §5.2 `check`,
//! §4.2 `option httpchk`, `http-check`, `option tcp-check`, `tcp-check`).
//! `health` is the pure rise/fall machine.
//!
//! The module is `checks` because `crate::check` is `harp -c`.

pub mod health;
