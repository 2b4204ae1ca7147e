#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use rampart_limits::apikeys::{create_in_file, parse_expiry, set_enabled_in_file};
use rampart_limits::{
    ApiKeyError, ApiKeyIndex, Attributes, Clock, CompiledLimits, DenyReason, KeysFile, Limiter,
    LimitsConfig, ManualClock,
};
use time::macros::datetime;
use time::OffsetDateTime;

const PLANS: &str = r#"
usage_plans:
  - name: gold
    throttle: {rate: 10, per: second, burst: 10}
    quotas: [{limit: 3, period: day}]
    routes: [orders]
  - name: open
    quotas: [{limit: 100, period: month}]
    routes: ["*"]
"#;

fn limits() -> CompiledLimits {
    CompiledLimits::compile(&LimitsConfig::from_yaml(PLANS).unwrap(), "").unwrap()
}

fn nanos(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp_nanos()).unwrap()
}

#[tokio::test]
async fn key_lifecycle_create_use_exceed_disable_expire() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.yaml");
    let limits = limits();
    let created = datetime!(2026-03-02 10:00 UTC);
    let clock = ManualClock::at_nanos(nanos(created));
    let limiter = Limiter::new(&limits, Arc::new(clock.clone())).unwrap();

    // Create: the plaintext is returned once; the file holds only the digest.
    let mut file = KeysFile::load(&path).unwrap();
    assert!(file.keys.is_empty(), "a missing file is an empty one");
    limits.require_plan("gold", "--plan").unwrap();
    let expires = parse_expiry("30d", created).unwrap();
    let (secret, record) = file.create_key("gold", Some(expires), created).unwrap();
    file.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(secret.expose()));
    assert!(text.contains(&record.hash) && text.contains(&record.id));

    // Use: authenticate on the hot path, then count against the plan.
    let index = ApiKeyIndex::build(&KeysFile::load(&path).unwrap(), &limits).unwrap();
    let key = index.authenticate(secret.expose(), clock.now_nanos()).unwrap();
    assert_eq!(key.id, record.id);
    assert!(key.plan.allows_route("orders") && !key.plan.allows_route("admin"));
    let attrs = Attributes::for_api_key(&key.id);
    for _ in 0..3 {
        assert!(limiter.check(&key.plan.policies, &attrs).await.allowed);
    }

    // Exceed the quota: the denial names the key by id only.
    let denied = limiter.check(&key.plan.policies, &attrs).await;
    assert_eq!(denied.reason, Some(DenyReason::QuotaExceeded));
    let deciding = denied.deciding.unwrap();
    assert_eq!(&*deciding.policy, "plan:gold:quota:0");
    assert_eq!(deciding.key, format!("key={}", key.id));
    let usage = key.usage(&limiter).await.unwrap();
    assert_eq!(usage.policies.len(), 2);
    assert_eq!((usage.policies[1].used, usage.policies[1].remaining), (3, 0));
    assert_eq!(usage.policies[1].reset, Duration::from_secs(14 * 3600));
    let json = serde_json::to_value(&usage).unwrap();
    assert_eq!(json["policies"][1]["remaining"], 0);
    assert_eq!(json["expires"], "2026-04-01T10:00:00Z");

    // Disable at once, and persist it.
    index.set_enabled(&key.id, false).unwrap();
    let err = index.authenticate(secret.expose(), clock.now_nanos()).unwrap_err();
    assert!(matches!(err, ApiKeyError::Disabled { ref id } if *id == key.id));
    file.set_enabled(&key.id, false).unwrap();
    file.save(&path).unwrap();
    let reloaded = ApiKeyIndex::build(&KeysFile::load(&path).unwrap(), &limits).unwrap();
    assert!(matches!(
        reloaded.authenticate(secret.expose(), clock.now_nanos()),
        Err(ApiKeyError::Disabled { .. })
    ));
    index.set_enabled(&key.id, true).unwrap();
    assert!(index.authenticate(secret.expose(), clock.now_nanos()).is_ok());

    // Expire.
    clock.set_nanos(nanos(expires));
    let err = index.authenticate(secret.expose(), clock.now_nanos()).unwrap_err();
    assert!(matches!(err, ApiKeyError::Expired { .. }));
    assert!(!err.to_string().contains(secret.expose()));
}

#[test]
fn unknown_and_malformed_keys_are_refused() {
    let limits = limits();
    let mut file = KeysFile::default();
    let now = datetime!(2026-03-02 10:00 UTC);
    let (secret, _) = file.create_key("open", None, now).unwrap();
    let index = ApiKeyIndex::build(&file, &limits).unwrap();
    let at = nanos(now);
    assert!(index.authenticate(secret.expose(), at).is_ok());

    let mut wrong = secret.expose().to_string();
    wrong.pop();
    wrong.push('A');
    let wrong = if wrong == secret.expose() { wrong.replace('A', "B") } else { wrong };
    assert!(matches!(index.authenticate(&wrong, at), Err(ApiKeyError::Unknown)));
    assert!(matches!(index.authenticate("hunter2", at), Err(ApiKeyError::Malformed)));
    let long = format!("rk_{}", "a".repeat(500));
    assert!(matches!(index.authenticate(&long, at), Err(ApiKeyError::Malformed)));
}

#[test]
fn keys_on_unknown_plans_are_refused_with_their_path() {
    let mut file = KeysFile::default();
    let now = datetime!(2026-03-02 10:00 UTC);
    file.create_key("open", None, now).unwrap();
    file.create_key("silver", None, now).unwrap();
    let err = ApiKeyIndex::build(&file, &limits()).unwrap_err();
    assert_eq!(err.to_string(), "keys[1].plan: unknown usage plan \"silver\"");
}

#[test]
fn json_keys_files_round_trip_and_bad_records_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let mut file = KeysFile::default();
    let now = datetime!(2026-03-02 10:00 UTC);
    file.create_key("open", None, now).unwrap();
    file.save(&path).unwrap();
    assert_eq!(KeysFile::load(&path).unwrap(), file);
    assert!(std::fs::read_to_string(&path).unwrap().trim_start().starts_with('{'));

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "keys:\n  - id: k1\n    hash: md5:00\n    plan: open\n    created: 2026-03-02T10:00:00Z\n",
    )
    .unwrap();
    let err = KeysFile::load(&bad).unwrap_err().to_string();
    assert!(err.contains("keys[0].hash"), "{err}");
}

#[test]
fn expiry_accepts_durations_and_timestamps() {
    let now = datetime!(2026-03-02 10:00 UTC);
    assert_eq!(parse_expiry("12h", now).unwrap(), datetime!(2026-03-02 22:00 UTC));
    assert_eq!(parse_expiry("2027-01-01T00:00:00Z", now).unwrap(), datetime!(2027-01-01 00:00 UTC));
    assert!(parse_expiry("next tuesday", now).is_err());
}

#[test]
fn cli_helpers_create_and_toggle_keys_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.yaml");
    let limits = limits();
    let now = datetime!(2026-03-02 10:00 UTC);
    let (secret, record) = create_in_file(&path, "gold", Some("1w"), &limits, now).unwrap();
    assert_eq!(record.expires, Some(datetime!(2026-03-09 10:00 UTC)));
    set_enabled_in_file(&path, &record.id, false).unwrap();
    let index = ApiKeyIndex::build(&KeysFile::load(&path).unwrap(), &limits).unwrap();
    let err = index.authenticate(secret.expose(), nanos(now)).unwrap_err();
    assert!(matches!(err, ApiKeyError::Disabled { .. }));

    let err = create_in_file(&path, "silver", None, &limits, now).unwrap_err();
    assert_eq!(err.to_string(), "--plan: unknown usage plan \"silver\"");
    assert!(create_in_file(&path, "gold", Some("soon"), &limits, now).is_err());
    assert_eq!(KeysFile::load(&path).unwrap().keys.len(), 1, "failed creations write nothing");
    let err = set_enabled_in_file(&path, "key_nope", true).unwrap_err();
    assert_eq!(err.to_string(), "no api key with id \"key_nope\"");
}
