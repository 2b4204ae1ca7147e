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
        writeln!(out, "{} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped)
    }
}
