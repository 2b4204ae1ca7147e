//! The go-ftw YAML test format and rampart's overrides file.

use serde::Deserialize;
use serde_yaml_ng::Value;

/// One test file: tests for one rule.
#[derive(Debug, Deserialize)]
pub struct TestFile {
    /// The rule the tests are about (0 when the file holds no tests).
    #[serde(default)]
    pub rule_id: u64,
    /// The tests.
    #[serde(default)]
    pub tests: Vec<Test>,
}

/// One test: stages run in order against one engine.
#[derive(Debug, Deserialize)]
pub struct Test {
    /// The test number within the file.
    pub test_id: u64,
    /// What the test checks.
    #[serde(default)]
    pub desc: Option<String>,
    /// The stages.
    #[serde(default)]
    pub stages: Vec<Stage>,
}

/// One request and what it should produce.
#[derive(Debug, Deserialize)]
pub struct Stage {
    /// The request.
    pub input: Input,
    /// The expectations.
    pub output: Output,
}

/// A request as go-ftw describes it.
#[derive(Debug, Deserialize, Default)]
pub struct Input {
    /// Destination address (unused in-process).
    pub dest_addr: Option<String>,
    /// Destination port (SERVER_PORT).
    pub port: Option<u16>,
    /// Method, GET by default.
    pub method: Option<String>,
    /// URI, `/` by default.
    pub uri: Option<String>,
    /// Version, HTTP/1.1 by default.
    pub version: Option<String>,
    /// Headers in file order.
    pub headers: Option<serde_yaml_ng::Mapping>,
    /// Body text (may use `{{ "x" | repeat N }}`).
    pub data: Option<String>,
    /// Body in base64.
    pub encoded_data: Option<String>,
    /// Whole request in base64, sent as is.
    pub encoded_request: Option<String>,
    /// Whole request as text, sent as is.
    pub raw_request: Option<String>,
    /// Add Content-Length, Connection and encode form data (default true).
    pub autocomplete_headers: Option<bool>,
    /// Unused in-process.
    pub protocol: Option<String>,
    /// Unused in-process.
    pub stop_magic: Option<bool>,
    /// Unused in-process.
    pub save_cookie: Option<bool>,
    /// Unused in-process.
    pub retry_once: Option<bool>,
}

/// What a stage should produce.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct Output {
    /// Expected status (one or several).
    pub status: Option<Value>,
    /// Expectations on the log.
    pub log: Option<LogExpect>,
    /// Regex the log must match (old format).
    pub log_contains: Option<String>,
    /// Regex the log must not match (old format).
    pub no_log_contains: Option<String>,
    /// Text the response must contain.
    pub response_contains: Option<String>,
    /// Whether the request is expected to fail at the HTTP layer.
    pub expect_error: Option<bool>,
}

/// Expectations on the rules logged.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct LogExpect {
    /// Ids that must be logged.
    #[serde(default)]
    pub expect_ids: Vec<u64>,
    /// Ids that must not be logged.
    #[serde(default)]
    pub no_expect_ids: Vec<u64>,
    /// Regex the log must match.
    pub match_regex: Option<String>,
    /// Regex the log must not match.
    pub no_match_regex: Option<String>,
}

/// The overrides file: tests that do not pass in-process, each with its reason.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Free-form description of the file.
    #[serde(default)]
    pub meta: Option<Value>,
    /// Version string (ignored).
    #[serde(default)]
    pub version: Option<String>,
    /// The overrides.
    #[serde(default)]
    pub test_overrides: Vec<TestOverride>,
}

/// One override: replaces the expected output of some tests, or skips them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestOverride {
    /// The rule whose tests are overridden.
    pub rule_id: u64,
    /// The tests (all of the rule's tests when empty).
    #[serde(default)]
    pub test_ids: Vec<u64>,
    /// Why: an HTTP-layer difference, never an engine bug.
    pub reason: String,
    /// The output expected instead; when absent the tests are skipped.
    #[serde(default)]
    pub output: Option<Output>,
}
