//! `@rx`: a byte-oriented, linear-time regex with ModSecurity's flags (dot matches newline,
//! multi-line anchors) and PCRE's byte semantics (no Unicode classes; `\xHH` is one byte).

use regex::bytes::{Regex, RegexBuilder};

use super::error::excerpt;
use super::{Captures, OperatorError, MAX_CAPTURES};

/// Compiled-program size limit; CRS's largest assembled patterns need a few megabytes.
const SIZE_LIMIT: usize = 64 * 1024 * 1024;

/// A compiled `@rx` pattern; an empty pattern matches everything, as in ModSecurity.
#[derive(Debug, Clone)]
pub(super) struct Rx {
    regex: Option<Regex>,
}

impl Rx {
    /// Compiles `pattern`, reporting the regex engine's reason when it cannot.
    pub(super) fn compile(pattern: &str) -> Result<Rx, OperatorError> {
        if pattern.is_empty() {
            return Ok(Rx { regex: None });
        }
        let regex = build(pattern, false).or_else(|first| {
            // PCRE patterns may hold literal non-ASCII text inside classes, which needs
            // Unicode mode in the regex crate; retry with it before giving up.
            build(pattern, true).map_err(|_| first)
        });
        let regex = regex.map_err(|e| OperatorError::InvalidRegex {
            pattern: excerpt(pattern),
            reason: e.to_string(),
        })?;
        Ok(Rx { regex: Some(regex) })
    }

    /// Whether `input` matches; fills `captures` with groups 0..=9 that took part.
    pub(super) fn matches(&self, input: &[u8], captures: Option<&mut Captures>) -> bool {
        let Some(regex) = &self.regex else {
            return true;
        };
        let Some(out) = captures else {
            return regex.is_match(input);
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

fn build(pattern: &str, unicode: bool) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(unicode)
        .dot_matches_new_line(true)
        .multi_line(true)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .build()
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
    fn backreference_is_reported() {
        let err = Rx::compile("(a)\\1").unwrap_err().to_string();
        assert!(err.starts_with("regex '(a)\\1' does not compile"), "{err}");
    }
}
