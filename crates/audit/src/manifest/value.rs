//! A small, position-aware document tree for manifests.
//!
//! Only mappings carry a line: findings point at the resource (a mapping), never at a
//! scalar, so scalars stay small.

/// One node of a parsed YAML or JSON document.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string (quoted, or plain text that is no other type).
    Str(String),
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping, with the line where it starts.
    Map(Map),
}

/// A mapping in source order, with its starting line (1-based).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    /// Line of the first key (block style) or of the opening brace (flow style and JSON).
    pub line: usize,
    /// Key and value pairs; non-string keys are kept as their source text.
    pub entries: Vec<(String, Value)>,
}

static EMPTY: Vec<Value> = Vec::new();

impl Value {
    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(map) => map.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, when this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The items of a sequence; empty for anything else.
    pub fn items(&self) -> &[Value] {
        match self {
            Value::Seq(items) => items,
            _ => &EMPTY,
        }
    }

    /// The mapping entries; empty for anything else.
    pub fn entries(&self) -> &[(String, Value)] {
        match self {
            Value::Map(map) => &map.entries,
            _ => &[],
        }
    }

    /// True for a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self, Value::Map(_))
    }

    /// True when this is a mapping with no entries.
    pub fn is_empty_map(&self) -> bool {
        matches!(self, Value::Map(map) if map.entries.is_empty())
    }

    /// The line of a mapping; `None` for other nodes.
    pub fn line(&self) -> Option<usize> {
        match self {
            Value::Map(map) => Some(map.line),
            _ => None,
        }
    }
}

/// The boolean at `key` of `node` is exactly `true`.
pub fn is_true(node: Option<&Value>) -> bool {
    node.and_then(Value::as_bool) == Some(true)
}

/// The string at a path, or `""` when absent or not a string.
pub fn str_at<'a>(node: &'a Value, keys: &[&str]) -> &'a str {
    node.path(keys).and_then(Value::as_str).unwrap_or("")
}
