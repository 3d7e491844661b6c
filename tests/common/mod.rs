//! Helpers for the differential test against `haproxy -c`.

pub mod proc;
pub mod report;
pub mod stub;
