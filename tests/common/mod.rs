//! Helpers shared by integration tests.

pub mod lab;
pub mod net;
pub mod proc;
pub mod report;
pub mod stub;
