//! ACL definitions, conditions and sample expressions: exact parse results,
//! HAProxy 2.6's exact error texts (checked with `haproxy -c`), and every
//! acl/condition line of the real-world corpus.

use harp::config::acl::*;

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
    assert_eq!((o.acl_ok, o.acl_refused), (227, 21));
    assert_eq!((o.cond_ok, o.cond_refused), (327, 23));
    let names: Vec<&str> = o.refused_names.iter().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "acl",
            "capture.req.uri",
            "date",
            "http_auth_group",
            "rep_ssl_hello_type",
            "req.payload",
            "req.ssl_alpn",
            "req.ssl_hello_type",
            "req_ssl_hello_type",
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

/// (case, HAProxy 2.6.12 verdict). Cases: `acl ...` lines, `set EXPR` =
/// `http-request set-var(txn.x) EXPR`, `deny if|unless ...` = `http-request
/// deny ...` in a frontend that defines only ACL `a`. Verdicts: `OK`, the
/// message after `parsing [file:line] : `, or `WARN` + the warning's first line.
const ORACLE: &[(&str, &str)] = &[
    ("acl a", "error detected while parsing ACL 'a' : missing fetch method in ACL expression ''."),
    ("acl a% path_beg /x", "character '%' is not permitted in acl name 'a%'."),
    ("acl a/b path", "character '/' is not permitted in acl name 'a/b'."),
    ("acl a.b-c_d:e path -m found", "OK"),
    ("acl a foo", "error detected while parsing ACL 'a' : unknown fetch method 'foo' in ACL expression 'foo'."),
    ("acl a path_beg -m foo /x", "error detected while parsing ACL 'a' : unknown matching method 'foo' when parsing ACL expression."),
    ("acl a path -m", "error detected while parsing ACL 'a' : unknown matching method '' when parsing ACL expression."),
    ("acl a hdr_dom(host) -i foo", "OK"),
    ("acl a src 1.2.3.4/33", "error detected while parsing ACL 'a' : '1.2.3.4/33' is not a valid IPv4 or IPv6 address."),
    ("acl a dst_port abc", "error detected while parsing ACL 'a' : 'abc' is not a number."),
    ("acl a path,lower -m beg /x", "OK"),
    ("acl a path,foo -m beg /x", "error detected while parsing ACL 'a' : ACL keyword 'path' : unknown converter 'foo'.."),
    ("acl a path( -m beg /x", "error detected while parsing ACL 'a' : ACL keyword 'path' : expected ')'."),
    ("acl a hdr -m beg /x", "OK"),
    ("acl a path -x /x", "error detected while parsing ACL 'a' : '-x' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'."),
    ("acl a path -u", "OK"),
    ("acl a path(x) /x", "error detected while parsing ACL 'a' : ACL keyword 'path' : expected ')' before 'x)'."),
    ("acl a url_param /x", "OK"),
    ("acl a hdr( /x", "error detected while parsing ACL 'a' : ACL keyword 'hdr' : expected ')'."),
    ("acl a hdr(a,b,c,d) /x", "error detected while parsing ACL 'a' : ACL keyword 'hdr' : failed to parse 'b' as type 'integer' at position 2."),
    ("acl a dst_port 1:10 gt 5 lt 3", "OK"),
    ("acl a dst_port ge", "OK"),
    ("acl a dst_port -m int 1:x", "error detected while parsing ACL 'a' : '1:x' is not a valid number range."),
    ("acl a path,lower(x) /x", "error detected while parsing ACL 'a' : ACL keyword 'path' : invalid arg 1 in converter 'lower' : expected ')' before 'x)'.."),
    ("acl a path -m found", "OK"),
    ("acl a path -u x /x", "error detected while parsing ACL 'a' : the argument of -u must be an integer."),
    ("acl a src -m str 1.2.3.4", "OK"),
    ("acl a hdr_cnt(host) gt 1", "OK"),
    ("acl a ssl_fc", "OK"),
    ("acl a always_true", "OK"),
    ("acl a path -- -x", "OK"),
    ("acl a var(txn.x) foo", "error detected while parsing ACL 'a' : matching method must be specified first (using '-m') when using a sample fetch of this type ('var')."),
    ("acl a var(txn.x) -m str foo", "OK"),
    ("acl a path,length gt 3", "OK"),
    ("acl a path,length foo", "error detected while parsing ACL 'a' : 'foo' is not a number."),
    ("acl a hdr_beg(host),lower x", "OK"),
    ("acl a hdr(x)x foo", "error detected while parsing ACL 'a' : ACL keyword 'hdr' : missing comma after fetch keyword.."),
    ("acl a src -m int 1", "OK"),
    ("acl a ssl_fc yes", "OK"),
    ("acl a PATH x", "error detected while parsing ACL 'a' : unknown fetch method 'PATH' in ACL expression 'PATH'."),
    ("acl a foo(x),lower y", "error detected while parsing ACL 'a' : unknown fetch method 'foo' in ACL expression 'foo(x),lower'."),
    ("acl a hdr_dom(host,1,2) y", "error detected while parsing ACL 'a' : ACL keyword 'hdr_dom' : expected ')' before ',2)'."),
    ("acl a int(x) 1", "error detected while parsing ACL 'a' : fetch method 'int' : failed to parse 'x' as type 'integer' at position 1 in ACL expression 'int(x)'."),
    ("acl a path,regsub 1", "error detected while parsing ACL 'a' : ACL keyword 'path' : invalid arg 2 in converter 'regsub' : missing arguments (got 1/2), type 'string' expected.."),
    ("acl a str y", "OK"),
    ("acl a path_beg", "WARN parsing acl keyword 'path_beg' :"),
    ("acl a dst_port", "WARN parsing acl keyword 'dst_port' :"),
    ("acl a hdr(host)", "WARN parsing acl keyword 'hdr(host)' :"),
    ("acl a path_beg --", "OK"),
    ("acl a src 10.0.0.0/8 192.168.0.0/255.255.0.0 ::1 fe80::/10", "OK"),
    ("acl a src 10.0.0.0/255.0.255.0", "OK"),
    ("acl a src,foo x", "error detected while parsing ACL 'a' : unknown converter 'foo' in ACL expression 'src,foo'."),
    ("acl a src(x) x", "error detected while parsing ACL 'a' : fetch method 'src' : expected ')' before 'x)' in ACL expression 'src(x)'."),
    ("acl a src,lower(x) x", "error detected while parsing ACL 'a' : invalid arg 1 in converter 'lower' : expected ')' before 'x)' in ACL expression 'src,lower(x)'."),
    ("acl a src -m ip -n foo.example", "error detected while parsing ACL 'a' : 'foo.example' is not a valid IPv4 or IPv6 address."),
    ("acl a src -n 1.2.3", "error detected while parsing ACL 'a' : '1.2.3' is not a valid IPv4 or IPv6 address."),
    ("acl a dst_port -- 80", "OK"),
    ("acl a dst_port 80 -- 81", "OK"),
    ("acl a req.ssl_sni -i -m end .example.com", "OK"),
    ("acl a url_reg -i ^/a", "OK"),
    ("acl a base32+src -m found", "OK"),
    ("acl a unique-id -m found", "OK"),
    ("acl a hdr_val(x) lt -3", "OK"),
    ("acl a path_len,lower foo", "OK"),
    ("acl a path_beg,length foo", "error detected while parsing ACL 'a' : 'foo' is not a number."),
    ("acl a hdr_cnt,lower foo", "OK"),
    ("acl a src 1.2.3.4 -- 5.6.7.8", "error detected while parsing ACL 'a' : '--' is not a valid IPv4 or IPv6 address."),
    ("acl a src 1.2.3.4 -i 5.6.7.8", "error detected while parsing ACL 'a' : '-i' is not a valid IPv4 or IPv6 address."),
    ("acl a path -m beg -- -- -x", "OK"),
    ("acl a dst_port 80 -", "error detected while parsing ACL 'a' : '-' is not a valid number range."),
    ("acl a dst_port 80 1-", "OK"),
    ("acl a dst_port 80 -5", "OK"),
    ("acl a dst_port 80 5x", "error detected while parsing ACL 'a' : '5x' is not a number."),
    ("acl a dst_port 80 ---", "error detected while parsing ACL 'a' : '---' is not a valid number range."),
    ("acl a dst_port 80 -a", "error detected while parsing ACL 'a' : '-a' is not a valid number range."),
    ("acl a dst_port 80 :", "error detected while parsing ACL 'a' : ':' is not a valid number range."),
    ("acl a dst_port 80 5:3", "error detected while parsing ACL 'a' : '5:3' is not a valid number range."),
    ("acl a dst_port 80 +5", "error detected while parsing ACL 'a' : '+5' is not a number."),
    ("acl a dst_port 80 1:-3", "error detected while parsing ACL 'a' : '1:-3' is not a valid number range."),
    ("acl a dst_port 80 99999999999999999999", "error detected while parsing ACL 'a' : '99999999999999999999' is not a number."),
    ("acl a dst_port 80 1.5", "error detected while parsing ACL 'a' : '1.5' is not a number."),
    ("acl a path_len gt 3", "OK"),
    ("acl a path_len foo", "error detected while parsing ACL 'a' : 'foo' is not a number."),
    ("acl a dst_port -- -3", "OK"),
    ("acl a ,lower x", "error detected while parsing ACL 'a' : missing fetch method in ACL expression ',lower'."),
    ("acl a (x) x", "error detected while parsing ACL 'a' : missing fetch method in ACL expression '(x)'."),
    ("set path(", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : fetch method 'path' : expected ')'."),
    ("set path(x)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : fetch method 'path' : expected ')' before 'x)'."),
    ("set hdr(a,b)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : fetch method 'hdr' : failed to parse 'b' as type 'integer' at position 2."),
    ("set path,lower(x)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 1 in converter 'lower' : expected ')' before 'x)'."),
    ("set path,", "OK"),
    ("set hdr(x)x", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : missing comma after fetch keyword 'hdr'."),
    ("set path,regsub(a,b,g)", "OK"),
    ("set path,regsub(a,c,g)x", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : missing comma after converter 'regsub'."),
    ("set path,regsub(a,c,g),,lower", "OK"),
    ("set path,lower()", "OK"),
    ("set hdr()", "OK"),
    ("set hdr(a,)", "OK"),
    ("set hdr(,1)", "OK"),
    ("set int(x)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : fetch method 'int' : failed to parse 'x' as type 'integer' at position 1."),
    ("set int()", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : fetch method 'int' : expected type 'integer' at position 1, but got nothing."),
    ("set str()", "OK"),
    ("set str", "OK"),
    ("set path,word(x,/)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 1 in converter 'word' : failed to parse 'x' as type 'integer' at position 1."),
    ("set path,regsub", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 2 in converter 'regsub' : missing arguments (got 1/2), type 'string' expected."),
    ("set path,lower(x", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 1 in converter 'lower' : expected ')' before 'x'."),
    ("set path(x", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : fetch method 'path' : expected ')' before 'x'."),
    ("set bytes(1,2,3)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : unknown fetch method 'bytes'."),
    ("set src,ipmask(24)", "OK"),
    ("set foo", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : unknown fetch method 'foo'."),
    ("set path,foo", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : unknown converter 'foo'."),
    ("set path,field(1,/,x)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 3 in converter 'field' : failed to parse 'x' as type 'integer' at position 3."),
    ("set path,word()", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 1 in converter 'word' : expected type 'integer' at position 1, but got nothing."),
    ("set path,word(1)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 2 in converter 'word' : missing arguments (got 1/2), type 'string' expected."),
    ("set path,", "OK"),
    ("set path,,", "OK"),
    ("set ,lower", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : missing fetch method."),
    ("set path,lower-x", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : unknown converter 'lower-x'."),
    ("set pathx", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : unknown fetch method 'pathx'."),
    ("set path.x", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : unknown fetch method 'path.x'."),
    ("set hdr(a,b,c)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : fetch method 'hdr' : failed to parse 'b' as type 'integer' at position 2."),
    ("set path,regsub(a,b,c,d)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 3 in converter 'regsub' : expected ')' before ',d)'."),
    ("set path,bytes(1,x)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 2 in converter 'bytes' : failed to parse 'x' as type 'integer' at position 2."),
    ("deny if foo", "error detected while parsing an 'http-request deny' condition : no such ACL : 'foo'."),
    ("deny if { path_beg /x", "error detected while parsing an 'http-request deny' condition : missing closing '}' in condition."),
    ("deny if { }", "error detected while parsing an 'http-request deny' condition : missing fetch method in ACL expression ''."),
    ("deny if !", "OK"),
    ("deny if", "OK"),
    ("deny if a ||", "OK"),
    ("deny if || a", "OK"),
    ("deny if { path_beg /x } or !{ path /y }", "OK"),
    ("deny if { path_beg /x } || ! { path /y }", "OK"),
    ("deny if {path /x}", "error detected while parsing an 'http-request deny' condition : no such ACL : '{path'."),
    ("deny if TRUE OR FALSE", "OK"),
    ("deny if !!TRUE", "OK"),
    ("deny if { path x } }", "error detected while parsing an 'http-request deny' condition : no such ACL : '}'."),
    ("deny if { { path x }", "error detected while parsing an 'http-request deny' condition : missing fetch method in ACL expression '{'."),
    ("deny if a !b", "error detected while parsing an 'http-request deny' condition : no such ACL : 'b'."),
    ("deny if { path_beg -m bad x }", "error detected while parsing an 'http-request deny' condition : unknown matching method 'bad' when parsing ACL expression."),
    ("deny if { foo }", "error detected while parsing an 'http-request deny' condition : unknown fetch method 'foo' in ACL expression 'foo'."),
    ("deny unless a METH_GET b", "error detected while parsing an 'http-request deny' condition : no such ACL : 'b'."),
    ("deny if a or b", "error detected while parsing an 'http-request deny' condition : no such ACL : 'b'."),
    ("deny unless !a !LOCALHOST", "OK"),
    ("set path,lower,foo", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : unknown converter 'foo'."),
    ("acl a path,lower,foo x", "error detected while parsing ACL 'a' : ACL keyword 'path' : unknown converter 'foo'.."),
    ("set path,lower,regsub(a)", "error detected in frontend 'f' while parsing 'http-request set-var(txn.x)' rule : invalid arg 2 in converter 'regsub' : missing arguments (got 1/2), type 'string' expected."),
    ("set path,lower,upper,word(1,/)", "OK"),
    ("acl a hdr(host),lower,map_str(/etc/hosts) -m found", "OK"),
    ("acl a dst_port ge abc", "error detected while parsing ACL 'a' : 'abc' is neither a number nor a supported operator."),
    ("acl a dst_port ge 10x", "error detected while parsing ACL 'a' : '10x' is neither a number nor a supported operator."),
    ("acl a dst_port gt 1:5", "OK"),
    ("acl a dst_port eq 10.0.0.0/8", "error detected while parsing ACL 'a' : '10.0.0.0/8' is not a number."),
    ("acl a dst_port 5 ge 10.0.0.0/8", "OK"),
    ("acl a dst_port ge 5 abc", "error detected while parsing ACL 'a' : 'abc' is neither a number nor a supported operator."),
    ("acl a dst_port ge lt 5", "OK"),
    ("acl a dst_port lt", "OK"),
    ("acl a path_len ge 1.5", "OK"),
    ("acl a dst_port eq abc", "error detected while parsing ACL 'a' : 'abc' is not a number."),
    ("acl a dst_port ge .5", "error detected while parsing ACL 'a' : '.5' is neither a number nor a supported operator."),
    ("acl a dst_port ge 1.x", "OK"),
    ("acl a dst_port ge 1:x", "error detected while parsing ACL 'a' : '1:x' is not a valid number range."),
    ("acl a dst_port ge 1:2.5", "error detected while parsing ACL 'a' : '1:2.5' is not a valid number range."),
    ("acl a dst_port lt 1.5:2", "error detected while parsing ACL 'a' : '1.5:2' is not a valid number range."),
    ("acl a dst_port ge 1/8", "error detected while parsing ACL 'a' : '1/8' is neither a number nor a supported operator."),
    ("acl a dst_port ge -", "error detected while parsing ACL 'a' : '-' is not a valid number range."),
    ("acl a dst_port ge +3", "error detected while parsing ACL 'a' : '+3' is neither a number nor a supported operator."),
    ("acl a dst_port le 1..2", "OK"),
    ("acl a dst_port ge 5 eq 1.5", "error detected while parsing ACL 'a' : '1.5' is not a number."),
    ("acl a req.ssl_ver 3:3.1", "OK"),
    ("acl a req_ssl_ver 3.1", "OK"),
    ("acl a req.ssl_ver 3:x", "error detected while parsing ACL 'a' : '3:x' is not a valid dotted number range."),
    ("acl a ssl_fc -m ip --", "error detected while parsing ACL 'a' : matching method 'ip' cannot be used with fetch keyword 'ssl_fc'."),
    ("acl a ipv6(::1) -m bool --", "error detected while parsing ACL 'a' : matching method 'bool' cannot be used with fetch keyword 'ipv6'."),
    ("acl a ipv6(::1) -m int --", "error detected while parsing ACL 'a' : matching method 'int' cannot be used with fetch keyword 'ipv6'."),
    ("acl a bin(00) -m ip --", "error detected while parsing ACL 'a' : matching method 'ip' cannot be used with fetch keyword 'bin'."),
    ("acl a meth(GET) -m int --", "error detected while parsing ACL 'a' : matching method 'int' cannot be used with fetch keyword 'meth'."),
    ("acl a method -m ip --", "error detected while parsing ACL 'a' : matching method 'ip' cannot be used with fetch keyword 'method'."),
    ("acl a src -m bool --", "OK"),
    ("acl a var(txn.x) -m ip --", "OK"),
    ("acl a dst_port,bool -m ip -m dom 1:10", "error detected while parsing ACL 'a' : matching method 'ip' cannot be used with fetch keyword 'dst_port'."),
    ("acl a bin(0a) -m bool -m reg 0", "error detected while parsing ACL 'a' : matching method 'bool' cannot be used with fetch keyword 'bin'."),
    ("acl a path,ub64dec -m bool - 0a0b 0", "error detected while parsing ACL 'a' : matching method 'bool' cannot be used with fetch keyword 'path'."),
    ("acl a path,ub64dec x", "error detected while parsing ACL 'a' : matching method must be specified first (using '-m') when using a sample fetch of this type ('path')."),
    ("acl a bin(0a) 0", "error detected while parsing ACL 'a' : matching method must be specified first (using '-m') when using a sample fetch of this type ('bin')."),
    ("acl a meth(GET) -- 00", "error detected while parsing ACL 'a' : matching method must be specified first (using '-m') when using a sample fetch of this type ('meth')."),
    ("acl a path -m bin zz", "error detected while parsing ACL 'a' : an hex digit is expected (found 'z')."),
    ("acl a path -m bin 0g", "error detected while parsing ACL 'a' : an hex digit is expected (found 'g')."),
    ("acl a path -m bin abc", "error detected while parsing ACL 'a' : an even number of hex digit is expected."),
    ("acl a path -m bin 0A1b", "OK"),
    ("acl a path -m ip 2.0", "OK"),
    ("acl a path -m ip 10", "OK"),
    ("acl a path -m ip 0x0a000001", "error detected while parsing ACL 'a' : '0x0a000001' is not a valid IPv4 or IPv6 address."),
    ("acl a path -m ip 1.2.3.4.5", "error detected while parsing ACL 'a' : '1.2.3.4.5' is not a valid IPv4 or IPv6 address."),
    ("acl a path -m ip 256.1.1.1", "error detected while parsing ACL 'a' : '256.1.1.1' is not a valid IPv4 or IPv6 address."),
    ("acl a path -m ip -n 2.0", "error detected while parsing ACL 'a' : '2.0' is not a valid IPv4 or IPv6 address."),
    ("acl a path -m ip 1.2.3.4/", "error detected while parsing ACL 'a' : '1.2.3.4/' is not a valid IPv4 or IPv6 address."),
    ("acl a path -m ip ::1/129", "error detected while parsing ACL 'a' : '::1/129' is not a valid IPv4 or IPv6 address."),
    ("acl a path -m ip [::1]", "error detected while parsing ACL 'a' : '[::1]' is not a valid IPv4 or IPv6 address."),
    ("acl a src -m bin", "OK"),
    ("acl a dst_port -n -i", "OK"),
    ("acl a ssl_fc -m str", "OK"),
    ("acl a ssl_fc x", "OK"),
    ("acl a path,ub64dec", "error detected while parsing ACL 'a' : matching method must be specified first (using '-m') when using a sample fetch of this type ('path')."),
    ("acl a req.ssl_ver 0a0b", "error detected while parsing ACL 'a' : '0a0b' is not a dotted number."),
];

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
