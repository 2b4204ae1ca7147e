//! Helpers shared by the CRS-based tests: locating ../shared/crs and reading rule operators.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The CRS checkout shared beside the workspace (`../shared/crs` from the repository root).
pub fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crs");
    assert!(root.is_dir(), "the CRS is missing at {}", root.display());
    root
}

/// One operator of one SecRule.
pub struct RuleOperator {
    pub file: String,
    pub line: usize,
    pub name: String,
    pub param: String,
}

/// The operators of every `SecRule` in `dir/*.conf`, in file order.
pub fn operators(dir: &Path) -> Vec<RuleOperator> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (line, directive) in directives(&text) {
            if let Some((name, param)) = secrule_operator(&directive) {
                out.push(RuleOperator { file: file.clone(), line, name, param });
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

/// The operator name and parameter of a `SecRule VARIABLES "OPERATOR" ...` line.
fn secrule_operator(directive: &str) -> Option<(String, String)> {
    let rest = directive.trim_start().strip_prefix("SecRule")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = skip_token(rest.trim_start()).trim_start();
    let quoted = rest.strip_prefix('"')?;
    let mut op = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('"') => op.push('"'),
                Some(other) => {
                    op.push('\\');
                    op.push(other);
                }
                None => op.push('\\'),
            },
            '"' => break,
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

/// Skips the variables token (quoted or not).
fn skip_token(s: &str) -> &str {
    if let Some(q) = s.strip_prefix('"') {
        return q.find('"').map_or("", |end| &q[end + 1..]);
    }
    s.find([' ', '\t']).map_or("", |end| &s[end..])
}
