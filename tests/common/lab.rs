#![allow(dead_code)] // each test crate uses a different subset
//! Network-namespace labs for the CARP tests: two namespaces joined by a
//! veth pair (or through a bridge in a third one), processes started in
//! them, and cleanup of both on drop. Only 10.99.x.x addresses inside the
//! namespaces are used.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

pub const POLL: Duration = Duration::from_millis(20);
/// Slack allowed on top of the protocol's master-down interval: process
/// scheduling on a shared 2-core machine plus the VIP polling.
pub const SLACK: Duration = Duration::from_millis(300);

pub fn master_down(advbase: u64, advskew: u64) -> Duration {
    Duration::from_secs(3 * advbase) + Duration::from_micros(advskew * 1_000_000 / 256)
}

/// Runs a command to completion; panics with its stderr on failure.
pub fn run(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn require_root() {
    let uid = run(&["id", "-u"]);
    assert_eq!(
        uid.trim(),
        "0",
        "carp_netns must run as root: it creates network namespaces, raw \
         sockets and addresses"
    );
}

/// The example binary. `cargo test --test carp_netns` alone does not build
/// examples, so build it here (a no-op when it is up to date).
pub fn carp_node_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test executable path");
            // target/<profile>/deps/carp_netns-HASH
            let dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("target directory layout");
            let profile = dir.file_name().and_then(|n| n.to_str()).unwrap_or("debug");
            let profile = if profile == "debug" { "dev" } else { profile };
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
            let st = Command::new(cargo)
                .args([
                    "build",
                    "--quiet",
                    "--example",
                    "carp_node",
                    "--profile",
                    profile,
                ])
                .arg("--manifest-path")
                .arg(&manifest)
                .status()
                .expect("cannot run cargo build --example carp_node");
            assert!(st.success(), "cargo build --example carp_node failed");
            let bin = dir.join("examples").join("carp_node");
            assert!(bin.exists(), "{} not found", bin.display());
            bin
        })
        .clone()
}

/// Two namespaces `A` and `B` joined by a veth pair (`carpa` in A with
/// 10.99.N.1/24, `carpb` in B with 10.99.N.2/24), the processes started in
/// them, and a scratch directory. Drop kills the processes, then deletes
/// the namespaces.
pub struct Lab {
    pub ns: Vec<String>,
    pub children: Vec<(String, Child)>,
    pub dir: PathBuf,
    pub net: u8,
}

impl Lab {
    pub fn new(tag: &str, net: u8) -> Lab {
        Lab::build(tag, net, false)
    }

    /// With `bridged`, A and B are each joined by a veth pair to a bridge
    /// `br0` in a third namespace `SW` (ports `swa`, `swb`), so one side's
    /// link can go down alone.
    pub fn build(tag: &str, net: u8, bridged: bool) -> Lab {
        require_root();
        let id = format!("hc{}{tag}", std::process::id());
        let dir = std::env::temp_dir().join(format!("harp-{id}"));
        fs::create_dir_all(&dir).expect("scratch dir");
        let mut lab = Lab {
            ns: Vec::new(),
            children: Vec::new(),
            dir,
            net,
        };
        let sides: &[&str] = if bridged {
            &["A", "B", "SW"]
        } else {
            &["A", "B"]
        };
        for side in sides {
            let name = format!("{id}-{side}");
            let out = Command::new("ip")
                .args(["netns", "add", &name])
                .output()
                .expect("cannot run ip(8)");
            assert!(
                out.status.success(),
                "network namespaces are not available here (ip netns add {name}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            lab.ns.push(name);
        }
        let (a, b) = (lab.ns[0].clone(), lab.ns[1].clone());
        if bridged {
            let sw = lab.ns[2].clone();
            run(&["ip", "-n", &sw, "link", "add", "br0", "type", "bridge"]);
            run(&["ip", "-n", &sw, "link", "set", "br0", "up"]);
            for (ns, dev, port) in [(&a, "carpa", "swa"), (&b, "carpb", "swb")] {
                run(&[
                    "ip", "link", "add", dev, "netns", ns, "type", "veth", "peer", "name", port,
                    "netns", &sw,
                ]);
                run(&["ip", "-n", &sw, "link", "set", port, "master", "br0", "up"]);
            }
        } else {
            run(&[
                "ip", "link", "add", "carpa", "netns", &a, "type", "veth", "peer", "name", "carpb",
                "netns", &b,
            ]);
        }
        for (ns, dev, host) in [(&a, "carpa", 1), (&b, "carpb", 2)] {
            let addr = format!("10.99.{net}.{host}/24");
            run(&["ip", "-n", ns, "addr", "add", &addr, "dev", dev]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        lab
    }

    pub fn a(&self) -> &str {
        &self.ns[0]
    }

    pub fn b(&self) -> &str {
        &self.ns[1]
    }

    pub fn vip(&self) -> String {
        format!("10.99.{}.100", self.net)
    }

    pub fn host(&self, n: u8) -> String {
        format!("10.99.{}.{n}", self.net)
    }

    /// Whether `ns` has the VIP configured.
    pub fn has_vip(&self, ns: &str) -> bool {
        self.has_addr(ns, &self.vip())
    }

    /// Whether `ns` has address `ip` (either family) configured.
    pub fn has_addr(&self, ns: &str, ip: &str) -> bool {
        let out = run(&["ip", "-n", ns, "-o", "addr", "show"]);
        out.contains(&format!(" {ip}/"))
    }

    /// The MAC address of `dev` in `ns`.
    pub fn mac(&self, ns: &str, dev: &str) -> String {
        let out = run(&["ip", "-n", ns, "-o", "link", "show", dev]);
        out.split_whitespace()
            .skip_while(|w| *w != "link/ether")
            .nth(1)
            .unwrap_or_else(|| panic!("no MAC in {out}"))
            .to_string()
    }

    /// The link-layer address `ns` has learnt for the VIP, if any.
    pub fn neigh_of_vip(&self, ns: &str) -> Option<String> {
        self.neigh_of(ns, &self.vip())
    }

    /// The link-layer address `ns` has learnt for `ip`, if any.
    pub fn neigh_of(&self, ns: &str, ip: &str) -> Option<String> {
        let out = run(&["ip", "-n", ns, "neigh", "show", ip]);
        out.split_whitespace()
            .skip_while(|w| *w != "lladdr")
            .nth(1)
            .map(String::from)
    }

    /// Starts harp's CARP node in `ns` on `dev` (em0 mapped to it).
    pub fn start_harp(&mut self, label: &str, ns: &str, dev: &str, host: u8, advskew: u8) {
        let text = format!(
            "ifconfig_em0=\"inet {}/24\"\n\
             ifconfig_em0_alias0=\"inet vhid 1 {}pass secret alias {}/32\"\n",
            self.host(host),
            skew_words(advskew),
            self.vip()
        );
        self.start_harp_conf(label, ns, dev, &text);
    }

    /// Starts harp's CARP node with the rc.conf `text`.
    pub fn start_harp_conf(&mut self, label: &str, ns: &str, dev: &str, text: &str) {
        let conf = self.dir.join(format!("{label}.rc.conf"));
        fs::write(&conf, text).expect("write rc.conf");
        let log = fs::File::create(self.log_path(label)).expect("log file");
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(carp_node_bin())
            .arg("--carp")
            .arg(&conf)
            .args(["--carp-iface", &format!("em0={dev}")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start carp_node");
        self.children.push((label.to_string(), child));
    }

    /// Starts ucarp in `ns` with the flags of shared/tools/carp-interop.sh.
    pub fn start_ucarp(&mut self, label: &str, ns: &str, dev: &str, host: u8, advskew: u8) {
        assert!(
            Path::new("/usr/sbin/ucarp").exists(),
            "ucarp is not installed (Debian package ucarp): the interop tests need it"
        );
        let up = self.dir.join("vip-up.sh");
        let down = self.dir.join("vip-down.sh");
        for (path, verb) in [(&up, "add"), (&down, "del")] {
            let script = format!("#!/bin/sh\nip addr {verb} \"$2/32\" dev \"$1\"\nexit 0\n");
            fs::write(path, script).expect("write hook");
            let exec = std::os::unix::fs::PermissionsExt::from_mode(0o755);
            fs::set_permissions(path, exec).expect("chmod hook");
        }
        let log = fs::File::create(self.log_path(label)).expect("log file");
        let log2 = log.try_clone().expect("log file");
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns]);
        if Path::new("/usr/bin/stdbuf").exists() {
            cmd.args(["/usr/bin/stdbuf", "-oL"]);
        }
        let child = cmd
            .args(["/usr/sbin/ucarp", "-i", dev, "-s", &self.host(host)])
            .args(["-v", "1", "-p", "secret", "-a", &self.vip(), "-b", "1"])
            .args(["-k", &advskew.to_string()])
            .arg("-u")
            .arg(&up)
            .arg("-d")
            .arg(&down)
            .args(["-x", label, "-f", "none"])
            .stdout(log)
            .stderr(log2)
            .spawn()
            .expect("start ucarp");
        self.children.push((label.to_string(), child));
    }

    pub fn log_path(&self, label: &str) -> PathBuf {
        self.dir.join(format!("{label}.log"))
    }

    pub fn log(&self, label: &str) -> String {
        fs::read_to_string(self.log_path(label)).unwrap_or_default()
    }

    pub fn logs(&self) -> String {
        let mut s = String::new();
        for (label, _) in &self.children {
            s.push_str(&format!("--- {label}:\n{}", self.log(label)));
        }
        s
    }

    pub fn pid(&self, label: &str) -> u32 {
        self.children
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, c)| c.id())
            .unwrap_or_else(|| panic!("no process {label}"))
    }

    pub fn kill(&mut self, label: &str) {
        if let Some((_, c)) = self.children.iter_mut().find(|(l, _)| l == label) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn terminate(&self, label: &str) {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        let pid = i32::try_from(self.pid(label)).expect("pid fits in i32");
        kill(Pid::from_raw(pid), Signal::SIGTERM).expect("SIGTERM to our own child");
    }

    /// Sets a sysctl inside `ns` by writing /proc/sys (no procps needed;
    /// network sysctls are per namespace).
    pub fn sysctl(&self, ns: &str, key: &str, value: &str) {
        let path = format!("/proc/sys/{}", key.replace('.', "/"));
        let script = format!("echo {value} > {path}");
        run(&["ip", "netns", "exec", ns, "sh", "-c", &script]);
    }

    /// Waits (bounded) for `label` to exit after a SIGTERM.
    pub fn wait_exit(&mut self, label: &str, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        let (_, c) = self.children.iter_mut().find(|(l, _)| l == label)?;
        while start.elapsed() < limit {
            if let Ok(Some(st)) = c.try_wait() {
                return Some(st);
            }
            sleep(POLL);
        }
        None
    }

    /// Polls `cond` until it holds or `limit` passes; the time it took.
    pub fn wait_for(&self, limit: Duration, cond: impl Fn(&Lab) -> bool) -> Option<Duration> {
        let start = Instant::now();
        loop {
            if cond(self) {
                return Some(start.elapsed());
            }
            if start.elapsed() > limit {
                return None;
            }
            sleep(POLL);
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for (_, c) in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in &self.ns {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

pub fn skew_words(advskew: u8) -> String {
    if advskew > 0 {
        format!("advskew {advskew} ")
    } else {
        String::new()
    }
}

pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
