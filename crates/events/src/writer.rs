//! The writer task: takes queued events, serializes them and writes whole lines out.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use std::fs::File;
use std::io::Write as _;
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

use crate::drops::LossReporter;
use crate::error::SinkError;
use crate::event::SecurityEvent;
use crate::memory::MemoryEvents;
use crate::sink::Counters;

/// Bytes of serialized lines gathered before they are written out mid-batch.
const WRITE_CHUNK_BYTES: usize = 64 * 1024;

/// Pause after each write so events that arrive meanwhile go out in one batch: under load this
/// turns one wake-up and one write per event into at most one per interval.
const BATCH_INTERVAL: Duration = Duration::from_millis(5);

/// What the sink handles send to the writer, in order.
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every command is an event; boxing would add an allocation per event"
)]
pub(crate) enum Command {
    /// An event to serialize and write.
    Event(SecurityEvent),
    /// Write out everything queued before this, then answer.
    Flush(oneshot::Sender<Result<(), SinkError>>),
    /// Write out everything queued before this, reopen the file, then answer.
    Reopen(oneshot::Sender<Result<(), SinkError>>),
}

/// Where the writer puts lines.
pub(crate) enum Output {
    /// Standard output or a caller-supplied writer, named for error messages.
    Stream { name: &'static str, stream: Box<dyn AsyncWrite + Send + Unpin> },
    /// An append-only file; `None` after a failed write, retried at the next batch.
    File { path: PathBuf, file: Option<File> },
    /// The in-memory recorder used by tests.
    Memory(MemoryEvents),
}

/// The task that drains a sink's queue; run it with `tokio::spawn(writer.run())`.
///
/// It ends, after writing everything queued, once every [`crate::EventSink`] clone is dropped.
pub struct EventWriter {
    rx: mpsc::Receiver<Command>,
    output: Output,
    counters: Arc<Counters>,
    buf: Vec<u8>,
    buffered_events: u64,
    last_write_error: Option<String>,
    dropped_reporter: LossReporter,
    failed_reporter: LossReporter,
}

impl std::fmt::Debug for EventWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventWriter").field("target", &self.output.name()).finish_non_exhaustive()
    }
}

impl EventWriter {
    pub(crate) fn new(
        rx: mpsc::Receiver<Command>,
        output: Output,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            rx,
            output,
            counters,
            buf: Vec::new(),
            buffered_events: 0,
            last_write_error: None,
            dropped_reporter: LossReporter::default(),
            failed_reporter: LossReporter::default(),
        }
    }

    /// Writes events until every sink handle is gone, batching what is queued at once.
    pub async fn run(mut self) {
        while let Some(command) = self.rx.recv().await {
            self.handle(command).await;

            // Take whatever else is already queued so one write carries many lines.
            while let Ok(command) = self.rx.try_recv() {
                self.handle(command).await;
            }
            // Failures are counted inside and reported below; the next batch retries.
            let _ = self.write_out().await;
            self.report_losses(Instant::now());
            if !matches!(self.output, Output::Memory(_)) {
                tokio::time::sleep(BATCH_INTERVAL).await;
            }
        }
    }

    /// Logs, at most every few seconds, how many events were dropped or failed to write.
    fn report_losses(&mut self, now: Instant) {
        if let Some(dropped) = self.dropped_reporter.due(self.counters.dropped(), now) {
            tracing::warn!(
                dropped,
                queue_capacity = self.rx.max_capacity(),
                "security events dropped: the event queue was full"
            );
        }
        if let Some(lost) = self.failed_reporter.due(self.counters.failed(), now) {
            tracing::warn!(
                sink = %self.output.name(),
                lost,
                error = self.last_write_error.as_deref().unwrap_or("serialization"),
                "security events could not be written"
            );
        }
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::Event(event) => self.serialize(event).await,
            Command::Flush(ack) => {
                let _ = ack.send(self.write_out().await);
            }
            Command::Reopen(ack) => {
                let _ = self.write_out().await;
                let _ = ack.send(self.reopen().await);
            }
        }
    }

    async fn serialize(&mut self, event: SecurityEvent) {
        let start = self.buf.len();
        if event.write_json_line(&mut self.buf).is_err() {
            // Only a timestamp past year 9999 fails; counted and reported with the losses.
            self.counters.add_failed(1);
            return;
        }
        if let Output::Memory(memory) = &self.output {
            let line = String::from_utf8_lossy(&self.buf[start..self.buf.len() - 1]).into_owned();
            self.buf.truncate(start);
            memory.record(event, line);
            return;
        }
        self.buffered_events += 1;
        if self.buf.len() >= WRITE_CHUNK_BYTES {
            let _ = self.write_out().await;
        }
    }

    /// Writes and flushes the gathered lines; on failure counts them as failed.
    ///
    /// Every batch ends with a write-out, so an empty buffer means everything is out already.
    async fn write_out(&mut self) -> Result<(), SinkError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let result = self.output.write_all(&self.buf).await;
        if let Err(error) = &result {
            self.counters.add_failed(self.buffered_events);
            self.last_write_error = Some(error.to_string());
        }
        self.buf.clear();
        self.buffered_events = 0;
        result
    }

    async fn reopen(&mut self) -> Result<(), SinkError> {
        let Output::File { path, file } = &mut self.output else {
            return Ok(());
        };
        // On failure keep the old handle: the rotated file still collects the events.
        *file = Some(open_append(path).await?);
        Ok(())
    }
}

impl Output {
    fn name(&self) -> String {
        match self {
            Self::Stream { name, .. } => (*name).to_owned(),
            Self::File { path, .. } => path.display().to_string(),
            Self::Memory(_) => "memory".to_owned(),
        }
    }

    async fn write_all(&mut self, bytes: &[u8]) -> Result<(), SinkError> {
        let result = match self {
            Self::Stream { stream, .. } => write_flush(stream, bytes).await,
            Self::File { path, file } => return write_file(path, file, bytes).await,
            Self::Memory(_) => Ok(()),
        };
        result.map_err(|source| SinkError::Write { target: self.name(), source })
    }
}

/// Appends to the file, opening it first if an earlier failure closed it.
///
/// The write is a plain blocking `write(2)` of at most one batch into the page cache, made on
/// the writer task itself: handing it to tokio's blocking pool cost more (a thread hand-off per
/// batch) than the write. A stalled disk would hold one runtime worker, not the request path,
/// which only ever calls `try_send`.
async fn write_file(path: &Path, file: &mut Option<File>, bytes: &[u8]) -> Result<(), SinkError> {
    let handle = match file {
        Some(handle) => handle,
        None => file.insert(open_append(path).await?),
    };
    let result = handle.write_all(bytes);
    if result.is_err() {
        // Drop the handle so the next batch starts from a freshly opened file.
        *file = None;
    }
    result.map_err(|source| SinkError::Write { target: path.display().to_string(), source })
}

async fn write_flush<W: AsyncWrite + Unpin + ?Sized>(out: &mut W, bytes: &[u8]) -> io::Result<()> {
    if !bytes.is_empty() {
        out.write_all(bytes).await?;
    }
    // tokio's File finishes a write in the background; flush waits for it to land.
    out.flush().await
}

/// Opens `path` for appending, creating it (mode 0640 on Unix) if missing.
pub(crate) async fn open_append(path: &Path) -> Result<File, SinkError> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
    options.open(path).map_err(|source| SinkError::Open { path: path.to_path_buf(), source })
}
