//! Section types (see the "Sections" list of HAProxy's manual §2/§3/§4 and
//! the registered sections of 2.6 up to 3.5). A section that only configures
//! something nothing else references is `NoEffect`; one whose purpose is to
//! change traffic that harp does not carry is `Refused`.

use super::{imp, noeff, refused, Context, Entry};

const S: Context = Context::Section;

/// HAProxy 2.6's message for `listen|frontend NAME ADDR` (the pre-1.5 form
/// with an address on the header line; any third word but `from <name>`).
pub const LEGACY_LISTEN_ADDR: &str = "please use the 'bind' keyword for listening addresses.";

/// What 2.6 then says for every keyword line of that section, because the
/// section was never opened.
pub const LEGACY_LISTEN_FOLLOWUP: &str = "'listen' or 'defaults' expected.";

#[rustfmt::skip]
pub static TABLE: &[Entry] = &[
    imp(S, "global", "process-wide settings"),
    imp(S, "defaults", "defaults of the proxies that follow, named or not"),
    imp(S, "frontend", "listening side"),
    imp(S, "backend", "server farm"),
    imp(S, "listen", "frontend and backend in one"),
    imp(S, "userlist", "users and groups for http-request auth"),
    imp(S, "http-errors", "errorfile sets used by errorfiles"),
    noeff(S, "resolvers", "no effect alone; servers using it are judged per server"),
    noeff(S, "peers", "replicates stick tables, which harp refuses; one node alone"),
    noeff(S, "mailers", "email alerts change no traffic"),
    noeff(S, "ring", "in-memory log buffer"),
    refused(S, "cache", "caching changes responses; not implemented"),
    refused(S, "program", "harp starts no external programs"),
    refused(S, "fcgi-app", "FastCGI is not implemented"),
    refused(S, "log-forward", "syslog relaying is not implemented"),
    refused(S, "namespace_list", "network namespaces are not implemented"),
    refused(S, "crt-store", "HAProxy 3.0+ (newer than 2.6), not implemented"),
    noeff(S, "traces", "HAProxy 3.1+ debugging traces"),
    noeff(S, "log-profile", "HAProxy 3.1+; no effect unless a log line uses it"),
    refused(S, "acme", "HAProxy 3.2+ certificate issuance, not implemented"),
    refused(S, "healthcheck", "HAProxy 3.5 named checks, not implemented"),
    refused(S, "spoe-agent", "only in SPOE files; SPOE is not implemented"),
    refused(S, "spoe-group", "only in SPOE files; SPOE is not implemented"),
    refused(S, "spoe-message", "only in SPOE files; SPOE is not implemented"),
];
