//! CARP (FreeBSD's Common Address Redundancy Protocol), wire-compatible
//! with FreeBSD and ucarp. Everything but the driver modules is pure: no
//! sockets, no clock; the driver passes time in and carries out the
//! actions it gets back.
//!
//! - [`packet`]: the 36-byte header and its checksum (CARP.md §2–3);
//! - [`auth`]: key, HMAC-SHA1 and validation of received headers (§4);
//! - [`wire`]: IP and Ethernet framing constants (§1);
//! - [`timing`]: intervals, demoted advskew, the global demotion (§6, §8);
//! - [`events`]: the machine's parameters, inputs and actions;
//! - [`state`]: the per-vhid state machine (§5–8);
//! - [`sim`]: a deterministic in-memory network of state machines;
//! - the Linux driver: [`io`] / [`io6`] (raw advert sockets), [`vip`]
//!   (addresses over netlink, gratuitous ARP and unsolicited NA),
//!   [`iface`] (FreeBSD → Linux interface names), [`control`] (demotion
//!   and status handle) and [`driver`] (`run_carp`: one tokio task per
//!   vhid).
//!
//! A driver keeps one [`VhidAuth`] and one [`VhidMachine`] per vhid and one
//! [`Demotion`] per node, feeds the machine validated adverts, link changes
//! and timer expiries, and carries out the [`Action`]s in order:
//!
//! ```
//! use std::time::Duration;
//! use harp::carp::{Action, Advert, State, TieBreak, VhidAuth, VhidMachine, VhidParams};
//!
//! let auth = VhidAuth::new(1, b"secret", ["10.10.0.1".parse().unwrap()]);
//! let params = VhidParams {
//!     vhid: 1, iface: "em0".into(), advbase: 1, advskew: 100, preempt: false,
//!     allow: true, log: 1, ifdown_demotion_factor: 240, senderr_demotion_factor: 240,
//!     has_v4: true, has_v6: false, tie_break: TieBreak::FreeBsd, own_source: None, seed: 1,
//! };
//! let mut m = VhidMachine::new(params, 0);
//! let out = m.start(Duration::ZERO, true);
//! assert_eq!(m.state(), State::Backup);
//! assert_eq!(out.deadline, Some(Duration::from_micros(3_390_625)));
//!
//! // A peer's advert arrives as bytes; validate, then hand it over.
//! let bytes = auth.advertisement(1, 0, 7).encode();
//! let header = auth.validate(&bytes).unwrap();
//! let from = "10.0.0.2".parse().unwrap();
//! let t = Duration::from_secs(1);
//! let out = m.advert_received(t, &Advert::from_header(&header, from));
//! assert_eq!(out.deadline, Some(t + Duration::from_micros(3_390_625)));
//!
//! // Nothing more heard: the deadline passes and we take over.
//! let out = m.timer_fired(out.deadline.unwrap());
//! assert_eq!(m.state(), State::Master);
//! assert!(out.actions.contains(&Action::AddAddresses));
//! let Some(Action::SendAdvert { advbase, advskew, counter, .. }) =
//!     out.actions.iter().find(|a| matches!(a, Action::SendAdvert { .. }))
//! else { panic!("no advert") };
//! assert_eq!((*advbase, *advskew, *counter), (1, 100, 8));
//! let _wire = auth.advertisement(*advbase, *advskew, *counter).encode();
//! ```

pub mod auth;
pub mod control;
pub mod driver;
pub mod events;
pub mod iface;
pub mod io;
pub mod io6;
pub mod packet;
pub mod sim;
pub mod state;
mod sys;
pub mod timing;
pub mod vip;
pub mod wire;

pub use auth::VhidAuth;
pub use packet::{CarpHeader, PacketError, HEADER_LEN};
pub use state::{Action, Advert, Family, Output, State, TieBreak, Timer, VhidMachine, VhidParams};
pub use timing::Demotion;
