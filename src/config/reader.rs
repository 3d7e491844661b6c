//! Files → located statements grouped in sections.
//!
//! Handles what HAProxy does before any keyword is looked at: `-f` files and
//! directories (management guide §3), line splitting, the tokenizer,
//! `.if/.elif/.else/.endif` and `.diag/.notice/.warning/.alert`
//! (configuration manual §2.4), the environment changed by
//! `setenv`/`presetenv`/`unsetenv`/`resetenv`, and section boundaries
//! (every file must start with a section).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cond::{self, CondEnv};
use super::lexer::{self, EnvLookup};
use crate::diag::{Diagnostic, Diagnostics, Loc, LocStyle};

/// HAProxy's MAXNESTEDCONDS.
const MAX_NESTED_CONDS: usize = 100;

/// One statement: a non-empty tokenized line.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub loc: Loc,
    pub words: Vec<String>,
}

/// Section types known to HAProxy 2.6, plus newer ones that harp must
/// recognise in order to refuse them by name.
pub const SECTION_KEYWORDS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "userlist",
    "peers",
    "resolvers",
    "mailers",
    "program",
    "http-errors",
    "ring",
    "cache",
    "fcgi-app",
    "log-forward",
    "namespace_list",
    "crt-store",
    "traces",
    "log-profile",
    "acme",
    "healthcheck",
];

/// A section with its header and body.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSection {
    /// The section keyword (`frontend`).
    pub kind: String,
    /// The header words after the keyword (`name`, `from`, `x`, ...).
    pub args: Vec<String>,
    pub loc: Loc,
    pub body: Vec<Statement>,
}

/// The environment seen by `"${VAR}"`: the process environment as it was
/// at start, changed by `setenv` & co. in `global`, plus pseudo-variables.
#[derive(Debug, Clone, Default)]
pub struct ConfigEnv {
    pub vars: HashMap<String, String>,
    file: String,
    line: u32,
    section: String,
}

impl ConfigEnv {
    pub fn from_process() -> Self {
        ConfigEnv {
            vars: std::env::vars().collect(),
            ..Default::default()
        }
    }
    pub fn from_map(vars: HashMap<String, String>) -> Self {
        ConfigEnv {
            vars,
            ..Default::default()
        }
    }
}

impl EnvLookup for ConfigEnv {
    fn get(&self, name: &str) -> Option<String> {
        match name {
            ".FILE" => Some(self.file.clone()),
            ".LINE" => Some(self.line.to_string()),
            ".SECTION" => Some(self.section.clone()),
            _ => self.vars.get(name).cloned(),
        }
    }
}

impl CondEnv for ConfigEnv {
    fn defined(&self, var: &str) -> bool {
        self.vars.contains_key(var)
    }
}

/// State of one `.if` level.
#[derive(Debug, Clone, Copy)]
struct CondLevel {
    /// Lines in the current branch are used.
    active: bool,
    /// Some branch of this block was already taken.
    taken: bool,
    /// `.else` has been seen.
    in_else: bool,
    /// The enclosing level is active.
    parent_active: bool,
}

/// What reading produced. `aborted` means a conditional-block error or
/// `.alert` stopped the parsing, as HAProxy does.
#[derive(Debug, Default)]
pub struct ReadOutput {
    pub sections: Vec<RawSection>,
    pub files: Vec<String>,
    pub aborted: bool,
    /// Whether any alert should be summarised as "Fatal errors found"
    /// (HAProxy omits that line when only block errors occurred).
    pub fatal: bool,
}

/// Expand `-f` arguments: files as given, directories as their non-hidden
/// `*.cfg` regular files in C (byte) order.
pub fn expand_paths(paths: &[PathBuf], diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(rd) => {
                    let mut names: Vec<PathBuf> = rd
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
                        .map(|e| e.path())
                        .filter(|q| {
                            q.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| !n.starts_with('.') && n.ends_with(".cfg"))
                        })
                        .collect();
                    names.sort_by(|a, b| {
                        a.as_os_str()
                            .as_encoded_bytes()
                            .cmp(b.as_os_str().as_encoded_bytes())
                    });
                    out.extend(names);
                }
                Err(e) => diags.alert(
                    None,
                    format!(
                        "Cannot open configuration directory '{}' : {e}",
                        p.display()
                    ),
                ),
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Read and split every file. Unreadable files are reported and skipped.
pub fn read_files(paths: &[PathBuf], env: &mut ConfigEnv, diags: &mut Diagnostics) -> ReadOutput {
    let mut out = ReadOutput::default();
    for path in expand_paths(paths, diags) {
        let name = path.display().to_string();
        match std::fs::read(&path) {
            Ok(bytes) => {
                out.files.push(name.clone());
                read_one(&name, &bytes, env, diags, &mut out);
                if out.aborted {
                    break;
                }
            }
            Err(e) => {
                // HAProxy stops here and prints no summary line.
                out.aborted = true;
                diags.alert(
                    None,
                    format!(
                        "Cannot open configuration file/directory {} : {}",
                        name,
                        io_reason(&e)
                    ),
                );
                break;
            }
        }
    }
    out
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

/// Read one file's bytes (no I/O): the entry point for fuzzing.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    env: &mut ConfigEnv,
    diags: &mut Diagnostics,
) -> ReadOutput {
    let mut out = ReadOutput::default();
    out.files.push(name.to_string());
    read_one(name, bytes, env, diags, &mut out);
    out
}

fn read_one(
    name: &str,
    bytes: &[u8],
    env: &mut ConfigEnv,
    diags: &mut Diagnostics,
    out: &mut ReadOutput,
) {
    let file: Arc<str> = Arc::from(name);
    let mut conds: Vec<CondLevel> = Vec::new();
    // Sections never continue across files.
    let mut current: Option<RawSection> = None;
    let mut line_no = 0u32;
    let mut rest = bytes;
    env.file = name.to_string();
    while !rest.is_empty() {
        line_no += 1;
        let (raw, has_lf, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], true, &rest[i + 1..]),
            None => (rest, false, &rest[rest.len()..]),
        };
        rest = next;
        let loc = Loc {
            file: file.clone(),
            line: line_no,
        };
        if !has_lf {
            // HAProxy refuses this; real files often lack the final LF, so
            // harp reads the line and only warns.
            diags.push(
                Diagnostic::warning(
                    Some(loc.clone()),
                    format!(
                        "Missing LF on last line, file might have been truncated at position {}.",
                        raw.len() + 1
                    ),
                )
                .with_style(LocStyle::ParsingTight),
            );
        }
        let lead = raw.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        let line = &raw[lead..];
        env.line = line_no;
        let words = match lexer::tokenize(line, env) {
            Ok(w) => w,
            Err(e) => {
                out.fatal = true;
                diags.push(
                    Diagnostic::alert(Some(loc), e.message(trim_eol(line), lead))
                        .with_style(LocStyle::ParsingTight),
                );
                continue;
            }
        };
        if words.is_empty() || words[0].starts_with('[') && line.first() == Some(&b'[') {
            continue;
        }
        let active = conds.last().is_none_or(|c| c.active);
        if words[0].starts_with('.') && line.first() == Some(&b'.') {
            if !directive(&words, &loc, active, &mut conds, env, diags, out) {
                out.aborted = true;
                break;
            }
            continue;
        }
        if !active {
            continue;
        }
        let kw = words[0].as_str();
        if SECTION_KEYWORDS.contains(&kw) {
            if let Some(s) = current.take() {
                out.sections.push(s);
            }
            env.section = kw.to_string();
            current = Some(RawSection {
                kind: kw.to_string(),
                args: words[1..].to_vec(),
                loc,
                body: Vec::new(),
            });
            continue;
        }
        match current.as_mut() {
            None => {
                out.fatal = true;
                diags.push(
                    Diagnostic::alert(Some(loc), format!("unknown keyword '{kw}' out of section."))
                        .with_style(LocStyle::ParsingTight),
                );
            }
            Some(sec) => {
                if sec.kind == "global" {
                    env_keyword(&words, env);
                }
                sec.body.push(Statement { loc, words });
            }
        }
    }
    if !out.aborted && !conds.is_empty() {
        diags.push(
            Diagnostic::alert(
                Some(Loc::new(file.clone(), line_no)),
                "non-terminated '.if' block.",
            )
            .with_style(LocStyle::ParsingTight),
        );
        out.aborted = true;
    }
    if let Some(s) = current.take() {
        out.sections.push(s);
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(line.len());
    &line[..end]
}

/// `setenv`/`presetenv`/`unsetenv`/`resetenv` act while parsing, so that
/// later lines see the change (manual §3.1). Argument errors are reported
/// by the global keyword parser, which sees the same words.
fn env_keyword(words: &[String], env: &mut ConfigEnv) {
    match (words[0].as_str(), words.len()) {
        ("setenv", 3) => {
            env.vars.insert(words[1].clone(), words[2].clone());
        }
        ("presetenv", 3) => {
            env.vars
                .entry(words[1].clone())
                .or_insert_with(|| words[2].clone());
        }
        ("unsetenv", _) => {
            for w in &words[1..] {
                env.vars.remove(w);
            }
        }
        ("resetenv", _) => {
            let keep = &words[1..];
            env.vars.retain(|k, _| keep.contains(k));
        }
        _ => {}
    }
}

/// Handle a `.xxx` line. Returns false when parsing must stop.
fn directive(
    words: &[String],
    loc: &Loc,
    active: bool,
    conds: &mut Vec<CondLevel>,
    env: &ConfigEnv,
    diags: &mut Diagnostics,
    out: &mut ReadOutput,
) -> bool {
    let tight =
        |msg: String| Diagnostic::alert(Some(loc.clone()), msg).with_style(LocStyle::ParsingTight);
    let name = words[0].as_str();
    match name {
        ".if" => {
            if conds.len() >= MAX_NESTED_CONDS {
                diags.push(tight(format!(
                    "too many nested '.if', max is {MAX_NESTED_CONDS}."
                )));
                return false;
            }
            let value = if active {
                match cond::evaluate(&words[1..], env) {
                    Ok(v) => v,
                    Err(m) => {
                        diags.push(tight(format!("{m}:\n  {}\n      ^", words.join(" "))));
                        return false;
                    }
                }
            } else {
                false
            };
            conds.push(CondLevel {
                active: active && value,
                taken: value,
                in_else: false,
                parent_active: active,
            });
            true
        }
        ".elif" => {
            let Some(top) = conds.last().copied() else {
                diags.push(tight("lone '.elif' with no matching '.if'.".into()));
                return false;
            };
            if top.in_else {
                diags.push(tight("'.elif' after '.else' is not permitted.".into()));
                return false;
            }
            let value = if top.parent_active && !top.taken {
                match cond::evaluate(&words[1..], env) {
                    Ok(v) => v,
                    Err(m) => {
                        diags.push(tight(format!("{m}:\n  {}\n        ^", words.join(" "))));
                        return false;
                    }
                }
            } else {
                false
            };
            if let Some(t) = conds.last_mut() {
                t.active = t.parent_active && !t.taken && value;
                t.taken |= value;
            }
            true
        }
        ".else" | ".endif" => {
            if words.len() > 1 {
                diags.push(tight(format!(
                    "Unexpected argument '{}' for '{name}'.",
                    words[1]
                )));
                return false;
            }
            let Some(top) = conds.last().copied() else {
                diags.push(tight(format!("lone '{name}' with no matching '.if'.")));
                return false;
            };
            if name == ".endif" {
                conds.pop();
                return true;
            }
            if top.in_else {
                diags.push(tight("'.else' after '.else' is not permitted.".into()));
                return false;
            }
            if let Some(t) = conds.last_mut() {
                t.active = t.parent_active && !t.taken;
                t.taken = true;
                t.in_else = true;
            }
            true
        }
        ".diag" | ".notice" | ".warning" | ".alert" => {
            if !active {
                return true;
            }
            if words.len() > 2 {
                out.fatal = true;
                diags.push(tight(format!(
                    "Unexpected argument '{}' for '{name}'. Use quotes if the message should contain spaces.",
                    words[2]
                )));
                return true;
            }
            let msg = format!("'{}'.", words.get(1).map(String::as_str).unwrap_or(""));
            let d = match name {
                // `.diag` prints only in diagnostic mode (-dD), which harp lacks.
                ".diag" => return true,
                ".notice" => Diagnostic::notice(Some(loc.clone()), msg),
                ".warning" => Diagnostic::warning(Some(loc.clone()), msg),
                _ => Diagnostic::alert(Some(loc.clone()), msg),
            };
            diags.push(d.with_style(LocStyle::ParsingTight));
            name != ".alert"
        }
        _ => {
            if !active {
                return true;
            }
            out.fatal = true;
            diags.push(tight(format!("unknown directive '{name}'.")));
            false
        }
    }
}

/// Convenience for tests and `Path` callers.
pub fn read_path(path: &Path, env: &mut ConfigEnv, diags: &mut Diagnostics) -> ReadOutput {
    read_files(&[path.to_path_buf()], env, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> (ReadOutput, Diagnostics) {
        let mut env = ConfigEnv::from_map(HashMap::from([("SET".to_string(), "1".to_string())]));
        let mut d = Diagnostics::default();
        let o = read_bytes("t.cfg", s.as_bytes(), &mut env, &mut d);
        (o, d)
    }

    fn bodies(o: &ReadOutput) -> Vec<Vec<String>> {
        o.sections
            .iter()
            .flat_map(|s| s.body.iter().map(|st| st.words.clone()))
            .collect()
    }

    #[test]
    fn sections_and_lines() {
        let (o, d) = read("global\n  maxconn 10\n\n# c\nfrontend fe\r\n bind :80\r\n");
        assert!(d.items.is_empty(), "{:?}", d.items);
        assert_eq!(o.sections.len(), 2);
        assert_eq!(o.sections[1].kind, "frontend");
        assert_eq!(o.sections[1].args, ["fe"]);
        assert_eq!(o.sections[1].body[0].loc.line, 6);
        assert_eq!(o.sections[1].body[0].words, ["bind", ":80"]);
    }

    #[test]
    fn conditionals() {
        let src = "global\n.if defined(SET)\n a 1\n.elif 1\n a 2\n.else\n a 3\n.endif\n.if 0\n b\n.elif 1\n c\n.endif\n.if 0\n.if 1\n d\n.endif\n.else\n e\n.endif\n";
        let (o, d) = read(src);
        assert!(d.items.is_empty(), "{:?}", d.items);
        assert_eq!(bodies(&o), [vec!["a", "1"], vec!["c"], vec!["e"]]);
    }

    #[test]
    fn block_errors_abort() {
        let (o, d) = read("global\n.endif\n a\n");
        assert!(o.aborted);
        assert_eq!(
            d.items[0].body(),
            "parsing [t.cfg:2]: lone '.endif' with no matching '.if'."
        );
        let (_, d) = read("global\n.if 1\n.if 0\n");
        assert_eq!(
            d.items[0].body(),
            "parsing [t.cfg:3]: non-terminated '.if' block."
        );
        let (_, d) = read("global\n.alert \"boom\"\n x\n");
        assert_eq!(d.items.len(), 1);
        assert_eq!(d.items[0].body(), "parsing [t.cfg:2]: 'boom'.");
    }

    #[test]
    fn out_of_section_and_missing_lf() {
        let (o, d) = read("maxconn 10\nglobal\n maxconn 5");
        assert_eq!(
            d.items[0].body(),
            "parsing [t.cfg:1]: unknown keyword 'maxconn' out of section."
        );
        assert!(d.items[1].body().contains("Missing LF on last line"));
        assert!(!d.items[1].is_fatal());
        assert_eq!(bodies(&o), [vec!["maxconn", "5"]]);
    }

    #[test]
    fn setenv_affects_later_lines() {
        let (o, _) = read("global\n setenv X hello\n description \"${X}\"\n unsetenv X\n description \"${X-gone}\"\n");
        let b = bodies(&o);
        assert_eq!(b[1], ["description", "hello"]);
        assert_eq!(b[3], ["description", "gone"]);
    }
}
