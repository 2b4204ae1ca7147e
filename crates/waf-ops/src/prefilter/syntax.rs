//! Parsing an `@rx` pattern into the same syntax tree the `@rx` operator compiles.
//!
//! `operator/regex.rs` compiles patterns with `regex::bytes` in PCRE byte mode: it first
//! rewrites `\x{H}`/`\x{HH}` to `\xHH` and every non-ASCII character to the `\xHH` escapes of
//! its UTF-8 bytes, then builds with Unicode off, dot matching newline and multi-line
//! anchors. This module does the same rewrite and parses with the same flags, so the tree the
//! literals come from describes exactly the language the operator matches.
//! Keep the two in step: a change to the operator's rewrite or flags must be made here too
//! (the CRS soundness tests in `tests.rs` compare against the real operator and would catch
//! most divergences).

use regex_syntax::hir::Hir;
use regex_syntax::ParserBuilder;

/// The syntax tree of `pattern` as the `@rx` operator reads it, or `None` when it does not
/// parse (the operator then refuses the pattern too).
pub(super) fn parse(pattern: &str) -> Option<Hir> {
    ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .dot_matches_new_line(true)
        .multi_line(true)
        .build()
        .parse(&byte_syntax(pattern))
        .ok()
}

/// Rewrites PCRE byte-mode spellings into ones regex-syntax reads as bytes.
fn byte_syntax(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        if c != '\\' {
            push_char(&mut out, c);
            continue;
        }
        let Some(next) = rest.chars().next() else {
            out.push('\\');
            break;
        };
        rest = &rest[next.len_utf8()..];
        if next == 'x' {
            rest = push_hex_escape(&mut out, rest);
        } else if next.is_ascii() {
            out.push('\\');
            out.push(next);
        } else {
            push_char(&mut out, next);
        }
    }
    out
}

/// After `\x`: a braced one- or two-digit code becomes `\xHH`; anything else stays `\x` and
/// is read on. Returns the input after what was consumed.
fn push_hex_escape<'a>(out: &mut String, rest: &'a str) -> &'a str {
    let braced = rest.strip_prefix('{').and_then(|r| r.split_once('}'));
    if let Some((digits, after)) = braced {
        if (1..=2).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push_str("\\x");
            if digits.len() == 1 {
                out.push('0');
            }
            out.push_str(digits);
            return after;
        }
    }
    out.push_str("\\x");
    rest
}

/// An ASCII character as itself, any other as `\xHH` escapes of its UTF-8 bytes.
fn push_char(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    let mut buf = [0u8; 4];
    for b in c.encode_utf8(&mut buf).bytes() {
        out.push_str(&format!("\\x{b:02X}"));
    }
}

#[cfg(test)]
mod tests {
    use super::byte_syntax;

    #[test]
    fn rewrites_pcre_byte_spellings() {
        assert_eq!(byte_syntax(r"a\x{bc}[\x7f-\x{ff}]\\x{1}"), r"a\xbc[\x7f-\xff]\\x{1}");
        assert_eq!(byte_syntax("é[ü]"), r"\xC3\xA9[\xC3\xBC]");
        assert_eq!(byte_syntax(r"\x41\x{100}\x{}\x{g}"), r"\x41\x{100}\x{}\x{g}");
        assert_eq!(byte_syntax(r"\x{a}\é\"), r"\x0a\xC3\xA9\");
    }
}
