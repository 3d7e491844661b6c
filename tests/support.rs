//! The support table against the research lists in ../shared/design/haproxy
//! and against HAProxy 2.6.12's own messages.
//!
//! The lists are read from `$HARP_SHARED/design/haproxy` when HARP_SHARED is
//! set, else from `CARGO_MANIFEST_DIR/../shared` (where CI clones them).
//! Regenerate man/harp.conf.5 with `UPDATE_MAN=1 cargo test --test support`.

use std::collections::HashSet;
use std::path::PathBuf;

use harp::config::support::action::{lookup_action, RULE_SETS};
use harp::config::support::placement::PROXY_SECTIONS;
use harp::config::support::proxy::removed_message;
use harp::config::support::render::{render_keyword_list, render_man_section};
use harp::config::support::section::{LEGACY_LISTEN_ADDR, LEGACY_LISTEN_FOLLOWUP};
use harp::config::support::{
    lookup, proxy_allowed, tables, Allowed, Context, Entry, ProxySection, Status,
};
use harp::diag::{Loc, LocStyle, Severity};

fn shared_dir() -> PathBuf {
    let dir = match std::env::var_os("HARP_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    let design = dir.join("design/haproxy");
    assert!(
        design.is_dir(),
        "reference lists not found at {}: set HARP_SHARED to the shared/ directory",
        design.display()
    );
    design
}

fn read_shared(name: &str) -> String {
    let path = shared_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn all_entries() -> Vec<&'static Entry> {
    tables().into_iter().flatten().collect()
}

fn count(context: Context, keyword: &str) -> usize {
    all_entries()
        .iter()
        .filter(|e| e.context == context && e.keyword == keyword)
        .count()
}

#[test]
fn no_duplicate_rows() {
    let mut seen = HashSet::new();
    let mut dups = Vec::new();
    for e in all_entries() {
        if !seen.insert((e.context, e.keyword)) {
            dups.push(format!("{} {}", e.context.label(), e.keyword));
        }
    }
    assert!(dups.is_empty(), "duplicate rows: {dups:?}");
}

#[test]
fn notes_are_short_and_present() {
    for e in all_entries() {
        match e.status {
            Status::Removed(msg) => assert!(!msg.is_empty(), "{}", e.keyword),
            // Implemented fetches and converters need no explanation.
            Status::Implemented if e.note.is_empty() => {}
            _ => {
                assert!(!e.note.is_empty(), "no note for {}", e.keyword);
                assert!(e.note.len() <= 80, "note too long for {}", e.keyword);
            }
        }
        assert!(!e.note.contains('\n') && !e.note.contains('\t'));
    }
}

#[test]
fn every_proxy_keyword_has_one_row_and_one_placement() {
    let tsv = read_shared("proxy_keywords.tsv");
    let mut n = 0;
    for line in tsv.lines().skip(1).filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let kw = cols[0];
        assert_eq!(count(Context::Proxy, kw), 1, "proxy keyword {kw:?}");
        let bits = PROXY_SECTIONS
            .iter()
            .find(|(k, _)| *k == kw)
            .map(|(_, b)| *b)
            .unwrap_or_else(|| panic!("no placement for {kw:?}"));
        let mut want = 0u8;
        want |= match cols[1] {
            "X" => 1,
            "X (!)" => 2,
            _ => 0,
        };
        for (i, bit) in [(2usize, 4u8), (3, 8), (4, 16)] {
            if cols[i] == "X" {
                want |= bit;
            }
        }
        assert_eq!(bits, want, "placement of {kw:?}");
        n += 1;
    }
    assert!(n > 190, "only {n} proxy keywords read");
    // Rows and placements cover the same keywords (removed ones excepted).
    let live: HashSet<&str> = all_entries()
        .iter()
        .filter(|e| e.context == Context::Proxy && !matches!(e.status, Status::Removed(_)))
        .map(|e| e.keyword)
        .collect();
    let placed: HashSet<&str> = PROXY_SECTIONS.iter().map(|(k, _)| *k).collect();
    assert_eq!(live, placed);
    assert_eq!(placed.len(), PROXY_SECTIONS.len(), "duplicate placement");
}

#[test]
fn every_global_keyword_has_one_row() {
    let txt = read_shared("global_keywords.txt");
    let mut n = 0;
    for line in txt.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let kw = line.split('\t').next().unwrap_or_default();
        assert_eq!(count(Context::Global, kw), 1, "global keyword {kw:?}");
        n += 1;
    }
    assert!(n > 300, "only {n} global keywords read");
    for kw in [
        "stats socket",
        "stats timeout",
        "stats maxconn",
        "stats bind-process",
    ] {
        assert_eq!(count(Context::Global, kw), 1, "{kw}");
    }
    // 2.6 reports `debug` as unknown: it must not look like a known keyword.
    assert!(lookup(Context::Global, "debug").is_none());
}

#[test]
fn every_action_cell_has_one_row() {
    let tsv = read_shared("actions_matrix.tsv");
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    assert_eq!(&header[1..9], RULE_SETS);
    let mut cells = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        for (i, rule_set) in RULE_SETS.iter().enumerate() {
            let n = count(Context::Action(rule_set), cols[0]);
            if cols[i + 1] == "X" {
                assert_eq!(n, 1, "{rule_set} {}", cols[0]);
                cells += 1;
            } else {
                assert_eq!(n, 0, "{rule_set} {} is not in the matrix", cols[0]);
            }
        }
    }
    assert!(cells > 240, "only {cells} action cells");
}

#[test]
fn every_section_type_has_one_row() {
    let md = read_shared("sections.md");
    let mut n = 0;
    for line in md.lines().filter(|l| l.starts_with("| `")) {
        let cell = line.split('|').nth(1).unwrap_or_default();
        for name in cell.split(',').map(|s| s.trim().trim_matches('`')) {
            assert_eq!(count(Context::Section, name), 1, "section {name:?}");
            n += 1;
        }
    }
    assert!(n >= 20, "only {n} sections read");
}

#[test]
fn statuses_follow_the_policy() {
    let st = |c, k| lookup(c, k).map(|e| e.status);
    assert_eq!(st(Context::Global, "nbthread"), Some(Status::Implemented));
    assert_eq!(st(Context::Global, "lua-load"), Some(Status::Refused));
    assert_eq!(st(Context::Global, "user"), Some(Status::Implemented));
    assert_eq!(
        st(Context::Global, "tune.bufsize"),
        Some(Status::Implemented)
    );
    assert_eq!(st(Context::Section, "cache"), Some(Status::Refused));
    assert_eq!(st(Context::Section, "peers"), Some(Status::NoEffect));
    assert_eq!(
        st(Context::Proxy, "option httplog"),
        Some(Status::Implemented)
    );
    assert_eq!(
        st(Context::Proxy, "option external-check"),
        Some(Status::Refused)
    );
    assert_eq!(
        st(Context::Proxy, "option splice-auto"),
        Some(Status::NoEffect)
    );
    let hrq = |a| lookup_action("http-request", a).map(|e| e.status);
    assert_eq!(hrq("set-header"), Some(Status::Implemented));
    assert_eq!(hrq("track-sc0"), Some(Status::Refused));
    assert_eq!(hrq("lua.pow-check"), Some(Status::Refused));
    assert_eq!(hrq("set-status"), None, "set-status is a response action");
    assert_eq!(
        lookup_action("http-response", "set-status").map(|e| e.status),
        Some(Status::Implemented)
    );
}

/// What HAProxy 2.6.12 prints after `parsing [F:L]` for removed keywords,
/// copied from `haproxy -c` runs.
const REMOVED_26: &[(Context, &str, &str, bool, &str)] = &[
    (Context::Global, "nbproc", "2", false, "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available."),
    (Context::Global, "tune.chksize", "1", true, "option 'tune.chksize' is not supported any more (tune.bufsize is used instead)."),
    (Context::Proxy, "reqadd", "X", false, "The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead."),
    (Context::Proxy, "reqdel", "X", false, "The 'reqdel' directive is not supported anymore since HAProxy 2.1. Use 'http-request del-header' instead."),
    (Context::Proxy, "reqrep", "X", false, "The 'reqrep' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-path', 'http-request replace-uri' or 'http-request replace-header' instead."),
    (Context::Proxy, "reqidel", "X", false, "The 'reqidel' directive is not supported anymore since HAProxy 2.1. Use 'http-request del-header' instead."),
    (Context::Proxy, "reqirep", "X", false, "The 'reqirep' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-header' instead."),
    (Context::Proxy, "reqdeny", "X", false, "The 'reqdeny' not supported anymore since HAProxy 2.1. Use 'http-request deny' instead."),
    (Context::Proxy, "reqideny", "X", false, "The 'reqideny' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' instead."),
    (Context::Proxy, "reqpass", "X", false, "The 'reqpass' not supported anymore since HAProxy 2.1."),
    (Context::Proxy, "reqipass", "X", false, "The 'reqipass' directive is not supported anymore since HAProxy 2.1."),
    (Context::Proxy, "reqallow", "X", false, "The 'reqallow' directive is not supported anymore since HAProxy 2.1. Use 'http-request allow' instead."),
    (Context::Proxy, "reqiallow", "X", false, "The 'reqiallow' directive is not supported anymore since HAProxy 2.1. Use 'http-request allow' instead."),
    (Context::Proxy, "reqtarpit", "X", false, "The 'reqtarpit' directive is not supported anymore since HAProxy 2.1. Use 'http-request tarpit' instead."),
    (Context::Proxy, "reqitarpit", "X", false, "The 'reqitarpit' directive is not supported anymore since HAProxy 2.1. Use 'http-request tarpit' instead."),
    (Context::Proxy, "rspadd", "X", false, "The 'rspadd' directive is not supported anymore since HAProxy 2.1. Use 'http-response add-header' instead."),
    (Context::Proxy, "rspdel", "X", false, "The 'rspdel' directive is not supported anymore since HAProxy 2.1. Use 'http-response del-header' ."),
    (Context::Proxy, "rspdeny", "X", false, "The 'rspdeny' directive is not supported anymore since HAProxy 2.1. Use 'http-response deny' instead."),
    (Context::Proxy, "rspidel", "X", false, "The 'rspidel' directive is not supported anymore since HAProxy 2.1. Use 'http-response del-header' instead."),
    (Context::Proxy, "rspideny", "X", false, "The 'rspideny' directive is not supported anymore since HAProxy 2.1. Use 'http-response deny' instead."),
    (Context::Proxy, "rsprep", "X", false, "The 'rsprep' directive is not supported anymore since HAProxy 2.1. Use 'http-response replace-header' instead."),
    (Context::Proxy, "rspirep", "X", false, "The 'rspirep' directive is not supported anymore since HAProxy 2.1. Use 'http-response replace-header' instead."),
    (Context::Proxy, "block", "if", false, "The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax."),
    (Context::Proxy, "redispatch", "", false, "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'."),
    (Context::Proxy, "contimeout", "1s", false, "the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'."),
    (Context::Proxy, "clitimeout", "1s", false, "the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'."),
    (Context::Proxy, "srvtimeout", "1s", false, "the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'."),
    (Context::Proxy, "option forceclose", "", true, "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed."),
    (Context::Proxy, "option http-tunnel", "", true, "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed."),
    (Context::Proxy, "option http_proxy", "", true, "option 'http_proxy' is not supported any more since HAProxy 2.5. This option stopped working in HAProxy 1.9 and usually had nasty side effects. It can be more reliably implemented with combinations of 'http-request set-dst' and 'http-request set-uri', and even 'http-request do-resolve' if DNS resolution is desired."),
    (Context::Proxy, "monitor-net", "10.0.0.0/8", false, "'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src 10.0.0.0/8 }' instead."),
    (Context::Proxy, "mode health", "", false, "'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead."),
    (Context::Proxy, "appsession", "a", false, "'appsession' is not supported anymore since HAProxy 1.6."),
    (Context::Proxy, "grace", "10s", true, "the 'grace' keyword is not supported any more since HAProxy version 2.5."),
];

#[test]
fn removed_keywords_carry_haproxy_26_messages() {
    for (ctx, kw, arg, tight, msg) in REMOVED_26 {
        let (style, got) = removed_message(*ctx, kw, arg).unwrap_or_else(|| panic!("{kw}"));
        assert_eq!(got, *msg, "{kw}");
        let want = if *tight {
            LocStyle::ParsingTight
        } else {
            LocStyle::Parsing
        };
        assert_eq!(style, want, "{kw}");
    }
    let removed = all_entries()
        .iter()
        .filter(|e| matches!(e.status, Status::Removed(_)))
        .count();
    assert_eq!(
        removed,
        REMOVED_26.len(),
        "a removed row is not checked here"
    );
    // A removed keyword of one context is not removed in another.
    assert!(removed_message(Context::Global, "grace", "").is_none());
    assert_eq!(
        LEGACY_LISTEN_ADDR,
        "please use the 'bind' keyword for listening addresses."
    );
    assert_eq!(LEGACY_LISTEN_FOLLOWUP, "'listen' or 'defaults' expected.");
}

/// The same messages straight from the oracle, when it is installed.
#[test]
fn removed_messages_match_the_installed_haproxy() {
    let bin = std::path::Path::new("/usr/sbin/haproxy");
    if !bin.exists() {
        eprintln!("haproxy not installed: oracle comparison skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("harp-support-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (ctx, kw, arg, tight, msg) in REMOVED_26 {
        let cfg = match ctx {
            Context::Global => format!("global\n  {kw} {arg}\n"),
            _ => format!("defaults\n  mode http\nbackend b\n  {kw} {arg}\n"),
        };
        let path = dir.join("t.cfg");
        std::fs::write(&path, cfg).expect("write cfg");
        let out = std::process::Command::new(bin)
            .arg("-c")
            .arg("-f")
            .arg(&path)
            .output()
            .expect("run haproxy");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = if matches!(ctx, Context::Global) { 2 } else { 4 };
        let sep = if *tight { "]: " } else { "] : " };
        let want = format!("parsing [{}:{line}{sep}{msg}", path.display());
        assert!(stderr.contains(&want), "{kw}: want {want:?} in\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn loc() -> Loc {
    Loc::new("h.cfg", 7)
}

#[test]
fn wrong_section_warnings_and_alerts() {
    let Allowed::Ignored(Some(w)) = proxy_allowed("balance", ProxySection::Frontend) else {
        panic!("balance in a frontend must be a warning");
    };
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(
        w.diagnostic("balance", "frontend", "fe", &loc()).body(),
        "parsing [h.cfg:7] : 'balance' ignored because frontend 'fe' has no backend capability."
    );

    let Allowed::Fatal(a) = proxy_allowed("server", ProxySection::Frontend) else {
        panic!("server in a frontend is fatal");
    };
    assert_eq!(
        a.diagnostic("server", "frontend", "fe", &loc()).body(),
        "[h.cfg:7] : parsing [h.cfg:7] : 'server' not allowed because frontend 'fe' has no backend capability."
    );

    let Allowed::Fatal(d) = proxy_allowed("description", ProxySection::Defaults { named: true })
    else {
        panic!("description in defaults is fatal");
    };
    assert_eq!(
        d.diagnostic("description", "defaults", "", &loc()).body(),
        "parsing [h.cfg:7]: 'description' not allowed in 'defaults' section."
    );

    let anon = ProxySection::Defaults { named: false };
    let named = ProxySection::Defaults { named: true };
    assert!(matches!(
        proxy_allowed("http-request", anon),
        Allowed::Fatal(_)
    ));
    assert_eq!(proxy_allowed("http-request", named), Allowed::Yes);
    let Allowed::Fatal(t) = proxy_allowed("tcp-request connection", ProxySection::Backend) else {
        panic!("tcp-request connection in a backend is fatal");
    };
    assert_eq!(
        t.message("tcp-request connection", "backend", "be", &loc()),
        "tcp-request connection is not allowed because backend be is not a frontend"
    );
    assert_eq!(
        proxy_allowed("timeout connect", ProxySection::Listen),
        Allowed::Yes
    );
    // 2.6 accepts this one silently.
    assert_eq!(
        proxy_allowed("unique-id-header", ProxySection::Backend),
        Allowed::Ignored(None)
    );
    assert_eq!(
        proxy_allowed("no-such-thing", ProxySection::Frontend),
        Allowed::Unknown
    );
    // Newer than 2.6: harp's own message in HAProxy's usual shape.
    let Allowed::Fatal(g) = proxy_allowed("quic-initial", anon) else {
        panic!("quic-initial in anonymous defaults is fatal");
    };
    assert_eq!(
        g.message("quic-initial", "defaults", "", &loc()),
        "'quic-initial' not allowed in anonymous 'defaults' section."
    );
}

#[test]
fn keyword_list_is_sorted_and_complete() {
    let list = render_keyword_list();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), all_entries().len());
    let keys: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l:?}");
            (f[0].to_string(), f[1].to_string())
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(lines
        .contains(&"global\tnbthread\timplemented\tnumber of worker threads of the data plane"));
    assert!(list.contains("proxy\tcontimeout\tremoved\tthe 'contimeout' directive"));
}

#[test]
fn man_page_is_up_to_date() {
    const BEGIN: &str = ".\\\" BEGIN GENERATED KEYWORDS\n";
    const END: &str = ".\\\" END GENERATED KEYWORDS\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("man/harp.conf.5");
    let text = std::fs::read_to_string(&path).expect("man/harp.conf.5");
    let (head, rest) = text.split_once(BEGIN).expect("BEGIN marker");
    let (_, tail) = rest.split_once(END).expect("END marker");
    let fresh = format!("{head}{BEGIN}{}{END}{tail}", render_man_section());
    if fresh != text {
        if std::env::var_os("UPDATE_MAN").is_some() {
            std::fs::write(&path, fresh).expect("rewrite man page");
        } else {
            panic!("man/harp.conf.5 is out of date: run UPDATE_MAN=1 cargo test --test support");
        }
    }
    let section = render_man_section();
    assert!(section.starts_with(".SS action\n") || section.starts_with(".SS "));
    assert!(section.contains("\\fBoption httplog\\fR (implemented)"));
}

#[test]
fn cli_man_page_documents_every_option_and_exit_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("man/harp.1");
    let text = std::fs::read_to_string(&path).expect("man/harp.1");
    let flags = [
        "-f",
        "-c",
        "-D",
        "-W",
        "-Ws",
        "-p",
        "-sf",
        "-st",
        "-q",
        "-V",
        "-v",
        "-vv",
        "-d",
        "-db",
        "-dr",
        "-dW",
        "-C",
        "-L",
        "-N",
        "-cc",
        "--carp",
        "--carp-iface",
        "--list-keywords",
    ];
    for flag in flags {
        // roff writes hyphens as `\-`; every option has its own tagged paragraph.
        let roff = flag.replace('-', "\\-");
        let tagged = text
            .lines()
            .any(|l| l.starts_with(".B") && l.split_whitespace().nth(1) == Some(&roff));
        assert!(tagged, "no .TP entry for {flag}");
    }
    for code in [".B 0", ".B 1", ".B 2"] {
        assert!(text.contains(code), "exit status {code}");
    }
}
