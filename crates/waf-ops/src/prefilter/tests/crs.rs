//! Reading the shared OWASP CRS checkout: `@rx` patterns with their paranoia level, and the
//! payloads of the CRS regression tests.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::Transform;

/// One `@rx` operator of a CRS rule file.
pub(super) struct CrsPattern {
    pub(super) file: String,
    pub(super) line: usize,
    /// The paranoia level whose section holds the rule (0 before any level marker).
    pub(super) level: u8,
    pub(super) pattern: String,
}

/// The CRS checkout beside the workspace (`../shared/crs` from the repository root).
pub(super) fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crs");
    assert!(root.is_dir(), "the CRS is missing at {}", root.display());
    root
}

/// Every `@rx` parameter (without macros) of `rules/*.conf`, in file order.
pub(super) fn patterns() -> Vec<CrsPattern> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut level = 0;
        for (line, directive) in directives(&text) {
            let Some((name, param)) = operator(&directive) else { continue };
            if directive.contains("PARANOIA_LEVEL") && name == "lt" {
                level = param.trim().parse().unwrap();
            } else if name.eq_ignore_ascii_case("rx") && !param.contains("%{") {
                out.push(CrsPattern { file: file.clone(), line, level, pattern: param });
            }
        }
    }
    out
}

/// Directives with `\`-continuations joined, with their first line number.
fn directives(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        if current.is_empty() {
            start = i + 1;
        }
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                out.push((start, std::mem::take(&mut current)));
            }
        }
    }
    out
}

/// The operator name and parameter of `SecRule VARIABLES "OPERATOR" ...`; `\"` in the
/// quoted operator is a quote, every other escape is kept for the regex.
fn operator(directive: &str) -> Option<(String, String)> {
    let rest = directive.trim_start().strip_prefix("SecRule")?.trim_start();
    let rest = match rest.strip_prefix('"') {
        Some(quoted) => &quoted[quoted.find('"')? + 1..],
        None => &rest[rest.find([' ', '\t'])?..],
    };
    let quoted = rest.trim_start().strip_prefix('"')?;
    let mut op = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('"') => op.push('"'),
                Some(other) => {
                    op.push('\\');
                    op.push(other);
                }
                None => op.push('\\'),
            },
            ('"', false) => break,
            _ => op.push(c),
        }
    }
    let op = op.strip_prefix('!').unwrap_or(&op);
    let Some(body) = op.strip_prefix('@') else {
        return Some(("rx".to_string(), op.to_string()));
    };
    let (name, param) = body.split_once(' ').unwrap_or((body, ""));
    Some((name.to_string(), param.to_string()))
}

/// Every `data`, `uri` and header value of the CRS regression tests, as bytes.
pub(super) fn payloads() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("tests/regression/tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
                collect(&doc, false, &mut out);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Strings under `data`, `uri` and `headers` keys, found anywhere in the document.
fn collect(value: &serde_yaml_ng::Value, wanted: bool, out: &mut Vec<Vec<u8>>) {
    use serde_yaml_ng::Value;
    match value {
        Value::String(s) if wanted => out.push(s.as_bytes().to_vec()),
        Value::Sequence(items) => items.iter().for_each(|v| collect(v, wanted, out)),
        Value::Mapping(map) => {
            for (key, v) in map {
                let key = key.as_str().unwrap_or("");
                let keep = wanted || matches!(key, "data" | "uri" | "headers");
                collect(v, keep, out);
            }
        }
        _ => {}
    }
}

/// Transformation chains of CRS rules, applied to the URL-decoded parts of each payload.
const CHAINS: &[&[&str]] = &[
    &["utf8toUnicode", "urlDecodeUni", "htmlEntityDecode", "jsDecode", "cssDecode", "removeNulls"],
    &["cmdLine"],
    &["replaceComments", "lowercase"],
    &["normalizePathWin"],
];

/// `input` and what CRS transformations commonly make of it: lower case, URL-decoded, its
/// `&`-separated `name=value` parts decoded, and those parts through common CRS chains.
pub(super) fn variants(input: &[u8]) -> Vec<Vec<u8>> {
    let decoded = url_decode(input);
    let mut out = vec![input.to_vec(), input.to_ascii_lowercase(), decoded.clone()];
    out.push(decoded.to_ascii_lowercase());
    for part in input.split(|&b| b == b'&' || b == b'?') {
        let value = url_decode(part.splitn(2, |&b| b == b'=').last().unwrap_or(part));
        out.extend(CHAINS.iter().map(|chain| transform(&value, chain)));
        out.push(value.to_ascii_lowercase());
        out.push(value);
    }
    out.sort();
    out.dedup();
    out
}

fn transform(value: &[u8], chain: &[&str]) -> Vec<u8> {
    let mut out = Cow::Borrowed(value);
    for name in chain {
        out = Transform::from_name(name).unwrap().apply(out);
    }
    out.into_owned()
}

/// `%HH` and `+` decoding; malformed escapes are kept as they are.
fn url_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let pair =
            input.get(i + 1).copied().and_then(hex).zip(input.get(i + 2).copied().and_then(hex));
        match (input[i], pair) {
            (b'%', Some((hi, lo))) => {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    out
}
