//! The serde shape of the `limits` configuration section, as users write it in YAML.
//!
//! These types only describe the document; [`crate::CompiledLimits::compile`] validates them
//! into the immutable snapshot the hot path uses.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

mod variant;

/// The whole limits section: policies, usage plans, and the stores behind them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Named rate-limit policies that the gateway, routes or plans refer to. Default: none.
    #[serde(default)]
    pub rate_limits: Vec<PolicyConfig>,
    /// Usage plans that API keys are bound to. Default: none.
    #[serde(default)]
    pub usage_plans: Vec<PlanConfig>,
    /// The shared Redis store; required when any policy or plan says `store: redis`.
    #[serde(default)]
    pub redis: Option<RedisConfig>,
    /// The in-process store's bounds.
    #[serde(default)]
    pub memory: MemoryConfig,
    /// Where API keys come from.
    #[serde(default)]
    pub api_keys: ApiKeysConfig,
}

impl LimitsConfig {
    /// Parses a YAML document holding only the limits section, with errors naming the path.
    pub fn from_yaml(text: &str) -> Result<Self, ConfigError> {
        let deserializer = serde_yaml_ng::Deserializer::from_str(text);
        serde_path_to_error::deserialize(deserializer).map_err(|err| {
            let path = err.path().to_string();
            let message = err.inner().to_string();
            // The YAML error may start with its own (parent) path; say the path once.
            let message = match message.split_once(": ") {
                Some((head, rest)) if path.starts_with(head) => rest.to_string(),
                _ => message,
            };
            ConfigError::Parse { path, message }
        })
    }
}

/// One rate-limit policy: what to count by, how, and where.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Unique name, shown in headers and events (`[A-Za-z0-9_.:-]`, 1 to 64 characters).
    pub name: String,
    /// The request attributes whose values together form the counting key.
    pub key: Vec<KeySourceConfig>,
    /// IPv6 client addresses are grouped by this prefix length. Default: 64.
    #[serde(default = "default_ipv6_prefix")]
    pub ipv6_prefix: u8,
    /// The limiting algorithm and its parameters.
    pub algorithm: AlgorithmConfig,
    /// Where the counters live. Default: memory.
    #[serde(default)]
    pub store: StoreKind,
    /// What to do when the store cannot answer. Default: fail_closed.
    #[serde(default)]
    pub on_store_error: FailMode,
    /// Whether allowed responses carry RateLimit headers. Default: true.
    #[serde(default = "default_true")]
    pub headers: bool,
    /// What to do when a key source is absent from the request. Default: shared.
    #[serde(default)]
    pub on_missing_key: MissingKey,
}

/// One source of a policy key: a bare word (`client_ip`, `subject`, `api_key`,
/// `principal`, `route`) or a one-entry map (`{claim: NAME}`, `{header: NAME}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySourceConfig {
    /// The client address after trusted-proxy handling (IPv6 grouped by `ipv6_prefix`).
    ClientIp,
    /// A JWT claim by name.
    Claim(String),
    /// The JWT subject (`sub`).
    Subject,
    /// The API key's id (never the key itself).
    ApiKey,
    /// The mTLS peer principal (e.g. a SPIFFE id).
    Principal,
    /// A request header by name (case-insensitive).
    Header(String),
    /// The matched route's name.
    Route,
}

/// The limiting algorithm of a policy: a one-entry map, `{gcra: {...}}` or `{quota: {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlgorithmConfig {
    /// GCRA throttling: a sustained rate plus a burst (AWS rateLimit + burstLimit).
    Gcra(GcraConfig),
    /// A fixed-period quota (AWS usage-plan quota).
    Quota(QuotaConfig),
}

/// Throttle parameters: `rate` requests per `per`, with up to `burst` at once.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GcraConfig {
    /// Sustained requests per `per`; at least 1.
    pub rate: u64,
    /// The unit of `rate`. Default: second.
    #[serde(default)]
    pub per: RateUnit,
    /// Requests admitted back to back from a full bucket; at least 1. Default: equal to `rate`.
    #[serde(default)]
    pub burst: Option<u64>,
}

/// Quota parameters: `limit` requests per calendar `period`, shifted by `offset`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaConfig {
    /// Requests admitted per period; at least 1.
    pub limit: u64,
    /// The period length.
    pub period: QuotaPeriod,
    /// Shift of the period start from its UTC boundary, less than the period (less than 28d
    /// for months), e.g. `6h` makes days start at 06:00 UTC. Default: `0s`.
    #[serde(default = "default_offset")]
    pub offset: String,
}

/// The unit of a GCRA rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    /// Per second.
    #[default]
    Second,
    /// Per minute.
    Minute,
    /// Per hour.
    Hour,
}

/// The period of a quota. Weeks start on Monday 00:00 UTC; months are calendar months in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaPeriod {
    /// Each UTC minute.
    Minute,
    /// Each UTC hour.
    Hour,
    /// Each UTC day.
    Day,
    /// Each week from Monday 00:00 UTC.
    Week,
    /// Each calendar month in UTC.
    Month,
}

/// Where a policy's counters are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// In this process, sharded and bounded.
    #[default]
    Memory,
    /// In Redis, shared by every gateway that points at it.
    Redis,
}

/// What a Redis-backed policy does while Redis cannot answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailMode {
    /// Count in a local in-memory limiter instead (limits become per instance).
    FailOpen,
    /// Deny the request.
    #[default]
    FailClosed,
}

/// What a policy does when a request lacks one of its key sources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingKey {
    /// All such requests share one bucket (omitting a header does not evade the limit).
    #[default]
    Shared,
    /// The policy does not apply to the request.
    Skip,
}

/// A usage plan: the throttle, quotas and routes an API key bound to it gets.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    /// Unique plan name, referenced by keys (`[A-Za-z0-9_.:-]`, 1 to 64 characters).
    pub name: String,
    /// Per-key throttle. Default: none.
    #[serde(default)]
    pub throttle: Option<GcraConfig>,
    /// Per-key quotas. Default: none.
    #[serde(default)]
    pub quotas: Vec<QuotaConfig>,
    /// Route names keys on this plan may call; `"*"` allows every route. Required.
    pub routes: Vec<String>,
    /// Where the plan's counters live. Default: memory.
    #[serde(default)]
    pub store: StoreKind,
    /// What to do when the store cannot answer. Default: fail_closed.
    #[serde(default)]
    pub on_store_error: FailMode,
    /// Whether allowed responses carry RateLimit headers. Default: true.
    #[serde(default = "default_true")]
    pub headers: bool,
}

/// Connection to the shared Redis store. `Debug` hides the URL (it may hold a password).
#[derive(Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port/db` (or `rediss://`). Required.
    pub url: String,
    /// Prefix of every key the limiter writes. Default: `rampart:rl:`.
    #[serde(default = "default_key_prefix")]
    pub key_prefix: String,
    /// Timeout for establishing a connection. Default: `250ms`.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout: String,
    /// Timeout for one batch of decisions. Default: `100ms`.
    #[serde(default = "default_response_timeout")]
    pub response_timeout: String,
    /// After a failure, how long decisions skip Redis before it is tried again. Default: `1s`.
    #[serde(default = "default_retry_interval")]
    pub retry_interval: String,
    /// Most decisions sent in one script call. Default: 128.
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// Most script calls in flight at once. Default: 4.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
    /// Multiplexed connections the batches are spread over. Default: 1.
    #[serde(default = "default_connections")]
    pub connections: usize,
}

impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &"[redacted]")
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

/// Bounds of the in-process store.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryConfig {
    /// Hard cap on tracked keys across all shards. Default: 1,000,000 (about 100 MB).
    #[serde(default = "default_max_entries")]
    pub max_entries: usize,
    /// Number of independently locked shards. Default: 64.
    #[serde(default = "default_shards")]
    pub shards: usize,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self { max_entries: default_max_entries(), shards: default_shards() }
    }
}

/// Where API keys are read from and stored.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeysConfig {
    /// The keys file (YAML or JSON). Default: none (API keys disabled).
    #[serde(default)]
    pub file: Option<String>,
    /// Request header carrying the key. Default: `x-api-key`.
    #[serde(default = "default_key_header")]
    pub header: String,
    /// Query parameter carrying the key, if any. Default: none.
    #[serde(default)]
    pub query_param: Option<String>,
    /// Whether the key header goes on to the upstream. Default: false (removed, so the
    /// credential does not reach the service's logs). A key in the query string is forwarded.
    #[serde(default)]
    pub forward_key: bool,
}

impl Default for ApiKeysConfig {
    fn default() -> Self {
        Self { file: None, header: default_key_header(), query_param: None, forward_key: false }
    }
}

fn default_ipv6_prefix() -> u8 {
    64
}

fn default_true() -> bool {
    true
}

fn default_offset() -> String {
    "0s".into()
}

fn default_key_prefix() -> String {
    "rampart:rl:".into()
}

fn default_connect_timeout() -> String {
    "250ms".into()
}

fn default_response_timeout() -> String {
    "100ms".into()
}

fn default_retry_interval() -> String {
    "1s".into()
}

fn default_max_batch() -> usize {
    128
}

fn default_connections() -> usize {
    1
}

fn default_max_in_flight() -> usize {
    4
}

fn default_max_entries() -> usize {
    1_000_000
}

fn default_shards() -> usize {
    64
}

fn default_key_header() -> String {
    "x-api-key".into()
}
