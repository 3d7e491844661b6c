//! Variables of one node → [`CarpModel`]: parses every ifconfig line rc
//! would run, groups CARP addresses by (parent, vhid) or by `carpN`, and
//! checks that the lines of one vhid agree.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Display;
use std::net::IpAddr;

use crate::config::suggest::did_you_mean;
use crate::diag::{Diagnostics, Loc};

use super::ifconfig::{parse_line, IfLine, LineCtx, Peer};
use super::ifvars::{collect, IfEntry};
use super::model::{
    normalize_ifname, CarpAddr, CarpModel, ParentAddr, VhidConfig, DEFAULT_ADVBASE, DEFAULT_ADVSKEW,
};
use super::shell::Shell;
use super::sysctl;

/// At most this many CARP addresses per node: far above any real setup,
/// low enough that address ranges cannot exhaust memory.
pub const MAX_ADDRS: usize = 65_536;

/// harp's own rc.conf variables.
const HARP_VARS: &[&str] = &["harp_carp_track"];

/// `carp0`, `carp12`: FreeBSD 9 cloned CARP interfaces.
pub fn is_carp_ifname(name: &str) -> bool {
    name.strip_prefix("carp")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

/// A value set by some line, with where.
type Set<T> = Option<(T, Loc)>;

/// The lines of one vhid, merged.
struct Acc {
    parent: Option<String>,
    carp_if: Option<String>,
    vhid: Set<u8>,
    advbase: Set<u8>,
    advskew: Set<u8>,
    key: Set<Vec<u8>>,
    state: Set<super::model::InitialState>,
    peer: Set<Peer<std::net::Ipv4Addr>>,
    peer6: Set<Peer<std::net::Ipv6Addr>>,
    addrs: Vec<(CarpAddr, Loc)>,
    loc: Loc,
    failed: bool,
}

impl Acc {
    fn label(&self) -> String {
        match (&self.carp_if, &self.vhid) {
            (Some(c), _) => c.clone(),
            (None, Some((v, _))) => {
                format!("vhid {v} on {}", self.parent.as_deref().unwrap_or(""))
            }
            (None, None) => String::new(),
        }
    }
}

/// Records `new` in `slot`; a different earlier value is an error on
/// this node (`show` = None hides the values, for passwords).
fn merge<T: PartialEq + Clone>(
    slot: &mut Set<T>,
    new: &Option<T>,
    loc: &Loc,
    what: &str,
    show: Option<&dyn Fn(&T) -> String>,
    label: &str,
    diags: &mut Diagnostics,
) -> bool {
    let Some(new) = new else {
        return true;
    };
    match slot {
        Some((old, old_loc)) if old != new => {
            let msg = match show {
                Some(f) => format!(
                    "{label}: {what} {} here conflicts with {what} {} at {old_loc}",
                    f(new),
                    f(old)
                ),
                None => format!("{label}: {what} here differs from the one at {old_loc}"),
            };
            diags.alert(Some(loc.clone()), msg);
            false
        }
        Some(_) => true,
        None => {
            *slot = Some((new.clone(), loc.clone()));
            true
        }
    }
}

fn num<T: Display>(v: &T) -> String {
    v.to_string()
}

fn peer_text<A: Display>(p: &Peer<A>) -> String {
    match p {
        Peer::Unicast(a) => a.to_string(),
        Peer::Multicast => "(multicast)".into(),
    }
}

fn merge_line(acc: &mut Acc, line: &IfLine, loc: &Loc, diags: &mut Diagnostics) {
    let label = acc.label();
    let mut ok = true;
    ok &= merge(
        &mut acc.vhid,
        &line.vhid,
        loc,
        "vhid",
        Some(&num),
        &label,
        diags,
    );
    ok &= merge(
        &mut acc.advbase,
        &line.advbase,
        loc,
        "advbase",
        Some(&num),
        &label,
        diags,
    );
    ok &= merge(
        &mut acc.advskew,
        &line.advskew,
        loc,
        "advskew",
        Some(&num),
        &label,
        diags,
    );
    ok &= merge(&mut acc.key, &line.key, loc, "pass", None, &label, diags);
    ok &= merge(
        &mut acc.state,
        &line.state,
        loc,
        "state",
        Some(&|s| format!("{s:?}").to_lowercase()),
        &label,
        diags,
    );
    ok &= merge(
        &mut acc.peer,
        &line.peer,
        loc,
        "peer",
        Some(&peer_text),
        &label,
        diags,
    );
    ok &= merge(
        &mut acc.peer6,
        &line.peer6,
        loc,
        "peer6",
        Some(&peer_text),
        &label,
        diags,
    );
    acc.failed |= !ok;
    acc.addrs
        .extend(line.addrs.iter().map(|a| (*a, loc.clone())));
}

/// `YES`/`NO` as rc's checkyesno reads them.
fn yes_no(v: &[u8]) -> Option<bool> {
    match v.to_ascii_lowercase().as_slice() {
        b"yes" | b"true" | b"on" | b"1" => Some(true),
        b"no" | b"false" | b"off" | b"0" => Some(false),
        _ => None,
    }
}

fn module_loaded(shell: &Shell, diags: &mut Diagnostics) -> Option<bool> {
    let mut loaded = None;
    for var in ["if_carp_load", "carp_load"] {
        let Some(a) = shell.get(var) else { continue };
        match yes_no(&a.value) {
            Some(v) => loaded = Some(loaded.unwrap_or(false) || v),
            None => diags.warning(
                Some(a.loc.clone()),
                format!(
                    "{var}: '{}' is neither YES nor NO; ignored",
                    String::from_utf8_lossy(&a.value)
                ),
            ),
        }
    }
    loaded
}

fn track_backends(shell: &Shell, diags: &mut Diagnostics) -> Vec<String> {
    for (name, a) in shell.vars_sorted() {
        if name.starts_with("harp_") && !HARP_VARS.contains(&name) {
            let hint = did_you_mean(name, HARP_VARS.iter().copied())
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            diags.warning(
                Some(a.loc.clone()),
                format!("'{name}' is not a variable harp knows{hint}"),
            );
        }
    }
    let Some(a) = shell.get("harp_carp_track") else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for w in String::from_utf8_lossy(&a.value).split_whitespace() {
        let valid = w
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
        if !valid {
            diags.alert(
                Some(a.loc.clone()),
                format!("harp_carp_track: '{w}' is not a valid backend name"),
            );
        } else if !seen.insert(w.to_string()) {
            diags.warning(
                Some(a.loc.clone()),
                format!("harp_carp_track: backend '{w}' is listed twice"),
            );
        } else {
            out.push(w.to_string());
        }
    }
    out
}

/// Normalised names listed in `cloned_interfaces`, with its location.
fn cloned(shell: &Shell) -> (Vec<String>, Option<Loc>) {
    let Some(a) = shell.get("cloned_interfaces") else {
        return (Vec::new(), None);
    };
    let names = String::from_utf8_lossy(&a.value)
        .split_whitespace()
        .map(normalize_ifname)
        .collect();
    (names, Some(a.loc.clone()))
}

/// Builds the model. The caller decides whether it is usable
/// (`diags.has_fatal()`).
pub fn lower(shell: &Shell, diags: &mut Diagnostics) -> CarpModel {
    let mut model = CarpModel {
        sysctl: sysctl::lower(&shell.sysctls, diags),
        module_loaded: module_loaded(shell, diags),
        track_backends: track_backends(shell, diags),
        ..CarpModel::default()
    };
    let (cloned, cloned_loc) = cloned(shell);

    // (interface, vhid): vhid is None for a carpN, whose lines share one.
    let mut groups: BTreeMap<(String, Option<u8>), Acc> = BTreeMap::new();
    let entries = collect(shell, diags);
    let mut budget = (MAX_ADDRS, false);
    for e in &entries {
        lower_entry(e, &mut groups, &mut model.parent_addrs, &mut budget, diags);
    }

    let cloned_set: HashSet<&str> = cloned.iter().map(String::as_str).collect();
    let configured: HashSet<&str> = entries.iter().map(|e| e.iface.as_str()).collect();
    let mut seen_addr: HashMap<IpAddr, (String, Loc)> = HashMap::new();
    let mut carp_vhids: HashMap<u8, (String, Loc)> = HashMap::new();
    for ((iface, _), acc) in groups {
        let Some(v) = finish(acc, &cloned_set, &mut seen_addr, diags) else {
            continue;
        };
        if v.carp_if.is_some() {
            if let Some((other, oloc)) = carp_vhids.get(&v.vhid) {
                diags.warning(
                    Some(v.loc.clone()),
                    format!(
                        "{iface} uses vhid {} like {other} ({oloc}); FreeBSD refuses that when both share a parent interface",
                        v.vhid
                    ),
                );
            } else {
                carp_vhids.insert(v.vhid, (iface.clone(), v.loc.clone()));
            }
        }
        model.vhids.push(v);
    }
    let mut warned: HashSet<&str> = HashSet::new();
    for c in cloned.iter().filter(|c| is_carp_ifname(c)) {
        if !configured.contains(c.as_str()) && warned.insert(c) {
            diags.warning(
                cloned_loc.clone(),
                format!("cloned interface {c} has no ifconfig_{c} line"),
            );
        }
    }
    model
        .vhids
        .sort_by(|a, b| (a.iface(), a.vhid).cmp(&(b.iface(), b.vhid)));
    model
}

fn lower_entry(
    e: &IfEntry,
    groups: &mut BTreeMap<(String, Option<u8>), Acc>,
    parent_addrs: &mut Vec<ParentAddr>,
    budget: &mut (usize, bool),
    diags: &mut Diagnostics,
) {
    let carp_if = is_carp_ifname(&e.iface);
    let ctx = LineCtx {
        loc: &e.loc,
        var: &e.var,
        vhid_first: !carp_if,
        carp_if,
        ranges: e.alias,
    };
    let Some(mut line) = parse_line(&e.value, ctx, diags) else {
        return;
    };
    let (left, reported) = budget;
    if line.addrs.len() > *left {
        if !*reported {
            diags.alert(
                Some(e.loc.clone()),
                format!(
                    "{}: more than {MAX_ADDRS} addresses in total; harp stops here",
                    e.var
                ),
            );
        }
        *reported = true;
        *left = 0;
        line.addrs.clear();
    }
    *left -= line.addrs.len();
    if line.remove {
        diags.warning(
            Some(e.loc.clone()),
            format!(
                "{}: '-alias' deletes an address; this line adds nothing",
                e.var
            ),
        );
        return;
    }
    let key = match (carp_if, line.vhid) {
        (true, _) => (e.iface.clone(), None),
        (false, Some(v)) => (e.iface.clone(), Some(v)),
        (false, None) => {
            parent_addrs.extend(line.addrs.iter().map(|a| ParentAddr {
                iface: e.iface.clone(),
                addr: *a,
                alias: e.alias,
                loc: e.loc.clone(),
            }));
            return;
        }
    };
    if line.down {
        diags.warning(
            Some(e.loc.clone()),
            format!(
                "{}: 'down' is ignored; harp runs every configured vhid",
                e.var
            ),
        );
    }
    let acc = groups.entry(key).or_insert_with(|| Acc {
        parent: (!carp_if).then(|| e.iface.clone()),
        carp_if: carp_if.then(|| e.iface.clone()),
        vhid: None,
        advbase: None,
        advskew: None,
        key: None,
        state: None,
        peer: None,
        peer6: None,
        addrs: Vec::new(),
        loc: e.loc.clone(),
        failed: false,
    });
    merge_line(acc, &line, &e.loc, diags);
}

/// Final checks of one group; `None` if it has an error.
fn finish(
    acc: Acc,
    cloned: &HashSet<&str>,
    seen_addr: &mut HashMap<IpAddr, (String, Loc)>,
    diags: &mut Diagnostics,
) -> Option<VhidConfig> {
    let Some((vhid, _)) = acc.vhid else {
        let c = acc.carp_if.as_deref().unwrap_or("");
        diags.alert(
            Some(acc.loc.clone()),
            format!("{c} has no vhid: write 'vhid N' in ifconfig_{c}"),
        );
        return None;
    };
    let label = acc.label();
    if let Some(c) = &acc.carp_if {
        if !cloned.contains(c.as_str()) {
            diags.warning(
                Some(acc.loc.clone()),
                format!("{c} is not listed in cloned_interfaces, so FreeBSD would not create it"),
            );
        }
    }
    let mut addrs: Vec<CarpAddr> = Vec::new();
    let mut mine: HashSet<IpAddr> = HashSet::new();
    for (a, loc) in &acc.addrs {
        if !mine.insert(a.addr) {
            diags.warning(
                Some(loc.clone()),
                format!("{label}: address {} is given twice", a.addr),
            );
            continue;
        }
        if let Some((other, oloc)) = seen_addr.get(&a.addr) {
            diags.alert(
                Some(loc.clone()),
                format!(
                    "{label}: address {} is already used by {other} ({oloc})",
                    a.addr
                ),
            );
            return None;
        }
        seen_addr.insert(a.addr, (label.clone(), loc.clone()));
        addrs.push(*a);
    }
    if acc.failed {
        return None;
    }
    if addrs.is_empty() {
        diags.warning(
            Some(acc.loc.clone()),
            format!("{label} has no address and would stay in INIT"),
        );
    }
    if acc.key.is_none() {
        diags.warning(
            Some(acc.loc.clone()),
            format!("{label} has no 'pass': FreeBSD then authenticates with an empty key"),
        );
    }
    Some(VhidConfig {
        vhid,
        parent: acc.parent,
        carp_if: acc.carp_if,
        addrs,
        advbase: acc.advbase.map_or(DEFAULT_ADVBASE, |x| x.0),
        advskew: acc.advskew.map_or(DEFAULT_ADVSKEW, |x| x.0),
        key: acc.key.map(|x| x.0).unwrap_or_default(),
        initial_state: acc.state.map(|x| x.0),
        peer: match acc.peer {
            Some((Peer::Unicast(a), _)) => Some(a),
            _ => None,
        },
        peer6: match acc.peer6 {
            Some((Peer::Unicast(a), _)) => Some(a),
            _ => None,
        },
        loc: acc.loc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn run(text: &str) -> (CarpModel, Diagnostics) {
        let mut sh = Shell::default();
        let mut d = Diagnostics::default();
        sh.source("rc.conf", text.as_bytes(), &mut d);
        let m = lower(&sh, &mut d);
        (m, d)
    }

    fn a(s: &str, len: u8) -> CarpAddr {
        CarpAddr {
            addr: s.parse().unwrap(),
            prefix_len: len,
        }
    }

    #[test]
    fn carp_ifname() {
        assert!(is_carp_ifname("carp0") && is_carp_ifname("carp12"));
        assert!(!is_carp_ifname("carp") && !is_carp_ifname("carpx") && !is_carp_ifname("em0"));
    }

    #[test]
    fn groups_by_parent_and_vhid() {
        let (m, d) = run(concat!(
            "ifconfig_em0=\"inet 10.10.0.2/16\"\n",
            "ifconfig_em0_alias0=\"inet vhid 1 pass s alias 10.10.0.1/32\"\n",
            "ifconfig_em0_alias1=\"inet6 vhid 1 pass s alias 2001:db8::1 prefixlen 64\"\n",
            "ifconfig_em0_alias2=\"inet vhid 2 advskew 50 pass t alias 10.10.0.3/32\"\n",
            "ifconfig_em0_alias3=\"inet 10.20.0.2/24\"\n",
        ));
        assert!(!d.has_fatal(), "{d:?}");
        assert_eq!(m.vhids.len(), 2);
        let v1 = &m.vhids[0];
        assert_eq!(
            (v1.vhid, v1.parent.as_deref(), v1.advskew),
            (1, Some("em0"), 0)
        );
        assert_eq!(v1.addrs, vec![a("10.10.0.1", 32), a("2001:db8::1", 64)]);
        assert_eq!(v1.loc, Loc::new("rc.conf", 2));
        assert_eq!((m.vhids[1].vhid, m.vhids[1].advskew), (2, 50));
        assert_eq!(m.vhids[1].key, b"t".to_vec());
        let parents: Vec<_> = m.parent_addrs.iter().map(|p| (p.addr, p.alias)).collect();
        assert_eq!(
            parents,
            vec![(a("10.10.0.2", 16), false), (a("10.20.0.2", 24), true)]
        );
    }

    #[test]
    fn conflicting_parameters_are_fatal() {
        let (m, d) = run(concat!(
            "ifconfig_em0_alias0=\"inet vhid 1 advskew 0 pass s alias 10.10.0.1/32\"\n",
            "ifconfig_em0_alias1=\"inet vhid 1 advskew 100 pass other alias 10.10.0.5/32\"\n",
        ));
        assert!(m.vhids.is_empty());
        assert_eq!(d.count(Severity::Alert), 2);
        assert_eq!(
            d.items[0].message,
            "vhid 1 on em0: advskew 100 here conflicts with advskew 0 at rc.conf:1"
        );
        assert_eq!(
            d.items[1].message,
            "vhid 1 on em0: pass here differs from the one at rc.conf:1"
        );
        assert_eq!(d.items[1].loc, Some(Loc::new("rc.conf", 2)));
    }

    #[test]
    fn freebsd9_carp_interface() {
        let (m, d) = run(concat!(
            "cloned_interfaces=\"carp0 lo1\"\n",
            "ifconfig_carp0=\"vhid 4 pass s 10.10.0.1/16\"\n",
            "ifconfig_carp0_alias0=\"inet 10.10.0.9/32\"\n",
            "ifconfig_carp1=\"vhid 5 10.30.0.1/16\"\n",
        ));
        assert!(!d.has_fatal());
        let v = &m.vhids[0];
        assert_eq!(
            (v.vhid, v.carp_if.as_deref(), v.parent.as_deref()),
            (4, Some("carp0"), None)
        );
        assert_eq!(v.addrs, vec![a("10.10.0.1", 16), a("10.10.0.9", 32)]);
        // carp1: not cloned, no pass
        assert_eq!(d.count(Severity::Warning), 2);
    }

    #[test]
    fn carp_interface_without_vhid_and_shared_address() {
        let (_, d) = run("cloned_interfaces=carp0\nifconfig_carp0=\"pass s 10.0.0.1/24\"\n");
        assert_eq!(
            d.items[0].message,
            "carp0 has no vhid: write 'vhid N' in ifconfig_carp0"
        );
        let (_, d) = run(concat!(
            "ifconfig_em0_alias0=\"inet vhid 1 pass s alias 10.10.0.1/32\"\n",
            "ifconfig_em0_alias1=\"inet vhid 2 pass s alias 10.10.0.1/32\"\n",
        ));
        assert!(d.has_fatal());
        assert!(d
            .items
            .iter()
            .any(|x| x.message.contains("already used by vhid 1 on em0")));
    }

    #[test]
    fn loader_and_track() {
        let (m, d) =
            run("if_carp_load=\"YES\"\nharp_carp_track=\"web api web\"\nharp_carp_trak=x\n");
        assert_eq!(m.module_loaded, Some(true));
        assert_eq!(m.track_backends, vec!["web".to_string(), "api".to_string()]);
        assert_eq!(d.count(Severity::Warning), 2);
        assert!(d
            .items
            .iter()
            .any(|x| x.message.contains("did you mean 'harp_carp_track'")));
        let (m, _) = run("carp_load=\"NO\"\n");
        assert_eq!(m.module_loaded, Some(false));
        let (m, _) = run("x=1\n");
        assert_eq!(m.module_loaded, None);
    }
}
