//! `harp carp lint [NODE:]FILE...`: reads the files of several nodes and
//! prints what [`super::lint`] finds. See harp(1), section CARP LINT.
//!
//! Grouping: each file starts a new node, except a file whose name
//! contains `sysctl` or `loader`, or ends in `.local`, which joins the node
//! of the file before it. `NODE:FILE` puts a file in node `NODE`
//! explicitly (files with the same `NODE` prefix form one node).

use std::path::PathBuf;

use crate::diag::{Diagnostics, Severity};
use crate::rcconf::ifvars::collect;
use crate::rcconf::shell::Shell;
use crate::rcconf::MAX_KEY_LEN;

use super::lint::{lint_nodes, Level, LintNode, LongKey};

pub const USAGE: &str = "\
usage: harp carp lint [NODE:]FILE...

Compares the CARP configuration of the nodes of one cluster and reports
what breaks it: different password or address list for a vhid (split
brain), a vhid missing on a node, equal advskew, harp_carp_track without
net.inet.carp.preempt=1 on the peers, passwords differing after byte 19,
advbase mismatch.

Each FILE starts a new node (named after the file), except a file whose
name contains 'sysctl' or 'loader' or ends in '.local': it belongs to the
node of the file before it. NODE:FILE names the node explicitly; files
with the same NODE form one node.

  harp carp lint a/rc.conf a/sysctl.conf b/rc.conf b/sysctl.conf
  harp carp lint fw1:/srv/fw1/rc.conf fw2:/srv/fw2/rc.conf fw1:/srv/fw1/sysctl.conf

Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage.
";

/// One node's name and files, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeFiles {
    pub name: String,
    pub files: Vec<PathBuf>,
}

/// Whether a file joins the node before it rather than starting one.
fn is_companion(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.contains("sysctl") || base.contains("loader") || base.ends_with(".local")
}

/// `NODE:FILE` when the part before the first `:` is a plain name (no
/// `/`), and the whole argument is not an existing file.
fn split_node(arg: &str) -> Option<(&str, &str)> {
    let (node, file) = arg.split_once(':')?;
    let plain = !node.is_empty() && !node.contains('/') && !file.is_empty();
    (plain && !std::path::Path::new(arg).exists()).then_some((node, file))
}

/// Groups the arguments into nodes (see the module comment).
pub fn group_args(args: &[String]) -> Result<Vec<NodeFiles>, String> {
    let mut nodes: Vec<NodeFiles> = Vec::new();
    for arg in args {
        if let Some((node, file)) = split_node(arg) {
            match nodes.iter_mut().find(|n| n.name == node) {
                Some(n) => n.files.push(file.into()),
                None => nodes.push(NodeFiles {
                    name: node.to_string(),
                    files: vec![file.into()],
                }),
            }
        } else if is_companion(arg) {
            let Some(last) = nodes.last_mut() else {
                return Err(format!(
                    "'{arg}' must follow the rc.conf of its node (or use NODE:{arg})"
                ));
            };
            last.files.push(arg.into());
        } else {
            nodes.push(NodeFiles {
                name: arg.clone(),
                files: vec![arg.into()],
            });
        }
    }
    Ok(nodes)
}

/// Passwords longer than [`MAX_KEY_LEN`] as written: the model keeps only
/// the truncated key, the lint wants to compare the whole. Reads the
/// ifconfig words `vhid N` and `pass KEY` of every interface variable.
fn long_keys(paths: &[PathBuf]) -> Vec<LongKey> {
    let mut scratch = Diagnostics::default();
    let mut shell = Shell::default();
    for p in paths {
        if let Ok(bytes) = std::fs::read(p) {
            shell.source(&p.display().to_string(), &bytes, &mut scratch);
        }
    }
    let mut out = Vec::new();
    for e in collect(&shell, &mut scratch) {
        let words: Vec<&[u8]> = e
            .value
            .split(u8::is_ascii_whitespace)
            .filter(|w| !w.is_empty())
            .collect();
        let after = |kw: &[u8]| {
            words
                .windows(2)
                .find(|w| w[0].eq_ignore_ascii_case(kw))
                .map(|w| w[1])
        };
        let vhid = after(b"vhid").and_then(|v| std::str::from_utf8(v).ok()?.parse::<u8>().ok());
        if let (Some(vhid), Some(key)) = (vhid, after(b"pass")) {
            if key.len() > MAX_KEY_LEN {
                out.push(LongKey {
                    iface: e.iface.clone(),
                    vhid,
                    key: key.to_vec(),
                });
            }
        }
    }
    out
}

/// Runs the lint on the arguments after `carp lint`, printing to stdout;
/// returns the exit status.
pub fn run(args: &[String]) -> u8 {
    if args.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return if args.is_empty() { 2 } else { 0 };
    }
    let groups = match group_args(args) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("harp carp lint: {e}\n\n{USAGE}");
            return 2;
        }
    };
    let pid = std::process::id();
    let (mut errors, mut warnings) = (0usize, 0usize);
    let mut nodes = Vec::new();
    for g in &groups {
        let (model, diags) = crate::rcconf::load(&g.files);
        for d in &diags.items {
            println!("{}", d.render(pid, "config"));
        }
        errors += diags.count(Severity::Alert);
        warnings += diags.count(Severity::Warning);
        match model {
            Some(model) => nodes.push(LintNode {
                name: g.name.clone(),
                long_keys: long_keys(&g.files),
                model,
            }),
            None => println!(
                "[ALERT]    ({pid}) : config : node '{}' has errors: it is left out of the comparison",
                g.name
            ),
        }
    }
    let findings = lint_nodes(&nodes);
    for f in &findings {
        println!("{}", f.to_diagnostic().render(pid, "config"));
        match f.level {
            Level::Error => errors += 1,
            Level::Warning => warnings += 1,
        }
    }
    let vhids: std::collections::BTreeSet<u8> = nodes
        .iter()
        .flat_map(|n| n.model.vhids.iter().map(|v| v.vhid))
        .collect();
    println!(
        "carp lint: {} node(s), {} vhid(s): {errors} error(s), {warnings} warning(s)",
        groups.len(),
        vhids.len()
    );
    u8::from(errors > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn companions_join_the_node_before() {
        let g = group_args(&s(&[
            "a/rc.conf",
            "a/sysctl.conf",
            "b/rc.conf",
            "b/rc.conf.local",
        ]))
        .unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].name, "a/rc.conf");
        assert_eq!(
            g[0].files,
            [PathBuf::from("a/rc.conf"), "a/sysctl.conf".into()]
        );
        assert_eq!(g[1].files.len(), 2);
    }

    #[test]
    fn explicit_node_prefix() {
        let g = group_args(&s(&["fw1:x/rc.conf", "fw2:y/rc.conf", "fw1:x/s.conf"])).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].name.as_str(), g[0].files.len()), ("fw1", 2));
        assert_eq!((g[1].name.as_str(), g[1].files.len()), ("fw2", 1));
        // A path with '/' before the colon is a file name.
        let g = group_args(&s(&["./a:b"])).unwrap();
        assert_eq!(g[0].files, [PathBuf::from("./a:b")]);
    }

    #[test]
    fn leading_sysctl_is_an_error() {
        let e = group_args(&s(&["sysctl.conf", "rc.conf"])).unwrap_err();
        assert!(e.contains("must follow the rc.conf"), "{e}");
    }
}
