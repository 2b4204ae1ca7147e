//! The one path and host normalization that everything in rampart matches on.
//!
//! Routes, authorization policies and WAF exclusions all match on the output of
//! [`normalize_path`] and [`normalize_host`], never on the raw request target. Any difference
//! between what the gateway checks and what the upstream interprets is an authorization bypass
//! (the Envoy and Istio path-normalization advisories are the reference), so this crate:
//!
//! - percent-decodes only unreserved characters (`ALPHA DIGIT - . _ ~`) and uppercases the hex
//!   of every other escape;
//! - merges repeated slashes (configurable) and resolves dot segments, including encoded ones
//!   (`%2e`, `.%2E`), clamping any climb above the root;
//! - rejects, or keeps opaque, encoded slashes and backslashes (`%2F`, `%5C`), which are never
//!   decoded into separators;
//! - rejects, or strips, `;` path parameters per segment (so `/public/..;/internal` cannot hide a
//!   dot segment from the gateway);
//! - rejects `#`, control characters, NUL (literal or encoded), non-ASCII bytes, invalid
//!   percent-encoding and targets that do not start with `/`.
//!
//! Every error means the request is malformed: the gateway answers 400.

mod decode;
mod error;
mod host;
mod normalize;
mod options;

pub use decode::percent_decode_segment;
pub use error::{HostError, PathError};
pub use host::{normalize_host, NormalizedHost};
pub use normalize::normalize_path;
pub use options::{EncodedSlashes, PathOptions, PathParameters};
