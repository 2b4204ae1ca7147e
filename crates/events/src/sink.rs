//! The cloneable handle that stages emit events through.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::AsyncWrite;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::config::{SinkConfig, SinkKind, MAX_QUEUE_CAPACITY};
use crate::error::SinkError;
use crate::event::SecurityEvent;
use crate::memory::MemoryEvents;
use crate::writer::{open_append, Command, EventWriter, Output};

/// What a sink counts, shared by its handles and its writer.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    emitted: AtomicU64,
    dropped: AtomicU64,
    failed: AtomicU64,
}

impl Counters {
    pub(crate) fn add_failed(&self, count: u64) {
        self.failed.fetch_add(count, Ordering::Relaxed);
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    pub(crate) fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

/// A handle to a security event sink: cheap to clone, and [`EventSink::emit`] never blocks.
///
/// Events go onto a bounded queue that one writer task ([`EventWriter`]) drains. When the
/// queue is full the event is dropped and counted, so a slow disk or a stalled stdout
/// never stalls requests.
#[derive(Clone)]
pub struct EventSink {
    tx: mpsc::Sender<Command>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSink")
            .field("emitted", &self.emitted())
            .field("dropped", &self.dropped())
            .field("write_failures", &self.write_failures())
            .finish()
    }
}

impl EventSink {
    /// Validates `config` and opens its destination; the caller runs the returned writer.
    ///
    /// A file sink opens (and creates) its file here, so a bad path fails at startup.
    pub async fn open(config: &SinkConfig) -> Result<(Self, EventWriter), SinkError> {
        config.validate()?;
        let output = match (config.sink, &config.path) {
            (SinkKind::File, Some(path)) => {
                Output::File { path: path.clone(), file: Some(open_append(path).await?) }
            }
            _ => Output::Stream { name: "stdout", stream: Box::new(tokio::io::stdout()) },
        };
        Ok(Self::with_output(output, config.queue_capacity))
    }

    /// Like [`EventSink::open`], and spawns the writer on the current tokio runtime.
    ///
    /// Await the returned handle after dropping every sink clone to know all events are out.
    pub async fn spawn(config: &SinkConfig) -> Result<(Self, JoinHandle<()>), SinkError> {
        let (sink, writer) = Self::open(config).await?;
        Ok((sink, tokio::spawn(writer.run())))
    }

    /// A sink that writes lines to any async writer; the caller runs the returned writer.
    ///
    /// `queue_capacity` is clamped to `1..=`[`MAX_QUEUE_CAPACITY`].
    pub fn from_writer<W>(writer: W, queue_capacity: usize) -> (Self, EventWriter)
    where
        W: AsyncWrite + Send + Unpin + 'static,
    {
        Self::with_output(
            Output::Stream { name: "writer", stream: Box::new(writer) },
            queue_capacity,
        )
    }

    /// A sink that records events in memory, for tests; spawns its writer.
    ///
    /// Must be called inside a tokio runtime. Call [`EventSink::flush`] before reading.
    pub fn memory() -> (Self, MemoryEvents) {
        let events = MemoryEvents::default();
        let output = Output::Memory(events.clone());
        let (sink, writer) = Self::with_output(output, crate::DEFAULT_QUEUE_CAPACITY);
        tokio::spawn(writer.run());
        (sink, events)
    }

    fn with_output(output: Output, queue_capacity: usize) -> (Self, EventWriter) {
        let (tx, rx) = mpsc::channel(queue_capacity.clamp(1, MAX_QUEUE_CAPACITY));
        let counters = Arc::new(Counters::default());
        let writer = EventWriter::new(rx, output, Arc::clone(&counters));
        (Self { tx, counters }, writer)
    }

    /// Queues `event` for writing without blocking; if the queue is full, drops and counts it.
    pub fn emit(&self, event: SecurityEvent) {
        let counter = match self.tx.try_send(Command::Event(event)) {
            Ok(()) => &self.counters.emitted,
            Err(_) => &self.counters.dropped,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Events accepted onto the queue since the sink was created.
    pub fn emitted(&self) -> u64 {
        self.counters.emitted.load(Ordering::Relaxed)
    }

    /// Events dropped because the queue was full or the writer had stopped.
    pub fn dropped(&self) -> u64 {
        self.counters.dropped()
    }

    /// Queued events lost because writing them failed (for example, a full disk).
    pub fn write_failures(&self) -> u64 {
        self.counters.failed()
    }

    /// Waits until every event emitted before this call is written and flushed.
    ///
    /// Waits for room in the queue, so use it in tests and at shutdown, not per request.
    pub async fn flush(&self) -> Result<(), SinkError> {
        self.request(Command::Flush).await
    }

    /// Makes a file sink reopen its path (after log rotation moved the file away).
    ///
    /// Events emitted before the call go to the old file, events emitted after it to the new
    /// one. If reopening fails the old file keeps receiving events and the error is returned.
    /// Other sinks have nothing to reopen and return `Ok`.
    pub async fn reopen(&self) -> Result<(), SinkError> {
        self.request(Command::Reopen).await
    }

    async fn request(
        &self,
        command: fn(oneshot::Sender<Result<(), SinkError>>) -> Command,
    ) -> Result<(), SinkError> {
        let (ack, done) = oneshot::channel();
        self.tx.send(command(ack)).await.map_err(|_| SinkError::Closed)?;
        done.await.map_err(|_| SinkError::Closed)?
    }
}
