//! The typed CARP configuration of one node, lowered from its FreeBSD files.
//! Plain data: the CARP runtime reads nothing else.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::diag::Loc;

/// FreeBSD keeps at most this many password bytes (`CARP_KEY_LEN` = 20
/// including the NUL that `strlcpy` writes; CARP.md §4.1).
pub const MAX_KEY_LEN: usize = 19;
/// `advbase` when no line sets it (seconds).
pub const DEFAULT_ADVBASE: u8 = 1;
/// `advskew` when no line sets it.
pub const DEFAULT_ADVSKEW: u8 = 0;

/// Everything harp needs to run the node's vhids.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CarpModel {
    /// One entry per (parent interface, vhid) or per cloned `carpN`,
    /// sorted by interface name then vhid.
    pub vhids: Vec<VhidConfig>,
    /// Non-CARP addresses of the node's interfaces (`ifconfig_<if>`,
    /// `ifconfig_<if>_ipv6`, aliases without vhid): the runtime finds the
    /// parent of a cloned `carpN` by subnet with them.
    pub parent_addrs: Vec<ParentAddr>,
    pub sysctl: CarpSysctl,
    /// `carp_load` / `if_carp_load` from loader.conf; `None` if absent.
    pub module_loaded: Option<bool>,
    /// `harp_carp_track="BACKEND ..."`: backends whose health drives
    /// demotion (harp's own variable; FreeBSD ignores it).
    pub track_backends: Vec<String>,
}

/// One virtual host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VhidConfig {
    pub vhid: u8,
    /// FreeBSD ≥ 10: the interface the vhid lives on (`em0`), as spelled in
    /// the variable name, i.e. normalised (`em0.10` → `em0_10`, see
    /// [`normalize_ifname`]). `None` for a FreeBSD 9 `carpN`.
    pub parent: Option<String>,
    /// FreeBSD 9: the cloned `carpN` interface.
    pub carp_if: Option<String>,
    /// Every address of the vhid, in the order the lines give them.
    pub addrs: Vec<CarpAddr>,
    pub advbase: u8,
    pub advskew: u8,
    /// The password, at most [`MAX_KEY_LEN`] bytes; empty without `pass`.
    pub key: Vec<u8>,
    pub initial_state: Option<InitialState>,
    /// FreeBSD 14 unicast peer (`peer`); `None` = multicast.
    pub peer: Option<Ipv4Addr>,
    /// FreeBSD 14 unicast IPv6 peer (`peer6`); `None` = multicast.
    pub peer6: Option<Ipv6Addr>,
    /// The first line that configures this vhid.
    pub loc: Loc,
}

/// An address with its prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CarpAddr {
    pub addr: IpAddr,
    pub prefix_len: u8,
}

/// `state master|backup|init` on an ifconfig line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialState {
    Init,
    Backup,
    Master,
}

/// An address configured on a (would-be parent) interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentAddr {
    /// Normalised interface name, as in the variable name.
    pub iface: String,
    pub addr: CarpAddr,
    /// From an alias variable rather than `ifconfig_<if>` itself.
    pub alias: bool,
    pub loc: Loc,
}

/// `net.inet.carp.*` sysctls (CARP.md §10), FreeBSD defaults when unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarpSysctl {
    pub allow: bool,
    pub preempt: bool,
    pub log: u32,
    /// Writes add to the current value, so several lines add up.
    pub demotion: i32,
    pub ifdown_demotion_factor: i32,
    pub senderr_demotion_factor: i32,
    pub dscp: u8,
}

impl Default for CarpSysctl {
    fn default() -> Self {
        CarpSysctl {
            allow: true,
            preempt: false,
            log: 1,
            demotion: 0,
            ifdown_demotion_factor: 240,
            senderr_demotion_factor: 240,
            dscp: 56,
        }
    }
}

impl CarpAddr {
    /// Whether `ip` is in this address's subnet (same family only).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let len = u32::from(self.prefix_len.min(32));
                let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let len = u32::from(self.prefix_len.min(128));
                let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for CarpAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

impl VhidConfig {
    /// The interface name the lines used: `carp0` or the parent.
    pub fn iface(&self) -> &str {
        self.carp_if
            .as_deref()
            .or(self.parent.as_deref())
            .unwrap_or("")
    }

    /// The addresses in the order the CARP HMAC covers them (CARP.md §4.2):
    /// IPv4 ascending, then IPv6 ascending by bytes, each once. Scoped IPv6
    /// addresses (link-local, interface/link-local multicast) are hashed
    /// with bytes 2..3 zeroed, where the BSD kernel keeps the scope id.
    pub fn hmac_addrs(&self) -> Vec<IpAddr> {
        let mut v4: Vec<Ipv4Addr> = Vec::new();
        let mut v6: Vec<Ipv6Addr> = Vec::new();
        for a in &self.addrs {
            match a.addr {
                IpAddr::V4(x) => v4.push(x),
                IpAddr::V6(x) => v6.push(without_scope(x)),
            }
        }
        v4.sort();
        v4.dedup();
        v6.sort_by_key(|a| a.octets());
        v6.dedup();
        v4.into_iter()
            .map(IpAddr::V4)
            .chain(v6.into_iter().map(IpAddr::V6))
            .collect()
    }
}

/// Zeroes bytes 2..3 of a scoped IPv6 address.
fn without_scope(a: Ipv6Addr) -> Ipv6Addr {
    let mut o = a.octets();
    let link_local = o[0] == 0xfe && o[1] & 0xc0 == 0x80;
    let small_multicast = o[0] == 0xff && matches!(o[1] & 0x0f, 1 | 2);
    if link_local || small_multicast {
        o[2] = 0;
        o[3] = 0;
    }
    Ipv6Addr::from(o)
}

impl CarpModel {
    /// FreeBSD 9 picks a `carpN`'s parent as the interface with an address
    /// whose subnet holds the CARP address (CARP.md §11.1). Returns the
    /// first such configured address.
    pub fn parent_by_subnet(&self, ip: IpAddr) -> Option<&ParentAddr> {
        self.parent_addrs.iter().find(|p| p.addr.contains(ip))
    }
}

/// rc.conf variable names spell interface names with `.`, `-`, `/` and `+`
/// turned into `_` (`em0.10` → `ifconfig_em0_10`). Apply the same mapping
/// to a real interface name to find its variables.
pub fn normalize_ifname(name: &str) -> String {
    name.chars()
        .map(|c| if ".-/+".contains(c) { '_' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str, len: u8) -> CarpAddr {
        CarpAddr {
            addr: s.parse().unwrap(),
            prefix_len: len,
        }
    }

    #[test]
    fn hmac_order_v4_numeric_then_v6_bytes() {
        let v = VhidConfig {
            vhid: 7,
            parent: Some("em0".into()),
            carp_if: None,
            addrs: vec![
                a("2001:db8::1", 64),
                a("10.10.0.2", 32),
                a("10.10.0.1", 32),
                a("9.255.255.255", 8),
                a("10.10.0.1", 32),
                a("2001:db8::", 64),
            ],
            advbase: 1,
            advskew: 0,
            key: b"secret".to_vec(),
            initial_state: None,
            peer: None,
            peer6: None,
            loc: Loc::new("rc.conf", 1),
        };
        let got: Vec<String> = v.hmac_addrs().iter().map(|a| a.to_string()).collect();
        assert_eq!(
            got,
            [
                "9.255.255.255",
                "10.10.0.1",
                "10.10.0.2",
                "2001:db8::",
                "2001:db8::1"
            ]
        );
        assert_eq!(v.iface(), "em0");
    }

    #[test]
    fn hmac_zeroes_scope_bytes() {
        let mut v = VhidConfig {
            vhid: 1,
            parent: Some("em0".into()),
            carp_if: None,
            addrs: vec![a("fe80:5::1", 64), a("2001:db8:5::1", 64)],
            advbase: 1,
            advskew: 0,
            key: Vec::new(),
            initial_state: None,
            peer: None,
            peer6: None,
            loc: Loc::new("rc.conf", 1),
        };
        let got: Vec<String> = v.hmac_addrs().iter().map(|a| a.to_string()).collect();
        assert_eq!(got, ["2001:db8:5::1", "fe80::1"]);
        v.addrs = vec![a("ff02:7::12", 128)];
        assert_eq!(v.hmac_addrs()[0].to_string(), "ff02::12");
    }

    #[test]
    fn subnet_membership() {
        assert!(a("10.10.0.2", 16).contains("10.10.255.1".parse().unwrap()));
        assert!(!a("10.10.0.2", 16).contains("10.11.0.1".parse().unwrap()));
        assert!(a("0.0.0.0", 0).contains("1.2.3.4".parse().unwrap()));
        assert!(!a("10.0.0.1", 32).contains("2001:db8::1".parse().unwrap()));
        assert!(a("2001:db8::2", 64).contains("2001:db8::ffff".parse().unwrap()));
        assert!(!a("2001:db8::2", 128).contains("2001:db8::3".parse().unwrap()));
    }

    #[test]
    fn defaults_are_freebsds() {
        let s = CarpSysctl::default();
        assert!(s.allow && !s.preempt);
        assert_eq!((s.log, s.demotion, s.dscp), (1, 0, 56));
        assert_eq!(
            (s.ifdown_demotion_factor, s.senderr_demotion_factor),
            (240, 240)
        );
    }

    #[test]
    fn ifname_normalisation() {
        assert_eq!(normalize_ifname("em0.10"), "em0_10");
        assert_eq!(normalize_ifname("a-b/c+d"), "a_b_c_d");
    }
}
