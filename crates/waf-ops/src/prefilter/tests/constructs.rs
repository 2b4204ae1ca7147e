//! The condition found for each regex construct, and that it holds on strings sampled from
//! the pattern.

use super::super::required_literals;
use super::lits;
use super::soundness::check_pattern;

fn some(literals: &[&str]) -> Option<Vec<String>> {
    Some(literals.iter().map(|l| l.to_string()).collect())
}

#[test]
fn literals_and_case() {
    assert_eq!(lits("(?i)SeLeCt"), some(&["select"]));
    assert_eq!(lits("[Ss][Ee][Ll]ect"), some(&["select"]));
    assert_eq!(lits(r"\bselect\b"), some(&["select"]));
    assert_eq!(lits(r"(?i)\binformation_schema\b"), some(&["information_schema"]));
    assert_eq!(lits(r"UNION\s+ALL"), some(&["union"]));
}

#[test]
fn concatenations_keep_the_most_selective_part() {
    assert_eq!(lits(r"\w+union\s+all"), some(&["union"]));
    assert_eq!(lits(r"x*abc"), some(&["abc"]));
    assert_eq!(lits(r"[a-z]+\.php"), some(&[".php"]));
    assert_eq!(lits(r"(?:foo|bar)baz"), some(&["barbaz", "foobaz"]));
    assert_eq!(lits(r"\d+\s*(?:select|union)\W"), some(&["select", "union"]));
}

#[test]
fn alternations_and_repetitions() {
    assert_eq!(lits(r"(?:union|select)\s"), some(&["select", "union"]));
    assert_eq!(lits(r"(abc)+"), some(&["abc"]));
    assert_eq!(lits(r"(?:abc){2,5}"), some(&["abcabc"]));
    assert_eq!(lits(r"(?:abc){0,3}x"), None);
    assert_eq!(lits(r"abc|de"), None);
    assert_eq!(lits(r"(?:abc|\w+)xyz"), some(&["xyz"]));
    assert_eq!(lits(r"(?:abc|[a-z]+)x"), None);
}

#[test]
fn rare_bytes_make_short_literals_worth_it() {
    assert_eq!(lits(r"[\n\r]"), some(&["\n", "\r"]));
    assert_eq!(lits(r"\$\{\w+\}"), some(&["${"]));
    assert_eq!(lits(r"(?:<|\bjavascript:)"), some(&["<", "javascript:"]));
    assert_eq!(lits(r"\.\./"), some(&["../"]));
    assert_eq!(lits(r"\bon\w+="), None);
    assert_eq!(lits(r"[<>a]"), None);
    assert_eq!(lits(r#"["']\s*\d"#), some(&["\"", "'"]));
    assert_eq!(lits(r#"(?:["']\s*|\b)(?:onload|onerror)"#), some(&["onerror", "onload"]));
}

#[test]
fn superstrings_are_dropped() {
    assert_eq!(lits(r"(?:select|selected|reselect)"), some(&["select"]));
    assert_eq!(lits(r"(?i)(?:xyz|XYZZY|abc)"), some(&["abc", "xyz"]));
}

#[test]
fn no_condition_where_none_holds() {
    for pattern in ["", "a?", "^$", "(?:abc|)", "ab", "a.b.c.d", r"\b", "(?:abc)*", "[a-z]{5}"] {
        assert_eq!(lits(pattern), None, "{pattern}");
    }
}

#[test]
fn unparsable_and_unicode_give_none() {
    for pattern in ["(", r"(a)\1", r"(?u)\wabc", r"(?=abc)abc", "*abc"] {
        assert_eq!(required_literals(pattern), None, "{pattern}");
    }
}

#[test]
fn pcre_byte_spellings_are_bytes() {
    assert_eq!(required_literals(r"\x{bc}script"), Some(vec![b"\xbcscript".to_vec()]));
    assert_eq!(required_literals("café"), Some(vec![b"caf\xc3\xa9".to_vec()]));
    assert_eq!(required_literals(r"(?i)\xC3\xA9T\xE9"), Some(vec![b"\xc3\xa9t\xe9".to_vec()]));
    assert_eq!(required_literals("(?i)é"), None);
}

#[test]
fn sampled_strings_of_every_construct_are_candidates() {
    let patterns = [
        r"(?i)SeLeCt",
        r"\w+union\s+all",
        r"(?:foo|bar)baz",
        r"(?:select|selection|reselect)\(",
        r"(?i)\x{bc}script",
        r"(?m)^abc$",
        r"(?:abc){2,5}",
        r"(?i)(?:<script|javascript:)",
        r"(?i:ab)CD(?-i:ef)",
        r"\bunion\b.{0,20}\bselect\b",
        r"\x{100}abc",
        r"[^\n]*?\x00\xff{2}",
    ];
    let mut matched = 0;
    for pattern in patterns {
        matched += check_pattern(pattern, 200, 7);
    }
    assert!(matched > 1000, "only {matched} sampled strings matched");
}
