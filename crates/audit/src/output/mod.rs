//! Rendering a report: text for people, JSON for scripts, SARIF for code scanning.

pub mod docs;
pub mod json;
pub mod sarif;
pub mod text;

use serde::Serialize;

use crate::engine::Report;
use crate::finding::{Finding, PssLevel, PssVersion, Severity};
use crate::manifest::InputProblem;

/// Output format of `rampart audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped by resource, for a terminal or a log.
    Text,
    /// The documented JSON schema (`docs/audit.md`).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
    Sarif,
}

/// Counts shown after the findings and in JSON `summary`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Files (or stdin) read.
    pub files: usize,
    /// Resources examined.
    pub resources: usize,
    /// Findings reported (after suppressions).
    pub findings: usize,
    /// Findings per severity.
    pub by_severity: BySeverity,
    /// Findings dropped by suppressions.
    pub suppressed: usize,
    /// The `--fail-on` threshold.
    pub fail_on: Severity,
    /// Findings that count for the exit code.
    pub failing: usize,
    /// The `--pss-level` given, if any.
    pub pss_level: Option<PssLevel>,
    /// Pod Security version evaluated.
    pub pss_version: PssVersion,
    /// Inputs that could not be read or parsed.
    pub errors: Vec<InputProblem>,
}

/// Findings per severity.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BySeverity {
    /// Critical findings.
    pub critical: usize,
    /// High findings.
    pub high: usize,
    /// Medium findings.
    pub medium: usize,
    /// Low findings.
    pub low: usize,
}

/// Whether a finding counts for the exit code under `--fail-on` and `--pss-level`.
pub fn counts(finding: &Finding, fail_on: Severity, pss_level: Option<PssLevel>) -> bool {
    let in_scope = match pss_level {
        None => true,
        Some(level) => finding.pss.as_ref().is_some_and(|p| p.level <= level),
    };
    in_scope && finding.severity >= fail_on
}

impl Summary {
    /// Summarises a report.
    pub fn new(
        report: &Report,
        files: usize,
        errors: Vec<InputProblem>,
        fail_on: Severity,
        pss_level: Option<PssLevel>,
        pss_version: PssVersion,
    ) -> Summary {
        let mut by_severity = BySeverity::default();
        for f in &report.findings {
            match f.severity {
                Severity::Critical => by_severity.critical += 1,
                Severity::High => by_severity.high += 1,
                Severity::Medium => by_severity.medium += 1,
                Severity::Low => by_severity.low += 1,
            }
        }
        let failing = report.findings.iter().filter(|f| counts(f, fail_on, pss_level)).count();
        Summary {
            files,
            resources: report.resources,
            findings: report.findings.len(),
            by_severity,
            suppressed: report.suppressed,
            fail_on,
            failing,
            pss_level,
            pss_version,
            errors,
        }
    }
}
