//! Unit tests of the prefilter; the CRS soundness tests are in `tests/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn lits(p: &str) -> Option<Vec<String>> {
    required_literals(p).map(|v| v.into_iter().map(|l| String::from_utf8(l).unwrap()).collect())
}

#[test]
fn overlapping_literals_are_all_found() {
    let mut b = PrefilterSet::builder();
    b.add(1, &[b"abcd".to_vec()]);
    b.add(2, &[b"bc".to_vec()]);
    let set = b.build().unwrap();
    let mut out = CandidateBits::new();
    set.candidates(b"xabcdx", &mut out);
    assert!(out.contains(1) && out.contains(2));
    assert_eq!(out.iter().collect::<Vec<_>>(), vec![1, 2]);
}

#[test]
fn simple_conditions() {
    assert_eq!(lits("(?i)select"), Some(vec!["select".into()]));
    assert_eq!(lits(r"\w+union\s+all"), Some(vec!["union".into()]));
}
