//! The SecLang parser: text to directives, and the pieces of a rule (targets, operator, actions).

pub mod actions;
pub mod lexer;
pub mod variables;

pub use actions::{parse_actions, RawAction};
pub use lexer::{directives, RawDirective};
pub use variables::{parse_targets, RawTarget};

/// What is wrong with one directive; the loader adds the file, line and directive name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A double-quoted argument never ends.
    #[error("unterminated double quote")]
    UnterminatedQuote,
    /// A single-quoted action value never ends.
    #[error("unterminated single quote in action `{0}`")]
    UnterminatedActionQuote(String),
    /// A directive has the wrong number of arguments.
    #[error("expected {expected} argument(s), found {found}")]
    ArgumentCount {
        /// What the directive takes.
        expected: &'static str,
        /// How many were given.
        found: usize,
    },
    /// The directive is not part of SecLang as rampart knows it.
    #[error("unknown directive")]
    UnknownDirective,
    /// A variable name is not known.
    #[error("unknown variable `{0}`")]
    UnknownVariable(String),
    /// A `/regex/` selector never ends.
    #[error("unterminated regex selector in `{0}`")]
    UnterminatedSelector(String),
    /// A regex selector does not compile.
    #[error("invalid regex selector `{pattern}`: {reason}")]
    BadSelector {
        /// The selector pattern.
        pattern: String,
        /// Why the regex crate rejected it.
        reason: String,
    },
    /// The target list is empty.
    #[error("empty variable list")]
    EmptyTargets,
    /// An action name is not known.
    #[error("unknown action `{0}`")]
    UnknownAction(String),
    /// An action value is missing or malformed.
    #[error("invalid value `{value}` for action `{action}`: {reason}")]
    BadActionValue {
        /// The action name.
        action: String,
        /// The value as written.
        value: String,
        /// What is expected instead.
        reason: &'static str,
    },
    /// An unknown transformation name after `t:`.
    #[error("unknown transformation `{0}`")]
    UnknownTransform(String),
    /// The operator did not compile.
    #[error("operator `@{name}` does not compile: {reason}")]
    BadOperator {
        /// The operator name.
        name: String,
        /// The reason given by the operator library.
        reason: String,
    },
    /// A rule lacks an id (only chained rules may).
    #[error("rule has no `id` action")]
    MissingId,
    /// Two rules share an id.
    #[error("duplicate rule id {0}")]
    DuplicateId(u64),
    /// A directive value is not one of the allowed words.
    #[error("invalid value `{value}`: expected {expected}")]
    BadValue {
        /// The value as written.
        value: String,
        /// The allowed values.
        expected: &'static str,
    },
    /// A chain ends at the end of the configuration without its last rule.
    #[error("the rule starts a chain that never ends")]
    UnfinishedChain,
    /// An action that only a chain's first rule may carry appears in a chained rule.
    #[error("action `{0}` is only allowed in the first rule of a chain")]
    ChainedOnlyHead(String),
    /// An Include pattern matched nothing or could not be read.
    #[error("cannot include `{path}`: {reason}")]
    Include {
        /// The include pattern.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// Include nesting is too deep (a loop).
    #[error("includes nested deeper than {0} levels (an include loop?)")]
    IncludeDepth(usize),
    /// A directive refers to a rule id that does not exist.
    #[error("no rule with id {0}")]
    NoSuchRule(u64),
}
