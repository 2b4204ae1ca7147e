#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The rule prefilter: an operator is skipped only when its literal condition is absent from
//! what it would see (after transformations), and the verdicts are those of running it.

use rampart_waf::{InspectionStats, LoadOptions, TransactionInfo, WafEngine};

fn load(rules: &str) -> WafEngine {
    WafEngine::from_str(&format!("SecRuleEngine On\n{rules}"), &LoadOptions::default()).unwrap()
}

/// Runs phase 1 on `GET /?q=<query>`; the ids of the matched rules and the work done.
fn inspect(engine: &WafEngine, query: &str) -> (Vec<u64>, InspectionStats) {
    let mut tx = engine.transaction(TransactionInfo {
        client_ip: "127.0.0.1".parse().unwrap(),
        client_port: 40_000,
        server_port: 8080,
        request_id: "r1".into(),
    });
    tx.process_request_line("GET", &format!("/?q={query}"), "HTTP/1.1");
    tx.process_request_headers();
    let stats = tx.stats();
    assert_eq!(stats.values_tested, stats.operators_run + stats.prefilter_skips, "{stats:?}");
    (tx.matches().iter().map(|m| m.rule_id).collect(), stats)
}

const UNION_SELECT: &str =
    r#"SecRule ARGS "@rx (?i)union\s+select" "id:1,phase:1,pass,log,t:none""#;

#[test]
fn a_rule_whose_literal_is_absent_is_not_run() {
    let engine = load(UNION_SELECT);
    let (ids, stats) = inspect(&engine, "blue+shirt");
    assert!(ids.is_empty());
    assert_eq!(stats.values_tested, 1);
    assert_eq!(stats.operators_run, 0);
    assert_eq!(stats.prefilter_skips, 1);
}

#[test]
fn a_rule_whose_literal_is_present_is_run_in_any_case() {
    let engine = load(UNION_SELECT);
    for query in ["1+union+select+2", "1+UNION++SELECT+2", "1+UnIoN%09sElEcT+2"] {
        let (ids, stats) = inspect(&engine, query);
        assert_eq!(ids, vec![1], "{query}");
        assert_eq!(stats.operators_run, 1, "{query}");
        assert_eq!(stats.prefilter_skips, 0, "{query}");
    }
    // The literal is there but the pattern does not match: run, no match.
    let (ids, stats) = inspect(&engine, "union+of+selected");
    assert!(ids.is_empty());
    assert_eq!(stats.operators_run, 1);
}

#[test]
fn the_condition_is_checked_on_the_transformed_value() {
    // Case-sensitive pattern; the literal appears only after t:lowercase.
    let engine =
        load(r#"SecRule ARGS "@rx union select" "id:2,phase:1,pass,log,t:none,t:lowercase""#);
    let (ids, stats) = inspect(&engine, "UNION+SELECT");
    assert_eq!(ids, vec![2]);
    assert_eq!(stats.operators_run, 1);

    // base64 of "union select": no literal in the raw value, only in the decoded one.
    let engine =
        load(r#"SecRule ARGS "@rx union select" "id:3,phase:1,pass,log,t:none,t:base64Decode""#);
    let (ids, _) = inspect(&engine, "dW5pb24gc2VsZWN0");
    assert_eq!(ids, vec![3]);
    let (ids, stats) = inspect(&engine, "Ymx1ZSBzaGlydA");
    assert!(ids.is_empty());
    assert_eq!(stats.prefilter_skips, 1);
}

#[test]
fn phrases_are_prefiltered_and_negations_always_run() {
    let engine = load(
        "SecRule ARGS \"@pm evilword badphrase\" \"id:4,phase:1,pass,log,t:none\"\n\
         SecRule ARGS \"!@rx shirt\" \"id:5,phase:1,pass,log,t:none\"",
    );
    let (ids, stats) = inspect(&engine, "blue+shirt");
    assert!(ids.is_empty());
    assert_eq!(stats.values_tested, 2);
    assert_eq!(stats.prefilter_skips, 1, "only @pm may be skipped");
    assert_eq!(stats.operators_run, 1, "the negated rule runs");

    let (ids, _) = inspect(&engine, "an+EVILWORD+here");
    assert_eq!(ids, vec![4, 5]);
}

#[test]
fn multi_match_is_skipped_only_where_the_chain_changes_nothing() {
    let engine = load(
        r#"SecRule ARGS "@rx union select" "id:6,phase:1,pass,log,multiMatch,t:none,t:lowercase""#,
    );
    let (ids, stats) = inspect(&engine, "blue+shirt");
    assert!(ids.is_empty());
    assert_eq!(stats.prefilter_skips, 1);

    let (ids, stats) = inspect(&engine, "UNION+SELECT");
    assert_eq!(ids, vec![6]);
    assert_eq!(stats.operators_run, 1);
}

#[test]
fn shared_values_are_scanned_for_every_rule() {
    // Two rules over the same value and chain: each is decided by its own literal.
    let engine = load(
        "SecRule ARGS \"@rx (?i)union\\s+select\" \"id:7,phase:1,pass,log,t:none\"\n\
         SecRule ARGS \"@rx <script\" \"id:8,phase:1,pass,log,t:none\"",
    );
    let (ids, stats) = inspect(&engine, "%3Cscript%3E");
    assert_eq!(ids, vec![8]);
    assert_eq!(stats.prefilter_skips, 1);
    assert_eq!(stats.operators_run, 1);
}
