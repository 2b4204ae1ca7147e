//! The iterative JSON parser behind [`super::parse_json_partial`].

use std::fmt::Write as _;

use super::{JsonBody, JsonLimits};
use crate::body::BodyError;

/// An open object or array, named as ModSecurity names containers.
struct Container {
    name: String,
    /// `Some(index of the next element)` for arrays, `None` for objects.
    array: Option<usize>,
}

/// What the parser expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    ValueOrClose,
    KeyOrClose,
    Key,
    Colon,
    CommaOrClose,
    End,
}

/// Parser state over one body.
pub(super) struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    limits: &'a JsonLimits,
    containers: Vec<Container>,
    key: String,
    out: JsonBody,
    total_bytes: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn new(s: &'a [u8], limits: &'a JsonLimits) -> Parser<'a> {
        Parser {
            s,
            pos: 0,
            limits,
            containers: Vec::new(),
            key: String::new(),
            out: JsonBody::default(),
            total_bytes: 0,
        }
    }

    /// Parses the whole body.
    pub(super) fn run(mut self) -> JsonBody {
        if let Err(e) = self.parse() {
            self.out.error = Some(e);
        }
        self.out
    }

    fn parse(&mut self) -> Result<(), BodyError> {
        let mut expect = Expect::Value;
        loop {
            self.skip_whitespace();
            let Some(&c) = self.s.get(self.pos) else {
                return match expect {
                    Expect::End => Ok(()),
                    _ => Err(self.error("unexpected end of input")),
                };
            };
            expect = self.step(expect, c)?;
        }
    }

    /// Consumes one token starting with `c` and says what comes next.
    fn step(&mut self, expect: Expect, c: u8) -> Result<Expect, BodyError> {
        match (expect, c) {
            (Expect::ValueOrClose, b']') | (Expect::KeyOrClose | Expect::CommaOrClose, b'}') => {
                self.close(c)
            }
            (Expect::CommaOrClose, b']') => self.close(c),
            (Expect::Value | Expect::ValueOrClose, _) => self.value(c),
            (Expect::KeyOrClose | Expect::Key, b'"') => {
                self.key = self.string_text()?;
                Ok(Expect::Colon)
            }
            (Expect::Colon, b':') => {
                self.pos += 1;
                Ok(Expect::Value)
            }
            (Expect::CommaOrClose, b',') => {
                self.pos += 1;
                Ok(if self.in_array() { Expect::Value } else { Expect::Key })
            }
            (Expect::End, _) => Err(self.error("trailing data after the JSON value")),
            (Expect::Key | Expect::KeyOrClose, _) => Err(self.error("expected an object key")),
            (Expect::Colon, _) => Err(self.error("expected ':'")),
            (Expect::CommaOrClose, _) => Err(self.error("expected ',' or a closing bracket")),
        }
    }

    /// A value starting with `c`: opens a container or adds a scalar argument.
    fn value(&mut self, c: u8) -> Result<Expect, BodyError> {
        match c {
            b'{' | b'[' => {
                self.open(c == b'[')?;
                Ok(if c == b'[' { Expect::ValueOrClose } else { Expect::KeyOrClose })
            }
            b'"' => {
                let text = self.string_bytes()?;
                self.add_argument(text)?;
                Ok(self.after_value())
            }
            b't' | b'f' | b'n' => {
                let text = self.literal()?;
                self.add_argument(text)?;
                Ok(self.after_value())
            }
            b'-' | b'0'..=b'9' => {
                let text = self.number()?.to_vec();
                self.add_argument(text)?;
                Ok(self.after_value())
            }
            _ => Err(self.error("expected a value")),
        }
    }

    fn after_value(&self) -> Expect {
        if self.containers.is_empty() {
            Expect::End
        } else {
            Expect::CommaOrClose
        }
    }

    fn in_array(&self) -> bool {
        self.containers.last().is_some_and(|c| c.array.is_some())
    }

    fn open(&mut self, array: bool) -> Result<(), BodyError> {
        if self.containers.len() >= self.limits.max_depth {
            return Err(BodyError::JsonDepth { limit: self.limits.max_depth, offset: self.pos });
        }
        let name = self.current_key();
        self.containers.push(Container { name, array: array.then_some(0) });
        self.pos += 1;
        Ok(())
    }

    fn close(&mut self, bracket: u8) -> Result<Expect, BodyError> {
        let is_array = self.in_array();
        if is_array != (bracket == b']') {
            return Err(self.error("mismatched closing bracket"));
        }
        self.containers.pop();
        self.bump_parent_index();
        self.pos += 1;
        Ok(self.after_value())
    }

    fn bump_parent_index(&mut self) {
        if let Some(index) = self.containers.last_mut().and_then(|c| c.array.as_mut()) {
            *index += 1;
        }
    }

    /// ModSecurity's `getCurrentKey`: consumes the pending object key.
    fn current_key(&mut self) -> String {
        if self.containers.is_empty() {
            return "json".to_string();
        }
        if self.key.is_empty() {
            return if self.in_array() { String::new() } else { "empty-key".to_string() };
        }
        std::mem::take(&mut self.key)
    }

    fn add_argument(&mut self, value: Vec<u8>) -> Result<(), BodyError> {
        if self.out.args.len() >= self.limits.max_args {
            return Err(BodyError::TooManyArguments { limit: self.limits.max_args });
        }
        let mut name = String::with_capacity(64);
        for c in &self.containers {
            name.push_str(&c.name);
            match c.array {
                Some(i) => {
                    // Writing to a String cannot fail.
                    let _ = write!(name, ".array_{i}");
                }
                None => name.push('.'),
            }
        }
        if self.in_array() {
            self.bump_parent_index();
        } else {
            let key = self.current_key();
            name.push_str(&key);
        }
        self.total_bytes = self.total_bytes.saturating_add(name.len() + value.len());
        if self.total_bytes > self.limits.max_total_bytes {
            return Err(self.error("argument names and values exceed the size limit"));
        }
        self.out.args.push((name, value));
        Ok(())
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.s.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self) -> Result<Vec<u8>, BodyError> {
        let rest = &self.s[self.pos..];
        let (word, value): (&[u8], &[u8]) = if rest.starts_with(b"true") {
            (b"true", b"true")
        } else if rest.starts_with(b"false") {
            (b"false", b"false")
        } else if rest.starts_with(b"null") {
            (b"null", b"")
        } else {
            return Err(self.error("invalid literal"));
        };
        self.pos += word.len();
        Ok(value.to_vec())
    }

    fn number(&mut self) -> Result<&'a [u8], BodyError> {
        let start = self.pos;
        let s = self.s;
        let digits = |p: &mut usize| {
            let from = *p;
            while s.get(*p).is_some_and(u8::is_ascii_digit) {
                *p += 1;
            }
            *p > from
        };
        let mut p = self.pos;
        if s.get(p) == Some(&b'-') {
            p += 1;
        }
        if s.get(p) == Some(&b'0') {
            p += 1;
        } else if !digits(&mut p) {
            return Err(self.error("invalid number"));
        }
        if s.get(p) == Some(&b'.') {
            p += 1;
            if !digits(&mut p) {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(s.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(s.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            if !digits(&mut p) {
                return Err(self.error("invalid number"));
            }
        }
        self.pos = p;
        Ok(&s[start..p])
    }

    fn string_text(&mut self) -> Result<String, BodyError> {
        let bytes = self.string_bytes()?;
        String::from_utf8(bytes).map_err(|_| self.error("invalid UTF-8 in a string"))
    }

    /// A string token at `pos` (on its opening quote), unescaped and UTF-8 validated.
    fn string_bytes(&mut self) -> Result<Vec<u8>, BodyError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.pos) else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => self.escape(&mut out)?,
                0x00..=0x1f => return Err(self.error("control character in a string")),
                _ => out.push(c),
            }
        }
        if std::str::from_utf8(&out).is_err() {
            self.pos = start;
            return Err(self.error("invalid UTF-8 in a string"));
        }
        Ok(out)
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), BodyError> {
        let Some(&c) = self.s.get(self.pos) else {
            return Err(self.error("unterminated string"));
        };
        self.pos += 1;
        let byte = match c {
            b'"' | b'\\' | b'/' => c,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let ch = self.unicode_escape()?;
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            _ => return Err(self.error("invalid escape in a string")),
        };
        out.push(byte);
        Ok(())
    }

    /// `\uXXXX` (after `\u`), combining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, BodyError> {
        let high = self.hex4()?;
        if !(0xd800..0xdc00).contains(&high) {
            return char::from_u32(high).ok_or_else(|| self.error("lone surrogate in a string"));
        }
        if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
            return Err(self.error("lone surrogate in a string"));
        }
        self.pos += 2;
        let low = self.hex4()?;
        if !(0xdc00..0xe000).contains(&low) {
            return Err(self.error("lone surrogate in a string"));
        }
        let code = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u32, BodyError> {
        let digits = self.s.get(self.pos..self.pos + 4);
        let value = digits
            .and_then(|d| std::str::from_utf8(d).ok())
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(value)
    }

    fn error(&self, reason: &str) -> BodyError {
        BodyError::Json { reason: reason.to_string(), offset: self.pos }
    }
}
