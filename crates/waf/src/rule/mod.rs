//! The rule model: a compiled SecRule or SecAction with its chain.

pub mod action;
pub mod macros;
pub mod target;
pub mod variable;

use std::sync::Arc;

use rampart_waf_ops::{Operator, Transform};

pub use action::{Actions, Disruptive, EngineMode};
pub use macros::MacroString;
pub use target::{Exclusion, Selector, Target, TargetList};
pub use variable::Variable;

/// The operator of a rule, compiled at load unless its parameter holds a macro.
#[derive(Debug)]
pub struct RuleOperator {
    /// `!` in front of the operator.
    pub negated: bool,
    /// The operator name without `@`.
    pub name: String,
    /// The parameter as written.
    pub param: MacroString,
    /// The compiled operator; None when the parameter must be expanded per transaction.
    pub compiled: Option<Operator>,
}

/// One rule (one link of a chain).
#[derive(Debug)]
pub struct Rule {
    /// The targets; empty for SecAction.
    pub targets: TargetList,
    /// The operator.
    pub operator: RuleOperator,
    /// The actions as written.
    pub actions: Actions,
    /// Transformations applied to each value: the default action's unless `t:none`, then the
    /// rule's own.
    pub transforms: Vec<Transform>,
    /// Whether a match of this rule is logged.
    pub log: bool,
    /// The next rule of the chain.
    pub chain: Option<Box<Rule>>,
    /// The file the rule comes from.
    pub file: Arc<str>,
    /// The line the rule starts on.
    pub line: usize,
    /// This link's number in its rule set, dense from 0 (assigned when loading ends).
    pub link_id: usize,
    /// The number of `transforms` among the rule set's distinct chains
    /// ([`RuleSet::chains`](crate::config::RuleSet::chains)), assigned when loading ends.
    pub chain_id: usize,
}

impl Rule {
    /// The rule id (0 for chained rules).
    pub fn id(&self) -> u64 {
        self.actions.id.unwrap_or(0)
    }

    /// The phase (2 unless set).
    pub fn phase(&self) -> u8 {
        self.actions.phase.unwrap_or(2)
    }

    /// Whether the rule carries `tag` (exact, case-sensitive as ModSecurity v3 compares).
    pub fn has_tag(&self, tag: &str) -> bool {
        self.actions.tags.iter().any(|t| t == tag)
    }

    /// Whether this is a SecAction (no targets: always one unconditional evaluation).
    pub fn is_action(&self) -> bool {
        self.targets.targets.is_empty() && self.operator.name == "unconditionalMatch"
    }
}
