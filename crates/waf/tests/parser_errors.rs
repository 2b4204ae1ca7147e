#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Load errors name the file, the line and the directive, with a precise message.

use std::io::Write;

use rampart_waf::{LoadOptions, WafEngine};

fn error_of(text: &str) -> String {
    WafEngine::from_str(text, &LoadOptions::default()).unwrap_err().to_string()
}

#[test]
fn unknown_directive() {
    assert_eq!(
        error_of("SecRuleEngine On\nSecFrobnicate On"),
        "<string>:2: SecFrobnicate: unknown directive"
    );
}

#[test]
fn unknown_variable() {
    assert_eq!(
        error_of(r#"SecRule NOPE "@rx a" "id:1,pass""#),
        "<string>:1: SecRule id:1: unknown variable `NOPE`"
    );
}

#[test]
fn unknown_action() {
    assert_eq!(
        error_of(r#"SecRule ARGS "@rx a" "id:7,frobnicate""#),
        "<string>:1: SecRule id:7: unknown action `frobnicate`"
    );
}

#[test]
fn unknown_transformation() {
    assert_eq!(
        error_of(r#"SecRule ARGS "@rx a" "id:7,t:none,t:frob""#),
        "<string>:1: SecRule id:7: unknown transformation `frob`"
    );
}

#[test]
fn missing_id() {
    assert_eq!(
        error_of(r#"SecRule ARGS "@rx a" "phase:1""#),
        "<string>:1: SecRule: rule has no `id` action"
    );
}

#[test]
fn duplicate_id() {
    let text = "SecAction \"id:5,pass\"\nSecAction \"id:5,pass\"";
    assert_eq!(error_of(text), "<string>:2: SecAction id:5: duplicate rule id 5");
}

#[test]
fn bad_regex_names_the_operator() {
    let err = error_of(r#"SecRule ARGS "@rx (" "id:9""#);
    assert!(err.starts_with("<string>:1: SecRule id:9: operator `@rx` does not compile:"), "{err}");
}

#[test]
fn unknown_operator() {
    let err = error_of(r#"SecRule ARGS "@frobnicate x" "id:9""#);
    assert!(
        err.starts_with("<string>:1: SecRule id:9: operator `@frobnicate` does not compile"),
        "{err}"
    );
}

#[test]
fn unfinished_chain() {
    assert_eq!(
        error_of(r#"SecRule ARGS "@rx a" "id:1,chain""#),
        "<end of configuration>:0: SecRule: the rule starts a chain that never ends"
    );
}

#[test]
fn line_of_a_continued_directive_is_where_it_starts() {
    let text = "# header\n\nSecRule ARGS \"@rx a\" \\\n    \"id:3,\\\n    bogus\"\n";
    assert_eq!(error_of(text), "<string>:3: SecRule id:3: unknown action `bogus`");
}

#[test]
fn bad_setting_value() {
    assert_eq!(
        error_of("SecRuleEngine Maybe"),
        "<string>:1: SecRuleEngine: invalid value `Maybe`: expected On, Off or DetectionOnly"
    );
}

#[test]
fn unterminated_quote() {
    assert_eq!(
        error_of("SecRule ARGS \"@rx a"),
        "<string>:1: directive: unterminated double quote"
    );
}

#[test]
fn bad_action_value() {
    assert_eq!(
        error_of(r#"SecAction "id:1,phase:9""#),
        "<string>:1: SecAction id:1: invalid value `9` for action `phase`: 1-5"
    );
}

#[test]
fn include_of_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let options =
        LoadOptions { base_dir: Some(dir.path().to_path_buf()), ..LoadOptions::default() };
    let err = WafEngine::from_str("Include nothing-here.conf", &options).unwrap_err().to_string();
    assert_eq!(err, "<string>:1: Include: cannot include `nothing-here.conf`: no file matches");
}

#[test]
fn include_reports_errors_in_the_included_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules-a.conf");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "SecAction \"id:1,pass\"\n\nSecBogus x").unwrap();
    let options =
        LoadOptions { base_dir: Some(dir.path().to_path_buf()), ..LoadOptions::default() };
    let err = WafEngine::from_str("Include rules-*.conf", &options).unwrap_err().to_string();
    assert_eq!(err, format!("{}:3: SecBogus: unknown directive", path.display()));
}

#[test]
fn accepted_no_op_directives_load() {
    let text = "SecAuditEngine RelevantOnly\nSecAuditLogParts ABIJDEFHZ\nSecDebugLogLevel 0\n\
                SecComponentSignature \"x/1\"\nSecCollectionTimeout 600\nSecWebAppId app";
    let engine = WafEngine::from_str(text, &LoadOptions::default()).unwrap();
    assert_eq!(engine.rules().settings.collection_timeout, 600);
    assert_eq!(engine.rules().settings.web_app_id, "app");
}
