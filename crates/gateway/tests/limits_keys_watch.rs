#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The keys file is watched: keys created or disabled on disk (what `rampart keys ...`
//! does) take effect in a running gateway without a reload; a broken file is refused with
//! an event and the keys in use stay.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use rampart_events::{EventSink, EventType, MemoryEvents};
use rampart_gateway::{start, RunningGateway, StartOptions};
use rampart_limits::{apikeys, ApiKeySecret, CompiledLimits, KeysFile, LimitsConfig};
use support::client::{get, send};
use support::upstream::TestUpstream;

const RATE_LIMITING: &str = r#"
  usage_plans:
    - name: gold
      quotas: [{limit: 1000, period: day}]
      routes: ["*"]
  api_keys: {file: keys.yaml}
"#;

fn config(upstream: std::net::SocketAddr) -> String {
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
admin: {{address: "127.0.0.1:0"}}
upstreams:
  api: {{targets: ["{upstream}"]}}
routes:
  - name: keyed
    match: {{path: "/*"}}
    upstream: api
    require_api_key: true
rate_limiting:
{RATE_LIMITING}
"#
    )
}

/// The usage plans, compiled as `rampart keys create` compiles them.
fn plans() -> CompiledLimits {
    let section = LimitsConfig::from_yaml(RATE_LIMITING.replace("\n  ", "\n").trim()).unwrap();
    CompiledLimits::compile(&section, "").unwrap()
}

fn create_key(file: &Path) -> (ApiKeySecret, String) {
    let now = time::OffsetDateTime::now_utc();
    let (secret, record) = apikeys::create_in_file(file, "gold", None, &plans(), now).unwrap();
    (secret, record.id)
}

struct Keyed {
    running: RunningGateway,
    events: MemoryEvents,
}

impl Keyed {
    async fn status(&self, key: &ApiKeySecret) -> u16 {
        let addr = self.running.listeners[0].1;
        send(addr, get(addr, "/x", &[("x-api-key", key.expose())])).await.status.as_u16()
    }

    /// Polls until `key` gets `status`; the watcher checks every 20 ms.
    async fn until_status(&self, key: &ApiKeySecret, status: u16) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.status(key).await != status {
            assert!(Instant::now() < deadline, "the key never got {status}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn count(&self, name: &'static str) -> usize {
        self.running.gateway.events.flush().await.unwrap();
        let events = self.events.events();
        events.iter().filter(|e| e.event_type() == EventType::Custom(name)).count()
    }

    async fn until_event(&self, name: &'static str, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.count(name).await < count {
            assert!(Instant::now() < deadline, "no {name} event");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test]
async fn keys_changed_on_disk_apply_without_a_reload() {
    let upstream = TestUpstream::start("up").await;
    let dir = tempfile::tempdir().unwrap();
    let keys_file = dir.path().join("keys.yaml");
    let (first, first_id) = create_key(&keys_file);
    let config_file = dir.path().join("gateway.yaml");
    std::fs::write(&config_file, config(upstream.addr)).unwrap();
    let (sink, events) = EventSink::memory();
    let options = StartOptions {
        config: config_file,
        events: Some(sink),
        watch_interval: Some(Duration::from_millis(20)),
    };
    let gateway = Keyed { running: start(options).await.unwrap(), events };
    assert_eq!(gateway.status(&first).await, 200);

    // A key created while the gateway runs is accepted without a reload.
    let (second, _) = create_key(&keys_file);
    gateway.until_status(&second, 200).await;
    assert!(gateway.count("api_keys_reloaded").await >= 1);
    assert_eq!(gateway.count("config_reloaded").await, 0, "no config reload was needed");

    // Disabled on disk: refused.
    apikeys::set_enabled_in_file(&keys_file, &first_id, false).unwrap();
    gateway.until_status(&first, 401).await;

    // A broken file is refused with an event; the keys in use stay.
    std::fs::write(&keys_file, "keys: [{id: 1}").unwrap();
    gateway.until_event("api_keys_rejected", 1).await;
    assert_eq!(gateway.status(&second).await, 200);
    assert_eq!(gateway.status(&first).await, 401);
    let rejected = gateway.events.events();
    let event =
        rejected.iter().find(|e| e.event_type() == EventType::Custom("api_keys_rejected")).unwrap();
    assert!(serde_json::to_string(event).unwrap().contains("keys.yaml"), "names the file");

    // A file naming an unknown plan is refused too.
    let mut unknown_plan = KeysFile::default();
    let now = time::OffsetDateTime::now_utc();
    unknown_plan.create_key("platinum", None, now).unwrap();
    unknown_plan.save(&keys_file).unwrap();
    gateway.until_event("api_keys_rejected", 2).await;
    assert_eq!(gateway.status(&second).await, 200);

    // Fixed: the new file applies (an empty key list refuses every key).
    KeysFile::default().save(&keys_file).unwrap();
    gateway.until_status(&second, 401).await;
    gateway.running.shutdown().await;
}
