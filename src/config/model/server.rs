//! Servers of a backend, with their name, id, location and address state.

use std::net::IpAddr;

use crate::config::server::{InitAddr, ServerConfig};
use crate::config::value::addr::{Host, ServerAddr};
use crate::diag::Loc;

/// One `server` line (or one server made by `server-template`).
#[derive(Debug, Clone)]
pub struct Server {
    pub name: String,
    /// `id` keyword or position in the backend (assigned by validation).
    pub id: u32,
    /// True when the id came from the `id` keyword.
    pub forced_id: bool,
    pub loc: Loc,
    pub addr: ServerAddr,
    /// The address word as written.
    pub addr_text: String,
    /// The address a host name resolved to at start.
    pub resolved: Option<IpAddr>,
    /// Start in maintenance because the name did not resolve (`-dr`,
    /// `init-addr none`).
    pub unresolved_maint: bool,
    /// All options, `default-server` values folded in.
    pub config: ServerConfig,
}

impl Server {
    /// The host name to resolve at start, if the address is not a literal.
    pub fn hostname(&self) -> Option<&str> {
        match &self.addr {
            ServerAddr::Inet {
                host: Host::Name(n),
                ..
            } => Some(n),
            _ => None,
        }
    }
    /// `init-addr` lists `none` (or an IP): a name that does not resolve is
    /// not fatal.
    pub fn init_addr_allows_none(&self) -> bool {
        self.config
            .init_addr
            .iter()
            .any(|a| matches!(a, InitAddr::None | InitAddr::Ip(_)))
    }
    /// The fallback IP of `init-addr`, if given.
    pub fn init_addr_ip(&self) -> Option<IpAddr> {
        self.config.init_addr.iter().find_map(|a| match a {
            InitAddr::Ip(ip) => Some(*ip),
            _ => None,
        })
    }
    /// Whether `init-addr` allows resolving through libc (the default).
    pub fn init_addr_uses_libc(&self) -> bool {
        self.config.init_addr.is_empty()
            || self
                .config
                .init_addr
                .iter()
                .any(|a| matches!(a, InitAddr::Libc | InitAddr::Last))
    }
}
