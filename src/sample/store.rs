//! Pattern files (`acl ... -f FILE`) and map files (`map(FILE)`): the data
//! plane reads them (it owns I/O) and hands their contents over by path.

use std::collections::HashMap;

/// File contents by path, as written in the config.
pub trait MapStore {
    fn contents(&self, path: &str) -> Option<&str>;
}

/// An in-memory store.
#[derive(Debug, Clone, Default)]
pub struct MemStore {
    files: HashMap<String, String>,
}

impl MemStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        self.files.insert(path.into(), contents.into());
    }
}

impl MapStore for MemStore {
    fn contents(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }
}

/// Patterns of an `-f` file: one per line; lines starting with `#` and
/// empty lines are skipped, leading blanks dropped, the rest of the line
/// kept as is (trailing blanks included), as HAProxy reads them.
pub fn parse_pattern_file(contents: &str) -> Vec<String> {
    contents
        .split(['\n', '\r'])
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.trim_start_matches([' ', '\t']))
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// Entries of a map file: `key value` per line, the key ends at the first
/// blank, the value is the rest of the line after blanks (may be empty).
/// `#` after leading blanks starts a comment line.
pub fn parse_map_file(contents: &str) -> Vec<(String, String)> {
    contents
        .split(['\n', '\r'])
        .map(|l| l.trim_start_matches([' ', '\t']))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let end = l.find([' ', '\t']).unwrap_or(l.len());
            let value = l[end..].trim_start_matches([' ', '\t']);
            (l[..end].to_string(), value.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_files() {
        let p = parse_pattern_file("# c\n  /a \n\n\t/b\r\n #x\n");
        assert_eq!(p, vec!["/a ", "/b", "#x"]);
    }

    #[test]
    fn map_files() {
        let m = parse_map_file("# c\nexample.com  be1\n  a.org\tbe 2\nlonely\n #x y\n");
        assert_eq!(
            m,
            vec![
                ("example.com".to_string(), "be1".to_string()),
                ("a.org".to_string(), "be 2".to_string()),
                ("lonely".to_string(), String::new()),
            ]
        );
        let mut s = MemStore::new();
        s.insert("/m", "k v");
        assert_eq!(s.contents("/m"), Some("k v"));
        assert_eq!(s.contents("/n"), None);
    }
}
