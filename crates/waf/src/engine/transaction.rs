//! One HTTP transaction going through the phases: the public API the gateway calls.

use std::collections::{BTreeMap, HashMap};

use rampart_waf_ops::Operator;

use super::types::{AnomalyScores, InspectionStats, Intervention, RuleMatch, TransactionInfo};
use super::WafEngine;
use crate::rule::action::{BodyProcessor, Ctl, IdRange};
use crate::rule::{EngineMode, Exclusion, Variable};

/// A name/value list in arrival order (arguments, headers, cookies).
pub(crate) type Pairs = Vec<(String, Vec<u8>)>;

/// Persistent collections loaded by initcol, by variable.
pub(crate) type Persistent = HashMap<Variable, (String, crate::engine::store::Record)>;

/// A target removed from rules at run time by ctl.
#[derive(Debug, Clone)]
pub(crate) enum RemovedTarget {
    /// Rules by id.
    Ids(Vec<IdRange>, Exclusion),
    /// Rules by tag.
    Tag(String, Exclusion),
}

/// Everything the request body processors produced.
#[derive(Debug, Default)]
pub(crate) struct BodyState {
    pub raw: Vec<u8>,
    pub truncated: bool,
    pub processor: Option<BodyProcessor>,
    pub default_processor: Option<BodyProcessor>,
    pub error: Option<String>,
    pub args_post: Pairs,
    pub files: Vec<FileInfo>,
    pub part_headers: Pairs,
    pub multipart_names: Pairs,
    pub multipart_filenames: Pairs,
    pub multipart_flags: BTreeMap<&'static str, u8>,
    pub xml_text: Option<Vec<u8>>,
    pub xml_attr: Vec<Vec<u8>>,
    pub processed: bool,
}

/// An uploaded file seen in a multipart body.
#[derive(Debug, Clone)]
pub(crate) struct FileInfo {
    pub field: String,
    pub filename: Vec<u8>,
    pub size: usize,
}

/// The response side.
#[derive(Debug, Default)]
pub(crate) struct ResponseState {
    pub status: u16,
    pub protocol: String,
    pub headers: Pairs,
    pub body: Vec<u8>,
}

/// One HTTP transaction. Feed it the request (and response) in order; each `process_*` call
/// runs a phase and returns an intervention when a rule denies.
pub struct Transaction<'e> {
    pub(crate) engine: &'e WafEngine,
    pub(crate) info: TransactionInfo,
    pub(crate) started_micros: u64,
    pub(crate) mode: EngineMode,
    pub(crate) body_access: bool,
    pub(crate) response_body_access: bool,
    pub(crate) force_body_variable: bool,
    pub(crate) body_limit: u64,
    pub(crate) method: String,
    pub(crate) uri: String,
    pub(crate) protocol: String,
    pub(crate) path: Vec<u8>,
    /// REQUEST_URI, REQUEST_BASENAME and REQUEST_LINE, computed once with the request line.
    pub(crate) request_uri: Vec<u8>,
    pub(crate) basename: Vec<u8>,
    pub(crate) request_line: Vec<u8>,
    pub(crate) query: String,
    pub(crate) request_headers: Pairs,
    pub(crate) cookies: Pairs,
    pub(crate) args_get: Pairs,
    pub(crate) urlencoded_error: bool,
    pub(crate) body: BodyState,
    pub(crate) response: ResponseState,
    pub(crate) tx: BTreeMap<String, Vec<u8>>,
    pub(crate) env: BTreeMap<String, Vec<u8>>,
    pub(crate) persistent: Persistent,
    pub(crate) matched_var: (String, Vec<u8>),
    pub(crate) matched_vars: Pairs,
    pub(crate) removed_ids: Vec<IdRange>,
    pub(crate) removed_tags: Vec<String>,
    pub(crate) removed_msgs: Vec<String>,
    pub(crate) removed_targets: Vec<RemovedTarget>,
    pub(crate) operators: HashMap<(usize, String), Operator>,
    pub(crate) matches: Vec<RuleMatch>,
    pub(crate) intervention: Option<Intervention>,
    pub(crate) allow_all: bool,
    pub(crate) allow_request: bool,
    pub(crate) highest_severity: Option<u8>,
    pub(crate) phases_run: [bool; 6],
    pub(crate) response_body_ready: bool,
    pub(crate) current_rule_id: u64,
    pub(crate) transform_cache: super::cache::TransformCache,
    pub(crate) stats: InspectionStats,
}

impl<'e> Transaction<'e> {
    pub(crate) fn new(engine: &'e WafEngine, info: TransactionInfo) -> Transaction<'e> {
        let settings = &engine.rules.settings;
        Transaction {
            engine,
            started_micros: engine.now_micros(),
            mode: settings.engine_mode,
            body_access: settings.request_body_access,
            response_body_access: settings.response_body_access,
            force_body_variable: false,
            body_limit: settings.request_body_limit,
            info,
            method: String::new(),
            uri: String::new(),
            protocol: String::new(),
            path: Vec::new(),
            request_uri: Vec::new(),
            basename: Vec::new(),
            request_line: Vec::new(),
            query: String::new(),
            request_headers: Vec::new(),
            cookies: Vec::new(),
            args_get: Vec::new(),
            urlencoded_error: false,
            body: BodyState::default(),
            response: ResponseState::default(),
            tx: BTreeMap::new(),
            env: BTreeMap::new(),
            persistent: HashMap::new(),
            matched_var: (String::new(), Vec::new()),
            matched_vars: Vec::new(),
            removed_ids: Vec::new(),
            removed_tags: Vec::new(),
            removed_msgs: Vec::new(),
            removed_targets: Vec::new(),
            operators: HashMap::new(),
            matches: Vec::new(),
            intervention: None,
            allow_all: false,
            allow_request: false,
            highest_severity: None,
            phases_run: [false; 6],
            response_body_ready: false,
            current_rule_id: 0,
            transform_cache: Default::default(),
            stats: InspectionStats::default(),
        }
    }

    /// Sets the request line; call first.
    pub fn process_request_line(&mut self, method: &str, uri: &str, protocol: &str) {
        self.set_request_line(method, uri, protocol);
    }

    /// Adds one request header (repeat for each, in order).
    pub fn add_request_header(&mut self, name: &str, value: &[u8]) {
        self.push_request_header(name, value);
    }

    /// Runs phase 1 (request headers).
    pub fn process_request_headers(&mut self) -> Option<Intervention> {
        self.run_phase(1)
    }

    /// Appends request body bytes; bytes past the body limit are dropped and flagged.
    pub fn append_request_body(&mut self, chunk: &[u8]) {
        self.push_request_body(chunk);
    }

    /// Parses the request body and runs phase 2 (request body).
    pub fn process_request_body(&mut self) -> Option<Intervention> {
        if let Some(i) = self.check_body_limit() {
            return Some(i);
        }
        self.process_body();
        self.run_phase(2)
    }

    /// Sets the response status line; call before the response headers.
    pub fn process_response_status(&mut self, status: u16, protocol: &str) {
        self.response.status = status;
        self.response.protocol = protocol.to_string();
    }

    /// Adds one response header.
    pub fn add_response_header(&mut self, name: &str, value: &[u8]) {
        self.response.headers.push((name.to_string(), value.to_vec()));
    }

    /// Runs phase 3 (response headers).
    pub fn process_response_headers(&mut self) -> Option<Intervention> {
        self.run_phase(3)
    }

    /// Appends response body bytes, up to SecResponseBodyLimit.
    pub fn append_response_body(&mut self, chunk: &[u8]) {
        let limit = self.engine.rules.settings.response_body_limit as usize;
        let room = limit.saturating_sub(self.response.body.len());
        self.response.body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }

    /// Runs phase 4 (response body) when response body inspection applies.
    pub fn process_response_body(&mut self) -> Option<Intervention> {
        self.response_body_ready = true;
        self.run_phase(4)
    }

    /// Runs phase 5 (logging) and saves persistent collections.
    pub fn process_logging(&mut self) {
        self.run_phase(5);
        self.save_persistent();
    }

    /// The rules that matched so far, in order.
    pub fn matches(&self) -> &[RuleMatch] {
        &self.matches
    }

    /// The intervention decided so far, if any.
    pub fn intervention(&self) -> Option<&Intervention> {
        self.intervention.as_ref()
    }

    /// The CRS anomaly scores held in TX.
    pub fn anomaly_scores(&self) -> AnomalyScores {
        let get = |k: &str| {
            self.tx
                .get(k)
                .and_then(|v| std::str::from_utf8(v).ok()?.trim().parse().ok())
                .unwrap_or(0)
        };
        AnomalyScores {
            inbound: get("blocking_inbound_anomaly_score"),
            outbound: get("blocking_outbound_anomaly_score"),
            detection_inbound: get("detection_inbound_anomaly_score"),
            detection_outbound: get("detection_outbound_anomaly_score"),
        }
    }

    /// A TX variable's value (for tests and diagnostics).
    pub fn tx_var(&self, name: &str) -> Option<&[u8]> {
        self.tx.get(&name.to_ascii_lowercase()).map(Vec::as_slice)
    }

    /// How much work the rules did so far in this transaction.
    pub fn stats(&self) -> InspectionStats {
        self.stats
    }

    /// The engine mode in force (after any ctl:ruleEngine).
    pub fn mode(&self) -> EngineMode {
        self.mode
    }

    pub(crate) fn apply_ctl(&mut self, ctl: &Ctl) {
        match ctl {
            Ctl::RuleRemoveById(ranges) => self.removed_ids.extend(ranges.iter().copied()),
            Ctl::RuleRemoveByTag(tag) => self.removed_tags.push(tag.clone()),
            Ctl::RuleRemoveByMsg(msg) => self.removed_msgs.push(msg.clone()),
            Ctl::RuleRemoveTargetById(ids, ex) => self
                .removed_targets
                .extend(ex.iter().map(|e| RemovedTarget::Ids(ids.clone(), e.clone()))),
            Ctl::RuleRemoveTargetByTag(tag, ex) => self
                .removed_targets
                .extend(ex.iter().map(|e| RemovedTarget::Tag(tag.clone(), e.clone()))),
            Ctl::RuleEngine(mode) => self.mode = *mode,
            Ctl::RequestBodyProcessor(p) => self.body.processor = Some(*p),
            Ctl::RequestBodyAccess(on) => self.body_access = *on,
            Ctl::ResponseBodyAccess(on) => self.response_body_access = *on,
            Ctl::ForceRequestBodyVariable(on) => self.force_body_variable = *on,
            Ctl::RequestBodyLimit(n) => self.body_limit = *n,
            Ctl::NoOp(_) => {}
        }
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        self.save_persistent();
    }
}
