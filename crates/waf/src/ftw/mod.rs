//! The go-ftw runner: runs CRS-style regression tests against the engine in-process.
//!
//! Each test stage is turned into the bytes go-ftw would send, parsed as a server would, run
//! through a transaction, answered by a simulated albedo backend, and judged on the rule ids
//! the engine logged and the status it produced.

pub mod albedo;
pub mod http;
pub mod model;
mod report;
mod stage;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use report::{FamilyCount, FtwFailure, FtwSummary};

use crate::config::LoadError;
use crate::engine::{LoadOptions, WafEngine};
use model::{Output, Overrides, TestFile};

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct FtwOptions {
    /// Rule files, loaded in order.
    pub rules: Vec<PathBuf>,
    /// A test file or a directory searched recursively for `*.yaml`.
    pub tests: PathBuf,
    /// The overrides file.
    pub overrides: Option<PathBuf>,
    /// Only tests whose name (`920100-2`) matches this regex.
    pub filter: Option<String>,
    /// Print every failure (true) or only the summaries (false).
    pub show_failures: bool,
}

/// Why the runner could not run.
#[derive(Debug, thiserror::Error)]
pub enum FtwError {
    /// The rules did not load.
    #[error("rules did not load: {0}")]
    Load(#[from] LoadError),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The overrides file is malformed.
    #[error("overrides file {path} is malformed: {reason}")]
    Overrides {
        /// The file.
        path: PathBuf,
        /// What the YAML parser said.
        reason: String,
    },
    /// The filter is not a valid regex.
    #[error("invalid test filter `{filter}`: {reason}")]
    Filter {
        /// The filter.
        filter: String,
        /// Why it does not compile.
        reason: String,
    },
    /// Writing the report failed.
    #[error("cannot write the report: {0}")]
    Write(#[from] std::io::Error),
}

/// How an override changes a test.
enum Override {
    Skip(String),
    Replace(Box<Output>),
}

/// Runs the tests and writes the report to `out`, ending with `N passed, N failed, N skipped`.
pub fn run(options: &FtwOptions, out: &mut dyn Write) -> Result<FtwSummary, FtwError> {
    let engine = WafEngine::from_files(&options.rules, &LoadOptions::default())?;
    let overrides = load_overrides(options.overrides.as_deref())?;
    let filter = compile_filter(options.filter.as_deref())?;
    let mut summary = FtwSummary::default();

    for path in test_files(&options.tests)? {
        let family = family_of(&path);
        let text = std::fs::read_to_string(&path)
            .map_err(|source| FtwError::Read { path: path.clone(), source })?;
        // A file whose every line is a comment holds no tests.
        if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            continue;
        }
        let file: TestFile = match serde_yaml_ng::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                writeln!(out, "ERROR {}: not a go-ftw test file: {e}", path.display())?;
                summary.record_error(&path, &family);
                continue;
            }
        };
        run_file(&engine, &file, &path, &family, &overrides, filter.as_ref(), &mut summary);
    }
    summary.write(out, options.show_failures)?;
    Ok(summary)
}

fn run_file(
    engine: &WafEngine,
    file: &TestFile,
    path: &Path,
    family: &str,
    overrides: &BTreeMap<(u64, u64), Override>,
    filter: Option<&regex::Regex>,
    summary: &mut FtwSummary,
) {
    for test in &file.tests {
        let name = format!("{}-{}", file.rule_id, test.test_id);
        if filter.is_some_and(|f| !f.is_match(&name)) {
            continue;
        }
        let over = overrides
            .get(&(file.rule_id, test.test_id))
            .or_else(|| overrides.get(&(file.rule_id, 0)));
        let replaced = match over {
            Some(Override::Skip(reason)) => {
                summary.record_skip(&name, path, family, reason);
                continue;
            }
            Some(Override::Replace(output)) => Some(&**output),
            None => None,
        };
        let result = stage::run_test(engine, test, &name, replaced);
        summary.record(&name, path, family, result);
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
