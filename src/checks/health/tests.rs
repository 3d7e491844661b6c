use super::*;

use Verdict::{ConditionalPass as C, Fail as F, Pass as P};

fn params(rise: u32, fall: u32, inter: u32, fastinter: u32, downinter: u32) -> Params {
    Params {
        rise,
        fall,
        inter,
        fastinter,
        downinter,
    }
}

/// Run `results` from t=0, each check starting one interval after the
/// previous one; returns (start time of the check that caused it, state).
fn simulate(p: Params, results: &[Verdict]) -> (Vec<(u64, Health)>, Vec<u64>) {
    let mut m = Machine::new(p);
    let mut t = 0u64;
    let mut changes = Vec::new();
    let mut starts = Vec::new();
    for &v in results {
        starts.push(t);
        if let Some(tr) = m.record(v).transition {
            changes.push((t, tr.to));
        }
        t += u64::from(m.next_interval());
    }
    (changes, starts)
}

/// The schedule HAProxy 2.6.12 showed with `inter 1000 fastinter 100
/// downinter 700 rise 2 fall 3` (`option log-health-checks`): checks at
/// +0, then every 1000 ms while up, 100 ms apart while failing, 700 ms
/// apart while down, 100 ms apart while rising.
#[test]
fn schedule_observed_with_haproxy() {
    let p = params(2, 3, 1000, 100, 700);
    let seq = [P, P, P, F, F, F, F, F, F, P, P, P];
    let (changes, starts) = simulate(p, &seq);
    assert_eq!(
        starts,
        vec![0, 1000, 2000, 3000, 3100, 3200, 3900, 4600, 5300, 6000, 6100, 7100]
    );
    assert_eq!(changes, vec![(3200, Health::Down), (6100, Health::Up)]);
}

#[test]
fn status_text_follows_the_counter_as_observed() {
    let mut m = Machine::new(params(2, 3, 1000, 100, 700));
    let mut seen = Vec::new();
    for v in [P, F, F, F, P, P] {
        let step = m.record(v);
        assert!(step.counter_moved);
        seen.push(m.status_text(false));
    }
    assert_eq!(
        seen,
        ["3/3 UP", "2/3 UP", "1/3 UP", "0/2 DOWN", "1/2 DOWN", "3/3 UP"]
    );
    // A pass at the top does not move the counter (nothing is logged).
    assert!(!m.record(P).counter_moved);
    assert_eq!(m.status_text(true), "3/3 DRAIN");
}

#[test]
fn first_failure_after_start_marks_down() {
    for (rise, fall) in [(1, 1), (2, 3), (5, 10)] {
        let (changes, _) = simulate(params(rise, fall, 200, 200, 200), &[F]);
        assert_eq!(changes, vec![(0, Health::Down)], "rise {rise} fall {fall}");
    }
}

#[test]
fn inter_200_fall_3_rise_2_down_then_up() {
    // The integration test's numbers: up at start, origin dies at the 3rd
    // check, comes back at the 7th.
    let p = params(2, 3, 200, 200, 200);
    let (changes, _) = simulate(p, &[P, P, F, F, F, F, P, P]);
    assert_eq!(changes, vec![(800, Health::Down), (1400, Health::Up)]);
}

#[test]
fn failures_short_of_fall_are_forgiven_by_one_pass() {
    let p = params(2, 3, 1000, 100, 700);
    let (changes, starts) = simulate(p, &[P, F, F, P, F, F, P, F, F, F]);
    assert_eq!(changes, vec![(3600, Health::Down)]);
    assert_eq!(
        starts,
        vec![0, 1000, 1100, 1200, 2200, 2300, 2400, 3400, 3500, 3600]
    );
    // A failure while rising starts the rise over.
    let mut m = Machine::new(params(3, 2, 1000, 100, 700));
    m.record(F);
    m.record(P);
    m.record(P);
    m.record(F);
    assert_eq!(m.health(), 0);
    m.record(P);
    m.record(P);
    assert_eq!(m.state(), Health::Down);
    assert_eq!(m.record(P).transition.map(|t| t.to), Some(Health::Up));
}

#[test]
fn disable_on_404_stops_and_resumes() {
    let mut m = Machine::new(params(2, 3, 1000, 100, 700));
    let t = m.record(C).transition;
    assert_eq!(
        t,
        Some(Transition {
            from: Health::Up,
            to: Health::Stopping
        })
    );
    assert_eq!(m.record(C).transition, None);
    // Failures short of `fall` leave it stopping.
    assert_eq!(m.record(F).transition, None);
    assert_eq!(m.state(), Health::Stopping);
    assert_eq!(m.record(P).transition.map(|t| t.to), Some(Health::Up));
    for _ in 0..3 {
        m.record(F);
    }
    assert_eq!(m.state(), Health::Down);
    assert_eq!(m.record(C).transition, None);
    assert_eq!(m.record(C).transition, None);
    assert_eq!(m.state(), Health::Down);
    // The counter rose meanwhile: one plain pass is enough.
    assert_eq!(m.record(P).transition.map(|t| t.to), Some(Health::Up));
}

#[test]
fn zero_parameters_are_clamped() {
    let mut m = Machine::new(params(0, 0, 0, 0, 0));
    assert_eq!(m.params(), params(1, 1, 1, 1, 1));
    assert_eq!(m.record(F).transition.map(|t| t.to), Some(Health::Down));
    assert_eq!(m.record(P).transition.map(|t| t.to), Some(Health::Up));
    assert_eq!(m.next_interval(), 1);
}

/// A plain restatement of the rules with run lengths instead of a
/// counter, compared against the machine for every pass/fail sequence of
/// up to 10 checks and every rise/fall up to 5.
#[test]
fn exhaustive_against_run_length_model() {
    #[derive(Clone, Copy)]
    struct Model {
        up: bool,
        started: bool,
        run: u32,
    }
    let (inter, fast, down) = (1000, 100, 700);
    let mut compared = 0u32;
    for rise in 1..=5u32 {
        for fall in 1..=5u32 {
            let p = params(rise, fall, inter, fast, down);
            for len in 1..=10u32 {
                for bits in 0..(1u32 << len) {
                    let mut m = Machine::new(p);
                    let mut r = Model {
                        up: true,
                        started: true,
                        run: 0,
                    };
                    for i in 0..len {
                        let pass = bits & (1 << i) != 0;
                        let step = m.record(if pass { P } else { F });
                        let was_up = r.up;
                        if r.up {
                            if pass {
                                r.run = 0;
                                r.started = false;
                            } else {
                                r.run += 1;
                                let need = if r.started { 1 } else { fall };
                                if r.run >= need {
                                    r = Model {
                                        up: false,
                                        started: false,
                                        run: 0,
                                    };
                                }
                            }
                        } else if pass {
                            r.run += 1;
                            if r.run >= rise {
                                r = Model {
                                    up: true,
                                    started: false,
                                    run: 0,
                                };
                            }
                        } else {
                            r.run = 0;
                        }
                        let want = if r.up { Health::Up } else { Health::Down };
                        assert_eq!(m.state(), want, "rise {rise} fall {fall} bits {bits:b}");
                        assert_eq!(step.transition.is_some(), was_up != r.up);
                        let want_inter = match (r.up, r.run, r.started) {
                            (true, 0, false) => inter,
                            (true, _, true) if fall == 1 => inter,
                            (false, 0, _) => down,
                            _ => fast,
                        };
                        assert_eq!(m.next_interval(), want_inter, "bits {bits:b}");
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(
        compared,
        25 * (2..=11).map(|l| (l - 1) * (1u32 << (l - 1))).sum::<u32>()
    );
}

#[test]
fn start_spread_matches_haproxy() {
    // Two servers, fastinter 100 at start (under the threshold): the
    // second starts 50 ms after the first, as observed.
    let base = spread_base([100, 100]);
    assert_eq!(base, 0);
    assert_eq!(first_delay(100, base, 0, 2), 0);
    assert_eq!(first_delay(100, base, 1, 2), 50);
    // Intervals of 2 s and 5 s: spread over 2 s, the 5 s one included.
    let base = spread_base([2000, 5000, 500]);
    assert_eq!(base, 2000);
    assert_eq!(first_delay(5000, base, 1, 3), 1666);
    assert_eq!(first_delay(500, base, 2, 3), 1333);
    assert_eq!(first_delay(2000, base, 2, 3), 1333);
    assert_eq!(first_delay(2000, base, 0, 0), 0);
}

#[test]
fn spread_checks_bounds() {
    assert_eq!(spread_interval(1000, 0, 0.3), 1000);
    assert_eq!(spread_interval(1000, 10, 0.0), 1100);
    assert_eq!(spread_interval(1000, 10, 0.5), 1000);
    assert_eq!(spread_interval(1000, 10, 0.999_999), 901);
    // Capped at 50%.
    assert_eq!(spread_interval(1000, 90, 0.0), 1500);
    assert_eq!(spread_interval(1, 50, 1.0), 1);
}
