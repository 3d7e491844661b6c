//! The `source` server option (configuration.txt §5.2 "source"):
//! `source <addr>[:<port>[-<port>]] [usesrc {<addr>[:<port>]|client|clientip|hdr_ip(<hdr>[,<occ>])}] [interface <name>]`.
//! HAProxy 2.6 reports some of its errors with a second, location-less
//! alert ("error encountered while processing ..."); kept.

use crate::config::value::{parse_check_addr, parse_source_addr, BindAddr, Host};

/// Where server connections come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    /// The address (and port range, 0-0 for any) as parsed.
    pub addr: BindAddr,
    pub usesrc: Option<UseSrc>,
    pub interface: Option<String>,
}

/// Transparent proxying: which address the server sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseSrc {
    Client,
    ClientIp,
    /// `hdr_ip(<header>[,<occurrence>])`, as written.
    HdrIp(String),
    Addr(Host),
}

/// One diagnostic: with the line's location and prefix, or without.
pub(super) enum SourceError {
    Located(String),
    Bare(String),
}

/// HAProxy indents messages holding a newline under the line prefix.
fn framed(what: &str, msg: &str) -> String {
    match msg.strip_suffix('\n') {
        Some(m) => format!("\n  {what} : {m}\n  \n."),
        None => format!("{what} : {msg}."),
    }
}

/// Parses the words after `source` (address, then `usesrc X`, `interface X`).
pub(super) fn parse_source(args: &[String]) -> Result<SourceConfig, Vec<SourceError>> {
    use SourceError::{Bare, Located};
    let Some(first) = args.first().filter(|a| !a.is_empty()) else {
        return Err(vec![Located(
            "'source' expects <addr>[:<port>[-<port>]], and optionally 'usesrc' <addr>, and 'interface' <name> as argument..".into(),
        )]);
    };
    let addr = parse_source_addr(first)
        .map_err(|e| vec![Located(framed(&format!("'source {first}'"), &e))])?;
    let mut cfg = SourceConfig {
        addr,
        usesrc: None,
        interface: None,
    };
    let mut i = 1;
    while i < args.len() {
        let val = args.get(i + 1).map(String::as_str).unwrap_or("");
        match args[i].as_str() {
            "usesrc" => {
                let u = match val {
                    "" => {
                        return Err(vec![
                            Located("'usesrc' expects <addr>[:<port>], 'client', 'clientip', or 'hdr_ip(name,#)' as argument.".into()),
                            Bare("error encountered while processing 'usesrc'.".into()),
                        ])
                    }
                    "client" => UseSrc::Client,
                    "clientip" => UseSrc::ClientIp,
                    v if v.starts_with("hdr_ip(") => UseSrc::HdrIp(v.to_string()),
                    v => UseSrc::Addr(parse_check_addr(v).map_err(|e| {
                        vec![
                            Located(format!("'usesrc {v}' : {e}")),
                            Bare("error encountered while processing 'usesrc'.".into()),
                        ]
                    })?),
                };
                cfg.usesrc = Some(u);
            }
            _ => {
                if val.is_empty() {
                    return Err(vec![
                        Located("'server' : missing interface name.".into()),
                        Bare("error encountered while processing 'interface'.".into()),
                    ]);
                }
                cfg.interface = Some(val.to_string());
            }
        }
        i += 2;
    }
    Ok(cfg)
}
