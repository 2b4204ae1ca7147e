//! Runs the checks over resources and applies suppressions.

use crate::checks::{self, Check, PodInput, Rule};
use crate::finding::{Finding, PssLevel, PssTag, PssVersion, Severity};
use crate::manifest::{InputProblem, PodView, Resource, WORKLOAD_KINDS};
use crate::suppress::{self, SuppressionConfig};

/// Kinds some check reads; anything else is skipped (noted in verbose output).
const CHECKED_KINDS: &[&str] = &[
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "NetworkPolicy",
    "Namespace",
    "PeerAuthentication",
    "AuthorizationPolicy",
];

/// What to evaluate.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Pod Security level. `None`: every check runs, Pod Security at restricted (which
    /// includes baseline). `Some(level)`: only the Pod Security controls of that level run.
    pub pss_level: Option<PssLevel>,
    /// Pod Security version.
    pub pss_version: PssVersion,
    /// Suppression file contents.
    pub suppressions: SuppressionConfig,
}

/// The result of an audit.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings, ordered by resource (input order), then check.
    pub findings: Vec<Finding>,
    /// Findings dropped by a suppression.
    pub suppressed: usize,
    /// Resources examined.
    pub resources: usize,
    /// Skipped kinds and suppressions not honoured.
    pub notes: Vec<InputProblem>,
}

/// Runs every check that applies to `options` over `resources`.
pub fn audit(resources: &[Resource], options: &AuditOptions) -> Report {
    let level = options.pss_level.unwrap_or(PssLevel::Restricted);
    let mut raw: Vec<(usize, usize, &'static Check, String, Severity)> = Vec::new();
    for (order, check) in checks::all().iter().enumerate() {
        let pss_only = options.pss_level.is_some() && check.pss.is_none();
        if pss_only || !checks::pss_active(check, level, options.pss_version) {
            continue;
        }
        for (index, message) in run_check(check, resources, options.pss_version) {
            let Some(resource) = resources.get(index) else { continue };
            let (message, severity) = keep_baseline_severity(check, resource, message, options);
            raw.push((index, order, check, message, severity));
        }
    }
    raw.sort_by_key(|(index, order, _, _, _)| (*index, *order));

    let mut report =
        Report { resources: resources.len(), notes: notes(resources), ..Report::default() };
    for (index, _, check, message, severity) in raw {
        let Some(resource) = resources.get(index) else { continue };
        if suppressed(check.id, resource, &options.suppressions) {
            report.suppressed += 1;
        } else {
            let mut finding = finding(check, resource, message, options.pss_version);
            finding.severity = severity;
            report.findings.push(finding);
        }
    }
    report
}

/// A restricted check that replaces a baseline one (PSS-RESTR-VOLUMETYPES for
/// PSS-BASE-HOSTPATH, ...) must not report a pod that also fails the baseline control at a
/// lower severity than the baseline check would: the stricter run would otherwise be the more
/// lenient CI gate. When the replaced check fails too, the finding takes the higher severity
/// and says so.
fn keep_baseline_severity(
    check: &Check,
    resource: &Resource,
    message: String,
    options: &AuditOptions,
) -> (String, Severity) {
    let replaced = check.pss.and_then(|pss| pss.overrides).and_then(|control| {
        checks::all().iter().find(|c| c.pss.is_some_and(|p| p.control == control))
    });
    let Some(baseline) = replaced else { return (message, check.severity) };
    let single = std::slice::from_ref(resource);
    match run_check(baseline, single, options.pss_version).into_iter().next() {
        Some((_, also)) if baseline.severity > check.severity => {
            let message =
                format!("{message}; fails the baseline level too ({}): {also}", baseline.id);
            (message, baseline.severity)
        }
        _ => (message, check.severity),
    }
}

fn run_check(check: &Check, resources: &[Resource], version: PssVersion) -> Vec<(usize, String)> {
    match check.rule {
        Rule::Pod(rule) => resources
            .iter()
            .enumerate()
            .filter_map(|(i, resource)| {
                let pod = PodView::of(resource)?;
                Some((i, rule(&PodInput { resource, pod, version })?))
            })
            .collect(),
        Rule::Resource(rule) => {
            resources.iter().enumerate().filter_map(|(i, r)| Some((i, rule(r)?))).collect()
        }
        Rule::Inventory(rule) => rule(resources),
    }
}

fn suppressed(check: &str, resource: &Resource, config: &SuppressionConfig) -> bool {
    let by_annotation = suppress::annotated(resource).is_ok_and(|ids| ids.contains(&check));
    by_annotation || config.suppresses(check, resource)
}

fn finding(
    check: &'static Check,
    resource: &Resource,
    message: String,
    version: PssVersion,
) -> Finding {
    Finding {
        check: check.id,
        severity: check.severity,
        resource: resource.reference(),
        file: resource.file.to_string(),
        line: resource.line,
        message,
        remediation: check.remediation,
        pss: check.pss.map(|p| PssTag { level: p.level, version }),
    }
}

fn notes(resources: &[Resource]) -> Vec<InputProblem> {
    let mut notes = Vec::new();
    for r in resources {
        let known =
            WORKLOAD_KINDS.contains(&r.kind.as_str()) || CHECKED_KINDS.contains(&r.kind.as_str());
        let problem =
            |message| InputProblem { file: r.file.to_string(), line: Some(r.line), message };
        if !known {
            notes.push(problem(format!(
                "kind {} ({}) is not audited; skipped",
                r.kind, r.api_version
            )));
        } else if WORKLOAD_KINDS.contains(&r.kind.as_str()) && PodView::of(r).is_none() {
            notes.push(problem(format!("{} has no pod template spec; skipped", r.display_name())));
        }
        if let Err(note) = suppress::annotated(r) {
            notes.push(problem(note));
        }
    }
    notes
}
