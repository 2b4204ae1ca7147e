//! The go-ftw runner: runs CRS-style regression tests against the engine, in-process or end to
//! end through a running gateway.
//!
//! In-process, each test stage is turned into the bytes go-ftw would send, parsed as a server
//! would, run through a transaction, answered by a simulated albedo backend, and judged on the
//! rule ids the engine logged and the status it produced. End to end ([`run_end_to_end`]), the
//! same bytes go over a TCP socket to `rampart serve`, and the rule ids come from the `waf`
//! events the gateway writes to its event file.

pub mod albedo;
pub mod backend;
mod corpus;
mod e2e;
mod framing;
pub mod http;
pub mod model;
mod report;
mod stage;

use std::io::Write;
use std::path::PathBuf;

pub use e2e::{run_end_to_end, EndToEndOptions};
pub use report::{FailureKind, FamilyCount, FtwFailure, FtwSummary};

use crate::config::LoadError;
use crate::engine::{LoadOptions, WafEngine};
use corpus::{Corpus, Plan};

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
    /// The gateway given as the end-to-end target cannot be reached or is not rampart.
    #[error("cannot run against the gateway at {target}: {reason}")]
    Target {
        /// The target as given.
        target: String,
        /// What went wrong.
        reason: String,
    },
    /// The gateway's event file cannot be read.
    #[error("cannot read the gateway's event file {path}: {source}")]
    Events {
        /// The event file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The run's events did not show up in the event file.
    #[error(
        "the gateway's events for this run did not appear in {path} within {seconds} s: \
         check that it is the `events.path` (with `sink: file`) of the gateway at the target"
    )]
    EventsMissing {
        /// The event file.
        path: PathBuf,
        /// How long the runner waited.
        seconds: u64,
    },
}

/// Runs the tests and writes the report to `out`, ending with `N passed, N failed, N skipped`.
pub fn run(options: &FtwOptions, out: &mut dyn Write) -> Result<FtwSummary, FtwError> {
    let engine = WafEngine::from_files(&options.rules, &LoadOptions::default())?;
    let mut summary = FtwSummary::default();
    let corpus = Corpus::load(options, out, &mut summary)?;

    for case in corpus.cases() {
        match case.plan {
            Plan::Skip(reason) => summary.record_skip(&case.name, case.path, case.family, reason),
            Plan::Run(replaced) => {
                let result = stage::run_test(&engine, case.test, &case.name, replaced);
                summary.record(&case.name, case.path, case.family, result);
            }
        }
    }
    summary.write(out, options.show_failures)?;
    Ok(summary)
}
