#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! `@detectSQLi` and `@detectXSS` against the CRS regression tests of the two rules that use
//! them (942100 and 941100): every test that expects (or forbids) the rule's id must see the
//! detector agree, on the variables and transformations those rules use.

mod crs;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use rampart_waf_ops::body::{parse_json, parse_urlencoded, parse_xml, JsonLimits, XmlLimits};
use rampart_waf_ops::{CompileContext, Operator, Transform};

#[derive(serde::Deserialize)]
struct TestFile {
    tests: Vec<Test>,
}

#[derive(serde::Deserialize)]
struct Test {
    test_id: u32,
    stages: Vec<Stage>,
}

#[derive(serde::Deserialize)]
struct Stage {
    input: Input,
    output: Output,
}

#[derive(serde::Deserialize)]
struct Input {
    uri: Option<String>,
    data: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
struct Output {
    log: Option<Log>,
}

#[derive(serde::Deserialize)]
struct Log {
    #[serde(default)]
    expect_ids: Vec<u32>,
    #[serde(default)]
    no_expect_ids: Vec<u32>,
}

/// One rule under evaluation.
struct Rule {
    id: u32,
    dir: &'static str,
    operator: &'static str,
    transforms: &'static [&'static str],
    referer: bool,
    /// Tests in CRS v4.28 that check this rule's id.
    min_tests: usize,
}

const RULES: [Rule; 2] = [
    Rule {
        id: 942100,
        dir: "REQUEST-942-APPLICATION-ATTACK-SQLI",
        operator: "detectSQLi",
        transforms: &["utf8toUnicode", "urlDecodeUni", "removeNulls"],
        referer: true,
        min_tests: 15,
    },
    Rule {
        id: 941100,
        dir: "REQUEST-941-APPLICATION-ATTACK-XSS",
        operator: "detectXSS",
        transforms: &[
            "utf8toUnicode",
            "urlDecodeUni",
            "htmlEntityDecode",
            "jsDecode",
            "cssDecode",
            "removeNulls",
        ],
        referer: false,
        min_tests: 7,
    },
];

#[test]
fn libinjection_agrees_with_the_crs_corpus() {
    let root = crs::root().join("tests/regression/tests");
    let mut report = Vec::new();
    for rule in &RULES {
        let (agree, disagree) = evaluate(rule, &root.join(rule.dir));
        report.push(format!("{}: {} agree, {} disagree", rule.id, agree, disagree.len()));
        assert!(disagree.is_empty(), "{}: {}", rule.id, disagree.join("\n"));
        assert!(agree >= rule.min_tests, "{}: only {agree} tests", rule.id);
    }
    println!("{}", report.join("; "));
}

/// Runs the rule's detector over every test in `dir` that names the rule in its log checks.
fn evaluate(rule: &Rule, dir: &Path) -> (usize, Vec<String>) {
    let ctx = CompileContext { base_dir: dir };
    let op = Operator::compile(rule.operator, "", &ctx).unwrap();
    let (mut agree, mut disagree) = (0, Vec::new());
    for path in yaml_files(dir) {
        let file: TestFile = serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for test in file.tests {
            for stage in &test.stages {
                let Some(log) = &stage.output.log else { continue };
                let expected = log.expect_ids.contains(&rule.id);
                if !expected && !log.no_expect_ids.contains(&rule.id) {
                    continue;
                }
                let seen = targets(&stage.input, rule.referer)
                    .iter()
                    .any(|v| op.matches(&transform(v, rule.transforms), None));
                if seen == expected {
                    agree += 1;
                } else {
                    let name = path.file_name().unwrap().to_string_lossy();
                    disagree.push(format!("{name} test {}: expected {expected}", test.test_id));
                }
            }
        }
    }
    (agree, disagree)
}

fn yaml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn transform(value: &[u8], names: &[&str]) -> Vec<u8> {
    let mut v = Cow::Borrowed(value);
    for name in names {
        v = Transform::from_name(name).unwrap().apply(v);
    }
    v.into_owned()
}

/// The values of REQUEST_COOKIES(_NAMES), User-Agent (and Referer), ARGS(_NAMES) and XML.
fn targets(input: &Input, referer: bool) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let header = |name: &str| {
        input.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    };
    if let Some(cookies) = header("Cookie") {
        for c in cookies.split(';') {
            let (n, v) = c.trim().split_once('=').unwrap_or((c.trim(), ""));
            out.push(n.as_bytes().to_vec());
            out.push(v.as_bytes().to_vec());
        }
    }
    out.extend(header("User-Agent").map(String::into_bytes));
    if referer {
        out.extend(header("Referer").map(String::into_bytes));
    }
    if let Some((_, query)) = input.uri.as_deref().unwrap_or("").split_once('?') {
        for (n, v) in parse_urlencoded(query.as_bytes(), b'&').args {
            out.extend([n, v]);
        }
    }
    let body = input.data.as_deref().unwrap_or("").as_bytes();
    let content_type = header("Content-Type").unwrap_or_default().to_ascii_lowercase();
    out.extend(body_values(body, &content_type));
    out
}

fn body_values(body: &[u8], content_type: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if content_type.contains("xml") {
        let xml = parse_xml(body, &XmlLimits::default()).unwrap();
        out.push(xml.root_text);
        out.extend(xml.attribute_values);
    } else if content_type.contains("json") {
        for (n, v) in parse_json(body, &JsonLimits::default()).unwrap() {
            out.extend([n.into_bytes(), v]);
        }
    } else {
        for (n, v) in parse_urlencoded(body, b'&').args {
            out.extend([n, v]);
        }
    }
    out
}
