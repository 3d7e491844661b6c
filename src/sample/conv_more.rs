//! Encoding and date converters: base64 variants, hex dumps, JSON and URL
//! escapes, `http_date`, `ltime`, `utime`.

use super::value::Sample;

/// Argument checks done at load time; the message when one is bad.
pub(crate) fn check_args(name: &str, args: &[String]) -> Option<String> {
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    match name {
        "json" if !matches!(a(0), "" | "ascii" | "utf8" | "utf8s" | "utf8p" | "utf8ps") => {
            Some(format!("unexpected input code type '{}'", a(0)))
        }
        "http_date" if !matches!(a(1), "" | "s" | "ms" | "us") => {
            Some(format!("unknown unit '{}'", a(1)))
        }
        "sha2" if !matches!(a(0), "" | "224" | "256" | "384" | "512") => {
            Some(format!("unsupported number of bits: '{}'", a(0)))
        }
        "url_enc" if !matches!(a(0), "" | "query") => {
            Some(format!("unexpected encode type '{}'", a(0)))
        }
        _ => None,
    }
}

pub(crate) fn apply(name: &str, args: &[String], s: Sample) -> Option<Sample> {
    let a = |i: usize| args.get(i).map(String::as_str).filter(|v| !v.is_empty());
    let int_arg = |i: usize| a(i).and_then(|v| v.trim().parse::<i64>().ok());
    Some(match name {
        "base64" => Sample::Str(b64_encode(&s.to_bytes(), STD, true)),
        "ub64enc" => Sample::Str(b64_encode(&s.to_bytes(), URL, false)),
        "b64dec" => {
            // The standard form needs its padding: whole 4-character groups.
            let t = s.to_text();
            if !t.len().is_multiple_of(4) {
                return None;
            }
            Sample::Bin(b64_decode(t.as_bytes(), STD)?)
        }
        "ub64dec" => Sample::Bin(b64_decode(s.to_text().as_bytes(), URL)?),
        "hex" => Sample::Str(hex_upper(&s.to_bytes())),
        "be2dec" => Sample::Str(be2(
            &s.to_bytes(),
            a(0).unwrap_or(""),
            int_arg(1).unwrap_or(1),
            int_arg(2).unwrap_or(0) != 0,
            true,
        )?),
        "be2hex" => Sample::Str(be2(
            &s.to_bytes(),
            a(0).unwrap_or(""),
            int_arg(1).unwrap_or(0),
            int_arg(2).unwrap_or(0) != 0,
            false,
        )?),
        "json" => Sample::Str(json(&s.to_bytes(), a(0).unwrap_or("ascii"))?),
        "url_dec" => Sample::Str(url_dec(&s.to_text(), int_arg(0).unwrap_or(0) != 0)?),
        "url_enc" => Sample::Str(url_enc(&s.to_bytes())),
        "http_date" => {
            let div = match a(1) {
                Some("ms") => 1_000,
                Some("us") => 1_000_000,
                _ => 1,
            };
            let v = s.to_int()?.checked_add(int_arg(0).unwrap_or(0))?;
            Sample::Str(http_date(v.div_euclid(div)))
        }
        "ltime" | "utime" => {
            // Local time is taken as UTC: harp has no time zone database.
            let t = s.to_int()?.checked_add(int_arg(1).unwrap_or(0))?;
            Sample::Str(strftime(a(0).unwrap_or(""), t))
        }
        _ => return None,
    })
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub(crate) fn b64_encode(data: &[u8], alphabet: &[u8; 64], padding: bool) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
            } else if padding {
                out.push('=');
            }
        }
    }
    out
}

/// Decode; padding optional; `None` on a character outside the alphabet.
pub(crate) fn b64_decode(text: &[u8], alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    let text: Vec<u8> = text.iter().copied().filter(|c| *c != b'=').collect();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::new();
    for chunk in text.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = alphabet.iter().position(|a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

pub(crate) fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// `be2dec`/`be2hex`: chunks of `chunk` bytes (0: one chunk) separated by
/// `sep`; `truncate` drops a short last chunk.
fn be2(data: &[u8], sep: &str, chunk: i64, truncate: bool, dec: bool) -> Option<String> {
    let size = match usize::try_from(chunk).ok()? {
        0 => data.len().max(1),
        n => n,
    };
    if dec && !(1..=8).contains(&size) {
        return None;
    }
    let mut parts = Vec::new();
    for c in data.chunks(size) {
        if truncate && c.len() < size {
            break;
        }
        parts.push(if dec {
            c.iter()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
                .to_string()
        } else {
            hex_upper(c)
        });
    }
    Some(parts.join(sep))
}

/// JSON string escaping; `code` picks how non-ASCII input is read.
fn json(data: &[u8], code: &str) -> Option<String> {
    let mut out = String::new();
    let push_char = |out: &mut String, c: u32| match c {
        0x22 => out.push_str("\\\""),
        0x5c => out.push_str("\\\\"),
        0x2f => out.push_str("\\/"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        0x0a => out.push_str("\\n"),
        0x0d => out.push_str("\\r"),
        0x09 => out.push_str("\\t"),
        c if !(0x20..0x7f).contains(&c) => out.push_str(&format!("\\u{c:04x}")),
        c => out.push(char::from(c as u8)),
    };
    if code == "ascii" {
        for b in data {
            push_char(&mut out, u32::from(*b));
        }
        return Some(out);
    }
    let silent = code.contains('s');
    let mut rest = data;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                for c in valid.chars() {
                    if u32::from(c) > 0xffff {
                        if silent {
                            continue;
                        }
                        return None;
                    }
                    push_char(&mut out, u32::from(c));
                }
                break;
            }
            Err(e) => {
                let (ok, bad) = rest.split_at(e.valid_up_to());
                for c in std::str::from_utf8(ok).ok()?.chars() {
                    if u32::from(c) > 0xffff {
                        if silent {
                            continue;
                        }
                        return None;
                    }
                    push_char(&mut out, u32::from(c));
                }
                if !silent {
                    return None;
                }
                rest = &bad[e.error_len().unwrap_or(bad.len()).min(bad.len())..];
            }
        }
    }
    Some(out)
}

/// Percent-decoding; `None` on a malformed escape, as HAProxy fails then.
fn url_dec(s: &str, in_form: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut in_query = in_form;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'?' => {
                in_query = true;
                out.push(b'?');
            }
            b'+' if in_query => out.push(b' '),
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let v = hex
                    .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                    .and_then(|h| u8::from_str_radix(h, 16).ok())?;
                out.push(v);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Query-component encoding: everything but unreserved characters.
fn url_enc(b: &[u8]) -> String {
    let mut out = String::new();
    for c in b {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(*c));
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// (year, month 1-12, day, hour, min, sec, weekday 0=Sunday, yday 0-365)
/// of a Unix time in UTC (civil-from-days, proleptic Gregorian).
fn civil(t: i64) -> (i64, u32, u32, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let wday = (days + 4).rem_euclid(7) as u32;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let cum = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let yday = cum[(month - 1) as usize] + day - 1 + u32::from(leap && month > 2);
    (
        year,
        month,
        day,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        wday,
        yday,
    )
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// RFC 7231 IMF-fixdate.
fn http_date(t: i64) -> String {
    strftime("%a, %d %b %Y %H:%M:%S GMT", t)
}

/// The common strftime(3) conversions, in UTC.
fn strftime(fmt: &str, t: i64) -> String {
    let (y, mo, d, h, mi, s, wd, yd) = civil(t);
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&y.to_string()),
            Some('y') => out.push_str(&format!("{:02}", y.rem_euclid(100))),
            Some('C') => out.push_str(&format!("{:02}", y.div_euclid(100))),
            Some('m') => out.push_str(&format!("{mo:02}")),
            Some('d') => out.push_str(&format!("{d:02}")),
            Some('e') => out.push_str(&format!("{d:2}")),
            Some('H') => out.push_str(&format!("{h:02}")),
            Some('I') => out.push_str(&format!("{:02}", (h + 11) % 12 + 1)),
            Some('p') => out.push_str(if h < 12 { "AM" } else { "PM" }),
            Some('M') => out.push_str(&format!("{mi:02}")),
            Some('S') => out.push_str(&format!("{s:02}")),
            Some('j') => out.push_str(&format!("{:03}", yd + 1)),
            Some('a') => out.push_str(DAYS[wd as usize]),
            Some('b' | 'h') => out.push_str(MONTHS[(mo - 1) as usize]),
            Some('u') => out.push_str(&(if wd == 0 { 7 } else { wd }).to_string()),
            Some('w') => out.push_str(&wd.to_string()),
            Some('s') => out.push_str(&t.to_string()),
            Some('z') => out.push_str("+0000"),
            Some('Z') => out.push_str("UTC"),
            Some('F') => out.push_str(&format!("{y}-{mo:02}-{d:02}")),
            Some('T') => out.push_str(&format!("{h:02}:{mi:02}:{s:02}")),
            Some('D') => out.push_str(&format!("{mo:02}/{d:02}/{:02}", y.rem_euclid(100))),
            Some('R') => out.push_str(&format!("{h:02}:{mi:02}")),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('%') => out.push('%'),
            Some(o) => {
                out.push('%');
                out.push(o);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_variants() {
        assert_eq!(b64_encode(b"hello", STD, true), "aGVsbG8=");
        assert_eq!(b64_encode(b"hi?>", URL, false), "aGk_Pg");
        assert_eq!(b64_decode(b"aGVsbG8=", STD), Some(b"hello".to_vec()));
        assert_eq!(b64_decode(b"aGk_Pg", URL), Some(b"hi?>".to_vec()));
        assert_eq!(b64_decode(b"a", STD), None);
        assert_eq!(b64_decode(b"a*==", STD), None);
    }

    #[test]
    fn hex_dumps_follow_the_manual() {
        let d = [1, 2, 3, 4, 5, 6, 7];
        assert_eq!(
            be2(&d, ":", 2, false, true).as_deref(),
            Some("258:772:1286:7")
        );
        assert_eq!(be2(&d, "-", 2, true, true).as_deref(), Some("258-772-1286"));
        assert_eq!(be2(&d, "", 2, true, true).as_deref(), Some("2587721286"));
        assert_eq!(
            be2(&[127, 0, 0, 1], ".", 1, false, true).as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            be2(&d, "", 0, false, false).as_deref(),
            Some("01020304050607")
        );
        assert_eq!(
            be2(&d, ":", 2, false, false).as_deref(),
            Some("0102:0304:0506:07")
        );
        assert_eq!(
            be2(&d, "--", 2, true, false).as_deref(),
            Some("0102--0304--0506")
        );
        let d8 = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(
            be2(&d8, "", 3, true, false).as_deref(),
            Some("010203040506")
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            json(b"Very \"Ugly\" UA 1/2", "utf8s").as_deref(),
            Some("Very \\\"Ugly\\\" UA 1\\/2")
        );
        assert_eq!(json("é".as_bytes(), "utf8").as_deref(), Some("\\u00e9"));
        assert_eq!(json(b"a\xffb", "utf8"), None);
        assert_eq!(json(b"a\xffb", "utf8s").as_deref(), Some("ab"));
        assert_eq!(
            url_dec("/a%20b+c?x=1+2", false).as_deref(),
            Some("/a b+c?x=1 2")
        );
        assert_eq!(url_dec("a+b%41", true).as_deref(), Some("a bA"));
        assert_eq!(url_dec("a%zz", true), None);
        assert_eq!(url_dec("a%4", true), None);
        assert_eq!(url_enc(b"a b/c~"), "a%20b%2Fc~");
    }

    #[test]
    fn dates() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_404_999_830), "Thu, 10 Jul 2014 13:43:50 GMT");
        assert_eq!(
            strftime("%Y%m%d%H%M%S %j", 1_404_999_830),
            "20140710134350 191"
        );
        assert_eq!(strftime("%F %T", 951_782_400), "2000-02-29 00:00:00");
        assert_eq!(strftime("%a %s", -86_400), "Wed -86400");
    }
}
