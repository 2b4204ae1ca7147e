//! The `events` section of the gateway configuration.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Queue capacity used when the configuration names none.
pub const DEFAULT_QUEUE_CAPACITY: usize = 8192;

/// Largest accepted queue capacity; bounds the memory held by queued events.
pub const MAX_QUEUE_CAPACITY: usize = 1 << 20;

/// Where security events go and how many may wait to be written.
///
/// YAML shape (all fields optional; unknown fields are errors):
///
/// ```yaml
/// sink: file                 # stdout (default) | file
/// path: /var/log/rampart/events.jsonl   # required for file, forbidden for stdout
/// queue_capacity: 8192       # events waiting to be written; more are dropped and counted
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    /// The destination of event lines.
    #[serde(default)]
    pub sink: SinkKind,
    /// The file to append to when `sink` is `file`; created if missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// How many events may wait for the writer before new ones are dropped.
    #[serde(default = "default_queue_capacity")]
    pub queue_capacity: usize,
}

/// The kinds of destination a [`SinkConfig`] can name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    /// One JSON line per event on standard output.
    #[default]
    Stdout,
    /// One JSON line per event appended to `path`, reopened on request for log rotation.
    File,
}

/// A [`SinkConfig`] that parsed but cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `sink: file` without a `path`.
    #[error("events.path is required when events.sink is `file`")]
    MissingPath,
    /// A `path` next to `sink: stdout`, which would be silently ignored.
    #[error("events.path is only valid with `sink: file`; remove it or set `sink: file`")]
    PathWithoutFile,
    /// A path that is empty.
    #[error("events.path must not be empty")]
    EmptyPath,
    /// A queue capacity of zero or above [`MAX_QUEUE_CAPACITY`].
    #[error("events.queue_capacity must be between 1 and {max}, got {got}")]
    QueueCapacity {
        /// The configured value.
        got: usize,
        /// The largest accepted value.
        max: usize,
    },
}

impl SinkConfig {
    /// Checks the parts serde cannot: a path exactly when needed, a sane capacity.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match (self.sink, &self.path) {
            (SinkKind::File, None) => return Err(ConfigError::MissingPath),
            (SinkKind::File, Some(path)) if path.as_os_str().is_empty() => {
                return Err(ConfigError::EmptyPath)
            }
            (SinkKind::Stdout, Some(_)) => return Err(ConfigError::PathWithoutFile),
            _ => {}
        }
        if self.queue_capacity == 0 || self.queue_capacity > MAX_QUEUE_CAPACITY {
            return Err(ConfigError::QueueCapacity {
                got: self.queue_capacity,
                max: MAX_QUEUE_CAPACITY,
            });
        }
        Ok(())
    }
}

impl Default for SinkConfig {
    fn default() -> Self {
        Self { sink: SinkKind::Stdout, path: None, queue_capacity: DEFAULT_QUEUE_CAPACITY }
    }
}

fn default_queue_capacity() -> usize {
    DEFAULT_QUEUE_CAPACITY
}
