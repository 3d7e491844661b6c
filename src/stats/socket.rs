//! The stats socket server: a UNIX stream listener serving the command
//! layer of [`super::cli`] (configuration manual, `stats socket`,
//! `stats timeout`; management guide §9.3).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::config::model::{Global, StatsSocket};

use super::backend::{Level, StatsBackend};
use super::cli::Session;

/// HAProxy's `stats timeout` default (10s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest command line accepted (HAProxy's buffer size order).
const MAX_LINE: usize = 16 * 1024;

/// One `stats socket` line, ready to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketConfig {
    pub path: PathBuf,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub level: Level,
    /// Idle time allowed between two commands.
    pub timeout: Duration,
}

impl SocketConfig {
    /// From the model; Err for addresses harp does not serve (TCP stats
    /// sockets, abstract sockets).
    pub fn from_model(s: &StatsSocket, g: &Global) -> Result<SocketConfig, String> {
        let path = s.addr.strip_prefix("unix@").unwrap_or(&s.addr);
        if !path.starts_with('/') && path.contains(['@', ':']) {
            return Err(format!(
                "stats socket '{}': only UNIX socket paths are supported",
                s.addr
            ));
        }
        let mut cfg = SocketConfig {
            path: PathBuf::from(path),
            mode: s.mode,
            uid: None,
            gid: None,
            // The manual makes "operator" the default level.
            level: Level::Operator,
            timeout: g
                .stats_timeout
                .map_or(DEFAULT_TIMEOUT, |ms| Duration::from_millis(u64::from(ms))),
        };
        let mut it = s.options.iter();
        while let Some(o) = it.next() {
            match o.as_str() {
                "level" => {
                    if let Some(l) = it.next().and_then(|l| Level::parse(l)) {
                        cfg.level = l;
                    }
                }
                "uid" => cfg.uid = it.next().and_then(|v| v.parse().ok()),
                "gid" => cfg.gid = it.next().and_then(|v| v.parse().ok()),
                _ => {}
            }
        }
        Ok(cfg)
    }
}

/// Bind the socket: a stale socket file left by a previous run is removed
/// first (any other kind of file is left alone and binding fails).
pub fn bind(cfg: &SocketConfig) -> std::io::Result<UnixListener> {
    remove_stale(&cfg.path)?;
    let listener = UnixListener::bind(&cfg.path)?;
    if let Some(mode) = cfg.mode {
        std::fs::set_permissions(&cfg.path, std::fs::Permissions::from_mode(mode))?;
    }
    if cfg.uid.is_some() || cfg.gid.is_some() {
        std::os::unix::fs::chown(&cfg.path, cfg.uid, cfg.gid)?;
    }
    Ok(listener)
}

fn remove_stale(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_socket() => {
            // A live server answers; only a dead socket is replaced.
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    format!("{} is in use by another process", path.display()),
                ));
            }
            std::fs::remove_file(path)
        }
        _ => Ok(()),
    }
}

/// Accept connections forever, one task per client.
pub async fn serve(listener: UnixListener, cfg: SocketConfig, backend: Arc<dyn StatsBackend>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let be = backend.clone();
                let (level, timeout) = (cfg.level, cfg.timeout);
                tokio::spawn(async move {
                    // A client that went away is not an error worth reporting.
                    let _ = handle(stream, level, timeout, be).await;
                });
            }
            Err(e) => {
                tracing::warn!("stats socket {}: accept: {e}", cfg.path.display());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Serve one client until it quits, leaves non-interactive mode, goes
/// idle longer than `timeout`, or closes.
pub async fn handle(
    stream: UnixStream,
    level: Level,
    timeout: Duration,
    backend: Arc<dyn StatsBackend>,
) -> std::io::Result<()> {
    let (rd, mut wr) = stream.into_split();
    let mut rd = BufReader::new(rd);
    let mut session = Session::new(level);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = match tokio::time::timeout(timeout, read_line(&mut rd, &mut buf)).await {
            Ok(r) => r?,
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        let be = backend.clone();
        let mut s = session.clone();
        let line_owned = line.to_string();
        // Rendering can be long for big configs: keep it off the reactor.
        let (out, s) = tokio::task::spawn_blocking(move || {
            let out = s.run_line(be.as_ref(), &line_owned);
            (out, s)
        })
        .await
        .map_err(std::io::Error::other)?;
        session = s;
        wr.write_all(out.text.as_bytes()).await?;
        if out.close {
            break;
        }
    }
    wr.shutdown().await
}

/// One line, bounded in length.
async fn read_line<R: AsyncBufReadExt + Unpin>(
    rd: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let mut limited = (&mut *rd).take(MAX_LINE as u64);
    limited.read_until(b'\n', buf).await
}
