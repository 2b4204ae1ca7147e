#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! A stalled writer must never stall emitters: a full queue drops and counts.

use rampart_events::{EventSink, EventType, SecurityEvent};
use tokio::io::{AsyncBufReadExt, BufReader, DuplexStream};

const CAPACITY: usize = 8;

fn event(n: usize) -> SecurityEvent {
    SecurityEvent::new(EventType::RateLimited).with_request_id(format!("r{n}"))
}

/// Reads `count` lines from the stalled pipe, unblocking the writer as it goes.
async fn read_lines(reader: BufReader<DuplexStream>, count: usize) -> Vec<String> {
    let mut lines = reader.lines();
    let mut out = Vec::new();
    while out.len() < count {
        out.push(lines.next_line().await.unwrap().unwrap());
    }
    out
}

// The current-thread runtime runs the writer only while this test awaits, which makes the
// number of events the writer holds exact without any timing.
#[tokio::test(flavor = "current_thread")]
async fn full_queue_drops_and_counts_without_blocking() {
    // A 16-byte pipe that nobody reads yet: the writer stalls on its first write.
    let (pipe_writer, pipe_reader) = tokio::io::duplex(16);
    let mut pipe_reader = BufReader::new(pipe_reader);
    let (sink, writer) = EventSink::from_writer(pipe_writer, CAPACITY);
    tokio::spawn(writer.run());

    // The writer takes these two, then blocks writing them.
    sink.emit(event(0));
    sink.emit(event(1));
    // Wait (without consuming) until the writer has started writing, so it holds both.
    assert!(pipe_reader.fill_buf().await.unwrap().starts_with(b"{"));

    // The writer is stuck; the queue takes CAPACITY more and every further emit is dropped.
    for n in 2..2 + CAPACITY + 100 {
        sink.emit(event(n));
    }
    assert_eq!(sink.emitted(), 2 + CAPACITY as u64);
    assert_eq!(sink.dropped(), 100);

    // Unstall: every accepted event arrives, in order, and none of the dropped ones.
    let (flushed, lines) = tokio::join!(sink.flush(), read_lines(pipe_reader, 2 + CAPACITY));
    flushed.unwrap();
    let ids: Vec<String> = lines
        .iter()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["request_id"].as_str().unwrap().to_owned()
        })
        .collect();
    let expected: Vec<String> = (0..2 + CAPACITY).map(|n| format!("r{n}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(sink.write_failures(), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn emitting_after_the_writer_is_gone_counts_drops() {
    let (sink, writer) = EventSink::from_writer(tokio::io::sink(), CAPACITY);
    drop(writer);

    sink.emit(event(0));

    assert_eq!((sink.emitted(), sink.dropped()), (0, 1));
    assert_eq!(
        sink.flush().await.unwrap_err().to_string(),
        "the security event writer is not running; events can no longer be written"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_failing_writer_counts_lost_events_and_reports_on_flush() {
    let (pipe_writer, pipe_reader) = tokio::io::duplex(16);
    drop(pipe_reader);
    let (sink, writer) = EventSink::from_writer(pipe_writer, CAPACITY);
    tokio::spawn(writer.run());

    // The writer first runs inside flush, so both events and the flush form one batch.
    sink.emit(event(0));
    sink.emit(event(1));
    let error = sink.flush().await.unwrap_err();

    assert!(error.to_string().starts_with("cannot write security events to writer: "), "{error}");
    assert_eq!(sink.write_failures(), 2);
    assert_eq!(sink.emitted(), 2);
}
