//! Two and three simulated CARP nodes on an in-memory segment
//! (`harp::carp::sim`): who becomes MASTER, and exactly when.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use harp::carp::sim::{NodeSpec, Sim};
use harp::carp::{State, TieBreak, VhidParams};

const A: usize = 0;
const B: usize = 1;
const C: usize = 2;

fn ms(x: u64) -> Duration {
    Duration::from_millis(x)
}

fn us(x: u64) -> Duration {
    Duration::from_micros(x)
}

/// A node of vhid 1 on em0 with VIP 10.10.0.1, advbase 1.
fn node(octet: u8, advskew: u8, preempt: bool) -> NodeSpec {
    NodeSpec {
        name: format!("n{octet}"),
        params: VhidParams {
            vhid: 1,
            iface: "em0".into(),
            advbase: 1,
            advskew,
            preempt,
            allow: true,
            log: 1,
            ifdown_demotion_factor: 240,
            senderr_demotion_factor: 240,
            has_v4: true,
            has_v6: false,
            tie_break: TieBreak::FreeBsd,
            own_source: None,
            seed: u64::from(octet) * 7919,
        },
        password: b"secret".to_vec(),
        addrs: vec!["10.10.0.1".parse().unwrap()],
        source: IpAddr::V4(Ipv4Addr::new(10, 0, 0, octet)),
    }
}

const DELAY: Duration = Duration::from_millis(10);

fn sim(nodes: Vec<NodeSpec>) -> Sim {
    Sim::new(nodes, DELAY)
}

fn run(s: &mut Sim, until: Duration) {
    s.run_until(until).expect("simulation settles");
}

/// Steps through `from..to` every 100 ms and checks that exactly `who` is
/// MASTER (and the only one holding the VIP) at each step.
fn assert_sole_master(s: &mut Sim, who: usize, from: Duration, to: Duration) {
    let mut t = from;
    let mut steps = 0;
    while t <= to && steps < 100_000 {
        run(s, t);
        assert_eq!(s.masters(), vec![who], "at {t:?}: {:?}", s.states());
        for i in 0..s.len() {
            if i != who {
                assert!(!s.has_addrs(i) || s.state(i) == State::Master);
            }
        }
        assert!(s.has_addrs(who));
        t += ms(100);
        steps += 1;
    }
}

/// Last time `node` sent an advert at or before `t`.
fn last_advert(s: &Sim, node: usize, t: Duration) -> Duration {
    s.sent
        .iter()
        .filter(|x| x.node == node && x.at <= t)
        .map(|x| x.at)
        .max()
        .expect("node advertised")
}

/// First time `node` sent an advert strictly after `t`.
fn next_advert(s: &Sim, node: usize, t: Duration) -> Duration {
    s.sent
        .iter()
        .filter(|x| x.node == node && x.at > t)
        .map(|x| x.at)
        .min()
        .expect("node advertised")
}

fn two(a_skew: u8, b_skew: u8, a_preempt: bool) -> Sim {
    let mut s = sim(vec![node(1, a_skew, a_preempt), node(2, b_skew, false)]);
    s.start(A);
    s.start(B);
    s
}

#[test]
fn lower_advskew_wins_and_stays_sole_master() {
    let mut s = two(0, 100, false);
    run(&mut s, ms(1));
    assert_eq!(s.states(), [State::Backup, State::Backup]);
    assert!(!s.has_addrs(A) && !s.has_addrs(B));
    assert_sole_master(&mut s, A, ms(3000), Duration::from_secs(60));
    assert_eq!(s.entered(A, State::Master), [ms(3000)]);
    assert!(s.entered(B, State::Master).is_empty());
    // A advertises every second after taking over.
    let times: Vec<Duration> = s.sent.iter().map(|x| x.at).take(4).collect();
    assert_eq!(times, [ms(3000), ms(4000), ms(5000), ms(6000)]);
    assert!(s.sent.iter().all(|x| x.node == A && x.header.advskew == 0));
}

#[test]
fn higher_skew_started_first_keeps_mastership_without_preempt() {
    let mut s = sim(vec![node(1, 0, false), node(2, 100, false)]);
    s.start(B);
    run(&mut s, ms(2000));
    s.start(A);
    run(&mut s, ms(2001));
    assert_sole_master(&mut s, B, ms(3400), Duration::from_secs(40));
    assert_eq!(s.entered(B, State::Master), [us(3_390_625)]);
    assert!(s.entered(A, State::Master).is_empty());
}

#[test]
fn killing_the_master_hands_over_after_master_down_interval() {
    let mut s = two(0, 100, false);
    run(&mut s, ms(10_500));
    assert_eq!(s.masters(), [A]);
    s.kill(A);
    run(&mut s, Duration::from_secs(30));
    let last = last_advert(&s, A, ms(10_500));
    assert_eq!(last, ms(10_000));
    // Heard at last + delay, then 3 × 1 s + 100/256 s.
    let expect = last + DELAY + us(3_390_625);
    assert_eq!(s.entered(B, State::Master), [expect]);
    assert_eq!(expect, us(13_400_625));
    let line = &s.transitions.last().unwrap().line;
    assert_eq!(line, "carp: 1@em0: BACKUP -> MASTER (master timed out)");
    assert!(s.has_addrs(B));
    // B continues the counter it heard from A (CARP.md §5).
    let a_last = s.sent.iter().rfind(|x| x.node == A).unwrap().header.counter;
    let b_first = s.sent.iter().find(|x| x.node == B).unwrap().header.counter;
    assert_eq!(b_first, a_last.wrapping_add(1));
}

#[test]
fn preempt_takes_mastership_back() {
    let mut s = two(0, 100, true);
    run(&mut s, ms(10_500));
    s.kill(A);
    run(&mut s, ms(20_000));
    assert_eq!(s.masters(), [B]);
    s.start(A);
    run(&mut s, Duration::from_secs(25));
    let b_ad = next_advert(&s, B, ms(20_000));
    assert_eq!(s.entered(A, State::Master), [ms(3000), b_ad + DELAY]);
    let a_line = s.transitions.iter().rfind(|t| t.node == A).unwrap();
    assert_eq!(
        a_line.line,
        "carp: 1@em0: BACKUP -> MASTER (preempting a slower master)"
    );
    let b_line = s.transitions.iter().rfind(|t| t.node == B).unwrap();
    assert_eq!(b_line.at, b_ad + DELAY * 2);
    assert_eq!(
        b_line.line,
        "carp: 1@em0: MASTER -> BACKUP (more frequent advertisement received)"
    );
    assert_sole_master(&mut s, A, Duration::from_secs(25), Duration::from_secs(60));
}

#[test]
fn without_preempt_the_preferred_node_stays_backup() {
    let mut s = two(0, 100, false);
    run(&mut s, ms(10_500));
    s.kill(A);
    run(&mut s, ms(20_000));
    s.start(A);
    assert_sole_master(&mut s, B, ms(20_000), Duration::from_secs(80));
    assert_eq!(s.entered(A, State::Master), [ms(3000)]);
    assert_eq!(s.state(A), State::Backup);
}

/// Partition two equal nodes until both are MASTER, then heal.
fn split_then_heal(b_offset: Duration, delay: Duration, tie: TieBreak) -> Sim {
    let mut a = node(1, 0, false);
    let mut b = node(2, 0, false);
    a.params.tie_break = tie;
    b.params.tie_break = tie;
    let mut s = Sim::new(vec![a, b], delay);
    s.set_link(A, B, false);
    s.start(A);
    run(&mut s, b_offset);
    s.start(B);
    run(&mut s, ms(10_500));
    assert_eq!(s.masters(), [A, B]);
    s.set_link(A, B, true);
    s
}

#[test]
fn equal_skew_freebsd_first_advert_heard_wins() {
    // B's adverts go out 300 ms after A's: A's 11.0 s advert reaches B
    // first and B, equally fast, steps down.
    let mut s = split_then_heal(ms(300), DELAY, TieBreak::FreeBsd);
    run(&mut s, Duration::from_secs(12));
    assert_eq!(s.entered(B, State::Backup), [ms(300), ms(11_010)]);
    assert_eq!(
        s.transitions.last().unwrap().line,
        "carp: 1@em0: MASTER -> BACKUP (more frequent advertisement received)"
    );
    assert_sole_master(&mut s, A, Duration::from_secs(12), Duration::from_secs(40));
}

#[test]
fn equal_skew_freebsd_crossing_adverts_both_step_down() {
    // Adverts cross on the wire (delay 50 ms > 20 ms offset): both masters
    // step down (equal steps down, CARP.md §7) and the first master-down
    // timer to fire wins ...
    let mut s = split_then_heal(ms(20), ms(50), TieBreak::FreeBsd);
    run(&mut s, ms(14_060));
    assert_eq!(s.entered(B, State::Backup), [ms(20), ms(11_050)]);
    assert_eq!(s.entered(A, State::Backup), [ms(0), ms(11_070)]);
    assert_eq!(s.entered(B, State::Master).last(), Some(&ms(14_050)));
    // ... but only if its advert arrives before the other timer: here the
    // timers are 20 ms apart, less than the delay, so A fires at 14.07 s
    // too and the pair splits again. FreeBSD behaves the same; on a real
    // segment the delay is far below the phase offset.
    run(&mut s, ms(14_080));
    assert_eq!(s.entered(A, State::Master).last(), Some(&ms(14_070)));
    s.delay = ms(1);
    run(&mut s, Duration::from_secs(20));
    let m = s.masters();
    assert_eq!(m.len(), 1, "{:?}", s.states());
    assert_sole_master(
        &mut s,
        m[0],
        Duration::from_secs(20),
        Duration::from_secs(40),
    );
}

#[test]
fn equal_skew_ucarp_lower_source_wins() {
    let mut s = split_then_heal(ms(20), ms(50), TieBreak::Ucarp);
    run(&mut s, Duration::from_secs(20));
    // B (10.0.0.2) yields to A (10.0.0.1); A never steps down but answers
    // B's crossing advert with another gratuitous ARP.
    assert_eq!(s.entered(B, State::Backup), [ms(20), ms(11_050)]);
    assert_eq!(s.entered(A, State::Backup), [ms(0)]);
    assert_eq!(
        s.transitions.last().unwrap().line,
        "carp: 1@em0: MASTER -> BACKUP (preferred master advertised)"
    );
    assert!(s.announces(A) >= 2);
    assert_sole_master(&mut s, A, Duration::from_secs(20), Duration::from_secs(40));
}

#[test]
fn demotion_moves_mastership_to_a_preempting_backup() {
    let mut s = sim(vec![node(1, 0, true), node(2, 100, true)]);
    s.start(A);
    s.start(B);
    run(&mut s, ms(10_500));
    assert_eq!(s.masters(), [A]);
    s.demote(A, 240);
    // A advertises at once with advskew 240 ...
    let ad = s.sent.last().unwrap();
    assert_eq!((ad.node, ad.at, ad.header.advskew), (A, ms(10_500), 240));
    run(&mut s, Duration::from_secs(12));
    // ... B preempts the slower master, and A hears B and steps down.
    assert_eq!(s.entered(B, State::Master), [ms(10_510)]);
    assert_eq!(s.entered(A, State::Backup), [ms(0), ms(10_520)]);
    let demoted = s.logs.iter().find(|l| l.2.contains("demoted"));
    assert_eq!(
        demoted.map(|l| (l.0, l.2.as_str())),
        Some((ms(10_500), "carp: demoted by 240 to 240 (sysctl)"))
    );
    assert_sole_master(&mut s, B, Duration::from_secs(12), Duration::from_secs(20));
    // Undo: A preempts again at B's next advert.
    s.demote(A, -240);
    run(&mut s, Duration::from_secs(23));
    let b_ad = next_advert(&s, B, ms(20_000));
    assert_eq!(s.entered(A, State::Master).last(), Some(&(b_ad + DELAY)));
    assert_sole_master(&mut s, A, Duration::from_secs(23), Duration::from_secs(40));
}

#[test]
fn bow_out_hands_over_within_one_advert_interval() {
    let mut s = two(0, 100, false);
    run(&mut s, ms(10_500));
    s.shutdown(A);
    let bow = s.sent.last().unwrap();
    assert_eq!(
        (bow.node, bow.header.advbase, bow.header.advskew),
        (A, 255, 255)
    );
    assert!(!s.has_addrs(A));
    run(&mut s, Duration::from_secs(12));
    let took = s.entered(B, State::Master);
    assert_eq!(took, [ms(10_510)]);
    assert!(took[0] - ms(10_500) < Duration::from_secs(1));
    let lines: Vec<&str> = s.transitions.iter().map(|t| t.line.as_str()).collect();
    assert!(lines.contains(&"carp: 1@em0: MASTER -> INIT (shutting down)"));
    assert_eq!(
        *lines.last().unwrap(),
        "carp: 1@em0: BACKUP -> MASTER (master will time out)"
    );
    assert_sole_master(&mut s, B, Duration::from_secs(12), Duration::from_secs(30));
}

#[test]
fn wrong_password_gives_two_masters() {
    let mut b = node(2, 100, false);
    b.password = b"wrongpass".to_vec();
    let mut s = sim(vec![node(1, 0, false), b]);
    s.start(A);
    s.start(B);
    run(&mut s, Duration::from_secs(30));
    assert_eq!(s.masters(), [A, B]);
    assert!(s.has_addrs(A) && s.has_addrs(B));
    assert_eq!(s.entered(A, State::Master), [ms(3000)]);
    assert_eq!(s.entered(B, State::Master), [us(3_390_625)]);
    // Every advert of the other side was dropped: A's of 3 s..=29 s and
    // B's of 3.39 s..=29.8 s (20 of them); the 30 s ones are in flight.
    assert_eq!(s.rejected(B), 27);
    assert_eq!(s.rejected(A), 20);
}

#[test]
fn different_address_list_also_splits() {
    let mut b = node(2, 100, false);
    b.addrs.push("10.10.0.2".parse().unwrap());
    let mut s = sim(vec![node(1, 0, false), b]);
    s.start(A);
    s.start(B);
    run(&mut s, Duration::from_secs(10));
    assert_eq!(s.masters(), [A, B]);
    assert!(s.rejected(A) > 0 && s.rejected(B) > 0);
}

#[test]
fn three_nodes_fail_over_in_skew_order() {
    let mut s = sim(vec![
        node(1, 0, true),
        node(2, 50, false),
        node(3, 100, false),
    ]);
    s.start(A);
    s.start(B);
    s.start(C);
    assert_sole_master(&mut s, A, ms(3000), Duration::from_secs(20));
    s.kill(A);
    run(&mut s, Duration::from_secs(30));
    let expect_b = ms(20_000) + DELAY + us(3_195_312);
    assert_eq!(s.entered(B, State::Master), [expect_b]);
    assert!(s.entered(C, State::Master).is_empty());
    assert_sole_master(&mut s, B, Duration::from_secs(30), Duration::from_secs(40));
    s.kill(B);
    run(&mut s, Duration::from_secs(50));
    let b_last = last_advert(&s, B, ms(40_000));
    assert_eq!(
        s.entered(C, State::Master),
        [b_last + DELAY + us(3_390_625)]
    );
    // A comes back with preempt and takes over from C at C's next advert.
    s.start(A);
    run(&mut s, Duration::from_secs(53));
    let c_ad = next_advert(&s, C, ms(50_000));
    assert_eq!(s.entered(A, State::Master).last(), Some(&(c_ad + DELAY)));
    assert_sole_master(&mut s, A, Duration::from_secs(53), Duration::from_secs(120));
    // B restarts without preempt and stays BACKUP.
    s.start(B);
    assert_sole_master(
        &mut s,
        A,
        Duration::from_secs(120),
        Duration::from_secs(150),
    );
}

#[test]
fn three_nodes_staggered_starts_converge_to_one_master() {
    for (order, offsets) in [
        ([A, B, C], [0, 400, 900]),
        ([C, B, A], [0, 700, 1500]),
        ([B, C, A], [0, 3500, 7000]),
    ] {
        let mut s = sim(vec![
            node(1, 0, true),
            node(2, 50, true),
            node(3, 100, true),
        ]);
        for (n, off) in order.iter().zip(offsets) {
            run(&mut s, ms(off));
            s.start(*n);
        }
        // With preempt everywhere, the lowest advskew ends up MASTER.
        assert_sole_master(&mut s, A, Duration::from_secs(15), Duration::from_secs(60));
    }
}

#[test]
fn two_lost_adverts_are_tolerated_three_are_not() {
    let mut s = two(0, 100, false);
    run(&mut s, ms(10_500));
    // Drop A → B while 10.5 s < t < 12.5 s: the 11 s and 12 s adverts.
    s.set_loss(Box::new(|from, _to, _seq| from == A));
    run(&mut s, ms(12_500));
    s.set_loss(Box::new(|_, _, _| false));
    assert_sole_master(&mut s, A, ms(12_500), ms(20_500));
    // Now lose three in a row: B takes over 3.390625 s after the last
    // advert it heard, then hears A again and, being slower, steps down.
    s.set_loss(Box::new(|from, _to, _seq| from == A));
    run(&mut s, ms(23_700));
    s.set_loss(Box::new(|_, _, _| false));
    assert_eq!(
        s.entered(B, State::Master),
        [ms(20_000) + DELAY + us(3_390_625)]
    );
    run(&mut s, ms(24_500));
    assert_eq!(s.entered(B, State::Backup).last(), Some(&ms(24_010)));
    assert_sole_master(&mut s, A, ms(24_500), ms(40_000));
}

#[test]
fn random_loss_still_settles_when_loss_stops() {
    let mut s = two(0, 100, false);
    // Deterministic pseudo-random 30 % loss for a minute.
    s.set_loss(Box::new(|_from, _to, seq| {
        (seq.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) % 10 < 3
    }));
    run(&mut s, Duration::from_secs(60));
    assert!(!s.masters().is_empty());
    s.set_loss(Box::new(|_, _, _| false));
    run(&mut s, Duration::from_secs(70));
    let m = s.masters();
    assert_eq!(m.len(), 1, "{:?}", s.states());
    assert_sole_master(
        &mut s,
        m[0],
        Duration::from_secs(70),
        Duration::from_secs(90),
    );
}

#[test]
fn link_down_goes_init_and_demotes() {
    let mut s = two(0, 100, false);
    run(&mut s, ms(10_500));
    s.link_changed(A, false);
    assert_eq!(s.state(A), State::Init);
    assert!(!s.has_addrs(A));
    assert_eq!(s.machine(A).effective_advskew(), 240);
    run(&mut s, Duration::from_secs(20));
    assert_eq!(s.entered(B, State::Master), [us(13_400_625)]);
    s.link_changed(A, true);
    assert_eq!(s.state(A), State::Backup);
    assert_eq!(s.machine(A).effective_advskew(), 0);
    let logs: Vec<&str> = s.logs.iter().map(|l| l.2.as_str()).collect();
    for want in [
        "carp: 1@em0: MASTER -> INIT (hardware interface down)",
        "carp: demoted by 240 to 240 (interface down)",
        "carp: 1@em0: INIT -> BACKUP (initialization complete)",
        "carp: demoted by -240 to 0 (interface up)",
    ] {
        assert!(logs.contains(&want), "{want} missing from {logs:?}");
    }
    // Without preempt A does not take the VIP back.
    assert_sole_master(&mut s, B, Duration::from_secs(20), Duration::from_secs(40));
}

#[test]
fn bounded_run_reports_runaway() {
    let mut s = two(0, 100, false);
    s.max_events = 5;
    assert!(s.run_until(Duration::from_secs(60)).is_err());
}
