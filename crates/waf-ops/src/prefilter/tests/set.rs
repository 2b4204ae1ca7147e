//! The automaton: overlapping occurrences, case, slots without conditions, reuse of `out`.

use super::super::{CandidateBits, PrefilterSet};

fn set(entries: &[(usize, &[&str])]) -> PrefilterSet {
    let mut builder = PrefilterSet::builder();
    for (slot, literals) in entries {
        let literals: Vec<Vec<u8>> = literals.iter().map(|l| l.as_bytes().to_vec()).collect();
        builder.add(*slot, &literals);
    }
    builder.build().unwrap()
}

fn candidates(set: &PrefilterSet, input: &str) -> Vec<usize> {
    let mut out = CandidateBits::new();
    set.candidates(input.as_bytes(), &mut out);
    out.iter().collect()
}

#[test]
fn overlapping_literals_are_all_found() {
    let set = set(&[(1, &["abcd"]), (2, &["bc"])]);
    assert_eq!(candidates(&set, "xabcdx"), vec![1, 2]);
    assert_eq!(candidates(&set, "xbcx"), vec![2]);
    assert_eq!(candidates(&set, "xabx"), Vec::<usize>::new());
}

#[test]
fn literal_inside_and_after_another() {
    let set = set(&[(0, &["select"]), (1, &["elec"]), (2, &["lect"]), (3, &["ctfr"])]);
    assert_eq!(candidates(&set, "selectfrom"), vec![0, 1, 2, 3]);
}

#[test]
fn case_is_ignored_both_ways() {
    let set = set(&[(0, &["UNION"]), (1, &["select"])]);
    assert_eq!(candidates(&set, "union SeLeCt"), vec![0, 1]);
}

#[test]
fn shared_literal_sets_every_slot() {
    let set = set(&[(3, &["from", "where"]), (70, &["from"]), (64, &["where"])]);
    assert_eq!(candidates(&set, "x where y"), vec![3, 64]);
    assert_eq!(candidates(&set, "FROM"), vec![3, 70]);
    assert_eq!(set.slots(), 71);
    assert_eq!(set.literals(), 2);
}

#[test]
fn slots_without_condition_are_always_candidates() {
    let set = set(&[(0, &[]), (1, &["abc", ""]), (2, &["xyz"])]);
    assert_eq!(candidates(&set, ""), vec![0, 1]);
    assert_eq!(candidates(&set, "xyz"), vec![0, 1, 2]);
}

#[test]
fn empty_set_and_reused_bits() {
    let empty = PrefilterSet::builder().build().unwrap();
    assert_eq!(empty.slots(), 0);
    let mut out = CandidateBits::with_slots(200);
    out.insert(150);
    empty.candidates(b"anything", &mut out);
    assert!(out.is_empty());

    let set = set(&[(130, &["abc"])]);
    set.candidates(b"abc", &mut out);
    assert_eq!(out.iter().collect::<Vec<_>>(), vec![130]);
    set.candidates(b"zzz", &mut out);
    assert!(out.is_empty() && !out.contains(130) && !out.contains(100_000));
    assert_eq!(out.len(), 0);
}

#[test]
fn huge_slot_is_refused() {
    let mut builder = PrefilterSet::builder();
    builder.add(usize::MAX, &[b"abc".to_vec()]);
    let err = builder.build().unwrap_err().to_string();
    assert!(err.starts_with("prefilter slot"), "{err}");
}
