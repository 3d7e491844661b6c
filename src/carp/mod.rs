//! CARP (FreeBSD's Common Address Redundancy Protocol), wire-compatible
//! with FreeBSD and ucarp. Everything here is pure: no sockets, no clock;
//! the driver passes time in and carries out the actions it gets back.
//!
//! - [`packet`]: the 36-byte header and its checksum (CARP.md §2–3);
//! - [`auth`]: key, HMAC-SHA1 and validation of received headers (§4);
//! - [`wire`]: IP and Ethernet framing constants (§1);
//! - [`timing`]: intervals, demoted advskew, the global demotion (§6, §8);
//! - [`state`]: the per-vhid state machine (§5–8);
//! - [`sim`]: a deterministic in-memory network of state machines.

pub mod auth;
pub mod packet;
pub mod sim;
pub mod state;
pub mod timing;
pub mod wire;

pub use auth::VhidAuth;
pub use packet::{CarpHeader, PacketError, HEADER_LEN};
pub use state::{Action, Advert, Family, Output, State, TieBreak, Timer, VhidMachine, VhidParams};
pub use timing::Demotion;
