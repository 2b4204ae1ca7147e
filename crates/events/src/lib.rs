//! Security events for rampart: the event model and the sinks that write them.
//!
//! Security events are separate from operational logs: one JSON line per decision that
//! matters (a request allowed with its identity, an authentication failure, a WAF match, a
//! configuration reload). Stages build a [`SecurityEvent`] on the hot path and hand it to an
//! [`EventSink`], which queues it without blocking; an [`EventWriter`] task serializes and
//! writes the lines to stdout or a file. `docs/events.md` describes the schema.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), rampart_events::SinkError> {
//! use rampart_events::{EventSink, EventType, SecurityEvent};
//!
//! let (sink, recorded) = EventSink::memory();
//! sink.emit(SecurityEvent::new(EventType::AuthenticationFailed).with_status(401));
//! sink.flush().await?;
//! assert_eq!(recorded.events()[0].status(), Some(401));
//! # Ok(())
//! # }
//! ```
//!
//! Secrets never belong in an event: see [`mask_secret`] for the rule stages follow.
//!
//! Not built yet: sinks other than stdout and a file (syslog, HTTP, OpenTelemetry), a severity
//! filter, and `fsync` of written batches. Each would be a new [`SinkConfig`] field or
//! [`SinkKind`] handled in the writer.

mod config;
mod drops;
mod error;
mod event;
mod kind;
mod memory;
mod redact;
mod sink;
mod timestamp;
mod writer;

pub use config::{ConfigError, SinkConfig, SinkKind, DEFAULT_QUEUE_CAPACITY, MAX_QUEUE_CAPACITY};
pub use error::SinkError;
pub use event::SecurityEvent;
pub use kind::{EventType, Severity};
pub use memory::MemoryEvents;
pub use redact::{mask_secret, MAX_FIELD_BYTES, REDACTED, TRUNCATED_MARK};
pub use sink::EventSink;
pub use writer::EventWriter;
