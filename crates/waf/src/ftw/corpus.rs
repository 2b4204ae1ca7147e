//! Loads a go-ftw corpus: the test files, the overrides and the name filter, and lists the
//! tests to run in file order. Both runners (in-process and end to end) share it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::model::{Output, Overrides, Test, TestFile};
use super::{FtwError, FtwOptions, FtwSummary};

/// How an override changes a test.
enum Override {
    Skip(String),
    Replace(Box<Output>),
}

/// The parsed test files with their overrides and filter.
pub(super) struct Corpus {
    files: Vec<(PathBuf, String, TestFile)>,
    overrides: BTreeMap<(u64, u64), Override>,
    filter: Option<regex::Regex>,
}

/// What to do with one test.
pub(super) enum Plan<'a> {
    /// Skip it, for this reason.
    Skip(&'a str),
    /// Run it, judging every stage against this output when the overrides replace it.
    Run(Option<&'a Output>),
}

/// One test of the corpus, in file order.
pub(super) struct Case<'a> {
    /// `920100-2`.
    pub name: String,
    /// The test file.
    pub path: &'a Path,
    /// The rule family (`920`).
    pub family: &'a str,
    /// The test.
    pub test: &'a Test,
    /// Skip or run.
    pub plan: Plan<'a>,
}

impl Corpus {
    /// Reads every test file; files that do not parse are reported to `out` and counted as
    /// failures in `summary`.
    pub fn load(
        options: &FtwOptions,
        out: &mut dyn Write,
        summary: &mut FtwSummary,
    ) -> Result<Self, FtwError> {
        let overrides = load_overrides(options.overrides.as_deref())?;
        let filter = compile_filter(options.filter.as_deref())?;
        let mut files = Vec::new();
        for path in test_files(&options.tests)? {
            let family = family_of(&path);
            let text = std::fs::read_to_string(&path)
                .map_err(|source| FtwError::Read { path: path.clone(), source })?;
            // A file whose every line is a comment holds no tests.
            if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
                continue;
            }
            match serde_yaml_ng::from_str::<TestFile>(&text) {
                Ok(file) => files.push((path, family, file)),
                Err(e) => {
                    writeln!(out, "ERROR {}: not a go-ftw test file: {e}", path.display())?;
                    summary.record_error(&path, &family);
                }
            }
        }
        Ok(Self { files, overrides, filter })
    }

    /// The tests the filter selects, in file order.
    pub fn cases(&self) -> Vec<Case<'_>> {
        let mut cases = Vec::new();
        for (path, family, file) in &self.files {
            for test in &file.tests {
                let name = format!("{}-{}", file.rule_id, test.test_id);
                if self.filter.as_ref().is_some_and(|f| !f.is_match(&name)) {
                    continue;
                }
                let plan = match self.override_of(file.rule_id, test.test_id) {
                    Some(Override::Skip(reason)) => Plan::Skip(reason),
                    Some(Override::Replace(output)) => Plan::Run(Some(&**output)),
                    None => Plan::Run(None),
                };
                cases.push(Case { name, path, family, test, plan });
            }
        }
        cases
    }

    fn override_of(&self, rule_id: u64, test_id: u64) -> Option<&Override> {
        self.overrides.get(&(rule_id, test_id)).or_else(|| self.overrides.get(&(rule_id, 0)))
    }
}

fn load_overrides(path: Option<&Path>) -> Result<BTreeMap<(u64, u64), Override>, FtwError> {
    let mut map = BTreeMap::new();
    let Some(path) = path else { return Ok(map) };
    let text = std::fs::read_to_string(path)
        .map_err(|source| FtwError::Read { path: path.to_path_buf(), source })?;
    let parsed: Overrides = serde_yaml_ng::from_str(&text)
        .map_err(|e| FtwError::Overrides { path: path.to_path_buf(), reason: e.to_string() })?;
    for o in parsed.test_overrides {
        let ids = if o.test_ids.is_empty() { vec![0] } else { o.test_ids.clone() };
        for id in ids {
            let value = match &o.output {
                Some(output) => Override::Replace(Box::new(output.clone())),
                None => Override::Skip(o.reason.clone()),
            };
            map.insert((o.rule_id, id), value);
        }
    }
    Ok(map)
}

fn compile_filter(filter: Option<&str>) -> Result<Option<regex::Regex>, FtwError> {
    filter
        .map(|f| {
            regex::Regex::new(f)
                .map_err(|e| FtwError::Filter { filter: f.to_string(), reason: e.to_string() })
        })
        .transpose()
}

/// Every `*.yaml` under `root` (or `root` itself), sorted.
fn test_files(root: &Path) -> Result<Vec<PathBuf>, FtwError> {
    let mut files = Vec::new();
    if root.is_file() {
        files.push(root.to_path_buf());
        return Ok(files);
    }
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|source| FtwError::Read { path: dir.clone(), source })?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The rule family of a test file: the first three digits of its name (`920` for 920100.yaml).
fn family_of(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    stem.chars().take(3).collect()
}
