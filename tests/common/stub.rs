//! Stubbed copies of configuration files for the differential check.
//!
//! Real-world configurations name certificates, error pages, Lua scripts, ACL
//! pattern files and maps that do not exist on the test machine; `haproxy -c`
//! opens them and would fail for reasons unrelated to the configuration
//! language. A stubbed copy replaces each such path with a generated file of the
//! right kind (one per distinct original path, so references stay consistent)
//! and leaves every other byte of the file untouched. Both programs then check
//! the same bytes.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What a referenced file must contain for `haproxy -c` to accept it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StubKind {
    /// PEM certificate followed by its private key (`crt`, `ca-file`).
    Cert,
    /// A certificate list naming the stub certificate (`crt-list`).
    CrtList,
    /// PEM certificate revocation list (`crl-file`).
    Crl,
    /// PEM Diffie-Hellman parameters (`ssl-dh-param-file`).
    DhParams,
    /// A complete HTTP response (`errorfile`).
    HttpResponse,
    /// An empty file (ACL `-f`, maps, Lua scripts, `return ... file`).
    Empty,
}

/// The checked-in stub contents (fixtures/stubs/).
pub struct StubSource {
    pub cert_and_key: Vec<u8>,
    pub crl: Vec<u8>,
    pub dh_params: Vec<u8>,
    pub http_response: Vec<u8>,
}

impl StubSource {
    pub fn load(dir: &Path) -> io::Result<Self> {
        Ok(StubSource {
            cert_and_key: fs::read(dir.join("test.pem"))?,
            crl: fs::read(dir.join("crl.pem"))?,
            dh_params: fs::read(dir.join("dhparam.pem"))?,
            http_response: fs::read(dir.join("error.http"))?,
        })
    }
}

/// Local users and groups, to replace `user`/`group` names this machine lacks.
pub struct Accounts {
    users: HashSet<String>,
    groups: HashSet<String>,
}

impl Accounts {
    pub fn from_system() -> Self {
        let names = |path: &str| -> HashSet<String> {
            fs::read_to_string(path)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.split(':').next())
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect()
        };
        Accounts {
            users: names("/etc/passwd"),
            groups: names("/etc/group"),
        }
    }

    fn has(&self, keyword: &str, name: &str) -> bool {
        // Numeric ids are accepted by both programs as they are.
        if name.bytes().all(|b| b.is_ascii_digit()) {
            return true;
        }
        match keyword {
            "user" => self.users.contains(name),
            _ => self.groups.contains(name),
        }
    }
}

/// One whitespace-separated word of a line: its byte span in the raw line and
/// its text after removing quotes and backslash escapes (good enough to
/// recognise keywords; the raw span is what gets replaced).
#[derive(Debug)]
struct Word {
    start: usize,
    end: usize,
    text: String,
}

/// Split a line into words the way the configuration language does, closely
/// enough to find keywords: quotes group, backslash escapes one byte, an
/// unquoted `#` starts a comment.
fn words(line: &str) -> Vec<Word> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'#' {
            break;
        }
        let start = i;
        let mut text = Vec::new();
        let mut quote: Option<u8> = None;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(b'"') if b == b'\\' && i + 1 < bytes.len() => {
                    i += 1;
                    text.push(bytes[i]);
                }
                Some(_) => text.push(b),
                None => match b {
                    b' ' | b'\t' | b'\r' | b'\n' | b'#' => break,
                    b'"' | b'\'' => quote = Some(b),
                    b'\\' if i + 1 < bytes.len() => {
                        i += 1;
                        text.push(bytes[i]);
                    }
                    _ => text.push(b),
                },
            }
            i += 1;
        }
        out.push(Word {
            start,
            end: i,
            text: String::from_utf8_lossy(&text).into_owned(),
        });
    }
    out
}

const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "userlist",
    "peers",
    "resolvers",
    "mailers",
    "cache",
    "http-errors",
    "ring",
    "program",
    "fcgi-app",
];

/// A planned replacement: raw byte span of one line, what goes there.
enum Edit {
    File(usize, usize, String, StubKind),
    Text(usize, usize, String),
}

/// Files referenced by the configuration, mapped to their stubs, shared by all
/// files of one case so that the same original path gets the same stub.
pub struct Stubber<'a> {
    dir: PathBuf,
    source: &'a StubSource,
    accounts: &'a Accounts,
    made: BTreeMap<(String, StubKind), PathBuf>,
}

impl<'a> Stubber<'a> {
    /// Stubs are created in `dir` (which must exist) on first reference.
    pub fn new(dir: PathBuf, source: &'a StubSource, accounts: &'a Accounts) -> Self {
        Stubber {
            dir,
            source,
            accounts,
            made: BTreeMap::new(),
        }
    }

    /// The stubbed text of a whole file; lines keep their terminators, and a
    /// missing final LF stays missing.
    pub fn rewrite(&mut self, text: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len());
        let mut section = String::new();
        for raw in text.split_inclusive(|&b| b == b'\n') {
            match std::str::from_utf8(raw) {
                Ok(line) => {
                    let new = self.rewrite_line(line, &mut section)?;
                    out.extend_from_slice(new.as_bytes());
                }
                // Not UTF-8: nothing we would rewrite, keep the bytes.
                Err(_) => out.extend_from_slice(raw),
            }
        }
        Ok(out)
    }

    fn rewrite_line(&mut self, line: &str, section: &mut String) -> io::Result<String> {
        let w = words(line);
        let Some(first) = w.first() else {
            return Ok(line.to_owned());
        };
        if SECTIONS.contains(&first.text.as_str()) {
            section.clone_from(&first.text);
        }
        let edits = self.plan(&w, section);
        if edits.is_empty() {
            return Ok(line.to_owned());
        }
        let mut replaced: Vec<(usize, usize, String)> = Vec::new();
        for e in edits {
            match e {
                Edit::File(s, end, orig, kind) => {
                    let p = self.stub_for(&orig, kind)?;
                    replaced.push((s, end, p.to_string_lossy().into_owned()));
                }
                Edit::Text(s, end, t) => replaced.push((s, end, t)),
            }
        }
        replaced.sort_by_key(|r| r.0);
        let mut out = String::with_capacity(line.len() + 64);
        let mut pos = 0;
        for (s, end, t) in replaced {
            if s < pos {
                continue; // overlapping edits: keep the first
            }
            out.push_str(&line[pos..s]);
            out.push_str(&t);
            pos = end;
        }
        out.push_str(&line[pos..]);
        Ok(out)
    }

    fn plan(&self, w: &[Word], section: &str) -> Vec<Edit> {
        let mut edits = Vec::new();
        let kw = w[0].text.as_str();
        let file = |i: usize, kind: StubKind, edits: &mut Vec<Edit>| {
            if let Some(x) = w.get(i) {
                // `@system-ca` and friends name no file.
                if !x.text.is_empty() && !x.text.starts_with('@') {
                    edits.push(Edit::File(x.start, x.end, x.text.clone(), kind));
                }
            }
        };
        let is_return = w.iter().any(|x| x.text == "return") || kw == "http-error";
        let is_bind_like =
            kw == "bind" || (kw == "stats" && w.get(1).is_some_and(|x| x.text == "socket"));
        for (i, x) in w.iter().enumerate() {
            match x.text.as_str() {
                // A directory of certificates (`crt /etc/certs.d`) gets a single
                // file: both programs accept a file wherever a directory may be.
                "crt" if i > 0 => file(i + 1, StubKind::Cert, &mut edits),
                "ca-file" | "ca-verify-file" | "ca-sign-file" if i > 0 => {
                    file(i + 1, StubKind::Cert, &mut edits)
                }
                "crl-file" if i > 0 => file(i + 1, StubKind::Crl, &mut edits),
                "crt-list" if i > 0 => file(i + 1, StubKind::CrtList, &mut edits),
                "ssl-dh-param-file" if i == 0 => file(1, StubKind::DhParams, &mut edits),
                "lua-load" | "lua-load-per-thread" if i == 0 => {
                    file(1, StubKind::Empty, &mut edits)
                }
                "errorfile" => {
                    // `errorfile <code> <file>`; in return rules `errorfile <file>`.
                    let coded = w
                        .get(i + 1)
                        .is_some_and(|c| c.text.bytes().all(|b| b.is_ascii_digit()));
                    file(
                        if coded { i + 2 } else { i + 1 },
                        StubKind::HttpResponse,
                        &mut edits,
                    );
                }
                "file" | "lf-file" if is_return && i > 0 => {
                    file(i + 1, StubKind::Empty, &mut edits)
                }
                "-f" if i > 0 && section != "global" && kw != "command" => {
                    file(i + 1, StubKind::Empty, &mut edits)
                }
                "user" | "group" if (i == 0 && section == "global") || (i > 0 && is_bind_like) => {
                    if let Some(n) = w.get(i + 1) {
                        if !self.accounts.has(&x.text, &n.text) {
                            edits.push(Edit::Text(n.start, n.end, "root".into()));
                        }
                    }
                }
                _ => {}
            }
            if i > 0 {
                map_refs(x, &mut edits);
            }
        }
        edits
    }

    fn stub_for(&mut self, orig: &str, kind: StubKind) -> io::Result<PathBuf> {
        if let Some(p) = self.made.get(&(orig.to_owned(), kind)) {
            return Ok(p.clone());
        }
        let base: String = Path::new(orig)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        // A list's certificate is made first, so that numbering stays unique.
        let list_cert = match kind {
            StubKind::CrtList => Some(self.stub_for(&format!("{orig}.pem"), StubKind::Cert)?),
            _ => None,
        };
        let path = self.dir.join(format!("{}-{}", self.made.len(), base));
        match kind {
            StubKind::Cert => fs::write(&path, &self.source.cert_and_key)?,
            StubKind::CrtList => {
                let cert = list_cert.unwrap_or_default();
                fs::write(&path, format!("{}\n", cert.display()))?;
            }
            StubKind::Crl => fs::write(&path, &self.source.crl)?,
            StubKind::DhParams => fs::write(&path, &self.source.dh_params)?,
            StubKind::HttpResponse => fs::write(&path, &self.source.http_response)?,
            StubKind::Empty => fs::write(&path, b"")?,
        }
        self.made.insert((orig.to_owned(), kind), path.clone());
        Ok(path)
    }
}

/// Map and ACL file references inside a word: `map(FILE,...)`, `map_str(FILE)`,
/// `set-map(FILE)`, `del-acl(FILE)`... The path runs to `,` or `)`.
fn map_refs(x: &Word, edits: &mut Vec<Edit>) {
    // Positions are searched in the unquoted text; they only map back onto the
    // raw line when the word has no quotes or escapes, which is the usual case.
    let raw_len = x.end - x.start;
    if raw_len != x.text.len() {
        return;
    }
    let t = x.text.as_str();
    let mut from = 0;
    while let Some(rel) = t[from..].find('(') {
        let open = from + rel;
        let name_start = t[..open]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .map_or(0, |p| p + 1);
        let name = &t[name_start..open];
        let is_map = name == "map"
            || name.starts_with("map_")
            || matches!(
                name,
                "set-map" | "del-map" | "add-acl" | "del-acl" | "clear-map"
            );
        from = open + 1;
        if !is_map {
            continue;
        }
        let end = t[from..].find([',', ')']).map_or(t.len(), |p| from + p);
        if end > from {
            edits.push(Edit::File(
                x.start + from,
                x.start + end,
                t[from..end].to_owned(),
                StubKind::Empty,
            ));
        }
        from = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        words(line).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_follow_quotes_escapes_and_comments() {
        assert_eq!(
            texts("  bind \"a b\" c\\ d 'e#f' g#h # tail\r\n"),
            vec!["bind", "a b", "c d", "e#f", "g"]
        );
    }

    fn stubbed(text: &str) -> (String, Vec<PathBuf>) {
        let dir = std::env::temp_dir().join(format!("harp-stub-unit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let source = StubSource {
            cert_and_key: b"CERT".to_vec(),
            crl: b"CRL".to_vec(),
            dh_params: b"DH".to_vec(),
            http_response: b"HTTP".to_vec(),
        };
        let accounts = Accounts {
            users: ["root".to_owned()].into(),
            groups: ["root".to_owned()].into(),
        };
        let mut s = Stubber::new(dir.clone(), &source, &accounts);
        let out = String::from_utf8(s.rewrite(text.as_bytes()).unwrap()).unwrap();
        let made = s.made.values().cloned().collect();
        let _ = fs::remove_dir_all(&dir);
        (out.replace(&dir.display().to_string(), "S"), made)
    }

    #[test]
    fn rewrites_file_references_and_nothing_else() {
        let (out, made) = stubbed(
            "global\n  user nobody-here\n  group root\n  ssl-dh-param-file /x/dh.pem\r\n\
             userlist u\n  user nobody-here insecure-password x\n\
             frontend f # c\n  bind :443 ssl crt /a/site.pem crt-list /a/l.txt user ghost\n\
             \x20 acl bad src -f /a/b.acl\n  errorfile 503 \"/e/503.http\"\n\
             \x20 http-request set-header X %[src,map_ip(/m/r.map,x)] # map(/not/this)\n\
             \x20 http-request return status 200 file /r/body.txt\n  server s 127.0.0.1:80 ca-file @system-ca",
        );
        assert_eq!(
            out,
            "global\n  user root\n  group root\n  ssl-dh-param-file S/0-dh.pem\r\n\
             userlist u\n  user nobody-here insecure-password x\n\
             frontend f # c\n  bind :443 ssl crt S/1-site.pem crt-list S/3-l.txt user root\n\
             \x20 acl bad src -f S/4-b.acl\n  errorfile 503 S/5-503.http\n\
             \x20 http-request set-header X %[src,map_ip(S/6-r.map,x)] # map(/not/this)\n\
             \x20 http-request return status 200 file S/7-body.txt\n  server s 127.0.0.1:80 ca-file @system-ca"
        );
        assert_eq!(
            made.len(),
            8,
            "one stub per reference plus the crt-list's certificate"
        );
    }
}
