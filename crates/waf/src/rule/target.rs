//! Compiled targets: which variable, which members, counted or not.

use regex::bytes::Regex;

use super::variable::Variable;
use crate::parser::variables::{RawSelector, RawTarget};
use crate::parser::ParseError;

/// Which members of a collection a target names.
#[derive(Debug, Clone)]
pub enum Selector {
    /// Every member.
    All,
    /// Members whose name equals this key (compared case-insensitively; stored lower-case).
    Key(String),
    /// Members whose name matches this regex (case-insensitive).
    Regex(Regex),
}

impl Selector {
    /// Whether a member called `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        match self {
            Selector::All => true,
            Selector::Key(key) => name.eq_ignore_ascii_case(key),
            Selector::Regex(re) => re.is_match(name.as_bytes()),
        }
    }

    /// Whether two selectors are written the same (for exclusions against targets).
    pub fn same_as(&self, other: &Selector) -> bool {
        match (self, other) {
            (Selector::All, Selector::All) => true,
            (Selector::Key(a), Selector::Key(b)) => a == b,
            (Selector::Regex(a), Selector::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

/// One target of a rule.
#[derive(Debug, Clone)]
pub struct Target {
    /// The variable or collection.
    pub variable: Variable,
    /// The members inspected.
    pub selector: Selector,
    /// `&`: the rule sees the number of members instead of their values.
    pub count: bool,
}

/// A `!VAR:key` exclusion.
#[derive(Debug, Clone)]
pub struct Exclusion {
    /// The variable or collection.
    pub variable: Variable,
    /// The members left out.
    pub selector: Selector,
}

impl Exclusion {
    /// Whether the member `name` of `variable` is left out.
    pub fn excludes(&self, variable: Variable, name: &str) -> bool {
        self.variable == variable && self.selector.selects(name)
    }
}

/// A rule's target list split into inspected targets and exclusions.
#[derive(Debug, Clone, Default)]
pub struct TargetList {
    /// The targets inspected, in order.
    pub targets: Vec<Target>,
    /// The exclusions.
    pub exclusions: Vec<Exclusion>,
}

impl TargetList {
    /// Compiles raw targets.
    pub fn compile(raw: &[RawTarget]) -> Result<TargetList, ParseError> {
        let mut list = TargetList::default();
        for target in raw {
            let variable = Variable::from_name(&target.name)
                .ok_or_else(|| ParseError::UnknownVariable(target.name.clone()))?;
            let selector = compile_selector(target.selector.as_ref())?;
            if target.exclude {
                list.exclusions.push(Exclusion { variable, selector });
            } else {
                list.targets.push(Target { variable, selector, count: target.count });
            }
        }
        Ok(list)
    }
}

/// Compiles a selector; keys are stored lower-case, regexes match case-insensitively.
pub fn compile_selector(raw: Option<&RawSelector>) -> Result<Selector, ParseError> {
    match raw {
        None => Ok(Selector::All),
        Some(RawSelector::Key(key)) => Ok(Selector::Key(key.to_ascii_lowercase())),
        Some(RawSelector::Regex(pattern)) => regex::bytes::RegexBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .map(Selector::Regex)
            .map_err(|e| ParseError::BadSelector {
                pattern: pattern.clone(),
                reason: e.to_string(),
            }),
    }
}
