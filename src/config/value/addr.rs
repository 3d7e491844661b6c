//! Socket addresses of `bind` and `server` lines (configuration.txt §2.9,
//! "bind", "server"). Host names stay names here; resolving them is the
//! model layer's job. Error texts are HAProxy 2.6's, without the
//! `'bind' : ` / `'server b/s' : ` prefix the caller adds. Some end in a
//! newline, as HAProxy's do: it shows as an empty line after `server` and
//! `stats socket` alerts, and `bind` trims it.

use std::net::IpAddr;

use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::combinator::value;
use nom::IResult;
use nom::Parser;

/// Address family forced by a prefix (`ipv4@`, `tcp6@` ...), if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Unspec,
    V4,
    V6,
}

/// The host part of an inet address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// Empty or `*`: every address of the family (0.0.0.0, or :: with ipv6@).
    Any,
    /// A literal IP address.
    Ip(IpAddr),
    /// A host name, to be resolved later.
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindAddr {
    /// A TCP listener on one port or a range `lo-hi` (lo == hi for one port).
    Inet {
        family: Family,
        host: Host,
        port_lo: u16,
        port_hi: u16,
    },
    /// `/path`, `unix@path` or `uxst@path`.
    Unix(String),
    /// `abns@name` (Linux abstract namespace).
    Abns(String),
    /// `fd@N`: an inherited listening socket.
    Fd(i32),
    /// `sockpair@N`: a socketpair end receiving file descriptors.
    SockPair(i32),
}

/// The port of a server address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerPort {
    /// No port (or port 0): the client's destination port is used.
    Same,
    Fixed(u16),
    /// `+N` / `-N`: the client's destination port plus N.
    Offset(i32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAddr {
    Inet {
        family: Family,
        host: Host,
        port: ServerPort,
    },
    Unix(String),
    Abns(String),
    SockPair(i32),
}

/// What kind of socket a prefix asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inet(Family),
    Unix,
    Abns,
    Fd,
    SockPair,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Stream,
    Dgram,
    /// quic4@/quic6@: QUIC over UDP; HAProxy's Debian build lacks it.
    Quic,
}

/// `stream+` / `dgram+` before the family prefix.
fn transport_prefix(s: &str) -> IResult<&str, Option<Transport>> {
    nom::combinator::opt(alt((
        value(Transport::Stream, tag("stream+")),
        value(Transport::Dgram, tag("dgram+")),
    )))
    .parse(s)
}

/// The `xxx@` family prefixes HAProxy 2.6 knows.
fn family_prefix(s: &str) -> IResult<&str, (Kind, Option<Transport>)> {
    use Family::*;
    use Kind::*;
    use Transport::*;
    alt((
        value((Unix, None), tag("unix@")),
        value((Unix, Some(Stream)), tag("uxst@")),
        value((Unix, Some(Dgram)), tag("uxdg@")),
        value((Abns, None), tag("abns@")),
        value((Inet(V4), None), tag("ipv4@")),
        value((Inet(V6), None), tag("ipv6@")),
        value((Inet(Unspec), Some(Dgram)), tag("udp@")),
        value((Inet(V4), Some(Dgram)), tag("udp4@")),
        value((Inet(V6), Some(Dgram)), tag("udp6@")),
        value((Inet(Unspec), Some(Stream)), tag("tcp@")),
        value((Inet(V4), Some(Stream)), tag("tcp4@")),
        value((Inet(V6), Some(Stream)), tag("tcp6@")),
        value((Inet(V4), Some(Quic)), tag("quic4@")),
        value((Inet(V6), Some(Quic)), tag("quic6@")),
        value((SockPair, None), tag("sockpair@")),
        value((Fd, None), tag("fd@")),
    ))
    .parse(s)
}

/// Where the address is used: ports and offsets differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Bind,
    Server,
    /// `addr` / `agent-addr` of a server: like Server, but a name that can
    /// never resolve is reported at once.
    Check,
    /// `source` of a server: optional port or port range (0 allowed).
    Source,
}

/// Port part as parsed, before the caller decides what is allowed.
enum Port {
    None,
    Offset(i32),
    Range(u16, u16),
}

enum Parsed {
    Inet(Family, Host, Port),
    Unix(String),
    Abns(String),
    Fd(i32),
    SockPair(i32),
}

/// Parses a `bind` address word: one or more comma-separated addresses.
pub fn parse_bind_addr(s: &str) -> Result<Vec<BindAddr>, String> {
    let parts: Vec<&str> = s.split(',').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            // A trailing comma is tolerated; an empty element elsewhere is not.
            if i > 0 && i + 1 == parts.len() {
                break;
            }
            return Err(
                "'' resolves to an empty address (environment variable missing?)\n".to_string(),
            );
        }
        out.push(match parse_one(part, Use::Bind)? {
            Parsed::Inet(family, host, Port::Range(lo, hi)) => BindAddr::Inet {
                family,
                host,
                port_lo: lo,
                port_hi: hi,
            },
            Parsed::Inet(..) => return Err(format!("missing port specification in '{part}'")),
            Parsed::Unix(p) => BindAddr::Unix(p),
            Parsed::Abns(p) => BindAddr::Abns(p),
            Parsed::Fd(n) => BindAddr::Fd(n),
            Parsed::SockPair(n) => BindAddr::SockPair(n),
        });
    }
    Ok(out)
}

/// Parses a `server` address: host or IP with optional port or `+N`/`-N`
/// offset, or a unix socket path.
pub fn parse_server_addr(s: &str) -> Result<ServerAddr, String> {
    if s.is_empty() {
        return Err("'' resolves to an empty address (environment variable missing?)\n".into());
    }
    Ok(match parse_one(s, Use::Server)? {
        Parsed::Inet(family, host, port) => ServerAddr::Inet {
            family,
            host,
            port: match port {
                Port::None => ServerPort::Same,
                Port::Offset(n) => ServerPort::Offset(n),
                Port::Range(0, _) => ServerPort::Same,
                Port::Range(p, _) => ServerPort::Fixed(p),
            },
        },
        Parsed::Unix(p) => ServerAddr::Unix(p),
        Parsed::Abns(p) => ServerAddr::Abns(p),
        Parsed::SockPair(n) => ServerAddr::SockPair(n),
        Parsed::Fd(_) => {
            return Err(format!(
                "a file descriptor is not acceptable here in '{s}'\n"
            ))
        }
    })
}

/// The address of a server's `source` option: like a bind address, but
/// the port is optional (0 = any) and one word holds one address.
pub fn parse_source_addr(s: &str) -> Result<BindAddr, String> {
    Ok(match parse_one(s, Use::Source)? {
        Parsed::Inet(family, host, port) => {
            let (port_lo, port_hi) = match port {
                Port::Range(lo, hi) => (lo, hi),
                Port::None | Port::Offset(_) => (0, 0),
            };
            BindAddr::Inet {
                family,
                host,
                port_lo,
                port_hi,
            }
        }
        Parsed::Unix(p) => BindAddr::Unix(p),
        Parsed::Abns(p) => BindAddr::Abns(p),
        Parsed::Fd(_) => {
            return Err(format!(
                "a file descriptor is not acceptable here in '{s}'\n"
            ))
        }
        Parsed::SockPair(n) => BindAddr::SockPair(n),
    })
}

/// The address of a server's `addr` option: an IP or a host name, with an
/// optional port that is ignored (HAProxy reads it and drops it).
pub fn parse_check_addr(s: &str) -> Result<Host, String> {
    match parse_one(s, Use::Check)? {
        Parsed::Inet(_, host, _) => Ok(host),
        _ => Err(invalid_address(s, s)),
    }
}

/// HAProxy's message for an address it cannot parse or resolve; the model
/// layer uses it too when a bind host name does not resolve.
pub fn invalid_address(host: &str, whole: &str) -> String {
    format!("invalid address: '{host}' in '{whole}'\n")
}

fn parse_one(whole: &str, usage: Use) -> Result<Parsed, String> {
    let (rest, transport) = transport_prefix(whole).unwrap_or((whole, None));
    let (rest, kind, forced) = match family_prefix(rest) {
        Ok((r, (k, t))) => (r, k, t),
        Err(_) => {
            // No known prefix: a leading '/' means a unix socket path.
            let k = if rest.starts_with('/') {
                Kind::Unix
            } else {
                Kind::Inet(Family::Unspec)
            };
            (rest, k, None)
        }
    };
    let transport = forced.or(transport).unwrap_or(Transport::Stream);
    let parsed = match kind {
        Kind::Unix => Parsed::Unix(rest.to_string()),
        Kind::Abns => Parsed::Abns(rest.to_string()),
        Kind::Fd | Kind::SockPair => {
            let n: i32 = rest
                .parse()
                .ok()
                .filter(|_| rest.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    format!("file descriptor '{rest}' is not a valid integer in '{whole}'\n")
                })?;
            if kind == Kind::Fd {
                Parsed::Fd(n)
            } else {
                Parsed::SockPair(n)
            }
        }
        Kind::Inet(family) => parse_inet(whole, rest, family, usage)?,
    };
    match transport {
        Transport::Stream => Ok(parsed),
        Transport::Dgram => Err(format!("dgram-type address not acceptable in '{whole}'\n")),
        Transport::Quic => {
            let fam = if matches!(kind, Kind::Inet(Family::V6)) {
                10
            } else {
                2
            };
            Err(format!(
                "unsupported stream protocol for datagram family {fam} address '{whole}'; \
                 QUIC is not compiled in if this is what you were looking for."
            ))
        }
    }
}

fn parse_inet(whole: &str, s: &str, family: Family, usage: Use) -> Result<Parsed, String> {
    // Split host and port: `[v6]:port`, otherwise at the last colon.
    let (host_txt, bracketed, port_txt) = match bracketed(s) {
        Some((inner, after)) => match after.strip_prefix(':') {
            Some(p) => (inner, true, Some(p)),
            None => (inner, true, None),
        },
        None => match s.rfind(':') {
            Some(i) => (&s[..i], false, Some(&s[i + 1..])),
            None => (s, false, None),
        },
    };
    let shown = if bracketed {
        format!("[{host_txt}]")
    } else {
        host_txt.to_string()
    };
    let host = match parse_host(host_txt, family) {
        Some(h) => h,
        // A server address that is not an IP of the forced family is taken
        // as a name, to be resolved (and rejected) later, as HAProxy does.
        None if usage == Use::Server => Host::Name(host_txt.to_string()),
        None => return Err(invalid_address(&shown, whole)),
    };
    if usage != Use::Server {
        if let Host::Name(n) = &host {
            if !plausible_hostname(n) {
                return Err(invalid_address(&shown, whole));
            }
        }
    }
    let port = match port_txt {
        None => Port::None,
        Some(p) => parse_port(p, whole, usage)?,
    };
    Ok(Parsed::Inet(family, host, port))
}

fn bracketed(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('[')?;
    let end = inner.find(']')?;
    Some((&inner[..end], &inner[end + 1..]))
}

/// None when an IP literal contradicts the forced family.
fn parse_host(h: &str, family: Family) -> Option<Host> {
    if h.is_empty() || h == "*" {
        return Some(Host::Any);
    }
    match h.parse::<IpAddr>() {
        Ok(ip) => match (family, ip) {
            (Family::V4, IpAddr::V6(_)) | (Family::V6, IpAddr::V4(_)) => None,
            _ => Some(Host::Ip(ip)),
        },
        Err(_) => Some(Host::Name(h.to_string())),
    }
}

/// Characters a resolvable name may hold; anything else can never
/// resolve, and HAProxy reports it as an invalid address.
fn plausible_hostname(n: &str) -> bool {
    n.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// Leading decimal digits and the rest.
fn leading_digits(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    s.split_at(n)
}

fn parse_port(p: &str, whole: &str, usage: Use) -> Result<Port, String> {
    if p.starts_with(['+', '-']) {
        if matches!(usage, Use::Bind | Use::Source) {
            return Err(format!("port offset not permitted here in '{whole}'"));
        }
        return Ok(Port::Offset(super::atoi(p)));
    }
    if let Some(c) = p.chars().next().filter(|c| !c.is_ascii_digit()) {
        return Err(format!(
            "invalid character '{c}' in port number '{p}' in '{whole}'\n"
        ));
    }
    // Characters after the digits are ignored, as C's strtol does.
    let (lo_txt, after) = leading_digits(p);
    let lo = super::atol(lo_txt);
    let min = if usage == Use::Bind { 1 } else { 0 };
    let ranges_ok = matches!(usage, Use::Bind | Use::Source);
    if let Some(hi_spec) = after.strip_prefix('-') {
        if !ranges_ok {
            return Err(format!("port range not permitted here in '{whole}'"));
        }
        let hi = super::atol(hi_spec);
        if !(min..=65535).contains(&lo) {
            return Err(format!("invalid port '{lo_txt}'"));
        }
        if !(min..=65535).contains(&hi) {
            return Err(format!("invalid port '{hi_spec}'"));
        }
        if hi < lo {
            return Err(format!("invalid port range '{p}'"));
        }
        return Ok(Port::Range(lo as u16, hi as u16));
    }
    if !(min..=65535).contains(&lo) {
        return Err(format!("invalid port '{lo_txt}'"));
    }
    Ok(Port::Range(lo as u16, lo as u16))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn inet(family: Family, host: Host, lo: u16, hi: u16) -> BindAddr {
        BindAddr::Inet {
            family,
            host,
            port_lo: lo,
            port_hi: hi,
        }
    }

    #[test]
    fn bind_forms() {
        let v4 = Host::Ip(IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4)));
        let any6 = Host::Ip(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
        assert_eq!(
            parse_bind_addr(":80"),
            Ok(vec![inet(Family::Unspec, Host::Any, 80, 80)])
        );
        assert_eq!(
            parse_bind_addr("*:80"),
            Ok(vec![inet(Family::Unspec, Host::Any, 80, 80)])
        );
        assert_eq!(
            parse_bind_addr(":::80"),
            Ok(vec![inet(Family::Unspec, any6.clone(), 80, 80)])
        );
        assert_eq!(
            parse_bind_addr("[::]:8000-8010"),
            Ok(vec![inet(Family::Unspec, any6, 8000, 8010)])
        );
        assert_eq!(
            parse_bind_addr("1.2.3.4:80,ipv4@1.2.3.4:81,"),
            Ok(vec![
                inet(Family::Unspec, v4.clone(), 80, 80),
                inet(Family::V4, v4, 81, 81)
            ])
        );
        assert_eq!(
            parse_bind_addr("/run/h.sock"),
            Ok(vec![BindAddr::Unix("/run/h.sock".into())])
        );
        assert_eq!(parse_bind_addr("fd@3"), Ok(vec![BindAddr::Fd(3)]));
        assert_eq!(
            parse_bind_addr("sockpair@4"),
            Ok(vec![BindAddr::SockPair(4)])
        );
        assert_eq!(
            parse_bind_addr("abns@x"),
            Ok(vec![BindAddr::Abns("x".into())])
        );
    }

    #[test]
    fn bind_errors_match_haproxy() {
        let e = |s: &str| parse_bind_addr(s).unwrap_err();
        assert_eq!(e("1.2.3.4"), "missing port specification in '1.2.3.4'");
        assert_eq!(
            e("1.2.3.4:notaport"),
            "invalid character 'n' in port number 'notaport' in '1.2.3.4:notaport'\n"
        );
        assert_eq!(e(":99999"), "invalid port '99999'");
        assert_eq!(e(":0"), "invalid port '0'");
        assert_eq!(e(":80-70"), "invalid port range '80-70'");
        assert_eq!(e(":80-x"), "invalid port 'x'");
        assert_eq!(e(":5-70000"), "invalid port '70000'");
        assert_eq!(e("foo@:80"), "invalid address: 'foo@' in 'foo@:80'\n");
        assert_eq!(e("::1"), "invalid address: ':' in '::1'\n");
        assert_eq!(
            e("tcp4@[::1]:85"),
            "invalid address: '[::1]' in 'tcp4@[::1]:85'\n"
        );
        assert_eq!(
            e("fd@x"),
            "file descriptor 'x' is not a valid integer in 'fd@x'\n"
        );
        assert_eq!(
            e("udp@:80"),
            "dgram-type address not acceptable in 'udp@:80'\n"
        );
        assert_eq!(
            e("1.2.3.4:+80"),
            "port offset not permitted here in '1.2.3.4:+80'"
        );
        assert_eq!(e("*"), "missing port specification in '*'");
        assert_eq!(
            e(",:80"),
            "'' resolves to an empty address (environment variable missing?)\n"
        );
        assert_eq!(
            e("quic4@:443"),
            "unsupported stream protocol for datagram family 2 address 'quic4@:443'; QUIC is not compiled in if this is what you were looking for."
        );
    }

    #[test]
    fn server_forms_and_errors() {
        let ip = |s: &str| Host::Ip(s.parse().unwrap());
        assert_eq!(
            parse_server_addr("127.0.0.1:8080"),
            Ok(ServerAddr::Inet {
                family: Family::Unspec,
                host: ip("127.0.0.1"),
                port: ServerPort::Fixed(8080)
            })
        );
        assert_eq!(
            parse_server_addr("app.local"),
            Ok(ServerAddr::Inet {
                family: Family::Unspec,
                host: Host::Name("app.local".into()),
                port: ServerPort::Same
            })
        );
        assert_eq!(
            parse_server_addr("[::1]:+10"),
            Ok(ServerAddr::Inet {
                family: Family::Unspec,
                host: ip("::1"),
                port: ServerPort::Offset(10)
            })
        );
        assert_eq!(
            parse_server_addr("1.2.3.4:-5"),
            Ok(ServerAddr::Inet {
                family: Family::Unspec,
                host: ip("1.2.3.4"),
                port: ServerPort::Offset(-5)
            })
        );
        assert_eq!(
            parse_server_addr("/tmp/s"),
            Ok(ServerAddr::Unix("/tmp/s".into()))
        );
        let e = |s: &str| parse_server_addr(s).unwrap_err();
        assert_eq!(
            e("127.0.0.1:notaport"),
            "invalid character 'n' in port number 'notaport' in '127.0.0.1:notaport'\n"
        );
        assert_eq!(e("1.2.3.4:70000"), "invalid port '70000'");
        assert_eq!(
            e("1.2.3.4:80-90"),
            "port range not permitted here in '1.2.3.4:80-90'"
        );
        assert_eq!(
            e("fd@3"),
            "a file descriptor is not acceptable here in 'fd@3'\n"
        );
    }
}
