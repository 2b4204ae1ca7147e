//! The inspect stage: a SecLang WAF (such as the OWASP CRS) on the request head and body, and,
//! when the route asks for it, on the upstream's response.
//!
//! Rules are compiled once per distinct route WAF config at load. Phases 1 and 2 run once the
//! request body has been read; with response inspection on, the transaction stays open in the
//! request context and phases 3, 4 and 5 run on the upstream's response (see `response`).

mod exchange;
mod response;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use rampart_events::{mask_secret, EventType, Severity};
use rampart_waf::{Intervention, LoadOptions, RuleMatch, Transaction, TransactionInfo, WafEngine};
use serde_json::{json, Value};

use super::{Denial, Flow, RequestContext, ResponseFuture, Stage, StageEvent, StageFuture};
use crate::config::model::{RouteWafConfig, WafMode, WafResponseConfig};
use crate::respond::ResponseBody;
use exchange::OpenTransaction;
pub use exchange::WafExchange;
use response::ResponseInspection;

/// Most rule matches described one by one in an event.
const MAX_MATCHES_IN_EVENT: usize = 20;

/// Longest matched value shown in an event, in bytes.
const MAX_VALUE_BYTES: usize = 64;

/// First id of the rules rampart adds around the user's rules.
const OWN_RULE_ID: u64 = 10_000_001;

/// Largest `response.max_body_bytes` accepted (64 MiB): responses are buffered up to it.
const MAX_RESPONSE_BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Runs a WAF engine over each request of a route (and its response, when configured).
#[derive(Debug)]
pub struct WafStage {
    engine: Arc<WafEngine>,
    mode: WafMode,
    response: Option<ResponseInspection>,
}

impl WafStage {
    /// A stage around a loaded engine, inspecting requests only.
    pub fn new(engine: Arc<WafEngine>, mode: WafMode) -> Self {
        Self { engine, mode, response: None }
    }

    /// Adds response inspection when `config.inspect` is on (the engine must have been loaded
    /// with the same config, see [`load_engine`]).
    pub fn with_response(mut self, config: &WafResponseConfig) -> Self {
        self.response = config.inspect.then(|| ResponseInspection::new(config));
        self
    }

    fn inspect(&self, ctx: &mut RequestContext, head: &http::request::Parts, body: &Bytes) -> Flow {
        let info = TransactionInfo {
            client_ip: ctx.client_ip,
            client_port: ctx.peer.port(),
            server_port: 0,
            request_id: ctx.request_id.to_str().unwrap_or_default().to_owned(),
        };
        let mut tx = OpenTransaction::start(self.engine.clone(), info);
        let intervention = tx.with(|tx| request_phases(tx, head, body));

        let (details, matched) = event_details(tx.get(), self.mode, false);
        if let Some(intervention) = intervention.filter(|_| self.mode == WafMode::Block) {
            return Flow::deny(denial(&intervention, details));
        }

        let event_index = matched.then(|| {
            let severity = Some(Severity::Medium);
            ctx.events.push(StageEvent { event_type: EventType::Waf, severity, details });
            ctx.events.len() - 1
        });
        if self.response.is_some() {
            ctx.waf_exchange = Some(WafExchange::new(tx, event_index));
        }
        Flow::Continue
    }
}

/// Feeds the request to the transaction and runs phases 1 and 2.
fn request_phases(
    tx: &mut Transaction<'_>,
    head: &http::request::Parts,
    body: &Bytes,
) -> Option<Intervention> {
    let target = head.uri.path_and_query().map_or("/", |p| p.as_str());
    tx.process_request_line(head.method.as_str(), target, protocol(head.version));
    if !head.headers.contains_key(http::header::HOST) {
        if let Some(authority) = head.uri.authority() {
            tx.add_request_header("host", authority.as_str().as_bytes());
        }
    }
    for (name, value) in &head.headers {
        tx.add_request_header(name.as_str(), value.as_bytes());
    }

    let intervention = tx.process_request_headers();
    if intervention.is_some() {
        return intervention;
    }
    tx.append_request_body(body);
    tx.process_request_body()
}

impl Stage for WafStage {
    fn name(&self) -> &'static str {
        "inspect_waf"
    }

    fn on_request<'a>(
        &'a self,
        _ctx: &'a mut RequestContext,
        _head: &'a http::request::Parts,
    ) -> StageFuture<'a> {
        Box::pin(std::future::ready(Flow::Continue))
    }

    fn inspects_body(&self) -> bool {
        true
    }

    fn on_body<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        head: &'a http::request::Parts,
        body: &'a Bytes,
    ) -> StageFuture<'a> {
        let flow = self.inspect(ctx, head, body);
        Box::pin(std::future::ready(flow))
    }

    fn inspects_response(&self) -> bool {
        self.response.is_some()
    }

    fn on_response<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
        response: http::Response<ResponseBody>,
    ) -> ResponseFuture<'a> {
        Box::pin(self.inspect_response(ctx, response))
    }
}

fn protocol(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_2 => "HTTP/2.0",
        _ => "HTTP/1.1",
    }
}

fn denial(intervention: &Intervention, details: Vec<(&'static str, Value)>) -> Denial {
    let status = StatusCode::from_u16(intervention.status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .unwrap_or(StatusCode::FORBIDDEN);
    let mut denial = Denial::new(
        status,
        "request_denied",
        "the request was denied by the web application firewall",
    )
    .event(EventType::Waf);
    denial.severity = Some(Severity::High);
    denial.details = details;
    denial.details.push(("deciding_rule_id", json!(intervention.rule_id)));
    denial
}

/// The fields of a `waf` event for what the transaction matched so far, and whether any logged
/// rule matched. `outbound` (the response phases ran) adds the outbound anomaly score and the
/// logging phase's matches (CRS 980170, the score correlation), which run after phase 4.
fn event_details(
    tx: &Transaction<'_>,
    mode: WafMode,
    outbound: bool,
) -> (Vec<(&'static str, Value)>, bool) {
    let matches: Vec<&RuleMatch> =
        tx.matches().iter().filter(|m| m.logged && (m.phase <= 4 || outbound)).collect();
    let scores = tx.anomaly_scores();
    let rule_ids: Vec<u64> = matches.iter().map(|m| m.rule_id).collect();
    let described: Vec<Value> = matches
        .iter()
        .take(MAX_MATCHES_IN_EVENT)
        .map(|m| {
            json!({
                "rule_id": m.rule_id,
                "phase": m.phase,
                "variable": m.variable,
                "value": shown_value(&m.variable, &m.value),
                "msg": m.msg,
            })
        })
        .collect();
    let mode = match mode {
        WafMode::Block => "block",
        WafMode::Detect => "detect",
        WafMode::Off => "off",
    };
    let mut details = vec![
        ("rule_ids", json!(rule_ids)),
        ("anomaly_score", json!(scores.inbound.max(scores.detection_inbound))),
        ("mode", json!(mode)),
        ("matches", Value::Array(described)),
    ];
    if outbound {
        let score = scores.outbound.max(scores.detection_outbound);
        details.push(("outbound_anomaly_score", json!(score)));
    }
    (details, !matches.is_empty())
}

/// A matched value for an event: truncated, and masked when it looks like a credential.
fn shown_value(variable: &str, value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let lowered = variable.to_ascii_lowercase();
    let credential_name = [
        "authorization",
        "cookie",
        "password",
        "passwd",
        "pwd",
        "token",
        "secret",
        "api_key",
        "apikey",
        "session",
    ]
    .iter()
    .any(|word| lowered.contains(word));
    let credential_value =
        text.starts_with("eyJ") || text.to_ascii_lowercase().starts_with("bearer ");
    if credential_name || credential_value {
        return mask_secret(&text);
    }

    let mut end = text.len().min(MAX_VALUE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end < text.len() {
        format!("{}...", &text[..end])
    } else {
        text.into_owned()
    }
}

/// Why a route's WAF config cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum WafConfigError {
    /// A rules entry is not a valid glob.
    #[error("`{pattern}` is not a valid file pattern: {reason}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// What is wrong.
        reason: String,
    },
    /// A rules entry matches no file.
    #[error("`{0}` matches no file")]
    NoFile(String),
    /// A setting is out of range.
    #[error("{0}")]
    Range(&'static str),
    /// The rules do not load (the message names file, line and directive).
    #[error("{0}")]
    Load(String),
    /// A `response` setting is invalid; `field` is its path below `waf.response`.
    #[error("{message}")]
    Response {
        /// The field, such as `mime_types[1]`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Loads the engine for one route WAF config, with rampart's preamble and the exclusions.
pub fn load_engine(
    config: &RouteWafConfig,
    base_dir: &Path,
    body_limit: u64,
) -> Result<WafEngine, WafConfigError> {
    if !(1..=4).contains(&config.paranoia_level) {
        return Err(WafConfigError::Range("paranoia_level must be 1, 2, 3 or 4"));
    }
    if config.anomaly_threshold == 0 {
        return Err(WafConfigError::Range("anomaly_threshold must be at least 1"));
    }

    if config.response.inspect {
        check_response(&config.response)?;
    }

    let files = resolve_rules(&config.rules, base_dir)?;
    let text = directives(config, &files, body_limit);
    let options = LoadOptions { base_dir: Some(base_dir.to_owned()), clock: None };
    WafEngine::from_str(&text, &options).map_err(|error| WafConfigError::Load(error.to_string()))
}

/// Checks the response settings that go into the engine's directives.
fn check_response(config: &WafResponseConfig) -> Result<(), WafConfigError> {
    let error = |field: String, message: String| WafConfigError::Response { field, message };
    if !(1..=MAX_RESPONSE_BODY_LIMIT).contains(&config.max_body_bytes) {
        return Err(error(
            "max_body_bytes".into(),
            format!("max_body_bytes must be between 1 and {MAX_RESPONSE_BODY_LIMIT}"),
        ));
    }
    if config.anomaly_threshold == 0 {
        return Err(error(
            "anomaly_threshold".into(),
            "anomaly_threshold must be at least 1".into(),
        ));
    }
    if config.mime_types.is_empty() {
        return Err(error("mime_types".into(), "list at least one media type".into()));
    }
    for (index, media_type) in config.mime_types.iter().enumerate() {
        if !response::is_media_type(media_type) {
            return Err(error(
                format!("mime_types[{index}]"),
                format!("`{media_type}` is not a media type such as `text/html`"),
            ));
        }
    }
    Ok(())
}

fn resolve_rules(patterns: &[String], base_dir: &Path) -> Result<Vec<PathBuf>, WafConfigError> {
    let mut files = Vec::new();
    for pattern in patterns {
        let full = base_dir.join(pattern);
        let text = full.to_string_lossy().into_owned();
        let entries = glob::glob(&text).map_err(|error| WafConfigError::Pattern {
            pattern: pattern.clone(),
            reason: error.msg.to_owned(),
        })?;
        let mut matched: Vec<PathBuf> =
            entries.filter_map(Result::ok).filter(|p| p.is_file()).collect();
        if matched.is_empty() {
            return Err(WafConfigError::NoFile(pattern.clone()));
        }
        matched.sort();
        files.extend(matched);
    }
    Ok(files)
}

/// The SecLang text of a route's WAF: engine settings, body processors, CRS settings, the
/// user's files, then the exclusions.
fn directives(config: &RouteWafConfig, files: &[PathBuf], body_limit: u64) -> String {
    let engine = if config.mode == WafMode::Block { "On" } else { "DetectionOnly" };
    let id = OWN_RULE_ID;
    let mut text = format!(
        "SecRuleEngine {engine}\n\
         SecRequestBodyAccess On\n\
         SecRequestBodyLimit {body_limit}\n\
         SecRequestBodyNoFilesLimit {body_limit}\n\
         SecRule REQUEST_HEADERS:Content-Type \"^(?:application(?:/soap\\+|/)|text/)xml\" \
         \"id:{},phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML\"\n\
         SecRule REQUEST_HEADERS:Content-Type \"^application/json\" \
         \"id:{},phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n\
         SecRule REQUEST_HEADERS:Content-Type \"^application/[a-z0-9.-]+[+]json\" \
         \"id:{},phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n\
         SecRule REQBODY_ERROR \"!@eq 0\" \
         \"id:{},phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body'\"\n\
         SecRule MULTIPART_STRICT_ERROR \"!@eq 0\" \
         \"id:{},phase:2,t:none,log,deny,status:400,msg:'Multipart body failed strict validation'\"\n\
         SecAction \"id:{},phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level={}\"\n\
         SecAction \"id:{},phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold={}\"\n",
        id,
        id + 1,
        id + 2,
        id + 3,
        id + 4,
        id + 5,
        config.paranoia_level,
        id + 6,
        config.anomaly_threshold,
    );
    if config.response.inspect {
        text.push_str(&response_directives(&config.response, id + 7));
    }
    for file in files {
        text.push_str(&format!("Include \"{}\"\n", file.display()));
    }
    let exclusions = &config.exclusions;
    for rule_id in &exclusions.remove_rule_ids {
        text.push_str(&format!("SecRuleRemoveById {rule_id}\n"));
    }
    for tag in &exclusions.remove_tags {
        text.push_str(&format!("SecRuleRemoveByTag \"{}\"\n", tag.replace('"', "\\\"")));
    }
    for target in &exclusions.remove_targets {
        let variable = target.target.replace('"', "\\\"");
        text.push_str(&format!("SecRuleUpdateTargetById {} \"!{variable}\"\n", target.rule_id));
    }
    text
}

/// Response body access, its media types and limit (inspect the prefix, pass the rest), and
/// the CRS outbound threshold.
fn response_directives(config: &WafResponseConfig, rule_id: u64) -> String {
    let types: Vec<String> = config.mime_types.iter().map(|t| t.to_ascii_lowercase()).collect();
    format!(
        "SecResponseBodyAccess On\n\
         SecResponseBodyMimeType {}\n\
         SecResponseBodyLimit {}\n\
         SecResponseBodyLimitAction ProcessPartial\n\
         SecAction \"id:{rule_id},phase:1,pass,t:none,nolog,\
         setvar:tx.outbound_anomaly_score_threshold={}\"\n",
        types.join(" "),
        config.max_body_bytes,
        config.anomaly_threshold,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_and_long_values_cut() {
        assert_eq!(
            shown_value("REQUEST_HEADERS:Authorization", b"Bearer abcdefghijklmnopqrstuvwxyz"),
            mask_secret("Bearer abcdefghijklmnopqrstuvwxyz")
        );
        assert_eq!(shown_value("ARGS:password", b"hunter2"), mask_secret("hunter2"));
        assert_eq!(
            shown_value("ARGS:q", b"eyJhbGciOiJIUzI1NiJ9.x.y"),
            mask_secret("eyJhbGciOiJIUzI1NiJ9.x.y")
        );
        let long = "a".repeat(100);
        assert_eq!(shown_value("ARGS:q", long.as_bytes()), format!("{}...", &long[..64]));
        assert_eq!(shown_value("ARGS:q", b"' or 1=1--"), "' or 1=1--");
    }
}
