//! Turns YAML (or JSON, a subset of YAML 1.2) text into [`Value`] documents, with limits.
//!
//! The parser is event based, so nesting never recurses on the call stack; the tree
//! builder here keeps an explicit stack and refuses documents past the depth and node
//! limits, which also bounds alias expansion ("billion laughs").

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::value::{Map, Value};

/// Bounds on one input file.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes in one file, counting every node an alias expands to.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 32 * 1024 * 1024, max_depth: 64, max_nodes: 4_000_000 }
    }
}

/// Why a file could not be parsed completely.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The text is not valid YAML or JSON.
    #[error("invalid YAML at line {line}: {detail}")]
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// What the parser expected.
        detail: String,
    },
    /// Nesting went past the limit.
    #[error("document nested deeper than {max} levels at line {line}; refusing it")]
    TooDeep {
        /// Line where the limit was crossed.
        line: usize,
        /// The limit.
        max: usize,
    },
    /// The file expands to too many nodes (large, or aliases that multiply).
    #[error("more than {max} nodes (aliases included) by line {line}; refusing the rest")]
    TooManyNodes {
        /// Line where the limit was crossed.
        line: usize,
        /// The limit.
        max: usize,
    },
    /// An alias names no earlier anchor.
    #[error("alias to an unknown anchor at line {line}")]
    UnknownAlias {
        /// Line of the alias.
        line: usize,
    },
}

impl ParseError {
    /// The line the error points at.
    pub fn line(&self) -> usize {
        match self {
            ParseError::Syntax { line, .. }
            | ParseError::TooDeep { line, .. }
            | ParseError::TooManyNodes { line, .. }
            | ParseError::UnknownAlias { line } => *line,
        }
    }
}

/// The documents read before an error (if any), and the error.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Complete documents, in order.
    pub documents: Vec<Value>,
    /// The error that stopped parsing, if one did.
    pub error: Option<ParseError>,
}

/// Parses every document in `text`; stops at the first error and keeps what came before.
pub fn parse_documents(text: &str, limits: &Limits) -> Parsed {
    let mut builder = Builder::new(*limits);
    let mut parsed = Parsed::default();
    for item in Parser::new_from_str(text) {
        let step = match item {
            Ok((event, span)) => builder.on_event(event, span),
            Err(e) => Err(scan_error(&e, limits)),
        };
        match step {
            Ok(Some(doc)) => parsed.documents.push(doc),
            Ok(None) => {}
            Err(e) => {
                parsed.error = Some(e);
                break;
            }
        }
    }
    parsed
}

/// The scanner refuses flow nesting past its own limit (255) before emitting events;
/// that is reported as nesting too deep, like the builder's own limit.
fn scan_error(e: &saphyr_parser::ScanError, limits: &Limits) -> ParseError {
    let line = e.marker().line();
    if e.info().contains("recursion limit") {
        return ParseError::TooDeep { line, max: limits.max_depth };
    }
    ParseError::Syntax { line, detail: e.info().to_string() }
}

enum Frame {
    Seq { items: Vec<Value>, anchor: usize },
    Map { map: Map, key: Option<String>, anchor: usize },
}

struct Builder {
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, usize)>,
    nodes: usize,
    root: Option<Value>,
}

impl Builder {
    fn new(limits: Limits) -> Self {
        Builder { limits, stack: Vec::new(), anchors: HashMap::new(), nodes: 0, root: None }
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<Option<Value>, ParseError> {
        let line = span.start.line();
        match event {
            Event::DocumentStart(_) => {
                self.root = None;
                self.anchors.clear();
            }
            Event::DocumentEnd => return Ok(self.root.take()),
            Event::Scalar(text, style, anchor, _) => {
                let value = resolve_scalar(&text, style);
                self.complete(value, anchor, 1, line)?;
            }
            Event::Alias(id) => {
                let (value, size) =
                    self.anchors.get(&id).cloned().ok_or(ParseError::UnknownAlias { line })?;
                self.complete(value, 0, size, line)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(Frame::Seq { items: Vec::new(), anchor }, line)?
            }
            Event::MappingStart(anchor, _) => {
                let map = Map { line, entries: Vec::new() };
                self.open(Frame::Map { map, key: None, anchor }, line)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(line)?,
            _ => {}
        }
        Ok(None)
    }

    fn open(&mut self, frame: Frame, line: usize) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(ParseError::TooDeep { line, max: self.limits.max_depth });
        }
        self.count(1, line)?;
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, line: usize) -> Result<(), ParseError> {
        let (value, anchor) = match self.stack.pop() {
            Some(Frame::Seq { items, anchor }) => (Value::Seq(items), anchor),
            Some(Frame::Map { map, anchor, .. }) => (Value::Map(map), anchor),
            None => return Ok(()),
        };
        self.complete(value, anchor, 0, line)
    }

    fn count(&mut self, size: usize, line: usize) -> Result<(), ParseError> {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > self.limits.max_nodes {
            return Err(ParseError::TooManyNodes { line, max: self.limits.max_nodes });
        }
        Ok(())
    }

    /// Places a finished node into its parent; `size` is the node count it adds.
    fn complete(
        &mut self,
        value: Value,
        anchor: usize,
        size: usize,
        line: usize,
    ) -> Result<(), ParseError> {
        self.count(size, line)?;
        if anchor != 0 {
            let nodes = node_count(&value);
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                None => *key = Some(key_text(value)),
                Some(k) => map.entries.push((k, value)),
            },
        }
        Ok(())
    }
}

/// Counts the nodes of a value with an explicit stack (no recursion).
fn node_count(value: &Value) -> usize {
    let mut count = 0usize;
    let mut pending = vec![value];
    while let Some(node) = pending.pop() {
        count = count.saturating_add(1);
        match node {
            Value::Seq(items) => pending.extend(items.iter()),
            Value::Map(map) => pending.extend(map.entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    count
}

fn key_text(value: Value) -> String {
    match value {
        Value::Str(s) => s,
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Seq(_) | Value::Map(_) => "<complex key>".to_string(),
    }
}

/// Resolves a plain scalar by the YAML 1.2 core schema; quoted scalars stay strings.
fn resolve_scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if looks_numeric(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_string())
}

fn parse_int(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn looks_numeric(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body.bytes().all(|b| b.is_ascii_digit() || b"._eE+-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_mapping_lines_and_types() {
        let parsed =
            parse_documents("a: 1\n---\n\nb:\n  c: true\n  d: \"1\"\n", &Limits::default());
        assert!(parsed.error.is_none());
        assert_eq!(parsed.documents.len(), 2);
        assert_eq!(parsed.documents[0].get("a"), Some(&Value::Int(1)));
        assert_eq!(parsed.documents[1].line(), Some(4));
        assert_eq!(parsed.documents[1].path(&["b", "c"]), Some(&Value::Bool(true)));
        assert_eq!(parsed.documents[1].path(&["b", "d"]), Some(&Value::Str("1".into())));
        assert_eq!(parsed.documents[1].get("b").and_then(Value::line), Some(5));
    }

    #[test]
    fn refuses_deep_block_nesting() {
        let text: String = (0..100).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let parsed = parse_documents(&text, &Limits::default());
        assert!(
            matches!(parsed.error, Some(ParseError::TooDeep { line: 65, max: 64 })),
            "{:?}",
            parsed.error
        );
    }

    #[test]
    fn refuses_deep_nesting_without_overflow() {
        let text = "[".repeat(200_000);
        let parsed = parse_documents(&text, &Limits::default());
        assert!(
            matches!(parsed.error, Some(ParseError::TooDeep { max: 64, .. })),
            "{:?}",
            parsed.error
        );
    }

    #[test]
    fn bounds_alias_expansion() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = String::from("a");
        for i in 0..12 {
            let name = format!("l{i}");
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
            prev = name;
        }
        let parsed = parse_documents(&text, &Limits::default());
        assert!(matches!(parsed.error, Some(ParseError::TooManyNodes { .. })));
    }

    #[test]
    fn reports_syntax_error_line_and_keeps_earlier_documents() {
        let parsed = parse_documents("a: 1\n---\nb: [1, 2\nc: d\n", &Limits::default());
        assert_eq!(parsed.documents.len(), 1);
        let line = parsed.error.map(|e| e.line());
        assert!(matches!(line, Some(3..=5)), "{line:?}");
    }

    #[test]
    fn json_objects_get_brace_lines() {
        let parsed =
            parse_documents("{\n \"items\": [\n  {\"kind\": \"Pod\"}\n ]\n}\n", &Limits::default());
        let items = parsed.documents[0].get("items").map(Value::items).unwrap_or(&[]);
        assert_eq!(parsed.documents[0].line(), Some(1));
        assert_eq!(items[0].line(), Some(3));
    }
}
