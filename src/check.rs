//! `harp -c`: load everything, print diagnostics in HAProxy's format, and
//! return HAProxy's exit code (0 valid, 1 errors, 2 valid but no listener).

use std::io::Write;

use crate::cli::Args;
use crate::config::build::{
    files_with_errors, load_files, resolve_addresses, AddrError, SystemResolver,
};
use crate::config::model::Model;
use crate::config::reader::ConfigEnv;
use crate::diag::{Diagnostics, Severity};

fn print_all(diags: &Diagnostics, scope: &str, out: &mut impl Write) {
    // A daemon's child re-reads the configuration its parent already
    // reported on: say nothing twice.
    if crate::runtime::process::is_daemon_child() {
        return;
    }
    let pid = std::process::id();
    for d in &diags.items {
        let _ = writeln!(out, "{}", d.render(pid, scope));
    }
}

fn summary(line: &str, out: &mut impl Write) {
    let _ = writeln!(out, "[ALERT]    ({}) : config : {line}", std::process::id());
}

/// Run the checks; returns the exit code.
pub fn run_check(args: &Args) -> u8 {
    prepare(args).0
}

/// Load and check everything. With `-c`, print HAProxy's closing lines;
/// without it, return the model to run when it may start (exit code 0).
pub fn prepare(args: &Args) -> (u8, Option<Model>) {
    let (code, model) = prepare_inner(args);
    (code, model.filter(|_| code == 0))
}

fn prepare_inner(args: &Args) -> (u8, Option<Model>) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let files = args.all_files();
    let mut carp_ok = true;
    let mut carp_warn = false;
    if !args.carp.is_empty() {
        let (model, diags) = crate::rcconf::load(&args.carp);
        print_all(&diags, "carp", &mut err);
        carp_ok = model.is_some() && !diags.has_fatal();
        carp_warn = diags.count(Severity::Warning) > 0;
    }
    if files.is_empty() {
        if args.carp.is_empty() {
            let _ = writeln!(err, "harp: no configuration file given (use -f FILE)");
            return (1, None);
        }
        if carp_ok && !args.quiet && args.check {
            println!("CARP configuration is valid");
        }
        return (if carp_ok { 0 } else { 1 }, None);
    }
    let mut env = ConfigEnv::from_process();
    let mut loaded = load_files(&files, &mut env);
    let mut no_listener = false;
    if let Some(model) = loaded.model.as_mut() {
        let resolved = resolve_addresses(
            model,
            &SystemResolver,
            args.ignore_resolve_errors,
            &mut loaded.diags,
        );
        if let Err(e) = resolved {
            print_all(&loaded.diags, "config", &mut err);
            if e == AddrError::Parsing {
                for f in files_with_errors(&loaded.diags, &model.files) {
                    summary(
                        &format!("Error(s) found in configuration file : {f}"),
                        &mut err,
                    );
                }
                summary("Fatal errors found in configuration.", &mut err);
            }
            return (1, None);
        }
        no_listener = !model.has_listener();
    }
    print_all(&loaded.diags, "config", &mut err);
    if loaded.model.is_none() {
        for f in &loaded.error_files {
            summary(
                &format!("Error(s) found in configuration file : {f}"),
                &mut err,
            );
        }
        if loaded.fatal_summary {
            summary("Fatal errors found in configuration.", &mut err);
        }
        return (1, None);
    }
    let warned = loaded.diags.count(Severity::Warning) > 0 || carp_warn;
    let zero_warning =
        args.zero_warning || loaded.model.as_ref().is_some_and(|m| m.global.zero_warning);
    if warned && zero_warning {
        summary(
            "Some warnings were found and 'zero-warning' is set. Aborting.",
            &mut err,
        );
        return (1, None);
    }
    if !carp_ok {
        return (1, None);
    }
    if !args.check {
        // Starting: HAProxy prints the warnings only, and refuses to start
        // without a listener.
        return (if no_listener { 2 } else { 0 }, loaded.model);
    }
    if args.quiet {
        return (if no_listener { 2 } else { 0 }, loaded.model);
    }
    if warned {
        println!("Warnings were found.");
    }
    if no_listener {
        println!("Configuration file has no error but will not start (no listener) => exit(2).");
        return (2, None);
    }
    println!("Configuration file is valid");
    (0, loaded.model)
}
