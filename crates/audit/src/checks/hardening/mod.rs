//! Workload hardening beyond the Pod Security Standards.

pub mod default_namespace;
pub mod env_secret;
pub mod host_aliases;
pub mod image_digest;
pub mod image_latest;
pub mod probes;
pub mod readonly_rootfs;
pub mod resources;
pub mod sa_token;
