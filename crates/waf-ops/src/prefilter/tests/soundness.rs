//! The soundness property: whenever the `@rx` operator matches an input, the pattern's slot
//! is a candidate for that input. Checked on random patterns, on every CRS pattern with
//! strings sampled from it, and on the CRS regression payloads.

use super::super::{required_literals, syntax, CandidateBits, PrefilterSet};
use super::rx;
use super::sample::{sample, Rng};

/// Checks the property for `pattern` on `samples` strings sampled from it and as many random
/// ones; returns how many of them matched. Panics with the pattern and input on a violation.
pub(super) fn check_pattern(pattern: &str, samples: usize, seed: u64) -> usize {
    let Some(literals) = required_literals(pattern) else {
        return 0;
    };
    let mut builder = PrefilterSet::builder();
    builder.add(0, &literals);
    let set = builder.build().unwrap();
    let operator = rx(pattern);
    let hir = syntax::parse(pattern).unwrap();
    let mut rng = Rng::new(seed);
    let mut out = CandidateBits::new();
    let mut matched = 0;
    for i in 0..2 * samples {
        let input = if i % 2 == 0 { sample(&hir, &mut rng) } else { noise(&literals, &mut rng) };
        if operator.matches(&input, None) {
            matched += 1;
            set.candidates(&input, &mut out);
            assert!(
                out.contains(0),
                "pattern {pattern:?} matches {:?} but its literals {literals:?} do not occur",
                String::from_utf8_lossy(&input)
            );
        }
    }
    matched
}

/// Random text made of the pattern's literals, cut and mixed with a few other bytes.
fn noise(literals: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(6) {
        let lit = &literals[rng.below(literals.len())];
        let from = rng.below(lit.len());
        out.extend_from_slice(&lit[from..]);
        out.push(b" \n(aZ"[rng.below(5)]);
    }
    out
}

/// A random pattern of depth at most `depth` over the constructs that matter here.
fn random_pattern(rng: &mut Rng, depth: usize) -> String {
    const ATOMS: &[&str] = &[
        "abc", "select", "Union", "x", "é", r"\x{bc}", r"\.", "<script", "--", "[a-c]", "[^x]",
        r"\s", r"\w", r"\d", ".", "[Ss]", "^", "$", r"\b", r"\B", "(?:)", r"\W", r"[\n\r]", r"\$",
        "[<>]", r"\{", r"\x5c", "on", "[A-Z]", "[^a-z]", r"\x00", "[Kk]", "(?-i:K)", r"\n",
    ];
    const REPEATS: &[&str] = &["*", "+", "?", "{2}", "{1,3}", "{0,2}", "*?", "{3,}"];
    if depth == 0 || rng.below(3) == 0 {
        return ATOMS[rng.below(ATOMS.len())].to_string();
    }
    let sub = |rng: &mut Rng| random_pattern(rng, depth - 1);
    match rng.below(6) {
        0 | 1 => (0..2 + rng.below(3)).map(|_| sub(rng)).collect(),
        2 => {
            let empty = if rng.below(4) == 0 { "|" } else { "" };
            format!("(?:{}|{}{empty})", sub(rng), sub(rng))
        }
        3 => format!("(?:{}){}", sub(rng), REPEATS[rng.below(REPEATS.len())]),
        4 => format!("(?i:{})", sub(rng)),
        _ => format!("({})", sub(rng)),
    }
}

#[test]
fn random_patterns_are_sound() {
    let mut rng = Rng::new(0x5eed);
    let (mut with_condition, mut matched) = (0, 0);
    for i in 0..4000 {
        let flags = if rng.below(3) == 0 { "(?i)" } else { "" };
        let pattern = format!("{flags}{}", random_pattern(&mut rng, 4));
        if required_literals(&pattern).is_some() {
            with_condition += 1;
            matched += check_pattern(&pattern, 40, i);
        }
    }
    println!("random patterns: {with_condition} of 4000 with a condition, {matched} matches");
    assert!(with_condition > 1000 && matched > 40_000, "{with_condition} {matched}");
}
