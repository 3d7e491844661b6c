//! CARP's intervals and the demoted advskew (CARP.md §6, §8), as FreeBSD
//! computes them: seconds plus `advskew × 1000000 / 256` microseconds,
//! truncated.

use std::time::Duration;

/// `CARP_MAXSKEW`: a demoted advskew never exceeds this.
pub const MAX_SKEW: u8 = 240;

/// The fraction of a second an advskew adds.
pub fn skew(advskew: u8) -> Duration {
    Duration::from_micros(u64::from(advskew) * 1_000_000 / 256)
}

/// How often a MASTER advertises, and the value compared against a
/// received advert: `advbase + advskew/256` s.
pub fn advert_interval(advbase: u8, advskew: u8) -> Duration {
    Duration::from_secs(u64::from(advbase)) + skew(advskew)
}

/// How long a BACKUP waits for an advert: `3 × advbase + advskew/256` s
/// (not three advert intervals).
pub fn master_down_interval(advbase: u8, advskew: u8) -> Duration {
    Duration::from_secs(3 * u64::from(advbase)) + skew(advskew)
}

/// FreeBSD 14's `DEMOTE_ADVSKEW`: advskew plus the global demotion,
/// clamped to 0..=240. A configured advskew above 240 is therefore sent as
/// 240 even without demotion.
pub fn demoted_advskew(advskew: u8, demotion: i32) -> u8 {
    let v = i64::from(advskew) + i64::from(demotion);
    v.clamp(0, i64::from(MAX_SKEW)) as u8
}

/// The global `net.inet.carp.demotion` of one node. Writes add to it; each
/// change is logged as FreeBSD does and must then be given to every vhid
/// with `VhidMachine::set_demotion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Demotion {
    value: i32,
}

impl Demotion {
    pub fn new(initial: i32) -> Demotion {
        Demotion { value: initial }
    }

    pub fn value(&self) -> i32 {
        self.value
    }

    /// Adds `by` (may be negative) and returns the log line,
    /// `carp: demoted by 240 to 240 (interface down)`.
    pub fn adjust(&mut self, by: i32, reason: &str) -> String {
        self.value = self.value.saturating_add(by);
        format!("carp: demoted by {by} to {} ({reason})", self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_match_the_spec_examples() {
        assert_eq!(advert_interval(1, 0), Duration::from_secs(1));
        assert_eq!(advert_interval(1, 100), Duration::from_micros(1_390_625));
        assert_eq!(master_down_interval(1, 0), Duration::from_secs(3));
        assert_eq!(
            master_down_interval(1, 100),
            Duration::from_micros(3_390_625)
        );
        // 255/256 s truncated to whole microseconds, as timeval does.
        assert_eq!(skew(255), Duration::from_micros(996_093));
    }

    #[test]
    fn demotion_is_clamped_to_0_240() {
        assert_eq!(demoted_advskew(100, 0), 100);
        assert_eq!(demoted_advskew(100, 240), 240);
        assert_eq!(demoted_advskew(100, -500), 0);
        assert_eq!(demoted_advskew(254, 0), 240);
        assert_eq!(demoted_advskew(0, i32::MAX), 240);
    }

    #[test]
    fn demotion_adds_and_logs() {
        let mut d = Demotion::new(10);
        assert_eq!(
            d.adjust(240, "interface down"),
            "carp: demoted by 240 to 250 (interface down)"
        );
        assert_eq!(
            d.adjust(-240, "interface up"),
            "carp: demoted by -240 to 10 (interface up)"
        );
        assert_eq!(d.value(), 10);
    }
}
