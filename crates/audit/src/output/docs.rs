//! Check documentation as Markdown: the reference in docs/audit.md and SARIF rule help.

use std::fmt::Write;

use crate::checks::{self, Check, Family};
use crate::finding::LATEST_PSS_MINOR;

/// Marker lines around the generated part of docs/audit.md.
pub const BEGIN_MARKER: &str = "<!-- BEGIN GENERATED CHECKS (cargo test -p rampart-audit) -->";
/// End marker of the generated part.
pub const END_MARKER: &str = "<!-- END GENERATED CHECKS -->";

/// "v1.0+" or "v1.19+ (changed in v1.25)".
pub fn versions_text(versions: &[u32]) -> String {
    let Some((first, rest)) = versions.split_first() else { return String::new() };
    if rest.is_empty() {
        return format!("v1.{first}+");
    }
    let changed: Vec<String> = rest.iter().map(|v| format!("v1.{v}")).collect();
    format!("v1.{first}+ (changed in {})", changed.join(", "))
}

/// The help of one check, with the fixed headings.
pub fn check_markdown(check: &Check) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "**Severity:** {}", check.severity);
    if let Some(pss) = check.pss {
        let _ = writeln!(
            out,
            "\n**Pod Security:** {} (`{}`), {}",
            pss.level.as_str(),
            pss.control,
            versions_text(pss.versions)
        );
    }
    let doc = &check.doc;
    let _ = write!(
        out,
        "\n**What:** {}\n\n**Why:** {}\n\n**Example (fails):**\n\n\
         ```yaml\n{}\n```\n\n**Fix:** {}\n",
        doc.what, doc.why, doc.example, doc.fix
    );
    out
}

/// The plain-text help of a check (SARIF `help.text`).
pub fn check_text(check: &Check) -> String {
    let doc = &check.doc;
    format!("What: {}\nWhy: {}\nFix: {}", doc.what, doc.why, doc.fix)
}

/// The generated reference: an index table, then every check under its family.
pub fn render_reference() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Latest Pod Security version known: v1.{LATEST_PSS_MINOR}.\n");
    let _ = writeln!(
        out,
        "| id | severity | Pod Security | versions | summary |\n|---|---|---|---|---|"
    );
    for check in checks::all() {
        let (level, versions) = match check.pss {
            Some(p) => (p.level.as_str(), versions_text(p.versions)),
            None => ("-", "-".to_string()),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {level} | {versions} | {} |",
            check.id, check.severity, check.summary
        );
    }
    let families = [
        Family::PodSecurity,
        Family::Hardening,
        Family::Rbac,
        Family::NetworkPolicy,
        Family::Istio,
    ];
    for family in families {
        let _ = writeln!(out, "\n### {}", family.title());
        for check in checks::all().iter().filter(|c| c.family == family) {
            let _ =
                write!(out, "\n#### {}: {}\n\n{}", check.id, check.summary, check_markdown(check));
        }
    }
    out
}
