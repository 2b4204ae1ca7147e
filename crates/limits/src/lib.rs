//! Rate limits, quotas, API keys and usage plans for rampart.
//!
//! The gateway's limit stage uses this crate in four steps:
//! 1. [`LimitsConfig`] (serde, YAML) is compiled into an immutable [`CompiledLimits`]
//!    snapshot; errors name the path in the document.
//! 2. One [`Limiter`] per process holds the stores (memory, Redis with batching, and the
//!    local fallback) and survives reloads.
//! 3. Per request, [`Limiter::check`] evaluates the applicable policies (global, route,
//!    the API key's plan) against a [`RequestAttributes`] view and returns a [`Decision`]
//!    whose [`Decision::headers`] renders `RateLimit-Policy`, `RateLimit` and `Retry-After`.
//! 4. API keys are looked up by digest in an [`ApiKeyIndex`] built from a [`KeysFile`].
//!
//! See `docs/limits.md` for the configuration reference and the algorithms.
//!
//! Known gaps (each also noted where it lives):
//! - Redis Cluster is not supported, only a single node: keys carry hash tags per identity,
//!   but the client is a single-node connection manager, batches mix identities, and a
//!   request whose Redis policies have different identities would span slots (needs the
//!   cluster client, batches grouped by slot and per-slot scripts with refunds).
//! - Across the two stores (memory, then Redis) a denial refunds the memory record rather
//!   than never making it; a concurrent request on the same key can see the brief dip.
//! - Every request costs 1; weighted costs are not offered.
//! - The end-to-end cost of the memory limiter (target: at most 5% of a proxied request)
//!   is within the noise of the shared benchmark machine; see bench/limits/README.md.

pub mod algorithm;
pub mod apikeys;
pub mod clock;
mod compile;
pub mod config;
mod decision;
mod duration;
mod error;
mod health;
mod key;
mod limiter;
mod period;
pub mod store;

pub use apikeys::{ApiKey, ApiKeyIndex, ApiKeySecret, KeyRecord, KeyUsage, KeysFile};
pub use clock::{Clock, ManualClock, SystemClock};
pub use compile::{CompiledLimits, MemorySettings, Plan, Policy, RedisSettings, RouteSet};
pub use config::LimitsConfig;
pub use decision::{Decision, DenyReason, PolicyStatus, PolicyUsage};
pub use duration::parse_duration;
pub use error::{ApiKeyError, ConfigError, StoreError};
pub use health::{HealthSnapshot, StoreEvent, StoreEventHook};
pub use key::{group_ip, query_param, Attributes, RequestAttributes};
pub use limiter::Limiter;
pub use period::{window_at, Window};
