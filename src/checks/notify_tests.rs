use super::*;
use crate::checks::health::{Params, Verdict};

fn who(server: &'static str, backup: bool, listen: bool, lhc: bool) -> Subject<'static> {
    Subject {
        srv: ServerRef {
            backend: if listen { "li" } else { "be" },
            server,
            backup,
        },
        listen,
        log_health_checks: lhc,
    }
}

fn refused() -> CheckResult {
    CheckResult::new(CheckStatus::L4Con, None, Some("Connection refused".into()))
}

const DOWN: Transition = Transition {
    from: Health::Up,
    to: Health::Down,
};

fn farm(active: u32, backup: u32) -> Farm {
    Farm {
        active,
        backup,
        ..Farm::default()
    }
}

/// Lines of HAProxy 2.6.12 runs (`-db`, checks against closed ports,
/// 503 answers, `disable-on-404`, `option log-health-checks`).
#[test]
fn texts_observed_with_haproxy() {
    let a = transition(
        &who("s2", false, false, false),
        DOWN,
        &refused(),
        farm(1, 0),
    );
    assert_eq!(a.syslog, "Server be/s2 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.");
    assert_eq!(a.level, Level::ALERT);
    assert_eq!(
        a.stderr_line(9125),
        format!("[WARNING]  (9125) : {}", a.syslog)
    );

    let up = Transition {
        from: Health::Down,
        to: Health::Up,
    };
    let ok = CheckResult::new(CheckStatus::L4Ok, None, None);
    let a = transition(&who("s1", false, false, false), up, &ok, farm(1, 0));
    assert_eq!(a.syslog, "Server be/s1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.");
    assert_eq!(a.level, Level::NOTICE);

    let stopping = Transition {
        from: Health::Up,
        to: Health::Stopping,
    };
    let nf = CheckResult::new(CheckStatus::L7OkC, Some(404), None);
    let a = transition(&who("a", false, false, false), stopping, &nf, farm(0, 0));
    assert_eq!(a.syslog, "Server be/a is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 0ms. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.");

    let n = no_server(&who("a", false, false, false));
    assert_eq!(n.syslog, "backend be has no server available!");
    assert_eq!(n.level, Level::EMERG);
    assert_eq!(
        n.stderr_line(7),
        "[ALERT]    (7) : backend 'be' has no server available!"
    );
    let n = no_server(&who("a", false, true, false));
    assert_eq!(n.syslog, "proxy li has no server available!");
    assert_eq!(
        n.stderr_line(7),
        "[ALERT]    (7) : proxy 'li' has no server available!"
    );
}

#[test]
fn log_health_checks_texts() {
    let p = Params {
        rise: 2,
        fall: 3,
        inter: 200,
        fastinter: 200,
        downinter: 200,
    };
    let mut m = Machine::new(p);
    m.record(Verdict::Fail);
    let w = who("a", false, true, true);
    let line = check_line(&w, &refused(), &m);
    assert_eq!(line.syslog, "Health check for server li/a failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 0/2 DOWN.");
    let a = transition(&w, DOWN, &refused(), farm(0, 1));
    assert_eq!(a.syslog, "Server li/a is DOWN. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.");
    let b = who("b", true, true, true);
    let line = check_line(&b, &refused(), &m);
    assert!(line
        .syslog
        .starts_with("Health check for backup server li/b failed, reason"));
    let a = transition(&b, DOWN, &refused(), farm(0, 0));
    assert_eq!(a.syslog, "Backup Server li/b is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.");
    m.record(Verdict::Pass);
    m.record(Verdict::Pass);
    let ok = CheckResult::new(CheckStatus::L4Ok, None, None);
    assert_eq!(check_line(&w, &ok, &m).syslog, "Health check for server li/a succeeded, reason: Layer4 check passed, check duration: 0ms, status: 3/3 UP.");
}
