//! `harp carp lint` on the cluster fixtures: findings, locations, summary
//! and exit status, as a user runs it.

use std::process::Command;

const HARP: &str = env!("CARGO_BIN_EXE_harp");

/// Runs `harp carp lint` in fixtures/rcconf/cluster; (exit code, stdout).
fn lint(args: &[&str]) -> (Option<i32>, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/rcconf/cluster");
    let o = Command::new(HARP)
        .args(["carp", "lint"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run harp");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// The lines with `[TAG]    (pid) : ` shortened to `[TAG] : `.
fn lines(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| match (l.find('('), l.find(") : ")) {
            (Some(a), Some(b)) if l.starts_with('[') && a < b => {
                format!("{} : {}", l[..a].trim_end(), &l[b + 4..])
            }
            _ => l.to_string(),
        })
        .collect()
}

#[test]
fn good_pair_with_sysctl_is_clean() {
    let (code, out) = lint(&[
        "good-a.rc.conf",
        "good-a.sysctl.conf",
        "good-b.rc.conf",
        "good-b.sysctl.conf",
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        out,
        "carp lint: 2 node(s), 2 vhid(s): 0 error(s), 0 warning(s)\n"
    );
}

#[test]
fn without_sysctl_tracking_warns_for_both_peers() {
    // Both track "web"; neither has preempt without its sysctl.conf.
    let (code, out) = lint(&["good-a.rc.conf", "good-b.rc.conf"]);
    assert_eq!(code, Some(0), "{out}");
    let l = lines(&out);
    assert_eq!(l.len(), 3, "{out}");
    assert!(
        l[0].starts_with(
            "[WARNING] : config : [good-b.rc.conf:3] : node 'good-a.rc.conf' demotes itself"
        ),
        "{out}"
    );
    assert!(
        l[1].starts_with(
            "[WARNING] : config : [good-a.rc.conf:3] : node 'good-b.rc.conf' demotes itself"
        ),
        "{out}"
    );
    assert_eq!(
        l[2],
        "carp lint: 2 node(s), 2 vhid(s): 0 error(s), 2 warning(s)"
    );
}

#[test]
fn wrong_password_is_an_error() {
    let (code, out) = lint(&["wrongpass-a.rc.conf", "wrongpass-b.rc.conf"]);
    assert_eq!(code, Some(1), "{out}");
    let l = lines(&out);
    assert_eq!(
        l[0],
        "[ALERT] : config : [wrongpass-b.rc.conf:2] : vhid 1 on em0: node 'wrongpass-b.rc.conf' and node 'wrongpass-a.rc.conf' use different passwords: each rejects the other's advertisements and both become MASTER (split brain) (see also wrongpass-a.rc.conf:2)"
    );
    assert_eq!(
        l[1],
        "carp lint: 2 node(s), 1 vhid(s): 1 error(s), 0 warning(s)"
    );
}

#[test]
fn equal_advskew_is_a_warning() {
    let (code, out) = lint(&["skew-a.rc.conf", "skew-b.rc.conf"]);
    assert_eq!(code, Some(0), "{out}");
    let l = lines(&out);
    assert!(l[0].starts_with("[WARNING] : config : [skew-b.rc.conf:2] : vhid 1 on em0: node 'skew-b.rc.conf' and node 'skew-a.rc.conf' have the same advskew 10 (advbase 1)"), "{out}");
    assert_eq!(
        l[1],
        "carp lint: 2 node(s), 1 vhid(s): 0 error(s), 1 warning(s)"
    );
}

#[test]
fn missing_vhid_is_an_error_with_named_nodes() {
    let (code, out) = lint(&["fw1:missing-a.rc.conf", "fw2:missing-b.rc.conf"]);
    assert_eq!(code, Some(1), "{out}");
    let l = lines(&out);
    assert_eq!(
        l[0],
        "[ALERT] : config : [missing-a.rc.conf:3] : vhid 2 on em0 of node 'fw1' is missing on node 'fw2': that node never backs it up"
    );
    assert_eq!(
        l[1],
        "carp lint: 2 node(s), 2 vhid(s): 1 error(s), 0 warning(s)"
    );
}

#[test]
fn tracking_without_preempt_on_the_peer() {
    let (code, out) = lint(&["track-a.rc.conf", "track-a.sysctl.conf", "track-b.rc.conf"]);
    assert_eq!(code, Some(0), "{out}");
    let l = lines(&out);
    assert_eq!(
        l[0],
        "[WARNING] : config : [track-b.rc.conf:2] : node 'track-a.rc.conf' demotes itself when backend(s) web, api fail (harp_carp_track), but node 'track-b.rc.conf' does not set net.inet.carp.preempt=1: it stays BACKUP behind the demoted MASTER"
    );
    assert_eq!(l.len(), 2, "{out}");
    // NODE:FILE gives B track-a's sysctl.conf (preempt=1): clean.
    let (code, out) = lint(&[
        "a:track-a.rc.conf",
        "b:track-b.rc.conf",
        "b:track-a.sysctl.conf",
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        out,
        "carp lint: 2 node(s), 1 vhid(s): 0 error(s), 0 warning(s)\n"
    );
}

#[test]
fn long_passwords_differing_after_byte_19() {
    let (code, out) = lint(&["longpass-a.rc.conf", "longpass-b.rc.conf"]);
    assert_eq!(code, Some(0), "{out}");
    let l = lines(&out);
    assert_eq!(l.len(), 4, "{out}");
    assert_eq!(l[0], "[WARNING] : config : parsing [longpass-a.rc.conf:2] : ifconfig_em0_alias0: the password is 25 bytes long; FreeBSD keeps only its first 19 bytes, and so does harp");
    assert!(l[2].starts_with("[WARNING] : config : [longpass-b.rc.conf:2] : vhid 1 on em0: the passwords of node 'longpass-b.rc.conf' and node 'longpass-a.rc.conf' differ only after byte 19"), "{out}");
    assert_eq!(
        l[3],
        "carp lint: 2 node(s), 1 vhid(s): 0 error(s), 3 warning(s)"
    );
}

#[test]
fn usage_and_unreadable_files() {
    let (code, out) = lint(&[]);
    assert_eq!(code, Some(2));
    assert!(
        out.starts_with("usage: harp carp lint [NODE:]FILE..."),
        "{out}"
    );
    let (code, out) = lint(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("NODE:FILE"), "{out}");
    let (code, out) = lint(&["good-a.rc.conf", "nonexistent.rc.conf"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("Cannot open configuration file nonexistent.rc.conf"),
        "{out}"
    );
    assert!(
        out.contains("node 'nonexistent.rc.conf' has errors"),
        "{out}"
    );
}
