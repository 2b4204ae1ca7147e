//! Parsing an `@rx` pattern into the same syntax tree the `@rx` operator compiles.
//!
//! `operator/regex.rs` compiles patterns with `regex::bytes` in PCRE byte mode: it rewrites
//! them with `to_byte_syntax` (`\x{H}` to `\xHH`, non-ASCII characters to the `\xHH` escapes
//! of their UTF-8 bytes), then builds with Unicode off, dot matching newline and multi-line
//! anchors. This module calls the same rewrite and parses with the same flags, so the tree the
//! literals come from describes exactly the language the operator matches. The flags must stay
//! in step with the operator's `build` (the CRS soundness tests compare against the real
//! operator).

use regex_syntax::hir::Hir;
use regex_syntax::ParserBuilder;

use crate::operator::regex::to_byte_syntax;

/// The syntax tree of `pattern` as the `@rx` operator reads it, or `None` when it does not
/// parse (the operator then refuses the pattern too).
pub(super) fn parse(pattern: &str) -> Option<Hir> {
    ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .dot_matches_new_line(true)
        .multi_line(true)
        .build()
        .parse(&to_byte_syntax(pattern))
        .ok()
}

#[cfg(test)]
mod tests {
    use crate::operator::regex::to_byte_syntax as byte_syntax;

    #[test]
    fn rewrites_pcre_byte_spellings() {
        assert_eq!(byte_syntax(r"a\x{bc}[\x7f-\x{ff}]\\x{1}"), r"a\xbc[\x7f-\xff]\\x{1}");
        assert_eq!(byte_syntax("é[ü]"), r"\xC3\xA9[\xC3\xBC]");
        assert_eq!(byte_syntax(r"\x41\x{100}\x{}\x{g}"), r"\x41\x{100}\x{}\x{g}");
        assert_eq!(byte_syntax(r"\x{a}\é\"), r"\x0a\xC3\xA9\");
    }
}
