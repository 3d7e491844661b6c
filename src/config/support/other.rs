//! Keywords of the small sections harp reads (`Context::Other(section)`).
//! Sections that are refused as a whole have no keyword rows: the section
//! header already stops the load.

use super::{imp, noeff, Context, Entry};

const UL: Context = Context::Other("userlist");
const HE: Context = Context::Other("http-errors");
const RS: Context = Context::Other("resolvers");
const PE: Context = Context::Other("peers");
const MA: Context = Context::Other("mailers");
const RI: Context = Context::Other("ring");

#[rustfmt::skip]
pub static TABLE: &[Entry] = &[
    imp(UL, "user", "user with a crypt(3) hash or insecure-password"),
    imp(UL, "group", "group and its users"),
    imp(HE, "errorfile", "file served for one status"),
    noeff(RS, "nameserver", "DNS server of the section"),
    noeff(RS, "parse-resolv-conf", "read nameservers from /etc/resolv.conf"),
    noeff(RS, "accepted_payload_size", "EDNS0 payload size"),
    noeff(RS, "hold", "how long answers are kept"),
    noeff(RS, "resolve_retries", "DNS retries"),
    noeff(RS, "timeout resolve", "interval between resolutions"),
    noeff(RS, "timeout retry", "interval between retries"),
    noeff(PE, "peer", "replication peer"),
    noeff(PE, "bind", "replication listener"),
    noeff(PE, "server", "replication peer"),
    noeff(PE, "default-bind", "replication listener defaults"),
    noeff(PE, "default-server", "replication peer defaults"),
    noeff(PE, "table", "stick table of the section"),
    noeff(PE, "disabled", "disables the section"),
    noeff(PE, "enabled", "enables the section"),
    noeff(PE, "log", "log target of the section"),
    noeff(PE, "shards", "HAProxy 2.9+ table sharding"),
    noeff(MA, "mailer", "SMTP server for email alerts"),
    noeff(MA, "timeout mail", "SMTP timeout"),
    noeff(RI, "description", "ring description"),
    noeff(RI, "format", "ring line format"),
    noeff(RI, "maxlen", "ring line length"),
    noeff(RI, "size", "ring size"),
    noeff(RI, "backing-file", "ring backing file"),
    noeff(RI, "server", "ring forwarding target"),
    noeff(RI, "timeout connect", "ring forwarding timeout"),
    noeff(RI, "timeout server", "ring forwarding timeout"),
];
