//! `@rx`: a byte-oriented, linear-time regex with ModSecurity's flags (dot matches newline,
//! multi-line anchors) and PCRE's byte semantics (no Unicode classes; `\xHH` is one byte).
//!
//! ModSecurity compiles patterns with PCRE in byte (non-UTF) mode, where `\x{bc}` and a
//! literal `é` stand for bytes. The `regex` crate in byte mode reads those as code points,
//! so [`to_byte_syntax`] first rewrites `\x{H}`/`\x{HH}` to `\xHH` and every non-ASCII
//! character to `\xHH` escapes of its UTF-8 bytes; the meaning is then PCRE's exactly.
//! Constructs the linear-time engine lacks (backreferences, lookaround, atomic groups,
//! possessive quantifiers) are compile errors that name the pattern; none is dropped.

use regex::bytes::{Regex, RegexBuilder};

use super::error::excerpt;
use super::{Captures, OperatorError, MAX_CAPTURES};

/// Compiled-program size limit (the crate's default, 10 MB, fits every CRS v4 pattern).
const SIZE_LIMIT: usize = 10 * 1024 * 1024;

/// Lazy-DFA cache per regex and matching thread (the crate's default); it bounds the memory
/// hostile input can make a pattern use, at some speed cost on pathological input.
const DFA_CACHE_LIMIT: usize = 2 * 1024 * 1024;

/// A compiled `@rx` pattern; an empty pattern matches everything, as in ModSecurity.
#[derive(Debug, Clone)]
pub(super) struct Rx {
    regex: Option<Regex>,
    /// The pattern as written, for [`Rx::required_literals`].
    pattern: String,
}

impl Rx {
    /// Compiles `pattern`, reporting the regex engine's reason when it cannot.
    pub(super) fn compile(pattern: &str) -> Result<Rx, OperatorError> {
        if pattern.is_empty() {
            return Ok(Rx { regex: None, pattern: String::new() });
        }
        let regex = build(&to_byte_syntax(pattern)).map_err(|e| OperatorError::InvalidRegex {
            pattern: excerpt(pattern),
            reason: e.to_string(),
        })?;
        Ok(Rx { regex: Some(regex), pattern: pattern.to_string() })
    }

    /// Literals one of which every match contains (see [`crate::prefilter`]); None when the
    /// pattern has no usable condition (the empty pattern matches everything).
    pub(super) fn required_literals(&self) -> Option<Vec<Vec<u8>>> {
        self.regex.as_ref()?;
        crate::prefilter::required_literals(&self.pattern)
    }

    /// The leftmost match starting at or after `start` (the whole input is the context for
    /// anchors and word boundaries).
    pub(super) fn find_at(&self, input: &[u8], start: usize) -> Option<(usize, usize)> {
        let m = self.regex.as_ref()?.find_at(input, start)?;
        Some((m.start(), m.end()))
    }

    /// Whether `input` matches; fills `captures` with groups 0..=9 that took part.
    pub(super) fn matches(&self, input: &[u8], captures: Option<&mut Captures>) -> bool {
        let Some(regex) = &self.regex else {
            return true;
        };
        // Captures cost an allocation and a slower search: run them only on a match.
        if !regex.is_match(input) {
            return false;
        }
        let Some(out) = captures else {
            return true;
        };
        let mut locations = regex.capture_locations();
        if regex.captures_read(&mut locations, input).is_none() {
            return false;
        }
        for i in 0..locations.len().min(MAX_CAPTURES) {
            if let Some((start, end)) = locations.get(i) {
                out.set(i, &input[start..end]);
            }
        }
        true
    }
}

fn build(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .dot_matches_new_line(true)
        .multi_line(true)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_CACHE_LIMIT)
        .build()
}

/// Rewrites PCRE byte-mode spellings into ones the `regex` crate reads as bytes. The
/// prefilter parses patterns through this same function, so both see one language.
pub(crate) fn to_byte_syntax(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some((j, 'x')) => out.push_str(&hex_escape(&pattern[j + 1..], &mut chars)),
                Some((_, next)) if !next.is_ascii() => push_bytes(&mut out, next),
                Some((_, next)) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else if c.is_ascii() {
            out.push(c);
        } else {
            push_bytes(&mut out, c);
        }
    }
    out
}

/// After `\x`: `{H}` or `{HH}` becomes `\xHH` (consuming it); anything else stays `\x`.
fn hex_escape(rest: &str, chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> String {
    let braced = rest.strip_prefix('{').and_then(|r| r.split_once('}')).map(|(d, _)| d);
    match braced {
        Some(digits)
            if (1..=2).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            for _ in 0..digits.len() + 2 {
                chars.next();
            }
            format!("\\x{digits:0>2}")
        }
        _ => "\\x".to_string(),
    }
}

fn push_bytes(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    for b in c.encode_utf8(&mut buf).bytes() {
        out.push_str(&format!("\\x{b:02X}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rx(p: &str) -> Rx {
        Rx::compile(p).unwrap()
    }

    #[test]
    fn matches_bytes_and_flags() {
        assert!(rx("(?i)select.+from").matches(b"SELECT a\nFROM t", None));
        assert!(rx("^b$").matches(b"a\nb\nc", None));
        assert!(rx("\\xff").matches(b"a\xffb", None));
        assert!(rx("a.b").matches(b"a\xc3b", None));
        assert!(!rx("^abc").matches(b"xabc", None));
        assert!(rx("").matches(b"anything", None));
    }

    #[test]
    fn fills_captures() {
        let mut caps = Captures::new();
        assert!(rx("(a+)(x)?(b+)").matches(b"zaabb", Some(&mut caps)));
        assert_eq!(caps.get(0), Some(&b"aabb"[..]));
        assert_eq!(caps.get(1), Some(&b"aa"[..]));
        assert_eq!(caps.get(2), None);
        assert_eq!(caps.get(3), Some(&b"bb"[..]));
    }

    #[test]
    fn pcre_byte_spellings() {
        assert_eq!(to_byte_syntax(r"a\x{bc}[\x7f-\x{ff}]\\x{1}"), r"a\xbc[\x7f-\xff]\\x{1}");
        assert_eq!(to_byte_syntax("é[ü]"), r"\xC3\xA9[\xC3\xBC]");
        assert_eq!(to_byte_syntax(r"\x41\x{100}"), r"\x41\x{100}");
        let r = rx(r"\x{bc}[^>\x{be}]*[>\x{be}]");
        assert!(r.matches(b"\xbcscript\xbe", None));
        assert!(!rx(r"^\x{bc}").matches("\u{bc}".as_bytes(), None));
        assert!(rx("[é]").matches(b"\xa9", None));
        assert!(rx("café").matches("un café".as_bytes(), None));
    }

    #[test]
    fn backreference_is_reported() {
        let err = Rx::compile("(a)\\1").unwrap_err().to_string();
        assert!(err.starts_with("regex '(a)\\1' does not compile"), "{err}");
    }
}
