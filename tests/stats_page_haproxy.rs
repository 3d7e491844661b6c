//! The stats page against HAProxy 2.6 itself (the oracle,
//! `/usr/sbin/haproxy`; never skipped): the same configuration in the same
//! server states must give the same row classes per anchor, the same admin
//! form fields, and the same redirect after a POST.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::stats::html::{redirect_location, render, ActionStatus, PageConfig, PageRequest};
use harp::stats::snapshot::{OpState, Snapshot};

const HAPROXY: &str = "/usr/sbin/haproxy";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn config(stats: u16, up: u16, down: u16) -> String {
    format!(
        "global\n    node mynode\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n\
         frontend fe_main\n    bind 127.0.0.1:{fe}\n    default_backend be_app\n\
         backend be_app\n    server s1 127.0.0.1:{up} check inter 200ms\n    server s2 127.0.0.1:{down} check inter 200ms\n\
         \x20   server s3 127.0.0.1:{down} backup\n    server s4 127.0.0.1:{down} disabled\n\
         listen stats\n    bind 127.0.0.1:{stats}\n    stats enable\n    stats uri /st\n    stats admin if TRUE\n",
        fe = free_port()
    )
}

struct Oracle(Child);

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.0 exchange; returns the whole answer.
fn http(port: u16, req: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.write_all(req.as_bytes());
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// (anchor, row class) of every row, in page order.
fn rows(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, _) in html.match_indices("<tr class=\"") {
        let rest = &html[i + 11..];
        let Some(q) = rest.find('"') else { continue };
        let class = &rest[..q];
        let end = rest.find("</tr>").unwrap_or(rest.len());
        let row = &rest[..end];
        if let Some(a) = row.find("<a name=\"") {
            let name = &row[a + 9..];
            if let Some(e) = name.find('"') {
                out.push((name[..e].to_string(), class.to_string()));
            }
        }
    }
    out
}

/// The admin form's fields: checkbox inputs, action values, hidden `b`.
fn form_fields(html: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let checks = html
        .match_indices("type=\"checkbox\" name=\"s\" value=\"")
        .map(|(i, m)| {
            let v = &html[i + m.len()..];
            v[..v.find('"').unwrap_or(0)].to_string()
        })
        .collect();
    let select = html
        .find("<select name=action>")
        .map(|i| &html[i..i + html[i..].find("</select>").unwrap_or(0)])
        .unwrap_or("");
    let actions = select
        .match_indices("<option value=\"")
        .map(|(i, m)| {
            let v = &select[i + m.len()..];
            v[..v.find('"').unwrap_or(0)].to_string()
        })
        .collect();
    let hidden = html
        .match_indices("<input type=\"hidden\" name=\"b\" value=\"")
        .map(|(i, m)| {
            let v = &html[i + m.len()..];
            v[..v.find('"').unwrap_or(0)].to_string()
        })
        .collect();
    (checks, actions, hidden)
}

#[test]
fn page_structure_and_admin_post_match_haproxy() {
    assert!(
        std::path::Path::new(HAPROXY).exists(),
        "{HAPROXY} is required (apt-get install haproxy)"
    );
    let backend = TcpListener::bind("127.0.0.1:0").expect("bind a server");
    let up = backend.local_addr().expect("addr").port();
    let (stats, down) = (free_port(), free_port());
    let cfg_text = config(stats, up, down);
    let dir = std::env::temp_dir().join(format!("harp-statspage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("h.cfg");
    std::fs::write(&path, &cfg_text).expect("write config");
    let _oracle = Oracle(
        Command::new(HAPROXY)
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy starts"),
    );
    // Wait for s2 to be seen DOWN (3 failed checks at 200ms).
    let start = Instant::now();
    let theirs = loop {
        let page = http(stats, "GET /st HTTP/1.0\r\n\r\n");
        if page.contains("<tr class=\"active_down\">") || start.elapsed() > Duration::from_secs(10)
        {
            break page;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(theirs.starts_with("HTTP/1.1 200"), "{theirs:.200}");

    let loaded = load_bytes("h.cfg", cfg_text.as_bytes(), &mut ConfigEnv::default());
    let model = loaded.model.expect("config loads");
    let mut snap = Snapshot::from_model(&model);
    snap.server_mut("be_app", "s1")
        .unwrap()
        .check
        .as_mut()
        .unwrap()
        .status = "L4OK".into();
    {
        let s2 = snap.server_mut("be_app", "s2").unwrap();
        s2.op = OpState::Stopped;
        let c = s2.check.as_mut().unwrap();
        c.status = "L4CON".into();
        c.health = 0;
    }
    let px = model.proxies.iter().find(|p| p.name == "stats").unwrap();
    let pc = PageConfig::from_model(&px.settings.stats, "stats");
    let ours = render(&snap, &pc, &PageRequest::parse("/st", &pc.uri), true);

    assert_eq!(rows(&ours), rows(&theirs));
    // 3 proxy title rows, 2 frontends, 4 servers, 2 backends.
    assert_eq!(rows(&ours).len(), 11);
    assert!(rows(&ours).contains(&("be_app/s2".into(), "active_down".into())));
    let (checks, actions, hidden) = form_fields(&theirs);
    assert_eq!(checks, ["s1", "s2", "s3", "s4"]);
    assert_eq!(actions.len(), 14);
    assert_eq!(hidden, ["#2"]);
    assert_eq!(form_fields(&ours), (checks, actions, hidden));

    // The redirect after a POST, with the options of the page it came from.
    for (uri, body, st) in [
        ("/st", "s=s4&action=maint&b=%232", ActionStatus::Done),
        (
            "/st;up;norefresh?scope=be",
            "action=maint&b=%232",
            ActionStatus::None,
        ),
        (
            "/st;norefresh",
            "s=s1&action=bogus&b=%232",
            ActionStatus::Errp,
        ),
    ] {
        let answer = http(
            stats,
            &format!(
                "POST {uri} HTTP/1.0\r\ncontent-type: application/x-www-form-urlencoded\r\n\
                 content-length: {}\r\n\r\n{body}",
                body.len()
            ),
        );
        assert!(answer.starts_with("HTTP/1.1 303"), "{answer:.200}");
        let want = redirect_location(&pc, &PageRequest::parse(uri, "/st"), st);
        assert!(
            answer.contains(&format!("\r\nlocation: {want}\r\n")),
            "{uri}: {answer:.300}"
        );
    }
    drop(backend);
    let _ = std::fs::remove_dir_all(&dir);
}
