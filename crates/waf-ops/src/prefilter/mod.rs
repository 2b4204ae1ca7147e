//! Rule prefilter: cheap proof that an `@rx` pattern cannot match a value.
//!
//! Most `@rx` rules of the Core Rule Set cannot match most values: a SQL-injection pattern
//! needs `select`, `union` or one of a few hundred other words somewhere in its match. This
//! module finds such a necessary condition for each pattern at load ([`required_literals`]) and
//! checks the conditions of all rules against a value in one pass ([`PrefilterSet`]), so the
//! engine runs only the regexes of the rules that are still candidates.
//!
//! The contract is one-sided and must never be broken: when a regex matches an input, the
//! rule's slot is among the candidates. A candidate may still fail to match (the literals are
//! only a necessary condition); a rule without a condition is always a candidate.
//!
//! How the engine must use it:
//! - Search the value the operator sees, after the rule's transformations: rules that share
//!   a transformation chain share one set (or one set per chain, each slot a rule).
//! - Skip a rule only when its operator is a plain `@rx`: a negated `!@rx` matches when the
//!   regex does not, and a parameter with a macro (`%{...}`) is only known at run time.
//! - Treat [`required_literals`] returning `None` as "always run"; adding a slot with no
//!   literals does exactly that.
//!
//! On CRS v4.28, 158 of the 186 `@rx` patterns active at paranoia level 1 get a condition
//! (239 of 318 at all levels); the 28 without one are anchored checks of a single header
//! (`^\d+$`, `^$`) or evasion-tolerant patterns in which every byte is optional or any of
//! many. On the benign values of bench/waf, 0 to 3 conditioned PL1 patterns are candidates
//! for a prose or JSON value, up to 10 for a browser's headers or prose with quotes,
//! semicolons and parentheses (2.5 on average).
//! (Figures printed by the `crs_coverage` and `benign_values_leave_few_candidates` tests.)
//!
//! ```
//! use rampart_waf_ops::prefilter::{required_literals, CandidateBits, PrefilterSet};
//!
//! let mut builder = PrefilterSet::builder();
//! let literals = required_literals(r"(?i)\bunion\s+select\b").unwrap();
//! builder.add(0, &literals);
//! let set = builder.build().unwrap();
//! let mut out = CandidateBits::new();
//! set.candidates(b"1 UNION  SELECT 2", &mut out);
//! assert!(out.contains(0));
//! set.candidates(b"blue shirt", &mut out);
//! assert!(!out.contains(0));
//! ```

mod bits;
mod error;
mod fold;
mod literals;
mod runs;
mod set;
mod syntax;
mod weight;

#[cfg(test)]
mod tests;

pub use bits::CandidateBits;
pub use error::PrefilterError;
pub use literals::required_literals;
pub use set::{PrefilterSet, PrefilterSetBuilder};
