//! Runs one test's stages through a transaction and judges the outcome.

use super::albedo;
use super::http::{self, ParsedRequest};
use super::model::{Output, Test};
use super::report::FailureKind;
use crate::engine::{Transaction, TransactionInfo, WafEngine};

/// The outcome of one test.
#[derive(Debug, Clone, Default)]
pub struct TestResult {
    /// Whether every stage met its expectations.
    pub passed: bool,
    /// Ids expected but not logged, in the failing stage.
    pub missing: Vec<u64>,
    /// Ids logged though the test forbids them.
    pub unexpected: Vec<u64>,
    /// All ids logged in the failing stage.
    pub seen: Vec<u64>,
    /// Other reasons (status, regex).
    pub notes: Vec<String>,
    /// What kind of difference the failure is.
    pub kind: FailureKind,
}

/// What one stage produced.
pub(super) struct Observed {
    /// The status the client saw.
    pub status: u16,
    /// The rule ids logged.
    pub ids: Vec<u64>,
    /// ModSecurity-style log lines, for the regex expectations.
    pub log: String,
    /// The response body.
    pub body: Vec<u8>,
    /// Whether the HTTP layer refused the request before any rule ran.
    pub http_error: bool,
}

pub(super) fn run_test(
    engine: &WafEngine,
    test: &super::model::Test,
    name: &str,
    replaced: Option<&Output>,
) -> TestResult {
    run_stages(engine, test, name, replaced)
}

fn run_stages(
    engine: &WafEngine,
    test: &Test,
    name: &str,
    replaced: Option<&Output>,
) -> TestResult {
    for (i, stage) in test.stages.iter().enumerate() {
        let observed = run_stage(engine, &stage.input, &format!("{name}/{i}"));
        let expected = replaced.unwrap_or(&stage.output);
        let result = judge(expected, &observed);
        if !result.passed {
            return result;
        }
    }
    TestResult { passed: true, ..TestResult::default() }
}

fn run_stage(engine: &WafEngine, input: &super::model::Input, id: &str) -> Observed {
    let bytes = http::build(input);
    let request = match http::parse(&bytes) {
        Ok(r) => r,
        Err(_) => {
            return Observed {
                status: 400,
                ids: vec![],
                log: String::new(),
                body: vec![],
                http_error: true,
            }
        }
    };
    let info = TransactionInfo {
        client_ip: std::net::IpAddr::from([127, 0, 0, 1]),
        client_port: 50_000,
        server_port: input.port.unwrap_or(80),
        request_id: id.to_string(),
    };
    let mut tx = engine.transaction(info);
    let status = exchange(&mut tx, &request);
    let ids = logged_ids(&tx);
    let log = log_text(&tx, &request);
    Observed { status: status.0, ids, log, body: status.1, http_error: false }
}

/// Runs the phases; returns the status the client sees and the response body.
fn exchange(tx: &mut Transaction<'_>, req: &ParsedRequest) -> (u16, Vec<u8>) {
    tx.process_request_line(&req.method, &req.uri, &req.protocol);
    for (k, v) in &req.headers {
        tx.add_request_header(k, v);
    }
    if let Some(i) = tx.process_request_headers() {
        tx.process_logging();
        return (i.status, Vec::new());
    }
    tx.append_request_body(&req.body);
    if let Some(i) = tx.process_request_body() {
        tx.process_logging();
        return (i.status, Vec::new());
    }

    let response = albedo::respond(req);
    tx.process_response_status(response.status, "HTTP/1.1");
    for (k, v) in &response.headers {
        tx.add_response_header(k, v);
    }
    if let Some(i) = tx.process_response_headers() {
        tx.process_logging();
        return (i.status, Vec::new());
    }
    tx.append_response_body(&response.body);
    let status = match tx.process_response_body() {
        Some(i) => i.status,
        None => response.status,
    };
    tx.process_logging();
    (status, response.body)
}

fn logged_ids(tx: &Transaction<'_>) -> Vec<u64> {
    tx.matches().iter().filter(|m| m.logged).map(|m| m.rule_id).collect()
}

/// The error-log lines ModSecurity would write, for match_regex checks.
fn log_text(tx: &Transaction<'_>, req: &ParsedRequest) -> String {
    let mut out = String::new();
    for m in tx.matches().iter().filter(|m| m.logged) {
        let value = escape(&m.value);
        out.push_str(&format!(
            "ModSecurity: Warning. Matched \"{}\" against \"{}\" required. [id \"{}\"] \
             [msg \"{}\"] \
             [data \"{}\"] [severity \"{}\"]",
            value,
            m.variable,
            m.rule_id,
            escape(m.msg.as_bytes()),
            escape(m.logdata.as_bytes()),
            m.severity.unwrap_or(0)
        ));
        for tag in &m.tags {
            out.push_str(&format!(" [tag \"{tag}\"]"));
        }
        out.push_str(&format!(" [uri \"{}\"]\n", req.uri));
    }
    out
}

/// Escapes control and non-ASCII bytes as `\xNN`, as ModSecurity's log does.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x20..0x7f).contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Compares what a stage produced with what it should have produced.
pub(super) fn judge(expected: &Output, observed: &Observed) -> TestResult {
    let mut result =
        TestResult { passed: true, seen: observed.ids.clone(), ..TestResult::default() };
    if let Some(log) = &expected.log {
        result.missing =
            log.expect_ids.iter().copied().filter(|id| !observed.ids.contains(id)).collect();
        result.unexpected =
            log.no_expect_ids.iter().copied().filter(|id| observed.ids.contains(id)).collect();
        check_regex(&mut result, log.match_regex.as_deref(), &observed.log, true);
        check_regex(&mut result, log.no_match_regex.as_deref(), &observed.log, false);
    }
    check_regex(&mut result, expected.log_contains.as_deref(), &observed.log, true);
    check_regex(&mut result, expected.no_log_contains.as_deref(), &observed.log, false);
    if let Some(status) = &expected.status {
        let allowed = statuses(status);
        if !allowed.is_empty() && !allowed.contains(&observed.status) {
            result.notes.push(format!("status {} not in {allowed:?}", observed.status));
        }
    }
    if let Some(text) = &expected.response_contains {
        if !String::from_utf8_lossy(&observed.body).contains(text.as_str()) {
            result.notes.push(format!("response does not contain {text:?}"));
        }
    }
    if expected.expect_error == Some(true) && !observed.http_error {
        result.notes.push("expected an HTTP-level error".into());
    }
    result.passed =
        result.missing.is_empty() && result.unexpected.is_empty() && result.notes.is_empty();
    result
}

fn check_regex(result: &mut TestResult, pattern: Option<&str>, log: &str, must: bool) {
    let Some(pattern) = pattern else { return };
    match regex::Regex::new(pattern) {
        Ok(re) if re.is_match(log) != must => {
            let verb = if must { "does not match" } else { "matches" };
            result.notes.push(format!("log {verb} /{pattern}/"));
        }
        Ok(_) => {}
        Err(e) => result.notes.push(format!("invalid regex /{pattern}/: {e}")),
    }
}

fn statuses(value: &serde_yaml_ng::Value) -> Vec<u16> {
    match value {
        serde_yaml_ng::Value::Number(n) => n.as_u64().map(|n| n as u16).into_iter().collect(),
        serde_yaml_ng::Value::Sequence(s) => s.iter().flat_map(statuses).collect(),
        serde_yaml_ng::Value::String(s) => s.trim().parse().ok().into_iter().collect(),
        _ => Vec::new(),
    }
}
