//! Necessary literal conditions of `@rx` patterns.
//!
//! A condition is a set of literals such that every match of the pattern contains one of them
//! (ignoring ASCII case). It is found on the ASCII-folded syntax tree ([`super::fold`]) by
//! structure:
//! - a literal requires itself;
//! - a concatenation requires whatever any of its parts requires, and also what regex-syntax's
//!   literal [`Extractor`] says every match of a run of its parts starts with (prefixes of
//!   `parts[i..]`) or ends with (suffixes of `parts[..=j]`): a match of the whole contains a
//!   match of every such run;
//! - an alternation requires the union of its branches' conditions (none if a branch has none);
//! - a small class requires one of its bytes;
//! - `x+`, `x{n,m}` with `n >= 1` and a group require what `x` requires; `x*`, `x?`,
//!   look-arounds and the empty pattern require nothing.
//!
//! Among the candidates found, the most selective is kept (see [`weight::cost`] and
//! [`better`]). A condition is only kept when each of its literals is rare enough in ordinary
//! values to be worth searching for ([`weight::worth_searching`]).
//!
//! [`Extractor`]: regex_syntax::hir::literal::Extractor

use std::collections::HashSet;

use regex_syntax::hir::literal::{ExtractKind, Seq};
use regex_syntax::hir::{Class, ClassBytes, Hir, HirKind};

use super::{fold, runs, syntax, weight};

/// The most bytes a class may have to stand for a set of one-byte literals.
const MAX_CLASS_BYTES: usize = 10;

/// The most literals one pattern's condition may hold (bounds the automaton and the work of
/// the analysis on huge alternations).
const MAX_LITERALS: usize = 2000;

/// A necessary condition for a regex to match: every match contains one of these literals.
/// None when no useful condition exists (the rule must always run).
///
/// `pattern` is an `@rx` parameter as the operator receives it (PCRE byte-mode spellings are
/// read as the operator reads them). The literals are ASCII lower case and must be searched
/// for ignoring ASCII case, which [`PrefilterSet`](super::PrefilterSet) does. `None` for an
/// empty pattern, one that can match the empty string, one that does not parse, one with an
/// explicit Unicode class, and one whose best condition has a literal too common to be worth
/// searching for (shorter than 3 bytes, unless it holds a byte such as `<`, `'` or `\n`).
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    if pattern.is_empty() {
        return None;
    }
    let hir = syntax::parse(pattern)?;
    if hir.properties().minimum_len().is_none_or(|len| len == 0) {
        return None;
    }
    let folded = fold::fold(&hir)?;

    let condition = required(&folded)?.useful()?;
    Some(condition.minimized())
}

/// A set of non-empty literals, one of which every match contains.
#[derive(Debug, Clone)]
struct Condition {
    literals: Vec<Vec<u8>>,
    /// See [`weight::cost`].
    cost: f64,
}

impl Condition {
    /// The condition a finite literal sequence gives, if every literal is non-empty.
    fn from_seq(seq: &Seq) -> Option<Condition> {
        let literals = seq.literals()?;
        if literals.is_empty() || literals.len() > MAX_LITERALS {
            return None;
        }
        if literals.iter().any(|lit| lit.as_bytes().is_empty()) {
            return None;
        }
        Condition::new(literals.iter().map(|lit| lit.as_bytes().to_vec()).collect()).useful()
    }

    fn new(literals: Vec<Vec<u8>>) -> Condition {
        let cost = literals.iter().map(|lit| weight::cost(lit)).sum();
        Condition { literals, cost }
    }

    /// The condition, unless a literal is too common to be worth searching for. Dropping it
    /// early (not only at the end) lets a longer alternative win over a cheaper-looking one.
    fn useful(self) -> Option<Condition> {
        self.literals.iter().all(|lit| weight::worth_searching(lit)).then_some(self)
    }

    /// The union of two conditions (a match of either branch contains one of the literals).
    fn union(mut self, other: Condition) -> Option<Condition> {
        if self.literals.len() + other.literals.len() > MAX_LITERALS {
            return None;
        }
        self.literals.extend(other.literals);
        self.cost += other.cost;
        Some(self)
    }

    /// The literals, deduplicated, without any literal that contains another one (when the
    /// longer occurs, the shorter does too, so the condition is unchanged). Only substrings
    /// up to [`MINIMIZE_SPAN`] bytes are looked up: a containment missed is harmless.
    fn minimized(mut self) -> Vec<Vec<u8>> {
        self.literals.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        self.literals.dedup();
        let mut kept: HashSet<Vec<u8>> = HashSet::with_capacity(self.literals.len());
        for lit in self.literals {
            if !has_kept_substring(&lit, &kept) {
                kept.insert(lit);
            }
        }
        let mut kept: Vec<Vec<u8>> = kept.into_iter().collect();
        kept.sort();
        kept
    }
}

/// The longest substring [`Condition::minimized`] looks up.
const MINIMIZE_SPAN: usize = 16;

/// Whether a proper substring of `lit` (of at most [`MINIMIZE_SPAN`] bytes) is in `kept`.
fn has_kept_substring(lit: &[u8], kept: &HashSet<Vec<u8>>) -> bool {
    let longest = MINIMIZE_SPAN.min(lit.len().saturating_sub(1));
    (1..=longest).any(|len| lit.windows(len).any(|w| kept.contains(w)))
}

/// The better of `a` and `b`: the clearly more selective one (by a factor of 4 in
/// [`weight::cost`]), else the one with fewer literals (`union` over `union\s`, which
/// expands to six literals for a small gain), else the more selective.
fn better(a: Option<Condition>, b: Option<Condition>) -> Option<Condition> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if beats(&b, &a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn beats(a: &Condition, b: &Condition) -> bool {
    let (cost_a, cost_b) = (a.cost, b.cost);
    if cost_a * 4.0 < cost_b || cost_b * 4.0 < cost_a {
        return cost_a < cost_b;
    }
    (a.literals.len(), cost_a) < (b.literals.len(), cost_b)
}

/// The most selective condition found for `hir` (see the module docs for the rules).
fn required(hir: &Hir) -> Option<Condition> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Class(Class::Bytes(class)) => class_bytes(class),
        HirKind::Class(Class::Unicode(_)) => None,
        HirKind::Literal(lit) => Condition::new(vec![lit.0.to_vec()]).useful(),
        HirKind::Repetition(rep) if rep.min == 0 => None,
        HirKind::Repetition(rep) => better(required(&rep.sub), extracted(hir)),
        HirKind::Capture(cap) => required(&cap.sub),
        HirKind::Concat(parts) => required_concat(parts),
        // The union is at least as good as the whole's prefixes unless it grows too large.
        HirKind::Alternation(branches) => required_alternation(branches).or_else(|| extracted(hir)),
    }
}

/// A small class as one-byte literals (useful only when every byte is rare).
fn class_bytes(class: &ClassBytes) -> Option<Condition> {
    let size: usize = class.iter().map(|r| usize::from(r.end() - r.start()) + 1).sum();
    if size > MAX_CLASS_BYTES {
        return None;
    }
    let literals = class.iter().flat_map(|r| (r.start()..=r.end()).map(|b| vec![b])).collect();
    Condition::new(literals).useful()
}

/// The best of the parts' conditions and of the sequences of runs of parts.
fn required_concat(parts: &[Hir]) -> Option<Condition> {
    let mut best = None;
    for part in parts {
        best = better(best, required(part));
    }
    for seq in runs::run_sequences(parts) {
        best = better(best, Condition::from_seq(&seq));
    }
    best
}

/// The union of every branch's condition; none when a branch has none.
fn required_alternation(branches: &[Hir]) -> Option<Condition> {
    let mut union = Condition::new(Vec::new());
    for branch in branches {
        union = union.union(required(branch)?)?;
    }
    Some(union)
}

/// The better of `hir`'s starts-with and ends-with literal sequences; inexact literals are
/// cut-short prefixes (suffixes) of the match, still contained in it.
fn extracted(hir: &Hir) -> Option<Condition> {
    let prefix = Condition::from_seq(&runs::extract(hir, ExtractKind::Prefix));
    better(prefix, Condition::from_seq(&runs::extract(hir, ExtractKind::Suffix)))
}
