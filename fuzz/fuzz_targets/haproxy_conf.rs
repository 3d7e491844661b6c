//! Any bytes given as a haproxy.conf must give diagnostics, never a panic;
//! a model comes back exactly when no diagnostic is fatal, and every
//! diagnostic with a location points at a line of the input.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut vars = HashMap::new();
    vars.insert("FUZZ".to_string(), "a b  c".to_string());
    let mut env = harp::config::reader::ConfigEnv::from_map(vars);
    let loaded = harp::config::build::load_bytes("fuzz.cfg", data, &mut env);
    assert_eq!(loaded.model.is_some(), !loaded.diags.has_fatal());
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    for d in &loaded.diags.items {
        assert!(!d.message.is_empty());
        if let Some(l) = &d.loc {
            assert!(l.line >= 1 && l.line <= lines, "line {} of {lines}", l.line);
        }
    }
    if let Some(m) = &loaded.model {
        // Ids are unique among proxies of the same capability.
        let mut ids: Vec<u32> = m.proxies.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
});
