//! Value grammars and bind/server lines against HAProxy 2.6.12's own
//! messages (each literal below was printed by `/usr/sbin/haproxy -c` on a
//! small file with the same line).

use harp::config::bind::{parse_bind, parse_bind_options, BindOwner, Level, TlsVersion, Verify};
use harp::config::server::{
    parse_server, InitAddr, Observe, OnError, ServerConfig, ServerCtx, ServerKeyword, TemplateRange,
};
use harp::config::support::{self, Context, Status};
use harp::config::value::{
    parse_bind_addr, parse_server_addr, parse_size, parse_time, BindAddr, Family, Host, ServerAddr,
    ServerPort, TimeError, TimeUnit,
};
use harp::diag::{Diagnostics, Loc, Severity};

fn w(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn loc(line: u32) -> Loc {
    Loc::new("/tmp/hv/t.cfg", line)
}

/// Runs a bind line (words after `bind`) in a frontend; returns the config
/// and every diagnostic rendered as HAProxy would print it.
fn bind(line: &str) -> (Option<harp::config::bind::BindConfig>, Vec<String>) {
    let mut d = Diagnostics::default();
    let r = parse_bind(&w(line), &loc(7), "frontend", &mut d);
    (r, d.items.iter().map(|x| x.render(1, "config")).collect())
}

fn bind_err(line: &str) -> String {
    let (r, d) = bind(line);
    assert!(r.is_none(), "{line} should fail");
    assert_eq!(d.len(), 1, "{d:?}");
    d[0].clone()
}

fn server_with(
    kw: ServerKeyword,
    line: &str,
    base: &ServerConfig,
) -> (Option<harp::config::server::ServerLine>, Vec<String>) {
    let mut d = Diagnostics::default();
    let l = loc(7);
    let ctx = ServerCtx {
        loc: &l,
        proxy: "b",
    };
    let r = parse_server(kw, &w(line), base, ctx, &mut d);
    (r, d.items.iter().map(|x| x.render(1, "config")).collect())
}

fn server(line: &str) -> (Option<harp::config::server::ServerLine>, Vec<String>) {
    server_with(ServerKeyword::Server, line, &ServerConfig::default())
}

fn server_err(line: &str) -> String {
    let (r, d) = server(line);
    assert!(r.is_none(), "{line} should fail");
    assert_eq!(d.len(), 1, "{d:?}");
    d[0].clone()
}

const A: &str = "[ALERT]    (1) : config : ";
const W: &str = "[WARNING]  (1) : config : ";

#[test]
fn times_sizes() {
    assert_eq!(parse_time("5s", TimeUnit::Ms).unwrap().value, 5000);
    assert_eq!(parse_time("10", TimeUnit::S).unwrap().value, 10);
    assert_eq!(
        parse_time("1.5s", TimeUnit::Ms),
        Err(TimeError::UnexpectedChar('.'))
    );
    assert_eq!(parse_time("25d", TimeUnit::Ms), Err(TimeError::Overflow));
    assert_eq!(parse_size("16k"), Ok(16384));
    assert_eq!(parse_size("1M"), Ok(1 << 20));
}

#[test]
fn address_forms() {
    assert_eq!(
        parse_bind_addr("ipv6@:443"),
        Ok(vec![BindAddr::Inet {
            family: Family::V6,
            host: Host::Any,
            port_lo: 443,
            port_hi: 443
        }])
    );
    assert_eq!(
        parse_bind_addr("unix@/run/a.sock,/run/b.sock"),
        Ok(vec![
            BindAddr::Unix("/run/a.sock".into()),
            BindAddr::Unix("/run/b.sock".into())
        ])
    );
    assert_eq!(
        parse_bind_addr("[1.2.3.4]:80").map(|v| v.len()),
        Ok(1),
        "HAProxy accepts brackets around IPv4"
    );
    assert_eq!(
        parse_server_addr("abns@peer"),
        Ok(ServerAddr::Abns("peer".into()))
    );
    assert_eq!(
        parse_server_addr("db.local:5432"),
        Ok(ServerAddr::Inet {
            family: Family::Unspec,
            host: Host::Name("db.local".into()),
            port: ServerPort::Fixed(5432)
        })
    );
    assert_eq!(
        parse_server_addr("10.0.0.1:"),
        Ok(ServerAddr::Inet {
            family: Family::Unspec,
            host: Host::Ip("10.0.0.1".parse().unwrap()),
            port: ServerPort::Same
        })
    );
}

#[test]
fn bind_address_errors() {
    let p = format!("{A}parsing [/tmp/hv/t.cfg:7] : ");
    assert_eq!(
        bind_err("1.2.3.4"),
        format!("{p}'bind' : missing port specification in '1.2.3.4'")
    );
    assert_eq!(
        bind_err("1.2.3.4:notaport"),
        format!(
            "{p}'bind' : invalid character 'n' in port number 'notaport' in '1.2.3.4:notaport'"
        )
    );
    assert_eq!(
        bind_err(":99999"),
        format!("{p}'bind' : invalid port '99999'")
    );
    assert_eq!(
        bind_err(":80-70"),
        format!("{p}'bind' : invalid port range '80-70'")
    );
    assert_eq!(
        bind_err("ipv6@1.2.3.4:80"),
        format!("{p}'bind' : invalid address: '1.2.3.4' in 'ipv6@1.2.3.4:80'")
    );
    assert_eq!(
        bind_err("nosuch@host:80"),
        format!("{p}'bind' : invalid address: 'nosuch@host' in 'nosuch@host:80'")
    );
    assert_eq!(
        bind_err("sockpair@x"),
        format!("{p}'bind' : file descriptor 'x' is not a valid integer in 'sockpair@x'")
    );
    assert_eq!(
        bind_err("dgram+:82"),
        format!("{p}'bind' : dgram-type address not acceptable in 'dgram+:82'")
    );
    assert_eq!(
        bind_err(""),
        format!("{p}'bind' expects {{<path>|[addr1]:port1[-end1]}}{{,[addr]:port[-end]}}... as arguments.")
    );
}

#[test]
fn bind_options_model() {
    let (r, d) = bind(
        ":443,:8443 name web id 7 maxconn 100 backlog 50 ssl crt /a.pem crt /b.pem crt-list /l \
         alpn h2,http/1.1 ca-file /ca verify optional ciphers HIGH ciphersuites TLS_AES_128_GCM_SHA256 \
         curves X25519 ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 no-sslv3 no-tlsv10 no-tls-tickets \
         strict-sni accept-proxy transparent v4v6 interface eth0 prefer-client-ciphers",
    );
    assert!(d.is_empty(), "{d:?}");
    let c = r.unwrap();
    assert_eq!(c.addrs.len(), 2);
    assert_eq!(c.name.as_deref(), Some("web"));
    assert_eq!((c.id, c.maxconn, c.backlog), (Some(7), Some(100), Some(50)));
    assert!(c.ssl && c.accept_proxy && c.transparent && c.v4v6 && !c.v6only);
    assert_eq!(c.tls.crt, vec!["/a.pem", "/b.pem"]);
    assert_eq!(c.tls.crt_list, vec!["/l"]);
    assert_eq!(
        c.tls.alpn,
        Some(vec!["h2".to_string(), "http/1.1".to_string()])
    );
    assert_eq!(c.tls.verify, Some(Verify::Optional));
    assert_eq!(c.tls.min_ver, Some(TlsVersion::TlsV12));
    assert_eq!(c.tls.max_ver, Some(TlsVersion::TlsV13));
    assert_eq!(c.tls.disabled, vec![TlsVersion::SslV3, TlsVersion::TlsV10]);
    assert!(c.tls.no_tls_tickets && c.tls.strict_sni && c.tls.prefer_client_ciphers);
    assert_eq!(c.interface.as_deref(), Some("eth0"));

    let (r, d) = bind("/run/s.sock mode 600 uid 10 gid 20 user nobody group nogroup level admin");
    assert!(d.is_empty(), "{d:?}");
    let c = r.unwrap();
    assert_eq!(c.unix_mode, Some(0o600));
    assert_eq!((c.uid, c.gid), (Some(10), Some(20)));
    assert_eq!(c.level, Some(Level::Admin));
}

#[test]
fn bind_option_errors() {
    let p = format!("{A}parsing [/tmp/hv/t.cfg:7] : 'bind :80' in section 'frontend'");
    let cases = [
        (":80 acept-proxy", format!("{p}: unknown keyword 'acept-proxy'; did you mean 'accept-proxy' maybe ?")),
        (":80 strict-sin", format!("{p}: unknown keyword 'strict-sin'; did you mean 'strict-sni' maybe ?")),
        (":80 zzzzzzzzzzzz", format!("{p}: unknown keyword 'zzzzzzzzzzzz'.")),
        (":80 maxconn", format!("{p} : 'maxconn' : missing value")),
        (":80 maxconn -5", format!("{p} : 'maxconn' : invalid value -5, must be >= 0")),
        (":80 backlog -1", format!("{p} : 'backlog' : invalid value -1, must be > 0")),
        (":80 id 0", format!("{p} : 'id' : custom id has to be > 0")),
        (":80 id x", format!("{p} : 'id' : expects an integer argument, found 'x'")),
        (":80 name", format!("{p} : 'name' : missing name")),
        (":80 mode 999", format!("{p} : 'mode' : missing or invalid mode '999' (octal integer expected)")),
        (":80 ssl-min-ver TLSv9", format!("{p} : 'TLSv9' : unknown ssl/tls version")),
        (":80 verify maybe", format!("{p} : 'verify' : unknown verify method 'maybe', only 'none', 'optional', and 'required' are supported")),
        (":80 nice 2000", format!("{p} : 'nice' : invalid value 2000, allowed range is -1024..1024")),
        (":80 process x", format!("{p} : 'process' : 'x' is not a valid number/range.")),
        (":80 process 2", format!("{p} : 'process' : '2' is not a valid number/range. It supports numbers from 1 to 1.")),
        (":80 thread 65", format!("{p} : '65' : '65' is not a valid number/range. It supports numbers from 1 to 64.")),
        (":80 level x", format!("{p} : 'level' only supports 'user', 'operator', and 'admin' (got 'x')")),
        (":80 severity-output x", format!("{p} : 'severity-output' only supports 'none', 'number', and 'string' (got 'x')")),
        (":80 expose-fd x", format!("{p} : 'expose-fd' only supports 'listeners' (got 'x')")),
        (":80 interface", format!("{p} : 'interface' : missing interface name")),
        (":80 alpn", format!("{p} : 'alpn' : missing the comma-delimited ALPN protocol suite")),
        (":80 ciphers", format!("{p} : 'ciphers' : missing cipher suite")),
        (":80 crt", format!("{p} : 'crt' : missing certificate location")),
        (":80 tcp-ut x", format!("{p} : 'tcp-ut' : expects a positive delay in milliseconds")),
        (":80 mss x", format!("{p} : 'mss' : expects an MSS with and absolute value between 1 and 65535")),
        (":80 shards x", format!("{p} : 'shards' : invalid value 0, allowed range is 1..64 or 'by-thread'")),
        (":80 accept-netscaler-cip x", format!("{p} : 'accept-netscaler-cip' : invalid value 0, must be >= 0")),
        (":80 user", format!("{p} : 'user' : missing user name")),
        (":80 ca-sign-pass", format!("{p} : 'ca-sign-pass' : missing CAkey password")),
    ];
    for (line, want) in cases {
        assert_eq!(bind_err(line), want, "bind {line}");
    }
}

#[test]
fn bind_support_statuses() {
    let (r, d) = bind(":80 generate-certificates");
    assert!(r.is_none());
    assert_eq!(
        d,
        vec![format!("{A}parsing [/tmp/hv/t.cfg:7] : 'bind :80' in section 'frontend' : 'generate-certificates' is not supported by harp")]
    );
    let (r, d) = bind(":80 tfo defer-accept");
    assert!(r.as_ref().is_some_and(|c| c.tfo && c.defer_accept));
    assert_eq!(d.len(), 2);
    assert!(d[0].starts_with(W) && d[0].contains("'tfo' has no effect in harp"));
}

#[test]
fn stats_socket_prefix() {
    let mut d = Diagnostics::default();
    let r = parse_bind_options(
        &w("level x"),
        "/tmp/x.sock",
        &loc(31),
        BindOwner::StatsSocket,
        &mut d,
    );
    assert!(r.is_none());
    assert_eq!(
        d.items[0].render(1, "config"),
        format!("{A}parsing [/tmp/hv/t.cfg:31] : 'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got 'x')'")
    );
    let mut d = Diagnostics::default();
    parse_bind_options(
        &w("expose-fdd listeners"),
        "/tmp/x.sock",
        &loc(10),
        BindOwner::StatsSocket,
        &mut d,
    );
    assert_eq!(
        d.items[0].render(1, "config"),
        format!("{A}parsing [/tmp/hv/t.cfg:10] : 'stats socket' : unknown keyword 'expose-fdd'. Did you mean 'expose-fd' maybe ?")
    );
}

#[test]
fn server_defaults_and_options() {
    let (r, d) = server("s1 10.0.0.1:80");
    assert!(d.is_empty());
    let s = r.unwrap();
    let c = &s.config;
    assert_eq!(
        (c.weight, c.inter, c.rise, c.fall, c.error_limit),
        (1, 2000, 2, 3, 10)
    );
    assert_eq!(
        (c.effective_fastinter(), c.effective_downinter()),
        (2000, 2000)
    );
    assert_eq!(c.on_error, OnError::FailCheck);
    assert!(!c.check && !c.backup);

    let (r, d) = server(
        "s2 app.local:8443 id 12 weight 50 backup check inter 5s fastinter 500 downinter 10s \
         rise 3 fall 5 port 9000 addr 10.0.0.9 maxconn 100 minconn 10 maxqueue 20 slowstart 30s \
         cookie c2 ssl verify required ca-file /ca.pem sni req.hdr(host) check-ssl send-proxy-v2 \
         agent-check agent-port 7777 agent-inter 3s agent-send ping agent-addr 10.0.0.8 \
         observe layer7 error-limit 5 on-error mark-down on-marked-down shutdown-sessions \
         on-marked-up shutdown-backup-sessions init-addr last,libc,none,10.0.0.2 \
         resolvers dns resolve-prefer ipv4 source 10.1.1.1 usesrc clientip",
    );
    assert!(d.is_empty(), "{d:?}");
    let s = r.unwrap();
    let c = &s.config;
    assert_eq!(s.name, "s2");
    assert_eq!(c.id, Some(12));
    assert_eq!(c.weight, 50);
    assert!(c.backup && c.check && c.tls.ssl && c.check_ssl && c.send_proxy_v2 && c.agent_check);
    assert_eq!(
        (c.inter, c.fastinter, c.downinter),
        (5000, Some(500), Some(10000))
    );
    assert_eq!((c.rise, c.fall, c.check_port), (3, 5, Some(9000)));
    assert_eq!(c.check_addr, Some(Host::Ip("10.0.0.9".parse().unwrap())));
    assert_eq!(
        (c.maxconn, c.minconn, c.maxqueue, c.slowstart),
        (100, 10, 20, 30000)
    );
    assert_eq!(c.cookie.as_deref(), Some("c2"));
    assert_eq!(c.tls.verify, Some(Verify::Required));
    assert_eq!(c.tls.sni.as_deref(), Some("req.hdr(host)"));
    assert_eq!((c.agent_port, c.agent_inter), (Some(7777), 3000));
    assert_eq!(c.observe, Observe::Layer7);
    assert_eq!((c.error_limit, c.on_error), (5, OnError::MarkDown));
    assert!(c.on_marked_down_shutdown && c.on_marked_up_shutdown_backup);
    assert_eq!(
        c.init_addr,
        vec![
            InitAddr::Last,
            InitAddr::Libc,
            InitAddr::None,
            InitAddr::Ip("10.0.0.2".parse().unwrap())
        ]
    );
    assert_eq!(c.resolvers.as_deref(), Some("dns"));
    assert_eq!(
        c.source,
        Some(vec!["10.1.1.1".into(), "usesrc".into(), "clientip".into()])
    );
}

#[test]
fn default_server_inheritance() {
    let (d, diags) = server_with(
        ServerKeyword::DefaultServer,
        "check inter 3s weight 10 send-proxy",
        &ServerConfig::default(),
    );
    assert!(diags.is_empty());
    let dflt = d.unwrap().config;
    let (s, _) = server_with(ServerKeyword::Server, "a 1.2.3.4:80", &dflt);
    let c = s.unwrap().config;
    assert!(c.check && c.send_proxy);
    assert_eq!((c.inter, c.weight), (3000, 10));
    assert!(c.keywords.is_empty(), "keywords are per line");
    let (s, _) = server_with(
        ServerKeyword::Server,
        "b 1.2.3.4:80 no-check no-send-proxy weight 2",
        &dflt,
    );
    let c = s.unwrap().config;
    assert!(!c.check && !c.send_proxy);
    assert_eq!((c.inter, c.weight), (3000, 2));

    // Tracking inherited from default-server conflicts with `check`.
    let (d, _) = server_with(
        ServerKeyword::DefaultServer,
        "track x",
        &ServerConfig::default(),
    );
    let (s, diags) = server_with(ServerKeyword::Server, "a 1.2.3.4 check", &d.unwrap().config);
    assert!(s.is_none());
    assert_eq!(
        diags,
        vec![format!("{A}[/tmp/hv/t.cfg:7] : 'server b/a' : unable to enable checks and tracking at the same time!")]
    );
}

#[test]
fn server_template() {
    let (s, d) = server_with(
        ServerKeyword::ServerTemplate,
        "web 2-4 app.local:80 check",
        &ServerConfig::default(),
    );
    assert!(d.is_empty());
    let s = s.unwrap();
    assert_eq!(s.name, "web");
    assert_eq!(s.template, Some(TemplateRange { first: 2, last: 4 }));
    let p = format!("{A}[/tmp/hv/t.cfg:7] : ");
    let err = |line: &str| {
        server_with(
            ServerKeyword::ServerTemplate,
            line,
            &ServerConfig::default(),
        )
        .1
    };
    assert_eq!(
        err("s 3"),
        vec![format!(
            "{p}'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments."
        )]
    );
    assert_eq!(
        err("s x 1.2.3.4:80"),
        vec![format!("{p}Wrong server-template number or range arg 'x'.")]
    );
    assert_eq!(
        err("s 3 127.0.0.1:80 chek"),
        vec![format!(
            "{p}'server b/(null)' : unknown keyword 'chek'; did you mean 'check' maybe ?"
        )]
    );
}

#[test]
fn server_errors() {
    let p = "[ALERT]    (1) : config : [/tmp/hv/t.cfg:7] : ";
    let cases = [
        ("s1 127.0.0.1:80 chek", "'server b/s1' : unknown keyword 'chek'; did you mean 'check' maybe ?"),
        ("s1 127.0.0.1:notaport", "'server b/s1' : invalid character 'n' in port number 'notaport' in '127.0.0.1:notaport'\n"),
        ("a 127.0.0.1:80 zzzzzzzzzz", "'server b/a' : unknown keyword 'zzzzzzzzzz'."),
        ("s2 127.0.0.1:80 weight 300", "'server b/s2' : weight of server s2 is not within 0 and 256 (300).."),
        ("s4 127.0.0.1:80 inter", "'server b/s4' : 'inter' expects a delay as argument.."),
        ("s5 127.0.0.1:80 inter 1.5s", "'server b/s5' : unexpected character '.' in 'agent-inter' argument of server s5.."),
        ("s6 127.0.0.1:80 inter 5S", "'server b/s6' : unexpected character 'S' in 'agent-inter' argument of server s6.."),
        ("s7 127.0.0.1:80 inter 25d", "'server b/s7' : timer overflow in argument <25d> to <inter> of server s7, maximum value is 2147483647 ms (~24.8 days).."),
        ("a5 127.0.0.1:80 slowstart 25d", "'server b/a5' : overflow in argument <25d> to <slowstart> of server a5, maximum value is 2147483647 ms (~24.8 days).."),
        ("a7 127.0.0.1:80 inter 0", "'server b/a7' : invalid value 0 for argument 'inter' of server a7.."),
        ("s9 127.0.0.1:80 rise 0", "'server b/s9' : 'rise' has to be > 0.."),
        ("s10 127.0.0.1:80 fall x", "'server b/s10' : 'fall' has to be > 0.."),
        ("s14 127.0.0.1:80 id 0", "'server b/s14' : 'id' : custom id has to be > 0."),
        ("s16 127.0.0.1:80 observe x", "'server b/s16' : 'observe' expects one of 'none', 'layer4', 'layer7' but got 'x'."),
        ("s17 127.0.0.1:80 on-error x", "'server b/s17' : 'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'x'."),
        ("s18 127.0.0.1:80 on-marked-down x", "'server b/s18' : 'on-marked-down' expects 'shutdown-sessions' but got 'x'."),
        ("s19 127.0.0.1:80 on-marked-up x", "'server b/s19' : 'on-marked-up' expects 'shutdown-backup-sessions' but got 'x'."),
        ("s20 127.0.0.1:80 error-limit 0", "'server b/s20' : error-limit has to be > 0.."),
        ("s21 127.0.0.1:80 slowstart x", "'server b/s21' : unexpected character 'x' in 'slowstart' argument of server s21.."),
        ("s22 127.0.0.1:80 verify x", "'server b/s22' : 'verify' : unknown verify method 'x', only 'none' and 'required' are supported."),
        ("s23 127.0.0.1:80 init-addr x", "'server b/s23' : 'init-addr' : unknown init-addr method 'x', supported methods are 'libc', 'last', 'none'.."),
        ("s24 127.0.0.1:80 resolve-prefer x", "'server b/s24' : 'resolve-prefer' expects either ipv4 or ipv6 as argument.."),
        ("s25 127.0.0.1:80 addr x:y", "'server b/s25' : 'addr' : invalid character 'y' in port number 'y' in 'x:y'."),
        ("e 1.2.3.4 addr ::1", "'server b/e' : 'addr' : invalid address: ':' in '::1'."),
        ("a24 127.0.0.1:80 agent-addr x@", "'server b/a24' : parsing agent-addr failed. Check if 'x@' is correct address.."),
        ("s30 127.0.0.1:80-90", "'server b/s30' : port range not permitted here in '127.0.0.1:80-90'"),
        ("s34 127.0.0.1:80 cookie", "'server b/s34' : 'cookie' expects <value> as argument.."),
        ("a16 127.0.0.1:80 track", "'server b/a16' : 'track' expects [<proxy>/]<server> as argument.."),
        ("a20 127.0.0.1:80 sni", "'server b/a20' : 'sni' : missing sni expression."),
        ("a21 127.0.0.1:80 ca-file", "'server b/a21' : 'ca-file' : missing CAfile path."),
        ("c 1.2.3.4 ssl-min-ver TLSv9", "'server b/c' : 'TLSv9' : unknown ssl/tls version."),
        ("z2 1.2.3.4 proxy-v2-options ssl,foo", "'server b/z2' : 'foo' : proxy v2 option not implemented."),
        ("z6 1.2.3.4 ws", "'server b/z6' : 'ws' has to be 'auto', 'h1' or 'h2'."),
        ("a 1.2.3.4 slowstart", "'server b/a' : unexpected character '."),
        ("u 1.2.3.4:70000", "'server b/u' : invalid port '70000'"),
        ("t3 fd@3", "'server b/t3' : a file descriptor is not acceptable here in 'fd@3'\n"),
        ("s29", "'server' expects <name> and <addr>[:<port>] as arguments."),
    ];
    for (line, want) in cases {
        assert_eq!(server_err(line), format!("{p}{want}"), "server {line}");
    }
}

#[test]
fn server_warnings_and_lenient_numbers() {
    let (s, d) = server("s8 127.0.0.1:80 inter 5sec weight x maxconn x port 99999");
    let c = s.unwrap().config;
    assert_eq!((c.inter, c.weight, c.maxconn), (5000, 0, 0));
    assert_eq!(c.check_port, Some(99999u32 as u16));
    assert_eq!(
        d,
        vec![format!("{W}[/tmp/hv/t.cfg:7] : 'server b/s8' : unexpected character 'e' after the timer value '5sec', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.")]
    );
}

#[test]
fn default_server_messages() {
    let p = format!("{A}[/tmp/hv/t.cfg:7] : ");
    let e =
        |line: &str| server_with(ServerKeyword::DefaultServer, line, &ServerConfig::default()).1;
    assert_eq!(
        e("inter 1s chek"),
        vec![format!("{p}unknown keyword 'chek'; did you mean 'check' maybe ? Hint: no address was expected for this server.")]
    );
    assert_eq!(
        e("1.2.3.4"),
        vec![format!(
            "{p}unknown keyword '1.2.3.4'. Hint: no address was expected for this server."
        )]
    );
    assert_eq!(
        e("inter 1.5s"),
        vec![format!(
            "{p}unexpected character '.' in 'agent-inter' argument of server default-server.."
        )]
    );
    assert_eq!(
        e("id 5"),
        vec![format!(
            "{p}'id' option is not accepted in default-server sections"
        )]
    );
}

#[test]
fn support_tables_are_complete() {
    // Every row parses (no keyword without a parser arm) and
    // no keyword appears twice in one context.
    for ctx in [Context::Bind, Context::Server] {
        let kws: Vec<&str> = support::keywords(ctx).collect();
        let mut sorted = kws.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), kws.len(), "duplicate keyword in {ctx:?}");
    }
    for kw in support::keywords(Context::Bind) {
        let (_, d) = bind(&format!(":80 {kw} x"));
        assert!(!d.iter().any(|m| m.contains("not handled")), "{kw}: {d:?}");
    }
    for kw in support::keywords(Context::Server) {
        let (_, d) = server(&format!("s 1.2.3.4 {kw} 1"));
        assert!(!d.iter().any(|m| m.contains("not handled")), "{kw}: {d:?}");
    }
    assert_eq!(
        support::lookup(Context::Bind, "ssl").map(|e| e.status),
        Some(Status::Implemented)
    );
    assert_eq!(
        support::lookup(Context::Bind, "tfo").map(|e| e.status),
        Some(Status::NoEffect)
    );
    assert_eq!(
        support::lookup(Context::Server, "socks4").map(|e| e.status),
        Some(Status::Refused)
    );
    let _ = Severity::Alert;
}

/// Differential check: the same lines through `/usr/sbin/haproxy -c`
/// (HAProxy 2.6, when installed) and through harp. Every diagnostic HAProxy
/// prints for a line must be printed identically by harp; harp's own
/// support-policy messages (which mention harp) are left out.
#[test]
fn differential_against_haproxy() {
    let haproxy = std::path::Path::new("/usr/sbin/haproxy");
    if !haproxy.exists() {
        eprintln!("haproxy not installed; differential test skipped");
        return;
    }
    let bind_lines = [
        "1.2.3.4",
        "1.2.3.4:notaport",
        ":99999",
        ":80-70",
        ":0",
        "foo@:80",
        "[::1",
        "::1",
        "fd@x",
        "udp@:80",
        "quic6@:443",
        ":80:81",
        "1.2.3.4:+80",
        "*",
        "ipv4@::1:80",
        ":x80",
        ":5-70000",
        ",:80",
        ":80,",
        "[::]:80 v6only",
        ":80 maxconn",
        ":80 backlog 0",
        ":80 id x",
        ":80 id 0",
        ":80 mode 999",
        ":80 mode",
        ":80 ssl-min-ver TLSv9",
        ":80 verify maybe",
        ":80 nice -2000",
        ":80 process 1-2",
        ":80 thread 1-2,4",
        ":80 thread 65",
        ":80 level x",
        ":80 acept-proxy",
        ":80 zzzzzzzzzzzz",
        ":80 tcp-ut 1.5",
        ":80 tcp-ut 5sec",
        ":80 mss 70000",
        ":80 shards 65",
        ":80 proto foo",
        ":80 accept-netscaler-cip",
        ":80 crt-list",
        ":80 ecdhe",
        ":80 npn",
        ":80 name x maxconn 5 backlog 5 accept-proxy transparent tfo defer-accept",
    ];
    let server_lines = [
        "s1 127.0.0.1:80 chek",
        "s2 127.0.0.1:notaport",
        "s3 127.0.0.1:80 weight 257",
        "s4 127.0.0.1:80 inter 1h30m",
        "s5 127.0.0.1:80 fastinter 2147483648",
        "s6 127.0.0.1:80 downinter 0",
        "s7 127.0.0.1:80 agent-inter",
        "s8 127.0.0.1:80 slowstart 5S",
        "s9 127.0.0.1:80 rise x",
        "s10 127.0.0.1:80 fall",
        "s11 127.0.0.1:80 id x",
        "s12 127.0.0.1:80 observe layer3",
        "s13 127.0.0.1:80 error-limit",
        "s14 127.0.0.1:80 verify",
        "s15 127.0.0.1:80 init-addr libc,foo",
        "s16 127.0.0.1:80 resolve-prefer ipv5",
        "s17 127.0.0.1:80 addr",
        "s18 127.0.0.1:80 agent-addr",
        "s19 127.0.0.1:80 agent-send",
        "s20 127.0.0.1:80 source",
        "s21 127.0.0.1:80 redir",
        "s22 127.0.0.1:80 crt",
        "s23 127.0.0.1:80 ciphers",
        "s24 127.0.0.1:80 ssl-max-ver",
        "s25 127.0.0.1:80 verifyhost",
        "s26 127.0.0.1:80 check-sni",
        "s27 127.0.0.1:80 alpn",
        "s28 127.0.0.1:80 proxy-v2-options",
        "s29 127.0.0.1:80 max-reuse",
        "s30 127.0.0.1:80 ws h3",
        "s31 127.0.0.1:80 log-proto x",
        "s32 127.0.0.1:80 resolve-net",
        "s33 127.0.0.1:80-81",
        "s34 127.0.0.1:99999",
        "s35 fd@3",
        "s36 udp@1.2.3.4:5",
        "s37 127.0.0.1:80 zzzzzzzzzz",
        "s38 127.0.0.1:80 check inter 2s rise 1 fall 1 weight 256 backup",
        "s39 127.0.0.1:80 on-marked-up x",
        "s40",
        "s41 quic4@1.2.3.4:1",
        "s42 sockpair@x",
        "s43 ipv6@1.2.3.4",
        "s44 1.2.3.4:0-",
        "s45 1.2.3.4:x",
    ];
    let bind_lines: Vec<String> = bind_lines.iter().map(|l| format!("bind {l}")).collect();
    let server_lines: Vec<String> = server_lines.iter().map(|l| format!("server {l}")).collect();
    for chunk in bind_lines.chunks(30) {
        compare_with_haproxy(haproxy, "frontend f", chunk);
    }
    for chunk in server_lines.chunks(30) {
        compare_with_haproxy(haproxy, "backend b", chunk);
    }
    // default-server inheritance, server-template.
    let mixed = [
        "default-server inter 1s chek",
        "default-server 1.2.3.4",
        "default-server id 3",
        "default-server track x",
        "server a 1.2.3.4 check",
        "server-template s 3",
        "server-template s x 127.0.0.1:80",
        "server-template s 1-0 127.0.0.1:80",
        "server-template s 3 127.0.0.1:80 chek",
        "server-template t 2-4 127.0.0.1:80",
        "default-server inter 1.5s",
        "default-server weight 300",
    ]
    .map(String::from);
    compare_with_haproxy(haproxy, "backend b", &mixed);
}

/// One file per chunk: HAProxy stops after 50 fatal errors.
fn compare_with_haproxy(haproxy: &std::path::Path, section: &str, lines: &[String]) {
    let mut text = format!(
        "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n{section}\n"
    );
    let first = 7u32;
    for l in lines {
        text.push_str(&format!(" {l}\n"));
    }
    let dir = std::env::temp_dir().join(format!("hv-values-{}-{}", std::process::id(), next_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.cfg");
    std::fs::write(&file, &text).unwrap();
    let fname = file.to_string_lossy().to_string();
    let out = std::process::Command::new(haproxy)
        .arg("-c")
        .arg("-f")
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // HAProxy's lines about our lines, pid replaced (blank lines dropped).
    let theirs: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("[ALERT]") || l.starts_with("[WARNING]") || l.is_empty())
        .filter(|l| {
            !l.contains("Error(s) found in configuration file")
                && !l.contains("Fatal errors found in configuration")
        })
        .map(normalize_pid)
        .collect();

    let mut ours = Vec::new();
    let mut dflt = ServerConfig::default();
    for (i, l) in lines.iter().enumerate() {
        let mut d = Diagnostics::default();
        let lc = Loc::new(fname.as_str(), first + i as u32);
        let words = w(l);
        let ctx = ServerCtx {
            loc: &lc,
            proxy: "b",
        };
        match words[0].as_str() {
            "bind" => {
                parse_bind(&words[1..], &lc, "frontend", &mut d);
            }
            "server" => {
                parse_server(ServerKeyword::Server, &words[1..], &dflt, ctx, &mut d);
            }
            "server-template" => {
                parse_server(
                    ServerKeyword::ServerTemplate,
                    &words[1..],
                    &dflt,
                    ctx,
                    &mut d,
                );
            }
            _ => {
                let r = parse_server(
                    ServerKeyword::DefaultServer,
                    &words[1..],
                    &dflt,
                    ctx,
                    &mut d,
                );
                if let Some(r) = r {
                    dflt = r.config;
                }
            }
        }
        // A message ending in a newline prints as an empty line after it.
        for x in &d.items {
            ours.extend(x.render(1, "config").split('\n').map(str::to_string));
        }
    }
    let ours: Vec<String> = ours
        .into_iter()
        .filter(|l| !l.contains("by harp") && !l.contains("in harp"))
        .map(|l| normalize_pid(&l))
        .collect();
    assert!(!theirs.is_empty(), "haproxy printed nothing");
    if ours != theirs {
        let only_ours: Vec<&String> = ours.iter().filter(|l| !theirs.contains(l)).collect();
        let only_theirs: Vec<&String> = theirs.iter().filter(|l| !ours.contains(l)).collect();
        panic!("harp only: {only_ours:#?}\nhaproxy only: {only_theirs:#?}");
    }
}

/// A fresh number per call: tests run in parallel and need distinct files.
fn next_id() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn normalize_pid<S: AsRef<str>>(l: S) -> String {
    let l = l.as_ref();
    match (l.find('('), l.find(')')) {
        (Some(a), Some(b)) if a < b => format!("{}(PID){}", &l[..a], &l[b + 1..]),
        _ => l.to_string(),
    }
}

/// Every option of both tables with a missing and with a bad argument,
/// through HAProxy and harp. Options whose checks need the file system or
/// the user database (certificate files, user names, namespaces) are left
/// to the model layer and skipped here.
#[test]
fn differential_every_option() {
    let haproxy = std::path::Path::new("/usr/sbin/haproxy");
    if !haproxy.exists() {
        return;
    }
    let skip_bind = [
        "crt",
        "crt-list",
        "ca-file",
        "crl-file",
        "ca-verify-file",
        "ca-sign-file",
        "user",
        "group",
        "namespace",
        "tls-ticket-keys",
        "generate-certificates",
        "ca-sign-pass",
        "ciphers",
        "ciphersuites",
        "curves",
        "ecdhe",
        "ca-ignore-err",
        "crt-ignore-err",
    ];
    let mut lines = Vec::new();
    for kw in support::keywords(Context::Bind).filter(|k| !skip_bind.contains(k)) {
        lines.push(format!("bind :80 {kw}"));
        lines.push(format!("bind :80 {kw} x"));
    }
    for chunk in lines.chunks(40) {
        compare_with_haproxy(haproxy, "frontend f", chunk);
    }
    let skip_server = [
        "crt",
        "ca-file",
        "crl-file",
        "namespace",
        "ciphers",
        "ciphersuites",
        "sni",
        "socks4",
        "check-via-socks4",
        "source",
        "track",
        "resolvers",
        "agent-addr",
        "addr",
    ];
    let mut lines = Vec::new();
    for (i, kw) in support::keywords(Context::Server)
        .filter(|k| !skip_server.contains(k))
        .enumerate()
    {
        lines.push(format!("server a{i} 1.2.3.4 {kw}"));
        lines.push(format!("server b{i} 1.2.3.4 {kw} x"));
    }
    for chunk in lines.chunks(40) {
        compare_with_haproxy(haproxy, "backend b", chunk);
    }
}
