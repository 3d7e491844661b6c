//! `bind`, `server`, `default-server` and `server-template` lines of a
//! proxy: the option parsing itself lives in `config::bind` and
//! `config::server`; this module applies it to the proxy being built.

use crate::config::bind::parse_bind;
use crate::config::model::{Bind, Server};
use crate::config::server::{parse_server, ServerCtx, ServerKeyword};
use crate::diag::{Diagnostics, Loc};

use super::proxy::Cur;

pub(super) fn bind(cur: &mut Cur, args: &[String], loc: &Loc, d: &mut Diagnostics) {
    let section = cur.kind.keyword();
    if let Some(config) = parse_bind(args, loc, section, d) {
        cur.proxy.binds.push(Bind {
            loc: loc.clone(),
            config,
        });
    }
}

pub(super) fn server(cur: &mut Cur, kw: &str, args: &[String], loc: &Loc, d: &mut Diagnostics) {
    let keyword = match kw {
        "default-server" => ServerKeyword::DefaultServer,
        "server-template" => ServerKeyword::ServerTemplate,
        _ => ServerKeyword::Server,
    };
    let base = cur
        .proxy
        .settings
        .default_server
        .clone()
        .unwrap_or_default();
    let proxy_name = cur.name.clone();
    let ctx = ServerCtx {
        loc,
        proxy: &proxy_name,
    };
    let Some(line) = parse_server(keyword, args, &base, ctx, d) else {
        return;
    };
    let Some(addr) = line.addr.clone() else {
        cur.s().default_server = Some(line.config);
        return;
    };
    let make = |name: String| Server {
        name,
        id: 0,
        forced_id: line.config.id.is_some(),
        loc: loc.clone(),
        addr: addr.clone(),
        addr_text: line.addr_text.clone(),
        resolved: None,
        unresolved_maint: false,
        config: line.config.clone(),
    };
    match line.template {
        // `server-template srv 1-3 host:80` makes srv1, srv2, srv3.
        Some(r) => {
            for n in r.first..=r.last {
                cur.proxy.servers.push(make(format!("{}{n}", line.name)));
            }
        }
        None => cur.proxy.servers.push(make(line.name.clone())),
    }
}
