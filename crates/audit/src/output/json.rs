//! The JSON output: `{"findings": [...], "summary": {...}}` (schema in docs/audit.md).

use serde::Serialize;

use super::Summary;
use crate::finding::Finding;
use crate::reach::NamespaceReach;

/// The JSON document.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Findings in report order.
    pub findings: &'a [Finding],
    /// Counts and input errors.
    pub summary: &'a Summary,
    /// Per-namespace NetworkPolicy summary: who may reach each workload.
    pub network: &'a [NamespaceReach],
}

/// Renders the JSON output, pretty-printed, with a trailing newline.
pub fn render(
    findings: &[Finding],
    summary: &Summary,
    network: &[NamespaceReach],
) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&JsonReport { findings, summary, network })?;
    text.push('\n');
    Ok(text)
}
