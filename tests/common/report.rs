//! Reading HAProxy-format diagnostics and the fixture side files.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

/// Every `[FILE:LINE]` location in the lines of `text` that start with
/// `[ALERT]` (or `[WARNING]` when `severity` says so), as `FILE:LINE`.
/// Locations written without brackets (`declared at X.cfg:10`) are not counted.
pub fn locations(text: &str, severity: &str) -> BTreeSet<String> {
    let tag = format!("[{severity}]");
    let mut set = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with(&tag)) {
        let mut rest = line;
        while let Some(open) = rest.find('[') {
            rest = &rest[open + 1..];
            let Some(close) = rest.find(']') else { break };
            let inner = &rest[..close];
            if let Some((file, num)) = inner.rsplit_once(':') {
                // `[::1]` in a quoted address is not a location.
                let is_addr = inner.parse::<std::net::Ipv6Addr>().is_ok();
                if !file.is_empty()
                    && !num.is_empty()
                    && num.bytes().all(|b| b.is_ascii_digit())
                    && !is_addr
                {
                    set.insert(inner.to_owned());
                }
            }
            rest = &rest[close + 1..];
        }
    }
    set
}

/// The `NAME=VALUE` lines of fixtures/haproxy/env (`#` lines are comments).
pub fn read_env(path: &Path) -> io::Result<Vec<(String, String)>> {
    let text = fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

/// The exit code recorded on the last line (`rc=N`) of an .expected file.
pub fn expected_rc(text: &str) -> Option<i32> {
    text.lines().last()?.strip_prefix("rc=")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_in_alert_lines_only() {
        let text = "\
[ALERT]    (PID) : config : parsing [a.cfg:8] : 'bind' : invalid port '70000'
[ALERT]    (PID) : config : [a.cfg:9] : parsing [a.cfg:9] : 'server' not allowed
[WARNING]  (PID) : config : parsing [a.cfg:12] : 'bind' ignored
[ALERT]    (PID) : config : http frontend 'f' (a.cfg:7) tries to use [x] backend at '[::1]:80'
[ALERT]    (PID) : config : parsing [conf.d/b.cfg:3]: Missing LF
  [not:an-alert:3]
[ALERT]    (PID) : config : Error(s) found in configuration file : a.cfg
rc=1
";
        let want: BTreeSet<String> = ["a.cfg:8", "a.cfg:9", "conf.d/b.cfg:3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(locations(text, "ALERT"), want);
        assert_eq!(locations(text, "WARNING").len(), 1);
        assert_eq!(expected_rc(text), Some(1));
    }
}
