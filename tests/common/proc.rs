//! Running a checker (`haproxy -c` or `harp -c`) with a time limit.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// Per-process limit: a check of any fixture takes well under a second.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// What one run produced. `code` is `None` when the process was killed
/// (time limit) or ended by a signal.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub code: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// HAProxy's convention: 0 = valid, 2 = valid but nothing to listen on.
    pub fn valid(&self) -> bool {
        matches!(self.code, Some(0 | 2))
    }

    pub fn verdict(&self) -> &'static str {
        match (self.timed_out, self.code) {
            (true, _) => "timeout",
            (false, None) => "crashed",
            (false, Some(_)) if self.valid() => "valid",
            (false, Some(_)) => "invalid",
        }
    }

    pub fn rc(&self) -> String {
        self.code.map_or_else(|| "-".to_owned(), |c| c.to_string())
    }
}

/// `unshare -n` when it works here (root, util-linux): the checkers then run in
/// an empty network namespace, so `-dr` name lookups fail at once instead of
/// waiting on an unreachable DNS server, and nothing can reach the network.
fn no_network_prefix() -> Option<&'static Path> {
    static PREFIX: OnceLock<Option<&'static Path>> = OnceLock::new();
    *PREFIX.get_or_init(|| {
        let unshare = Path::new("/usr/bin/unshare");
        let works = Command::new(unshare)
            .args(["-n", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        works.then_some(unshare)
    })
}

/// Run `program args...` in `cwd` with exactly `env` added (and `unset` removed),
/// without network access when possible, killing it after [`TIMEOUT`].
pub fn run(
    program: &Path,
    args: &[&str],
    cwd: &Path,
    env: &[(String, String)],
    unset: &[&str],
) -> Outcome {
    let mut cmd = match no_network_prefix() {
        // unshare execs the program: same pid, same exit status.
        Some(unshare) => {
            let mut c = Command::new(unshare);
            c.arg("-n").arg("--").arg(program);
            c
        }
        None => Command::new(program),
    };
    cmd.args(args)
        .current_dir(cwd)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    for k in unset {
        cmd.env_remove(k);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                code: None,
                timed_out: false,
                stdout: String::new(),
                stderr: format!("cannot start {}: {e}", program.display()),
            }
        }
    };
    // Drain both pipes on their own threads so a chatty child cannot block.
    let drain = |r: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if start.elapsed() > TIMEOUT => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    Outcome {
        code: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        timed_out,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}
