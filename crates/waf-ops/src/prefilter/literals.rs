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
//! - `x+`, `x{n,m}` with `n >= 1` and a group require what `x` requires; `x*`, `x?`, look-arounds,
//!   classes and the empty pattern require nothing.
//!
//! Among the candidates found, the most selective is kept (see [`Condition::cost`]); a
//! condition with a literal shorter than [`MIN_LITERAL_LEN`] bytes is dropped, since such a
//! literal occurs in most values and would make the rule a candidate anyway.

use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, HirKind};

use super::{fold, syntax};

/// The shortest literal a useful condition may hold (two-byte literals such as `on`, `or`
/// or `/.` occur in most values).
const MIN_LITERAL_LEN: usize = 3;

/// The most literals one pattern's condition may hold (bounds the automaton and the work of
/// the analysis on huge alternations).
const MAX_LITERALS: usize = 2000;

/// The Extractor's bound on the literals it expands a sequence to (regex-syntax's default is
/// 250; CRS word lists are longer, and the folded tree needs no case variants).
const EXTRACT_LIMIT_TOTAL: usize = 1000;

/// A necessary condition for a regex to match: every match contains one of these literals.
/// None when no useful condition exists (the rule must always run).
///
/// `pattern` is an `@rx` parameter as the operator receives it (PCRE byte-mode spellings are
/// read as the operator reads them). The literals are ASCII lower case and must be searched
/// for ignoring ASCII case, which [`PrefilterSet`](super::PrefilterSet) does. `None` for an
/// empty pattern, one that can match the empty string, one that does not parse, one with an
/// explicit Unicode class, and one whose best condition has a literal shorter than 3 bytes.
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    if pattern.is_empty() {
        return None;
    }
    let hir = syntax::parse(pattern)?;
    if hir.properties().minimum_len().is_none_or(|len| len == 0) {
        return None;
    }
    let folded = fold::fold(&hir)?;

    let condition = required(&folded)?;
    if condition.min_len() < MIN_LITERAL_LEN {
        return None;
    }
    Some(condition.minimized())
}

/// A set of non-empty literals, one of which every match contains.
#[derive(Debug, Clone)]
struct Condition {
    literals: Vec<Vec<u8>>,
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
        let literals = literals.iter().map(|lit| lit.as_bytes().to_vec()).collect();
        Condition { literals }.useful()
    }

    /// The condition, unless a literal is too short to be worth searching for. Dropping it
    /// early (not only at the end) lets a longer alternative win over a cheaper-looking one.
    fn useful(self) -> Option<Condition> {
        (self.min_len() >= MIN_LITERAL_LEN).then_some(self)
    }

    fn min_len(&self) -> usize {
        self.literals.iter().map(Vec::len).min().unwrap_or(0)
    }

    /// An estimate of how often the condition holds on ordinary text: each literal counts
    /// 4^-len (text carries about two bits per byte), capped at 8 bytes. Lower is more
    /// selective; `union` (one literal) beats `union\s` (six, one per space byte).
    fn cost(&self) -> f64 {
        let capped = |len: usize| i32::try_from(len.min(8)).unwrap_or(8);
        self.literals.iter().map(|lit| 4f64.powi(-capped(lit.len()))).sum()
    }

    /// The union of two conditions (a match of either branch contains one of the literals).
    fn union(mut self, other: Condition) -> Option<Condition> {
        if self.literals.len() + other.literals.len() > MAX_LITERALS {
            return None;
        }
        self.literals.extend(other.literals);
        Some(self)
    }

    /// The literals, deduplicated, without any literal that contains another one (when the
    /// longer occurs, the shorter does too, so the condition is unchanged).
    fn minimized(mut self) -> Vec<Vec<u8>> {
        self.literals.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        self.literals.dedup();
        let mut kept: Vec<Vec<u8>> = Vec::with_capacity(self.literals.len());
        for lit in self.literals {
            if !kept.iter().any(|k| contains(&lit, k)) {
                kept.push(lit);
            }
        }
        kept.sort();
        kept
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// The most selective of `a` and `b`.
fn better(a: Option<Condition>, b: Option<Condition>) -> Option<Condition> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.cost() < a.cost() { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The most selective condition found for `hir` (see the module docs for the rules).
fn required(hir: &Hir) -> Option<Condition> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) | HirKind::Class(_) => None,
        HirKind::Literal(lit) => Condition { literals: vec![lit.0.to_vec()] }.useful(),
        HirKind::Repetition(rep) if rep.min == 0 => None,
        HirKind::Repetition(rep) => better(required(&rep.sub), extracted(hir)),
        HirKind::Capture(cap) => required(&cap.sub),
        HirKind::Concat(parts) => required_concat(parts),
        HirKind::Alternation(branches) => better(required_alternation(branches), extracted(hir)),
    }
}

/// The best of the parts' conditions and of the prefixes and suffixes of runs of parts.
fn required_concat(parts: &[Hir]) -> Option<Condition> {
    let mut best = None;
    for part in parts {
        best = better(best, required(part));
    }
    for i in 0..parts.len() {
        let run = Hir::concat(parts[i..].to_vec());
        best = better(best, extract(&run, ExtractKind::Prefix));
        let run = Hir::concat(parts[..=i].to_vec());
        best = better(best, extract(&run, ExtractKind::Suffix));
    }
    best
}

/// The union of every branch's condition; none when a branch has none.
fn required_alternation(branches: &[Hir]) -> Option<Condition> {
    let mut union = Condition { literals: Vec::new() };
    for branch in branches {
        union = union.union(required(branch)?)?;
    }
    Some(union)
}

/// The better of `hir`'s prefix and suffix literal sequences.
fn extracted(hir: &Hir) -> Option<Condition> {
    better(extract(hir, ExtractKind::Prefix), extract(hir, ExtractKind::Suffix))
}

/// Every match of `hir` starts (`Prefix`) or ends (`Suffix`) with one of these literals;
/// inexact literals are cut-short prefixes (suffixes) of the match, still contained in it.
fn extract(hir: &Hir, kind: ExtractKind) -> Option<Condition> {
    let seq = Extractor::new().kind(kind).limit_total(EXTRACT_LIMIT_TOTAL).extract(hir);
    Condition::from_seq(&seq)
}
