#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use rampart_limits::{CompiledLimits, ConfigError, LimitsConfig};

fn compile(yaml: &str) -> Result<CompiledLimits, ConfigError> {
    let config = LimitsConfig::from_yaml(yaml)?;
    CompiledLimits::compile(&config, "")
}

fn error_of(yaml: &str) -> String {
    compile(yaml).unwrap_err().to_string()
}

const VALID: &str = r#"
rate_limits:
  - name: per-ip
    key: [client_ip]
    algorithm: {gcra: {rate: 10, per: second, burst: 20}}
  - name: per-tenant-daily
    key: [{claim: tenant}, route]
    algorithm: {quota: {limit: 1000, period: day, offset: 6h}}
    store: redis
    on_store_error: fail_open
    headers: false
usage_plans:
  - name: gold
    throttle: {rate: 100, per: second, burst: 200}
    quotas: [{limit: 100000, period: month}]
    routes: [orders, users]
redis:
  url: redis://127.0.0.1:6379/
"#;

#[test]
fn a_full_document_compiles_with_defaults() {
    let limits = compile(VALID).unwrap();
    let per_ip = limits.policy("per-ip").unwrap();
    assert_eq!(per_ip.ipv6_prefix, 64);
    assert!(per_ip.headers);
    assert_eq!(per_ip.algorithm.limit(), 20);
    let gold = limits.plan("gold").unwrap();
    assert_eq!(gold.policies.len(), 2);
    assert!(gold.allows_route("orders"));
    assert!(!gold.allows_route("admin"));
    assert!(limits.uses_redis());
    assert_eq!(limits.memory.max_entries, 1_000_000);
    assert_eq!(limits.api_keys.header, "x-api-key");
    let redis = limits.redis.as_ref().unwrap();
    assert_eq!(redis.key_prefix, "rampart:rl:");
    assert_eq!(redis.response_timeout, std::time::Duration::from_millis(100));
    assert_eq!((redis.max_batch, redis.max_in_flight, redis.connections), (128, 4, 1));
}

#[test]
fn redis_connections_out_of_range_name_their_path() {
    let yaml = VALID.replace("6379/\n", "6379/\n  connections: 0\n");
    assert_eq!(error_of(&yaml), "redis.connections: must be between 1 and 64, got 0");
}

#[test]
fn zero_rate_names_its_path() {
    let yaml = VALID.replace("rate: 100, per: second", "rate: 0, per: second");
    assert_eq!(error_of(&yaml), "usage_plans[0].throttle.rate: rate must be at least 1, got 0");
}

#[test]
fn burst_below_one_names_its_path() {
    let yaml = VALID.replace("burst: 20}", "burst: 0}");
    assert_eq!(
        error_of(&yaml),
        "rate_limits[0].algorithm.gcra.burst: burst must be at least 1, got 0"
    );
}

#[test]
fn unknown_key_source_names_its_path() {
    let yaml = VALID.replace("key: [client_ip]", "key: [client_ip, cookie]");
    let err = error_of(&yaml);
    assert!(err.starts_with("rate_limits[0].key[1]: unknown variant `cookie`"), "{err}");
}

#[test]
fn unknown_fields_are_denied() {
    let yaml = VALID.replace("headers: false", "headers: false\n    burts: 3");
    let err = error_of(&yaml);
    assert!(err.starts_with("rate_limits[1].burts: unknown field `burts`"), "{err}");
}

#[test]
fn an_offset_as_long_as_the_period_is_refused() {
    let yaml = VALID.replace("offset: 6h", "offset: 1d");
    let err = error_of(&yaml);
    assert!(err.starts_with("rate_limits[1].algorithm.quota.offset: invalid duration"), "{err}");
}

#[test]
fn redis_store_without_redis_section_is_refused() {
    let yaml = VALID.split("redis:\n  url").next().unwrap().to_string();
    assert_eq!(
        error_of(&yaml),
        "rate_limits[1].store: store is redis but no redis section is configured"
    );
}

#[test]
fn duplicate_and_malformed_names_are_refused() {
    let yaml = VALID.replace("name: per-tenant-daily", "name: per-ip");
    assert_eq!(error_of(&yaml), "rate_limits[1].name: duplicate name \"per-ip\"");
    let yaml = VALID.replace("name: per-ip", "name: \"per ip\"");
    assert!(error_of(&yaml).starts_with("rate_limits[0].name: invalid name"));
}

#[test]
fn unknown_plan_and_policy_references_name_their_path() {
    let limits = compile(VALID).unwrap();
    let err = limits.require_plan("silver", "routes[3].plan").unwrap_err();
    assert_eq!(err.to_string(), "routes[3].plan: unknown usage plan \"silver\"");
    let names = vec!["per-ip".to_string(), "nope".to_string()];
    let err = limits.resolve(&names, "routes[0].rate_limits").unwrap_err();
    assert_eq!(err.to_string(), "routes[0].rate_limits[1]: unknown rate-limit policy \"nope\"");
}

#[test]
fn a_base_path_prefixes_errors() {
    let config = LimitsConfig::from_yaml(&VALID.replace("burst: 20}", "burst: 0}")).unwrap();
    let err = CompiledLimits::compile(&config, "limits.").unwrap_err();
    assert!(err.to_string().starts_with("limits.rate_limits[0].algorithm.gcra.burst:"));
}

#[test]
fn plans_need_routes_and_a_limit() {
    let yaml = VALID.replace("routes: [orders, users]", "routes: []");
    assert!(error_of(&yaml).starts_with("usage_plans[0].routes:"));
    let yaml = "usage_plans:\n  - name: empty\n    routes: ['*']\n";
    assert!(error_of(yaml).starts_with("usage_plans[0]: a usage plan needs a throttle"));
}
