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
    let code = harp::check::run_check(&args);
    if args.check || code == 1 {
        return ExitCode::from(code);
    }
    // Serving traffic (listeners, checks, CARP) arrives with the data plane.
    eprintln!(
        "[ALERT]    ({}) : config : this harp build only checks configurations; run it with -c.",
        std::process::id()
    );
    ExitCode::from(1)
}
