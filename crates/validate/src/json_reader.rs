//! A JSON reader for untrusted request bodies.
//!
//! It never recurses: open containers live on an explicit stack whose height is checked before
//! a container opens, so 10,000 nested brackets cost one error, not a stack overflow. It counts
//! object keys across the whole document, applies the duplicate-key policy, and only copies
//! bytes out of the body, so its strings never exceed the body's size. The tree it builds is a
//! [`serde_json::Value`]; its node overhead is bounded by the node count, itself bounded by the
//! body size (at most one node per byte).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::rejection::push_segment;

/// What to do when an object repeats a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKeys {
    /// Deny the body (the default): parsers disagree on which copy wins, which attackers use.
    #[default]
    Reject,
    /// Keep the last value, as most JSON parsers do.
    LastWins,
}

/// Limits the reader enforces on one document.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimits {
    /// Deepest nesting of arrays and objects; the top-level container is depth 1.
    pub max_depth: usize,
    /// Most object keys in the whole document.
    pub max_keys: usize,
    /// Policy for repeated keys in one object.
    pub duplicate_keys: DuplicateKeys,
}

/// Why a body is not acceptable JSON; each carries the byte offset and the JSON pointer reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// The body is not UTF-8.
    #[error("body is not valid UTF-8 (at byte {offset})")]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The body breaks the JSON grammar.
    #[error("malformed JSON at byte {offset}: expected {expected}")]
    Syntax {
        /// Offset of the unexpected byte (or the body's length at its end).
        offset: usize,
        /// Pointer of the value being read.
        pointer: String,
        /// What the grammar allows there.
        expected: &'static str,
    },
    /// A string holds an invalid escape or a raw control character.
    #[error("malformed JSON string at byte {offset}: {problem}")]
    BadString {
        /// Offset of the problem.
        offset: usize,
        /// Pointer of the value being read.
        pointer: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A number is too large to represent.
    #[error("number out of range at byte {offset}")]
    NumberOutOfRange {
        /// Offset of the number.
        offset: usize,
        /// Pointer of the number.
        pointer: String,
    },
    /// Nesting goes deeper than the limit.
    #[error("JSON nesting deeper than {max_depth} levels at byte {offset}")]
    TooDeep {
        /// Offset of the bracket that would exceed the limit.
        offset: usize,
        /// Pointer of the container that would exceed the limit.
        pointer: String,
        /// The configured limit.
        max_depth: usize,
    },
    /// The document has more object keys than the limit.
    #[error("JSON document has more than {max_keys} object keys (at byte {offset})")]
    TooManyKeys {
        /// Offset of the key over the limit.
        offset: usize,
        /// Pointer of the key over the limit.
        pointer: String,
        /// The configured limit.
        max_keys: usize,
    },
    /// An object repeats a key and the policy is to reject.
    #[error("duplicate object key at byte {offset}")]
    DuplicateKey {
        /// Offset of the repeated key.
        offset: usize,
        /// Pointer of the repeated key.
        pointer: String,
    },
}

impl JsonError {
    /// The JSON pointer of the value being read when the error happened ("" for the root).
    pub fn pointer(&self) -> &str {
        match self {
            Self::InvalidUtf8 { .. } => "",
            Self::Syntax { pointer, .. }
            | Self::BadString { pointer, .. }
            | Self::NumberOutOfRange { pointer, .. }
            | Self::TooDeep { pointer, .. }
            | Self::TooManyKeys { pointer, .. }
            | Self::DuplicateKey { pointer, .. } => pointer,
        }
    }
}

/// Parses `body` as one JSON document under `limits`.
pub fn read_json(body: &[u8], limits: &JsonLimits) -> Result<Value, JsonError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| JsonError::InvalidUtf8 { offset: e.valid_up_to() })?;
    Reader { text, bytes: body, pos: 0, limits, keys: 0, stack: Vec::new() }.document()
}

/// An open container.
enum Frame {
    Array(Vec<Value>),
    Object(Map<String, Value>, String),
}

/// Parser state: the input, the cursor, and the stack of open containers.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    limits: &'a JsonLimits,
    keys: usize,
    stack: Vec<Frame>,
}

/// The result of reading the start of a value.
enum Start {
    /// A whole value (a scalar or an empty container).
    Done(Value),
    /// A container opened and pushed on the stack.
    Opened,
}

impl Reader<'_> {
    fn document(mut self) -> Result<Value, JsonError> {
        let mut value = self.value_until_done()?;
        loop {
            match self.attach(value)? {
                Some(done) => value = done,
                None => value = self.value_until_done()?,
            }
            if self.stack.is_empty() {
                break;
            }
        }

        self.skip_ws();
        if self.pos != self.bytes.len() {
            return Err(self.syntax("end of input"));
        }
        Ok(value)
    }

    /// Reads value starts until one yields a whole value (containers open on the way).
    fn value_until_done(&mut self) -> Result<Value, JsonError> {
        loop {
            if let Start::Done(v) = self.value_start()? {
                return Ok(v);
            }
        }
    }

    /// Puts a finished value into the innermost container. Returns the container itself when
    /// this closed it, or `None` when another value must be read next.
    fn attach(&mut self, value: Value) -> Result<Option<Value>, JsonError> {
        let Some(frame) = self.stack.last_mut() else {
            return Ok(Some(value));
        };
        match frame {
            Frame::Array(items) => items.push(value),
            Frame::Object(map, key) => {
                map.insert(std::mem::take(key), value);
            }
        }

        self.skip_ws();
        let is_array = matches!(self.stack.last(), Some(Frame::Array(_)));
        match (self.peek(), is_array) {
            (Some(b','), true) => {
                self.pos += 1;
                Ok(None)
            }
            (Some(b','), false) => {
                self.pos += 1;
                self.skip_ws();
                self.member_key()?;
                Ok(None)
            }
            (Some(b']'), true) | (Some(b'}'), false) => {
                self.pos += 1;
                Ok(self.stack.pop().map(Frame::into_value))
            }
            (_, true) => Err(self.syntax("',' or ']'")),
            (_, false) => Err(self.syntax("',' or '}'")),
        }
    }

    fn value_start(&mut self) -> Result<Start, JsonError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.open_object(),
            Some(b'[') => self.open_array(),
            Some(b'"') => Ok(Start::Done(Value::String(self.string()?))),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Start::Done),
            _ => Err(self.syntax("a JSON value")),
        }
    }

    fn open_array(&mut self) -> Result<Start, JsonError> {
        self.check_depth()?;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Start::Done(Value::Array(Vec::new())));
        }
        self.stack.push(Frame::Array(Vec::new()));
        Ok(Start::Opened)
    }

    fn open_object(&mut self) -> Result<Start, JsonError> {
        self.check_depth()?;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Start::Done(Value::Object(Map::new())));
        }
        self.stack.push(Frame::Object(Map::new(), String::new()));
        self.member_key()?;
        Ok(Start::Opened)
    }

    /// Reads `"key":` into the innermost object, applying the key limit and duplicate policy.
    fn member_key(&mut self) -> Result<(), JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.syntax("an object key"));
        }
        let at = self.pos;
        let key = self.string()?;
        self.keys += 1;
        let dup = matches!(self.stack.last(), Some(Frame::Object(m, _)) if m.contains_key(&key));
        if let Some(Frame::Object(_, slot)) = self.stack.last_mut() {
            *slot = key;
        }

        if self.keys > self.limits.max_keys {
            let max_keys = self.limits.max_keys;
            return Err(JsonError::TooManyKeys { offset: at, pointer: self.pointer(), max_keys });
        }
        if dup && self.limits.duplicate_keys == DuplicateKeys::Reject {
            return Err(JsonError::DuplicateKey { offset: at, pointer: self.pointer() });
        }

        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.syntax("':'"));
        }
        self.pos += 1;
        Ok(())
    }

    fn check_depth(&self) -> Result<(), JsonError> {
        if self.stack.len() < self.limits.max_depth {
            return Ok(());
        }
        Err(JsonError::TooDeep {
            offset: self.pos,
            pointer: self.pointer(),
            max_depth: self.limits.max_depth,
        })
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Start, JsonError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        if !rest.starts_with(word.as_bytes()) {
            return Err(self.syntax(word));
        }
        self.pos += word.len();
        Ok(Start::Done(value))
    }

    /// Reads a string starting at the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'"' => {
                    let s = self.slice(start, self.pos).to_owned();
                    self.pos += 1;
                    return Ok(s);
                }
                b'\\' => return self.escaped_string(start),
                0..=0x1f => return Err(self.bad_string("raw control character")),
                _ => self.pos += 1,
            }
        }
        Err(self.syntax("closing '\"'"))
    }

    /// Finishes a string that holds escapes; `start` is just after the opening quote.
    fn escaped_string(&mut self, start: usize) -> Result<String, JsonError> {
        let mut out = String::with_capacity(self.pos - start);
        out.push_str(self.slice(start, self.pos));
        loop {
            let run = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.slice(run, self.pos));

            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.escape()?),
                Some(_) => return Err(self.bad_string("raw control character")),
                None => return Err(self.syntax("closing '\"'")),
            }
        }
    }

    /// Decodes one escape sequence starting at the backslash.
    fn escape(&mut self) -> Result<char, JsonError> {
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(),
            _ => return Err(self.bad_string("invalid escape sequence")),
        };
        self.pos += 1;
        Ok(c)
    }

    /// Decodes `uXXXX`, or a surrogate pair `uXXXX\uXXXX`; the cursor is on the `u`.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let high = self.hex4()?;
        if !(0xD800..0xDC00).contains(&high) {
            return char::from_u32(high).ok_or_else(|| self.bad_string("lone surrogate"));
        }

        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
            return Err(self.bad_string("lone surrogate"));
        }
        self.pos += 1;
        let low = self.hex4()?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(self.bad_string("lone surrogate"));
        }
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        char::from_u32(code).ok_or_else(|| self.bad_string("invalid unicode escape"))
    }

    /// Reads the four hex digits after a `u`, leaving the cursor after them.
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.bytes.get(self.pos + 1..self.pos + 5);
        let text = digits.and_then(|d| std::str::from_utf8(d).ok());
        let value = text
            .filter(|t| t.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|t| u32::from_str_radix(t, 16).ok());
        let value = value.ok_or_else(|| self.bad_string("invalid unicode escape"))?;
        self.pos += 5;
        Ok(value)
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.syntax("a digit")),
        }

        let mut integral = true;
        if self.eat(b'.') {
            integral = false;
            self.required_digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            integral = false;
            let _ = self.eat(b'+') || self.eat(b'-');
            self.required_digits()?;
        }

        let text = self.slice(start, self.pos);
        to_number(text, integral)
            .map(Value::Number)
            .ok_or_else(|| JsonError::NumberOutOfRange { offset: start, pointer: self.pointer() })
    }

    fn required_digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.syntax("a digit"));
        }
        self.digits();
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The text between two offsets that sit on ASCII bytes, hence on char boundaries.
    fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// The pointer of the value being read, from the open containers.
    fn pointer(&self) -> String {
        let mut pointer = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Array(items) => push_segment(&mut pointer, &items.len().to_string()),
                Frame::Object(_, key) => push_segment(&mut pointer, key),
            }
        }
        pointer
    }

    fn syntax(&self, expected: &'static str) -> JsonError {
        JsonError::Syntax { offset: self.pos, pointer: self.pointer(), expected }
    }

    fn bad_string(&self, problem: &'static str) -> JsonError {
        JsonError::BadString { offset: self.pos, pointer: self.pointer(), problem }
    }
}

impl Frame {
    fn into_value(self) -> Value {
        match self {
            Frame::Array(items) => Value::Array(items),
            Frame::Object(map, _) => Value::Object(map),
        }
    }
}

/// Converts number text that matched the JSON grammar; `None` if it is not finite.
fn to_number(text: &str, integral: bool) -> Option<Number> {
    // "-0" stays a float, as serde_json reads it.
    if integral && text != "-0" {
        if let Ok(n) = text.parse::<i64>() {
            return Some(n.into());
        }
        if let Ok(n) = text.parse::<u64>() {
            return Some(n.into());
        }
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}
