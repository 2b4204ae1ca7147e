//! Test harness: real upstream servers, a real gateway on ephemeral ports, and small clients.
#![allow(dead_code)]

pub mod client;
pub mod redis;
pub mod upstream;

use std::path::PathBuf;

use rampart_events::{EventSink, MemoryEvents, SecurityEvent};
use rampart_gateway::{start, RunningGateway, StartOptions};

/// A gateway started from YAML text, with events collected in memory.
pub struct TestGateway {
    pub running: RunningGateway,
    pub events: MemoryEvents,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl TestGateway {
    /// Starts a gateway; `{admin}` defaults to an ephemeral port.
    pub async fn start(yaml: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, yaml).await
    }

    /// Starts a gateway whose config lives in `dir` (for tests that put files beside it).
    pub async fn start_in(dir: tempfile::TempDir, yaml: &str) -> Self {
        let config = dir.path().join("gateway.yaml");
        std::fs::write(&config, with_admin(yaml)).unwrap();
        let (sink, events) = EventSink::memory();
        let options =
            StartOptions { config: config.clone(), events: Some(sink), watch_interval: None };
        let running = start(options).await.unwrap();
        Self { running, events, dir, config }
    }

    /// The address of the first listener.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.running.listeners[0].1
    }

    /// Events recorded so far, after flushing the queue.
    pub async fn events(&self) -> Vec<SecurityEvent> {
        self.running.gateway.events.flush().await.unwrap();
        self.events.events()
    }

    /// The events of one request.
    pub async fn events_for(&self, request_id: &str) -> Vec<SecurityEvent> {
        self.events().await.into_iter().filter(|e| e.request_id() == Some(request_id)).collect()
    }

    /// Rewrites the config file (with the admin default added).
    pub fn write_config(&self, yaml: &str) {
        std::fs::write(&self.config, with_admin(yaml)).unwrap();
    }
}

fn with_admin(yaml: &str) -> String {
    if yaml.contains("\nadmin:") {
        yaml.to_owned()
    } else {
        format!("{yaml}\nadmin: {{address: \"127.0.0.1:0\"}}\n")
    }
}

/// A minimal config: one plaintext listener and one route `/*` to `upstream`.
pub fn simple_config(upstream: std::net::SocketAddr, extra_route: &str) -> String {
    format!(
        r#"
listeners: [{{name: main, address: "127.0.0.1:0"}}]
trusted_proxies: ["10.0.0.0/8"]
upstreams:
  api: {{targets: ["{upstream}"]}}
routes:
  - name: all
    match: {{path: "/*"}}
    upstream: api
{extra_route}
"#
    )
}
