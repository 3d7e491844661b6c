//! Process management as HAProxy does it (management guide §3–4):
//! daemon mode (`-D`, `daemon`), the pid file (`-p`, `pidfile`), asking
//! old processes to leave once listening (`-sf` soft, `-st` hard), and
//! soft stop on SIGUSR1.
//!
//! Daemon mode re-executes harp in a new session instead of forking a
//! multi-threaded process: the parent waits until the child says it is
//! listening (or failed), then exits with the matching status, so start-up
//! errors still reach the terminal.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Set in the environment of the re-executed daemon child.
const CHILD_ENV: &str = "HARP_DAEMON_CHILD";
/// What the daemon child prints on its (piped) stdout once listening.
const READY: &str = "harp-ready";

/// Whether this process is the daemon child of a `-D` start.
pub fn is_daemon_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// In the parent of a daemon start: run the child and wait for it to be
/// ready. Returns the exit code for the parent.
pub fn spawn_daemon() -> u8 {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "[ALERT]    ({}) : cannot find harp's executable: {e}",
                std::process::id()
            );
            return 1;
        }
    };
    let child = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(CHILD_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "[ALERT]    ({}) : cannot start the daemon: {e}",
                std::process::id()
            );
            return 1;
        }
    };
    let ready = child
        .stdout
        .take()
        .and_then(|out| BufReader::new(out).lines().next())
        .and_then(Result::ok)
        .is_some_and(|l| l == READY);
    if ready {
        0
    } else {
        // The child reported its error on stderr (inherited) and exits.
        let _ = child.wait();
        1
    }
}

/// In the daemon child once listening: leave the parent's session, tell
/// the parent we are ready, and stop using the terminal.
pub fn daemon_ready() {
    let _ = nix::unistd::setsid();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{READY}");
    let _ = out.flush();
    drop(out);
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        let _ = nix::unistd::dup2_stdout(&null);
        let _ = nix::unistd::dup2_stderr(&null);
    }
}

/// Write our pid (`-p` / `pidfile`), as HAProxy does: one line.
pub fn write_pidfile(path: &std::path::Path) -> std::io::Result<()> {
    std::fs::write(path, format!("{}\n", std::process::id()))
}

/// `-sf` asks old processes to finish their work and leave (SIGUSR1);
/// `-st` terminates them (SIGTERM). Missing processes are not an error.
pub fn signal_old(soft: &[u32], hard: &[u32]) {
    for (pids, sig) in [(soft, Signal::SIGUSR1), (hard, Signal::SIGTERM)] {
        for &p in pids {
            if let Ok(pid) = i32::try_from(p) {
                if let Err(e) = kill(Pid::from_raw(pid), sig) {
                    tracing::warn!("cannot signal old process {p}: {e}");
                }
            }
        }
    }
}
