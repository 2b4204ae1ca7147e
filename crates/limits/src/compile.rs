//! Validation of a [`LimitsConfig`] into the immutable snapshot the hot path reads.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::algorithm::{Algorithm, Gcra, Quota};
use crate::config::{
    AlgorithmConfig, FailMode, GcraConfig, KeySourceConfig, LimitsConfig, MissingKey, PlanConfig,
    PolicyConfig, QuotaConfig, RateUnit, RedisConfig, StoreKind,
};
use crate::duration::parse_duration;
use crate::error::ConfigError;
use crate::period::max_offset;

/// A compiled rate-limit policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The policy's name, used in headers, events and store keys.
    pub name: Arc<str>,
    /// The key sources, in order.
    pub key: Vec<KeySourceConfig>,
    /// IPv6 grouping prefix length.
    pub ipv6_prefix: u8,
    /// The algorithm and its parameters.
    pub algorithm: Algorithm,
    /// Where counters live.
    pub store: StoreKind,
    /// Behaviour while the store is unreachable.
    pub on_store_error: FailMode,
    /// Whether allowed responses carry headers.
    pub headers: bool,
    /// Behaviour when a key source is absent.
    pub on_missing_key: MissingKey,
}

/// The routes a usage plan may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteSet {
    /// Every route (`"*"`).
    All,
    /// Only these route names.
    Only(HashSet<String>),
}

/// A compiled usage plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The plan name.
    pub name: Arc<str>,
    /// The plan's throttle and quotas, each keyed by API key id.
    pub policies: Vec<Arc<Policy>>,
    /// Routes keys on this plan may call.
    pub routes: RouteSet,
}

impl Plan {
    /// Whether a key on this plan may call `route` (403 otherwise).
    pub fn allows_route(&self, route: &str) -> bool {
        match &self.routes {
            RouteSet::All => true,
            RouteSet::Only(names) => names.contains(route),
        }
    }
}

/// Redis settings with durations parsed. `Debug` hides the URL (it may hold a password).
#[derive(Clone, PartialEq, Eq)]
pub struct RedisSettings {
    /// Connection URL (may hold a password: never log it).
    pub url: String,
    /// Prefix of every key.
    pub key_prefix: String,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Per-batch response timeout.
    pub response_timeout: Duration,
    /// Back-off after a failure before Redis is tried again.
    pub retry_interval: Duration,
    /// Most decisions per script call.
    pub max_batch: usize,
    /// Most script calls in flight.
    pub max_in_flight: usize,
    /// Connections the batches are spread over.
    pub connections: usize,
}

impl std::fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSettings")
            .field("url", &"[redacted]")
            .field("key_prefix", &self.key_prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("retry_interval", &self.retry_interval)
            .field("max_batch", &self.max_batch)
            .field("max_in_flight", &self.max_in_flight)
            .field("connections", &self.connections)
            .finish()
    }
}

/// In-memory store bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemorySettings {
    /// Hard cap on tracked keys.
    pub max_entries: usize,
    /// Number of shards.
    pub shards: usize,
}

/// The immutable, validated limits snapshot.
#[derive(Debug, Clone)]
pub struct CompiledLimits {
    policies: HashMap<String, Arc<Policy>>,
    plans: HashMap<String, Arc<Plan>>,
    /// Redis settings, when configured.
    pub redis: Option<RedisSettings>,
    /// Memory store bounds.
    pub memory: MemorySettings,
    /// API key source settings, as configured.
    pub api_keys: crate::config::ApiKeysConfig,
}

impl CompiledLimits {
    /// Validates `config`; `base` is the section's path in the whole document (e.g.
    /// `"limits."`, or `""` when the section is the document), prefixed to error paths.
    pub fn compile(config: &LimitsConfig, base: &str) -> Result<Self, ConfigError> {
        let redis = match &config.redis {
            Some(redis) => Some(compile_redis(redis, &format!("{base}redis"))?),
            None => None,
        };
        let memory = compile_memory(config, base)?;
        let has_redis = redis.is_some();

        let mut policies = HashMap::new();
        for (i, policy) in config.rate_limits.iter().enumerate() {
            let path = format!("{base}rate_limits[{i}]");
            let compiled = compile_policy(policy, &path, has_redis)?;
            if policies.insert(policy.name.clone(), Arc::new(compiled)).is_some() {
                let path = format!("{path}.name");
                return Err(ConfigError::DuplicateName { path, name: policy.name.clone() });
            }
        }

        let mut plans = HashMap::new();
        for (i, plan) in config.usage_plans.iter().enumerate() {
            let path = format!("{base}usage_plans[{i}]");
            let compiled = compile_plan(plan, &path, has_redis)?;
            if plans.insert(plan.name.clone(), Arc::new(compiled)).is_some() {
                let path = format!("{path}.name");
                return Err(ConfigError::DuplicateName { path, name: plan.name.clone() });
            }
        }
        Ok(Self { policies, plans, redis, memory, api_keys: config.api_keys.clone() })
    }

    /// A policy by name.
    pub fn policy(&self, name: &str) -> Option<&Arc<Policy>> {
        self.policies.get(name)
    }

    /// A usage plan by name.
    pub fn plan(&self, name: &str) -> Option<&Arc<Plan>> {
        self.plans.get(name)
    }

    /// Resolves policy names referenced at `path` (e.g. `routes[2].rate_limits`), for the
    /// gateway's route and global attachments.
    pub fn resolve(&self, names: &[String], path: &str) -> Result<Vec<Arc<Policy>>, ConfigError> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                self.policy(name).cloned().ok_or_else(|| ConfigError::UnknownPolicy {
                    path: format!("{path}[{i}]"),
                    name: name.clone(),
                })
            })
            .collect()
    }

    /// Checks that a usage plan referenced at `path` exists.
    pub fn require_plan(&self, name: &str, path: &str) -> Result<&Arc<Plan>, ConfigError> {
        self.plan(name).ok_or_else(|| ConfigError::UnknownPlan {
            path: path.to_string(),
            plan: name.to_string(),
        })
    }

    /// Whether any policy or plan counts in Redis.
    pub fn uses_redis(&self) -> bool {
        let policy_uses = self.policies.values().any(|p| p.store == StoreKind::Redis);
        let plan_uses = self
            .plans
            .values()
            .flat_map(|plan| plan.policies.iter())
            .any(|p| p.store == StoreKind::Redis);
        policy_uses || plan_uses
    }
}

fn compile_policy(
    policy: &PolicyConfig,
    path: &str,
    has_redis: bool,
) -> Result<Policy, ConfigError> {
    check_name(&policy.name, &format!("{path}.name"))?;
    if policy.key.is_empty() {
        return Err(ConfigError::EmptyKey { path: format!("{path}.key") });
    }
    if !(1..=128).contains(&policy.ipv6_prefix) {
        let path = format!("{path}.ipv6_prefix");
        return Err(ConfigError::Ipv6Prefix { path, value: policy.ipv6_prefix });
    }
    check_store(policy.store, &format!("{path}.store"), has_redis)?;
    let algorithm = match &policy.algorithm {
        AlgorithmConfig::Gcra(gcra) => compile_gcra(gcra, &format!("{path}.algorithm.gcra"))?,
        AlgorithmConfig::Quota(quota) => compile_quota(quota, &format!("{path}.algorithm.quota"))?,
    };
    Ok(Policy {
        name: Arc::from(policy.name.as_str()),
        key: policy.key.clone(),
        ipv6_prefix: policy.ipv6_prefix,
        algorithm,
        store: policy.store,
        on_store_error: policy.on_store_error,
        headers: policy.headers,
        on_missing_key: policy.on_missing_key,
    })
}

fn compile_plan(plan: &PlanConfig, path: &str, has_redis: bool) -> Result<Plan, ConfigError> {
    check_name(&plan.name, &format!("{path}.name"))?;
    check_store(plan.store, &format!("{path}.store"), has_redis)?;
    if plan.throttle.is_none() && plan.quotas.is_empty() {
        let reason = "a usage plan needs a throttle or at least one quota".to_string();
        return Err(ConfigError::EmptyPlan { path: path.to_string(), reason });
    }
    if plan.routes.is_empty() {
        let reason = "list the routes keys may call, or \"*\" for all".to_string();
        return Err(ConfigError::EmptyPlan { path: format!("{path}.routes"), reason });
    }

    let mut policies = Vec::new();
    if let Some(throttle) = &plan.throttle {
        let algorithm = compile_gcra(throttle, &format!("{path}.throttle"))?;
        policies.push(plan_policy(plan, format!("plan:{}:throttle", plan.name), algorithm));
    }
    for (i, quota) in plan.quotas.iter().enumerate() {
        let algorithm = compile_quota(quota, &format!("{path}.quotas[{i}]"))?;
        let name = format!("plan:{}:quota:{}", plan.name, i);
        policies.push(plan_policy(plan, name, algorithm));
    }

    let routes = if plan.routes.iter().any(|r| r == "*") {
        RouteSet::All
    } else {
        RouteSet::Only(plan.routes.iter().cloned().collect())
    };
    Ok(Plan { name: Arc::from(plan.name.as_str()), policies, routes })
}

fn plan_policy(plan: &PlanConfig, name: String, algorithm: Algorithm) -> Arc<Policy> {
    Arc::new(Policy {
        name: Arc::from(name),
        key: vec![KeySourceConfig::ApiKey],
        ipv6_prefix: 64,
        algorithm,
        store: plan.store,
        on_store_error: plan.on_store_error,
        headers: plan.headers,
        on_missing_key: MissingKey::Skip,
    })
}

fn compile_gcra(gcra: &GcraConfig, path: &str) -> Result<Algorithm, ConfigError> {
    if gcra.rate == 0 {
        return Err(ConfigError::ZeroRate { path: format!("{path}.rate") });
    }
    let burst = gcra.burst.unwrap_or(gcra.rate);
    if burst < 1 {
        return Err(ConfigError::BurstTooSmall { path: format!("{path}.burst"), burst });
    }
    let unit: u64 = match gcra.per {
        RateUnit::Second => 1_000_000_000,
        RateUnit::Minute => 60_000_000_000,
        RateUnit::Hour => 3_600_000_000_000,
    };
    if gcra.rate > unit {
        let reason = "rate must be at most one request per nanosecond".to_string();
        return Err(ConfigError::OutOfRange { path: format!("{path}.rate"), reason });
    }
    Ok(Algorithm::Gcra(Gcra { interval: unit / gcra.rate, burst }))
}

fn compile_quota(quota: &QuotaConfig, path: &str) -> Result<Algorithm, ConfigError> {
    if quota.limit == 0 {
        return Err(ConfigError::ZeroLimit { path: format!("{path}.limit") });
    }
    let offset_path = format!("{path}.offset");
    let offset = parse_duration(&quota.offset).map_err(|reason| ConfigError::BadDuration {
        path: offset_path.clone(),
        value: quota.offset.clone(),
        reason,
    })?;
    let offset = u64::try_from(offset.as_nanos()).unwrap_or(u64::MAX);
    if offset >= max_offset(quota.period) {
        return Err(ConfigError::BadDuration {
            path: offset_path,
            value: quota.offset.clone(),
            reason: "the offset must be shorter than the period (months: under 28d)".into(),
        });
    }
    Ok(Algorithm::Quota(Quota { limit: quota.limit, period: quota.period, offset }))
}

fn compile_redis(redis: &RedisConfig, path: &str) -> Result<RedisSettings, ConfigError> {
    let duration = |value: &str, field: &str| {
        parse_duration(value).map_err(|reason| ConfigError::BadDuration {
            path: format!("{path}.{field}"),
            value: value.to_string(),
            reason,
        })
    };
    let settings = RedisSettings {
        url: redis.url.clone(),
        key_prefix: redis.key_prefix.clone(),
        connect_timeout: duration(&redis.connect_timeout, "connect_timeout")?,
        response_timeout: duration(&redis.response_timeout, "response_timeout")?,
        retry_interval: duration(&redis.retry_interval, "retry_interval")?,
        max_batch: redis.max_batch,
        max_in_flight: redis.max_in_flight,
        connections: redis.connections,
    };
    if settings.key_prefix.contains(['{', '}']) {
        let reason = "key_prefix must not contain { or } (they would become the hash tag)";
        return Err(ConfigError::OutOfRange {
            path: format!("{path}.key_prefix"),
            reason: reason.into(),
        });
    }
    check_range(settings.max_batch, 1, 4096, &format!("{path}.max_batch"))?;
    check_range(settings.max_in_flight, 1, 256, &format!("{path}.max_in_flight"))?;
    check_range(settings.connections, 1, 64, &format!("{path}.connections"))?;
    Ok(settings)
}

fn compile_memory(config: &LimitsConfig, base: &str) -> Result<MemorySettings, ConfigError> {
    let memory = &config.memory;
    check_range(memory.shards, 1, 4096, &format!("{base}memory.shards"))?;
    let max = 1usize << 32;
    check_range(memory.max_entries, memory.shards, max, &format!("{base}memory.max_entries"))?;
    Ok(MemorySettings { max_entries: memory.max_entries, shards: memory.shards })
}

fn check_range(value: usize, min: usize, max: usize, path: &str) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    let reason = format!("must be between {min} and {max}, got {value}");
    Err(ConfigError::OutOfRange { path: path.to_string(), reason })
}

fn check_store(store: StoreKind, path: &str, has_redis: bool) -> Result<(), ConfigError> {
    if store == StoreKind::Redis && !has_redis {
        return Err(ConfigError::MissingRedis { path: path.to_string() });
    }
    Ok(())
}

fn check_name(name: &str, path: &str) -> Result<(), ConfigError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_.:-".contains(c);
    if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) {
        return Err(ConfigError::BadName { path: path.to_string(), name: name.to_string() });
    }
    Ok(())
}
