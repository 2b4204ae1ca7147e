//! Reads the gateway's event file (one JSON object per line) from where the run started, and
//! indexes the events of the run's requests by request id.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::super::FtwError;

/// How often the file is read again while waiting for an event.
const POLL: Duration = Duration::from_millis(20);

/// Longest event line kept; longer lines (not the gateway's) are skipped.
const MAX_LINE: usize = 1024 * 1024;

/// One event of a request, reduced to what the runner judges.
#[derive(Debug, Clone, Default)]
pub(super) struct Seen {
    /// `waf`, `request_denied`, `upstream_failure`, ...
    pub event_type: String,
    /// The status the gateway answered with.
    pub status: Option<u64>,
    /// `details.rule_ids` (waf events).
    pub rule_ids: Vec<u64>,
    /// `details.reason` (denials).
    pub reason: Option<String>,
    /// `details.matches`: rule id, message, variable and value of the first matches.
    pub matches: Vec<(u64, String, String, String)>,
}

/// The file being read, from an offset on.
pub(super) struct EventFile<'a> {
    path: &'a Path,
    offset: u64,
    pending: Vec<u8>,
    prefix: String,
    by_id: HashMap<String, Vec<Seen>>,
    broken: usize,
}

impl<'a> EventFile<'a> {
    /// Starts at the current end of the file: earlier events belong to other runs.
    pub fn at_end(path: &'a Path, prefix: &str) -> Result<Self, FtwError> {
        let offset = std::fs::metadata(path)
            .map_err(|source| FtwError::Events { path: path.to_path_buf(), source })?
            .len();
        let prefix = prefix.to_owned();
        let by_id = HashMap::new();
        Ok(Self { path, offset, pending: Vec::new(), prefix, by_id, broken: 0 })
    }

    /// Reads until an event of request `id` has been read, or fails after `timeout`. The
    /// gateway writes events in order, so every event of an earlier request is read by then.
    pub fn wait_for(&mut self, id: &str, timeout: Duration) -> Result<(), FtwError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.read_new()?;
            if self.by_id.contains_key(id) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let path = self.path.to_path_buf();
                return Err(FtwError::EventsMissing { path, seconds: timeout.as_secs() });
            }
            std::thread::sleep(POLL);
        }
    }

    /// How many lines read were not JSON objects: events the gateway failed to write whole (a
    /// full disk, say); the requests they belonged to are judged without them.
    pub fn broken_lines(&self) -> usize {
        self.broken
    }

    /// The events of request `id`, in file order.
    pub fn of(&self, id: &str) -> &[Seen] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    fn read_new(&mut self) -> Result<(), FtwError> {
        let path = self.path;
        let error = |source| FtwError::Events { path: path.to_path_buf(), source };
        let mut file = std::fs::File::open(self.path).map_err(error)?;
        file.seek(SeekFrom::Start(self.offset)).map_err(error)?;
        let mut fresh = Vec::new();
        let read = file.read_to_end(&mut fresh).map_err(error)?;
        self.offset += read as u64;
        self.pending.extend_from_slice(&fresh);

        // A line the writer has not finished yet stays pending.
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            self.index(&line);
        }
        if self.pending.len() > MAX_LINE {
            self.pending.clear();
        }
        Ok(())
    }

    fn index(&mut self, line: &[u8]) {
        let Ok(event) = serde_json::from_slice::<Value>(line) else {
            self.broken += 1;
            return;
        };
        let Some(id) = event["request_id"].as_str() else { return };
        if !id.starts_with(&self.prefix) {
            return;
        }
        let seen = reduce(&event);
        self.by_id.entry(id.to_owned()).or_default().push(seen);
    }
}

fn reduce(event: &Value) -> Seen {
    let details = &event["details"];
    let rule_ids = details["rule_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let matches = details["matches"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|m| {
                    let id = m["rule_id"].as_u64().unwrap_or_default();
                    (id, text(&m["msg"]), text(&m["variable"]), text(&m["value"]))
                })
                .collect()
        })
        .unwrap_or_default();
    Seen {
        event_type: text(&event["event_type"]),
        status: event["status"].as_u64(),
        rule_ids,
        reason: details["reason"].as_str().map(str::to_owned),
        matches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_the_run_and_waits_for_partial_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, "{\"request_id\":\"ftw-old\",\"event_type\":\"waf\"}\n").unwrap();
        let mut file = EventFile::at_end(&path, "ftw-").unwrap();

        let waf = concat!(
            r#"{"event_type":"waf","request_id":"ftw-1-0","status":200,"details":"#,
            r#"{"rule_ids":[1,2],"matches":[{"rule_id":1,"msg":"m","variable":"ARGS:a","#,
            r#""value":"v"}]}}"#
        );
        let other = r#"{"event_type":"waf","request_id":"other","details":{}}"#;
        let partial = r#"{"event_type":"request_denied","request_id":"ftw-end","#;
        let text = format!("{waf}\n{other}\n{partial}");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .unwrap();
        assert!(file.wait_for("ftw-end", Duration::ZERO).is_err());
        assert!(file.of("ftw-old").is_empty(), "events before the run are not read");
        assert_eq!(file.of("ftw-1-0")[0].rule_ids, [1, 2]);
        assert_eq!(file.of("ftw-1-0")[0].matches[0].2, "ARGS:a");
        assert!(file.of("other").is_empty());
        assert_eq!(file.broken_lines(), 0);

        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| {
                std::io::Write::write_all(
                    &mut f,
                    br#""status":400,"details":{"reason":"x"}}
"#,
                )
            })
            .unwrap();
        file.wait_for("ftw-end", Duration::ZERO).unwrap();
        assert_eq!(file.of("ftw-end")[0].reason.as_deref(), Some("x"));
        assert_eq!(file.of("ftw-end")[0].status, Some(400));

        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"cut\n"))
            .unwrap();
        assert!(file.wait_for("ftw-never", Duration::ZERO).is_err());
        assert_eq!(file.broken_lines(), 1);
    }
}
