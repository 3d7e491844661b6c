//! Differential test: `harp -c` against `haproxy -c` (HAProxy 2.6, the oracle).
//!
//! Every fixture (fixtures/haproxy/{valid,invalid,refused,multi}) and every corpus file
//! (shared/corpus/{wild,examples}) is copied with its referenced files stubbed
//! (see common/stub.rs) and checked by both programs with `-c -dr`. Verdicts
//! must agree (exit 0 or 2 = valid), except where harp refuses a keyword it
//! does not support (`is not supported by harp`) or the file lacks its final LF
//! (harp warns, HAProxy rejects). The table of verdicts is printed and written
//! to target/differential_check.tsv.
//!
//! Requires /usr/sbin/haproxy (see fixtures/README.md); never skipped.

mod common;

use common::proc::{run, Outcome};
use common::report::{expected_rc, locations, read_env};
use common::stub::{Accounts, StubSource, Stubber};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

const HAPROXY: &str = "/usr/sbin/haproxy";
const HARP: &str = env!("CARGO_BIN_EXE_harp");
const HOW_TO_RUN: &str = "install HAProxy 2.6 and run the test as fixtures/README.md says: \
     `apt-get install -y haproxy && cargo test --test differential_check -- --nocapture`";
/// harp's marker for a keyword it knows but deliberately refuses.
const REFUSED: &str = "is not supported by harp";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures_dir() -> PathBuf {
    manifest_dir().join("fixtures")
}

fn shared_dir() -> PathBuf {
    std::env::var_os("HARP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../shared"))
}

/// target/ (the harp binary lives in target/<profile>/).
fn target_dir() -> PathBuf {
    Path::new(HARP)
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir().join("target"))
}

/// One file (or, for `multi`, one directory) to check.
#[derive(Debug, Clone)]
struct Case {
    /// valid | invalid | multi | wild | examples
    source: &'static str,
    /// Path of the original file or directory.
    path: PathBuf,
}

impl Case {
    fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn label(&self) -> String {
        format!("{}/{}", self.source, self.name())
    }
}

/// Both programs' outcomes for one case.
struct Checked {
    case: Case,
    missing_lf: bool,
    haproxy: Outcome,
    harp: Outcome,
}

#[derive(Debug, PartialEq, Eq)]
enum Judgement {
    Agree,
    RefusedByHarp,
    MissingLf,
    Disagree(String),
}

fn cfg_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "cfg"))
        .collect();
    v.sort();
    v
}

fn cases() -> Vec<Case> {
    let fx = fixtures_dir().join("haproxy");
    let shared = shared_dir().join("corpus");
    assert!(
        shared.is_dir(),
        "corpus not found at {}: set HARP_SHARED to the shared/ directory",
        shared.display()
    );
    let mut v = Vec::new();
    for (source, dir) in [
        ("valid", fx.join("valid")),
        ("invalid", fx.join("invalid")),
        ("refused", fx.join("refused")),
        ("wild", shared.join("wild")),
        ("examples", shared.join("examples")),
    ] {
        v.extend(
            cfg_files(&dir)
                .into_iter()
                .map(|path| Case { source, path }),
        );
    }
    v.push(Case {
        source: "multi",
        path: fx.join("multi"),
    });
    v
}

/// Copy one case into `dir` with its file references stubbed; returns the
/// argument to give to `-f` (relative to `dir`).
fn stage(case: &Case, dir: &Path, stubs: &StubSource, accounts: &Accounts) -> String {
    let stub_dir = dir.join("stubs");
    fs::create_dir_all(&stub_dir).expect("create stub dir");
    let mut stubber = Stubber::new(stub_dir, stubs, accounts);
    let name = case.name();
    if case.path.is_dir() {
        // Copy everything (hidden files and other extensions too: the loader
        // must skip them); only loadable *.cfg files get stubbed.
        let to = dir.join(&name);
        fs::create_dir_all(&to).expect("create multi dir");
        let mut entries: Vec<PathBuf> = fs::read_dir(&case.path)
            .expect("read multi dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let fname = p.file_name().map(|n| n.to_string_lossy().into_owned());
            let fname = fname.unwrap_or_default();
            let bytes = fs::read(&p).expect("read multi file");
            let loadable = fname.ends_with(".cfg") && !fname.starts_with('.');
            let out = if loadable {
                stubber.rewrite(&bytes).expect("stub multi file")
            } else {
                bytes
            };
            fs::write(to.join(&fname), out).expect("write multi file");
        }
    } else {
        let bytes = fs::read(&case.path).expect("read fixture");
        let out = stubber.rewrite(&bytes).expect("stub fixture");
        fs::write(dir.join(&name), out).expect("write stubbed copy");
    }
    name
}

fn missing_final_lf(path: &Path) -> bool {
    if path.is_dir() {
        return false;
    }
    let bytes = fs::read(path).unwrap_or_default();
    !bytes.is_empty() && !bytes.ends_with(b"\n")
}

/// Run both programs over every case, once per test binary.
fn checked() -> &'static [Checked] {
    static ALL: OnceLock<Vec<Checked>> = OnceLock::new();
    ALL.get_or_init(|| {
        assert!(
            Path::new(HAPROXY).is_file(),
            "{HAPROXY} is missing: {HOW_TO_RUN}"
        );
        let fx = fixtures_dir();
        let env = read_env(&fx.join("haproxy/env")).expect("read fixtures/haproxy/env");
        let stubs = StubSource::load(&fx.join("stubs")).expect("read fixtures/stubs");
        let accounts = Accounts::from_system();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let root =
            std::env::temp_dir().join(format!("harp-differential-{}-{nanos}", std::process::id()));
        let mut all = Vec::new();
        for (i, case) in cases().into_iter().enumerate() {
            let dir = root.join(format!("{i:03}-{}", case.source));
            let arg = stage(&case, &dir, &stubs, &accounts);
            let args = ["-c", "-dr", "-f", arg.as_str()];
            let unset = ["HARP_FX_UNSET"];
            let haproxy = run(Path::new(HAPROXY), &args, &dir, &env, &unset);
            let harp = run(Path::new(HARP), &args, &dir, &env, &unset);
            all.push(Checked {
                missing_lf: missing_final_lf(&case.path),
                case,
                haproxy,
                harp,
            });
        }
        if std::env::var_os("HARP_DIFF_KEEP").is_none() {
            let _ = fs::remove_dir_all(&root);
        } else {
            eprintln!("stubbed copies kept in {}", root.display());
        }
        all
    })
}

/// `[ALERT]` lines other than the closing summaries.
fn real_alerts(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("[ALERT]"))
        .filter(|l| {
            !l.contains("Error(s) found in configuration file") && !l.contains("Fatal errors found")
        })
        .collect()
}

fn first_complaint(o: &Outcome) -> String {
    let line = real_alerts(&o.stderr)
        .first()
        .map(|l| l.to_string())
        .or_else(|| {
            o.stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    // Drop the "[ALERT]    (123) : config : " prefix; keep the message.
    let msg = line
        .split_once(" : config : ")
        .map_or(line.as_str(), |x| x.1);
    msg.chars().take(160).collect()
}

fn judge(c: &Checked) -> Judgement {
    for (who, o) in [("haproxy", &c.haproxy), ("harp", &c.harp)] {
        if o.timed_out || o.code.is_none() {
            return Judgement::Disagree(format!("{who} {}: {}", o.verdict(), first_complaint(o)));
        }
    }
    match (c.haproxy.valid(), c.harp.valid()) {
        (a, b) if a == b => Judgement::Agree,
        (true, false) if c.harp.stderr.contains(REFUSED) => Judgement::RefusedByHarp,
        (false, true)
            if c.missing_lf
                && real_alerts(&c.haproxy.stderr)
                    .iter()
                    .all(|l| l.contains("Missing LF on last line")) =>
        {
            Judgement::MissingLf
        }
        (true, false) => Judgement::Disagree(format!(
            "haproxy valid, harp invalid: {}",
            first_complaint(&c.harp)
        )),
        (false, true) => Judgement::Disagree(format!(
            "haproxy invalid ({}), harp valid",
            first_complaint(&c.haproxy)
        )),
        _ => Judgement::Agree,
    }
}

fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

#[test]
fn verdicts_agree_with_haproxy() {
    let all = checked();
    let mut table = String::from("case\thaproxy_rc\thaproxy\tharp_rc\tharp\tjudgement\treason\n");
    let (mut agree, mut refused, mut lf, mut bad) = (0, 0, 0, Vec::new());
    for c in all {
        let j = judge(c);
        let (word, reason) = match &j {
            Judgement::Agree => {
                agree += 1;
                ("agree", String::new())
            }
            Judgement::RefusedByHarp => {
                refused += 1;
                ("refused-by-harp", first_complaint(&c.harp))
            }
            Judgement::MissingLf => {
                lf += 1;
                (
                    "missing-lf",
                    "no final LF: harp warns, haproxy rejects".to_owned(),
                )
            }
            Judgement::Disagree(r) => {
                bad.push(format!("{}: {r}", c.case.label()));
                ("DISAGREE", r.clone())
            }
        };
        let _ = writeln!(
            table,
            "{}\t{}\t{}\t{}\t{}\t{word}\t{}",
            c.case.label(),
            c.haproxy.rc(),
            c.haproxy.verdict(),
            c.harp.rc(),
            c.harp.verdict(),
            clean(&reason)
        );
    }
    let summary = format!(
        "{agree}/{} agree; {refused} refused-by-harp; {lf} missing-LF; {} unexplained",
        all.len(),
        bad.len()
    );
    println!("{table}\n{summary}");
    let tsv = target_dir().join("differential_check.tsv");
    if let Err(e) = fs::write(&tsv, format!("{table}# {summary}\n")) {
        eprintln!("cannot write {}: {e}", tsv.display());
    }
    assert!(
        all.len() > 60,
        "expected at least 60 fixtures plus corpus, got {}",
        all.len()
    );
    assert!(
        bad.is_empty(),
        "{} unexplained disagreement(s) with haproxy -c ({summary}; table in {}):\n{}",
        bad.len(),
        tsv.display(),
        bad.join("\n")
    );
}

#[test]
fn valid_fixtures_are_valid_for_both() {
    let mut failures = Vec::new();
    let mut n = 0;
    for c in checked()
        .iter()
        .filter(|c| matches!(c.case.source, "valid" | "multi"))
    {
        n += 1;
        let label = c.case.label();
        if !c.haproxy.valid() {
            failures.push(format!(
                "{label}: fixture is invalid for haproxy itself: {}",
                first_complaint(&c.haproxy)
            ));
            continue;
        }
        // HAProxy's closing line: "Configuration file is valid", or for exit
        // 2 the "no error but will not start" line; harp must print the same.
        let summary = c
            .haproxy
            .stdout
            .lines()
            .rev()
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let harp_text = format!("{}{}", c.harp.stdout, c.harp.stderr);
        if !c.harp.valid() {
            failures.push(format!(
                "{label}: harp says invalid: {}",
                first_complaint(&c.harp)
            ));
        } else if !harp_text.contains(summary) || !harp_text.contains("Configuration file") {
            failures.push(format!("{label}: harp does not print {summary:?}"));
        }
    }
    assert!(
        n >= 36,
        "expected at least 35 valid fixtures and multi/, found {n}"
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// fixtures/haproxy/refused: configs HAProxy accepts that use a feature harp
/// does not run (stick tables, cache, compression...). harp must refuse them
/// and name the keyword, never accept them silently.
#[test]
fn refused_fixtures_are_refused_by_name() {
    let mut failures = Vec::new();
    let mut n = 0;
    for c in checked().iter().filter(|c| c.case.source == "refused") {
        n += 1;
        let label = c.case.label();
        if !c.haproxy.valid() {
            failures.push(format!("{label}: fixture is invalid for haproxy itself"));
        }
        if c.harp.valid() || !c.harp.stderr.contains(REFUSED) {
            failures.push(format!(
                "{label}: harp does not refuse it by name: {}",
                first_complaint(&c.harp)
            ));
        }
    }
    assert!(n >= 4, "expected at least 4 refused fixtures, found {n}");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn invalid_fixtures_alert_where_haproxy_does() {
    let mut failures = Vec::new();
    let mut n = 0;
    for c in checked().iter().filter(|c| c.case.source == "invalid") {
        n += 1;
        let label = c.case.label();
        let exp_path = c.case.path.with_extension("expected");
        let Ok(expected) = fs::read_to_string(&exp_path) else {
            failures.push(format!(
                "{label}: missing {} (run fixtures/regen_expected.sh)",
                exp_path.display()
            ));
            continue;
        };
        let want = locations(&expected, "ALERT");
        // The recorded output must still be what haproxy says (stale file?).
        let fresh = locations(&c.haproxy.stderr, "ALERT");
        if fresh != want || expected_rc(&expected) != c.haproxy.code {
            failures.push(format!(
                "{label}: {} is stale: haproxy now alerts at {fresh:?} with rc={} (run fixtures/regen_expected.sh)",
                exp_path.display(),
                c.haproxy.rc()
            ));
            continue;
        }
        if want.is_empty() && c.haproxy.valid() {
            failures.push(format!("{label}: haproxy accepts this 'invalid' fixture"));
            continue;
        }
        let got = locations(&c.harp.stderr, "ALERT");
        if judge(c) == Judgement::MissingLf {
            // harp only warns: the warning must point where haproxy's alert does.
            let warned = locations(&c.harp.stderr, "WARNING");
            if !want.is_subset(&warned) {
                failures.push(format!(
                    "{label}: harp warns at {warned:?}, haproxy alerts at {want:?}"
                ));
            }
        } else if got != want {
            failures.push(format!(
                "{label}: harp alerts at {got:?}, haproxy at {want:?}"
            ));
        }
    }
    assert!(n >= 25, "expected at least 25 invalid fixtures, found {n}");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
