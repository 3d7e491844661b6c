//! Which Linux interface a FreeBSD vhid runs on. rc.conf names FreeBSD
//! interfaces (`em0`, or a cloned `carp0` whose parent FreeBSD 9 finds by
//! subnet, CARP.md §11.1); `--carp-iface em0=eth0` maps them. Without a
//! mapping, an interface of that very name is used, else the interface
//! whose subnet holds the vhid's first address (with a warning).

use super::vip::LinkInfo;
use crate::rcconf::{normalize_ifname, CarpModel, VhidConfig};

/// `--carp-iface BSD=LINUX` pairs; BSD names kept normalised as rc.conf
/// variable names spell them (`em0.10` → `em0_10`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IfaceMap {
    pairs: Vec<(String, String)>,
}

impl IfaceMap {
    /// Parses `em0=eth0` specs; a later spec for the same BSD name wins.
    pub fn parse(specs: &[String]) -> Result<IfaceMap, String> {
        let mut m = IfaceMap::default();
        for s in specs {
            let (bsd, linux) = s
                .split_once('=')
                .filter(|(b, l)| !b.is_empty() && !l.is_empty() && !l.contains('='))
                .ok_or_else(|| {
                    format!("--carp-iface '{s}': expected FREEBSD=LINUX, e.g. em0=eth0")
                })?;
            m.insert(bsd, linux);
        }
        Ok(m)
    }

    pub fn insert(&mut self, bsd: &str, linux: &str) {
        let key = normalize_ifname(bsd);
        self.pairs.retain(|(b, _)| *b != key);
        self.pairs.push((key, linux.to_string()));
    }

    /// The Linux name mapped to a FreeBSD interface name.
    pub fn get(&self, bsd: &str) -> Option<&str> {
        let key = normalize_ifname(bsd);
        self.pairs
            .iter()
            .find(|(b, _)| *b == key)
            .map(|(_, l)| l.as_str())
    }
}

/// The Linux interface chosen for a vhid, and a warning when it was
/// guessed by subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<'a> {
    pub link: &'a LinkInfo,
    pub warning: Option<String>,
}

/// Picks the Linux interface of `v` among `links`.
pub fn resolve<'a>(
    model: &CarpModel,
    map: &IfaceMap,
    links: &'a [LinkInfo],
    v: &VhidConfig,
) -> Result<Resolved<'a>, String> {
    let first = v.addrs.first().map(|a| a.addr);
    // FreeBSD 9: the parent of carpN is the interface with an address in
    // the subnet of the CARP address.
    let bsd_parent = match (&v.parent, &v.carp_if) {
        (Some(p), _) => Some(p.clone()),
        (None, _) => first
            .and_then(|ip| model.parent_by_subnet(ip))
            .map(|p| p.iface.clone()),
    };
    let mut names: Vec<&str> = Vec::new();
    names.extend(bsd_parent.as_deref());
    names.extend(v.carp_if.as_deref());
    let by_name = |n: &str| links.iter().find(|l| l.name == n);
    for n in &names {
        if let Some(linux) = map.get(n) {
            return by_name(linux)
                .map(|link| Resolved {
                    link,
                    warning: None,
                })
                .ok_or_else(|| {
                    format!("--carp-iface maps {n} to {linux}, which does not exist here")
                });
        }
    }
    for n in &names {
        if let Some(link) = links.iter().find(|l| normalize_ifname(&l.name) == *n) {
            return Ok(Resolved {
                link,
                warning: None,
            });
        }
    }
    let shown = names.first().copied().unwrap_or("?");
    let Some(ip) = first else {
        return Err(format!(
            "no --carp-iface mapping for {shown} and the vhid has no address"
        ));
    };
    // A VIP left on an interface (by a crash) says nothing about where the
    // vhid belongs: only the interfaces' own addresses count.
    let holds_subnet = |l: &&LinkInfo| {
        l.addrs
            .iter()
            .any(|a| a.contains(ip) && !is_vip(model, a.addr))
    };
    match links.iter().find(holds_subnet) {
        Some(link) => Ok(Resolved {
            link,
            warning: Some(format!(
                "no --carp-iface mapping for {shown}: using {} whose subnet holds {ip}",
                link.name
            )),
        }),
        None => Err(format!(
            "no --carp-iface mapping for {shown} and no interface here has a subnet holding {ip}"
        )),
    }
}

/// Whether `ip` is an address of any vhid of the model.
pub fn is_vip(model: &CarpModel, ip: std::net::IpAddr) -> bool {
    model
        .vhids
        .iter()
        .any(|v| v.addrs.iter().any(|a| a.addr == ip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Loc;
    use crate::rcconf::{CarpAddr, ParentAddr};

    fn a(s: &str, p: u8) -> CarpAddr {
        CarpAddr {
            addr: s.parse().unwrap(),
            prefix_len: p,
        }
    }

    fn link(name: &str, index: u32, addrs: Vec<CarpAddr>) -> LinkInfo {
        LinkInfo {
            name: name.into(),
            index,
            mac: vec![2, 0, 0, 0, 0, index as u8],
            up: true,
            addrs,
        }
    }

    fn vhid(parent: Option<&str>, carp_if: Option<&str>) -> VhidConfig {
        VhidConfig {
            vhid: 1,
            parent: parent.map(String::from),
            carp_if: carp_if.map(String::from),
            addrs: vec![a("10.99.0.100", 32)],
            advbase: 1,
            advskew: 0,
            key: b"secret".to_vec(),
            initial_state: None,
            peer: None,
            peer6: None,
            loc: Loc::new("rc.conf", 1),
        }
    }

    fn links() -> Vec<LinkInfo> {
        vec![
            link("lo", 1, vec![a("127.0.0.1", 8)]),
            link("eth0", 2, vec![a("10.99.0.1", 24)]),
            link("eth1", 3, vec![a("10.98.0.1", 24)]),
        ]
    }

    #[test]
    fn parse_map() {
        let m = IfaceMap::parse(&["em0=eth1".into(), "em0.10=eth0.10".into()]).unwrap();
        assert_eq!(m.get("em0"), Some("eth1"));
        assert_eq!(m.get("em0_10"), Some("eth0.10"));
        assert_eq!(m.get("em1"), None);
        for bad in ["em0", "=eth0", "em0=", "a=b=c"] {
            assert!(IfaceMap::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn mapping_wins_then_name_then_subnet() {
        let model = CarpModel::default();
        let ls = links();
        let map = IfaceMap::parse(&["em0=eth1".into()]).unwrap();
        let r = resolve(&model, &map, &ls, &vhid(Some("em0"), None)).unwrap();
        assert_eq!((r.link.name.as_str(), r.warning), ("eth1", None));

        let r = resolve(&model, &IfaceMap::default(), &ls, &vhid(Some("eth1"), None)).unwrap();
        assert_eq!((r.link.name.as_str(), r.warning), ("eth1", None));

        let r = resolve(&model, &IfaceMap::default(), &ls, &vhid(Some("em0"), None)).unwrap();
        assert_eq!(r.link.name, "eth0");
        assert_eq!(
            r.warning.as_deref(),
            Some("no --carp-iface mapping for em0: using eth0 whose subnet holds 10.99.0.100")
        );

        let bad = IfaceMap::parse(&["em0=eth9".into()]).unwrap();
        let e = resolve(&model, &bad, &ls, &vhid(Some("em0"), None)).unwrap_err();
        assert_eq!(
            e,
            "--carp-iface maps em0 to eth9, which does not exist here"
        );
    }

    #[test]
    fn a_stale_vip_does_not_attract_the_vhid() {
        let v = vhid(Some("em0"), None);
        let model = CarpModel {
            vhids: vec![v.clone()],
            ..CarpModel::default()
        };
        let mut ls = links();
        ls.insert(0, link("eth5", 9, vec![a("10.99.0.100", 24)]));
        let r = resolve(&model, &IfaceMap::default(), &ls, &v).unwrap();
        assert_eq!(r.link.name, "eth0");
        assert!(is_vip(&model, "10.99.0.100".parse().unwrap()));
        assert!(!is_vip(&model, "10.99.0.1".parse().unwrap()));
    }

    #[test]
    fn carp_n_parent_found_by_rcconf_subnet() {
        let model = CarpModel {
            parent_addrs: vec![ParentAddr {
                iface: "em1".into(),
                addr: a("10.99.0.2", 24),
                alias: false,
                loc: Loc::new("rc.conf", 1),
            }],
            ..CarpModel::default()
        };
        let map = IfaceMap::parse(&["em1=eth1".into()]).unwrap();
        let ls = links();
        let r = resolve(&model, &map, &ls, &vhid(None, Some("carp0"))).unwrap();
        assert_eq!(r.link.name, "eth1");
        let mut v = vhid(None, Some("carp0"));
        v.addrs = vec![a("192.0.2.1", 32)];
        let e = resolve(&model, &IfaceMap::default(), &ls, &v).unwrap_err();
        assert!(
            e.contains("no interface here has a subnet holding 192.0.2.1"),
            "{e}"
        );
    }
}
