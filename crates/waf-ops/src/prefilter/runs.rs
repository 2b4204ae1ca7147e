//! Literal sequences of the runs of a concatenation, for [`super::literals`].
//!
//! For parts `p0 p1 ... pn`, every match of the concatenation contains a match of each run
//! `pi ... pn` (so starts-with literals of that run occur in it) and of each run `p0 ... pj`
//! (so do its ends-with literals). The runs are computed the way regex-syntax's literal
//! [`Extractor`] computes a concatenation (cross products of the parts' sequences, stopping
//! once every literal is inexact, with the same limits), but from the parts' sequences
//! extracted once, instead of extracting a cloned sub-tree per run.

use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::Hir;

/// The Extractor's bound on the literals it expands a sequence to (regex-syntax's default is
/// 250; CRS word lists and path-traversal spellings are longer, and the folded tree needs no
/// case variants).
const LIMIT_TOTAL: usize = 4000;

/// The Extractor's bound on a literal's length (its default).
const LIMIT_LITERAL_LEN: usize = 100;

/// The starts-with (`Prefix`) or ends-with (`Suffix`) sequence of `hir`.
pub(super) fn extract(hir: &Hir, kind: ExtractKind) -> Seq {
    Extractor::new()
        .kind(kind)
        .limit_total(LIMIT_TOTAL)
        .limit_literal_len(LIMIT_LITERAL_LEN)
        .extract(hir)
}

/// The starts-with sequence of every run `parts[i..]` and the ends-with sequence of every
/// run `parts[..=j]`, skipping runs that begin (end) with a part that can match the empty
/// string or has no finite sequence: such a run gives nothing the next run does not.
pub(super) fn run_sequences(parts: &[Hir]) -> Vec<Seq> {
    let prefixes: Vec<Seq> = parts.iter().map(|p| extract(p, ExtractKind::Prefix)).collect();
    let suffixes: Vec<Seq> = parts.iter().map(|p| extract(p, ExtractKind::Suffix)).collect();
    let mut out = Vec::new();
    for i in 0..parts.len() {
        if worth_starting(&prefixes[i]) {
            out.push(cross_all(&prefixes[i], prefixes[i + 1..].iter(), ExtractKind::Prefix));
        }
        if worth_starting(&suffixes[i]) {
            out.push(cross_all(&suffixes[i], suffixes[..i].iter().rev(), ExtractKind::Suffix));
        }
    }
    out
}

fn worth_starting(seq: &Seq) -> bool {
    seq.is_finite() && seq.min_literal_len().is_some_and(|len| len > 0)
}

/// `first` crossed with each of `rest` in turn (appended for prefixes, prepended for
/// suffixes) until every literal is inexact.
fn cross_all<'a>(first: &Seq, rest: impl Iterator<Item = &'a Seq>, kind: ExtractKind) -> Seq {
    let mut seq = first.clone();
    for next in rest {
        if seq.is_inexact() {
            break;
        }
        let mut next = next.clone();
        if seq.max_cross_len(&next).is_some_and(|len| len > LIMIT_TOTAL) {
            next.make_infinite();
        }
        match kind {
            ExtractKind::Suffix => {
                seq.cross_reverse(&mut next);
                seq.keep_last_bytes(LIMIT_LITERAL_LEN);
            }
            _ => {
                seq.cross_forward(&mut next);
                seq.keep_first_bytes(LIMIT_LITERAL_LEN);
            }
        }
    }
    seq
}
