//! CARP on a real (virtual) network: two network namespaces joined by a
//! veth pair, harp's CARP driver (`examples/carp_node.rs`) in one or both,
//! ucarp in the other for interoperability. Needs root; the test creates
//! its own namespaces with unique names and always deletes them. Only
//! 10.99.x.x addresses inside those namespaces are used. Without root or
//! network namespaces the tests fail with the reason, they never skip.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(20);
/// Slack allowed on top of the protocol's master-down interval: process
/// scheduling on a shared 2-core machine plus the VIP polling.
const SLACK: Duration = Duration::from_millis(300);

fn master_down(advbase: u64, advskew: u64) -> Duration {
    Duration::from_secs(3 * advbase) + Duration::from_micros(advskew * 1_000_000 / 256)
}

/// Runs a command to completion; panics with its stderr on failure.
fn run(args: &[&str]) -> String {
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

fn require_root() {
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
fn carp_node_bin() -> PathBuf {
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
struct Lab {
    ns: Vec<String>,
    children: Vec<(String, Child)>,
    dir: PathBuf,
    net: u8,
}

impl Lab {
    fn new(tag: &str, net: u8) -> Lab {
        Lab::build(tag, net, false)
    }

    /// With `bridged`, A and B are each joined by a veth pair to a bridge
    /// `br0` in a third namespace `SW` (ports `swa`, `swb`), so one side's
    /// link can go down alone.
    fn build(tag: &str, net: u8, bridged: bool) -> Lab {
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

    fn a(&self) -> &str {
        &self.ns[0]
    }

    fn b(&self) -> &str {
        &self.ns[1]
    }

    fn vip(&self) -> String {
        format!("10.99.{}.100", self.net)
    }

    fn host(&self, n: u8) -> String {
        format!("10.99.{}.{n}", self.net)
    }

    /// Whether `ns` has the VIP configured.
    fn has_vip(&self, ns: &str) -> bool {
        self.has_addr(ns, &self.vip())
    }

    /// Whether `ns` has address `ip` (either family) configured.
    fn has_addr(&self, ns: &str, ip: &str) -> bool {
        let out = run(&["ip", "-n", ns, "-o", "addr", "show"]);
        out.contains(&format!(" {ip}/"))
    }

    /// The MAC address of `dev` in `ns`.
    fn mac(&self, ns: &str, dev: &str) -> String {
        let out = run(&["ip", "-n", ns, "-o", "link", "show", dev]);
        out.split_whitespace()
            .skip_while(|w| *w != "link/ether")
            .nth(1)
            .unwrap_or_else(|| panic!("no MAC in {out}"))
            .to_string()
    }

    /// The link-layer address `ns` has learnt for the VIP, if any.
    fn neigh_of_vip(&self, ns: &str) -> Option<String> {
        self.neigh_of(ns, &self.vip())
    }

    /// The link-layer address `ns` has learnt for `ip`, if any.
    fn neigh_of(&self, ns: &str, ip: &str) -> Option<String> {
        let out = run(&["ip", "-n", ns, "neigh", "show", ip]);
        out.split_whitespace()
            .skip_while(|w| *w != "lladdr")
            .nth(1)
            .map(String::from)
    }

    /// Starts harp's CARP node in `ns` on `dev` (em0 mapped to it).
    fn start_harp(&mut self, label: &str, ns: &str, dev: &str, host: u8, advskew: u8) {
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
    fn start_harp_conf(&mut self, label: &str, ns: &str, dev: &str, text: &str) {
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
    fn start_ucarp(&mut self, label: &str, ns: &str, dev: &str, host: u8, advskew: u8) {
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

    fn log_path(&self, label: &str) -> PathBuf {
        self.dir.join(format!("{label}.log"))
    }

    fn log(&self, label: &str) -> String {
        fs::read_to_string(self.log_path(label)).unwrap_or_default()
    }

    fn logs(&self) -> String {
        let mut s = String::new();
        for (label, _) in &self.children {
            s.push_str(&format!("--- {label}:\n{}", self.log(label)));
        }
        s
    }

    fn pid(&self, label: &str) -> u32 {
        self.children
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, c)| c.id())
            .unwrap_or_else(|| panic!("no process {label}"))
    }

    fn kill(&mut self, label: &str) {
        if let Some((_, c)) = self.children.iter_mut().find(|(l, _)| l == label) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn terminate(&self, label: &str) {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        let pid = i32::try_from(self.pid(label)).expect("pid fits in i32");
        kill(Pid::from_raw(pid), Signal::SIGTERM).expect("SIGTERM to our own child");
    }

    /// Sets a sysctl inside `ns` by writing /proc/sys (no procps needed;
    /// network sysctls are per namespace).
    fn sysctl(&self, ns: &str, key: &str, value: &str) {
        let path = format!("/proc/sys/{}", key.replace('.', "/"));
        let script = format!("echo {value} > {path}");
        run(&["ip", "netns", "exec", ns, "sh", "-c", &script]);
    }

    /// Waits (bounded) for `label` to exit after a SIGTERM.
    fn wait_exit(&mut self, label: &str, limit: Duration) -> Option<ExitStatus> {
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
    fn wait_for(&self, limit: Duration, cond: impl Fn(&Lab) -> bool) -> Option<Duration> {
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

fn skew_words(advskew: u8) -> String {
    if advskew > 0 {
        format!("advskew {advskew} ")
    } else {
        String::new()
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[test]
fn two_harp_nodes_elect_and_fail_over() {
    let mut lab = Lab::new("h", 11);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    // B learns neighbours from gratuitous ARP, so A's announcement shows
    // up in B's neighbour table.
    lab.sysctl(&b, "net.ipv4.conf.carpb.arp_accept", "1");
    lab.start_harp("harp-a", &a, "carpa", 1, 0);
    lab.start_harp("harp-b", &b, "carpb", 2, 100);

    // Election: both start BACKUP; A's master-down (3 s) ends first.
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("A never took the VIP\n{}", lab.logs()));
    println!("election: A MASTER with the VIP after {:.3} s", secs(t));
    sleep(Duration::from_millis(1500));
    assert!(lab.has_vip(&a), "A lost the VIP\n{}", lab.logs());
    assert!(!lab.has_vip(&b), "B holds the VIP too\n{}", lab.logs());
    let (la, lb) = (lab.log("harp-a"), lab.log("harp-b"));
    assert!(
        la.contains("carp: 1@em0: BACKUP -> MASTER (master timed out)"),
        "{la}"
    );
    assert!(
        lb.contains("carp: 1@em0: INIT -> BACKUP (initialization complete)"),
        "{lb}"
    );
    assert!(!lb.contains("-> MASTER"), "{lb}");
    assert!(
        !la.contains("rejected") && !lb.contains("rejected"),
        "{}",
        lab.logs()
    );
    let mac_a = lab.mac(&a, "carpa");
    assert_eq!(
        lab.neigh_of_vip(&b).as_deref(),
        Some(mac_a.as_str()),
        "B did not learn the VIP from A's gratuitous ARP"
    );

    // A dies without a word: B takes over after its master-down interval.
    lab.kill("harp-a");
    let bound = master_down(1, 100) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("B never took the VIP\n{}", lab.logs()));
    println!(
        "SIGKILL of the master: B holds the VIP after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(
        t <= bound,
        "failover took {t:?} > {bound:?}\n{}",
        lab.logs()
    );

    // A comes back: it removes the VIP its killed predecessor left behind
    // and, without preempt, stays BACKUP behind the slower B.
    assert!(
        lab.has_vip(&a),
        "the killed node's VIP should still be there"
    );
    lab.children.retain(|(l, _)| l != "harp-a");
    lab.start_harp("harp-a", &a, "carpa", 1, 0);
    let t = lab.wait_for(Duration::from_secs(3), |l| !l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("stale VIP not removed\n{}", lab.logs()));
    println!("restart: stale VIP removed from A after {:.3} s", secs(t));
    sleep(master_down(1, 0) + Duration::from_millis(1500));
    assert!(
        !lab.has_vip(&a),
        "A preempted without preempt\n{}",
        lab.logs()
    );
    assert!(lab.has_vip(&b), "B lost the VIP\n{}", lab.logs());

    // SIGTERM on the master: it bows out (advbase 255) and the backup
    // takes over at once ("master will time out").
    lab.terminate("harp-b");
    let t = lab.wait_for(Duration::from_secs(5), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("A never took over\n{}", lab.logs()));
    println!(
        "SIGTERM of the master: A holds the VIP after {:.3} s",
        secs(t)
    );
    assert!(
        t < Duration::from_secs(1),
        "bow-out took {t:?}\n{}",
        lab.logs()
    );
    let st = lab.wait_exit("harp-b", Duration::from_secs(6));
    assert!(
        st.is_some_and(|s| s.success()),
        "B exit: {st:?}\n{}",
        lab.logs()
    );
    assert!(!lab.has_vip(&b), "B left its VIP\n{}", lab.logs());
    let la = lab.log("harp-a");
    assert!(
        la.contains("BACKUP -> MASTER (master will time out)"),
        "{la}"
    );
    assert!(lab.log("harp-b").contains("MASTER -> INIT (shutting down)"));
}

fn assert_no_auth_errors(lab: &Lab) {
    let logs = lab.logs();
    assert!(!logs.contains("Bad digest"), "ucarp rejected harp\n{logs}");
    assert!(!logs.contains("bad HMAC"), "harp rejected ucarp\n{logs}");
    assert!(!logs.contains("rejected"), "{logs}");
}

#[test]
fn harp_master_ucarp_backup() {
    let mut lab = Lab::new("u", 12);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    lab.start_harp("harp", &a, "carpa", 1, 0);
    lab.start_ucarp("ucarp", &b, "carpb", 2, 100);
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("harp never took the VIP\n{}", lab.logs()));
    println!("harp MASTER with the VIP after {:.3} s", secs(t));
    sleep(Duration::from_secs(3));
    assert!(lab.has_vip(&a) && !lab.has_vip(&b), "{}", lab.logs());
    let lu = lab.log("ucarp");
    assert!(lu.contains("Switching to state: BACKUP"), "{lu}");
    assert!(!lu.contains("Switching to state: MASTER"), "{lu}");
    assert_no_auth_errors(&lab);

    // harp bows out on SIGTERM; ucarp takes over (ucarp reacts late by
    // design: poll granularity, CARP.md §12).
    lab.terminate("harp");
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("ucarp never took over\n{}", lab.logs()));
    println!(
        "SIGTERM of harp: ucarp holds the VIP after {:.3} s",
        secs(t)
    );
    let st = lab.wait_exit("harp", Duration::from_secs(6));
    assert!(st.is_some_and(|s| s.success()), "harp exit: {st:?}");
    assert!(!lab.has_vip(&a), "harp left its VIP\n{}", lab.logs());
    assert_no_auth_errors(&lab);
}

#[test]
fn ucarp_master_harp_backup() {
    let mut lab = Lab::new("r", 13);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    lab.start_ucarp("ucarp", &b, "carpb", 2, 0);
    lab.start_harp("harp", &a, "carpa", 1, 100);
    let t = lab.wait_for(Duration::from_secs(10), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("ucarp never took the VIP\n{}", lab.logs()));
    println!("ucarp MASTER with the VIP after {:.3} s", secs(t));
    sleep(Duration::from_secs(4));
    assert!(lab.has_vip(&b) && !lab.has_vip(&a), "{}", lab.logs());
    let lh = lab.log("harp");
    assert!(lh.contains("INIT -> BACKUP"), "{lh}");
    assert!(!lh.contains("-> MASTER"), "{lh}");
    assert_no_auth_errors(&lab);

    // ucarp dies: harp takes over after its master-down interval.
    lab.kill("ucarp");
    let bound = master_down(1, 100) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("harp never took over\n{}", lab.logs()));
    println!(
        "SIGKILL of ucarp: harp holds the VIP after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(
        t <= bound,
        "failover took {t:?} > {bound:?}\n{}",
        lab.logs()
    );
    assert_no_auth_errors(&lab);
}

#[test]
fn two_harp_nodes_over_ipv6() {
    let mut lab = Lab::new("6", 14);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    // vhid 1: IPv4 and IPv6 addresses (adverts of both families);
    // vhid 2: IPv6 only (adverts on ff02::12 only).
    let conf = |host: u8, advskew: u8| {
        let k = skew_words(advskew);
        format!(
            "ifconfig_em0=\"inet 10.99.14.{host}/24\"\n\
             ifconfig_em0_alias0=\"inet vhid 1 {k}pass secret alias 10.99.14.100/32\"\n\
             ifconfig_em0_alias1=\"inet6 vhid 1 {k}pass secret alias 2001:db8:99::100 prefixlen 64\"\n\
             ifconfig_em0_alias2=\"inet6 vhid 2 {k}pass other alias 2001:db8:99::200 prefixlen 64\"\n"
        )
    };
    // B learns neighbours from unsolicited NAs: Linux ≥ 5.18 does so for
    // an unknown target only on a router (RFC 9131).
    lab.sysctl(&b, "net.ipv6.conf.carpb.forwarding", "1");
    lab.sysctl(&b, "net.ipv6.conf.carpb.accept_untracked_na", "1");
    lab.start_harp_conf("harp-a", &a, "carpa", &conf(1, 0));
    lab.start_harp_conf("harp-b", &b, "carpb", &conf(2, 100));
    let vips = ["10.99.14.100", "2001:db8:99::100", "2001:db8:99::200"];
    let all_on = |l: &Lab, ns: &str| vips.iter().all(|v| l.has_addr(ns, v));
    let none_on = |l: &Lab, ns: &str| vips.iter().all(|v| !l.has_addr(ns, v));
    let t = lab.wait_for(Duration::from_secs(8), |l| all_on(l, &a));
    let t = t.unwrap_or_else(|| panic!("A never took the VIPs\n{}", lab.logs()));
    println!("IPv6: A MASTER of both vhids after {:.3} s", secs(t));
    // Longer than B's master-down: B hears A's IPv6 adverts.
    sleep(master_down(1, 100) + Duration::from_millis(800));
    assert!(all_on(&lab, &a), "{}", lab.logs());
    assert!(none_on(&lab, &b), "B took a VIP\n{}", lab.logs());
    let lb = lab.log("harp-b");
    assert!(lb.contains("carp: 2@em0: INIT -> BACKUP"), "{lb}");
    assert!(!lb.contains("-> MASTER"), "{lb}");
    assert!(!lab.logs().contains("rejected"), "{}", lab.logs());
    let mac_a = lab.mac(&a, "carpa");
    for v6 in &vips[1..] {
        assert_eq!(
            lab.neigh_of(&b, v6).as_deref(),
            Some(mac_a.as_str()),
            "B did not learn {v6} from A's neighbour advertisement"
        );
    }

    lab.kill("harp-a");
    let bound = master_down(1, 100) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| all_on(l, &b));
    let t = t.unwrap_or_else(|| panic!("B never took the VIPs\n{}", lab.logs()));
    println!(
        "IPv6: SIGKILL of the master, B holds all VIPs after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(
        t <= bound,
        "failover took {t:?} > {bound:?}\n{}",
        lab.logs()
    );
    lab.terminate("harp-b");
    let st = lab.wait_exit("harp-b", Duration::from_secs(6));
    assert!(st.is_some_and(|s| s.success()), "B exit: {st:?}");
    assert!(none_on(&lab, &b), "B left a VIP\n{}", lab.logs());
}

#[test]
fn link_down_demotes_and_hands_over() {
    let mut lab = Lab::build("l", 15, true);
    let (a, b, sw) = (lab.a().to_string(), lab.b().to_string(), lab.ns[2].clone());
    lab.start_harp("harp-a", &a, "carpa", 1, 0);
    lab.start_harp("harp-b", &b, "carpb", 2, 100);
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    t.unwrap_or_else(|| panic!("A never took the VIP\n{}", lab.logs()));
    sleep(Duration::from_millis(1500));
    assert!(!lab.has_vip(&b), "{}", lab.logs());

    // A's switch port goes down: A loses carrier, leaves MASTER for INIT,
    // drops the VIP and demotes itself; B times A out.
    run(&["ip", "-n", &sw, "link", "set", "swa", "down"]);
    let down = Instant::now();
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("B never took the VIP\n{}", lab.logs()));
    let bound = master_down(1, 100) + SLACK;
    println!(
        "link down on A: B holds the VIP after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(t <= bound, "takeover took {t:?}\n{}", lab.logs());
    let left = Duration::from_secs(3).saturating_sub(down.elapsed());
    let t = lab.wait_for(left, |l| !l.has_vip(&a));
    t.unwrap_or_else(|| panic!("A kept the VIP with its link down\n{}", lab.logs()));
    let la = lab.log("harp-a");
    assert!(
        la.contains("carp: 1@em0: MASTER -> INIT (hardware interface down)"),
        "{la}"
    );
    assert!(
        la.contains("carp: demoted by 240 to 240 (interface down)"),
        "{la}"
    );

    // Link back: A returns as BACKUP, undoes the demotion, and without
    // preempt leaves the VIP on B.
    run(&["ip", "-n", &sw, "link", "set", "swa", "up"]);
    let t = lab.wait_for(Duration::from_secs(4), |l| {
        l.log("harp-a")
            .contains("carp: demoted by -240 to 0 (interface up)")
    });
    t.unwrap_or_else(|| panic!("A never saw its link back\n{}", lab.logs()));
    sleep(master_down(1, 0) + Duration::from_millis(1500));
    assert!(lab.has_vip(&b) && !lab.has_vip(&a), "{}", lab.logs());
    let la = lab.log("harp-a");
    assert!(
        la.contains("carp: 1@em0: INIT -> BACKUP (initialization complete)"),
        "{la}"
    );
    assert_eq!(la.matches("-> MASTER").count(), 1, "{la}");
}

#[test]
fn unicast_peers_and_state_master() {
    let mut lab = Lab::new("p", 16);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    // FreeBSD 14 unicast CARP: each node sends to the other's address.
    // B is forced MASTER by `state master` although its advskew is higher.
    let conf = |host: u8, peer: u8, extra: &str| {
        format!(
            "ifconfig_em0=\"inet 10.99.16.{host}/24\"\n\
             ifconfig_em0_alias0=\"inet vhid 1 {extra}peer 10.99.16.{peer} pass secret \
             alias 10.99.16.100/32\"\n"
        )
    };
    lab.start_harp_conf(
        "harp-b",
        &b,
        "carpb",
        &conf(2, 1, "advskew 100 state master "),
    );
    let t = lab.wait_for(Duration::from_secs(2), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("state master ignored\n{}", lab.logs()));
    println!("unicast: B forced MASTER after {:.3} s", secs(t));
    lab.start_harp_conf("harp-a", &a, "carpa", &conf(1, 2, ""));
    sleep(master_down(1, 0) + Duration::from_millis(1500));
    assert!(lab.has_vip(&b) && !lab.has_vip(&a), "{}", lab.logs());
    let lb = lab.log("harp-b");
    assert!(
        lb.contains("BACKUP -> MASTER (user requested via ifconfig)"),
        "{lb}"
    );
    assert!(!lab.log("harp-a").contains("-> MASTER"), "{}", lab.logs());

    lab.kill("harp-b");
    let bound = master_down(1, 0) + SLACK;
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("A never took over\n{}", lab.logs()));
    println!(
        "unicast: SIGKILL of B, A holds the VIP after {:.3} s (bound {:.3} s)",
        secs(t),
        secs(bound)
    );
    assert!(t <= bound, "failover took {t:?}\n{}", lab.logs());
    assert!(!lab.logs().contains("rejected"), "{}", lab.logs());
}
