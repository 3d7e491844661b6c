//! "did you mean ... maybe ?" hints for unknown keywords.
//!
//! Like HAProxy we compare words by their character-bigram fingerprints
//! (a typo changes few bigrams), and only suggest when the closest candidate
//! is near enough relative to the word's length.

fn fingerprint(word: &str) -> Vec<(u8, u8)> {
    let mut bytes: Vec<u8> = Vec::with_capacity(word.len() + 2);
    bytes.push(0);
    bytes.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
    bytes.push(0);
    let mut pairs: Vec<(u8, u8)> = bytes.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs
}

/// Size of the symmetric difference of two sorted bigram multisets.
fn distance(a: &[(u8, u8)], b: &[(u8, u8)]) -> usize {
    let (mut i, mut j, mut d) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                d += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                d += 1;
                j += 1;
            }
        }
    }
    d + (a.len() - i) + (b.len() - j)
}

/// The closest candidate to `word`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let fw = fingerprint(word);
    let mut best: Option<(&'a str, usize)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let d = distance(&fw, &fingerprint(c));
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    // Accept at most about half the bigrams differing.
    best.and_then(|(c, d)| (d * 2 <= fw.len().max(4) + 2).then_some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words() {
        let kws = ["default_backend", "use_backend", "bind", "mode"];
        assert_eq!(did_you_mean("defaut_backend", kws), Some("default_backend"));
        assert_eq!(
            did_you_mean("chek", ["check", "cookie", "weight"]),
            Some("check")
        );
        assert_eq!(did_you_mean("zzzzzz", kws), None);
    }
}
