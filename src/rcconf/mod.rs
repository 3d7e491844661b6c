//! FreeBSD rc.conf / sysctl.conf / loader.conf → [`CarpModel`].
//!
//! The files of one node are read as FreeBSD reads them (CARP.md §10–11):
//! [`lexer`] tokenises the sh syntax, [`shell`] applies the assignments in
//! order (a later one wins) and keeps sysctl lines apart, [`ifvars`] lists
//! the ifconfig invocations rc would run for each interface, [`ifconfig`]
//! parses their arguments, and [`lower`] groups the CARP ones into vhids.
//! A file is classified by its lines, not its name. Unknown variables are
//! ignored silently, as FreeBSD does. The accepted grammar is written down
//! in `grammar/rc.conf.ebnf`.

pub mod addr;
pub mod ifconfig;
pub mod ifvars;
pub mod ifwords;
pub mod lexer;
pub mod lower;
pub mod model;
pub mod shell;
pub mod sysctl;

use std::path::PathBuf;

use crate::diag::Diagnostics;

pub use model::{
    normalize_ifname, CarpAddr, CarpModel, CarpSysctl, InitialState, ParentAddr, VhidConfig,
    MAX_KEY_LEN,
};

/// Reads one node's files in order (e.g. rc.conf, rc.conf.local,
/// sysctl.conf, loader.conf) and builds its model. `None` when any
/// diagnostic is fatal.
pub fn load(paths: &[PathBuf]) -> (Option<CarpModel>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut shell = shell::Shell::default();
    for p in paths {
        let name = p.display().to_string();
        match std::fs::read(p) {
            Ok(bytes) => shell.source(&name, &bytes, &mut diags),
            Err(e) => diags.alert(None, format!("Cannot open configuration file {name} : {e}")),
        }
    }
    finish(&shell, diags)
}

/// Builds the model of one file given as bytes (no I/O; the fuzzer's entry
/// point). `name` is used in diagnostics.
pub fn parse_bytes(name: &str, input: &[u8]) -> (Option<CarpModel>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut shell = shell::Shell::default();
    shell.source(name, input, &mut diags);
    finish(&shell, diags)
}

fn finish(shell: &shell::Shell, mut diags: Diagnostics) -> (Option<CarpModel>, Diagnostics) {
    if shell.syntax_error {
        // Checking half-read variables would only add confusing messages.
        return (None, diags);
    }
    let model = lower::lower(shell, &mut diags);
    if diags.has_fatal() {
        (None, diags)
    } else {
        (Some(model), diags)
    }
}
