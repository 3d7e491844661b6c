//! harp's entry point: argument handling and exit codes.

use std::process::ExitCode;

use harp::cli::Args;

fn main() -> ExitCode {
    let args = match Args::parse_from_env() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    if args.version || args.version_verbose {
        println!(
            "harp version {} (HAProxy configuration language {}, FreeBSD CARP)",
            env!("CARGO_PKG_VERSION"),
            harp::config::cond::COMPAT_VERSION
        );
        return ExitCode::SUCCESS;
    }
    if let Some(expr) = &args.check_condition {
        // `-cc`: evaluate a condition as `.if` would; 0 when true.
        let words: Vec<String> = expr.split_whitespace().map(String::from).collect();
        let env = harp::config::reader::ConfigEnv::from_process();
        return match harp::config::cond::evaluate(&words, &env) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("[ALERT]    ({}) : config : {e}.", std::process::id());
                ExitCode::from(2)
            }
        };
    }
    if args.list_keywords {
        use std::io::Write;
        // A closed pipe (`harp --list-keywords | head`) is not an error.
        let text = harp::config::support::render::render_keyword_list();
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return ExitCode::SUCCESS;
    }
    if let Some(dir) = &args.chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!(
                "[ALERT]    ({}) : config : cannot change directory to {} : {e}",
                std::process::id(),
                dir.display()
            );
            return ExitCode::from(1);
        }
    }
    let (code, model) = harp::check::prepare(&args);
    if args.check {
        // Exit without tearing down a large model: freeing it costs more
        // than the process exit that reclaims it anyway.
        std::process::exit(i32::from(code));
    }
    let carp_only = args.all_files().is_empty() && !args.carp.is_empty();
    if model.is_none() && !(carp_only && code == 0) {
        if code == 2 {
            eprintln!(
                "[ALERT]    ({}) : [harp.main()] No enabled listener found (check for 'bind' directives) ! Exiting.",
                std::process::id()
            );
        }
        return ExitCode::from(1);
    }
    let carp = match carp_run(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("[ALERT]    ({}) : carp : {e}", std::process::id());
            return ExitCode::from(1);
        }
    };
    // `daemon` in global or -D, unless -d/-db keep harp in the foreground.
    let global_daemon = model.as_ref().is_some_and(|m| m.global.daemon);
    let daemon = (args.daemon || global_daemon) && !args.debug && !args.foreground;
    let daemon_child = harp::runtime::process::is_daemon_child();
    if daemon && !daemon_child {
        return ExitCode::from(harp::runtime::process::spawn_daemon());
    }
    // harp's own diagnostics (CARP transitions in FreeBSD's words, warnings)
    // go to stderr; -d raises the level.
    let level = if args.debug { "debug" } else { "info" };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(tracing_subscriber::EnvFilter::new(format!(
            "warn,harp={level},carp={level}"
        )))
        .try_init();
    let opts = harp::runtime::RunOptions {
        pidfile: args.pidfile.clone(),
        soft_finish: args.soft_finish.clone(),
        terminate: args.terminate.clone(),
        daemon_child,
        carp,
    };
    match harp::runtime::run(model.as_ref(), &opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("[ALERT]    ({}) : {e}", std::process::id());
            ExitCode::from(1)
        }
    }
}

/// `--carp FILE...` and `--carp-iface BSD=LINUX...` as the runtime needs them.
fn carp_run(args: &Args) -> Result<Option<harp::runtime::CarpRun>, String> {
    if args.carp.is_empty() {
        return Ok(None);
    }
    let (model, diags) = harp::rcconf::load(&args.carp);
    let model = model.ok_or_else(|| {
        diags
            .items
            .iter()
            .find(|d| d.is_fatal())
            .map_or_else(|| "invalid CARP configuration".to_string(), |d| d.body())
    })?;
    let ifaces = harp::carp::iface::IfaceMap::parse(&args.carp_iface)?;
    Ok(Some(harp::runtime::CarpRun { model, ifaces }))
}
