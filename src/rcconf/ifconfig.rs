//! The ifconfig(8) argument grammar of one rc.conf line, as rc runs it:
//! `ifconfig <if> <value>` with the value split on blanks.
//!
//! `[inet|inet6] { vhid N | advbase N | advskew N | pass P | state S |
//! peer A | peer6 A | mcast | mcast6 | netmask M | prefixlen N |
//! broadcast A | alias | -alias | up | down | ADDRESS[/LEN] | other }`
//! (grammar/rc.conf.ebnf). [`super::ifwords`] lexes the words with nom into
//! [`Item`]s; the checks FreeBSD's ifconfig and kernel make (ranges,
//! "requires vhid") follow here in [`parse_line`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::diag::{Diagnostics, Loc};

use super::addr::{classful_len, parse_addr, parse_netmask, AddrError};
pub use super::ifwords::{lex_items, Family, Flag, Item, Param};
use super::model::{CarpAddr, InitialState, MAX_KEY_LEN};

/// `peer` / `peer6` setting of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer<A> {
    Unicast(A),
    Multicast,
}

/// What one ifconfig line sets. `None` = not written on this line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IfLine {
    pub family: Option<Family>,
    pub addrs: Vec<CarpAddr>,
    pub vhid: Option<u8>,
    pub advbase: Option<u8>,
    pub advskew: Option<u8>,
    pub key: Option<Vec<u8>>,
    pub state: Option<InitialState>,
    pub peer: Option<Peer<Ipv4Addr>>,
    pub peer6: Option<Peer<Ipv6Addr>>,
    /// `-alias` / `delete`: the address is removed, not added.
    pub remove: bool,
    pub down: bool,
}

/// How the line is read.
#[derive(Debug, Clone, Copy)]
pub struct LineCtx<'a> {
    pub loc: &'a Loc,
    /// The variable, for messages.
    pub var: &'a str,
    /// FreeBSD ≥ 10 ifconfig: `advbase`, `advskew`, `pass`, `state` need a
    /// `vhid` before them. FreeBSD 9's `carpN` lines accept any order.
    pub vhid_first: bool,
    /// Lines of a `carpN` interface: every word must be understood.
    pub carp_if: bool,
    /// Address ranges (`a.b.c.d-e`) are expanded (alias variables only).
    pub ranges: bool,
}

/// Which of `/len`, `netmask` or `prefixlen` came last.
enum MaskSrc<'a> {
    Netmask(&'a str),
    Prefixlen(u8),
}

fn number(param: Param, arg: &[u8], lo: u32, hi: u32) -> Result<u8, String> {
    let text = String::from_utf8_lossy(arg);
    let shown: String = text.chars().take(40).collect();
    let name = param.name();
    if arg.is_empty() || !arg.iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "{name} {shown}: invalid (expected a number from {lo} to {hi})"
        ));
    }
    // Only digits: a parse failure is an overflow.
    let n = text.parse::<u64>().unwrap_or(u64::MAX);
    if n < u64::from(lo) {
        return Err(format!("{name} {shown}: too small (must be {lo}..{hi})"));
    }
    if n > u64::from(hi) {
        return Err(format!("{name} {shown}: too large (must be {lo}..{hi})"));
    }
    u8::try_from(n).map_err(|_| format!("{name} {shown}: too large"))
}

fn utf8(arg: &[u8]) -> &str {
    std::str::from_utf8(arg).unwrap_or("\u{fffd}")
}

fn set<T>(slot: &mut Option<T>, v: T) -> Result<(), String> {
    *slot = Some(v);
    Ok(())
}

/// Applies one `keyword argument` pair to the line.
fn apply_param<'a>(
    line: &mut IfLine,
    mask: &mut Option<MaskSrc<'a>>,
    p: Param,
    arg: &'a [u8],
    ctx: LineCtx<'_>,
    diags: &mut Diagnostics,
) -> Result<(), String> {
    match p {
        Param::Vhid => number(p, arg, 1, 255).and_then(|v| match line.vhid {
            Some(old) if old != v => Err(format!("vhid is given twice ({old} and {v})")),
            _ => {
                line.vhid = Some(v);
                Ok(())
            }
        }),
        Param::Advbase => number(p, arg, 1, 255).map(|v| line.advbase = Some(v)),
        Param::Advskew => number(p, arg, 0, 254).map(|v| line.advskew = Some(v)),
        Param::Pass => {
            let mut key = arg.to_vec();
            if key.len() > MAX_KEY_LEN {
                diags.warning(
                    Some(ctx.loc.clone()),
                    format!(
                        "{}: the password is {} bytes long; FreeBSD keeps only its first {MAX_KEY_LEN} bytes, and so does harp",
                        ctx.var,
                        key.len()
                    ),
                );
                key.truncate(MAX_KEY_LEN);
            }
            line.key = Some(key);
            Ok(())
        }
        Param::State => match arg.to_ascii_lowercase().as_slice() {
            b"master" => set(&mut line.state, InitialState::Master),
            b"backup" => set(&mut line.state, InitialState::Backup),
            b"init" => set(&mut line.state, InitialState::Init),
            _ => Err(format!(
                "unknown carp state '{}' (expected master, backup or init)",
                utf8(arg)
            )),
        },
        Param::Peer => utf8(arg)
            .parse::<Ipv4Addr>()
            .map(|a| line.peer = Some(Peer::Unicast(a)))
            .map_err(|_| format!("peer '{}' is not an IPv4 address", utf8(arg))),
        Param::Peer6 => utf8(arg)
            .parse::<Ipv6Addr>()
            .map(|a| line.peer6 = Some(Peer::Unicast(a)))
            .map_err(|_| format!("peer6 '{}' is not an IPv6 address", utf8(arg))),
        Param::Netmask => {
            *mask = Some(MaskSrc::Netmask(utf8(arg)));
            Ok(())
        }
        Param::Prefixlen => number(p, arg, 0, 128).map(|v| {
            *mask = Some(MaskSrc::Prefixlen(v));
        }),
        Param::Broadcast => Ok(()),
        Param::Carpver => match arg {
            b"2" => Ok(()),
            _ => Err(format!(
                "carpver {}: harp speaks CARP version 2 only (not VRRPv3)",
                utf8(arg)
            )),
        },
    }
}

/// Parses one line. Errors are reported to `diags` (with the line's
/// location); `None` when the line has a fatal error.
pub fn parse_line(value: &[u8], ctx: LineCtx<'_>, diags: &mut Diagnostics) -> Option<IfLine> {
    let loc = Some(ctx.loc.clone());
    let mut fatal = false;
    let alert = |diags: &mut Diagnostics, msg: String| {
        diags.alert(loc.clone(), format!("{}: {msg}", ctx.var));
    };
    let mut line = IfLine::default();
    let mut addr_word: Option<(&str, super::addr::AddrWord)> = None;
    let mut mask: Option<MaskSrc<'_>> = None;
    let mut unknown: Vec<&[u8]> = Vec::new();
    let mut vhid_written = false;

    for (n, it) in lex_items(value).into_iter().enumerate() {
        match it {
            Item::Family(f) if n == 0 => line.family = Some(f),
            Item::Family(_) => {
                fatal = true;
                alert(
                    diags,
                    "the address family (inet/inet6) must be the first word".into(),
                );
            }
            Item::MissingArg(p) => {
                fatal = true;
                alert(diags, format!("'{}' needs an argument", p.name()));
            }
            Item::Param(p, arg) => {
                let needs_vhid = matches!(
                    p,
                    Param::Advbase | Param::Advskew | Param::Pass | Param::State
                );
                if p == Param::Vhid {
                    vhid_written = true;
                }
                // An invalid vhid was already reported: no cascade.
                if needs_vhid && ctx.vhid_first && !vhid_written {
                    fatal = true;
                    alert(
                        diags,
                        format!("{} requires vhid: write 'vhid N' before it", p.name()),
                    );
                    continue;
                }
                let res = apply_param(&mut line, &mut mask, p, arg, ctx, diags);
                if let Err(msg) = res {
                    fatal = true;
                    alert(diags, msg);
                }
            }
            Item::Flag(f) => match f {
                Flag::Alias | Flag::Up => {}
                Flag::RemoveAlias => line.remove = true,
                Flag::Down => line.down = true,
                Flag::Mcast => line.peer = Some(Peer::Multicast),
                Flag::Mcast6 => line.peer6 = Some(Peer::Multicast),
            },
            Item::Other(_) => {}
            Item::Word(w) => match std::str::from_utf8(w)
                .map_err(|_| AddrError::NotAddress)
                .and_then(parse_addr)
            {
                Ok(a) if addr_word.is_none() => {
                    // A `/len` written after a `netmask` replaces it.
                    if a.prefix.is_some() {
                        mask = None;
                    }
                    addr_word = Some((utf8(w), a));
                }
                Ok(_) => diags.warning(
                    loc.clone(),
                    format!(
                        "{}: second address '{}' would be a point-to-point destination; ignored",
                        ctx.var,
                        utf8(w)
                    ),
                ),
                Err(AddrError::Bad(msg)) => {
                    fatal = true;
                    alert(diags, msg);
                }
                Err(AddrError::NotAddress) => unknown.push(w),
            },
        }
    }

    if ctx.carp_if || line.vhid.is_some() {
        for w in unknown {
            fatal = true;
            let shown: String = String::from_utf8_lossy(w).chars().take(40).collect();
            alert(
                diags,
                format!("'{shown}' is neither an ifconfig keyword harp knows nor an IP address (host names are not resolved)"),
            );
        }
    }

    if let Some((text, a)) = addr_word {
        let family = line.family.unwrap_or(Family::Inet);
        let v6 = a.addrs.first().is_some_and(IpAddr::is_ipv6);
        if v6 != (family == Family::Inet6) {
            fatal = true;
            let msg = match (line.family, v6) {
                (None, true) => format!("'{text}' is an IPv6 address: start the line with 'inet6'"),
                (_, true) => format!("'{text}' is an IPv6 address but the line says inet"),
                (_, false) => format!("'{text}' is an IPv4 address but the line says inet6"),
            };
            alert(diags, msg);
        }
        if a.range && !ctx.ranges {
            fatal = true;
            alert(
                diags,
                format!("'{text}': rc expands address ranges only in alias variables"),
            );
        }
        let max = if v6 { 128 } else { 32 };
        let prefix = match mask {
            Some(MaskSrc::Netmask(m)) => match parse_netmask(m, v6) {
                Ok(p) => Some(p),
                Err(msg) => {
                    fatal = true;
                    alert(diags, msg);
                    None
                }
            },
            Some(MaskSrc::Prefixlen(p)) if p > max => {
                fatal = true;
                alert(
                    diags,
                    format!("prefixlen {p}: too large (must be 0..{max})"),
                );
                None
            }
            Some(MaskSrc::Prefixlen(p)) => Some(p),
            None => a.prefix,
        };
        let prefix = match (prefix, a.addrs.first()) {
            (Some(p), _) => p,
            (None, Some(IpAddr::V4(first))) => {
                let len = classful_len(*first);
                // Only CARP addresses are worth a warning: the mask is part
                // of what the peers must agree on.
                if ctx.carp_if || line.vhid.is_some() {
                    diags.warning(
                        loc.clone(),
                        format!(
                            "{}: no netmask for '{text}'; FreeBSD then uses the old class mask /{len}",
                            ctx.var
                        ),
                    );
                }
                len
            }
            (None, _) => 64,
        };
        line.addrs = a
            .addrs
            .iter()
            .map(|&addr| CarpAddr {
                addr,
                prefix_len: prefix,
            })
            .collect();
    }
    (!fatal).then_some(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn ctx<'a>(loc: &'a Loc, vhid_first: bool) -> LineCtx<'a> {
        LineCtx {
            loc,
            var: "ifconfig_em0_alias0",
            vhid_first,
            carp_if: false,
            ranges: true,
        }
    }

    fn parse(s: &str, vhid_first: bool) -> (Option<IfLine>, Diagnostics) {
        let loc = Loc::new("rc.conf", 4);
        let mut d = Diagnostics::default();
        let l = parse_line(s.as_bytes(), ctx(&loc, vhid_first), &mut d);
        (l, d)
    }

    fn addr(s: &str, len: u8) -> CarpAddr {
        CarpAddr {
            addr: s.parse().unwrap(),
            prefix_len: len,
        }
    }

    #[test]
    fn seed_master_line() {
        let (l, d) = parse("vhid 1 pass <password> 10.10.0.1/16", true);
        let l = l.unwrap();
        assert!(d.items.is_empty());
        assert_eq!(l.vhid, Some(1));
        assert_eq!(l.key.as_deref(), Some(&b"<password>"[..]));
        assert_eq!(l.addrs, vec![addr("10.10.0.1", 16)]);
        assert_eq!((l.advbase, l.advskew), (None, None));
    }

    #[test]
    fn freebsd10_alias_line() {
        let (l, d) = parse(
            "inet vhid 3 advbase 2 advskew 100 pass secret state backup peer 10.0.0.9 alias 10.10.0.1 netmask 0xffffff00",
            true,
        );
        let l = l.unwrap();
        assert!(d.items.is_empty(), "{d:?}");
        assert_eq!(
            (l.vhid, l.advbase, l.advskew),
            (Some(3), Some(2), Some(100))
        );
        assert_eq!(l.state, Some(InitialState::Backup));
        assert_eq!(l.peer, Some(Peer::Unicast("10.0.0.9".parse().unwrap())));
        assert_eq!(l.addrs, vec![addr("10.10.0.1", 24)]);
        let (l, _) = parse(
            "inet6 vhid 1 pass s alias 2001:db8::1 prefixlen 64 mcast6",
            true,
        );
        let l = l.unwrap();
        assert_eq!(l.addrs, vec![addr("2001:db8::1", 64)]);
        assert_eq!(l.peer6, Some(Peer::Multicast));
    }

    #[test]
    fn ranges_enforced() {
        for (s, needle) in [
            ("vhid 0 pass x 10.0.0.1/32", "vhid 0: too small"),
            ("vhid 256 10.0.0.1/32", "vhid 256: too large"),
            ("vhid 1 advskew 255", "advskew 255: too large"),
            ("vhid 1 advbase 0", "advbase 0: too small"),
            ("vhid x", "vhid x: invalid"),
            ("vhid 99999999999999999999999", "too large"),
            ("vhid 1 state lead", "unknown carp state 'lead'"),
            ("vhid 1 peer ::1", "peer '::1' is not an IPv4"),
            ("vhid 1 carpver 3", "CARP version 2 only"),
        ] {
            let (l, d) = parse(s, true);
            assert!(l.is_none(), "{s}");
            assert_eq!(d.count(Severity::Alert), 1, "{s}: {d:?}");
            assert!(
                d.items[0].message.contains(needle),
                "{s}: {}",
                d.items[0].message
            );
            assert_eq!(d.items[0].loc, Some(Loc::new("rc.conf", 4)));
        }
    }

    #[test]
    fn vhid_must_come_first_on_freebsd10() {
        let (l, d) = parse("inet pass secret vhid 1 alias 10.0.0.1/32", true);
        assert!(l.is_none());
        assert_eq!(
            d.items[0].message,
            "ifconfig_em0_alias0: pass requires vhid: write 'vhid N' before it"
        );
        // FreeBSD 9 carpN lines accept any order.
        let (l, d) = parse("advskew 100 pass secret vhid 1 10.0.0.1/24", false);
        assert_eq!(l.unwrap().advskew, Some(100));
        assert!(d.items.is_empty());
    }

    #[test]
    fn long_password_truncated_with_warning() {
        let (l, d) = parse("vhid 1 pass 0123456789abcdefghijKLMN 10.0.0.1/32", true);
        assert_eq!(l.unwrap().key.unwrap(), b"0123456789abcdefghi".to_vec());
        assert_eq!(d.count(Severity::Warning), 1);
        assert!(!d.items[0].message.contains("KLMN"), "password not echoed");
    }

    #[test]
    fn address_family_and_masks() {
        let (l, _) = parse("vhid 1 2001:db8::1/64", true);
        assert!(l.is_none());
        let (l, _) = parse("inet6 vhid 1 10.0.0.1/24", true);
        assert!(l.is_none());
        let (l, d) = parse("vhid 1 10.0.0.1", true);
        assert_eq!(l.unwrap().addrs, vec![addr("10.0.0.1", 8)]);
        assert_eq!(d.count(Severity::Warning), 1);
        let (l, d) = parse("inet 192.168.0.1", true);
        assert_eq!(l.unwrap().addrs, vec![addr("192.168.0.1", 24)]);
        assert!(d.items.is_empty());
        let (l, _) = parse("10.0.0.1 netmask 255.255.0.0", true);
        assert_eq!(l.unwrap().addrs, vec![addr("10.0.0.1", 16)]);
        let (l, _) = parse("netmask 255.255.0.0 10.0.0.1/24", true);
        assert_eq!(l.unwrap().addrs, vec![addr("10.0.0.1", 24)]);
        let (l, _) = parse("inet 10.0.0.1 netmask 255.0.255.0", true);
        assert!(l.is_none());
        let (l, _) = parse("inet6 2001:db8::5", true);
        assert_eq!(l.unwrap().addrs, vec![addr("2001:db8::5", 64)]);
        let (l, _) = parse("inet6 2001:db8::5 prefixlen 129", true);
        assert!(l.is_none());
    }

    #[test]
    fn unknown_words() {
        // Not a CARP line: other words are none of harp's business.
        let (l, d) = parse("inet 10.0.0.2/24 media autoselect polling fancyflag", true);
        assert_eq!(l.unwrap().addrs, vec![addr("10.0.0.2", 24)]);
        assert!(d.items.is_empty());
        // In a CARP line an unknown word may be a host name: refuse.
        let (l, d) = parse("inet vhid 1 pass x alias vip.example.com", true);
        assert!(l.is_none());
        assert!(d.items[0].message.contains("'vip.example.com' is neither"));
        let (l, d) = parse("inet vhid 1 pass x alias", true);
        assert!(l.unwrap().addrs.is_empty());
        assert!(d.items.is_empty());
    }

    #[test]
    fn family_must_be_first_and_args_present() {
        let (l, d) = parse("vhid 1 inet 10.0.0.1/32", true);
        assert!(l.is_none());
        assert!(d.items[0].message.contains("must be the first word"));
        let (l, d) = parse("inet vhid", true);
        assert!(l.is_none());
        assert!(d.items[0].message.contains("'vhid' needs an argument"));
    }

    #[test]
    fn remove_and_second_address() {
        let (l, d) = parse("inet 10.0.0.1/32 10.0.0.2 -alias", true);
        let l = l.unwrap();
        assert!(l.remove);
        assert_eq!(l.addrs, vec![addr("10.0.0.1", 32)]);
        assert_eq!(d.count(Severity::Warning), 1);
    }
}
