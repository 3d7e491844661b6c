//! `log ... sample <ranges>:<size>` (manual §3.1 "log"): of every `size`
//! consecutive logs, a target receives only those whose position (from 1)
//! falls in one of the comma-separated ranges (`1`, `3-5`). Error texts
//! are HAProxy 2.6's (the config layer prefixes them with `log : `).

/// Parsed sampling ranges, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSample {
    ranges: Vec<(u32, u32)>,
    size: u32,
}

/// Leading decimal digits as a number (0 when none), and the rest.
fn read_uint(s: &str) -> (u32, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let v = s[..end].bytes().fold(0u32, |acc, b| {
        acc.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    });
    (v, &s[end..])
}

impl LogSample {
    /// Reads `<ranges>:<size>`.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let Some((list, size_str)) = spec.split_once(':') else {
            return Err("Missing sample size".into());
        };
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let mut rest = list;
        while !rest.is_empty() {
            let wrong = || format!("wrong sample range '{rest}'");
            let (item, next) = match rest.split_once(',') {
                Some((a, b)) => (a, b),
                None => (rest, ""),
            };
            let (low, tail) = read_uint(item);
            if low == 0 {
                return Err(wrong());
            }
            let high = if tail.is_empty() {
                low
            } else {
                let Some(h) = tail.strip_prefix('-') else {
                    return Err(wrong());
                };
                let (high, tail) = read_uint(h);
                if high == 0 || high <= low || !tail.is_empty() {
                    return Err(wrong());
                }
                high
            };
            // HAProxy only checks whether an end of the new range falls
            // inside an earlier one.
            let inside = |v: u32| ranges.iter().any(|&(l, h)| v >= l && v <= h);
            if inside(low) || inside(high) {
                return Err("ranges are overlapping".into());
            }
            ranges.push((low, high));
            rest = next;
        }
        if ranges.is_empty() {
            return Err("no sampling ranges given".into());
        }
        let (size, tail) = read_uint(size_str);
        if size == 0 || !tail.is_empty() {
            return Err(format!(
                "wrong sample size '{size_str}' for sample range '{list}'"
            ));
        }
        let max_high = ranges.iter().map(|r| r.1).max().unwrap_or(0);
        if size < max_high {
            return Err(format!(
                "sample size {size} should be greater or equal to {max_high} the maximum of the high ranges limits"
            ));
        }
        ranges.sort_unstable();
        Ok(LogSample { ranges, size })
    }

    /// Whether the `n`th log offered to this target (counting from 0) is
    /// sent; the caller keeps the counter per target.
    pub fn admits(&self, n: u64) -> bool {
        let pos = (n % u64::from(self.size)) + 1;
        self.ranges
            .iter()
            .any(|&(l, h)| pos >= u64::from(l) && pos <= u64::from(h))
    }

    pub fn size(&self) -> u32 {
        self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_like_haproxy() {
        let e = |s: &str| LogSample::parse(s).err();
        assert_eq!(e("2-1:4").as_deref(), Some("wrong sample range '2-1'"));
        assert_eq!(e("1-3,2:4").as_deref(), Some("ranges are overlapping"));
        assert_eq!(e("1,3").as_deref(), Some("Missing sample size"));
        assert_eq!(
            e("1-3:2").as_deref(),
            Some("sample size 2 should be greater or equal to 3 the maximum of the high ranges limits")
        );
        assert_eq!(
            e("1-3:x").as_deref(),
            Some("wrong sample size 'x' for sample range '1-3'")
        );
        assert_eq!(e("0:3").as_deref(), Some("wrong sample range '0'"));
        assert_eq!(e("1,0-2:3").as_deref(), Some("wrong sample range '0-2'"));
        assert_eq!(e(":3").as_deref(), Some("no sampling ranges given"));
        assert_eq!(e("1x:3").as_deref(), Some("wrong sample range '1x'"));
    }

    #[test]
    fn admits_positions_in_ranges_cyclically() {
        let s = LogSample::parse("3,1:4").expect("valid");
        let sent: Vec<bool> = (0..8).map(|n| s.admits(n)).collect();
        assert_eq!(sent, [true, false, true, false, true, false, true, false]);
        let r = LogSample::parse("2-3:5").expect("valid");
        let sent: Vec<u64> = (0..10).filter(|&n| r.admits(n)).collect();
        assert_eq!(sent, [1, 2, 6, 7]);
        assert_eq!(r.size(), 5);
    }
}
