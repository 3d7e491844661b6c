//! Sourcing files in order, as rc(8) sources rc.conf: assignments set
//! variables (a later one replaces an earlier one), `$name` expands to the
//! value assigned so far, `export` is accepted. sysctl.conf lines
//! (`net.inet.carp.preempt=1`) are not shell syntax for sh, but lex the same
//! way; they are kept apart, in order, because some of them add up.
//!
//! A file is classified by its lines, not by its name: one file may mix
//! rc.conf, loader.conf and sysctl.conf lines.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::{Diagnostics, Loc};

use super::lexer::{lex, literal, Command, Part, Word};

/// A variable's current value and where it was assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub value: Vec<u8>,
    pub loc: Loc,
    /// Index of the file in the order sourced (for override warnings).
    file: usize,
}

/// One `mib=value` line, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysctlLine {
    pub name: String,
    pub value: Vec<u8>,
    pub loc: Loc,
}

/// The variables and sysctl lines of one node's files.
#[derive(Debug, Default)]
pub struct Shell {
    vars: HashMap<String, Assigned>,
    pub sysctls: Vec<SysctlLine>,
    files: usize,
    /// A file had a syntax error: sh would not have read it (or the rest
    /// of it), so the variables are incomplete.
    pub syntax_error: bool,
}

/// Variables that harp reads: overriding one of these inside a single file
/// is usually a paste error (e.g. master and backup lines both pasted), so
/// it is warned about.
pub fn is_carp_relevant(name: &str) -> bool {
    name.starts_with("ifconfig_")
        || name.starts_with("ipv6_ifconfig_")
        || name == "cloned_interfaces"
        || name.starts_with("harp_")
        || name == "carp_load"
        || name == "if_carp_load"
}

fn is_name(n: &[u8]) -> bool {
    !n.is_empty()
        && (n[0].is_ascii_alphabetic() || n[0] == b'_')
        && n.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// sysctl MIB names: dotted, e.g. `net.inet.carp.preempt`.
fn is_mib(n: &[u8]) -> bool {
    n.first().is_some_and(u8::is_ascii_alphabetic)
        && n.contains(&b'.')
        && n.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_.%-".contains(c))
}

/// Splits `name=rest...` when the word starts with an unquoted `NAME=`,
/// using `valid` to check the name.
fn split_at_equals(w: &Word, valid: fn(&[u8]) -> bool) -> Option<(String, Vec<Part>)> {
    let Some(Part::Bare(first)) = w.parts.first() else {
        return None;
    };
    let eq = first.iter().position(|&c| c == b'=')?;
    if !valid(&first[..eq]) {
        return None;
    }
    let name = String::from_utf8_lossy(&first[..eq]).into_owned();
    let mut parts = vec![Part::Bare(first[eq + 1..].to_vec())];
    parts.extend(w.parts[1..].iter().cloned());
    Some((name, parts))
}

impl Shell {
    pub fn get(&self, name: &str) -> Option<&Assigned> {
        self.vars.get(name)
    }

    /// All variables, sorted by name (deterministic processing order).
    pub fn vars_sorted(&self) -> Vec<(&str, &Assigned)> {
        let mut v: Vec<_> = self.vars.iter().map(|(k, a)| (k.as_str(), a)).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// Reads one file's commands into the environment.
    pub fn source(&mut self, file: &str, input: &[u8], diags: &mut Diagnostics) {
        let file: Arc<str> = Arc::from(file);
        let index = self.files;
        self.files += 1;
        let lexed = lex(input);
        if lexed.crlf {
            diags.warning(
                Some(Loc::new(file.clone(), 1)),
                "file has CR LF line ends; the CRs are ignored (sh on FreeBSD would keep them)",
            );
        }
        for cmd in &lexed.commands {
            self.command(&file, index, cmd, diags);
        }
        if let Some((line, msg)) = lexed.error {
            self.syntax_error = true;
            diags.alert(
                Some(Loc::new(file, line)),
                format!("{msg}; sh refuses to read the rest of this file"),
            );
        }
    }

    fn command(&mut self, file: &Arc<str>, index: usize, cmd: &Command, diags: &mut Diagnostics) {
        let loc = Loc::new(file.clone(), cmd.line);
        let Some(first) = cmd.words.first() else {
            return;
        };
        if literal(first).as_deref() == Some(b"export".as_slice()) {
            for w in &cmd.words[1..] {
                if let Some((name, parts)) = split_at_equals(w, is_name) {
                    self.assign(name, &parts, &loc, index, diags);
                }
            }
            return;
        }
        let assignments = cmd
            .words
            .iter()
            .take_while(|w| split_at_equals(w, is_name).is_some())
            .count();
        if assignments == cmd.words.len() {
            for w in &cmd.words {
                if let Some((name, parts)) = split_at_equals(w, is_name) {
                    self.assign(name, &parts, &loc, index, diags);
                }
            }
            return;
        }
        let command = &cmd.words[assignments];
        if assignments == 0 {
            if let Some((name, parts)) = split_at_equals(command, is_mib) {
                // rc.d/sysctl reads `mib=value` and treats what follows as a
                // comment, so extra words are not an error.
                let value = self.expand(&parts, &loc, false, diags);
                self.sysctls.push(SysctlLine { name, value, loc });
                return;
            }
        }
        let shown = String::from_utf8_lossy(&literal(command).unwrap_or_else(|| b"...".to_vec()))
            .chars()
            .take(40)
            .collect::<String>();
        let msg = if assignments > 0 {
            format!(
                "the assignments on this line only apply to the command '{shown}'; harp does not run commands and ignores the line"
            )
        } else {
            format!("'{shown}' is not a variable assignment; harp does not run shell commands and ignores this line")
        };
        diags.warning(Some(loc), msg);
    }

    fn assign(
        &mut self,
        name: String,
        parts: &[Part],
        loc: &Loc,
        file: usize,
        diags: &mut Diagnostics,
    ) {
        let relevant = is_carp_relevant(&name);
        let value = self.expand(parts, loc, relevant, diags);
        if let Some(old) = self.vars.get(&name) {
            if relevant && old.file == file && old.value != value {
                diags.warning(
                    Some(loc.clone()),
                    format!(
                        "'{name}' is set again; this value replaces the one from line {} (as sh does)",
                        old.loc.line
                    ),
                );
            }
        }
        self.vars.insert(
            name,
            Assigned {
                value,
                loc: loc.clone(),
                file,
            },
        );
    }

    /// Expands a word's parts. With `warn`, unset variables and expansions
    /// harp does not run are reported (only for variables harp reads).
    fn expand(&self, parts: &[Part], loc: &Loc, warn: bool, diags: &mut Diagnostics) -> Vec<u8> {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Part::Bare(b) | Part::Quoted(b) => out.extend_from_slice(b),
                Part::Var(n) => match self.vars.get(n) {
                    Some(a) => out.extend_from_slice(&a.value),
                    None if warn => diags.warning(
                        Some(loc.clone()),
                        format!(
                            "'${{{n}}}' is not set in these files and expands to an empty string"
                        ),
                    ),
                    None => {}
                },
                Part::Unsupported(text) => {
                    if warn {
                        diags.warning(
                            Some(loc.clone()),
                            format!("'{text}' is not expanded by harp (it does not run shell code) and reads as an empty string"),
                        );
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn source(text: &str) -> (Shell, Diagnostics) {
        let mut sh = Shell::default();
        let mut d = Diagnostics::default();
        sh.source("rc.conf", text.as_bytes(), &mut d);
        (sh, d)
    }

    fn val<'a>(sh: &'a Shell, n: &str) -> &'a [u8] {
        sh.get(n).map(|a| a.value.as_slice()).unwrap_or(b"<unset>")
    }

    #[test]
    fn later_assignment_wins_and_is_located() {
        let (sh, d) = source("x=1\nifconfig_em0=\"inet 10.0.0.1/24\"\nx=2\n");
        assert_eq!(val(&sh, "x"), b"2");
        assert_eq!(sh.get("x").unwrap().loc, Loc::new("rc.conf", 3));
        assert_eq!(val(&sh, "ifconfig_em0"), b"inet 10.0.0.1/24");
        assert!(d.items.is_empty());
    }

    #[test]
    fn override_of_relevant_variable_in_one_file_warns() {
        let (sh, d) = source("ifconfig_carp0=\"vhid 1\"\nifconfig_carp0=\"vhid 2\"\n");
        assert_eq!(val(&sh, "ifconfig_carp0"), b"vhid 2");
        assert_eq!(d.count(Severity::Warning), 1);
        assert!(d.items[0].message.contains("line 1"));
        // Across files it is the normal rc.conf.local pattern: silent.
        let mut sh = Shell::default();
        let mut d = Diagnostics::default();
        sh.source("a", b"cloned_interfaces=carp0", &mut d);
        sh.source("b", b"cloned_interfaces=carp1", &mut d);
        assert_eq!(val(&sh, "cloned_interfaces"), b"carp1");
        assert!(d.items.is_empty());
    }

    #[test]
    fn expansion_export_and_commands() {
        let (sh, d) = source(
            "export a=carp0\ncloned_interfaces=\"${a} $a $b\"\n. /etc/other\nc=1 echo hi\nexport a\n",
        );
        assert_eq!(val(&sh, "cloned_interfaces"), b"carp0 carp0 ");
        assert_eq!(val(&sh, "c"), b"<unset>");
        // $b unset, '.' command, prefixed assignment
        assert_eq!(d.count(Severity::Warning), 3);
        assert!(!d.has_fatal());
    }

    #[test]
    fn sysctl_lines_are_kept_in_order() {
        let (sh, d) =
            source("net.inet.carp.demotion=10 # x\nkern.x=1\nnet.inet.carp.demotion=\"5\"\n");
        let names: Vec<_> = sh
            .sysctls
            .iter()
            .map(|s| (s.name.as_str(), s.value.as_slice(), s.loc.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("net.inet.carp.demotion", &b"10"[..], 1),
                ("kern.x", &b"1"[..], 2),
                ("net.inet.carp.demotion", &b"5"[..], 3)
            ]
        );
        assert!(d.items.is_empty());
    }

    #[test]
    fn lex_error_is_fatal() {
        let (sh, d) = source("a=1\nifconfig_carp0=\"vhid 1\n");
        assert_eq!(val(&sh, "a"), b"1");
        assert!(d.has_fatal());
        assert_eq!(d.items[0].loc, Some(Loc::new("rc.conf", 2)));
    }
}
