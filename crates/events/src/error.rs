//! Failures of an event sink.

use std::io;
use std::path::PathBuf;

use crate::config::ConfigError;

/// Why a sink could not be opened, flushed or reopened.
///
/// [`crate::EventSink::emit`] never fails: it counts what it cannot queue instead.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The configuration is unusable.
    #[error("invalid events configuration: {0}")]
    Config(#[from] ConfigError),
    /// The event file could not be opened (or reopened after rotation).
    #[error(
        "cannot open event file {path}: {source}; check that its directory exists and is \
         writable by rampart"
    )]
    Open {
        /// The configured path.
        path: PathBuf,
        /// What the operating system reported.
        source: io::Error,
    },
    /// Queued event lines could not be written out.
    #[error("cannot write security events to {target}: {source}")]
    Write {
        /// `stdout`, the file path, or `writer`.
        target: String,
        /// What the operating system reported.
        source: io::Error,
    },
    /// The writer task has ended (its runtime shut down or it was never started).
    #[error("the security event writer is not running; events can no longer be written")]
    Closed,
}
