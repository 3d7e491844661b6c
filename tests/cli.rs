//! The command line as HAProxy users call it: flags, output, exit codes.

use std::process::{Command, Output};

const HARP: &str = env!("CARGO_BIN_EXE_harp");

fn harp(args: &[&str]) -> Output {
    Command::new(HARP)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("HARP_FX_UNSET")
        .output()
        .expect("run harp")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn valid_config_exits_zero() {
    let o = harp(&["-c", "-f", "examples/demo.cfg"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(out, "Configuration file is valid\n");
    assert_eq!(err, "");
    // -q prints nothing.
    let o = harp(&["-c", "-q", "-f", "examples/demo.cfg"]);
    assert_eq!((o.status.code(), o.stdout.len()), (Some(0), 0));
}

#[test]
fn seed_config_has_no_listener_exit_two() {
    let o = harp(&["-c", "-dr", "-f", "fixtures/haproxy/valid/seed.cfg"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        out,
        "Warnings were found.\nConfiguration file has no error but will not start (no listener) => exit(2).\n"
    );
    assert!(err.contains("frontend 'http-in' has no 'bind' directive."));
    // -dW (zero-warning) turns those warnings into a failure.
    let o = harp(&["-c", "-dr", "-dW", "-f", "fixtures/haproxy/valid/seed.cfg"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn errors_exit_one_with_haproxy_summary() {
    let o = harp(&["-c", "-f", "fixtures/haproxy/invalid/unknown_option.cfg"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("[ALERT]    ("));
    assert!(lines[0].ends_with(
        " : config : parsing [fixtures/haproxy/invalid/unknown_option.cfg:8] : unknown option 'forwardfro'; did you mean 'forwardfor' maybe ?"
    ));
    assert!(lines[1].ends_with(
        " : config : Error(s) found in configuration file : fixtures/haproxy/invalid/unknown_option.cfg"
    ));
    assert!(lines[2].ends_with(" : config : Fatal errors found in configuration."));
}

#[test]
fn missing_file_and_directories() {
    let o = harp(&["-c", "-f", "nope.cfg"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err
        .contains("Cannot open configuration file/directory nope.cfg : No such file or directory"));
    // A directory loads its *.cfg files in byte order; x.conf and .hidden.cfg are ignored.
    let o = harp(&["-c", "-f", "fixtures/haproxy/multi"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    // Files after `--`, and HAProxy's multi-letter flags, are accepted.
    let o = harp(&["-c", "-db", "-dr", "--", "examples/demo.cfg"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn list_keywords_has_one_status_each() {
    let o = harp(&["--list-keywords"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    let row = |ctx: &str, kw: &str| -> Option<String> {
        out.lines()
            .find(|l| l.starts_with(&format!("{ctx}\t{kw}\t")))
            .map(|l| l.split('\t').nth(2).unwrap_or("").to_string())
    };
    assert_eq!(row("proxy", "balance").as_deref(), Some("implemented"));
    assert_eq!(
        row("global", "tune.maxaccept").as_deref(),
        Some("no-effect")
    );
    assert_eq!(row("global", "lua-load").as_deref(), Some("refused"));
    assert_eq!(row("proxy", "reqadd").as_deref(), Some("removed"));
    assert!(out.lines().count() > 1000);
}

#[test]
fn carp_files_are_checked_with_the_config() {
    let o = harp(&[
        "-c",
        "--carp",
        "fixtures/rcconf/seed-master.rc.conf",
        "--carp",
        "fixtures/rcconf/seed-loader.conf",
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(out, "CARP configuration is valid\n");
    let o = harp(&["-c", "--carp", "fixtures/rcconf/bad-vhid0.rc.conf"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains(" : carp : parsing [fixtures/rcconf/bad-vhid0.rc.conf:"),
        "{err}"
    );
    let o = harp(&[
        "-c",
        "-f",
        "examples/demo.cfg",
        "--carp",
        "fixtures/rcconf/seed-backup.rc.conf",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
}
