//! The stats CLI against a fake runtime: HAProxy 2.6's replies, levels,
//! session handling, and one real socket.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::stats::cli::run_input;
use harp::stats::snapshot::OpState;
use harp::stats::socket::{bind, serve, SocketConfig};
use harp::stats::{AdminOp, CheckKind, ForcedHealth, Level, Snapshot, StatsBackend};

/// The shared reference directory: $HARP_SHARED, else ../shared next to
/// the crate (the main checkout), else /work/shared.
fn shared_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("HARP_SHARED") {
        return d.into();
    }
    let sibling = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if sibling.join("golden").is_dir() {
        sibling
    } else {
        "/work/shared".into()
    }
}

/// A runtime stand-in: keeps a snapshot and applies changes to it.
struct Fake {
    snap: Mutex<Snapshot>,
    calls: Mutex<Vec<String>>,
}

impl Fake {
    fn new() -> Arc<Fake> {
        let cfg = std::fs::read_to_string(shared_dir().join("golden/reference_haproxy.cfg"))
            .unwrap_or_default();
        let model = load_bytes("ref.cfg", cfg.as_bytes(), &mut ConfigEnv::default())
            .model
            .expect("reference config loads");
        Arc::new(Fake {
            snap: Mutex::new(Snapshot::from_model_with_maxconn(&model, 9984)),
            calls: Mutex::new(Vec::new()),
        })
    }
    fn log(&self, s: String) {
        self.calls.lock().unwrap().push(s);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl StatsBackend for Fake {
    fn snapshot(&self) -> Snapshot {
        self.snap.lock().unwrap().clone()
    }
    fn set_weight(&self, b: &str, s: &str, w: u32) -> Result<(), String> {
        self.log(format!("weight {b}/{s} {w}"));
        let mut snap = self.snap.lock().unwrap();
        let sv = snap.server_mut(b, s).ok_or("gone\n")?;
        sv.uweight = w;
        sv.weight = w;
        Ok(())
    }
    fn set_admin(&self, b: &str, s: &str, op: AdminOp) -> Result<(), String> {
        self.log(format!("admin {b}/{s} {op:?}"));
        let mut snap = self.snap.lock().unwrap();
        let sv = snap.server_mut(b, s).ok_or("gone\n")?;
        sv.admin.fmaint = op == AdminOp::Maint;
        sv.admin.fdrain = op == AdminOp::Drain;
        Ok(())
    }
    fn set_check_enabled(&self, b: &str, s: &str, k: CheckKind, on: bool) -> Result<(), String> {
        self.log(format!("check {b}/{s} {k:?} {on}"));
        Ok(())
    }
    fn force_health(&self, b: &str, s: &str, k: CheckKind, to: ForcedHealth) -> Result<(), String> {
        self.log(format!("force {b}/{s} {k:?} {to:?}"));
        let mut snap = self.snap.lock().unwrap();
        let sv = snap.server_mut(b, s).ok_or("gone\n")?;
        sv.op = match to {
            ForcedHealth::Up => OpState::Running,
            ForcedHealth::Stopping => OpState::Stopping,
            ForcedHealth::Down => OpState::Stopped,
        };
        Ok(())
    }
    fn set_frontend_maxconn(&self, f: &str, v: u32) -> Result<(), String> {
        self.log(format!("maxconn {f} {v}"));
        Ok(())
    }
    fn set_global_maxconn(&self, v: u32) -> Result<(), String> {
        self.log(format!("maxconn global {v}"));
        Ok(())
    }
    fn clear_counters(&self, all: bool) {
        self.log(format!("clear {all}"));
    }
}

fn admin(fake: &Fake, input: &str) -> String {
    run_input(fake, Level::Admin, &format!("{input}\n"))
}

/// Replies recorded from HAProxy 2.6.12 on the same configuration.
#[test]
fn replies_match_haproxy() {
    let f = Fake::new();
    let cases: &[(&str, &str)] = &[
        ("get weight be_app/s1", "1 (initial 1)\n\n"),
        ("get weight be_app/zz", "No such server.\n\n"),
        ("get weight nope/s1", "No such backend.\n\n"),
        ("get weight", "Require 'backend/server'.\n\n"),
        ("get weight be_app", "Require 'backend/server'.\n\n"),
        ("get weight be_app/", "Require 'backend/server'.\n\n"),
        ("set weight be_app/s1 300", "Absolute weight can only be between 0 and 256 inclusive.\n\n"),
        ("set weight be_app/s1 -1", "Absolute weight can only be between 0 and 256 inclusive.\n\n"),
        ("set weight be_app/s1 abc", "Empty weight string empty or preceded by garbage\n"),
        ("set weight be_app/s1 %", "Empty weight string empty or preceded by garbage\n"),
        ("set weight be_app/s1 10x", "Trailing garbage in weight string\n"),
        ("set weight be_app/s1 -5%", "Relative weight must be positive.\n\n"),
        ("set weight be_app/s1", "Require <weight> or <weight%>.\n\n"),
        ("set weight be_app/s1 20", "\n"),
        ("get weight be_app/s1", "20 (initial 1)\n\n"),
        ("set server be_app/s1 state maint", "\n"),
        ("set server be_app/s1 state drain", "\n"),
        ("set server be_app/s1 state ready", "\n"),
        ("set server be_app/s1 state foo", "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n"),
        ("set server be_app/s1 weight 10", "\n"),
        ("set server be_app/s1 weight", "Require <weight> or <weight%>.\n\n"),
        ("set server be_app/s1", "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n\n"),
        ("set server be_app/zz state ready", "No such server.\n\n"),
        ("set server nope/s1 state ready", "No such backend.\n\n"),
        ("set server be_app/s1 health up", "\n"),
        ("set server be_app/s1 health foo", "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n\n"),
        ("set server be_app/s1 agent up", "agent checks are not enabled on this server.\n\n"),
        ("disable server be_app/s1", "\n"),
        ("enable server be_app/s1", "\n"),
        ("disable health be_app/s1", "\n"),
        ("enable health be_app/s1", "\n"),
        ("disable agent be_app/s1", "\n"),
        ("enable agent be_app/s1", "Agent was not configured on this server, cannot enable.\n\n"),
        ("disable server", "Require 'backend/server'.\n\n"),
        ("enable health be_app/zz", "No such server.\n\n"),
        ("set maxconn frontend fe_main 100", "\n"),
        ("set maxconn frontend nope 100", "No such frontend.\n\n"),
        ("set maxconn frontend be_app 10", "No such frontend.\n\n"),
        ("set maxconn frontend fe_main", "Integer value expected.\n\n"),
        ("set maxconn frontend fe_main -1", "Value out of range.\n\n"),
        ("set maxconn frontend", "A frontend name is expected.\n\n"),
        ("set maxconn global 5000", "\n"),
        ("set maxconn global 99999", "Value out of range.\n\n"),
        ("set maxconn global", "Expects an integer value.\n\n"),
        ("clear counters", "\n"),
        ("clear counters all", "\n"),
        ("show servers state nope", "Can't find backend.\n\n"),
        ("show cli level", "admin\n\n"),
        ("show stat typed up no-maint", "No such proxy.\n\n"),
        ("show stat x y z", "No such proxy.\n\n"),
    ];
    for (cmd, want) in cases {
        assert_eq!(&admin(&f, cmd), want, "{cmd}");
    }
    let calls = f.calls();
    assert!(calls.contains(&"weight be_app/s1 20".to_string()));
    assert!(calls.contains(&"admin be_app/s1 Maint".to_string()));
    assert!(calls.contains(&"maxconn fe_main 100".to_string()));
    assert!(calls.contains(&"maxconn global 5000".to_string()));
    assert!(calls.contains(&"clear true".to_string()));
}

#[test]
fn relative_weight_scales_the_initial_weight() {
    let f = Fake::new();
    f.snap
        .lock()
        .unwrap()
        .server_mut("be_app", "s2")
        .unwrap()
        .iweight = 10;
    assert_eq!(admin(&f, "set weight be_app/s2 50%"), "\n");
    assert_eq!(admin(&f, "get weight be_app/s2"), "5 (initial 10)\n\n");
    assert_eq!(admin(&f, "set weight be_app/s2 30000%"), "\n");
    assert_eq!(admin(&f, "get weight be_app/s2"), "256 (initial 10)\n\n");
}

#[test]
fn levels_restrict_commands() {
    let f = Fake::new();
    let user = |cmd: &str| run_input(f.as_ref(), Level::User, &format!("{cmd}\n"));
    assert_eq!(user("set weight be_app/s1 20"), "Permission denied\n\n");
    assert_eq!(user("clear counters"), "Permission denied\n\n");
    assert_eq!(user("set maxconn global 100"), "Permission denied\n\n");
    assert_eq!(user("disable server be_app/s1"), "Permission denied\n\n");
    assert_eq!(user("get weight be_app/s1"), "1 (initial 1)\n\n");
    let op = |cmd: &str| run_input(f.as_ref(), Level::Operator, &format!("{cmd}\n"));
    assert_eq!(op("set weight be_app/s1 20"), "Permission denied\n\n");
    assert_eq!(op("clear counters"), "\n");
    assert_eq!(op("clear counters all"), "Permission denied\n\n");
    // Lowering the level in the same line applies to the next command.
    assert_eq!(
        admin(&f, "user;set weight be_app/s1 3"),
        "\nPermission denied\n\n"
    );
    assert!(f.calls().iter().all(|c| !c.starts_with("weight")));
    // addr and algo are only shown from operator level up.
    let s1 = |out: String| {
        out.lines()
            .find(|l| l.starts_with("be_app,s1,"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert!(!s1(user("show stat")).contains("127.0.0.1:18081"));
    assert!(s1(op("show stat")).contains(",127.0.0.1:18081,"));
}

#[test]
fn session_handling() {
    let f = Fake::new();
    let run = |input: &str| run_input(f.as_ref(), Level::Admin, input);
    assert_eq!(
        run("get weight be_app/s1;get weight be_app/s2\n"),
        "1 (initial 1)\n\n1 (initial 1)\n\n"
    );
    // Non-interactive: one line, then the connection closes.
    assert_eq!(
        run("get weight be_app/s1\nget weight be_app/s2\n"),
        "1 (initial 1)\n\n"
    );
    assert_eq!(
        run("prompt\nget weight be_app/s1\nquit\nget weight be_app/s2\n"),
        "\n> 1 (initial 1)\n\n> "
    );
    assert_eq!(
        run("prompt\nprompt\nget weight be_app/s1\n"),
        "\n> \n1 (initial 1)\n\n"
    );
    assert!(run("show info;quit;get weight be_app/s1\n").ends_with("Tainted: 0\n\n"));
    assert!(run("\n")
        .starts_with("Unknown command. Please enter one of the following commands only:\n"));
    let unknown = run("set maxconn\n");
    assert_eq!(
        unknown,
        "Unknown command, but maybe one of the following ones is a better match:\n  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting\n  set maxconn global <value>              : change the per-process maxconn setting\n  help [<command>]                        : list matching or all commands\n  prompt                                  : toggle interactive mode with prompt\n  quit                                    : disconnect\n\n"
    );
}

#[test]
fn state_changes_show_in_stat_and_servers_state() {
    let f = Fake::new();
    assert_eq!(admin(&f, "set server be_app/s2 state maint"), "\n");
    let stat = admin(&f, "show stat -1 4 -1");
    let s2 = stat
        .lines()
        .find(|l| l.starts_with("be_app,s2,"))
        .unwrap_or_default();
    assert_eq!(s2.split(',').nth(17), Some("MAINT"));
    let state = admin(&f, "show servers state be_app");
    let row = state
        .lines()
        .find(|l| l.starts_with("3 be_app 2 s2 "))
        .unwrap_or_default();
    // srv_admin_state: forced maintenance bit.
    assert_eq!(row.split(' ').nth(6), Some("1"));
    assert_eq!(admin(&f, "set server be_app/s1 state drain"), "\n");
    let stat = admin(&f, "show stat be_app 4 1");
    assert_eq!(stat.lines().count(), 3, "{stat}");
    assert_eq!(
        stat.lines().nth(1).unwrap_or_default().split(',').nth(17),
        Some("DRAIN")
    );
    // Filters as HAProxy reads them: by name, type mask 7, -1 for all.
    let names = |out: String| -> Vec<String> {
        out.lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(
        names(admin(&f, "show stat 3 7 2")),
        ["be_app,s2", "be_app,BACKEND"]
    );
    assert_eq!(
        names(admin(&f, "show stat be_app 4 -1")),
        ["be_app,s1", "be_app,s2"]
    );
    assert_eq!(
        names(admin(&f, "show stat -1 1 -1")),
        ["fe_main,FRONTEND", "stats,FRONTEND"]
    );
    assert_eq!(names(admin(&f, "show stat 99 -1 -1")), Vec::<String>::new());
    assert_eq!(names(admin(&f, "show stat 3")).len(), 6);
    let typed = admin(&f, "show stat 3 4 1 typed");
    assert!(typed.contains("S.3.1.17.status.1:SGP:str:DRAIN\n"));
    let json = admin(&f, "show info json");
    assert!(json.starts_with("[{\"field\":{\"pos\":0,\"name\":\"Name\"}"));
}

#[tokio::test]
async fn unix_socket_serves_commands() {
    let dir = std::env::temp_dir().join(format!("harp-stats-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("admin.sock");
    // A stale socket file from a dead process is replaced.
    drop(std::os::unix::net::UnixListener::bind(&path));
    let cfg = SocketConfig {
        path: path.clone(),
        mode: Some(0o600),
        uid: None,
        gid: None,
        level: Level::Admin,
        timeout: Duration::from_secs(2),
    };
    let listener = bind(&cfg).expect("bind over a stale socket");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let fake = Fake::new();
    let server = tokio::spawn(serve(listener, cfg, fake.clone()));
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let talk = |input: &'static str| {
        let path = path.clone();
        async move {
            let mut s = tokio::net::UnixStream::connect(&path)
                .await
                .expect("connect");
            s.write_all(input.as_bytes()).await.expect("write");
            let mut out = String::new();
            tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut out))
                .await
                .expect("server closes")
                .expect("read");
            out
        }
    };
    assert_eq!(talk("set weight be_app/s1 7\n").await, "\n");
    assert_eq!(talk("get weight be_app/s1\n").await, "7 (initial 1)\n\n");
    let stat = talk("show stat\n").await;
    assert!(stat.starts_with("# pxname,svname,qcur,"));
    // Header, 6 rows, the closing empty line.
    assert_eq!(stat.lines().count(), 8);
    assert_eq!(
        talk("prompt\nget weight be_app/s2\nquit\n").await,
        "\n> 1 (initial 1)\n\n> "
    );
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Python client haproxyadmin (PyPI) against harp's socket: it parses
/// `show info`/`show stat` and sends `set weight`/`set server`. The module
/// is installed by scripts/test.sh; without it the test fails, it never
/// skips (HARP_PYTHON may name another python that has it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haproxyadmin_client_works_against_harp() {
    let python = std::env::var("HARP_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_module = std::process::Command::new(&python)
        .args(["-c", "import haproxyadmin"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_module,
        "haproxyadmin is not installed for {python}: run scripts/test.sh (pip install haproxyadmin)"
    );
    let dir = std::env::temp_dir().join(format!("harp-hapadm-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let cfg = SocketConfig {
        path: dir.join("admin.sock"),
        mode: None,
        uid: None,
        gid: None,
        level: Level::Admin,
        timeout: Duration::from_secs(5),
    };
    let listener = bind(&cfg).expect("bind");
    let fake = Fake::new();
    let server = tokio::spawn(serve(listener, cfg, fake.clone()));
    let d = dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .args(["-c", HAPADM_SCRIPT])
            .arg(&d)
            .output()
    })
    .await
    .expect("join")
    .expect("python runs");
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = [
        "frontends=fe_main,stats",
        "backends=be_app,stats",
        "servers=s1,s2",
        "maxconn=9984",
        "s1.weight=1",
        "s1.status=UP",
        "setweight=True",
        "s1.weight=12",
        "setstate=True",
        "s1.status=DRAIN",
        "setstate=True",
        "fe.requests=0",
        "be.status=UP",
        "clear=True",
    ];
    assert_eq!(text.lines().collect::<Vec<_>>(), want);
    assert!(fake.calls().contains(&"weight be_app/s1 12".to_string()));
}

const HAPADM_SCRIPT: &str = r#"import sys
from haproxyadmin import haproxy
hap = haproxy.HAProxy(socket_dir=sys.argv[1])
out = []
out.append("frontends=" + ",".join(sorted(f.name for f in hap.frontends())))
out.append("backends=" + ",".join(sorted(b.name for b in hap.backends())))
out.append("servers=" + ",".join(sorted(s.name for s in hap.servers())))
out.append("maxconn=%s" % hap.maxconn)
s1 = hap.server("s1", backend="be_app")[0]
out.append("s1.weight=%s" % s1.weight)
out.append("s1.status=%s" % s1.status)
out.append("setweight=%s" % s1.setweight(12))
out.append("s1.weight=%s" % s1.weight)
out.append("setstate=%s" % s1.setstate("drain"))
out.append("s1.status=%s" % s1.status)
out.append("setstate=%s" % s1.setstate("ready"))
out.append("fe.requests=%s" % hap.frontend("fe_main").requests)
out.append("be.status=%s" % hap.backend("be_app").status)
out.append("clear=%s" % hap.clearcounters())
print("\n".join(out))
"#;

#[test]
fn backend_counts_only_usable_servers() {
    let f = Fake::new();
    let be_row = |f: &Fake| -> Vec<String> {
        let out = admin(f, "show stat be_app 2 -1");
        let row = out.lines().nth(1).unwrap_or_default().to_string();
        let v: Vec<&str> = row.split(',').collect();
        // status, weight, act, bck, uweight
        [17, 18, 19, 20, 99]
            .iter()
            .map(|&i| v[i].to_string())
            .collect()
    };
    assert_eq!(be_row(&f), ["UP", "2", "2", "0", "2"]);
    // Weight 0 takes a server out of the count (HAProxy 2.6 does the same).
    assert_eq!(admin(&f, "set weight be_app/s1 0"), "\n");
    assert_eq!(be_row(&f), ["UP", "1", "1", "0", "1"]);
    assert_eq!(admin(&f, "set server be_app/s2 state drain"), "\n");
    assert_eq!(be_row(&f), ["DOWN", "0", "0", "0", "0"]);
}

#[tokio::test]
async fn stats_timeout_closes_idle_interactive_sessions() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = std::env::temp_dir().join(format!("harp-stats-to-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let cfg = SocketConfig {
        path: dir.join("s.sock"),
        mode: None,
        uid: None,
        gid: None,
        level: Level::User,
        timeout: Duration::from_millis(300),
    };
    let listener = bind(&cfg).expect("bind");
    let server = tokio::spawn(serve(listener, cfg.clone(), Fake::new()));
    let mut s = tokio::net::UnixStream::connect(&cfg.path)
        .await
        .expect("connect");
    s.write_all(b"prompt\n").await.expect("write");
    let start = std::time::Instant::now();
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut out))
        .await
        .expect("closed by the stats timeout")
        .expect("read");
    assert_eq!(out, "\n> ");
    assert!(start.elapsed() >= Duration::from_millis(250));
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn socket_config_from_the_model() {
    let cfg = "global\n    stats socket /tmp/x.sock mode 640 level user uid 0 gid 0\n    stats socket /tmp/y.sock\n    stats timeout 30s\n";
    let model = load_bytes("g.cfg", cfg.as_bytes(), &mut ConfigEnv::default())
        .model
        .expect("config loads");
    let g = &model.global;
    let a = SocketConfig::from_model(&g.stats_sockets[0], g).expect("unix socket");
    assert_eq!(a.path, std::path::PathBuf::from("/tmp/x.sock"));
    assert_eq!(a.mode, Some(0o640));
    assert_eq!((a.uid, a.gid), (Some(0), Some(0)));
    assert_eq!(a.level, Level::User);
    assert_eq!(a.timeout, Duration::from_secs(30));
    let b = SocketConfig::from_model(&g.stats_sockets[1], g).expect("unix socket");
    // The manual's default level.
    assert_eq!(b.level, Level::Operator);
    assert_eq!(b.mode, None);
}
