//! Counts results per file and per rule family and writes the report.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::stage::TestResult;

/// Passed, failed and skipped counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FamilyCount {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests skipped by an override.
    pub skipped: usize,
}

/// What kind of difference a failure is. In-process every failure is a rule difference; end to
/// end the runner tells apart the layers in front of the rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailureKind {
    /// The rules logged other ids (or another status) than the test expects.
    #[default]
    Rules,
    /// The gateway's HTTP layer (hyper's parser) answered before the gateway saw the request:
    /// a response without the request id, or no response.
    HttpLayer,
    /// A gateway stage in front of the WAF (path or host checks, body limit, upstream) denied
    /// the request, with its own event.
    Gateway,
    /// The test expects response rules (phases 3 and 4) or logging-phase rules (phase 5),
    /// which the gateway runs only on routes with `waf.response.inspect: true`.
    ResponseInspection,
    /// Only a log regex failed: events carry rule ids, messages and matched variables, not
    /// ModSecurity's log text.
    LogText,
}

impl FailureKind {
    /// How the report names this kind.
    pub fn label(self) -> &'static str {
        match self {
            Self::Rules => "rule differences",
            Self::HttpLayer => "refused by the HTTP layer",
            Self::Gateway => "denied by the gateway before the WAF",
            Self::ResponseInspection => "needs response inspection or the logging phase",
            Self::LogText => "log text not in events",
        }
    }
}

/// One failed test, with what was expected and what was seen.
#[derive(Debug, Clone)]
pub struct FtwFailure {
    /// The test name (`920100-2`).
    pub test: String,
    /// The test file.
    pub file: String,
    /// Ids expected but not logged.
    pub missing: Vec<u64>,
    /// Ids logged but forbidden.
    pub unexpected: Vec<u64>,
    /// Every id logged.
    pub seen: Vec<u64>,
    /// Other differences (status, regex).
    pub notes: Vec<String>,
    /// What kind of difference it is.
    pub kind: FailureKind,
}

/// The outcome of a run.
#[derive(Debug, Clone, Default)]
pub struct FtwSummary {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests skipped by an override.
    pub skipped: usize,
    /// Counts per rule family (`920`).
    pub families: BTreeMap<String, FamilyCount>,
    /// Counts per test file.
    pub files: BTreeMap<String, FamilyCount>,
    /// Every failure.
    pub failures: Vec<FtwFailure>,
    /// Whether the run went through a gateway (the report then counts failures by kind).
    pub end_to_end: bool,
}

impl FtwSummary {
    pub(super) fn record(&mut self, name: &str, path: &Path, family: &str, r: TestResult) {
        let file = path.display().to_string();
        let fam = self.families.entry(family.to_string()).or_default();
        let per_file = self.files.entry(file.clone()).or_default();
        if r.passed {
            self.passed += 1;
            fam.passed += 1;
            per_file.passed += 1;
            return;
        }
        self.failed += 1;
        fam.failed += 1;
        per_file.failed += 1;
        self.failures.push(FtwFailure {
            test: name.to_string(),
            file,
            missing: r.missing,
            unexpected: r.unexpected,
            seen: r.seen,
            notes: r.notes,
            kind: r.kind,
        });
    }

    pub(super) fn record_skip(&mut self, _name: &str, path: &Path, family: &str, _reason: &str) {
        self.skipped += 1;
        self.families.entry(family.to_string()).or_default().skipped += 1;
        self.files.entry(path.display().to_string()).or_default().skipped += 1;
    }

    pub(super) fn record_error(&mut self, path: &Path, family: &str) {
        self.failed += 1;
        self.families.entry(family.to_string()).or_default().failed += 1;
        self.files.entry(path.display().to_string()).or_default().failed += 1;
    }

    /// Writes failures (optionally), per-file and per-family counts, and the final line.
    pub fn write(&self, out: &mut dyn Write, show_failures: bool) -> std::io::Result<()> {
        if show_failures {
            for f in &self.failures {
                writeln!(
                    out,
                    "FAIL {} ({}): missing {:?} unexpected {:?} seen {:?} {}",
                    f.test,
                    f.file,
                    f.missing,
                    f.unexpected,
                    f.seen,
                    f.notes.join("; ")
                )?;
            }
        }
        for (file, c) in &self.files {
            if c.failed > 0 {
                writeln!(
                    out,
                    "file {file}: {} passed, {} failed, {} skipped",
                    c.passed, c.failed, c.skipped
                )?;
            }
        }
        for (family, c) in &self.families {
            writeln!(
                out,
                "family {family}: {} passed, {} failed, {} skipped",
                c.passed, c.failed, c.skipped
            )?;
        }
        if self.end_to_end {
            self.write_kinds(out)?;
        }
        writeln!(out, "{} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped)
    }

    /// How many failures are of this kind.
    pub fn count(&self, kind: FailureKind) -> usize {
        self.failures.iter().filter(|f| f.kind == kind).count()
    }

    /// Lists the failures grouped by kind, each with its first note (the reason).
    fn write_kinds(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut kinds: BTreeMap<FailureKind, Vec<&FtwFailure>> = BTreeMap::new();
        for failure in &self.failures {
            kinds.entry(failure.kind).or_default().push(failure);
        }
        for (kind, failures) in &kinds {
            writeln!(out, "{} ({}):", kind.label(), failures.len())?;
            for f in failures {
                let reason = f.notes.first().map_or("", String::as_str);
                writeln!(
                    out,
                    "  {} missing {:?} unexpected {:?} {reason}",
                    f.test, f.missing, f.unexpected
                )?;
            }
        }
        Ok(())
    }
}
