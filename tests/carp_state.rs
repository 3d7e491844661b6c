//! One vhid's state machine driven input by input: exact actions, log
//! lines, deadlines and the boundaries of the comparison rules.

use std::net::IpAddr;
use std::time::Duration;

use harp::carp::{
    Action, Advert, CarpHeader, Family, Output, State, TieBreak, Timer, VhidAuth, VhidMachine,
    VhidParams,
};
use harp::diag::Loc;
use harp::rcconf::{CarpAddr, CarpSysctl, VhidConfig};

fn ms(x: u64) -> Duration {
    Duration::from_millis(x)
}

fn us(x: u64) -> Duration {
    Duration::from_micros(x)
}

fn params(advskew: u8) -> VhidParams {
    VhidParams {
        vhid: 1,
        iface: "em0".into(),
        advbase: 1,
        advskew,
        preempt: false,
        allow: true,
        log: 1,
        ifdown_demotion_factor: 240,
        senderr_demotion_factor: 240,
        has_v4: true,
        has_v6: false,
        tie_break: TieBreak::FreeBsd,
        own_source: Some(ip("10.0.0.1")),
        seed: 42,
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn ad(advbase: u8, advskew: u8, counter: u64) -> Advert {
    Advert {
        advbase,
        advskew,
        demote: 0,
        counter,
        from: ip("10.0.0.2"),
    }
}

fn logs(o: &Output) -> Vec<&str> {
    o.actions
        .iter()
        .filter_map(|a| match a {
            Action::Log(l) => Some(l.as_str()),
            _ => None,
        })
        .collect()
}

fn sends(o: &Output) -> Vec<(Family, u8, u8, u64)> {
    o.actions
        .iter()
        .filter_map(|a| match a {
            Action::SendAdvert {
                family,
                advbase,
                advskew,
                counter,
            } => Some((*family, *advbase, *advskew, *counter)),
            _ => None,
        })
        .collect()
}

/// A machine that has started and timed out to MASTER at 3 s.
fn master(p: VhidParams) -> VhidMachine {
    let mut m = VhidMachine::new(p, 0);
    m.start(Duration::ZERO, true);
    let down = m.deadline().unwrap();
    m.timer_fired(down);
    assert_eq!(m.state(), State::Master);
    m
}

#[test]
fn start_enters_backup_and_arms_master_down() {
    let mut m = VhidMachine::new(params(100), 0);
    assert_eq!(m.state(), State::Init);
    assert_eq!(m.deadline(), None);
    let o = m.start(ms(500), true);
    assert_eq!(
        o.actions,
        [
            Action::RemoveAddresses,
            Action::Log("carp: 1@em0: INIT -> BACKUP (initialization complete)".into()),
            Action::ArmTimer {
                timer: Timer::MasterDown(Family::V4),
                at: ms(500) + us(3_390_625),
            },
        ]
    );
    assert_eq!(o.deadline, Some(ms(500) + us(3_390_625)));
    // A second start changes nothing.
    assert!(m.start(ms(600), true).actions.is_empty());
}

#[test]
fn not_allowed_or_no_address_stays_init() {
    let mut p = params(0);
    p.allow = false;
    let mut m = VhidMachine::new(p, 0);
    let o = m.start(Duration::ZERO, true);
    assert_eq!(o.actions, [Action::RemoveAddresses]);
    assert_eq!((m.state(), o.deadline), (State::Init, None));

    let mut p = params(0);
    p.has_v4 = false;
    let mut m = VhidMachine::new(p, 0);
    m.start(Duration::ZERO, true);
    assert_eq!((m.state(), m.deadline()), (State::Init, None));
}

#[test]
fn master_down_timer_makes_master_in_freebsd_order() {
    let mut m = VhidMachine::new(params(0), 0);
    m.start(Duration::ZERO, true);
    // Early: nothing.
    let early = m.timer_fired(ms(2999));
    assert!(early.actions.is_empty());
    assert_eq!(early.deadline, Some(ms(3000)));
    let o = m.timer_fired(ms(3000));
    let counter = sends(&o)[0].3;
    assert_eq!(
        o.actions,
        [
            Action::Log("carp: 1@em0: BACKUP -> MASTER (master timed out)".into()),
            Action::SendAdvert {
                family: Family::V4,
                advbase: 1,
                advskew: 0,
                counter,
            },
            Action::AddAddresses,
            Action::ArmTimer {
                timer: Timer::Advert,
                at: ms(4000),
            },
        ]
    );
}

#[test]
fn periodic_adverts_and_the_delayed_second_arp() {
    let mut m = master(params(0));
    let o1 = m.timer_fired(ms(4000));
    assert_eq!(sends(&o1).len(), 1);
    assert!(!o1.actions.contains(&Action::Announce));
    assert_eq!(o1.deadline, Some(ms(5000)));
    let o2 = m.timer_fired(ms(5000));
    assert!(o2.actions.contains(&Action::Announce));
    let o3 = m.timer_fired(ms(6000));
    assert!(!o3.actions.contains(&Action::Announce));
    assert_eq!(o3.deadline, Some(ms(7000)));
}

#[test]
fn counter_random_until_a_peer_is_heard_then_plus_one() {
    let mut m = master(params(0));
    let c1 = sends(&m.timer_fired(ms(4000)))[0].3;
    let c2 = sends(&m.timer_fired(ms(5000)))[0].3;
    assert_ne!(c2, c1.wrapping_add(1));
    assert_ne!(c1, c2);
    // A slower master's advert: counter adopted, we stay MASTER.
    let o = m.advert_received(ms(5100), &ad(1, 100, u64::MAX));
    assert!(o.actions.is_empty());
    assert_eq!(sends(&m.timer_fired(ms(6000)))[0].3, 0);
    assert_eq!(sends(&m.timer_fired(ms(7000)))[0].3, 1);
}

#[test]
fn counter_adopted_in_init_too() {
    let mut m = VhidMachine::new(params(0), 0);
    m.start(Duration::ZERO, false);
    assert_eq!(m.state(), State::Init);
    assert!(m.advert_received(ms(10), &ad(1, 0, 41)).actions.is_empty());
    assert_eq!(m.state(), State::Init);
    m.link_changed(ms(20), true);
    let o = m.timer_fired(ms(3020));
    assert_eq!(sends(&o)[0].3, 42);
}

#[test]
fn own_adverts_are_ignored() {
    let mut m = master(params(0));
    let mine = Advert {
        from: ip("10.0.0.1"),
        ..ad(1, 0, 7)
    };
    assert!(m.advert_received(ms(3500), &mine).actions.is_empty());
    assert_eq!(m.state(), State::Master);
    // Not adopted either: the next counter is still random, not 8.
    assert_ne!(sends(&m.timer_fired(ms(4000)))[0].3, 8);
}

#[test]
fn dual_stack_sends_v4_then_v6_and_times_out_per_family() {
    let mut p = params(0);
    p.has_v6 = true;
    let mut m = VhidMachine::new(p, 0);
    let o = m.start(Duration::ZERO, true);
    let timers: Vec<&Action> = o
        .actions
        .iter()
        .filter(|a| matches!(a, Action::ArmTimer { .. }))
        .collect();
    assert_eq!(timers.len(), 2);
    // Only IPv6 adverts arrive: the IPv6 timer moves, the IPv4 one fires.
    let v6 = Advert {
        from: ip("2001:db8::2"),
        ..ad(1, 0, 100)
    };
    let o = m.advert_received(ms(2000), &v6);
    assert_eq!(
        o.actions,
        [Action::ArmTimer {
            timer: Timer::MasterDown(Family::V6),
            at: ms(5000),
        }]
    );
    assert_eq!(o.deadline, Some(ms(3000)));
    let o = m.timer_fired(ms(3000));
    assert_eq!(
        logs(&o),
        ["carp: 1@em0: BACKUP -> MASTER (master timed out)"]
    );
    // One advert per family, consecutive counters.
    assert_eq!(
        sends(&o),
        [(Family::V4, 1, 0, 101), (Family::V6, 1, 0, 102)]
    );
}

#[test]
fn backup_rules_and_their_boundaries() {
    let backup = |preempt: bool, demotion: i32| {
        let mut p = params(0);
        p.preempt = preempt;
        let mut m = VhidMachine::new(p, demotion);
        m.start(Duration::ZERO, true);
        m
    };
    // Without preempt a slower live master is followed.
    let mut m = backup(false, 0);
    let o = m.advert_received(ms(1000), &ad(1, 100, 1));
    assert_eq!(m.state(), State::Backup);
    assert_eq!(o.deadline, Some(ms(4000)));
    // With preempt it is taken over.
    let mut m = backup(true, 0);
    let o = m.advert_received(ms(1000), &ad(1, 100, 1));
    assert_eq!(
        logs(&o),
        ["carp: 1@em0: BACKUP -> MASTER (preempting a slower master)"]
    );
    // Preempt never takes over from an equal master.
    let mut m = backup(true, 0);
    m.advert_received(ms(1000), &ad(1, 0, 1));
    assert_eq!(m.state(), State::Backup);
    // "Master will time out": strictly slower than 3 × advbase + skew.
    for (advbase, advskew, takes) in [
        (2, 255, false),
        (3, 0, false),
        (3, 1, true),
        (255, 255, true),
    ] {
        let mut m = backup(false, 0);
        let o = m.advert_received(ms(1000), &ad(advbase, advskew, 1));
        assert_eq!(m.state() == State::Master, takes, "{advbase}/{advskew}");
        if takes {
            assert_eq!(
                logs(&o),
                ["carp: 1@em0: BACKUP -> MASTER (master will time out)"]
            );
        }
    }
    // The threshold carries the demoted skew: 3 + 240/256 s.
    let mut m = backup(false, 240);
    m.advert_received(ms(1000), &ad(3, 200, 1));
    assert_eq!(m.state(), State::Backup);
    m.advert_received(ms(1000), &ad(3, 250, 1));
    assert_eq!(m.state(), State::Master);
}

#[test]
fn master_rules_freebsd() {
    // Equal steps down.
    let mut m = master(params(0));
    let o = m.advert_received(ms(3500), &ad(1, 0, 9));
    assert_eq!(
        o.actions,
        [
            Action::Log(
                "carp: 1@em0: MASTER -> BACKUP (more frequent advertisement received)".into()
            ),
            Action::RemoveAddresses,
            Action::ArmTimer {
                timer: Timer::MasterDown(Family::V4),
                at: ms(6500),
            },
        ]
    );
    // Slower: ignored.
    let mut m = master(params(0));
    assert!(m.advert_received(ms(3500), &ad(1, 1, 9)).actions.is_empty());
    assert_eq!(m.state(), State::Master);
    // Demoted, our 0 becomes 240 and a 100 master is faster.
    let mut m = master(params(0));
    m.set_demotion(ms(3200), 240);
    m.advert_received(ms(3500), &ad(1, 100, 9));
    assert_eq!(m.state(), State::Backup);
}

#[test]
fn master_rules_ucarp_little_endian_source_order() {
    let ucarp_skew = |own: &str, skew: u8| {
        let mut p = params(skew);
        p.tie_break = TieBreak::Ucarp;
        p.own_source = Some(ip(own));
        master(p)
    };
    let ucarp = |own: &str| ucarp_skew(own, 0);
    let from = |s: &str| Advert {
        from: ip(s),
        ..ad(1, 0, 9)
    };
    // 10.0.2.3 counts as lower than 10.0.1.5 (last byte most significant).
    let mut m = ucarp("10.0.1.5");
    let o = m.advert_received(ms(3500), &from("10.0.2.3"));
    assert_eq!(
        logs(&o),
        ["carp: 1@em0: MASTER -> BACKUP (preferred master advertised)"]
    );
    let mut m = ucarp("10.0.2.3");
    let o = m.advert_received(ms(3500), &from("10.0.1.5"));
    assert_eq!(o.actions, [Action::Announce]);
    assert_eq!(m.state(), State::Master);
    // Strictly faster always wins, whatever the source.
    let mut m = ucarp_skew("10.0.2.3", 50);
    m.advert_received(ms(3500), &from("10.0.9.9"));
    assert_eq!(m.state(), State::Backup);
}

#[test]
fn demotion_is_sent_capped_and_advertised_at_once() {
    let mut m = master(params(100));
    let o = m.set_demotion(ms(3500), 100);
    assert_eq!(m.effective_advskew(), 200);
    assert_eq!(sends(&o)[0].2, 200);
    // Re-armed with the demoted interval: 1 + 200/256 s.
    assert_eq!(o.deadline, Some(ms(3500) + us(1_781_250)));
    let o = m.set_demotion(ms(3600), 1000);
    assert_eq!(sends(&o)[0].2, 240);
    let o = m.set_demotion(ms(3700), -1000);
    assert_eq!(sends(&o)[0].2, 0);
    // A configured 250 is sent as 240 even undemoted.
    let m = VhidMachine::new(params(250), 0);
    assert_eq!(m.effective_advskew(), 240);
    // BACKUP: no advert, nothing to do.
    let mut b = VhidMachine::new(params(0), 0);
    b.start(Duration::ZERO, true);
    assert!(b.set_demotion(ms(10), 240).actions.is_empty());
}

#[test]
fn first_interval_after_takeover_uses_configured_skew() {
    let mut m = VhidMachine::new(params(100), 100);
    m.start(Duration::ZERO, true);
    let t0 = us(3_390_625);
    let o = m.timer_fired(t0);
    assert_eq!(sends(&o)[0].2, 200);
    assert_eq!(o.deadline, Some(t0 + us(1_390_625)));
    let t1 = t0 + us(1_390_625);
    let o = m.timer_fired(t1);
    assert_eq!(o.deadline, Some(t1 + us(1_781_250)));
}

#[test]
fn link_down_and_up() {
    let mut m = master(params(0));
    let o = m.link_changed(ms(3500), false);
    assert_eq!(
        o.actions,
        [
            Action::Log("carp: 1@em0: MASTER -> INIT (hardware interface down)".into()),
            Action::RemoveAddresses,
            Action::Demote {
                by: 240,
                reason: "interface down".into(),
            },
        ]
    );
    assert_eq!(o.deadline, None);
    assert!(m.link_changed(ms(3600), false).actions.is_empty());
    assert!(m.advert_received(ms(3700), &ad(1, 0, 1)).actions.is_empty());
    let o = m.link_changed(ms(4000), true);
    assert_eq!(
        o.actions,
        [
            Action::Log("carp: 1@em0: INIT -> BACKUP (initialization complete)".into()),
            Action::ArmTimer {
                timer: Timer::MasterDown(Family::V4),
                at: ms(7000),
            },
            Action::Demote {
                by: -240,
                reason: "interface up".into(),
            },
        ]
    );
    // Down in BACKUP: nothing to remove.
    let o = m.link_changed(ms(5000), false);
    assert!(!o.actions.contains(&Action::RemoveAddresses));
    assert_eq!(m.state(), State::Init);
}

#[test]
fn start_with_link_down_demotes() {
    let mut m = VhidMachine::new(params(0), 0);
    let o = m.start(Duration::ZERO, false);
    assert_eq!(
        o.actions,
        [
            Action::RemoveAddresses,
            Action::Demote {
                by: 240,
                reason: "interface down".into(),
            },
        ]
    );
    assert_eq!(m.state(), State::Init);
}

#[test]
fn send_errors_demote_after_three_and_recover_after_three() {
    let mut m = master(params(0));
    assert!(m.send_result(Some(55)).actions.is_empty());
    assert!(m.send_result(Some(55)).actions.is_empty());
    assert_eq!(
        m.send_result(Some(55)).actions,
        [Action::Demote {
            by: 240,
            reason: "send error 55 on em0".into(),
        }]
    );
    assert!(m.send_result(Some(55)).actions.is_empty());
    assert!(m.send_result(None).actions.is_empty());
    assert!(m.send_result(None).actions.is_empty());
    assert_eq!(
        m.send_result(None).actions,
        [Action::Demote {
            by: -240,
            reason: "send ok on em0".into(),
        }]
    );
    assert!(m.send_result(None).actions.is_empty());
    // Fewer than three errors then three successes: no demotion at all.
    m.send_result(Some(1));
    for _ in 0..3 {
        assert!(m.send_result(None).actions.is_empty());
    }
}

#[test]
fn shutdown_bows_out_as_master() {
    let mut m = master(params(0));
    let o = m.shutdown(ms(3500));
    assert_eq!(sends(&o).len(), 1);
    assert_eq!((sends(&o)[0].1, sends(&o)[0].2), (255, 255));
    assert_eq!(logs(&o), ["carp: 1@em0: MASTER -> INIT (shutting down)"]);
    assert!(o.actions.contains(&Action::RemoveAddresses));
    assert_eq!(o.deadline, None);
    // Inert afterwards.
    assert!(m.timer_fired(ms(9000)).actions.is_empty());
    assert!(m.advert_received(ms(9000), &ad(1, 0, 1)).actions.is_empty());
    assert!(m.link_changed(ms(9000), false).actions.is_empty());
    assert!(m.shutdown(ms(9000)).actions.is_empty());
}

#[test]
fn shutdown_as_backup_sends_nothing_and_undoes_its_demotion() {
    let mut m = VhidMachine::new(params(0), 0);
    m.start(Duration::ZERO, false);
    let o = m.shutdown(ms(10));
    assert!(sends(&o).is_empty());
    assert!(o.actions.contains(&Action::Demote {
        by: -240,
        reason: "vhid removed".into(),
    }));
}

#[test]
fn log_zero_is_silent() {
    let mut p = params(0);
    p.log = 0;
    let mut m = VhidMachine::new(p, 0);
    let o = m.start(Duration::ZERO, true);
    assert!(logs(&o).is_empty());
    assert_eq!(m.state(), State::Backup);
}

#[test]
fn params_from_rcconf_model() {
    let a = |s: &str| CarpAddr {
        addr: s.parse().unwrap(),
        prefix_len: 32,
    };
    let v = VhidConfig {
        vhid: 12,
        parent: Some("em1".into()),
        carp_if: None,
        addrs: vec![a("192.168.1.11"), a("2001:db8::11")],
        advbase: 0,
        advskew: 210,
        key: b"RD0B4OBZ".to_vec(),
        initial_state: None,
        peer: None,
        peer6: None,
        loc: Loc::new("rc.conf", 3),
    };
    let s = CarpSysctl {
        preempt: true,
        ..CarpSysctl::default()
    };
    let p = VhidParams::from_config(&v, &s, 9);
    assert_eq!((p.vhid, p.iface.as_str(), p.advskew), (12, "em1", 210));
    assert!(p.preempt && p.allow && p.has_v4 && p.has_v6);
    assert_eq!(p.tie_break, TieBreak::FreeBsd);
    // advbase 0 means FreeBSD's default of 1 s.
    let mut m = VhidMachine::new(p, s.demotion);
    assert_eq!(m.params().advbase, 1);
    let o = m.start(Duration::ZERO, true);
    assert_eq!(o.deadline, Some(ms(3000) + us(820_312)));
}

#[test]
fn advert_from_a_validated_header() {
    let auth = VhidAuth::new(1, b"secret", [ip("10.10.0.1")]);
    let h: CarpHeader = auth.advertisement(2, 30, 77);
    let got = auth.validate(&h.encode()).unwrap();
    let a = Advert::from_header(&got, ip("10.0.0.9"));
    assert_eq!(
        a,
        Advert {
            advbase: 2,
            advskew: 30,
            demote: 0,
            counter: 77,
            from: ip("10.0.0.9"),
        }
    );
}

#[test]
fn extreme_inputs_do_not_panic() {
    let mut p = params(254);
    p.advbase = 255;
    p.ifdown_demotion_factor = i32::MIN;
    p.senderr_demotion_factor = i32::MIN;
    p.has_v6 = true;
    let mut m = VhidMachine::new(p, i32::MAX);
    let end = Duration::MAX;
    m.start(end, false);
    m.link_changed(end, true);
    assert_eq!(m.deadline(), Some(Duration::MAX));
    let o = m.timer_fired(end);
    assert_eq!(m.state(), State::Master);
    assert_eq!(sends(&o)[0].2, 240);
    for _ in 0..4 {
        m.send_result(Some(i32::MIN));
    }
    for _ in 0..4 {
        m.send_result(None);
    }
    m.advert_received(end, &ad(0, 255, u64::MAX));
    m.set_demotion(end, i32::MIN);
    assert_eq!(m.effective_advskew(), 0);
    let o = m.link_changed(end, false);
    assert!(o.actions.contains(&Action::Demote {
        by: i32::MIN,
        reason: "interface down".into(),
    }));
    let o = m.shutdown(end);
    assert!(o.actions.contains(&Action::Demote {
        by: i32::MAX,
        reason: "vhid removed".into(),
    }));
}

#[test]
fn administrator_forces_backup_or_master() {
    let mut m = master(params(0));
    let o = m.force_state(ms(3500), State::Backup);
    assert_eq!(
        o.actions,
        [
            Action::Log("carp: 1@em0: MASTER -> BACKUP (user requested via ifconfig)".into()),
            Action::RemoveAddresses,
            Action::ArmTimer {
                timer: Timer::MasterDown(Family::V4),
                at: ms(6500),
            },
        ]
    );
    let o = m.force_state(ms(4000), State::Master);
    assert_eq!(
        logs(&o),
        ["carp: 1@em0: BACKUP -> MASTER (user requested via ifconfig)"]
    );
    assert!(o.actions.contains(&Action::AddAddresses));
    assert_eq!(o.deadline, Some(ms(5000)));
    // Same state, INIT target, or a vhid in INIT: nothing.
    assert!(m.force_state(ms(4100), State::Master).actions.is_empty());
    assert!(m.force_state(ms(4100), State::Init).actions.is_empty());
    m.link_changed(ms(4200), false);
    assert!(m.force_state(ms(4300), State::Master).actions.is_empty());
    assert_eq!(m.state(), State::Init);
}
