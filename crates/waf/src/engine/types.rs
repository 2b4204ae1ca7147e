//! The public values a transaction hands to its caller.

use std::net::IpAddr;

/// Who and what a transaction is about, given by the caller when it starts.
#[derive(Debug, Clone)]
pub struct TransactionInfo {
    /// The client address (REMOTE_ADDR).
    pub client_ip: IpAddr,
    /// The client port (REMOTE_PORT).
    pub client_port: u16,
    /// The port the request arrived on (SERVER_PORT).
    pub server_port: u16,
    /// The request id, used as UNIQUE_ID.
    pub request_id: String,
}

/// What the caller must do when a rule denies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterventionAction {
    /// Answer with the status and stop.
    Deny,
    /// Close the connection without an answer.
    Drop,
    /// Redirect to this URL.
    Redirect(String),
}

/// A decision to stop the transaction, returned by the `process_*` calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    /// The HTTP status to answer with.
    pub status: u16,
    /// What to do.
    pub action: InterventionAction,
    /// The rule that decided (0 for the engine's own limits).
    pub rule_id: u64,
}

/// One rule (chain) that matched, for events and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// The rule id.
    pub rule_id: u64,
    /// The phase it ran in.
    pub phase: u8,
    /// `msg`, expanded.
    pub msg: String,
    /// `logdata`, expanded.
    pub logdata: String,
    /// `severity` (0 emergency .. 7 debug).
    pub severity: Option<u8>,
    /// `tag`s.
    pub tags: Vec<String>,
    /// The name of the variable that matched last (`ARGS:q`).
    pub variable: String,
    /// The value that matched last, after transformations.
    pub value: Vec<u8>,
    /// Whether the rule logs (not `nolog`).
    pub logged: bool,
}

/// The CRS anomaly scores as the TX collection holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnomalyScores {
    /// `tx.blocking_inbound_anomaly_score`.
    pub inbound: i64,
    /// `tx.blocking_outbound_anomaly_score`.
    pub outbound: i64,
    /// `tx.detection_inbound_anomaly_score`.
    pub detection_inbound: i64,
    /// `tx.detection_outbound_anomaly_score`.
    pub detection_outbound: i64,
}

/// How much work a transaction's rules did so far: for benchmarks, tests and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InspectionStats {
    /// (rule link, value) pairs evaluated.
    pub values_tested: u64,
    /// Operators run (one per pair that the prefilter did not rule out).
    pub operators_run: u64,
    /// Pairs whose operator was not run because the prefilter proved it cannot match.
    pub prefilter_skips: u64,
}
