//! Any bytes given as an rc.conf must give diagnostics, never a panic, and
//! a model exactly when no diagnostic is fatal, within FreeBSD's ranges.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (model, diags) = harp::rcconf::parse_bytes("fuzz.conf", data);
    assert_eq!(model.is_some(), !diags.has_fatal());
    if let Some(m) = model {
        for v in &m.vhids {
            assert!(v.vhid >= 1 && v.advbase >= 1 && v.advskew <= 254);
            assert!(v.key.len() <= harp::rcconf::MAX_KEY_LEN);
            assert!(v.parent.is_some() != v.carp_if.is_some());
            assert!(v.addrs.iter().all(|a| a.prefix_len <= 128));
        }
        assert!(m.sysctl.dscp <= 63);
    }
    for d in &diags.items {
        assert!(!d.message.is_empty());
    }
});
