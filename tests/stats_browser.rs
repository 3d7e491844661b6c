//! The stats page as a person sees it: Debian's headless Chromium, driven
//! by playwright-core from Node, renders harp's page, takes a screenshot,
//! reads every proxy and server name, sees the DOWN server coloured as
//! down, and submits the admin form to put a server into MAINT; the CSV
//! export then confirms the new state. The screenshots stay in
//! target/browser/ (stats.png, stats_after_maint.png) for a person to
//! look at. Chromium, Node and playwright-core are installed by
//! `scripts/test.sh`; when one is missing the test fails (it never
//! skips), naming that script.

#[allow(dead_code)]
mod common;
use common::net::{free_port, refusing_port, start_quiet, wait_listening, Proc};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const HARP: &str = env!("CARGO_BIN_EXE_harp");
const CHROMIUM: &str = "/usr/bin/chromium";
/// Where `scripts/test.sh` installs playwright-core (`npm --prefix`).
const BROWSER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/browser");

/// The browser side of the test. It prints `key<TAB>value` lines that the
/// Rust side asserts on, and exits non-zero only when the browser itself
/// could not be driven (launch, navigation, a missing form control).
const SCRIPT: &str = r#"
const { chromium } = require(process.env.PW_MODULE);
const url = process.env.STATS_URL;
const names = JSON.parse(process.env.NAMES);
const servers = JSON.parse(process.env.SERVERS);
// Every wait is bounded; this is the last resort.
setTimeout(() => { console.error('browser script timed out'); process.exit(3); }, 45000).unref();
const out = (k, v) => console.log(k + '\t' + v);
(async () => {
  const ctx = await chromium.launchPersistentContext(process.env.PROFILE, {
    executablePath: process.env.CHROMIUM,
    headless: true,
    timeout: 20000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    page.setDefaultTimeout(10000);
    const first = await page.goto(url, { waitUntil: 'load' });
    out('get_status', first.status());
    await page.screenshot({ path: process.env.SHOT, fullPage: true });
    const text = await page.innerText('body');
    const cells = await page.evaluate(() =>
      [...document.querySelectorAll('a.px, a.lfsb')].map(e => e.textContent.trim()));
    for (const n of names) out('name_shown ' + n, text.includes(n) && cells.includes(n));
    // The class of the table row whose name cell reads `name`.
    const rowClass = (name) => page.evaluate((name) => {
      const a = [...document.querySelectorAll('a.lfsb')].find(e => e.textContent.trim() === name);
      const tr = a && a.closest('tr');
      return tr ? tr.className : '(no row)';
    }, name);
    for (const s of servers) out('row_class ' + s, await rowClass(s));

    // The admin form of the proxy `web`: tick `alive`, pick MAINT, Apply.
    const form = page.locator('form:has(input[name="s"][value="alive"])');
    await form.locator('input[name="s"][value="alive"]').check();
    const maint = await form.locator('select[name="action"] option')
      .evaluateAll(os => os.filter(o => o.textContent.includes('MAINT')).map(o => o.value));
    out('maint_value', maint.join(','));
    await form.locator('select[name="action"]').selectOption(maint[0]);
    const [post] = await Promise.all([
      page.waitForResponse(r => r.request().method() === 'POST'),
      form.locator('input[type="submit"]').click(),
    ]);
    out('post_status', post.status());
    await page.waitForURL(/;st=/);
    await page.waitForLoadState('load');
    out('reloaded_url', page.url());
    out('row_class_after alive', await rowClass('alive'));
    await page.screenshot({ path: process.env.SHOT_AFTER, fullPage: true });
  } finally {
    await ctx.close();
  }
})().then(() => process.exit(0), e => { console.error(String(e && e.stack || e)); process.exit(2); });
"#;

/// A tiny origin answering its name, so checks of `alive` pass.
fn origin(name: &'static str) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    thread::spawn(move || {
        for mut c in l.incoming().take(5000).flatten() {
            let mut buf = [0u8; 1024];
            let _ = c.read(&mut buf);
            let body = format!("{name}\n");
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn get(port: u16, path: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return String::new();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// The CSV status column (18th, `status`) of `px,sv`.
fn csv_status(port: u16, px: &str, sv: &str) -> String {
    let csv = get(port, "/st;csv");
    let prefix = format!("{px},{sv},");
    csv.lines()
        .find(|l| l.starts_with(&prefix))
        .and_then(|l| l.split(',').nth(17))
        .unwrap_or("")
        .to_string()
}

/// What the test needs from outside the crate, or a failure naming the
/// script that installs it.
fn browser_tools() -> PathBuf {
    let fix = "run scripts/test.sh (it installs Debian's chromium and \
               `npm install --prefix target/browser playwright-core@1`)";
    assert!(Path::new(CHROMIUM).exists(), "{CHROMIUM} is missing: {fix}");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(node, "`node` is missing: {fix}");
    let pw = Path::new(BROWSER_DIR).join("node_modules/playwright-core");
    assert!(
        pw.join("package.json").exists(),
        "{} is missing: {fix}",
        pw.display()
    );
    pw
}

/// Runs `cmd` for at most `limit`, returning its stdout and stderr.
fn run_bounded(mut cmd: Command, limit: Duration) -> (bool, String, String) {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let mut p = Proc(child);
    let mut so = p.0.stdout.take().expect("stdout");
    let mut se = p.0.stderr.take().expect("stderr");
    let t_out = thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t_err = thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let ok = loop {
        match p.0.try_wait() {
            Ok(Some(st)) => break st.success(),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
            _ => break false,
        }
    };
    drop(p); // kills node if it overran, closing its pipes
    let out = t_out.join().unwrap_or_default();
    let err = t_err.join().unwrap_or_default();
    (ok, out, err)
}

fn value<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('\t')))
        .unwrap_or("")
}

#[test]
fn stats_page_in_headless_chromium() {
    let pw = browser_tools();
    let o = origin("alive");
    let port = free_port();
    let (_refuser, dead) = refusing_port();
    let dir = std::env::temp_dir().join(format!("harp-statsbrowser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp");
    let cfg = format!(
        "defaults\n mode http\n timeout connect 500ms\n timeout client 5s\n timeout server 5s\n\
         listen web\n bind 127.0.0.1:{port}\n stats enable\n stats uri /st\n stats admin if TRUE\n\
         server alive 127.0.0.1:{o} check inter 300\n server gone 127.0.0.1:{dead} check inter 200 fall 1\n\
         backend pool\n server spare 127.0.0.1:{o} check inter 500\n"
    );
    let path = dir.join("h.cfg");
    std::fs::write(&path, cfg).expect("cfg");
    let _harp = start_quiet(HARP, &path);
    wait_listening(port);

    // Wait (bounded) until the checks have settled: `gone` DOWN, `alive` UP.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (g, a) = (
            csv_status(port, "web", "gone"),
            csv_status(port, "web", "alive"),
        );
        if g == "DOWN" && a == "UP" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "checks did not settle: gone={g:?} alive={a:?}"
        );
        thread::sleep(Duration::from_millis(100));
    }

    let shot_dir = Path::new(BROWSER_DIR);
    std::fs::create_dir_all(shot_dir).expect("target/browser");
    let shot = shot_dir.join("stats.png");
    let shot_after = shot_dir.join("stats_after_maint.png");
    let _ = std::fs::remove_file(&shot);
    let _ = std::fs::remove_file(&shot_after);
    let script = dir.join("stats_page.js");
    std::fs::write(&script, SCRIPT).expect("script");
    let names = ["web", "pool", "alive", "gone", "spare"];
    let servers = ["alive", "gone", "spare"];
    let quoted = |v: &[&str]| {
        format!(
            "[{}]",
            v.iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let mut node = Command::new("node");
    node.arg(&script)
        .env("PW_MODULE", &pw)
        .env("CHROMIUM", CHROMIUM)
        .env("PROFILE", dir.join("profile"))
        .env("SHOT", &shot)
        .env("SHOT_AFTER", &shot_after)
        .env("STATS_URL", format!("http://127.0.0.1:{port}/st"))
        .env("NAMES", quoted(&names))
        .env("SERVERS", quoted(&servers));
    let (ok, out, err) = run_bounded(node, Duration::from_secs(50));
    assert!(ok, "browser script failed\nstdout:\n{out}\nstderr:\n{err}");

    // The page loaded and was photographed.
    assert_eq!(value(&out, "get_status"), "200", "{out}");
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 10_000, "screenshot only {} bytes", png.len());

    // Every proxy and server name is on the rendered page.
    for n in names {
        assert_eq!(
            value(&out, &format!("name_shown {n}")),
            "true",
            "{n}: {out}"
        );
    }
    // HAProxy's row classes: the refused server is down, the others up.
    assert_eq!(value(&out, "row_class gone"), "active_down", "{out}");
    assert_eq!(value(&out, "row_class alive"), "active_up", "{out}");
    assert_eq!(value(&out, "row_class spare"), "active_up", "{out}");

    // The form offered MAINT as `maint`, answered the POST with a 303,
    // and the browser followed it back to the page with the result.
    assert_eq!(value(&out, "maint_value"), "maint", "{out}");
    assert_eq!(value(&out, "post_status"), "303", "{out}");
    assert!(
        value(&out, "reloaded_url").ends_with("/st;st=DONE"),
        "{out}"
    );
    assert_eq!(value(&out, "row_class_after alive"), "maintain", "{out}");
    let after = std::fs::read(&shot_after).expect("second screenshot written");
    assert!(after.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");

    // And harp's own export agrees.
    assert_eq!(csv_status(port, "web", "alive"), "MAINT");
    assert_eq!(csv_status(port, "web", "gone"), "DOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
