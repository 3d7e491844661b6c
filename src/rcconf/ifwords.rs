//! Words of an ifconfig argument string: keywords with their arguments,
//! flags, address-family words, and everything else (addresses, unknown
//! words). rc word-splits the variable's value on blanks; nom does the
//! same here and groups each keyword with its argument.

use nom::bytes::complete::{take_till1, take_while};
use nom::combinator::{all_consuming, opt};
use nom::multi::many0;
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};

/// Address family word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Inet,
    Inet6,
}

/// Keywords that take one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Vhid,
    Advbase,
    Advskew,
    Pass,
    State,
    Peer,
    Peer6,
    Netmask,
    Prefixlen,
    Broadcast,
    Carpver,
}

impl Param {
    fn from_word(w: &[u8]) -> Option<Param> {
        Some(match w {
            b"vhid" => Param::Vhid,
            b"advbase" => Param::Advbase,
            b"advskew" => Param::Advskew,
            b"pass" => Param::Pass,
            b"state" => Param::State,
            b"peer" => Param::Peer,
            b"peer6" => Param::Peer6,
            b"netmask" => Param::Netmask,
            b"prefixlen" => Param::Prefixlen,
            b"broadcast" => Param::Broadcast,
            b"carpver" => Param::Carpver,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Param::Vhid => "vhid",
            Param::Advbase => "advbase",
            Param::Advskew => "advskew",
            Param::Pass => "pass",
            Param::State => "state",
            Param::Peer => "peer",
            Param::Peer6 => "peer6",
            Param::Netmask => "netmask",
            Param::Prefixlen => "prefixlen",
            Param::Broadcast => "broadcast",
            Param::Carpver => "carpver",
        }
    }
}

/// Keywords without argument that matter to CARP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Alias,
    RemoveAlias,
    Mcast,
    Mcast6,
    Up,
    Down,
}

impl Flag {
    fn from_word(w: &[u8]) -> Option<Flag> {
        Some(match w {
            b"alias" | b"add" => Flag::Alias,
            b"-alias" | b"delete" => Flag::RemoveAlias,
            b"mcast" => Flag::Mcast,
            b"mcast6" => Flag::Mcast6,
            b"up" => Flag::Up,
            b"down" => Flag::Down,
            _ => return None,
        })
    }
}

/// ifconfig keywords that do not concern CARP, with their argument count:
/// skipped so that their arguments are not taken for addresses.
const OTHER_KEYWORDS: &[(&str, usize)] = &[
    ("mtu", 1),
    ("metric", 1),
    ("media", 1),
    ("mediaopt", 1),
    ("-mediaopt", 1),
    ("mode", 1),
    ("description", 1),
    ("descr", 1),
    ("name", 1),
    ("ether", 1),
    ("lladdr", 1),
    ("vlan", 1),
    ("vlandev", 1),
    ("vlanpcp", 1),
    ("laggproto", 1),
    ("laggport", 1),
    ("-laggport", 1),
    ("tunnel", 2),
    ("fib", 1),
    ("tunnelfib", 1),
    ("group", 1),
    ("-group", 1),
    ("pltime", 1),
    ("vltime", 1),
    ("vnet", 1),
    ("-vnet", 1),
    ("ssid", 1),
    ("channel", 1),
    ("wlandev", 1),
    ("wlanmode", 1),
    ("addm", 1),
    ("deletem", 1),
    ("vrrpprio", 1),
    ("vrrpinterval", 1),
    ("arp", 0),
    ("-arp", 0),
    ("promisc", 0),
    ("-promisc", 0),
    ("debug", 0),
    ("-debug", 0),
    ("monitor", 0),
    ("-monitor", 0),
    ("staticarp", 0),
    ("-staticarp", 0),
    ("rxcsum", 0),
    ("-rxcsum", 0),
    ("txcsum", 0),
    ("-txcsum", 0),
    ("tso", 0),
    ("-tso", 0),
    ("lro", 0),
    ("-lro", 0),
    ("polling", 0),
    ("-polling", 0),
    ("vlanmtu", 0),
    ("-vlanmtu", 0),
    ("vlanhwtag", 0),
    ("-vlanhwtag", 0),
    ("accept_rtadv", 0),
    ("-accept_rtadv", 0),
    ("auto_linklocal", 0),
    ("-auto_linklocal", 0),
    ("ifdisabled", 0),
    ("-ifdisabled", 0),
    ("no_radr", 0),
    ("-no_radr", 0),
    ("anycast", 0),
    ("tentative", 0),
    ("-tentative", 0),
    ("deprecated", 0),
    ("-deprecated", 0),
    ("autoconf", 0),
    ("-autoconf", 0),
    ("prefer_source", 0),
    ("-prefer_source", 0),
    ("eui64", 0),
    ("create", 0),
    ("link0", 0),
    ("-link0", 0),
    ("link1", 0),
    ("-link1", 0),
    ("link2", 0),
    ("-link2", 0),
];

/// One lexed element of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item<'a> {
    Family(Family),
    Param(Param, &'a [u8]),
    /// A keyword at the end of the line without its argument.
    MissingArg(Param),
    Flag(Flag),
    /// A keyword from [`OTHER_KEYWORDS`] (with its arguments).
    Other(&'a [u8]),
    /// An address, or a word harp does not know.
    Word(&'a [u8]),
}

/// rc word-splits the value on IFS: space, tab, newline.
fn is_ifs(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\n'
}

fn word(i: &[u8]) -> IResult<&[u8], &[u8]> {
    preceded(take_while(is_ifs), take_till1(is_ifs)).parse(i)
}

fn item(i: &[u8]) -> IResult<&[u8], Item<'_>> {
    let (rest, w) = word(i)?;
    if let Some(p) = Param::from_word(w) {
        return Ok(match opt(word).parse(rest)? {
            (rest, Some(arg)) => (rest, Item::Param(p, arg)),
            (rest, None) => (rest, Item::MissingArg(p)),
        });
    }
    if let Some(f) = Flag::from_word(w) {
        return Ok((rest, Item::Flag(f)));
    }
    match w {
        b"inet" => return Ok((rest, Item::Family(Family::Inet))),
        b"inet6" => return Ok((rest, Item::Family(Family::Inet6))),
        _ => {}
    }
    if let Some(&(_, n)) = OTHER_KEYWORDS.iter().find(|(k, _)| k.as_bytes() == w) {
        let mut rest = rest;
        for _ in 0..n {
            if let (r, Some(_)) = opt(word).parse(rest)? {
                rest = r;
            }
        }
        return Ok((rest, Item::Other(w)));
    }
    Ok((rest, Item::Word(w)))
}

/// Splits an ifconfig argument string into items.
pub fn lex_items(value: &[u8]) -> Vec<Item<'_>> {
    match all_consuming(terminated(many0(item), take_while(is_ifs))).parse(value) {
        Ok((_, items)) => items,
        // Unreachable: every non-blank run is a word. Keep nothing.
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_items() {
        let items = lex_items(b"  inet vhid 1 pass x\talias 10.0.0.1/32 mtu 1500 advskew");
        assert_eq!(
            items,
            vec![
                Item::Family(Family::Inet),
                Item::Param(Param::Vhid, b"1"),
                Item::Param(Param::Pass, b"x"),
                Item::Flag(Flag::Alias),
                Item::Word(b"10.0.0.1/32"),
                Item::Other(b"mtu"),
                Item::MissingArg(Param::Advskew),
            ]
        );
        assert!(lex_items(b"   \n").is_empty());
    }
}
