//! Sections → typed model: keyword dispatch through the support table,
//! defaults inheritance, then the checks HAProxy runs after parsing.

mod args;
mod global;
mod other;
mod proxy;
mod rules;
mod servers;
mod settings;
mod validate;

use std::collections::HashMap;
use std::path::PathBuf;

use super::model::{Model, ProxyKind, ProxySettings};
use super::reader::{self, ConfigEnv, RawSection, ReadOutput};
use super::support::{self, Context, Entry, Status};

use crate::diag::{Diagnostic, Diagnostics, Loc, LocStyle};

pub use validate::{resolve_addresses, AddrError, Resolver, SystemResolver};

/// Options that change how a config is checked (HAProxy's `-dr`, ...).
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `-dr`: a server name that does not resolve is not fatal.
    pub ignore_resolve_errors: bool,
}

/// What loading produced: the model when there were no fatal errors, and
/// every diagnostic in order.
#[derive(Debug)]
pub struct Loaded {
    pub model: Option<Model>,
    pub diags: Diagnostics,
    /// Print "Fatal errors found in configuration." in the summary.
    pub fatal_summary: bool,
    /// Files with errors, for "Error(s) found in configuration file : X".
    pub error_files: Vec<String>,
}

/// Read, parse and validate `-f` files (no name resolution: see
/// [`resolve_addresses`]).
pub fn load_files(paths: &[PathBuf], env: &mut ConfigEnv) -> Loaded {
    let mut diags = Diagnostics::default();
    let read = reader::read_files(paths, env, &mut diags);
    build(read, diags)
}

/// Parse one buffer (no I/O at all): the fuzzing and unit-test entry point.
pub fn load_bytes(name: &str, bytes: &[u8], env: &mut ConfigEnv) -> Loaded {
    let mut diags = Diagnostics::default();
    let read = reader::read_bytes(name, bytes, env, &mut diags);
    build(read, diags)
}

/// The files that have a fatal diagnostic, for the summary lines.
pub fn files_with_errors(diags: &Diagnostics, files: &[String]) -> Vec<String> {
    error_files(diags, files)
}

fn error_files(diags: &Diagnostics, files: &[String]) -> Vec<String> {
    files
        .iter()
        .filter(|f| {
            diags
                .items
                .iter()
                .any(|d| d.is_fatal() && d.loc.as_ref().is_some_and(|l| &*l.file == f.as_str()))
        })
        .cloned()
        .collect()
}

fn build(read: ReadOutput, mut diags: Diagnostics) -> Loaded {
    let mut b = Builder {
        fatal: read.fatal,
        ..Default::default()
    };
    if !read.aborted {
        for sec in &read.sections {
            b.section(sec, &mut diags);
            if diags.abort {
                break;
            }
        }
    }
    b.model.files = read.files.clone();
    // HAProxy stops after parsing when a keyword failed; the checks that
    // need the whole config run only on a config that parsed.
    if diags.has_fatal() {
        let files = error_files(&diags, &read.files);
        // HAProxy omits the "Fatal errors" line when parsing was aborted.
        let aborted = diags.abort || read.aborted;
        return Loaded {
            model: None,
            fatal_summary: b.fatal && !aborted,
            error_files: files,
            diags,
        };
    }
    let mut model = b.finish(&mut diags);
    validate::check(&mut model, &mut diags);
    let ok = !diags.has_fatal();
    Loaded {
        model: ok.then_some(model),
        fatal_summary: !ok,
        error_files: Vec::new(),
        diags,
    }
}

/// Mutable state while walking sections.
#[derive(Default)]
struct Builder {
    model: Model,
    /// Named defaults sections, by name (the last one with a name wins).
    named_defaults: HashMap<String, (ProxySettings, bool)>,
    /// The most recent defaults section (what a proxy inherits by default).
    last_defaults: Option<(Option<String>, ProxySettings)>,
    /// Some error should be summarised as fatal.
    fatal: bool,
    /// Proxy name → indexes in `model.proxies` (duplicate checks).
    names: HashMap<String, Vec<usize>>,
}

impl Builder {
    fn section(&mut self, sec: &RawSection, diags: &mut Diagnostics) {
        match sec.kind.as_str() {
            "global" => {
                for st in &sec.body {
                    global::line(&mut self.model.global, st, diags);
                }
            }
            "defaults" | "frontend" | "backend" | "listen" => {
                proxy::section(self, sec, diags);
            }
            "userlist" => other::userlist(&mut self.model, sec, diags),
            "http-errors" => other::http_errors(&mut self.model, sec, diags),
            _ => other::generic(&mut self.model, sec, diags),
        }
        if diags.has_fatal() {
            self.fatal = true;
        }
    }

    fn finish(self, diags: &mut Diagnostics) -> Model {
        let _ = diags;
        self.model
    }
}

/// Look a keyword up and report the non-implemented statuses. Returns the
/// entry when the caller must handle the keyword itself (Implemented), or
/// None when it was fully dealt with here (warning or alert pushed).
pub(crate) fn dispatch_status(
    context: Context,
    keyword: &str,
    loc: &Loc,
    diags: &mut Diagnostics,
) -> Option<Option<&'static Entry>> {
    match support::lookup(context, keyword) {
        Some(e) => match e.status {
            Status::Implemented => Some(Some(e)),
            Status::NoEffect => {
                diags.warning(
                    Some(loc.clone()),
                    format!(
                        "'{keyword}' is accepted but has no effect in harp ({}).",
                        e.note
                    ),
                );
                None
            }
            Status::Refused => {
                diags.alert(Some(loc.clone()), refused_message(keyword, e.note));
                None
            }
            Status::Removed(msg) => {
                let (style, text) = support::proxy::removed_message(context, keyword, "")
                    .unwrap_or((LocStyle::Parsing, msg.to_string()));
                diags.push(Diagnostic::alert(Some(loc.clone()), text).with_style(style));
                None
            }
        },
        None => Some(None),
    }
}

/// The one wording for refused keywords (ARCHITECTURE.md support policy).
pub(crate) fn refused_message(keyword: &str, note: &str) -> String {
    if note.is_empty() {
        format!("'{keyword}' is not supported by harp.")
    } else {
        format!("'{keyword}' is not supported by harp: {note}.")
    }
}

/// `unknown keyword 'X' in 'S' section; did you mean 'Y' maybe ?`
pub(crate) fn unknown_keyword(
    keyword: &str,
    section: &str,
    context: Context,
    loc: &Loc,
    diags: &mut Diagnostics,
) {
    let mut msg = format!("unknown keyword '{keyword}' in '{section}' section");
    // HAProxy also proposes section keywords (`frontnd` → `frontend`).
    let cands: Vec<&str> = support::keywords(context)
        .filter(|k| !k.contains(' '))
        .chain(super::reader::SECTION_KEYWORDS.iter().copied())
        .collect();
    if let Some(s) = super::suggest::did_you_mean(keyword, cands) {
        msg.push_str(&format!("; did you mean '{s}' maybe ?"));
    }
    diags.alert(Some(loc.clone()), msg);
}

pub(crate) fn tight_alert(loc: &Loc, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::alert(Some(loc.clone()), msg).with_style(LocStyle::ParsingTight)
}

/// Which kind of proxy a section keyword declares.
pub(crate) fn proxy_kind(kw: &str) -> Option<ProxyKind> {
    Some(match kw {
        "defaults" => ProxyKind::Defaults,
        "frontend" => ProxyKind::Frontend,
        "backend" => ProxyKind::Backend,
        "listen" => ProxyKind::Listen,
        _ => return None,
    })
}
