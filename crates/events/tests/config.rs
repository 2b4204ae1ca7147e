#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The `events` configuration section as YAML.

use std::path::PathBuf;

use rampart_events::{ConfigError, SinkConfig, SinkKind, DEFAULT_QUEUE_CAPACITY};

fn parse(yaml: &str) -> Result<SinkConfig, serde_yaml_ng::Error> {
    serde_yaml_ng::from_str(yaml)
}

#[test]
fn empty_section_means_stdout_with_default_capacity() {
    let config = parse("{}").unwrap();
    assert_eq!(config, SinkConfig::default());
    assert_eq!(config.sink, SinkKind::Stdout);
    assert_eq!(config.queue_capacity, DEFAULT_QUEUE_CAPACITY);
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn file_sink_with_path_and_capacity() {
    let config = parse("sink: file\npath: /var/log/rampart/events.jsonl\nqueue_capacity: 100\n");
    let config = config.unwrap();
    assert_eq!(config.sink, SinkKind::File);
    assert_eq!(config.path, Some(PathBuf::from("/var/log/rampart/events.jsonl")));
    assert_eq!(config.queue_capacity, 100);
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn unknown_fields_and_kinds_are_errors() {
    let error = parse("sink: stdout\nbuffer: 10\n").unwrap_err().to_string();
    assert!(error.contains("unknown field `buffer`"), "{error}");
    let error = parse("sink: syslog\n").unwrap_err().to_string();
    assert!(error.contains("unknown variant `syslog`"), "{error}");
}

#[test]
fn validation_names_the_field_and_the_fix() {
    let cases = [
        ("sink: file\n", ConfigError::MissingPath),
        ("sink: file\npath: ''\n", ConfigError::EmptyPath),
        ("path: /tmp/e.jsonl\n", ConfigError::PathWithoutFile),
        ("queue_capacity: 0\n", ConfigError::QueueCapacity { got: 0, max: 1 << 20 }),
        ("queue_capacity: 2000000\n", ConfigError::QueueCapacity { got: 2_000_000, max: 1 << 20 }),
    ];
    for (yaml, expected) in cases {
        assert_eq!(parse(yaml).unwrap().validate(), Err(expected), "{yaml}");
    }
    assert_eq!(
        ConfigError::QueueCapacity { got: 0, max: 1 << 20 }.to_string(),
        "events.queue_capacity must be between 1 and 1048576, got 0"
    );
}

#[test]
fn serializes_back_to_the_same_shape() {
    let config = parse("sink: file\npath: /tmp/e.jsonl\n").unwrap();
    let yaml = serde_yaml_ng::to_string(&config).unwrap();
    assert_eq!(yaml, "sink: file\npath: /tmp/e.jsonl\nqueue_capacity: 8192\n");
}
