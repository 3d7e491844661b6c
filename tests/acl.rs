//! ACL definitions, conditions and sample expressions: exact parse results,
//! HAProxy 2.6's exact error texts (checked with `haproxy -c`), and every
//! acl/condition line of the real-world corpus.

use harp::config::acl::*;

#[path = "acl/oracle.rs"]
mod oracle;
use oracle::ORACLE;

/// Minimal word splitter for the corpus lines (the real tokenizer lives
/// elsewhere): blanks separate words, quotes group, backslash escapes, `#`
/// starts a comment.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => cur.push(c),
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '#') => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn w(line: &str) -> Vec<String> {
    line.split_whitespace().map(String::from).collect()
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Outcomes {
    acl_ok: usize,
    acl_refused: usize,
    cond_ok: usize,
    cond_refused: usize,
    refused_names: Vec<String>,
    errors: Vec<String>,
}

fn corpus_outcomes() -> Option<Outcomes> {
    let dir = std::path::Path::new("/work/shared/corpus/wild");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut o = Outcomes::default();
    for f in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "cfg"))
    {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            let ws = words(line);
            let at = format!("{}:{}", f.display(), n + 1);
            if ws.first().is_some_and(|k| k == "acl") {
                match parse_acl_def(&ws[1..]) {
                    Ok(d) if d.refused_items().is_empty() => o.acl_ok += 1,
                    Ok(d) => {
                        o.acl_refused += 1;
                        o.refused_names.extend(d.refused_items());
                    }
                    Err(e) => o.errors.push(format!("{at}: {e}")),
                }
                continue;
            }
            let Some(k) = ws.iter().position(|x| x == "if" || x == "unless") else {
                continue;
            };
            match parse_condition(&ws[k..]) {
                Ok(c) if c.refused_items().is_empty() => o.cond_ok += 1,
                Ok(c) => {
                    o.cond_refused += 1;
                    o.refused_names.extend(c.refused_items());
                }
                Err(e) => o.errors.push(format!("{at}: {e}")),
            }
        }
    }
    o.refused_names.sort();
    o.refused_names.dedup();
    Some(o)
}

#[test]
fn corpus_lines() {
    let Some(o) = corpus_outcomes() else { return };
    assert_eq!(o.errors, Vec::<String>::new());
    // 248 `acl` lines and 350 lines with a condition, all understood;
    // the refused ones name what harp does not run.
    assert_eq!((o.acl_ok, o.acl_refused), (232, 16));
    assert_eq!((o.cond_ok, o.cond_refused), (334, 16));
    let names: Vec<&str> = o.refused_names.iter().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "acl",
            "capture.req.uri",
            "date",
            "payload",
            "rep_ssl_hello_type",
            "req.payload",
            "req.ssl_alpn",
            "sc0_conn_cur",
            "sc0_get_gpc0",
            "sc0_http_req_rate",
            "sc_get_gpt",
            "sc_http_req_rate",
            "src_conn_cur",
            "src_conn_rate",
            "src_http_req_rate",
            "ssl_c_s_dn",
            "table_cnt",
            "wait_end",
        ]
    );
}

/// What harp says for one oracle case, in the oracle's format.
fn verdict(case: &str) -> String {
    let ws = w(case);
    match ws.first().map(String::as_str) {
        Some("acl") => match parse_acl_def(&ws[1..]) {
            Ok(d) => match d.warning() {
                Some(warn) => format!("WARN {}", warn.lines().next().unwrap_or("")),
                None => "OK".into(),
            },
            Err(e) => e,
        },
        Some("set") => match parse_sample_expr(ws.get(1).map(String::as_str).unwrap_or("")) {
            Ok(_) => "OK".into(),
            Err(e) => format!(
                "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : {e}."
            ),
        },
        Some("deny") => match parse_condition(&ws[1..]).and_then(|c| resolve(&c, |n| n == "a")) {
            Ok(()) => "OK".into(),
            Err(e) => condition_error("http-request deny", &e),
        },
        _ => "?".into(),
    }
}

#[test]
fn matches_haproxy_verdicts() {
    let mut wrong = Vec::new();
    for (case, want) in ORACLE {
        let got = verdict(case);
        if got != *want {
            wrong.push(format!("{case}\n  want: {want}\n  got:  {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(ORACLE.len(), 204);
}

/// Re-run the oracle table through HAProxy itself when it is installed, so
/// the table cannot drift from the real verdicts.
#[test]
fn oracle_table_is_haproxys() {
    let haproxy = std::path::Path::new("/usr/sbin/haproxy");
    if !haproxy.exists() {
        return;
    }
    let cfg = std::env::temp_dir().join(format!("harp-acl-oracle-{}.cfg", std::process::id()));
    let mut wrong = Vec::new();
    for (case, want) in ORACLE {
        let line = if let Some(e) = case.strip_prefix("set ") {
            format!("  http-request set-var(txn.x) {e}")
        } else if let Some(c) = case.strip_prefix("deny ") {
            format!("  acl a always_true\n  http-request deny {c}")
        } else {
            format!("  {case}")
        };
        let text = format!(
            "defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind :8080\n{line}\n  default_backend b\nbackend b\n  server s 127.0.0.1:80\n"
        );
        if std::fs::write(&cfg, text).is_err() {
            return;
        }
        let Ok(out) = std::process::Command::new(haproxy)
            .arg("-c")
            .arg("-f")
            .arg(&cfg)
            .output()
        else {
            return;
        };
        let all = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        let got = haproxy_verdict(&all);
        if got != *want {
            wrong.push(format!("{case}\n  table:   {want}\n  haproxy: {got}"));
        }
    }
    let _ = std::fs::remove_file(&cfg);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The first diagnostic of a `haproxy -c` run, in the oracle's format.
fn haproxy_verdict(out: &str) -> String {
    for l in out.lines() {
        if let Some(i) = l
            .find("] : ")
            .filter(|_| l.starts_with("[ALERT]") && l.contains("parsing ["))
        {
            return l[i + 4..].to_string();
        }
        if l.starts_with("[WARNING]") && !l.contains("L6 sample fetches") {
            if let Some(i) = l.find(" : config : ") {
                return format!("WARN {}", &l[i + 12..]);
            }
        }
        if l.starts_with("Configuration file is valid") {
            return "OK".into();
        }
    }
    out.to_string()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn acl_with_keyword_flags_and_patterns() {
    let d = parse_acl_def(&w(
        "host_www hdr_dom(host),lower -i -f /etc/a.lst -m end -- -x .example.com",
    ));
    let d = d.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.name, "host_www");
    assert_eq!(d.criterion, "hdr_dom(host),lower");
    assert_eq!(d.keyword.as_deref(), Some("hdr_dom"));
    assert_eq!(
        d.expr,
        SampleExpr {
            fetch: "req.hdr".into(),
            args: s(&["host"]),
            converters: vec![Converter {
                name: "lower".into(),
                args: vec![]
            }],
        }
    );
    assert_eq!(d.matcher, Matcher::End);
    assert_eq!(
        d.flags,
        AclFlags {
            ignore_case: true,
            files: s(&["/etc/a.lst"]),
            method: Some(Matcher::End),
            map: false,
            unique_id: None,
            no_dns: false,
            end_of_flags: true,
        }
    );
    assert_eq!(d.patterns, s(&["-x", ".example.com"]));
    assert_eq!(d.warning(), None);
    assert_eq!(d.refused_items(), Vec::<String>::new());
}

#[test]
fn implied_and_default_matchers() {
    let m = |line: &str| parse_acl_def(&w(line)).map(|d| (d.expr.fetch.clone(), d.matcher));
    assert_eq!(m("a path_beg /x"), Ok(("path".into(), Matcher::Beg)));
    assert_eq!(
        m("a url_param(id) 1"),
        Ok(("url_param".into(), Matcher::Str))
    );
    assert_eq!(
        m("a hdr_cnt(host) gt 1"),
        Ok(("hdr_cnt".into(), Matcher::Int))
    );
    assert_eq!(m("a src 10.0.0.0/8"), Ok(("src".into(), Matcher::Ip)));
    assert_eq!(m("a ssl_fc"), Ok(("ssl_fc".into(), Matcher::Bool)));
    assert_eq!(
        m("a cook(sid) -m found"),
        Ok(("req.cook".into(), Matcher::Found))
    );
    assert_eq!(
        m("a req.ssl_sni -i foo"),
        Ok(("req.ssl_sni".into(), Matcher::Str))
    );
    // A converter chain drops the keyword's implied matcher.
    assert_eq!(m("a path_beg,length 3"), Ok(("path".into(), Matcher::Int)));
}

#[test]
fn int_and_ip_patterns_are_typed() {
    let d =
        parse_acl_def(&w("a dst_port 80 443 8000:8999 ge 10000")).unwrap_or_else(|e| panic!("{e}"));
    let r = |min, max| IntRange { min, max };
    assert_eq!(
        d.int_patterns,
        vec![
            r(Some(80), Some(80)),
            r(Some(443), Some(443)),
            r(Some(8000), Some(8999)),
            r(Some(10000), None)
        ]
    );
    let d = parse_acl_def(&w("lan src 192.168.0.0/16 ::1")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.ip_patterns.len(), 2);
    assert!(matches!(
        d.ip_patterns[1],
        IpPattern::V6 { prefix: 128, .. }
    ));
}

#[test]
fn files_are_exposed_for_the_model_layer() {
    let d = parse_acl_def(&w("a path -f /x -f /y -M")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.flags.files, s(&["/x", "/y"]));
    assert!(d.flags.map);
    assert_eq!(
        format!(
            "error detected while parsing ACL 'a' : {}.",
            pattern_file_error("/x")
        ),
        "error detected while parsing ACL 'a' : failed to open pattern file </x>."
    );
    let e = parse_sample_expr("hdr(host),lower,map_dom(/etc/x.map,default)")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(e.map_files(), vec![("map_dom", "/etc/x.map")]);
    assert_eq!(
        map_file_error("map_dom", "/etc/x.map"),
        "invalid args in converter 'map_dom' : failed to open pattern file </etc/x.map>"
    );
}

#[test]
fn sample_expressions() {
    let e = parse_sample_expr("req.hdr(x-forwarded-for,-1),regsub('[, ]+',_,g),upper");
    assert_eq!(
        e,
        Ok(SampleExpr {
            fetch: "req.hdr".into(),
            args: s(&["x-forwarded-for", "-1"]),
            converters: vec![
                Converter {
                    name: "regsub".into(),
                    args: s(&["[, ]+", "_", "g"])
                },
                Converter {
                    name: "upper".into(),
                    args: vec![]
                },
            ],
        })
    );
    let e = parse_sample_expr("src,ipmask(24)").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(e.output_type(), "ipv4");
    let e = parse_sample_expr("sc0_http_req_rate,table_trackers(t),lower")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        e.refused_items(),
        s(&["sc0_http_req_rate", "table_trackers"])
    );
    assert_eq!(
        parse_sample_expr("path,foo"),
        Err("unknown converter 'foo'".to_string())
    );
}

#[test]
fn condition_structure() {
    let c = parse_condition(&w("if a !b || { path_beg /api } METH_GET or !LOCALHOST"));
    let c = c.unwrap_or_else(|e| panic!("{e}"));
    assert!(!c.unless);
    let shape: Vec<Vec<(bool, String)>> = c
        .or_terms
        .iter()
        .map(|and| {
            and.iter()
                .map(|t| {
                    let what = match &t.acl {
                        AclRef::Named(n) => format!("named {n}"),
                        AclRef::Predefined(n) => format!("predefined {n}"),
                        AclRef::Anonymous(d) => {
                            format!("anonymous {} {:?}", d.criterion, d.patterns)
                        }
                    };
                    (t.negate, what)
                })
                .collect()
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            vec![
                (false, "named a".to_string()),
                (true, "named b".to_string())
            ],
            vec![
                (false, "anonymous path_beg [\"/api\"]".to_string()),
                (false, "predefined METH_GET".to_string())
            ],
            vec![(true, "predefined LOCALHOST".to_string())],
        ]
    );
    assert_eq!(c.named_refs(), vec!["a", "b"]);
    assert_eq!(
        resolve(&c, |n| n == "a"),
        Err("no such ACL : 'b'".to_string())
    );
    assert_eq!(resolve(&c, |n| n == "a" || n == "b"), Ok(()));
    let u = parse_condition(&w("unless")).unwrap_or_else(|e| panic!("{e}"));
    assert!(u.unless && u.or_terms.is_empty());
}

#[test]
fn condition_refusals_and_warnings() {
    let c = parse_condition(&w("if { src_conn_rate gt 10 } WAIT_END { path_beg }"));
    let c = c.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.refused_items(), s(&["src_conn_rate", "wait_end"]));
    let warns = c.warnings();
    assert_eq!(warns.len(), 1);
    assert!(warns[0].starts_with("parsing acl keyword 'path_beg' :\n  no pattern to match against"));
    assert_eq!(
        parse_condition(&w("when a")),
        Err("expects either 'if' or 'unless' followed by a condition but found 'when'".to_string())
    );
}

#[test]
fn support_tables() {
    use harp::config::support::{lookup, Context, Status};
    let st = |c, k| lookup(c, k).map(|e| e.status);
    assert_eq!(st(Context::Fetch, "path"), Some(Status::Implemented));
    assert_eq!(st(Context::Fetch, "req.ssl_sni"), Some(Status::Implemented));
    assert_eq!(st(Context::Fetch, "ssl_c_s_dn"), Some(Status::Refused));
    assert_eq!(st(Context::Fetch, "sc1_conn_rate"), Some(Status::Refused));
    assert_eq!(st(Context::Fetch, "acl"), Some(Status::Refused));
    assert_eq!(st(Context::Fetch, "nope"), None);
    assert_eq!(st(Context::Converter, "map_dom"), Some(Status::Implemented));
    assert_eq!(st(Context::Converter, "lower"), Some(Status::Implemented));
    assert_eq!(st(Context::Converter, "in_table"), Some(Status::Refused));
    // Every fetch and converter HAProxy 2.6 registers, plus a few 3.x names.
    assert_eq!(harp::config::support::keywords(Context::Fetch).count(), 454);
    assert_eq!(
        harp::config::support::keywords(Context::Converter).count(),
        141
    );
    assert!(is_fetch("base32+src") && is_converter("set-var") && !is_fetch("lower"));
}

/// Pseudo-random word soups through every parser: no panic, and every
/// answer is either a value with a fetch or a non-empty message.
#[test]
fn arbitrary_input_never_panics() {
    const PIECES: &[&str] = &[
        "path",
        "hdr(",
        ")",
        ",",
        "(",
        "'",
        "\"",
        "\\",
        "{",
        "}",
        "!",
        "||",
        "or",
        "-m",
        "-f",
        "-u",
        "-i",
        "--",
        "lower",
        "map_dom",
        "é",
        "x",
        "1",
        ":",
        "-",
        "gt",
        "src",
        "10.0.0.0/8",
        "int(",
        "reg",
        "if",
        "unless",
        "TRUE",
        "regsub(",
        "a,b",
        "ü)",
        "",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut answers = 0;
    for _ in 0..4000 {
        let n = (next() % 7) as usize;
        let mut ws = Vec::new();
        for _ in 0..n {
            let k = 1 + (next() % 3) as usize;
            let word: String = (0..k)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            ws.push(word);
        }
        match parse_acl_def(&ws) {
            Ok(d) => assert!(!d.expr.fetch.is_empty()),
            Err(e) => assert!(!e.is_empty()),
        }
        match parse_condition(&ws) {
            Ok(c) => assert!(c.or_terms.iter().all(|t| !t.is_empty())),
            Err(e) => assert!(!e.is_empty()),
        }
        match parse_sample_expr(&ws.concat()) {
            Ok(e) => assert!(!e.fetch.is_empty()),
            Err(e) => assert!(!e.is_empty()),
        }
        answers += 1;
    }
    assert_eq!(answers, 4000);
}

#[test]
fn empty_word_ends_the_arguments() {
    let mut ws = s(&["a", "path_beg", "", "/x"]);
    let d = parse_acl_def(&ws).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.patterns, Vec::<String>::new());
    assert!(d.warning().is_some());
    ws[2] = "/x".into();
    ws[3] = String::new();
    let d = parse_acl_def(&ws).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.patterns, s(&["/x"]));
    assert_eq!(
        parse_acl_def(&s(&["a", "", "path"])),
        Err(
            "error detected while parsing ACL 'a' : missing fetch method in ACL expression ''."
                .to_string()
        )
    );
    // HAProxy prints the NUL it found, which cuts its message short.
    assert_eq!(
        parse_acl_def(&s(&["", "path"])),
        Err("character '".to_string())
    );
    let c = parse_condition(&s(&["if", "{", "path", "/x", "}", "", "foo"]));
    let c = c.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.or_terms.len(), 1);
    assert_eq!(resolve(&c, |_| false), Ok(()));
}

#[test]
fn refused_items_are_named_as_written() {
    let d = parse_acl_def(&w("a payload(0,3) -m bin 160301")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.expr.fetch, "req.payload");
    assert_eq!(d.refused_items(), s(&["payload"]));
    let d = parse_acl_def(&w("a req.payload(0,3),in_table(t) -m found"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.refused_items(), s(&["req.payload", "in_table"]));
}

#[test]
fn map_file_errors_in_acl_context() {
    let d = parse_acl_def(&w("a req.hdr(host),lower,map_str(/m.map) -m found"));
    let d = d.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        d.map_file_error("map_str", "/m.map"),
        "invalid args in converter 'map_str' : failed to open pattern file </m.map> in ACL expression 'req.hdr(host),lower,map_str(/m.map)'"
    );
    let d = parse_acl_def(&w("a path,map(/m.map) -m found")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        format!("error detected while parsing ACL 'a' : {}.", d.map_file_error("map", "/m.map")),
        "error detected while parsing ACL 'a' : ACL keyword 'path' : invalid args in converter 'map' : failed to open pattern file </m.map>.."
    );
}
