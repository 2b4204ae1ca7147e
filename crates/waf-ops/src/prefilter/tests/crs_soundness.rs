//! The Core Rule Set: how many `@rx` patterns get a condition, and the soundness property
//! on strings sampled from every pattern and on the CRS regression payloads.

use std::time::Instant;

use super::super::{required_literals, CandidateBits, PrefilterSet};
use super::crs::{self, CrsPattern};
use super::rx;
use super::soundness::check_pattern;

#[test]
fn crs_coverage() {
    let patterns = crs::patterns();
    assert!(patterns.len() > 250, "only {} @rx patterns found", patterns.len());
    let (mut pl1, mut pl1_with, mut all_with) = (0, 0, 0);
    let mut without = Vec::new();
    let started = Instant::now();
    let conditions: Vec<_> = patterns.iter().map(|p| required_literals(&p.pattern)).collect();
    let elapsed = started.elapsed();
    for (p, condition) in patterns.iter().zip(conditions) {
        all_with += usize::from(condition.is_some());
        if p.level <= 1 {
            pl1 += 1;
            pl1_with += usize::from(condition.is_some());
            if condition.is_none() {
                without.push(format!("  {}:{} {}", p.file, p.line, excerpt(&p.pattern)));
            }
        }
    }
    println!(
        "CRS @rx patterns with a prefilter condition: PL1 {pl1_with} of {pl1}, all levels \
         {all_with} of {} (analysed in {elapsed:.1?})",
        patterns.len()
    );
    println!("PL1 patterns without a condition (always run):\n{}", without.join("\n"));
    assert!(pl1_with * 2 > pl1, "only {pl1_with} of {pl1} PL1 patterns have a condition");
}

#[test]
fn crs_patterns_are_sound_on_sampled_strings() {
    let mut matched = 0;
    for (i, p) in crs::patterns().iter().enumerate() {
        matched += check_pattern(&p.pattern, 100, i as u64 + 1);
    }
    println!("CRS sampled strings: {matched} matches checked");
    assert!(matched > 15_000, "only {matched} sampled strings matched");
}

#[test]
fn crs_patterns_are_sound_on_regression_payloads() {
    let started = Instant::now();
    let patterns: Vec<CrsPattern> = crs::patterns();
    let mut builder = PrefilterSet::builder();
    for (slot, p) in patterns.iter().enumerate() {
        builder.add(slot, &required_literals(&p.pattern).unwrap_or_default());
    }
    let set = builder.build().unwrap();
    let operators: Vec<_> = patterns.iter().map(|p| rx(&p.pattern)).collect();

    let mut inputs: Vec<Vec<u8>> = crs::payloads().iter().flat_map(|p| crs::variants(p)).collect();
    inputs.sort();
    inputs.dedup();
    let mut out = CandidateBits::new();
    let (mut pairs, mut skipped, mut violations) = (0usize, 0usize, Vec::new());
    for input in &inputs {
        set.candidates(input, &mut out);
        for (slot, operator) in operators.iter().enumerate() {
            if out.contains(slot) {
                skipped += 1;
                continue;
            }
            pairs += 1;
            if operator.matches(input, None) {
                let p = &patterns[slot];
                let input = String::from_utf8_lossy(input);
                violations.push(format!("{}:{} matches {input:?}", p.file, p.line));
            }
        }
    }
    println!(
        "CRS payloads: {} inputs x {} patterns: {pairs} non-candidate pairs checked not to \
         match, {skipped} candidate pairs, {:.1?}",
        inputs.len(),
        patterns.len(),
        started.elapsed()
    );
    assert!(violations.is_empty(), "not candidates but matching:\n{}", violations.join("\n"));
    assert!(pairs > 100_000, "only {pairs} pairs checked");
}

fn excerpt(pattern: &str) -> String {
    let mut s: String = pattern.chars().take(90).collect();
    if s.len() < pattern.len() {
        s.push_str("...");
    }
    s
}

/// Values of the benign traffic of bench/waf: prose form fields, JSON order values, query
/// arguments, a browser's headers.
const BENIGN: &[&str] = &[
    "the parcel arrived yesterday and the blue cotton shirt fits well we would like to order \
     another one in green for our daughter next month please keep the same size and send it \
     to the office address during working hours thank you for the friendly service",
    "I'd like the \"blue\" one, it's my daughter's favourite colour; thanks (again)!",
    "Alice Martin",
    "alice.martin@example.com",
    "+44 20 7946 0018",
    "12 Market Street",
    "LS1 4DY",
    "SKU-10023",
    "ORD-2026-118204",
    "blue shirt",
    "price",
    "/waf/search",
    "q=blue+shirt&page=2&sort=price&lang=en",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "en-US,en;q=0.5",
    "shop.example.com",
];

#[test]
fn benign_values_leave_few_candidates() {
    let patterns: Vec<CrsPattern> = crs::patterns().into_iter().filter(|p| p.level <= 1).collect();
    let mut builder = PrefilterSet::builder();
    let mut conditioned = 0;
    for (slot, p) in patterns.iter().enumerate() {
        if let Some(literals) = required_literals(&p.pattern) {
            builder.add(slot, &literals);
            conditioned += 1;
        }
    }
    let set = builder.build().unwrap();
    let mut out = CandidateBits::new();
    let mut total = 0;
    for value in BENIGN {
        set.candidates(value.as_bytes(), &mut out);
        let hits: Vec<String> =
            out.iter().map(|s| format!("{}:{}", patterns[s].file, patterns[s].line)).collect();
        println!("{:>2} candidates for {value:.40?}: {}", hits.len(), hits.join(" "));
        total += hits.len();
    }
    println!(
        "benign values: {:.1} of {conditioned} conditioned PL1 patterns are candidates per value \
         ({} literals in the automaton)",
        total as f64 / BENIGN.len() as f64,
        set.literals()
    );
    assert!(total * 10 < conditioned * BENIGN.len(), "{total} candidates in all");
}
