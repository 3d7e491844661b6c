//! `net.inet.carp.*` lines of sysctl.conf (or loader.conf tunables) →
//! [`CarpSysctl`]. Other sysctls are none of harp's business and are
//! skipped silently, as rc.d/sysctl would apply them to the kernel.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::combinator::{all_consuming, map_res, opt};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::diag::Diagnostics;

use super::model::CarpSysctl;
use super::shell::SysctlLine;

const PREFIX: &str = "net.inet.carp.";

/// An integer as sysctl(8) reads one: decimal or `0x` hex, signed.
fn integer(i: &str) -> IResult<&str, i64> {
    let (i, neg) = opt(alt((tag("-"), tag("+")))).parse(i)?;
    let (i, n) = all_consuming(alt((
        preceded(
            alt((tag("0x"), tag("0X"))),
            map_res(take_while1(|c: char| c.is_ascii_hexdigit()), |h| {
                i64::from_str_radix(h, 16)
            }),
        ),
        map_res(take_while1(|c: char| c.is_ascii_digit()), str::parse::<i64>),
    )))
    .parse(i)?;
    Ok((i, if neg == Some("-") { -n } else { n }))
}

fn parse_int(v: &[u8]) -> Option<i64> {
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| integer(s).ok())
        .map(|(_, n)| n)
}

/// Reads the CARP sysctls from the lines, in order; FreeBSD defaults for
/// those not set.
pub fn lower(lines: &[SysctlLine], diags: &mut Diagnostics) -> CarpSysctl {
    let mut s = CarpSysctl::default();
    for l in lines {
        let Some(knob) = l.name.strip_prefix(PREFIX) else {
            continue;
        };
        let loc = Some(l.loc.clone());
        let shown: String = String::from_utf8_lossy(&l.value).chars().take(40).collect();
        let Some(n) = parse_int(&l.value) else {
            if matches!(knob, "stats" | "suppress_preempt" | "arpbalance") || !is_known(knob) {
                report_other(knob, &l.name, loc, diags);
            } else {
                diags.alert(loc, format!("{}: '{shown}' is not an integer", l.name));
            }
            continue;
        };
        let to_i32 = |diags: &mut Diagnostics| {
            i32::try_from(n).map_err(|_| {
                diags.alert(
                    Some(l.loc.clone()),
                    format!("{}: {n} is out of range for an int", l.name),
                )
            })
        };
        match knob {
            "allow" => s.allow = n != 0,
            "preempt" => s.preempt = n != 0,
            "log" => match u32::try_from(n) {
                Ok(v) => s.log = v,
                Err(_) => diags.alert(
                    loc,
                    format!("{}: {n} is out of range (must be 0 or more)", l.name),
                ),
            },
            // Writing this sysctl adds to the current demotion (CARP.md §8),
            // so successive lines add up.
            "demotion" => {
                if let Ok(v) = to_i32(diags) {
                    match s.demotion.checked_add(v) {
                        Some(sum) => s.demotion = sum,
                        None => diags.alert(
                            loc,
                            format!("{}: the demotions add up past the int range", l.name),
                        ),
                    }
                }
            }
            "ifdown_demotion_factor" => {
                if let Ok(v) = to_i32(diags) {
                    s.ifdown_demotion_factor = v;
                }
            }
            "senderr_demotion_factor" => {
                if let Ok(v) = to_i32(diags) {
                    s.senderr_demotion_factor = v;
                }
            }
            "dscp" => match u8::try_from(n) {
                Ok(v) if v <= 63 => s.dscp = v,
                _ => diags.alert(
                    loc,
                    format!("{}: {n} is out of range (must be 0..63)", l.name),
                ),
            },
            other => report_other(other, &l.name, loc, diags),
        }
    }
    s
}

fn is_known(knob: &str) -> bool {
    matches!(
        knob,
        "allow"
            | "preempt"
            | "log"
            | "demotion"
            | "ifdown_demotion_factor"
            | "senderr_demotion_factor"
            | "dscp"
    )
}

fn report_other(knob: &str, name: &str, loc: Option<crate::diag::Loc>, diags: &mut Diagnostics) {
    let msg = match knob {
        "stats" | "suppress_preempt" => format!("{name} is read-only; the line is ignored"),
        "arpbalance" => {
            format!("{name}: FreeBSD 9's ARP balancing is not supported by harp; ignored")
        }
        _ => format!("{name} is not a CARP sysctl harp knows; ignored"),
    };
    diags.warning(loc, msg);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Loc, Severity};

    fn lines(text: &[(&str, &str)]) -> Vec<SysctlLine> {
        text.iter()
            .enumerate()
            .map(|(n, (k, v))| SysctlLine {
                name: k.to_string(),
                value: v.as_bytes().to_vec(),
                loc: Loc::new("sysctl.conf", n as u32 + 1),
            })
            .collect()
    }

    #[test]
    fn integers() {
        assert_eq!(parse_int(b"10"), Some(10));
        assert_eq!(parse_int(b"-5"), Some(-5));
        assert_eq!(parse_int(b"+5"), Some(5));
        assert_eq!(parse_int(b"0x1f"), Some(31));
        assert_eq!(parse_int(b""), None);
        assert_eq!(parse_int(b"1x"), None);
        assert_eq!(parse_int(b"99999999999999999999"), None);
    }

    #[test]
    fn reads_carp_knobs_and_adds_demotion() {
        let mut d = Diagnostics::default();
        let s = lower(
            &lines(&[
                ("net.inet.carp.preempt", "1"),
                ("net.inet.carp.allow", "0"),
                ("net.inet.carp.log", "2"),
                ("net.inet.carp.demotion", "50"),
                ("net.inet.carp.demotion", "-20"),
                ("net.inet.carp.ifdown_demotion_factor", "100"),
                ("net.inet.carp.senderr_demotion_factor", "0"),
                ("net.inet.carp.dscp", "46"),
                ("kern.ipc.somaxconn", "1024"),
            ]),
            &mut d,
        );
        assert!(d.items.is_empty(), "{d:?}");
        assert_eq!(
            s,
            CarpSysctl {
                allow: false,
                preempt: true,
                log: 2,
                demotion: 30,
                ifdown_demotion_factor: 100,
                senderr_demotion_factor: 0,
                dscp: 46,
            }
        );
    }

    #[test]
    fn bad_values_are_fatal_unknown_knobs_warn() {
        let mut d = Diagnostics::default();
        let s = lower(
            &lines(&[
                ("net.inet.carp.dscp", "64"),
                ("net.inet.carp.preempt", "yes"),
                ("net.inet.carp.log", "-1"),
                ("net.inet.carp.demotion", "3000000000"),
                ("net.inet.carp.arpbalance", "1"),
                ("net.inet.carp.suppress_preempt", "0"),
                ("net.inet.carp.bogus", "1"),
            ]),
            &mut d,
        );
        assert_eq!(s, CarpSysctl::default());
        assert_eq!(d.count(Severity::Alert), 4);
        assert_eq!(d.count(Severity::Warning), 3);
        assert_eq!(d.items[0].loc, Some(Loc::new("sysctl.conf", 1)));
        assert_eq!(
            d.items[0].message,
            "net.inet.carp.dscp: 64 is out of range (must be 0..63)"
        );
    }
}
