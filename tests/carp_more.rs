//! More CARP on a real (virtual) network, with harp's CARP driver
//! (`examples/carp_node.rs`) in two namespaces joined by a veth pair:
//! nodes with different passwords (split brain, as FreeBSD behaves, and
//! what `harp carp lint` says about their files), and preemption with
//! `net.inet.carp.preempt=1`. Needs root; the namespaces are created with
//! unique names and always deleted. Only 10.99.x.x addresses are used.

#[allow(dead_code)]
mod common;
use common::lab::*;

use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

const HARP: &str = env!("CARGO_BIN_EXE_harp");

fn rc_conf(lab: &Lab, host: u8, advskew: u8, pass: &str) -> String {
    format!(
        "ifconfig_em0=\"inet {}/24\"\n\
         ifconfig_em0_alias0=\"inet vhid 1 {}pass {pass} alias {}/32\"\n",
        lab.host(host),
        skew_words(advskew),
        lab.vip()
    )
}

/// The number `N` in the last "(N more rejected since the last report)".
fn more_rejected(log: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|l| {
            l.split(" (")
                .nth(1)?
                .strip_suffix(" more rejected since the last report)")
        })
        .and_then(|n| n.parse().ok())
}

#[test]
fn different_passwords_reject_adverts_and_both_become_master() {
    let mut lab = Lab::new("pw", 21);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    let rc_a = rc_conf(&lab, 1, 0, "secret");
    let rc_b = rc_conf(&lab, 2, 100, "s3cret");
    lab.start_harp_conf("harp-a", &a, "carpa", &rc_a);
    lab.start_harp_conf("harp-b", &b, "carpb", &rc_b);

    // Neither accepts the other's adverts: both time out and take the VIP.
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a) && l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("not both MASTER\n{}", lab.logs()));
    println!("split brain: both hold the VIP after {:.3} s", secs(t));
    assert!(
        t >= master_down(1, 0) - Duration::from_millis(100),
        "too early: {t:?}\n{}",
        lab.logs()
    );
    for label in ["harp-a", "harp-b"] {
        let log = lab.log(label);
        assert!(log.contains("BACKUP -> MASTER (master timed out)"), "{log}");
        assert!(
            log.contains("carp: 1@em0: advert rejected: bad HMAC for vhid 1: check the password, the vhid and the addresses"),
            "{log}"
        );
    }

    // Rejections are logged once per 10 s with the count of the others.
    sleep(Duration::from_secs(9));
    let t = lab.wait_for(Duration::from_secs(5), |l| {
        more_rejected(&l.log("harp-a")).is_some() && more_rejected(&l.log("harp-b")).is_some()
    });
    assert!(t.is_some(), "no rejection count\n{}", lab.logs());
    for label in ["harp-a", "harp-b"] {
        let n = more_rejected(&lab.log(label)).unwrap_or(0);
        // One advert a second for ~10 s, the first one logged itself.
        assert!(
            (7..=12).contains(&n),
            "{label}: {n} more rejected\n{}",
            lab.logs()
        );
        assert!(lab.running(label), "{label} exited\n{}", lab.logs());
    }
    assert!(lab.has_vip(&a) && lab.has_vip(&b), "{}", lab.logs());

    // The lint sees it from the files alone.
    let out = Command::new(HARP)
        .args(["carp", "lint"])
        .arg(lab.dir.join("harp-a.rc.conf"))
        .arg(lab.dir.join("harp-b.rc.conf"))
        .output()
        .expect("run harp carp lint");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.starts_with("[ALERT]"), "{text}");
    assert!(
        text.contains("harp-b.rc.conf:2] : vhid 1 on em0: node ")
            && text.contains("use different passwords"),
        "{text}"
    );
    assert!(text.ends_with("1 error(s), 0 warning(s)\n"), "{text}");
}

#[test]
fn preempt_gives_the_vip_back_to_the_preferred_node() {
    let mut lab = Lab::new("pe", 22);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    let preempt = "net.inet.carp.preempt=1\n";
    let rc_a = rc_conf(&lab, 1, 0, "secret");
    let rc_b = rc_conf(&lab, 2, 100, "secret");
    lab.start_harp_sysctl("harp-a", &a, "carpa", &rc_a, preempt);
    lab.start_harp_sysctl("harp-b", &b, "carpb", &rc_b, preempt);

    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    t.unwrap_or_else(|| panic!("A never took the VIP\n{}", lab.logs()));
    sleep(Duration::from_millis(1500));
    assert!(!lab.has_vip(&b), "B holds the VIP too\n{}", lab.logs());

    // The preferred node dies: B takes over after its master-down interval.
    lab.kill("harp-a");
    let bound = master_down(1, 100) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("B never took the VIP\n{}", lab.logs()));
    println!("SIGKILL of A: B holds the VIP after {:.3} s", secs(t));
    assert!(
        t <= bound,
        "failover took {t:?} > {bound:?}\n{}",
        lab.logs()
    );

    // A comes back and, with preempt, takes the VIP back from the slower
    // B as soon as it hears B's advert; B steps down on A's advert.
    lab.children.retain(|(l, _)| l != "harp-a");
    lab.start_harp_sysctl("harp-a", &a, "carpa", &rc_a, preempt);
    let t = lab.wait_for(Duration::from_secs(6), |l| l.has_vip(&a) && !l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("A did not take the VIP back\n{}", lab.logs()));
    println!("restart of A: A holds the VIP alone after {:.3} s", secs(t));
    // Preemption follows B's next advert (advbase 1 + 100/256 s), well
    // before A's own master-down interval would.
    assert!(
        t < master_down(1, 0),
        "took {t:?}: no preemption\n{}",
        lab.logs()
    );
    let la = lab.log("harp-a");
    assert!(
        la.contains("BACKUP -> MASTER (preempting a slower master)"),
        "{la}"
    );
    let lb = lab.log("harp-b");
    assert!(lb.contains("MASTER -> BACKUP"), "{lb}");
    sleep(Duration::from_millis(1500));
    assert!(lab.has_vip(&a) && !lab.has_vip(&b), "{}", lab.logs());
}
