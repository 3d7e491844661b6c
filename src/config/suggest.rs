//! "did you mean ... maybe ?" hints for unknown keywords.
//!
//! The hint must name the same keyword HAProxy names, so the distance is
//! HAProxy's: a word's fingerprint counts its characters and its character
//! pairs (letters folded to lower case, all digits one class, everything
//! else one class that also marks the start and end of the word); the
//! distance is the sum of absolute differences of the counts. The closest
//! candidate wins (the first one on ties), and only if the distance is at
//! most twice the length of both words.

const CLASSES: usize = 32;
const BOUNDARY: usize = 28;

fn class(b: u8) -> usize {
    match b.to_ascii_lowercase() {
        c @ b'a'..=b'z' => (c - b'a' + 1) as usize,
        b'0'..=b'9' => 27,
        _ => BOUNDARY,
    }
}

/// Counts of single classes (row 0) and of class pairs (row = first).
fn fingerprint(word: &str) -> Vec<u8> {
    let mut fp = vec![0u8; CLASSES * CLASSES];
    let mut from = BOUNDARY;
    for &b in word.as_bytes() {
        let to = class(b);
        fp[to] = fp[to].wrapping_add(1);
        fp[CLASSES * from + to] = fp[CLASSES * from + to].wrapping_add(1);
        from = to;
    }
    fp[CLASSES * from + BOUNDARY] = fp[CLASSES * from + BOUNDARY].wrapping_add(1);
    fp
}

fn distance(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (i32::from(x) - i32::from(y)).unsigned_abs() as usize)
        .sum()
}

/// The closest candidate to `word`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let fw = fingerprint(word);
    let mut best: Option<(&'a str, usize)> = None;
    for c in candidates {
        let d = distance(&fw, &fingerprint(c));
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    best.and_then(|(c, d)| (d <= 2 * word.len() && d <= 2 * c.len()).then_some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_what_haproxy_suggests() {
        // From HAProxy 2.6 (golden config_errors.txt and haproxy -c runs).
        let kws = ["default_backend", "use_backend", "bind", "mode"];
        assert_eq!(did_you_mean("defaut_backend", kws), Some("default_backend"));
        assert_eq!(
            did_you_mean("chek", ["check", "cookie", "weight"]),
            Some("check")
        );
        assert_eq!(did_you_mean("foo", ["tfo", "ssl", "name"]), Some("tfo"));
        assert_eq!(did_you_mean("zzzzzz", kws), None);
    }

    #[test]
    fn distance_counts_pairs_and_letters() {
        assert_eq!(distance(&fingerprint("abc"), &fingerprint("abc")), 0);
        // One substituted letter: 2 letter counts and 4 pair counts differ.
        assert_eq!(distance(&fingerprint("abc"), &fingerprint("abd")), 6);
        assert_eq!(distance(&fingerprint("ABC"), &fingerprint("abc")), 0);
    }
}
