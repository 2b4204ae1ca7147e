#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The in-memory sink that gateway tests assert on.

use rampart_events::{EventSink, EventType, SecurityEvent};
use serde_json::Value;

#[tokio::test]
async fn records_events_and_their_lines_from_every_clone() {
    let (sink, recorded) = EventSink::memory();
    let clones: Vec<EventSink> = (0..4).map(|_| sink.clone()).collect();
    assert!(recorded.is_empty());

    let tasks: Vec<_> = clones
        .into_iter()
        .enumerate()
        .map(|(task, sink)| {
            tokio::spawn(async move {
                for n in 0..25 {
                    let id = format!("t{task}-{n}");
                    sink.emit(SecurityEvent::new(EventType::Forbidden).with_request_id(id));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    sink.flush().await.unwrap();

    assert_eq!(recorded.len(), 100);
    assert_eq!(sink.emitted(), 100);
    let lines = recorded.lines();
    for (event, line) in recorded.events().iter().zip(&lines) {
        let value: Value = serde_json::from_str(line).unwrap();
        assert_eq!(value["request_id"], event.request_id().unwrap());
        assert!(!line.contains('\n'));
    }
}

#[tokio::test]
async fn take_empties_the_recorder() {
    let (sink, recorded) = EventSink::memory();
    sink.emit(SecurityEvent::new(EventType::ConfigReloaded));
    sink.flush().await.unwrap();

    let taken = recorded.take();

    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].event_type(), EventType::ConfigReloaded);
    assert!(recorded.is_empty() && recorded.lines().is_empty());
    assert!(sink.reopen().await.is_ok(), "memory sinks have nothing to reopen");
}
