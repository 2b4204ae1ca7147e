//! Text output: findings grouped by resource, optionally coloured.

use std::fmt::Write;

use super::Summary;
use crate::finding::{Finding, Severity};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

fn colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "\x1b[1;35m",
        Severity::High => "\x1b[1;31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
    }
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// Renders findings grouped by resource, then the summary; ANSI colour when `colour`.
pub fn render(findings: &[Finding], summary: &Summary, colour_on: bool) -> String {
    let style = Style { on: colour_on };
    let mut out = String::new();
    let mut previous: Option<(&str, usize)> = None;
    for f in findings {
        if previous != Some((f.file.as_str(), f.line)) {
            let name = match &f.resource.namespace {
                Some(ns) => format!("{} {}/{}", f.resource.kind, ns, f.resource.name),
                None => format!("{} {}", f.resource.kind, f.resource.name),
            };
            let _ = writeln!(
                out,
                "{}  {}",
                style.paint(BOLD, &name),
                style.paint(DIM, &format!("{}:{}", f.file, f.line))
            );
            previous = Some((f.file.as_str(), f.line));
        }
        let severity = format!("{:<8}", f.severity.as_str().to_ascii_uppercase());
        let _ = writeln!(
            out,
            "  {} {}  {}",
            style.paint(colour(f.severity), &severity),
            f.check,
            f.message
        );
        let _ =
            writeln!(out, "  {:<8} {}", "", style.paint(DIM, &format!("fix: {}", f.remediation)));
    }
    if !findings.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary_line(summary));
    out
}

fn summary_line(s: &Summary) -> String {
    let b = &s.by_severity;
    format!(
        "{} findings ({} critical, {} high, {} medium, {} low) in {} resources from {} files; \
         {} suppressed; {} at or above {}\n",
        s.findings,
        b.critical,
        b.high,
        b.medium,
        b.low,
        s.resources,
        s.files,
        s.suppressed,
        s.failing,
        s.fail_on
    )
}
