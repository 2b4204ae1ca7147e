#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The file sink: creation, appending, rotation with reopen, and open errors.

use std::path::Path;

use rampart_events::{EventSink, EventType, SecurityEvent, SinkConfig, SinkError, SinkKind};
use serde_json::Value;

fn file_config(path: &Path) -> SinkConfig {
    SinkConfig { sink: SinkKind::File, path: Some(path.to_path_buf()), queue_capacity: 64 }
}

fn event(request_id: &str) -> SecurityEvent {
    SecurityEvent::new(EventType::RequestAllowed).with_request_id(request_id)
}

/// The request IDs of the event lines in `path`, checking each line is one JSON object.
fn request_ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "partial line in {text:?}");
    text.lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap();
            value["request_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn creates_the_file_and_appends_to_existing_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let (sink, writer) = EventSink::spawn(&file_config(&path)).await.unwrap();
    sink.emit(event("a"));
    sink.flush().await.unwrap();
    drop(sink);
    writer.await.unwrap();
    assert_eq!(request_ids(&path), ["a"]);

    let (sink, _writer) = EventSink::spawn(&file_config(&path)).await.unwrap();
    sink.emit(event("b"));
    sink.emit(event("c"));
    sink.flush().await.unwrap();
    assert_eq!(request_ids(&path), ["a", "b", "c"]);
    assert_eq!((sink.emitted(), sink.dropped(), sink.write_failures()), (2, 0, 0));
}

#[tokio::test]
async fn reopen_after_rename_sends_new_lines_to_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let rotated = dir.path().join("events.jsonl.1");
    let (sink, _writer) = EventSink::spawn(&file_config(&path)).await.unwrap();

    sink.emit(event("before-1"));
    sink.emit(event("before-2"));
    sink.flush().await.unwrap();
    std::fs::rename(&path, &rotated).unwrap();
    // Emitted after the rename but before reopen: still belongs to the old file.
    sink.emit(event("between"));
    sink.reopen().await.unwrap();
    sink.emit(event("after-1"));
    sink.emit(event("after-2"));
    sink.flush().await.unwrap();

    assert_eq!(request_ids(&rotated), ["before-1", "before-2", "between"]);
    assert_eq!(request_ids(&path), ["after-1", "after-2"]);
}

#[tokio::test]
async fn dropping_every_handle_writes_what_was_queued_then_ends_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let (sink, writer) = EventSink::spawn(&file_config(&path)).await.unwrap();
    let clone = sink.clone();

    for i in 0..50 {
        clone.emit(event(&format!("r{i}")));
    }
    drop((sink, clone));
    writer.await.unwrap();

    let expected: Vec<String> = (0..50).map(|i| format!("r{i}")).collect();
    assert_eq!(request_ids(&path), expected);
}

#[tokio::test]
async fn a_missing_directory_fails_at_open_with_the_path_in_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("events.jsonl");

    let error = EventSink::open(&file_config(&path)).await.unwrap_err();

    assert!(matches!(error, SinkError::Open { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.starts_with("cannot open event file "), "{message}");
    assert!(message.contains("no-such-dir"), "{message}");
}

#[tokio::test]
async fn a_failed_reopen_keeps_writing_to_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let path = logs.join("events.jsonl");
    let (sink, _writer) = EventSink::spawn(&file_config(&path)).await.unwrap();
    sink.emit(event("first"));
    sink.flush().await.unwrap();

    // Move the whole directory away: the configured path can no longer be created.
    let moved = dir.path().join("moved");
    std::fs::rename(&logs, &moved).unwrap();
    let error = sink.reopen().await.unwrap_err();
    assert!(matches!(error, SinkError::Open { .. }), "{error:?}");
    sink.emit(event("second"));
    sink.flush().await.unwrap();

    assert_eq!(request_ids(&moved.join("events.jsonl")), ["first", "second"]);
    assert_eq!(sink.write_failures(), 0);
}

#[tokio::test]
async fn invalid_config_is_rejected_before_anything_is_opened() {
    let config = SinkConfig { sink: SinkKind::File, path: None, queue_capacity: 8 };
    let error = EventSink::open(&config).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid events configuration: events.path is required when events.sink is `file`"
    );
}

#[tokio::test]
async fn a_full_disk_counts_lost_events_and_reports_on_flush() {
    // /dev/full opens for appending, and every write fails with "no space left on device".
    let path = Path::new("/dev/full");
    let (sink, _writer) = EventSink::spawn(&file_config(path)).await.unwrap();

    for n in 0..3 {
        sink.emit(event(&format!("r{n}")));
    }
    let error = sink.flush().await.unwrap_err();
    assert!(matches!(error, SinkError::Write { .. }), "{error:?}");
    assert!(error.to_string().starts_with("cannot write security events to /dev/full: "));
    assert_eq!(sink.write_failures(), 3);

    // The next batch opens the file again and fails again: counted, never a panic or a hang.
    sink.emit(event("r3"));
    assert!(sink.flush().await.is_err());
    assert_eq!((sink.emitted(), sink.dropped(), sink.write_failures()), (4, 0, 4));
}
