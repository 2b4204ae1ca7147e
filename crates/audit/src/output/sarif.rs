//! SARIF 2.1.0 output, shaped for GitHub code scanning.

use serde_json::{json, Value};

use super::docs::{check_markdown, check_text};
use crate::checks::{self, Check};
use crate::finding::{Finding, Severity};

/// The SARIF schema URI written into the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` score (critical > 9, high 7-8.9, medium 4-6.9, low < 4).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn rule(check: &Check) -> Value {
    let mut tags =
        vec!["security".to_string(), "kubernetes".to_string(), check.family.title().to_string()];
    if let Some(pss) = check.pss {
        tags.push(format!("pss-{}", pss.level.as_str()));
    }
    json!({
        "id": check.id,
        "name": check.name,
        "shortDescription": { "text": check.summary },
        "fullDescription": { "text": check.doc.what },
        "help": { "text": check_text(check), "markdown": check_markdown(check) },
        "defaultConfiguration": { "level": level(check.severity) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": security_severity(check.severity),
        },
    })
}

/// A repository-relative URI for a file name: forward slashes, no `./`, spaces escaped.
pub fn artifact_uri(file: &str) -> String {
    if file == "-" {
        return "stdin".to_string();
    }
    let mut path = file.replace('\\', "/");
    if let Ok(cwd) = std::env::current_dir() {
        let prefix = format!("{}/", cwd.display());
        if let Some(rest) = path.strip_prefix(&prefix) {
            path = rest.to_string();
        }
    }
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    path.replace('%', "%25").replace(' ', "%20")
}

fn result(finding: &Finding, rule_index: usize) -> Value {
    let resource = &finding.resource;
    let name = match &resource.namespace {
        Some(ns) => format!("{} {}/{}", resource.kind, ns, resource.name),
        None => format!("{} {}", resource.kind, resource.name),
    };
    json!({
        "ruleId": finding.check,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": format!("{name}: {}. Fix: {}", finding.message, finding.remediation) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {
                    "uri": artifact_uri(&finding.file),
                    "uriBaseId": "%SRCROOT%",
                },
                "region": { "startLine": finding.line.max(1) },
            }
        }],
        "properties": { "resource": name },
    })
}

/// Renders the SARIF log for `findings`; all checks are listed as rules.
pub fn render(findings: &[Finding]) -> Result<String, serde_json::Error> {
    let all = checks::all();
    let rules: Vec<Value> = all.iter().map(|c| rule(c)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, all.iter().position(|c| c.id == f.check).unwrap_or(0)))
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "rampart",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}
