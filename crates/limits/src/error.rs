//! Error types of the limits crate, one enum per boundary.

use thiserror::Error;

/// A configuration problem found while loading or compiling the limits section.
///
/// Every variant names the path of the offending value in the document, for example
/// `rate_limits[1].algorithm.gcra.burst`, so a user can find it without guessing.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The document does not match the expected shape (unknown field, unknown key source,
    /// wrong type).
    #[error("{path}: {message}")]
    Parse {
        /// Path of the value the parser stopped at.
        path: String,
        /// What the parser expected.
        message: String,
    },

    /// A rate of zero requests can never admit anything.
    #[error("{path}: rate must be at least 1, got 0")]
    ZeroRate {
        /// Path of the `rate` field.
        path: String,
    },

    /// A burst below one would deny every request.
    #[error("{path}: burst must be at least 1, got {burst}")]
    BurstTooSmall {
        /// Path of the `burst` field.
        path: String,
        /// The configured burst.
        burst: u64,
    },

    /// A quota limit of zero can never admit anything.
    #[error("{path}: quota limit must be at least 1, got 0")]
    ZeroLimit {
        /// Path of the `limit` field.
        path: String,
    },

    /// A duration string that does not parse, or is out of range for its field.
    #[error("{path}: invalid duration {value:?}: {reason}")]
    BadDuration {
        /// Path of the field.
        path: String,
        /// The text as written.
        value: String,
        /// Why it was refused.
        reason: String,
    },

    /// A policy or plan name that is empty, too long or has characters outside
    /// `[A-Za-z0-9_.:-]`.
    #[error("{path}: invalid name {name:?}: use 1 to 64 characters from A-Z a-z 0-9 _ . : -")]
    BadName {
        /// Path of the `name` field.
        path: String,
        /// The name as written.
        name: String,
    },

    /// Two policies or two plans share a name.
    #[error("{path}: duplicate name {name:?}")]
    DuplicateName {
        /// Path of the second occurrence.
        path: String,
        /// The repeated name.
        name: String,
    },

    /// A policy with an empty key list.
    #[error("{path}: key must list at least one source")]
    EmptyKey {
        /// Path of the `key` field.
        path: String,
    },

    /// An IPv6 grouping prefix outside 1..=128.
    #[error("{path}: ipv6_prefix must be between 1 and 128, got {value}")]
    Ipv6Prefix {
        /// Path of the `ipv6_prefix` field.
        path: String,
        /// The configured value.
        value: u8,
    },

    /// A policy asks for the Redis store but no `redis` section is configured.
    #[error("{path}: store is redis but no redis section is configured")]
    MissingRedis {
        /// Path of the `store` field.
        path: String,
    },

    /// A reference to a usage plan that is not defined.
    #[error("{path}: unknown usage plan {plan:?}")]
    UnknownPlan {
        /// Path of the reference.
        path: String,
        /// The plan name as written.
        plan: String,
    },

    /// A reference to a rate-limit policy that is not defined.
    #[error("{path}: unknown rate-limit policy {name:?}")]
    UnknownPolicy {
        /// Path of the reference.
        path: String,
        /// The policy name as written.
        name: String,
    },

    /// A usage plan that binds no throttle and no quota, or no routes.
    #[error("{path}: {reason}")]
    EmptyPlan {
        /// Path of the plan.
        path: String,
        /// What is missing.
        reason: String,
    },

    /// A value outside its allowed range (batch sizes, shard counts, entry caps).
    #[error("{path}: {reason}")]
    OutOfRange {
        /// Path of the field.
        path: String,
        /// The allowed range.
        reason: String,
    },
}

/// A failure talking to a shared store; the limiter turns it into the policy's fail mode.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The Redis URL is malformed (the URL itself is not repeated: it may hold a password).
    #[error("invalid redis url: {reason}")]
    BadUrl {
        /// Why the client refused it.
        reason: String,
    },

    /// Redis did not answer, refused, or returned an error.
    #[error("redis unavailable: {reason}")]
    Unavailable {
        /// The client's description of the failure.
        reason: String,
    },

    /// Redis answered with a reply the limiter script never produces.
    #[error("unexpected redis reply: {reason}")]
    BadReply {
        /// What did not match.
        reason: String,
    },

    /// The store is in its back-off period after a failure and was not asked.
    #[error("redis marked down; retrying after the back-off interval")]
    CircuitOpen,

    /// Redis was configured but the limiter was built outside a Tokio runtime.
    #[error("the redis store needs a tokio runtime: build the limiter inside one")]
    NoRuntime,

    /// The batching task has stopped (the runtime is shutting down).
    #[error("redis batcher stopped")]
    BatcherStopped,
}

/// A problem with the API keys file or with a presented API key.
#[derive(Debug, Error)]
pub enum ApiKeyError {
    /// The keys file could not be read or written.
    #[error("keys file {path}: {source}")]
    Io {
        /// Path of the keys file.
        path: String,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },

    /// The keys file is larger than the size cap.
    #[error("keys file {path}: larger than {max} bytes")]
    TooLarge {
        /// Path of the keys file.
        path: String,
        /// The cap in bytes.
        max: u64,
    },

    /// The keys file does not parse or has invalid records.
    #[error("keys file {path}: {message}")]
    Invalid {
        /// Path of the keys file, then the path inside it.
        path: String,
        /// What is wrong.
        message: String,
    },

    /// The presented key does not have the shape of a rampart key.
    #[error("malformed api key")]
    Malformed,

    /// No record matches the presented key.
    #[error("unknown api key")]
    Unknown,

    /// The key exists but an operator disabled it.
    #[error("api key {id} is disabled")]
    Disabled {
        /// The key id (never the key).
        id: String,
    },

    /// The key exists but its expiry has passed.
    #[error("api key {id} has expired")]
    Expired {
        /// The key id (never the key).
        id: String,
    },

    /// No key has this id.
    #[error("no api key with id {id:?}")]
    UnknownId {
        /// The id asked for.
        id: String,
    },

    /// A key references a usage plan that does not exist.
    #[error("{path}: unknown usage plan {plan:?}")]
    UnknownPlan {
        /// Path in the keys file.
        path: String,
        /// The plan name.
        plan: String,
    },

    /// The system random number generator failed.
    #[error("random generator unavailable: {reason}")]
    Random {
        /// The generator's error.
        reason: String,
    },

    /// An `--expires` value that is neither a duration nor an RFC 3339 time.
    #[error("invalid expiry {value:?}: use a duration such as 30d or an RFC 3339 time")]
    BadExpiry {
        /// The value as given.
        value: String,
    },
}
