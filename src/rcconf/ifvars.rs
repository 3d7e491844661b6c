//! Which rc.conf variables configure an interface, and in which order rc
//! hands their values to ifconfig (network.subr's behaviour, described in
//! CARP.md §11.2):
//!
//! - `ifconfig_<if>`: the interface's own line; rc keywords such as `DHCP`
//!   are removed first.
//! - `ifconfig_<if>_ipv6` and the obsolete `ipv6_ifconfig_<if>`: an inet6
//!   line.
//! - `ifconfig_<if>_aliases`: several entries, each starting at `inet` or
//!   `inet6`.
//! - `ifconfig_<if>_alias<N>` for N = 0, 1, ... up to the first missing or
//!   empty one; a value without `inet`/`inet6` is taken as inet, with a
//!   warning. The obsolete `ipv6_ifconfig_<if>_alias<N>` follows the same
//!   rule with inet6.
//!
//! `<if>` is the interface name with `.`, `-`, `/`, `+` mapped to `_`.

use std::collections::BTreeMap;

use crate::diag::{Diagnostics, Loc};

use super::shell::{Assigned, Shell};

/// One ifconfig invocation rc would run, with the variable it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfEntry {
    /// Normalised interface name (as in the variable name).
    pub iface: String,
    pub var: String,
    pub loc: Loc,
    /// The ifconfig arguments.
    pub value: Vec<u8>,
    /// From an alias variable (rc then also expands address ranges).
    pub alias: bool,
}

/// The variables of one interface.
#[derive(Default)]
struct IfVars<'a> {
    main: Option<(&'a str, &'a Assigned)>,
    ipv6: Option<(&'a str, &'a Assigned)>,
    obsolete_ipv6: Option<(&'a str, &'a Assigned)>,
    aliases: Option<(&'a str, &'a Assigned)>,
    alias: BTreeMap<String, (&'a str, &'a Assigned)>,
    obsolete_alias: BTreeMap<String, (&'a str, &'a Assigned)>,
}

enum VarKind {
    Main,
    Ipv6,
    ObsoleteIpv6,
    Aliases,
    Alias(String),
    ObsoleteAlias(String),
}

/// Words rc interprets itself and removes before running ifconfig.
const RC_KEYWORDS: &[&str] = &[
    "dhcp",
    "syncdhcp",
    "nosyncdhcp",
    "noauto",
    "wpa",
    "hostap",
    "noafif",
];

/// `em0_alias12` → (`em0`, `12`).
fn split_alias(rest: &str) -> Option<(&str, &str)> {
    let (iface, n) = rest.rsplit_once("_alias")?;
    (!iface.is_empty() && !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
        .then_some((iface, n))
}

fn classify(name: &str) -> Option<(&str, VarKind)> {
    if let Some(rest) = name.strip_prefix("ipv6_ifconfig_") {
        if let Some((iface, n)) = split_alias(rest) {
            return Some((iface, VarKind::ObsoleteAlias(n.to_string())));
        }
        return (!rest.is_empty()).then_some((rest, VarKind::ObsoleteIpv6));
    }
    let rest = name.strip_prefix("ifconfig_")?;
    if let Some((iface, n)) = split_alias(rest) {
        return Some((iface, VarKind::Alias(n.to_string())));
    }
    if let Some(iface) = rest.strip_suffix("_aliases") {
        return (!iface.is_empty()).then_some((iface, VarKind::Aliases));
    }
    if let Some(iface) = rest.strip_suffix("_ipv6") {
        return (!iface.is_empty()).then_some((iface, VarKind::Ipv6));
    }
    if rest.is_empty() || rest == "DEFAULT" || rest.ends_with("_name") || rest.ends_with("_descr") {
        return None;
    }
    Some((rest, VarKind::Main))
}

fn words(value: &[u8]) -> Vec<&[u8]> {
    value
        .split(|c| matches!(c, b' ' | b'\t' | b'\n'))
        .filter(|w| !w.is_empty())
        .collect()
}

fn join(words: &[&[u8]]) -> Vec<u8> {
    words.join(&b' ')
}

fn entry(iface: &str, var: &str, a: &Assigned, value: Vec<u8>, alias: bool) -> IfEntry {
    IfEntry {
        iface: iface.to_string(),
        var: var.to_string(),
        loc: a.loc.clone(),
        value,
        alias,
    }
}

/// Numbered alias variables in rc's order; reports those after a gap.
fn numbered<'a>(
    iface: &str,
    vars: &BTreeMap<String, (&'a str, &'a Assigned)>,
    prefix: &str,
    diags: &mut Diagnostics,
) -> Vec<(&'a str, &'a Assigned)> {
    let mut out = Vec::new();
    let mut n = 0usize;
    while let Some(&(var, a)) = vars.get(&n.to_string()) {
        if a.value.is_empty() {
            break;
        }
        out.push((var, a));
        n += 1;
    }
    for (key, &(var, a)) in vars {
        // Keys 0..n were read; so was nothing else.
        let read = key
            .parse::<usize>()
            .is_ok_and(|k| k < n && *key == k.to_string());
        if a.value.is_empty() || read {
            continue;
        }
        let why = if key.len() > 1 && key.starts_with('0') {
            "rc counts alias numbers without leading zeros".to_string()
        } else {
            format!("{prefix}{iface}_alias{n} is missing or empty, and rc stops at the first gap")
        };
        diags.warning(Some(a.loc.clone()), format!("'{var}' is ignored: {why}"));
    }
    out
}

/// Lists the ifconfig invocations rc would run for every interface, sorted
/// by interface name.
pub fn collect(shell: &Shell, diags: &mut Diagnostics) -> Vec<IfEntry> {
    let mut ifs: BTreeMap<&str, IfVars<'_>> = BTreeMap::new();
    for (name, a) in shell.vars_sorted() {
        let Some((iface, kind)) = classify(name) else {
            continue;
        };
        let v = ifs.entry(iface).or_default();
        match kind {
            VarKind::Main => v.main = Some((name, a)),
            VarKind::Ipv6 => v.ipv6 = Some((name, a)),
            VarKind::ObsoleteIpv6 => v.obsolete_ipv6 = Some((name, a)),
            VarKind::Aliases => v.aliases = Some((name, a)),
            VarKind::Alias(n) => {
                v.alias.insert(n, (name, a));
            }
            VarKind::ObsoleteAlias(n) => {
                v.obsolete_alias.insert(n, (name, a));
            }
        }
    }

    let mut out = Vec::new();
    for (iface, v) in ifs {
        if let Some((var, a)) = v.main {
            let kept: Vec<&[u8]> = words(&a.value)
                .into_iter()
                .filter(|w| {
                    !RC_KEYWORDS
                        .iter()
                        .any(|k| k.as_bytes().eq_ignore_ascii_case(w))
                })
                .collect();
            if !kept.is_empty() {
                out.push(entry(iface, var, a, join(&kept), false));
            }
        }
        for (var, a, obsolete) in [(v.ipv6, false), (v.obsolete_ipv6, true)]
            .into_iter()
            .filter_map(|(x, o)| x.map(|(var, a)| (var, a, o)))
        {
            if obsolete {
                diags.warning(
                    Some(a.loc.clone()),
                    format!("'{var}' is an obsolete spelling; use ifconfig_{iface}_ipv6"),
                );
            }
            let mut w = words(&a.value);
            if w.first() == Some(&&b"inet6"[..]) {
                w.remove(0);
            }
            if !w.is_empty() {
                let mut value = b"inet6 ".to_vec();
                value.extend(join(&w));
                out.push(entry(iface, var, a, value, false));
            }
        }
        if let Some((var, a)) = v.aliases {
            let w = words(&a.value);
            let starts: Vec<usize> = (0..w.len())
                .filter(|&n| matches!(w[n], b"inet" | b"inet6" | b"link" | b"ether"))
                .collect();
            if starts.first() != Some(&0) && !w.is_empty() {
                diags.warning(
                    Some(a.loc.clone()),
                    format!("'{var}': words before the first inet/inet6 are ignored by rc"),
                );
            }
            for (k, &s) in starts.iter().enumerate() {
                let end = starts.get(k + 1).copied().unwrap_or(w.len());
                if matches!(w[s], b"inet" | b"inet6") {
                    out.push(entry(iface, var, a, join(&w[s..end]), true));
                }
            }
        }
        for (var, a) in numbered(iface, &v.alias, "ifconfig_", diags) {
            let w = words(&a.value);
            match w.first().copied() {
                Some(b"inet" | b"inet6") => out.push(entry(iface, var, a, join(&w), true)),
                Some(b"link" | b"ether") | None => {}
                Some(_) => {
                    diags.warning(
                        Some(a.loc.clone()),
                        format!("'{var}' has no leading 'inet' keyword; rc reads it as IPv4 (write \"inet ...\")"),
                    );
                    let mut value = b"inet ".to_vec();
                    value.extend(join(&w));
                    out.push(entry(iface, var, a, value, true));
                }
            }
        }
        for (var, a) in numbered(iface, &v.obsolete_alias, "ipv6_ifconfig_", diags) {
            diags.warning(
                Some(a.loc.clone()),
                format!("'{var}' is an obsolete spelling; use ifconfig_{iface}_aliasN with \"inet6 ...\""),
            );
            let mut value = b"inet6 ".to_vec();
            value.extend(join(&words(&a.value)));
            out.push(entry(iface, var, a, value, true));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn run(text: &str) -> (Vec<(String, String, String, u32)>, Diagnostics) {
        let mut sh = Shell::default();
        let mut d = Diagnostics::default();
        sh.source("rc.conf", text.as_bytes(), &mut d);
        let e = collect(&sh, &mut d)
            .into_iter()
            .map(|e| {
                (
                    e.iface,
                    e.var,
                    String::from_utf8_lossy(&e.value).into_owned(),
                    e.loc.line,
                )
            })
            .collect();
        (e, d)
    }

    fn t(i: &str, v: &str, val: &str, line: u32) -> (String, String, String, u32) {
        (i.into(), v.into(), val.into(), line)
    }

    #[test]
    fn classify_names() {
        assert!(matches!(
            classify("ifconfig_em0"),
            Some(("em0", VarKind::Main))
        ));
        assert!(
            matches!(classify("ifconfig_em0_10_alias3"), Some(("em0_10", VarKind::Alias(n))) if n == "3")
        );
        assert!(matches!(
            classify("ifconfig_em0_aliases"),
            Some(("em0", VarKind::Aliases))
        ));
        assert!(matches!(
            classify("ifconfig_em0_ipv6"),
            Some(("em0", VarKind::Ipv6))
        ));
        assert!(matches!(
            classify("ipv6_ifconfig_em0_alias0"),
            Some(("em0", VarKind::ObsoleteAlias(_)))
        ));
        assert!(matches!(
            classify("ipv6_ifconfig_em0"),
            Some(("em0", VarKind::ObsoleteIpv6))
        ));
        assert!(classify("ifconfig_em0_name").is_none());
        assert!(classify("ifconfig_DEFAULT").is_none());
        assert!(classify("ifconfig_").is_none());
        assert!(classify("cloned_interfaces").is_none());
    }

    #[test]
    fn contiguity_stops_at_first_gap() {
        let (e, d) = run(
            "ifconfig_em0=\"DHCP\"\nifconfig_em0_alias0=\"inet 10.0.0.1/32\"\nifconfig_em0_alias1=\"inet 10.0.0.2/32\"\nifconfig_em0_alias3=\"inet 10.0.0.4/32\"\nifconfig_em0_alias05=\"inet 10.0.0.5/32\"\n",
        );
        assert_eq!(
            e,
            vec![
                t("em0", "ifconfig_em0_alias0", "inet 10.0.0.1/32", 2),
                t("em0", "ifconfig_em0_alias1", "inet 10.0.0.2/32", 3),
            ]
        );
        assert_eq!(d.count(Severity::Warning), 2);
        assert!(d.items.iter().any(|x| x.loc == Some(Loc::new("rc.conf", 4))
            && x.message.contains("ifconfig_em0_alias2 is missing")));
        assert!(d.items.iter().any(|x| x.message.contains("leading zeros")));
    }

    #[test]
    fn empty_alias_stops_too() {
        let (e, d) = run("ifconfig_em0_alias0=\"\"\nifconfig_em0_alias1=\"inet 10.0.0.2/32\"\n");
        assert!(e.is_empty());
        assert_eq!(d.count(Severity::Warning), 1);
    }

    #[test]
    fn aliases_split_at_family_words() {
        let (e, d) = run(
            "ifconfig_em0_aliases=\"junk inet vhid 1 pass s 10.0.0.1/32 ether 00:11:22:33:44:55 inet6 vhid 2 pass s 2001:db8::1/64\"\n",
        );
        assert_eq!(
            e,
            vec![
                t(
                    "em0",
                    "ifconfig_em0_aliases",
                    "inet vhid 1 pass s 10.0.0.1/32",
                    1
                ),
                t(
                    "em0",
                    "ifconfig_em0_aliases",
                    "inet6 vhid 2 pass s 2001:db8::1/64",
                    1
                ),
            ]
        );
        assert_eq!(d.count(Severity::Warning), 1);
    }

    #[test]
    fn legacy_and_obsolete_forms() {
        let (e, d) = run(
            "ifconfig_em1_alias0=\"vhid 12 advskew 210 pass RD0B4OBZ 192.168.1.11/32\"\nipv6_ifconfig_em1_alias0=\"2001:db8::1 prefixlen 64\"\nipv6_ifconfig_em1=\"2001:db8::2/64\"\nifconfig_em1_ipv6=\"inet6 2001:db8::3/64\"\n",
        );
        assert_eq!(
            e,
            vec![
                t("em1", "ifconfig_em1_ipv6", "inet6 2001:db8::3/64", 4),
                t("em1", "ipv6_ifconfig_em1", "inet6 2001:db8::2/64", 3),
                t(
                    "em1",
                    "ifconfig_em1_alias0",
                    "inet vhid 12 advskew 210 pass RD0B4OBZ 192.168.1.11/32",
                    1
                ),
                t(
                    "em1",
                    "ipv6_ifconfig_em1_alias0",
                    "inet6 2001:db8::1 prefixlen 64",
                    2
                ),
            ]
        );
        // legacy inet, two obsolete spellings
        assert_eq!(d.count(Severity::Warning), 3);
    }
}
