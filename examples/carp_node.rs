//! A CARP-only node: `carp_node --carp rc.conf [--carp FILE]...
//! [--carp-iface em0=eth0]...`. Runs the vhids of the files until SIGTERM
//! or SIGINT, then bows out. The netns integration test runs it; it is
//! also a quick way to try a configuration by hand.

use std::path::PathBuf;
use std::process::ExitCode;

use harp::carp::driver::{run_carp, IfaceMap};

fn usage() -> ExitCode {
    eprintln!("usage: carp_node --carp FILE [--carp FILE]... [--carp-iface BSD=LINUX]...");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut ifaces: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--carp", Some(v)) => files.push(v.into()),
            ("--carp-iface", Some(v)) => ifaces.push(v),
            _ => return usage(),
        }
    }
    if files.is_empty() {
        return usage();
    }
    let (model, diags) = harp::rcconf::load(&files);
    for d in &diags.items {
        eprintln!("{}", d.render(std::process::id(), "config"));
    }
    let Some(model) = model else {
        return ExitCode::from(1);
    };
    let map = match IfaceMap::parse(&ifaces) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run_carp(&model, &map, stop_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// SIGTERM or SIGINT; if the handler cannot be installed, Ctrl-C only.
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
