//! Measures the cost of building and emitting an event, and the file writer's throughput.
//!
//! Run with `cargo run --release -p rampart-events --example throughput`. A measurement, not
//! a test: numbers vary with the machine and its load.

use std::error::Error;
use std::net::IpAddr;
use std::time::Instant;

use rampart_events::{EventSink, EventType, SecurityEvent, SinkConfig, SinkKind};

const EVENTS: usize = 200_000;
const CAPACITY: usize = 8192;

fn event(n: usize) -> SecurityEvent {
    SecurityEvent::new(EventType::AuthenticationFailed)
        .with_request_id(format!("0193a1b2-7c4e-7d21-9f0a-{n:012}"))
        .with_source_ip(IpAddr::from([203, 0, 113, 7]))
        .with_user_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36")
        .with_method("GET")
        .with_path("/api/orders/42")
        .with_route("orders")
        .with_status(401)
        .with_detail("reason", "token_expired")
        .with_detail("provider", "corp")
}

/// CPU time this thread has run, in nanoseconds (Linux `schedstat`), immune to other load.
fn thread_cpu_nanos() -> Result<u128, Box<dyn Error>> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")?;
    let first = stat.split_whitespace().next().ok_or("empty schedstat")?;
    Ok(first.parse()?)
}

/// Emits as fast as possible: CPU cost of building and of emitting, and what was dropped.
async fn burst(sink: &EventSink) -> Result<(), Box<dyn Error>> {
    let start = thread_cpu_nanos()?;
    let events: Vec<SecurityEvent> = (0..EVENTS).map(event).collect();
    let built = thread_cpu_nanos()? - start;

    let start = thread_cpu_nanos()?;
    for event in events {
        sink.emit(event);
    }
    let emitted = thread_cpu_nanos()? - start;
    sink.flush().await?;

    let (build, emit) = (built / EVENTS as u128, emitted / EVENTS as u128);
    println!("burst: cpu {build} ns to build an event, {emit} ns per emit call");
    println!("burst: accepted {} dropped {}", sink.emitted(), sink.dropped());
    Ok(())
}

/// Emits one queue-full at a time and waits for it: lines the writer gets to disk per second.
async fn sustained(sink: &EventSink) -> Result<(), Box<dyn Error>> {
    let dropped_before = sink.dropped();
    let start = Instant::now();
    for round in 0..EVENTS / CAPACITY {
        for n in 0..CAPACITY {
            sink.emit(event(round * CAPACITY + n));
        }
        sink.flush().await?;
    }
    let elapsed = start.elapsed();

    let written = (EVENTS / CAPACITY * CAPACITY) as f64;
    let rate = written / elapsed.as_secs_f64();
    println!("sustained: {written} lines in {elapsed:?} ({rate:.0} lines/s)");
    println!("sustained: dropped {}", sink.dropped() - dropped_before);
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("events.jsonl");
    let config =
        SinkConfig { sink: SinkKind::File, path: Some(path.clone()), queue_capacity: CAPACITY };
    let (sink, _writer) = EventSink::spawn(&config).await?;

    burst(&sink).await?;
    sustained(&sink).await?;

    let bytes = std::fs::metadata(&path)?.len();
    let lines = std::fs::read_to_string(&path)?.lines().count();
    println!("file: {lines} lines, {} bytes per line", bytes / lines.max(1) as u64);
    Ok(())
}
