#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Transaction behaviour: phases, actions, variables, collections and interventions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rampart_waf::{InterventionAction, LoadOptions, Transaction, TransactionInfo, WafEngine};

fn engine(rules: &str) -> WafEngine {
    WafEngine::from_str(rules, &LoadOptions::default()).unwrap()
}

fn info() -> TransactionInfo {
    TransactionInfo {
        client_ip: "192.0.2.7".parse().unwrap(),
        client_port: 40_000,
        server_port: 8080,
        request_id: "req-1".into(),
    }
}

fn get<'e>(engine: &'e WafEngine, uri: &str, headers: &[(&str, &str)]) -> Transaction<'e> {
    let mut tx = engine.transaction(info());
    tx.process_request_line("GET", uri, "HTTP/1.1");
    for (k, v) in headers {
        tx.add_request_header(k, v.as_bytes());
    }
    tx
}

fn ids(tx: &Transaction<'_>) -> Vec<u64> {
    tx.matches().iter().map(|m| m.rule_id).collect()
}

#[test]
fn deny_returns_an_intervention_and_stops_the_phase() {
    let e = engine(
        "SecRuleEngine On\n\
         SecRule ARGS:q \"@contains evil\" \"id:1,phase:1,deny,status:406,msg:'bad q'\"\n\
         SecAction \"id:2,phase:1,pass\"",
    );
    let mut tx = get(&e, "/search?q=very%20evil", &[]);
    let i = tx.process_request_headers().unwrap();
    assert_eq!((i.status, i.action, i.rule_id), (406, InterventionAction::Deny, 1));
    assert_eq!(ids(&tx), vec![1]);
    assert_eq!(tx.matches()[0].msg, "bad q");
    assert_eq!(tx.matches()[0].variable, "ARGS:q");
    assert_eq!(tx.matches()[0].value, b"very evil");
}

#[test]
fn detection_only_logs_without_intervening() {
    let e = engine(
        "SecRuleEngine DetectionOnly\nSecRule ARGS \"@contains evil\" \"id:1,phase:1,deny\"",
    );
    let mut tx = get(&e, "/?q=evil", &[]);
    assert!(tx.process_request_headers().is_none());
    assert_eq!(ids(&tx), vec![1]);
}

#[test]
fn block_follows_the_default_action_of_the_phase() {
    let e = engine(
        "SecRuleEngine On\nSecDefaultAction \"phase:2,log,deny,status:418\"\n\
         SecRule ARGS \"@streq x\" \"id:1,phase:2,block\"",
    );
    let mut tx = get(&e, "/?a=x", &[]);
    assert!(tx.process_request_headers().is_none());
    assert_eq!(tx.process_request_body().unwrap().status, 418);
}

#[test]
fn setvar_macros_and_anomaly_scores() {
    let e = engine(
        "SecAction \"id:1,phase:1,pass,nolog,setvar:tx.critical=5,\
           setvar:tx.name=%{REQUEST_METHOD}\"\n\
         SecRule ARGS \"@rx attack\" \"id:2,phase:1,pass,\
           setvar:'tx.blocking_inbound_anomaly_score=+%{tx.critical}'\"\n\
         SecRule ARGS \"@rx attack\" \"id:3,phase:1,pass,\
           setvar:tx.blocking_inbound_anomaly_score=+2,\
           setvar:tx.%{tx.name}_seen=1,setvar:!tx.critical\"",
    );
    let mut tx = get(&e, "/?a=attack&b=attack", &[]);
    tx.process_request_headers();
    // Each matched value runs the rule's setvar once: 2 x 5, then 2 x 2.
    assert_eq!(tx.anomaly_scores().inbound, 14);
    assert_eq!(tx.tx_var("GET_seen"), Some(&b"1"[..]));
    assert_eq!(tx.tx_var("critical"), None);
    assert!(!tx.matches()[0].logged);
}

#[test]
fn chains_see_the_matched_vars_of_earlier_links() {
    let e = engine(
        "SecRule ARGS \"@rx ^a\" \"id:1,phase:1,pass,t:none,t:lowercase,chain\"\n\
         SecRule MATCHED_VARS \"@rx b$\" \"setvar:tx.chained=1\"",
    );
    let mut tx = get(&e, "/?x=AB&y=AC", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![1]);
    assert_eq!(tx.tx_var("chained"), Some(&b"1"[..]));

    let mut tx = get(&e, "/?x=AC", &[]);
    tx.process_request_headers();
    assert!(ids(&tx).is_empty());
}

#[test]
fn counting_exclusions_and_regex_selectors() {
    let e = engine(
        "SecRule &ARGS \"@eq 3\" \"id:1,phase:1,pass\"\n\
         SecRule ARGS|!ARGS:skip \"@streq bad\" \"id:2,phase:1,pass\"\n\
         SecRule ARGS:/^pre_/ \"@streq hit\" \"id:3,phase:1,pass\"\n\
         SecRule &REQUEST_HEADERS:X-Missing \"@eq 0\" \"id:4,phase:1,pass\"",
    );
    let mut tx = get(&e, "/?skip=bad&PRE_a=hit&c=d", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![1, 3, 4]);
}

#[test]
fn ctl_removes_rules_and_targets_for_this_transaction_only() {
    let e = engine(
        "SecRule REQUEST_URI \"@beginsWith /admin\" \"id:1,phase:1,pass,nolog,\
           ctl:ruleRemoveById=10,ctl:ruleRemoveTargetById=11;ARGS:token\"\n\
         SecRule ARGS \"@contains x\" \"id:10,phase:2,pass\"\n\
         SecRule ARGS \"@contains x\" \"id:11,phase:2,pass\"",
    );
    let mut tx = get(&e, "/admin?token=x&other=x", &[]);
    tx.process_request_headers();
    tx.process_request_body();
    assert_eq!(ids(&tx), vec![1, 11]);
    assert_eq!(tx.matches()[1].variable, "ARGS:other");

    let mut tx = get(&e, "/public?token=x", &[]);
    tx.process_request_headers();
    tx.process_request_body();
    assert_eq!(ids(&tx), vec![10, 11]);
}

#[test]
fn ctl_inside_a_chain_runs_only_when_its_link_matches() {
    let e = engine(
        "SecRule REQUEST_METHOD \"@streq GET\" \"id:1,phase:1,pass,nolog,chain\"\n\
         SecRule ARGS:off \"@streq 1\" \"ctl:ruleEngine=Off\"\n\
         SecRule ARGS \"@rx .\" \"id:2,phase:1,pass\"",
    );
    let mut tx = get(&e, "/?off=0", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![2]);

    let mut tx = get(&e, "/?off=1", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![1, 2]);
    assert_eq!(tx.mode(), rampart_waf::rule::EngineMode::Off);
}

#[test]
fn skip_after_jumps_to_the_marker_and_skip_counts_rules() {
    let e = engine(
        "SecRule ARGS:pl \"@lt 2\" \"id:1,phase:1,pass,nolog,skipAfter:END-PL2\"\n\
         SecAction \"id:2,phase:1,pass\"\n\
         SecMarker END-PL2\n\
         SecAction \"id:3,phase:1,pass,skip:1\"\n\
         SecAction \"id:4,phase:1,pass\"\n\
         SecAction \"id:5,phase:1,pass\"",
    );
    let mut tx = get(&e, "/?pl=1", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![1, 3, 5]);

    let mut tx = get(&e, "/?pl=3", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![2, 3, 5]);
}

#[test]
fn capture_fills_tx_and_logdata_expands() {
    let e = engine(
        "SecRule ARGS \"@rx (\\d+)-(\\d+)\" \"id:1,phase:1,pass,capture,\
           logdata:'got %{TX.1} and %{tx.2} in %{MATCHED_VAR_NAME}'\"",
    );
    let mut tx = get(&e, "/?r=10-20", &[]);
    tx.process_request_headers();
    assert_eq!(tx.matches()[0].logdata, "got 10 and 20 in ARGS:r");
}

#[test]
fn update_target_by_id_excludes_a_cookie() {
    let e = engine(
        "SecRule REQUEST_COOKIES \"@contains x\" \"id:1,phase:1,pass\"\n\
         SecRuleUpdateTargetById 1 \"!REQUEST_COOKIES:/^_ga/\"",
    );
    let mut tx = get(&e, "/", &[("Cookie", "_ga_1=x; sid=y")]);
    tx.process_request_headers();
    assert!(ids(&tx).is_empty());

    let mut tx = get(&e, "/", &[("Cookie", "_ga_1=x; sid=x")]);
    tx.process_request_headers();
    assert_eq!(tx.matches()[0].variable, "REQUEST_COOKIES:sid");
}

#[test]
fn remove_by_id_and_tag_at_load() {
    let e = engine(
        "SecAction \"id:1,phase:1,pass,tag:'a'\"\nSecAction \"id:2,phase:1,pass,tag:'b'\"\n\
         SecAction \"id:3,phase:1,pass\"\nSecRuleRemoveById 3\nSecRuleRemoveByTag b",
    );
    let mut tx = get(&e, "/", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![1]);
}

#[test]
fn urlencoded_body_fills_args_post_and_request_body() {
    let e = engine(
        "SecRequestBodyAccess On\n\
         SecRule ARGS_POST:name \"@streq alice\" \"id:1,phase:2,pass\"\n\
         SecRule REQUEST_BODY \"@contains name=\" \"id:2,phase:2,pass\"\n\
         SecRule REQBODY_ERROR \"@eq 0\" \"id:3,phase:2,pass\"",
    );
    let mut tx = e.transaction(info());
    tx.process_request_line("POST", "/form", "HTTP/1.1");
    tx.add_request_header("Content-Type", b"application/x-www-form-urlencoded");
    tx.process_request_headers();
    tx.append_request_body(b"name=alice&x=1");
    tx.process_request_body();
    assert_eq!(ids(&tx), vec![1, 2, 3]);
}

#[test]
fn invalid_json_sets_reqbody_error() {
    let e = engine(
        "SecRequestBodyAccess On\n\
         SecRule REQUEST_HEADERS:Content-Type \"^application/json\" \
           \"id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON\"\n\
         SecRule REQBODY_ERROR \"!@eq 0\" \"id:2,phase:2,pass,logdata:'%{reqbody_error_msg}'\"\n\
         SecRule ARGS:json.a \"@eq 1\" \"id:3,phase:2,pass\"",
    );
    let run = |body: &[u8]| {
        let mut tx = e.transaction(info());
        tx.process_request_line("POST", "/api", "HTTP/1.1");
        tx.add_request_header("Content-Type", b"application/json");
        tx.process_request_headers();
        tx.append_request_body(body);
        tx.process_request_body();
        (ids(&tx), tx.matches().iter().map(|m| m.logdata.clone()).collect::<Vec<_>>())
    };
    assert_eq!(run(br#"{"a": 1}"#).0, vec![1, 3]);
    let (ids, logdata) = run(br#"{"a": "#);
    assert_eq!(ids, vec![1, 2]);
    assert!(logdata[1].starts_with("JSON parsing error"), "{logdata:?}");
}

#[test]
fn body_over_the_limit_is_rejected_with_413() {
    let e = engine(
        "SecRuleEngine On\nSecRequestBodyAccess On\nSecRequestBodyLimit 8\n\
         SecRequestBodyLimitAction Reject",
    );
    let mut tx = e.transaction(info());
    tx.process_request_line("POST", "/", "HTTP/1.1");
    tx.process_request_headers();
    tx.append_request_body(b"0123456789");
    let i = tx.process_request_body().unwrap();
    assert_eq!((i.status, i.rule_id), (413, 0));
}

#[test]
fn response_body_is_inspected_for_listed_types_only() {
    let e = engine(
        "SecResponseBodyAccess On\nSecResponseBodyMimeType text/html\n\
         SecRule RESPONSE_BODY \"@contains SQL syntax\" \"id:1,phase:4,pass\"\n\
         SecRule RESPONSE_STATUS \"@streq 500\" \"id:2,phase:3,pass\"",
    );
    let run = |content_type: &[u8]| {
        let mut tx = get(&e, "/", &[]);
        tx.process_request_headers();
        tx.process_request_body();
        tx.process_response_status(500, "HTTP/1.1");
        tx.add_response_header("Content-Type", content_type);
        tx.process_response_headers();
        tx.append_response_body(b"error in your SQL syntax");
        tx.process_response_body();
        ids(&tx)
    };
    assert_eq!(run(b"text/html; charset=utf-8"), vec![2, 1]);
    assert_eq!(run(b"application/octet-stream"), vec![2]);
}

#[test]
fn persistent_collections_expire_on_a_virtual_clock() {
    let now = Arc::new(AtomicU64::new(1_000_000_000));
    let clock_now = now.clone();
    let options = LoadOptions {
        clock: Some(Arc::new(move || clock_now.load(Ordering::SeqCst))),
        ..LoadOptions::default()
    };
    let e = WafEngine::from_str(
        "SecAction \"id:1,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR},setvar:ip.hits=+1,\
           expirevar:ip.hits=60\"\n\
         SecRule IP:hits \"@ge 2\" \"id:2,phase:1,pass\"",
        &options,
    )
    .unwrap();
    let run = || {
        let mut tx = e.transaction(info());
        tx.process_request_line("GET", "/", "HTTP/1.1");
        tx.process_request_headers();
        tx.process_logging();
        ids(&tx)
    };
    assert_eq!(run(), vec![1]);
    assert_eq!(run(), vec![1, 2]);
    now.fetch_add(61 * 1_000_000, Ordering::SeqCst);
    assert_eq!(run(), vec![1]);
}

#[test]
fn time_variables_use_the_clock() {
    // 2026-12-03 13:45:07 UTC.
    let options = LoadOptions {
        clock: Some(Arc::new(|| 1_796_305_507 * 1_000_000)),
        ..LoadOptions::default()
    };
    let e = WafEngine::from_str(
        "SecRule TIME_HOUR \"@eq 13\" \"id:1,phase:1,pass,logdata:'%{TIME}'\"",
        &options,
    )
    .unwrap();
    let mut tx = get(&e, "/", &[]);
    tx.process_request_headers();
    assert_eq!(tx.matches()[0].logdata, "20261203134507");
}

#[test]
fn request_variables_follow_modsecurity() {
    // As in libmodsecurity 3, REQUEST_FILENAME keeps an absolute-form target's scheme and host;
    // REQUEST_URI drops them.
    let e = engine(
        "SecRule REQUEST_FILENAME \"@streq http://h/a b/c.php\" \"id:1,phase:1,pass\"\n\
         SecRule REQUEST_BASENAME \"@streq c.php\" \"id:2,phase:1,pass\"\n\
         SecRule REQUEST_URI_RAW \"@streq http://h/a%20b/c.php?x=1\" \"id:3,phase:1,pass\"\n\
         SecRule REQUEST_URI \"@streq /a b/c.php?x=1\" \"id:4,phase:1,pass\"\n\
         SecRule QUERY_STRING \"@streq x=1\" \"id:5,phase:1,pass\"\n\
         SecRule REQUEST_LINE \"@beginsWith GET http://h/\" \"id:6,phase:1,pass\"\n\
         SecRule REMOTE_ADDR \"@ipMatch 192.0.2.0/24\" \"id:7,phase:1,pass\"\n\
         SecRule REQUEST_HEADERS_NAMES \"@streq X-Test\" \"id:8,phase:1,pass\"",
    );
    let mut tx = get(&e, "http://h/a%20b/c.php?x=1", &[("X-Test", "1")]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![1, 2, 3, 4, 5, 6, 7, 8]);
}

#[test]
fn allow_stops_the_remaining_rules() {
    let e = engine(
        "SecRuleEngine On\n\
         SecRule REMOTE_ADDR \"@ipMatch 192.0.2.7\" \"id:1,phase:1,allow,nolog\"\n\
         SecRule ARGS \"@rx .\" \"id:2,phase:2,deny\"",
    );
    let mut tx = get(&e, "/?a=b", &[]);
    assert!(tx.process_request_headers().is_none());
    assert!(tx.process_request_body().is_none());
    assert_eq!(ids(&tx), vec![1]);
}

#[test]
fn multi_match_checks_every_transformation_step() {
    let e = engine(
        "SecRule ARGS \"@streq A%41\" \"id:1,phase:1,pass,t:none,t:urlDecode,multiMatch\"\n\
         SecRule ARGS \"@streq A%41\" \"id:2,phase:1,pass,t:none,t:urlDecode\"",
    );
    let mut tx = get(&e, "/?q=A%2541", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![1]);
}

#[test]
fn engine_is_shareable_and_transactions_can_move_between_threads() {
    fn shareable<T: Send + Sync>() {}
    fn movable<T: Send>() {}
    shareable::<WafEngine>();
    movable::<Transaction<'static>>();
}

#[test]
fn cached_transformations_give_the_same_results() {
    let e = engine(
        "SecRule ARGS \"@contains <script\" \"id:1,phase:1,pass,\
           t:none,t:urlDecodeUni,t:lowercase\"\n\
         SecRule ARGS \"@contains <script\" \"id:2,phase:1,pass,\
           t:none,t:urlDecodeUni,t:lowercase\"\n\
         SecRule ARGS \"@contains <SCRIPT\" \"id:3,phase:1,pass,t:none,t:urlDecodeUni\"",
    );
    let mut tx = get(&e, "/?a=%253CSCRIPT&b=%3CScript", &[]);
    tx.process_request_headers();
    assert_eq!(ids(&tx), vec![1, 2, 3]);
    // The last matching value names the match: both for rule 2, only `a` for rule 3.
    assert_eq!(tx.matches()[1].variable, "ARGS:b");
    assert_eq!(tx.matches()[2].variable, "ARGS:a");
    assert_eq!(tx.matches()[2].value, b"<SCRIPT");
}
