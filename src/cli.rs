//! Command line: HAProxy's flags (`-f -c -D -W -Ws -p -sf -st -q -V -v -vv
//! -d -db -dr -dW -C -L -N -cc`, management guide §3) plus harp's own
//! (`--carp`, `--carp-iface`, `--list-keywords`).
//!
//! clap has no multi-character short flags, so HAProxy's `-sf`, `-dr`, ...
//! are rewritten to `--sf`, `--dr`, ... before clap sees them.

use std::path::PathBuf;

use clap::Parser;

/// HAProxy flags written with one dash and several letters.
const MULTI_LETTER: &[&str] = &[
    "-Ws", "-sf", "-st", "-vv", "-db", "-dr", "-dW", "-cc", "-dD", "-dV",
];

#[derive(Debug, Parser, Default)]
#[command(
    name = "harp",
    version,
    about = "Runs an existing haproxy.conf, with CARP failover from rc.conf",
    disable_version_flag = true
)]
pub struct Args {
    /// Configuration file or directory (repeatable; loaded in order).
    #[arg(short = 'f', value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// Check the configuration and exit (0 valid, 1 errors, 2 no listener).
    #[arg(short = 'c')]
    pub check: bool,
    /// Run in the background (daemon mode).
    #[arg(short = 'D')]
    pub daemon: bool,
    /// Master-worker mode.
    #[arg(short = 'W')]
    pub master_worker: bool,
    /// Master-worker mode with systemd notify support.
    #[arg(long = "Ws")]
    pub master_worker_systemd: bool,
    /// Write the PIDs to this file.
    #[arg(short = 'p', value_name = "PIDFILE")]
    pub pidfile: Option<PathBuf>,
    /// Ask these PIDs to finish (soft stop) once started.
    #[arg(long = "sf", num_args = 1.., value_name = "PID")]
    pub soft_finish: Vec<u32>,
    /// Ask these PIDs to terminate (hard stop) once started.
    #[arg(long = "st", num_args = 1.., value_name = "PID")]
    pub terminate: Vec<u32>,
    /// Quiet: print nothing on success.
    #[arg(short = 'q')]
    pub quiet: bool,
    /// Verbose.
    #[arg(short = 'V')]
    pub verbose: bool,
    /// Print the version and exit.
    #[arg(short = 'v')]
    pub version: bool,
    /// Print the version and build options and exit.
    #[arg(long = "vv")]
    pub version_verbose: bool,
    /// Debug mode: stay in the foreground and log to stderr.
    #[arg(short = 'd')]
    pub debug: bool,
    /// Stay in the foreground.
    #[arg(long = "db")]
    pub foreground: bool,
    /// Server names that do not resolve are not fatal (server disabled).
    #[arg(long = "dr")]
    pub ignore_resolve_errors: bool,
    /// Treat warnings as errors (zero-warning).
    #[arg(long = "dW")]
    pub zero_warning: bool,
    /// Diagnostic mode.
    #[arg(long = "dD")]
    pub diag_mode: bool,
    /// Change to this directory before loading files.
    #[arg(short = 'C', value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Local peer name.
    #[arg(short = 'L', value_name = "NAME")]
    pub local_peer: Option<String>,
    /// Default per-proxy maxconn.
    #[arg(short = 'N', value_name = "MAXCONN")]
    pub default_maxconn: Option<u32>,
    /// Evaluate a condition as `.if` would and exit 0 (true) or 1.
    #[arg(long = "cc", value_name = "EXPR")]
    pub check_condition: Option<String>,
    /// rc.conf / sysctl.conf / loader.conf of this node (repeatable).
    #[arg(long = "carp", value_name = "FILE")]
    pub carp: Vec<PathBuf>,
    /// Map a FreeBSD interface to a Linux one (em0=eth0; repeatable).
    #[arg(long = "carp-iface", value_name = "BSD=LINUX")]
    pub carp_iface: Vec<String>,
    /// Print every keyword harp knows with its support status, and exit.
    #[arg(long = "list-keywords")]
    pub list_keywords: bool,
    /// Files after `--`, as HAProxy accepts them.
    #[arg(last = true, value_name = "FILE")]
    pub trailing_files: Vec<PathBuf>,
}

/// Rewrite HAProxy's one-dash multi-letter flags to clap's long form.
pub fn normalize_args<I: IntoIterator<Item = String>>(args: I) -> Vec<String> {
    let mut out = Vec::new();
    let mut after_dashdash = false;
    for a in args {
        if after_dashdash {
            out.push(a);
            continue;
        }
        if a == "--" {
            after_dashdash = true;
        } else if MULTI_LETTER.contains(&a.as_str()) {
            out.push(format!("-{a}"));
            continue;
        }
        out.push(a);
    }
    out
}

impl Args {
    pub fn parse_from_env() -> Result<Args, clap::Error> {
        Args::try_parse_from(normalize_args(std::env::args()))
    }
    pub fn all_files(&self) -> Vec<PathBuf> {
        let mut v = self.files.clone();
        v.extend(self.trailing_files.iter().cloned());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Args {
        Args::try_parse_from(normalize_args(v.iter().map(|s| s.to_string()))).expect("parse")
    }

    #[test]
    fn haproxy_style_flags() {
        let a = parse(&[
            "harp", "-c", "-f", "a.cfg", "-f", "dir", "-dr", "-sf", "12", "13", "-q",
        ]);
        assert!(a.check && a.ignore_resolve_errors && a.quiet);
        assert_eq!(a.files, [PathBuf::from("a.cfg"), PathBuf::from("dir")]);
        assert_eq!(a.soft_finish, [12, 13]);
        let b = parse(&["harp", "-Ws", "-dW", "-f", "x", "--", "y", "-z"]);
        assert!(b.master_worker_systemd && b.zero_warning);
        assert_eq!(
            b.all_files(),
            [PathBuf::from("x"), PathBuf::from("y"), PathBuf::from("-z")]
        );
        let c = parse(&["harp", "-c", "--carp", "rc.conf", "--carp", "sysctl.conf"]);
        assert_eq!(c.carp.len(), 2);
    }
}
