//! rc.conf / sysctl.conf / loader.conf fixtures → exact `CarpModel` values
//! and diagnostics.

use std::net::IpAddr;
use std::path::PathBuf;

use harp::diag::{Diagnostics, Loc, Severity};
use harp::rcconf::{load, parse_bytes, CarpAddr, CarpModel, CarpSysctl, InitialState, VhidConfig};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/rcconf")
        .join(name)
}

/// Loads fixtures; diagnostics are rendered with the bare file name.
fn load_fixtures(names: &[&str]) -> (Option<CarpModel>, Vec<String>) {
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    let (m, d) = load(&paths);
    (m, bodies(&d))
}

/// `[SEV] body` lines with the fixture directory stripped.
fn bodies(d: &Diagnostics) -> Vec<String> {
    let dir = format!("{}/", fixture("x").parent().unwrap().display());
    d.items
        .iter()
        .map(|x| format!("{}{}", x.severity.tag(), x.body()).replace(&dir, ""))
        .collect()
}

fn loaded(names: &[&str]) -> (CarpModel, Vec<String>) {
    let (m, d) = load_fixtures(names);
    (
        m.unwrap_or_else(|| panic!("{names:?} should load: {d:?}")),
        d,
    )
}

fn a(s: &str, len: u8) -> CarpAddr {
    CarpAddr {
        addr: s.parse().unwrap(),
        prefix_len: len,
    }
}

fn loc(file: &str, line: u32) -> Loc {
    Loc::new(fixture(file).display().to_string(), line)
}

fn only_vhid(m: &CarpModel) -> &VhidConfig {
    assert_eq!(m.vhids.len(), 1, "{:?}", m.vhids);
    &m.vhids[0]
}

#[test]
fn seed_master() {
    let (m, d) = loaded(&["seed-master.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        only_vhid(&m),
        &VhidConfig {
            vhid: 1,
            parent: None,
            carp_if: Some("carp0".into()),
            addrs: vec![a("10.10.0.1", 16)],
            advbase: 1,
            advskew: 0,
            key: b"<password>".to_vec(),
            initial_state: None,
            peer: None,
            peer6: None,
            loc: loc("seed-master.rc.conf", 2),
        }
    );
    assert_eq!(m.sysctl, CarpSysctl::default());
    assert_eq!(m.module_loaded, None);
    assert!(m.parent_addrs.is_empty() && m.track_backends.is_empty());
}

#[test]
fn seed_backup_differs_only_in_advskew() {
    let (master, _) = loaded(&["seed-master.rc.conf"]);
    let (backup, d) = loaded(&["seed-backup.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    let b = only_vhid(&backup);
    assert_eq!(b.advskew, 100);
    let mut expected = only_vhid(&master).clone();
    expected.advskew = 100;
    expected.loc = loc("seed-backup.rc.conf", 2);
    assert_eq!(b, &expected);
}

#[test]
fn seed_node_with_its_loader_conf() {
    let (m, d) = loaded(&["seed-master.rc.conf", "seed-loader.conf"]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(m.module_loaded, Some(true));
    assert_eq!(only_vhid(&m).key, b"<password>");
}

#[test]
fn freebsd9_netmask_form_and_parent_by_subnet() {
    let (m, d) = loaded(&["freebsd9-netmask.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    let v = only_vhid(&m);
    assert_eq!(v.carp_if.as_deref(), Some("carp0"));
    assert_eq!(v.addrs, vec![a("10.10.0.1", 16), a("10.10.0.5", 32)]);
    assert_eq!(v.key, b"secret");
    assert_eq!(m.parent_addrs.len(), 1);
    let p = m.parent_by_subnet(v.addrs[0].addr).unwrap();
    assert_eq!((p.iface.as_str(), p.addr), ("em0", a("10.10.0.2", 16)));
    assert_eq!(p.loc, loc("freebsd9-netmask.rc.conf", 4));
    assert!(m.parent_by_subnet("192.168.0.1".parse().unwrap()).is_none());
}

#[test]
fn freebsd10_alias_v4_and_v6_share_the_vhid() {
    let (m, d) = loaded(&["freebsd10-alias.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    let v = only_vhid(&m);
    assert_eq!(
        (v.vhid, v.parent.as_deref(), v.carp_if.as_deref()),
        (1, Some("em0"), None)
    );
    assert_eq!(v.addrs, vec![a("10.10.0.1", 32), a("2001:db8::1", 64)]);
    assert_eq!(v.loc, loc("freebsd10-alias.rc.conf", 4));
    let hmac: Vec<IpAddr> = vec!["10.10.0.1".parse().unwrap(), "2001:db8::1".parse().unwrap()];
    assert_eq!(v.hmac_addrs(), hmac);
    let parents: Vec<CarpAddr> = m.parent_addrs.iter().map(|p| p.addr).collect();
    assert_eq!(parents, vec![a("10.10.0.2", 16), a("2001:db8::2", 64)]);
}

#[test]
fn freebsd10_aliases_variable_holds_two_vhids() {
    let (m, d) = loaded(&["freebsd10-aliases.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    let got: Vec<_> = m
        .vhids
        .iter()
        .map(|v| (v.vhid, v.advskew, v.key.clone(), v.addrs.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 0, b"secret".to_vec(), vec![a("10.10.0.1", 32)]),
            (2, 20, b"secret2".to_vec(), vec![a("10.10.0.3", 32)]),
        ]
    );
}

#[test]
fn inet6_prefixlen_and_scoped_address() {
    let (m, d) = loaded(&["inet6-prefixlen.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    let v = only_vhid(&m);
    assert_eq!(
        (v.vhid, v.advbase, v.parent.as_deref()),
        (5, 2, Some("igb1"))
    );
    assert_eq!(v.addrs, vec![a("2001:db8:0:1::1", 64), a("fe80::1", 64)]);
    assert_eq!(m.parent_addrs[0].addr, a("2001:db8:0:1::2", 64));
}

#[test]
fn legacy_form_without_inet_warns() {
    let (m, d) = loaded(&["legacy-no-inet.rc.conf"]);
    assert_eq!(
        d,
        vec!["[WARNING]  parsing [legacy-no-inet.rc.conf:3] : 'ifconfig_em1_alias0' has no leading 'inet' keyword; rc reads it as IPv4 (write \"inet ...\")"]
    );
    let v = only_vhid(&m);
    assert_eq!(
        (v.vhid, v.advskew, v.key.as_slice()),
        (12, 210, &b"RD0B4OBZ"[..])
    );
    assert_eq!(v.addrs, vec![a("192.168.1.11", 32)]);
}

#[test]
fn several_vhids_sorted_by_interface() {
    let (m, d) = loaded(&["several-vhids.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    let got: Vec<_> = m
        .vhids
        .iter()
        .map(|v| {
            (
                v.iface().to_string(),
                v.vhid,
                v.advbase,
                v.advskew,
                v.addrs.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("carp0".into(), 1, 1, 100, vec![a("10.10.0.1", 16)]),
            ("carp1".into(), 2, 3, 0, vec![a("10.10.0.3", 16)]),
            (
                "em0_10".into(),
                10,
                1,
                0,
                vec![a("172.16.10.1", 32), a("172.16.10.4", 32)]
            ),
            ("em0_10".into(), 11, 1, 50, vec![a("172.16.10.3", 32)]),
        ]
    );
    assert_eq!(m.vhids[2].loc, loc("several-vhids.rc.conf", 9));
    assert_eq!(
        harp::rcconf::normalize_ifname("em0.10"),
        m.vhids[2].parent.clone().unwrap()
    );
}

#[test]
fn sysctl_conf() {
    let (m, d) = loaded(&["sysctl.conf"]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        m.sysctl,
        CarpSysctl {
            allow: true,
            preempt: true,
            log: 2,
            demotion: 40,
            ifdown_demotion_factor: 100,
            senderr_demotion_factor: 120,
            dscp: 46,
        }
    );
    assert!(m.vhids.is_empty());
}

#[test]
fn loader_conf_freebsd10() {
    let (m, d) = loaded(&["freebsd10-loader.conf"]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(m.module_loaded, Some(true));
}

#[test]
fn whole_node_rc_sysctl_loader() {
    let (m, d) = loaded(&[
        "freebsd10-alias.rc.conf",
        "sysctl.conf",
        "freebsd10-loader.conf",
    ]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(only_vhid(&m).vhid, 1);
    assert!(m.sysctl.preempt);
    assert_eq!(m.module_loaded, Some(true));
}

#[test]
fn unicast_peer_and_state() {
    let (m, d) = loaded(&["unicast-peer.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    let v = only_vhid(&m);
    assert_eq!(v.initial_state, Some(InitialState::Backup));
    assert_eq!(v.peer, Some("192.0.2.11".parse().unwrap()));
    assert_eq!((v.advskew, v.peer6), (10, None));
}

#[test]
fn mixed_file_with_shell_features() {
    let (m, d) = loaded(&["mixed-node.conf"]);
    assert!(d.is_empty(), "{d:?}");
    let v = only_vhid(&m);
    assert_eq!(v.key, b"s3cr$t");
    assert_eq!(v.addrs, vec![a("10.10.0.1", 32), a("10.10.0.9", 32)]);
    assert_eq!(v.loc, loc("mixed-node.conf", 8));
    assert_eq!(m.track_backends, vec!["web".to_string(), "api".to_string()]);
    assert_eq!(m.module_loaded, Some(true));
    assert!(m.sysctl.preempt);
}

#[test]
fn obsolete_ipv6_spellings_warn() {
    let (m, d) = loaded(&["obsolete-ipv6.rc.conf"]);
    assert_eq!(
        d,
        vec![
            "[WARNING]  parsing [obsolete-ipv6.rc.conf:1] : 'ipv6_ifconfig_em0' is an obsolete spelling; use ifconfig_em0_ipv6",
            "[WARNING]  parsing [obsolete-ipv6.rc.conf:2] : 'ipv6_ifconfig_em0_alias0' is an obsolete spelling; use ifconfig_em0_aliasN with \"inet6 ...\"",
        ]
    );
    assert_eq!(only_vhid(&m).addrs, vec![a("2001:db8::1", 64)]);
    assert_eq!(m.parent_addrs[0].addr, a("2001:db8::2", 64));
}

#[test]
fn long_password_is_truncated_to_19_bytes() {
    let (m, d) = loaded(&["long-password.rc.conf"]);
    assert_eq!(
        d,
        vec!["[WARNING]  parsing [long-password.rc.conf:1] : ifconfig_em0_alias0: the password is 26 bytes long; FreeBSD keeps only its first 19 bytes, and so does harp"]
    );
    assert_eq!(only_vhid(&m).key, b"ThisPasswordIsTooLo");
}

#[test]
fn non_contiguous_aliases_stop_at_the_gap() {
    let (m, d) = loaded(&["noncontiguous-aliases.rc.conf"]);
    assert_eq!(
        d,
        vec!["[WARNING]  parsing [noncontiguous-aliases.rc.conf:4] : 'ifconfig_em0_alias3' is ignored: ifconfig_em0_alias2 is missing or empty, and rc stops at the first gap"]
    );
    assert_eq!(
        only_vhid(&m).addrs,
        vec![a("10.10.0.1", 32), a("10.10.0.5", 32)]
    );
}

/// Each invalid fixture gives no model and exactly these diagnostics.
#[test]
fn invalid_fixtures_are_fatal_with_location() {
    let cases: &[(&str, &str)] = &[
        (
            "bad-vhid0.rc.conf",
            "[ALERT]    parsing [bad-vhid0.rc.conf:2] : ifconfig_em0_alias0: vhid 0: too small (must be 1..255)",
        ),
        (
            "bad-vhid256.rc.conf",
            "[ALERT]    parsing [bad-vhid256.rc.conf:2] : ifconfig_carp0: vhid 256: too large (must be 1..255)",
        ),
        (
            "bad-advskew255.rc.conf",
            "[ALERT]    parsing [bad-advskew255.rc.conf:2] : ifconfig_carp0: advskew 255: too large (must be 0..254)",
        ),
        (
            "bad-advbase0.rc.conf",
            "[ALERT]    parsing [bad-advbase0.rc.conf:1] : ifconfig_em0_alias0: advbase 0: too small (must be 1..255)",
        ),
        (
            "bad-pass-before-vhid.rc.conf",
            "[ALERT]    parsing [bad-pass-before-vhid.rc.conf:2] : ifconfig_em0_alias0: pass requires vhid: write 'vhid N' before it",
        ),
        (
            "bad-unclosed-quote.rc.conf",
            "[ALERT]    parsing [bad-unclosed-quote.rc.conf:2] : unterminated double-quoted string: quotes do not pair up; a string opened on this line closes on a later one, and the quote on line 3 is never closed; sh refuses to read the rest of this file",
        ),
        (
            "bad-conflict.rc.conf",
            "[ALERT]    parsing [bad-conflict.rc.conf:2] : vhid 1 on em0: advskew 100 here conflicts with advskew 0 at bad-conflict.rc.conf:1",
        ),
    ];
    for (file, expected) in cases {
        let (m, d) = load_fixtures(&[file]);
        assert!(m.is_none(), "{file} must not give a model");
        assert_eq!(&d, &vec![expected.to_string()], "{file}");
    }
}

#[test]
fn missing_file_is_fatal() {
    let (m, d) = load(&[fixture("does-not-exist.conf")]);
    assert!(m.is_none());
    assert_eq!(d.count(Severity::Alert), 1);
    assert!(d.items[0]
        .message
        .starts_with("Cannot open configuration file"));
    assert_eq!(d.items[0].loc, None);
}

#[test]
fn rc_conf_local_overrides_rc_conf() {
    // Later files override earlier ones, as rc.conf.local does.
    let (m, d) = loaded(&["seed-master.rc.conf", "seed-backup.rc.conf"]);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(only_vhid(&m).advskew, 100);
}

#[test]
fn both_seed_lines_in_one_file_warn_and_last_wins() {
    let text = b"cloned_interfaces=\"carp0\"\nifconfig_carp0=\"vhid 1 pass <password> 10.10.0.1/16\"\nifconfig_carp0=\"vhid 1 advskew 100 pass <password> 10.10.0.1/16\"\n";
    let (m, d) = parse_bytes("rc.conf", text);
    assert_eq!(
        bodies(&d),
        vec!["[WARNING]  parsing [rc.conf:3] : 'ifconfig_carp0' is set again; this value replaces the one from line 2 (as sh does)"]
    );
    assert_eq!(only_vhid(&m.unwrap()).advskew, 100);
}

#[test]
fn never_panics_on_hostile_bytes() {
    let mut big = b"ifconfig_em0_alias0=\"inet vhid 1 pass ".to_vec();
    big.extend(std::iter::repeat_n(b'x', 1 << 20));
    big.extend_from_slice(b" alias 10.0.0.1/32\"\n");
    let (m, d) = parse_bytes("big", &big);
    assert_eq!(only_vhid(&m.unwrap()).key.len(), 19);
    assert_eq!(d.count(Severity::Warning), 1);

    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let (m, d) = parse_bytes("bin", &binary);
    assert_eq!(m.is_none(), d.has_fatal());

    let (m, d) = parse_bytes("q", b"a='\n\"\n`\n${\n$(\n");
    assert!(m.is_none() && d.has_fatal());
}

#[test]
fn many_aliases_and_the_address_cap() {
    let mut text = String::new();
    for n in 0..20_000u32 {
        text.push_str(&format!(
            "ifconfig_em0_alias{n}=\"inet vhid 1 pass s alias 10.{}.{}.1/32\"\n",
            n / 256,
            n % 256
        ));
    }
    let (m, d) = parse_bytes("big.conf", text.as_bytes());
    assert!(d.items.is_empty(), "{:?}", d.items.first());
    assert_eq!(only_vhid(&m.unwrap()).addrs.len(), 20_000);

    // Ranges expand to 256 addresses each; 300 of them pass the cap.
    let mut aliases = String::from("ifconfig_em0_aliases=\"");
    for n in 0..300u32 {
        aliases.push_str(&format!(
            "inet vhid 1 pass s 10.{}.{}.0-255/32 ",
            n / 256,
            n % 256
        ));
    }
    aliases.push_str("\"\n");
    let (m, d) = parse_bytes("ranges.conf", aliases.as_bytes());
    assert!(m.is_none());
    assert_eq!(
        bodies(&d),
        vec!["[ALERT]    parsing [ranges.conf:1] : ifconfig_em0_aliases: more than 65536 addresses in total; harp stops here"]
    );
}
