//! Loading SecLang files into an immutable rule set.

mod directive;
mod links;
mod loader;
pub mod settings;

use std::path::PathBuf;
use std::sync::Arc;

pub use loader::{load_files, load_str};
pub use settings::{LimitAction, Settings};

use crate::parser::ParseError;
use crate::rule::{Actions, Rule};

/// Why a rule set did not load. The engine refuses to start on any of these.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A directive is wrong; names the file, the line and the directive.
    #[error("{file}:{line}: {directive}: {source}")]
    Directive {
        /// The file.
        file: String,
        /// The 1-based line where the directive starts.
        line: usize,
        /// The directive name (and rule id when known).
        directive: String,
        /// What is wrong.
        source: ParseError,
    },
}

/// An entry of a phase's rule list.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A rule (with its chain).
    Rule(Arc<Rule>),
    /// A SecMarker, the target of skipAfter.
    Marker(Arc<str>),
}

/// The loaded configuration: settings, default actions and rules by phase.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// Engine settings.
    pub settings: Settings,
    /// SecDefaultAction per phase (index 1-5).
    pub default_actions: [Option<Actions>; 6],
    /// Rules and markers per phase (index 1-5) in load order.
    pub phases: [Vec<Entry>; 6],
    /// Number of rules (chains count once).
    pub rule_count: usize,
    /// The distinct transformation chains, indexed by [`Rule::chain_id`].
    pub chains: Vec<Vec<rampart_waf_ops::Transform>>,
    /// Number of rule links (every link of a chain counts), the bound of [`Rule::link_id`].
    pub link_count: usize,
}
