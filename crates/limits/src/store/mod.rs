//! Where counters live: in this process, or in Redis shared by many gateways.

pub mod memory;
pub mod redis;
