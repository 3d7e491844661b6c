//! One process for balancing and failover: the real `harp` binary runs a
//! haproxy.conf and the rc.conf CARP lines together, in two network
//! namespaces on one bridge; a third (the bridge's own) is the client.
//! HTTP to the virtual IP is answered by whichever node is MASTER, and a
//! tracked backend with no usable server hands the address to the peer.
//! Needs root; namespaces are created and always removed by the test.

#[allow(dead_code)]
mod common;
use common::lab::*;

use std::fs;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

const HARP: &str = env!("CARGO_BIN_EXE_harp");

/// A haproxy.conf answering on the VIP with this node's name; the origin
/// is a second frontend of the same file on the namespace's loopback.
fn haproxy_conf(lab: &Lab, node: &str, servers_disabled: bool) -> String {
    let dis = if servers_disabled { " disabled" } else { "" };
    let sock = lab.dir.join(format!("{node}.sock"));
    format!(
        "global\n stats socket {} level admin\ndefaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n\
         frontend vip\n bind {}:8080\n default_backend servers\n\
         backend servers\n server local 127.0.0.1:18080{dis}\n\
         frontend origin\n bind 127.0.0.1:18080\n http-request return status 200 content-type text/plain string \"{node}\"\n",
        sock.display(),
        lab.vip()
    )
}

/// `show carp` on a node's stats socket.
fn show_carp(lab: &Lab, node: &str) -> String {
    use std::io::{Read, Write};
    let sock = lab.dir.join(format!("{node}.sock"));
    let Ok(mut s) = std::os::unix::net::UnixStream::connect(&sock) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
    let _ = s.write_all(b"show carp\n");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn rc_conf(lab: &Lab, host: u8, advskew: u8, track: bool) -> String {
    let skew = if advskew > 0 {
        format!("advskew {advskew} ")
    } else {
        String::new()
    };
    let track = if track {
        "harp_carp_track=\"servers\"\n"
    } else {
        ""
    };
    format!(
        "ifconfig_em0=\"inet {}/24\"\n\
         ifconfig_em0_alias0=\"inet vhid 1 {skew}pass secret alias {}/32\"\n{track}",
        lab.host(host),
        lab.vip()
    )
}

/// Start the real harp in `ns`: balancer and CARP in one process.
fn start(lab: &mut Lab, label: &str, ns: &str, dev: &str, cfg: &str, rc: &str, sysctl: &str) {
    let c = lab.dir.join(format!("{label}.cfg"));
    let r = lab.dir.join(format!("{label}.rc.conf"));
    let s = lab.dir.join(format!("{label}.sysctl.conf"));
    fs::write(&c, cfg).expect("cfg");
    fs::write(&r, rc).expect("rc.conf");
    fs::write(&s, sysctl).expect("sysctl.conf");
    let log = fs::File::create(lab.dir.join(format!("{label}.log"))).expect("log");
    let child = Command::new("ip")
        .args(["netns", "exec", ns, HARP, "-db", "-f"])
        .arg(&c)
        .arg("--carp")
        .arg(&r)
        .arg("--carp")
        .arg(&s)
        .args(["--carp-iface", &format!("em0={dev}")])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start harp");
    lab.children.push((label.to_string(), child));
}

/// GET http://VIP:8080/ from the client namespace; the body, if any.
fn get_vip(lab: &Lab, client_ns: &str) -> Option<String> {
    let script = format!(
        "import urllib.request\ntry:\n print(urllib.request.urlopen('http://{}:8080/', timeout=2).read().decode())\nexcept Exception:\n print('<none>')\n",
        lab.vip()
    );
    let out = Command::new("ip")
        .args(["netns", "exec", client_ns, "python3", "-c", &script])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (text != "<none>").then_some(text)
}

/// A bridged lab whose bridge namespace also gets an address: the client.
fn client_lab(tag: &str, net: u8) -> (Lab, String) {
    let lab = Lab::build(tag, net, true);
    let sw = lab.ns[2].clone();
    run(&[
        "ip",
        "-n",
        &sw,
        "addr",
        "add",
        &format!("10.99.{net}.3/24"),
        "dev",
        "br0",
    ]);
    run(&["ip", "-n", &sw, "link", "set", "lo", "up"]);
    (lab, sw)
}

#[test]
fn balancer_on_the_vip_follows_the_master() {
    let (mut lab, client) = client_lab("bal", 31);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    let (cfg_a, cfg_b) = (
        haproxy_conf(&lab, "node-a", false),
        haproxy_conf(&lab, "node-b", false),
    );
    let (rc_a, rc_b) = (rc_conf(&lab, 1, 0, false), rc_conf(&lab, 2, 100, false));
    start(&mut lab, "harp-a", &a, "carpa", &cfg_a, &rc_a, "");
    start(&mut lab, "harp-b", &b, "carpb", &cfg_b, &rc_b, "");
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&a));
    assert!(t.is_some(), "A never became MASTER\n{}", lab.logs());
    // Both balancers listen on the VIP already (IP_FREEBIND); the MASTER answers.
    let mut body = None;
    for _ in 0..20 {
        body = get_vip(&lab, &client);
        if body.is_some() {
            break;
        }
        sleep(Duration::from_millis(200));
    }
    assert_eq!(body.as_deref(), Some("node-a"), "{}", lab.logs());
    // The runtime API shows the vhid's state and counters (harp's `show carp`).
    let carp_a = show_carp(&lab, "node-a");
    let line = carp_a.lines().nth(1).unwrap_or("");
    let f: Vec<&str> = line.split(',').collect();
    assert_eq!(
        &f[..6],
        ["1", "em0", "carpa", "MASTER", "1", "0"],
        "{carp_a}"
    );
    assert!(
        f[7].parse::<u64>().unwrap_or(0) >= 1,
        "no advert counted as sent: {carp_a}"
    );
    assert_eq!(f[9], "0", "bad adverts: {carp_a}");
    let carp_b = show_carp(&lab, "node-b");
    assert!(carp_b.contains(",BACKUP,1,100,"), "{carp_b}");
    // Kill A: B takes the address within the master-down interval, and
    // the same URL is now served by B's balancer.
    lab.kill("harp-a");
    let bound = Duration::from_secs(3)
        + Duration::from_micros(100 * 1_000_000 / 256)
        + Duration::from_millis(300);
    let t = lab.wait_for(Duration::from_secs(8), |l| l.has_vip(&b));
    let t = t.unwrap_or_else(|| panic!("B never took the VIP\n{}", lab.logs()));
    println!(
        "failover with the balancer running: {:.3} s (bound {:.3} s)",
        t.as_secs_f64(),
        bound.as_secs_f64()
    );
    assert!(t <= bound, "failover took {t:?}");
    // A's stale address still points the client at A until it learns B's
    // gratuitous ARP; retry briefly.
    let mut body = None;
    for _ in 0..25 {
        body = get_vip(&lab, &client);
        if body.as_deref() == Some("node-b") {
            break;
        }
        sleep(Duration::from_millis(200));
    }
    assert_eq!(body.as_deref(), Some("node-b"), "{}", lab.logs());
}

#[test]
fn tracked_backend_without_servers_hands_over() {
    let (mut lab, _client) = client_lab("trk", 32);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    // A is preferred (advskew 0) but tracks a backend whose only server is
    // out of service: it demotes itself by 240, so B (preempt on) is MASTER.
    let cfg_a = haproxy_conf(&lab, "node-a", true);
    let cfg_b = haproxy_conf(&lab, "node-b", false);
    let preempt = "net.inet.carp.preempt=1\n";
    let (rc_a, rc_b) = (rc_conf(&lab, 1, 0, true), rc_conf(&lab, 2, 100, false));
    start(&mut lab, "harp-a", &a, "carpa", &cfg_a, &rc_a, preempt);
    start(&mut lab, "harp-b", &b, "carpb", &cfg_b, &rc_b, preempt);
    let t = lab.wait_for(Duration::from_secs(10), |l| l.has_vip(&b));
    assert!(t.is_some(), "B never became MASTER\n{}", lab.logs());
    sleep(Duration::from_secs(4));
    assert!(
        lab.has_vip(&b) && !lab.has_vip(&a),
        "A kept or took the VIP\n{}",
        lab.logs()
    );
    assert!(
        lab.log("harp-a").contains("demoted by 240"),
        "{}",
        lab.logs()
    );
}

#[test]
fn stopping_the_tracked_origins_moves_the_address() {
    let (mut lab, _client) = client_lab("org", 33);
    let (a, b) = (lab.a().to_string(), lab.b().to_string());
    // A's only origin is a separate process in A, health-checked by harp.
    let origin = Command::new("ip")
        .args([
            "netns",
            "exec",
            &a,
            "python3",
            "-m",
            "http.server",
            "18090",
            "--bind",
            "127.0.0.1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("origin");
    lab.children.push(("origin-a".into(), origin));
    let sock = lab.dir.join("a.sock");
    let cfg_a = format!(
        "global\n stats socket {} level admin\ndefaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n timeout check 1s\n\
         frontend vip\n bind {}:8080\n default_backend servers\n\
         backend servers\n server o 127.0.0.1:18090 check inter 200 fall 2 rise 2\n",
        sock.display(),
        lab.vip()
    );
    let cfg_b = haproxy_conf(&lab, "node-b", false);
    let preempt = "net.inet.carp.preempt=1\n";
    let (rc_a, rc_b) = (rc_conf(&lab, 1, 0, true), rc_conf(&lab, 2, 100, false));
    start(&mut lab, "harp-a", &a, "carpa", &cfg_a, &rc_a, preempt);
    start(&mut lab, "harp-b", &b, "carpb", &cfg_b, &rc_b, preempt);
    let t = lab.wait_for(Duration::from_secs(10), |l| l.has_vip(&a));
    assert!(t.is_some(), "A never became MASTER\n{}", lab.logs());
    sleep(Duration::from_secs(1));
    assert!(lab.has_vip(&a) && !lab.has_vip(&b), "{}", lab.logs());
    // Stop every origin of the tracked backend on the master: its checks
    // mark the server DOWN, A demotes itself, B (preempt) takes over.
    lab.kill("origin-a");
    let t = lab.wait_for(Duration::from_secs(10), |l| l.has_vip(&b) && !l.has_vip(&a));
    let t = t.unwrap_or_else(|| panic!("B never took over\n{}", lab.logs()));
    println!(
        "tracked origins stopped: the VIP moved to B after {:.3} s",
        t.as_secs_f64()
    );
    let log = lab.log("harp-a");
    assert!(log.contains("Server servers/o is DOWN"), "{log}");
    assert!(log.contains("demoted by 240"), "{log}");
}
