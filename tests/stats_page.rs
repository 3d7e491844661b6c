//! The stats page's HTML and admin form, checked against what HAProxy
//! 2.6.12's page carries (row classes, anchors, form fields and action
//! values captured from its page for the same configuration).

use harp::config::build::load_bytes;
use harp::config::reader::ConfigEnv;
use harp::stats::html::{
    action_status, parse_admin_post, redirect_location, refresh_header, render, ActionStatus,
    AdminAction, AdminPost, BackendRef, PageConfig, PageRequest,
};
use harp::stats::snapshot::{OpState, Snapshot};

const CFG: &str = "\
global
    node mynode
    description my description
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe_main
    bind 127.0.0.1:28080
    default_backend be_app
backend be_app
    balance roundrobin
    server s1 127.0.0.1:28081 check inter 1s
    server s2 127.0.0.1:28082 check inter 1s
    server s3 127.0.0.1:28083 backup
    server s4 127.0.0.1:28084 disabled
listen stats
    bind 127.0.0.1:28404
    stats enable
    stats uri /st
    stats refresh 10s
    stats show-node
    stats show-desc
    stats show-legends
    stats admin if TRUE
";

fn model() -> harp::config::model::Model {
    let loaded = load_bytes("page.cfg", CFG.as_bytes(), &mut ConfigEnv::default());
    loaded.model.expect("test config loads")
}

/// s1 passed its checks, s2 is down (connection refused), s3 is an
/// unchecked backup, s4 is `disabled`.
fn snapshot() -> Snapshot {
    let mut snap = Snapshot::from_model(&model());
    snap.info.node = "mynode".into();
    snap.info.description = Some("my description".into());
    {
        let s1 = snap.server_mut("be_app", "s1").unwrap();
        let c = s1.check.as_mut().unwrap();
        c.status = "L4OK".into();
        c.desc = "Layer4 check passed".into();
        c.duration = Some(0);
    }
    {
        let s2 = snap.server_mut("be_app", "s2").unwrap();
        s2.op = OpState::Stopped;
        let c = s2.check.as_mut().unwrap();
        c.status = "L4CON".into();
        c.desc = "Layer4 connection problem".into();
        c.info = "Connection refused".into();
        c.health = 0;
    }
    snap
}

fn config() -> PageConfig {
    let m = model();
    let px = m
        .proxies
        .iter()
        .find(|p| p.name == "stats")
        .expect("stats proxy");
    PageConfig::from_model(&px.settings.stats, "stats")
}

fn page(req: &str, admin: bool) -> String {
    let cfg = config();
    render(&snapshot(), &cfg, &PageRequest::parse(req, &cfg.uri), admin)
}

/// The `<tr class="...">` of the row whose anchor is `anchor`.
fn row_class(html: &str, anchor: &str) -> Option<String> {
    let at = html.find(&format!("<a name=\"{anchor}\">"))?;
    let tr = html[..at].rfind("<tr class=\"")?;
    let rest = &html[tr + 11..];
    Some(rest[..rest.find('"')?].to_string())
}

#[test]
fn config_is_read_from_the_model() {
    let cfg = config();
    assert_eq!(cfg.uri, "/st");
    assert_eq!(cfg.refresh, Some(10));
    assert!(cfg.show_legends);
    assert_eq!(cfg.show_node.as_deref(), Some(""));
}

#[test]
fn every_proxy_and_server_is_listed_with_haproxys_anchors() {
    let html = page("/st", false);
    for px in ["fe_main", "be_app", "stats"] {
        assert!(html.contains(&format!("<a name=\"{px}\"></a>")), "{px}");
    }
    for a in [
        "fe_main/Frontend",
        "be_app/s1",
        "be_app/s2",
        "be_app/s3",
        "be_app/s4",
        "be_app/Backend",
        "stats/Frontend",
        "stats/Backend",
    ] {
        assert!(html.contains(&format!("<a name=\"{a}\"></a>")), "{a}");
    }
    // Proxies appear in configuration order.
    let pos = |s: &str| html.find(&format!("<a name=\"{s}\">")).unwrap();
    assert!(pos("fe_main") < pos("be_app") && pos("be_app") < pos("stats"));
}

#[test]
fn row_classes_match_haproxys_page() {
    // Captured from HAProxy 2.6.12 serving CFG in the same states.
    let html = page("/st", false);
    let want = [
        ("fe_main/Frontend", "frontend"),
        ("be_app/s1", "active_up"),
        ("be_app/s2", "active_down"),
        ("be_app/s3", "backup_no_check"),
        ("be_app/s4", "maintain"),
        ("be_app/Backend", "backend"),
        ("stats/Frontend", "frontend"),
        ("stats/Backend", "backend"),
    ];
    for (anchor, class) in want {
        assert_eq!(row_class(&html, anchor).as_deref(), Some(class), "{anchor}");
    }
}

#[test]
fn drain_backup_down_and_going_states_have_their_classes() {
    let mut snap = snapshot();
    snap.server_mut("be_app", "s1").unwrap().admin.fdrain = true;
    snap.server_mut("be_app", "s3").unwrap().op = OpState::Stopped;
    {
        let s2 = snap.server_mut("be_app", "s2").unwrap();
        s2.check.as_mut().unwrap().health = 1; // DOWN 1/2: going up
    }
    let cfg = config();
    let html = render(&snap, &cfg, &PageRequest::default(), false);
    assert_eq!(
        row_class(&html, "be_app/s1").as_deref(),
        Some("active_draining")
    );
    assert_eq!(
        row_class(&html, "be_app/s2").as_deref(),
        Some("active_going_up")
    );
    assert_eq!(
        row_class(&html, "be_app/s3").as_deref(),
        Some("backup_down")
    );
}

#[test]
fn column_groups_are_haproxys() {
    let html = page("/st", false);
    let groups =
        "<th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th>\
                  <th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th>\
                  <th colspan=2>Warnings</th><th colspan=9>Server</th>";
    assert_eq!(html.matches(groups).count(), 3);
    let server = "<th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th>\
                  <th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th>";
    assert_eq!(html.matches(server).count(), 3);
    // Each row has the name cell plus 30 data cells (frontend: 21 + 2).
    assert!(html.contains("<td class=ac>OPEN</td><td class=ac colspan=8></td></tr>"));
    assert!(html.contains("L4OK in 0ms"));
    assert!(html.contains(">0s DOWN</td>"));
}

#[test]
fn admin_form_posts_haproxys_fields() {
    let html = page("/st", true);
    // One form, for the only proxy with servers.
    assert_eq!(html.matches("<form method=\"post\">").count(), 1);
    for s in ["s1", "s2", "s3", "s4"] {
        let input =
            format!("<input class='be_app-checkbox' type=\"checkbox\" name=\"s\" value=\"{s}\">");
        assert!(html.contains(&input), "{s}");
    }
    assert!(html.contains("<select name=action><option value=\"\"></option>"));
    // The action values of HAProxy 2.6.12's select, in its order.
    let values: Vec<&str> = html
        .split("<option value=\"")
        .skip(2)
        .map(|o| &o[..o.find('"').unwrap()])
        .collect();
    assert_eq!(
        values,
        [
            "ready", "drain", "maint", "dhlth", "ehlth", "hrunn", "hnolb", "hdown", "dagent",
            "eagent", "arunn", "adown", "shutdown"
        ]
    );
    assert!(html.contains("<input type=\"hidden\" name=\"b\" value=\"#2\">"));
    assert!(html.contains("<input type=\"submit\" value=\"Apply\"></form>"));
    // Admin mode adds a leading cell to every row.
    assert!(html.contains("<tr class=\"frontend\"><td></td><td class=ac>"));
    assert!(html.contains("<tr class=\"backend\"><td></td><td class=ac"));
    // Without admin: no form, no checkbox.
    let plain = page("/st", false);
    assert!(!plain.contains("<form method=\"post\">"));
    assert!(!plain.contains("checkbox"));
}

#[test]
fn header_block_shows_node_description_and_version() {
    let html = page("/st", false);
    assert!(html.contains("<title>Statistics Report for HAProxy on mynode</title>"));
    assert!(html.contains(" on mynode: my description</h2>"));
    assert!(html.contains("HAProxy version 2.6.0-harp-"));

    let mut cfg = config();
    cfg.hide_version = true;
    cfg.show_node = None;
    cfg.show_desc = None;
    let html = render(&snapshot(), &cfg, &PageRequest::default(), false);
    assert!(!html.contains("version"));
    assert!(!html.contains("mynode"));
    assert!(!html.contains("my description"));
    assert!(html.contains("<title>Statistics Report for HAProxy</title>"));
}

#[test]
fn refresh_is_a_header_suppressed_by_norefresh() {
    let cfg = config();
    assert_eq!(
        refresh_header(&cfg, &PageRequest::parse("/st", "/st")),
        Some(10)
    );
    assert_eq!(
        refresh_header(&cfg, &PageRequest::parse("/st;norefresh", "/st")),
        None
    );
    assert_eq!(
        refresh_header(&cfg, &PageRequest::parse("/st;csv", "/st")),
        None
    );
    let html = page("/st", false);
    assert!(html.contains("<a href=\"/st;norefresh\">Disable refresh</a>"));
    let html = page("/st;norefresh", false);
    assert!(html.contains("<a href=\"/st\">Enable refresh</a>"));
    let mut none = cfg.clone();
    none.refresh = None;
    assert_eq!(refresh_header(&none, &PageRequest::default()), None);
}

#[test]
fn links_carry_options_like_haproxy() {
    // HAProxy 2.6.12 for `/st;up;norefresh?scope=be`.
    let html = page("/st;up;norefresh?scope=be", false);
    assert!(html.contains("<a href=\"/st;norefresh?scope=be\">"));
    assert!(html.contains("<a href=\"/st;up;norefresh?scope=be\">"));
    assert!(html.contains("<a href=\"/st;csv;norefresh?scope=be\">"));
    assert!(html.contains("value=\"be\" name=\"scope\""));
}

#[test]
fn scope_limits_the_proxies() {
    // Request scope: substring of the name, case-insensitive.
    let html = page("/st?scope=BE", false);
    assert!(html.contains("<a name=\"be_app\">"));
    assert!(!html.contains("<a name=\"fe_main\">"));
    assert!(!html.contains("<a name=\"stats\">"));
    // Config scope: exact names, `.` = the stats proxy itself.
    let mut cfg = config();
    cfg.scope = vec![".".into(), "fe_main".into()];
    let html = render(&snapshot(), &cfg, &PageRequest::default(), false);
    assert!(html.contains("<a name=\"fe_main\">"));
    assert!(html.contains("<a name=\"stats\">"));
    assert!(!html.contains("<a name=\"be_app\">"));
}

#[test]
fn up_hides_servers_that_are_not_up() {
    let html = page("/st;up", false);
    assert!(html.contains("<a name=\"be_app/s1\">"));
    assert!(html.contains("<a name=\"be_app/s3\">"));
    assert!(!html.contains("<a name=\"be_app/s2\">"));
    assert!(!html.contains("<a name=\"be_app/s4\">"));
}

#[test]
fn status_message_after_an_action() {
    let html = page("/st;st=DONE", false);
    assert!(html.contains("<div class=active_up><a class=lfsb href=\"/st\""));
    let html = page("/st;st=PART", false);
    assert!(html.contains("<div class=active_going_down>"));
    let html = page("/st;st=DENY", false);
    assert!(html.contains("<div class=active_down>"));
    let html = page("/st;st=WHAT", false);
    assert!(html.contains("<div class=active_no_check>"));
    assert!(!page("/st", false).contains("[X]"));
}

#[test]
fn names_are_escaped() {
    let mut snap = snapshot();
    snap.server_mut("be_app", "s1").unwrap().name = "<b>&".into();
    let html = render(&snap, &config(), &PageRequest::default(), true);
    assert!(html.contains("value=\"&lt;b&gt;&amp;\""));
    assert!(!html.contains("<b>&"));
}

#[test]
fn admin_post_parses_what_the_page_sends() {
    // The body HAProxy's own form posts (captured with curl).
    let p = parse_admin_post("s=s2&s=s3&action=drain&b=%232").unwrap();
    assert_eq!(
        p,
        AdminPost {
            backend: BackendRef::Iid(2),
            servers: vec!["s2".into(), "s3".into()],
            action: AdminAction::Drain,
        }
    );
    assert_eq!(p.to_body(), "s=s2&s=s3&action=drain&b=%232");
    // Round trip for every action, odd names and a named backend.
    for a in AdminAction::ALL {
        let p = AdminPost {
            backend: BackendRef::Name("be app".into()),
            servers: vec!["a&b".into(), "c=d%".into()],
            action: a,
        };
        assert_eq!(parse_admin_post(&p.to_body()).unwrap(), p);
    }
    // No server: valid (NONE); errors are ERRP.
    assert!(parse_admin_post("action=maint&b=%232")
        .unwrap()
        .servers
        .is_empty());
    assert!(parse_admin_post("s=s1&action=&b=%232").is_err());
    assert!(parse_admin_post("s=s1&action=bogus&b=%232").is_err());
    assert!(parse_admin_post("s=s1&action=maint").is_err());
    assert!(parse_admin_post("s=s1&b=%232").is_err());
    assert!(parse_admin_post("s=s1&action=maint&b=%23x").is_err());
}

#[test]
fn redirect_after_post_is_haproxys() {
    let cfg = config();
    // Captured: POST /st;up;norefresh?scope=be → location: /st;st=DONE;up;norefresh?scope=be
    let req = PageRequest::parse("/st;up;norefresh?scope=be", "/st");
    assert_eq!(
        redirect_location(&cfg, &req, ActionStatus::Done),
        "/st;st=DONE;up;norefresh?scope=be"
    );
    let req = PageRequest::parse("/st", "/st");
    assert_eq!(
        redirect_location(&cfg, &req, ActionStatus::Errp),
        "/st;st=ERRP"
    );
    let mut def = cfg.clone();
    def.uri = "/haproxy?stats".into();
    let req = PageRequest::parse("/haproxy?stats", "/haproxy?stats");
    assert_eq!(
        redirect_location(&def, &req, ActionStatus::Deny),
        "/haproxy?stats;st=DENY"
    );
    assert_eq!(action_status(0, 0), ActionStatus::None);
    assert_eq!(action_status(0, 1), ActionStatus::Errp);
    assert_eq!(action_status(1, 2), ActionStatus::Part);
    assert_eq!(action_status(2, 2), ActionStatus::Done);
}

#[test]
fn request_options_parse() {
    let r = PageRequest::parse("/haproxy?stats;csv;norefresh", "/haproxy?stats");
    assert!(r.csv && r.norefresh && !r.up_only);
    let r = PageRequest::parse("/st;st=NONE", "/st");
    assert_eq!(r.status, Some(ActionStatus::None));
    let r = PageRequest::parse("/st?scope=abcdefghijklmnopqrstuvwxyz", "/st");
    assert_eq!(r.scope.as_deref(), Some("abcdefghijklmnopqrst"));
}

#[test]
fn norefresh_is_ignored_without_stats_refresh() {
    // HAProxy 2.6.12 without `stats refresh`: POST /st;up;norefresh?scope=be
    // → location: /st;st=NONE;up?scope=be
    let mut cfg = config();
    cfg.refresh = None;
    let req = PageRequest::parse("/st;up;norefresh?scope=be", "/st");
    assert_eq!(
        redirect_location(&cfg, &req, ActionStatus::None),
        "/st;st=NONE;up?scope=be"
    );
    let html = render(&snapshot(), &cfg, &req, false);
    assert!(html.contains("<a href=\"/st?scope=be\">Show all servers</a>"));
    assert!(!html.contains("refresh</a>"));
}

#[test]
#[ignore = "writes the rendered page to $STATS_PAGE_DUMP for a look in a browser"]
fn dump_page() {
    if let Some(path) = std::env::var_os("STATS_PAGE_DUMP") {
        std::fs::write(path, page("/st;st=DONE", true)).expect("write page");
    }
}
