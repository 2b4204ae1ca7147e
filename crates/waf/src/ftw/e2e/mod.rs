//! The end-to-end runner: every test stage goes over a real socket to a running `rampart
//! serve`, and the rule ids come back from the gateway's `waf` events, found by request id.
//!
//! A run has three steps. A probe request checks that the target answers and that its events
//! reach the given file. Then every stage is sent, in corpus order, with `X-Request-Id:
//! ftw-<test>-<stage>`. Last, a sentinel request: the gateway writes events in order, so once
//! the sentinel's event is in the file, every event of the run is too, and the stages are
//! judged exactly as in-process. Failures are told apart by the layer that caused them
//! ([`FailureKind`]).

mod events;
mod wire;

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::corpus::{Case, Corpus, Plan};
use super::model::{Input, Output};
use super::report::FailureKind;
use super::stage::{judge, Observed, TestResult};
use super::{http, FtwError, FtwOptions, FtwSummary};
use events::{EventFile, Seen};
use wire::Reply;

/// Where the gateway under test listens and writes its events.
#[derive(Debug, Clone)]
pub struct EndToEndOptions {
    /// `http://HOST:PORT` (or `HOST:PORT`) of a plain-HTTP listener of `rampart serve`.
    pub target: String,
    /// The gateway's event file (`events: {sink: file, path: ...}`).
    pub events: PathBuf,
    /// How long to wait for each response, and for the run's events to reach the file.
    pub timeout: Duration,
}

/// The path that makes the gateway deny a request with an event of its own (`%00` in a path
/// is refused before routing), whatever its routes and WAF rules are.
const MARKER_PATH: &str = "/ftw-marker/%00";

/// Runs the tests through the gateway at `target` and writes the report to `out`: the
/// in-process report, plus the failures grouped by kind.
pub fn run_end_to_end(
    options: &FtwOptions,
    target: &EndToEndOptions,
    out: &mut dyn Write,
) -> Result<FtwSummary, FtwError> {
    let address = resolve(&target.target)?;
    let mut summary = FtwSummary { end_to_end: true, ..FtwSummary::default() };
    let corpus = Corpus::load(options, out, &mut summary)?;
    let mut events = EventFile::at_end(&target.events, "ftw-")?;
    let nonce = nonce();

    let probe = format!("ftw-probe-{nonce}");
    marker(address, &probe, target)?;
    events.wait_for(&probe, target.timeout)?;

    let cases = corpus.cases();
    let replies: Vec<Vec<Reply>> = cases.iter().map(|case| send(address, case, target)).collect();

    let sentinel = format!("ftw-sentinel-{nonce}");
    marker(address, &sentinel, target)?;
    events.wait_for(&sentinel, target.timeout)?;
    if events.broken_lines() > 0 {
        let path = target.events.display();
        let count = events.broken_lines();
        writeln!(out, "WARNING {path}: {count} lines are not JSON events (see the gateway's log)")?;
    }

    for (case, replies) in cases.iter().zip(&replies) {
        match case.plan {
            Plan::Skip(reason) => summary.record_skip(&case.name, case.path, case.family, reason),
            Plan::Run(replaced) => {
                let result = judge_case(case, replaced, replies, &events);
                summary.record(&case.name, case.path, case.family, result);
            }
        }
    }
    summary.write(out, options.show_failures)?;
    Ok(summary)
}

fn resolve(target: &str) -> Result<SocketAddr, FtwError> {
    let fail = |reason: String| FtwError::Target { target: target.to_owned(), reason };
    if target.starts_with("https://") {
        return Err(fail("only plain-HTTP listeners are supported; use http://".into()));
    }
    let authority = target.strip_prefix("http://").unwrap_or(target).trim_end_matches('/');
    let mut addresses =
        authority.to_socket_addrs().map_err(|e| fail(format!("not a HOST:PORT address ({e})")))?;
    addresses.next().ok_or_else(|| fail("the host name has no address".into()))
}

/// A number that tells this run's marker requests from those of other runs.
fn nonce() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// Sends a request the gateway itself denies, with an event, and checks it answered as rampart.
fn marker(address: SocketAddr, id: &str, target: &EndToEndOptions) -> Result<(), FtwError> {
    let request = format!(
        "GET {MARKER_PATH} HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: {id}\r\n\
         Connection: close\r\n\r\n"
    );
    let reply = wire::exchange(address, request.as_bytes(), target.timeout);
    let fail = |reason: String| FtwError::Target { target: target.target.clone(), reason };
    match (&reply.status, &reply.request_id, &reply.error) {
        (Some(_), Some(echoed), _) if echoed == id => Ok(()),
        (Some(status), _, _) => {
            Err(fail(format!("answered {status} without our X-Request-Id: is it rampart?")))
        }
        (None, _, Some(error)) => Err(fail(error.clone())),
        (None, _, None) => Err(fail("no response".into())),
    }
}

/// The request id of a stage.
fn stage_id(case: &Case<'_>, stage: usize) -> String {
    format!("ftw-{}-{stage}", case.name)
}

/// Sends every stage of a test (skipped tests send nothing).
fn send(address: SocketAddr, case: &Case<'_>, target: &EndToEndOptions) -> Vec<Reply> {
    if matches!(case.plan, Plan::Skip(_)) {
        return Vec::new();
    }
    let stages = case.test.stages.iter().enumerate();
    stages
        .map(|(i, stage)| {
            let bytes = wire::with_request_id(&http::build(&stage.input), &stage_id(case, i));
            wire::exchange(address, &bytes, target.timeout)
        })
        .collect()
}

/// Judges the stages in order; the first failing stage decides.
fn judge_case(
    case: &Case<'_>,
    replaced: Option<&Output>,
    replies: &[Reply],
    events: &EventFile<'_>,
) -> TestResult {
    for (i, (stage, reply)) in case.test.stages.iter().zip(replies).enumerate() {
        let id = stage_id(case, i);
        let seen = events.of(&id);
        let observed = observe(reply, &id, seen);
        let expected = replaced.unwrap_or(&stage.output);
        let mut result = judge(expected, &observed);
        if !result.passed {
            classify(&mut result, case, &stage.input, reply, &observed, seen);
            return result;
        }
    }
    TestResult { passed: true, ..TestResult::default() }
}

/// What a stage produced, from its reply and its events.
fn observe(reply: &Reply, id: &str, seen: &[Seen]) -> Observed {
    let waf = seen.iter().filter(|s| s.event_type == "waf");
    let mut ids: Vec<u64> = Vec::new();
    let mut log = String::new();
    for event in waf {
        ids.extend(&event.rule_ids);
        log.push_str(&log_text(event));
    }
    Observed {
        status: reply.status.unwrap_or(0),
        ids,
        log,
        body: reply.body.clone(),
        http_error: reply.request_id.as_deref() != Some(id),
    }
}

/// Log lines for the regex expectations, from what a `waf` event carries: every rule id, and
/// message, variable and value for the matches it describes. ModSecurity's `logdata` text
/// (`Matched Data: ... found within ...`) is not in events.
fn log_text(event: &Seen) -> String {
    let mut out = String::new();
    for (id, msg, variable, value) in &event.matches {
        out.push_str(&format!(
            "[id \"{id}\"] [msg \"{msg}\"] [variable \"{variable}\"] [value \"{value}\"]\n"
        ));
    }
    for id in event.rule_ids.iter().skip(event.matches.len()) {
        out.push_str(&format!("[id \"{id}\"]\n"));
    }
    out
}

/// Names the layer a failure comes from, and puts the reason first in its notes.
fn classify(
    result: &mut TestResult,
    case: &Case<'_>,
    input: &Input,
    reply: &Reply,
    observed: &Observed,
    seen: &[Seen],
) {
    let denial = seen.iter().find(|s| s.event_type != "waf");
    let (kind, reason) = if observed.http_error {
        let reason = match (reply.status, &reply.error) {
            (Some(status), _) => format!("refused by the HTTP layer: {status}"),
            (None, Some(error)) => format!("refused by the HTTP layer: {error}"),
            (None, None) => "refused by the HTTP layer: no response".to_owned(),
        };
        (FailureKind::HttpLayer, reason)
    } else if let Some(denial) = denial {
        let status = denial.status.unwrap_or_default();
        let why = denial.reason.as_deref().unwrap_or(&denial.event_type);
        let kind = FailureKind::Gateway;
        (kind, format!("denied by the gateway before the WAF: {status} {why}"))
    } else if case.family == "980" {
        let reason = "needs the logging phase (phase 5): enable response inspection on the route";
        (FailureKind::ResponseInspection, reason.to_owned())
    } else if needs_response_inspection(case, input, result) {
        let reason = "needs response inspection (phases 3 and 4): enable it on the route";
        (FailureKind::ResponseInspection, reason.to_owned())
    } else if result.missing.is_empty()
        && result.unexpected.is_empty()
        && result.notes.iter().all(|n| n.starts_with("log "))
    {
        (FailureKind::LogText, "a log regex: events carry no logdata text".to_owned())
    } else {
        (FailureKind::Rules, String::new())
    };
    result.kind = kind;
    if !reason.is_empty() {
        result.notes.insert(0, reason);
    }
}

/// Whether a test is about responses: a response rule family (95x), an expected response rule
/// id, or the albedo reflection endpoint.
fn needs_response_inspection(case: &Case<'_>, input: &Input, result: &TestResult) -> bool {
    let response_rule = |id: &u64| (950_000..960_000).contains(id);
    let reflect = input.uri.as_deref().is_some_and(|uri| uri.starts_with("/reflect"));
    case.family.starts_with("95") || reflect || result.missing.iter().any(response_rule)
}
