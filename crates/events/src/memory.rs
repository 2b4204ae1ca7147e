//! An in-memory destination so tests can assert on the events a component emitted.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::event::SecurityEvent;

/// The events a memory sink has written, readable from tests.
///
/// Filled by the writer task, so call [`crate::EventSink::flush`] before reading. Keeps every
/// event: meant for tests, not for production traffic.
#[derive(Debug, Clone, Default)]
pub struct MemoryEvents {
    inner: Arc<Mutex<Recorded>>,
}

#[derive(Debug, Default)]
struct Recorded {
    events: Vec<SecurityEvent>,
    lines: Vec<String>,
}

impl MemoryEvents {
    /// The events written so far, oldest first.
    pub fn events(&self) -> Vec<SecurityEvent> {
        self.lock().events.clone()
    }

    /// The JSON lines (without the trailing newline) written so far, oldest first.
    pub fn lines(&self) -> Vec<String> {
        self.lock().lines.clone()
    }

    /// How many events were written so far.
    pub fn len(&self) -> usize {
        self.lock().events.len()
    }

    /// Whether no event was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes and returns the events written so far.
    pub fn take(&self) -> Vec<SecurityEvent> {
        let mut recorded = self.lock();
        recorded.lines.clear();
        std::mem::take(&mut recorded.events)
    }

    /// Records one written event and its serialized line.
    pub(crate) fn record(&self, event: SecurityEvent, line: String) {
        let mut recorded = self.lock();
        recorded.events.push(event);
        recorded.lines.push(line);
    }

    fn lock(&self) -> MutexGuard<'_, Recorded> {
        // A test that panicked while holding the lock left whole vectors behind; keep going.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
