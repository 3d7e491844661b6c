//! CARP on a real (virtual) network: two network namespaces joined by a
//! veth pair, harp's CARP driver (`examples/carp_node.rs`) in one or both,
//! ucarp in the other for interoperability. Needs root; the test creates
//! its own namespaces with unique names and always deletes them. Only
//! 10.99.x.x addresses inside those namespaces are used. Without root or
//! network namespaces the tests fail with the reason, they never skip.

#[allow(dead_code)]
mod common;
use common::lab::*;

use std::thread::sleep;
use std::time::{Duration, Instant};

#[test]
fn two_harp_nodes_elect_and_fail_over() {
    let mut lab = Lab::new("h", 11);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    // B learns neighbours from gratuitous ARP, so A's announcement shows
    // up in B's neighbour table.
    lab.sysctl(&b, "net.ipv4.conf.carpb.arp_accept", "1");
    lab.start_harp("harp-a", &a, "carpa", 1, 0);
    lab.start_harp("harp-b", &b, "carpb", 2, 100);

    // Election: both start BACKUP; A's master-down (3 s) ends first.
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("A never took the VIP\n{}", lab.logs()));
    println!("election: A MASTER with the VIP after {:.3} s", secs(t));
    sleep(Duration::from_millis(1500));
    assert!(lab.has_vip(&a), "A lost the VIP\n{}", lab.logs());
    assert!(!lab.has_vip(&b), "B holds the VIP too\n{}", lab.logs());
    let (la, lb) = (lab.log("harp-a"), lab.log("harp-b"));
    assert!(
        la.contains("carp: 1@em0: BACKUP -> MASTER (master timed out)"),
        "{la}"
    );
    assert!(
        lb.contains("carp: 1@em0: INIT -> BACKUP (initialization complete)"),
        "{lb}"
    );
    assert!(!lb.contains("-> MASTER"), "{lb}");
    assert!(
        !la.contains("rejected") && !lb.contains("rejected"),
        "{}",
        lab.logs()
    );
    let mac_a = lab.mac(&a, "carpa");
    assert_eq!(
        lab.neigh_of_vip(&b).as_deref(),
        Some(mac_a.as_str()),
        "B did not learn the VIP from A's gratuitous ARP"
    );

    // A dies without a word: B takes over after its master-down interval.
    lab.kill("harp-a");
    let bound = master_down(1, 100) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("B never took the VIP\n{}", lab.logs()));
    println!(
        "SIGKILL of the master: B holds the VIP after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(
        t <= bound,
        "failover took {t:?} > {bound:?}\n{}",
        lab.logs()
    );

    // A comes back: it removes the VIP its killed predecessor left behind
    // and, without preempt, stays BACKUP behind the slower B.
    assert!(
        lab.has_vip(&a),
        "the killed node's VIP should still be there"
    );
    lab.children.retain(|(l, _)| l != "harp-a");
    lab.start_harp("harp-a", &a, "carpa", 1, 0);
    let t = lab.wait_for(Duration::from_secs(3), |l| !l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("stale VIP not removed\n{}", lab.logs()));
    println!("restart: stale VIP removed from A after {:.3} s", secs(t));
    sleep(master_down(1, 0) + Duration::from_millis(1500));
    assert!(
        !lab.has_vip(&a),
        "A preempted without preempt\n{}",
        lab.logs()
    );
    assert!(lab.has_vip(&b), "B lost the VIP\n{}", lab.logs());

    // SIGTERM on the master: it bows out (advbase 255) and the backup
    // takes over at once ("master will time out").
    lab.terminate("harp-b");
    let t = lab.wait_for(Duration::from_secs(5), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("A never took over\n{}", lab.logs()));
    println!(
        "SIGTERM of the master: A holds the VIP after {:.3} s",
        secs(t)
    );
    assert!(
        t < Duration::from_secs(1),
        "bow-out took {t:?}\n{}",
        lab.logs()
    );
    let st = lab.wait_exit("harp-b", Duration::from_secs(6));
    assert!(
        st.is_some_and(|s| s.success()),
        "B exit: {st:?}\n{}",
        lab.logs()
    );
    assert!(!lab.has_vip(&b), "B left its VIP\n{}", lab.logs());
    let la = lab.log("harp-a");
    assert!(
        la.contains("BACKUP -> MASTER (master will time out)"),
        "{la}"
    );
    assert!(lab.log("harp-b").contains("MASTER -> INIT (shutting down)"));
}

fn assert_no_auth_errors(lab: &Lab) {
    let logs = lab.logs();
    assert!(!logs.contains("Bad digest"), "ucarp rejected harp\n{logs}");
    assert!(!logs.contains("bad HMAC"), "harp rejected ucarp\n{logs}");
    assert!(!logs.contains("rejected"), "{logs}");
}

#[test]
fn harp_master_ucarp_backup() {
    let mut lab = Lab::new("u", 12);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    lab.start_harp("harp", &a, "carpa", 1, 0);
    lab.start_ucarp("ucarp", &b, "carpb", 2, 100);
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("harp never took the VIP\n{}", lab.logs()));
    println!("harp MASTER with the VIP after {:.3} s", secs(t));
    sleep(Duration::from_secs(3));
    assert!(lab.has_vip(&a) && !lab.has_vip(&b), "{}", lab.logs());
    let lu = lab.log("ucarp");
    assert!(lu.contains("Switching to state: BACKUP"), "{lu}");
    assert!(!lu.contains("Switching to state: MASTER"), "{lu}");
    assert_no_auth_errors(&lab);

    // harp bows out on SIGTERM; ucarp takes over (ucarp reacts late by
    // design: poll granularity, CARP.md §12).
    lab.terminate("harp");
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("ucarp never took over\n{}", lab.logs()));
    println!(
        "SIGTERM of harp: ucarp holds the VIP after {:.3} s",
        secs(t)
    );
    let st = lab.wait_exit("harp", Duration::from_secs(6));
    assert!(st.is_some_and(|s| s.success()), "harp exit: {st:?}");
    assert!(!lab.has_vip(&a), "harp left its VIP\n{}", lab.logs());
    assert_no_auth_errors(&lab);
}

#[test]
fn ucarp_master_harp_backup() {
    let mut lab = Lab::new("r", 13);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    lab.start_ucarp("ucarp", &b, "carpb", 2, 0);
    lab.start_harp("harp", &a, "carpa", 1, 100);
    let t = lab.wait_for(Duration::from_secs(10), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("ucarp never took the VIP\n{}", lab.logs()));
    println!("ucarp MASTER with the VIP after {:.3} s", secs(t));
    sleep(Duration::from_secs(4));
    assert!(lab.has_vip(&b) && !lab.has_vip(&a), "{}", lab.logs());
    let lh = lab.log("harp");
    assert!(lh.contains("INIT -> BACKUP"), "{lh}");
    assert!(!lh.contains("-> MASTER"), "{lh}");
    assert_no_auth_errors(&lab);

    // ucarp dies: harp takes over after its master-down interval.
    lab.kill("ucarp");
    let bound = master_down(1, 100) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("harp never took over\n{}", lab.logs()));
    println!(
        "SIGKILL of ucarp: harp holds the VIP after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(
        t <= bound,
        "failover took {t:?} > {bound:?}\n{}",
        lab.logs()
    );
    assert_no_auth_errors(&lab);
}

#[test]
fn two_harp_nodes_over_ipv6() {
    let mut lab = Lab::new("6", 14);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    // vhid 1: IPv4 and IPv6 addresses (adverts of both families);
    // vhid 2: IPv6 only (adverts on ff02::12 only).
    let conf = |host: u8, advskew: u8| {
        let k = skew_words(advskew);
        format!(
            "ifconfig_em0=\"inet 10.99.14.{host}/24\"\n\
             ifconfig_em0_alias0=\"inet vhid 1 {k}pass secret alias 10.99.14.100/32\"\n\
             ifconfig_em0_alias1=\"inet6 vhid 1 {k}pass secret alias 2001:db8:99::100 prefixlen 64\"\n\
             ifconfig_em0_alias2=\"inet6 vhid 2 {k}pass other alias 2001:db8:99::200 prefixlen 64\"\n"
        )
    };
    // B learns neighbours from unsolicited NAs: Linux ≥ 5.18 does so for
    // an unknown target only on a router (RFC 9131).
    lab.sysctl(&b, "net.ipv6.conf.carpb.forwarding", "1");
    lab.sysctl(&b, "net.ipv6.conf.carpb.accept_untracked_na", "1");
    lab.start_harp_conf("harp-a", &a, "carpa", &conf(1, 0));
    lab.start_harp_conf("harp-b", &b, "carpb", &conf(2, 100));
    let vips = ["10.99.14.100", "2001:db8:99::100", "2001:db8:99::200"];
    let all_on = |l: &Lab, ns: &str| vips.iter().all(|v| l.has_addr(ns, v));
    let none_on = |l: &Lab, ns: &str| vips.iter().all(|v| !l.has_addr(ns, v));
    let t = lab.wait_for(Duration::from_secs(8), |l| all_on(l, &a));
    let t = t.unwrap_or_else(|| panic!("A never took the VIPs\n{}", lab.logs()));
    println!("IPv6: A MASTER of both vhids after {:.3} s", secs(t));
    // Longer than B's master-down: B hears A's IPv6 adverts.
    sleep(master_down(1, 100) + Duration::from_millis(800));
    assert!(all_on(&lab, &a), "{}", lab.logs());
    assert!(none_on(&lab, &b), "B took a VIP\n{}", lab.logs());
    let lb = lab.log("harp-b");
    assert!(lb.contains("carp: 2@em0: INIT -> BACKUP"), "{lb}");
    assert!(!lb.contains("-> MASTER"), "{lb}");
    assert!(!lab.logs().contains("rejected"), "{}", lab.logs());
    let mac_a = lab.mac(&a, "carpa");
    for v6 in &vips[1..] {
        assert_eq!(
            lab.neigh_of(&b, v6).as_deref(),
            Some(mac_a.as_str()),
            "B did not learn {v6} from A's neighbour advertisement"
        );
    }

    lab.kill("harp-a");
    let bound = master_down(1, 100) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| all_on(l, &b));
    let t = t.unwrap_or_else(|| panic!("B never took the VIPs\n{}", lab.logs()));
    println!(
        "IPv6: SIGKILL of the master, B holds all VIPs after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(
        t <= bound,
        "failover took {t:?} > {bound:?}\n{}",
        lab.logs()
    );
    lab.terminate("harp-b");
    let st = lab.wait_exit("harp-b", Duration::from_secs(6));
    assert!(st.is_some_and(|s| s.success()), "B exit: {st:?}");
    assert!(none_on(&lab, &b), "B left a VIP\n{}", lab.logs());
}

#[test]
fn link_down_demotes_and_hands_over() {
    let mut lab = Lab::build("l", 15, true);
    let (a, b, sw) = (lab.a().to_string(), lab.b().to_string(), lab.ns[2].clone());
    lab.start_harp("harp-a", &a, "carpa", 1, 0);
    lab.start_harp("harp-b", &b, "carpb", 2, 100);
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    t.unwrap_or_else(|| panic!("A never took the VIP\n{}", lab.logs()));
    sleep(Duration::from_millis(1500));
    assert!(!lab.has_vip(&b), "{}", lab.logs());

    // A's switch port goes down: A loses carrier, leaves MASTER for INIT,
    // drops the VIP and demotes itself; B times A out.
    run(&["ip", "-n", &sw, "link", "set", "swa", "down"]);
    let down = Instant::now();
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("B never took the VIP\n{}", lab.logs()));
    let bound = master_down(1, 100) + SLACK;
    println!(
        "link down on A: B holds the VIP after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(t <= bound, "takeover took {t:?}\n{}", lab.logs());
    let left = Duration::from_secs(3).saturating_sub(down.elapsed());
    let t = lab.wait_for(left, |l| !l.has_vip(&a));
    t.unwrap_or_else(|| panic!("A kept the VIP with its link down\n{}", lab.logs()));
    let la = lab.log("harp-a");
    assert!(
        la.contains("carp: 1@em0: MASTER -> INIT (hardware interface down)"),
        "{la}"
    );
    assert!(
        la.contains("carp: demoted by 240 to 240 (interface down)"),
        "{la}"
    );

    // Link back: A returns as BACKUP, undoes the demotion, and without
    // preempt leaves the VIP on B.
    run(&["ip", "-n", &sw, "link", "set", "swa", "up"]);
    let t = lab.wait_for(Duration::from_secs(4), |l| {
        l.log("harp-a")
            .contains("carp: demoted by -240 to 0 (interface up)")
    });
    t.unwrap_or_else(|| panic!("A never saw its link back\n{}", lab.logs()));
    sleep(master_down(1, 0) + Duration::from_millis(1500));
    assert!(lab.has_vip(&b) && !lab.has_vip(&a), "{}", lab.logs());
    let la = lab.log("harp-a");
    assert!(
        la.contains("carp: 1@em0: INIT -> BACKUP (initialization complete)"),
        "{la}"
    );
    assert_eq!(la.matches("-> MASTER").count(), 1, "{la}");
}

#[test]
fn unicast_peers_and_state_master() {
    let mut lab = Lab::new("p", 16);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    // FreeBSD 14 unicast CARP: each node sends to the other's address.
    // B is forced MASTER by `state master` although its advskew is higher.
    let conf = |host: u8, peer: u8, extra: &str| {
        format!(
            "ifconfig_em0=\"inet 10.99.16.{host}/24\"\n\
             ifconfig_em0_alias0=\"inet vhid 1 {extra}peer 10.99.16.{peer} pass secret \
             alias 10.99.16.100/32\"\n"
        )
    };
    lab.start_harp_conf(
        "harp-b",
        &b,
        "carpb",
        &conf(2, 1, "advskew 100 state master "),
    );
    let t = lab.wait_for(Duration::from_secs(2), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("state master ignored\n{}", lab.logs()));
    println!("unicast: B forced MASTER after {:.3} s", secs(t));
    lab.start_harp_conf("harp-a", &a, "carpa", &conf(1, 2, ""));
    sleep(master_down(1, 0) + Duration::from_millis(1500));
    assert!(lab.has_vip(&b) && !lab.has_vip(&a), "{}", lab.logs());
    let lb = lab.log("harp-b");
    assert!(
        lb.contains("BACKUP -> MASTER (user requested via ifconfig)"),
        "{lb}"
    );
    assert!(!lab.log("harp-a").contains("-> MASTER"), "{}", lab.logs());

    lab.kill("harp-b");
    let bound = master_down(1, 0) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("A never took over\n{}", lab.logs()));
    println!(
        "unicast: SIGKILL of B, A holds the VIP after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(t <= bound, "failover took {t:?}\n{}", lab.logs());
    assert!(!lab.logs().contains("rejected"), "{}", lab.logs());
}
