//! `harp carp lint`: compares the CARP models of the nodes of one cluster
//! and reports what breaks it (CARP.md §4, §6, §8). Pure: the command
//! line part is in [`super::lint_cli`].
//!
//! A vhid of one node is matched with the same vhid number on the other
//! nodes; only when a node uses one vhid number on several interfaces are
//! they told apart by interface name.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::diag::{Diagnostic, Loc, LocStyle};
use crate::rcconf::{CarpModel, VhidConfig, MAX_KEY_LEN};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Works, but surprises someone one day.
    Warning,
    /// The nodes will not agree on a master (split brain) or a vhid is
    /// not redundant.
    Error,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The passwords (as used, i.e. truncated) differ: HMACs never match.
    KeyMismatch,
    /// The address lists differ: the HMAC covers them, so HMACs never match.
    AddrMismatch,
    /// A vhid is configured on some nodes only.
    MissingVhid,
    /// Two nodes advertise the same advbase and advskew.
    EqualAdvskew,
    /// A node demotes itself on backend failure (`harp_carp_track`) but a
    /// peer lacks `net.inet.carp.preempt=1` and will not take over.
    TrackWithoutPreempt,
    /// Passwords longer than 19 bytes that differ only after byte 19.
    TruncatedKeys,
    /// The nodes use different advbase values.
    AdvbaseMismatch,
    /// Fewer than two nodes: nothing to compare.
    SingleNode,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub kind: Kind,
    /// The vhid concerned, if any.
    pub vhid: Option<u8>,
    /// The offending vhid lines (first = where the message is reported).
    pub locs: Vec<Loc>,
    pub message: String,
}

impl Finding {
    /// As a HAProxy-style diagnostic (`[ALERT]` for errors).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut msg = self.message.clone();
        if self.locs.len() > 1 {
            let rest: Vec<String> = self.locs[1..].iter().map(|l| l.to_string()).collect();
            let _ = write!(msg, " (see also {})", rest.join(", "));
        }
        let loc = self.locs.first().cloned();
        let d = match self.level {
            Level::Error => Diagnostic::alert(loc, msg),
            Level::Warning => Diagnostic::warning(loc, msg),
        };
        d.with_style(LocStyle::Bracket)
    }
}

/// A password as written, when it is longer than [`MAX_KEY_LEN`] (the
/// model keeps only the truncated key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongKey {
    /// Normalised interface name (`em0`) or `carpN`, as [`VhidConfig::iface`].
    pub iface: String,
    pub vhid: u8,
    pub key: Vec<u8>,
}

/// One node: its name, its model and its over-long passwords as written.
#[derive(Debug, Clone)]
pub struct LintNode {
    pub name: String,
    pub model: CarpModel,
    pub long_keys: Vec<LongKey>,
}

/// Lints nodes given as (name, model); see [`lint_nodes`].
pub fn lint(nodes: &[(String, CarpModel)]) -> Vec<Finding> {
    let nodes: Vec<LintNode> = nodes
        .iter()
        .map(|(name, model)| LintNode {
            name: name.clone(),
            model: model.clone(),
            long_keys: Vec::new(),
        })
        .collect();
    lint_nodes(&nodes)
}

/// A vhid of one node.
struct Member<'a> {
    node: &'a LintNode,
    v: &'a VhidConfig,
}

impl Member<'_> {
    /// The password as written (untruncated when known).
    fn raw_key(&self) -> &[u8] {
        self.node
            .long_keys
            .iter()
            .find(|k| k.vhid == self.v.vhid && k.iface == self.v.iface())
            .map_or(self.v.key.as_slice(), |k| k.key.as_slice())
    }
}

/// Compares every vhid across the nodes; errors first, then warnings, each
/// in vhid order.
pub fn lint_nodes(nodes: &[LintNode]) -> Vec<Finding> {
    let mut out = Vec::new();
    if nodes.len() < 2 {
        out.push(Finding {
            level: Level::Warning,
            kind: Kind::SingleNode,
            vhid: None,
            locs: Vec::new(),
            message: "only one node given: give every node's files to compare them".into(),
        });
    }
    for (key, members) in group(nodes) {
        check_group(nodes, key.0, &members, &mut out);
    }
    check_tracking(nodes, &mut out);
    out.sort_by_key(|f| std::cmp::Reverse(f.level));
    out
}

/// Groups vhids by number, and by interface for numbers some node uses on
/// several interfaces.
fn group(nodes: &[LintNode]) -> BTreeMap<(u8, String), Vec<Member<'_>>> {
    let mut ambiguous = BTreeSet::new();
    for n in nodes {
        let mut seen = BTreeSet::new();
        for v in &n.model.vhids {
            if !seen.insert(v.vhid) {
                ambiguous.insert(v.vhid);
            }
        }
    }
    let mut groups: BTreeMap<(u8, String), Vec<Member<'_>>> = BTreeMap::new();
    for node in nodes {
        for v in &node.model.vhids {
            let iface = if ambiguous.contains(&v.vhid) {
                v.iface().to_string()
            } else {
                String::new()
            };
            groups
                .entry((v.vhid, iface))
                .or_default()
                .push(Member { node, v });
        }
    }
    groups
}

fn label(m: &Member<'_>) -> String {
    format!("vhid {} on {}", m.v.vhid, m.v.iface())
}

fn addrs_text(v: &VhidConfig) -> String {
    let list: Vec<String> = v.hmac_addrs().iter().map(|a| a.to_string()).collect();
    list.join(" ")
}

fn check_group(nodes: &[LintNode], vhid: u8, members: &[Member<'_>], out: &mut Vec<Finding>) {
    let Some(first) = members.first() else {
        return;
    };
    let finding = |level, kind, locs: Vec<Loc>, message: String| Finding {
        level,
        kind,
        vhid: Some(vhid),
        locs,
        message,
    };
    // A node without the vhid: nothing backs it up there.
    for n in nodes {
        if !members.iter().any(|m| std::ptr::eq(m.node, n)) {
            out.push(finding(
                Level::Error,
                Kind::MissingVhid,
                vec![first.v.loc.clone()],
                format!(
                    "{} of node '{}' is missing on node '{}': that node never backs it up",
                    label(first),
                    first.node.name,
                    n.name
                ),
            ));
        }
    }
    for m in &members[1..] {
        let locs = vec![m.v.loc.clone(), first.v.loc.clone()];
        let pair = format!("node '{}' and node '{}'", m.node.name, first.node.name);
        if m.v.key != first.v.key {
            out.push(finding(
                Level::Error,
                Kind::KeyMismatch,
                locs.clone(),
                format!(
                    "{}: {pair} use different passwords: each rejects the other's advertisements and both become MASTER (split brain)",
                    label(m)
                ),
            ));
        } else if m.raw_key() != first.raw_key() {
            out.push(finding(
                Level::Warning,
                Kind::TruncatedKeys,
                locs.clone(),
                format!(
                    "{}: the passwords of {pair} differ only after byte {MAX_KEY_LEN}: they work together because only the first {MAX_KEY_LEN} bytes count, but they are not the same password",
                    label(m)
                ),
            ));
        }
        if m.v.hmac_addrs() != first.v.hmac_addrs() {
            out.push(finding(
                Level::Error,
                Kind::AddrMismatch,
                locs.clone(),
                format!(
                    "{}: {pair} list different addresses ({} vs {}): the HMAC covers them, so each rejects the other's advertisements and both become MASTER (split brain)",
                    label(m),
                    addrs_text(m.v),
                    addrs_text(first.v)
                ),
            ));
        }
        if m.v.advbase != first.v.advbase {
            out.push(finding(
                Level::Warning,
                Kind::AdvbaseMismatch,
                locs.clone(),
                format!(
                    "{}: {pair} use different advbase values ({} vs {}): advbase then decides the master before advskew does, and the backups' timeouts differ",
                    label(m),
                    m.v.advbase,
                    first.v.advbase
                ),
            ));
        }
    }
    // Equal (advbase, advskew) between any two nodes.
    for (i, a) in members.iter().enumerate() {
        for b in &members[i + 1..] {
            if (a.v.advbase, a.v.advskew) == (b.v.advbase, b.v.advskew) {
                out.push(finding(
                    Level::Warning,
                    Kind::EqualAdvskew,
                    vec![b.v.loc.clone(), a.v.loc.clone()],
                    format!(
                        "{}: node '{}' and node '{}' have the same advskew {} (advbase {}): which one is MASTER depends on a fragile tie-break; give the preferred node a lower advskew",
                        label(b),
                        b.node.name,
                        a.node.name,
                        b.v.advskew,
                        b.v.advbase
                    ),
                ));
            }
        }
    }
}

/// `harp_carp_track` demotes a node; its peers take over only with
/// preempt (FreeBSD carp(4): a BACKUP without preempt keeps following a
/// less preferred MASTER).
fn check_tracking(nodes: &[LintNode], out: &mut Vec<Finding>) {
    for t in nodes.iter().filter(|n| !n.model.track_backends.is_empty()) {
        for p in nodes {
            if std::ptr::eq(p, t) || p.model.sysctl.preempt {
                continue;
            }
            out.push(Finding {
                level: Level::Warning,
                kind: Kind::TrackWithoutPreempt,
                vhid: None,
                locs: p.model.vhids.first().map(|v| v.loc.clone()).into_iter().collect(),
                message: format!(
                    "node '{}' demotes itself when backend(s) {} fail (harp_carp_track), but node '{}' does not set net.inet.carp.preempt=1: it stays BACKUP behind the demoted MASTER",
                    t.name,
                    t.model.track_backends.join(", "),
                    p.name
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rcconf::parse_bytes;

    fn node(name: &str, text: &str) -> (String, CarpModel) {
        let (m, d) = parse_bytes(&format!("{name}.rc.conf"), text.as_bytes());
        let m = m.unwrap_or_else(|| panic!("{d:?}"));
        (name.to_string(), m)
    }

    fn kinds(f: &[Finding]) -> Vec<(Level, Kind)> {
        f.iter().map(|f| (f.level, f.kind)).collect()
    }

    const A: &str = "ifconfig_em0=\"inet 10.0.0.1/24\"\n\
        ifconfig_em0_alias0=\"inet vhid 1 pass secret alias 10.0.0.100/32\"\n";
    const B: &str = "ifconfig_em0=\"inet 10.0.0.2/24\"\n\
        ifconfig_em0_alias0=\"inet vhid 1 advskew 100 pass secret alias 10.0.0.100/32\"\n";

    #[test]
    fn good_pair_is_clean() {
        assert_eq!(lint(&[node("a", A), node("b", B)]), vec![]);
    }

    #[test]
    fn different_password_is_split_brain() {
        let b = B.replace("pass secret", "pass other");
        let f = lint(&[node("a", A), node("b", &b)]);
        assert_eq!(kinds(&f), [(Level::Error, Kind::KeyMismatch)]);
        assert_eq!(f[0].vhid, Some(1));
        assert_eq!(
            f[0].locs,
            [Loc::new("b.rc.conf", 2), Loc::new("a.rc.conf", 2)]
        );
        let d = f[0].to_diagnostic().render(7, "config");
        assert!(
            d.starts_with("[ALERT]    (7) : config : [b.rc.conf:2] : vhid 1 on em0: node 'b' and node 'a' use different passwords"),
            "{d}"
        );
        assert!(d.ends_with("(see also a.rc.conf:2)"), "{d}");
    }

    #[test]
    fn different_addresses_is_split_brain() {
        let b = B.replace("10.0.0.100/32", "10.0.0.101/32");
        let f = lint(&[node("a", A), node("b", &b)]);
        assert_eq!(kinds(&f), [(Level::Error, Kind::AddrMismatch)]);
        assert!(
            f[0].message.contains("(10.0.0.101 vs 10.0.0.100)"),
            "{}",
            f[0].message
        );
        // Same set in another order is fine: the HMAC sorts them.
        let x = |n: u8, ip: &str| {
            format!("ifconfig_em0_alias{n}=\"inet vhid 1 pass secret alias {ip}/32\"\n")
        };
        let a2 = format!("{}{}", A, x(1, "10.0.0.50"));
        let b2 = format!(
            "{}{}",
            B.replace("10.0.0.100", "10.0.0.50"),
            x(1, "10.0.0.100")
        );
        let b2 = b2.replace(
            "alias1=\"inet vhid 1 pass",
            "alias1=\"inet vhid 1 advskew 100 pass",
        );
        assert_eq!(lint(&[node("a", &a2), node("b", &b2)]), vec![]);
    }

    #[test]
    fn missing_vhid_is_an_error_per_node() {
        let a = format!("{A}ifconfig_em0_alias1=\"inet vhid 2 pass x alias 10.0.0.102/32\"\n");
        let f = lint(&[node("a", &a), node("b", B)]);
        assert_eq!(kinds(&f), [(Level::Error, Kind::MissingVhid)]);
        assert_eq!(f[0].vhid, Some(2));
        assert_eq!(f[0].locs, [Loc::new("a.rc.conf", 3)]);
        assert!(f[0].message.contains("missing on node 'b'"));
    }

    #[test]
    fn equal_advskew_and_advbase_mismatch_warn() {
        let b = B.replace("advskew 100", "advskew 0");
        let f = lint(&[node("a", A), node("b", &b)]);
        assert_eq!(kinds(&f), [(Level::Warning, Kind::EqualAdvskew)]);
        let b = B.replace("advskew 100", "advbase 2 advskew 0");
        let f = lint(&[node("a", A), node("b", &b)]);
        assert_eq!(kinds(&f), [(Level::Warning, Kind::AdvbaseMismatch)]);
        assert!(f[0].message.contains("(2 vs 1)"));
    }

    #[test]
    fn tracking_needs_preempt_on_peers() {
        let a = format!("{A}harp_carp_track=\"web\"\n");
        let f = lint(&[node("a", &a), node("b", B)]);
        assert_eq!(kinds(&f), [(Level::Warning, Kind::TrackWithoutPreempt)]);
        assert!(f[0].message.contains("node 'b' does not set"));
        let (n, mut mb) = node("b", B);
        mb.sysctl.preempt = true;
        assert_eq!(lint(&[node("a", &a), (n, mb)]), vec![]);
    }

    #[test]
    fn keys_differing_after_byte_19() {
        let long_a = "0123456789abcdefghiXXX";
        let long_b = "0123456789abcdefghiYYY";
        let mk = |name: &str, text: &str, key: &str| {
            let (name, model) = node(name, &text.replace("secret", key));
            LintNode {
                name,
                model,
                long_keys: vec![LongKey {
                    iface: "em0".into(),
                    vhid: 1,
                    key: key.as_bytes().to_vec(),
                }],
            }
        };
        let f = lint_nodes(&[mk("a", A, long_a), mk("b", B, long_b)]);
        assert_eq!(kinds(&f), [(Level::Warning, Kind::TruncatedKeys)]);
        assert_eq!(
            lint_nodes(&[mk("a", A, long_a), mk("b", B, long_a)]),
            vec![]
        );
    }

    #[test]
    fn one_vhid_on_two_interfaces_is_told_apart() {
        let a = format!("{A}ifconfig_em1_alias0=\"inet vhid 1 pass y alias 10.1.0.100/32\"\n");
        let b = format!(
            "{B}ifconfig_em1_alias0=\"inet vhid 1 advskew 100 pass y alias 10.1.0.100/32\"\n"
        );
        assert_eq!(lint(&[node("a", &a), node("b", &b)]), vec![]);
        let f = lint(&[node("a", &a), node("b", B)]);
        assert_eq!(kinds(&f), [(Level::Error, Kind::MissingVhid)]);
        assert!(f[0].message.starts_with("vhid 1 on em1 of node 'a'"));
    }

    #[test]
    fn three_nodes_and_single_node() {
        let c = B.replace("10.0.0.2/24", "10.0.0.3/24");
        let f = lint(&[node("a", A), node("b", B), node("c", &c)]);
        assert_eq!(kinds(&f), [(Level::Warning, Kind::EqualAdvskew)]);
        assert!(f[0].message.contains("node 'c' and node 'b'"));
        let f = lint(&[node("a", A)]);
        assert_eq!(kinds(&f), [(Level::Warning, Kind::SingleNode)]);
    }
}
