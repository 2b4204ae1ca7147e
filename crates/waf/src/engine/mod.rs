//! The engine: a loaded rule set that starts transactions.

mod actions;
mod body;
mod cache;
mod eval;
mod expand;
mod prefilter;
mod request;
pub mod store;
mod transaction;
pub mod types;
mod vars;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub use transaction::Transaction;
pub use types::{
    AnomalyScores, InspectionStats, Intervention, InterventionAction, RuleMatch, TransactionInfo,
};

use crate::config::{load_files, load_str, LoadError, RuleSet};
use prefilter::Prefilters;
use store::Store;

/// A clock giving UNIX time in microseconds; replaceable for tests.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Options for loading rules.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Base directory for relative paths in text loaded with [`WafEngine::from_str`]
    /// (Include, @pmFromFile); the current directory when None.
    pub base_dir: Option<PathBuf>,
    /// The clock for TIME variables and expirevar; the system clock when None.
    pub clock: Option<Clock>,
}

impl std::fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions").field("base_dir", &self.base_dir).finish_non_exhaustive()
    }
}

/// A loaded, immutable rule set with its persistent collections; shared by transactions.
pub struct WafEngine {
    rules: Arc<RuleSet>,
    prefilters: Prefilters,
    store: Store,
    clock: Clock,
    counter: AtomicU64,
}

impl std::fmt::Debug for WafEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WafEngine").field("rules", &self.rules.rule_count).finish_non_exhaustive()
    }
}

impl WafEngine {
    /// Loads the files in order (for CRS: setup file, then rules/*.conf).
    pub fn from_files(paths: &[PathBuf], options: &LoadOptions) -> Result<WafEngine, LoadError> {
        Ok(WafEngine::new(load_files(paths)?, options))
    }

    /// Loads SecLang text (tests, inline rules).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, options: &LoadOptions) -> Result<WafEngine, LoadError> {
        let base = options.base_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        Ok(WafEngine::new(load_str(text, Path::new(&base))?, options))
    }

    fn new(rules: RuleSet, options: &LoadOptions) -> WafEngine {
        let clock = options.clock.clone().unwrap_or_else(|| Arc::new(system_micros));
        let prefilters = Prefilters::build(&rules);
        tracing::debug!(
            waf.links = rules.link_count,
            waf.prefiltered_links = prefilters.prefiltered_links(),
            "waf rule prefilter built"
        );
        WafEngine {
            rules: Arc::new(rules),
            prefilters,
            store: Store::default(),
            clock,
            counter: AtomicU64::new(0),
        }
    }

    /// The loaded rule set.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Starts inspecting one HTTP transaction.
    pub fn transaction(&self, info: TransactionInfo) -> Transaction<'_> {
        self.counter.fetch_add(1, Ordering::Relaxed);
        Transaction::new(self, info)
    }

    fn now_micros(&self) -> u64 {
        (self.clock)()
    }
}

fn system_micros() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
}
