//! String comparison operators: `@streq`, `@contains`, `@containsWord`, `@beginsWith`,
//! `@endsWith`, `@within`, `@strmatch`. All are case-sensitive, as in ModSecurity.

use memchr::memmem::Finder;

/// Which comparison to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    Equal,
    Contains,
    ContainsWord,
    BeginsWith,
    EndsWith,
    Within,
}

/// A compiled string operator.
#[derive(Debug, Clone)]
pub(super) struct StringOp {
    compare: Compare,
    param: Vec<u8>,
    finder: Finder<'static>,
}

impl StringOp {
    /// Builds the operator `name` (canonical) with its parameter.
    pub(super) fn new(name: &str, param: &str) -> StringOp {
        let compare = match name {
            "streq" => Compare::Equal,
            "containsWord" => Compare::ContainsWord,
            "beginsWith" => Compare::BeginsWith,
            "endsWith" => Compare::EndsWith,
            "within" => Compare::Within,
            _ => Compare::Contains,
        };
        let param = param.as_bytes().to_vec();
        let finder = Finder::new(&param).into_owned();
        StringOp { compare, param, finder }
    }

    /// Runs the comparison (these operators capture nothing, as in ModSecurity v3).
    pub(super) fn matches(&self, input: &[u8]) -> bool {
        let p = self.param.as_slice();
        match self.compare {
            Compare::Equal => input == p,
            Compare::Contains => self.finder.find(input).is_some(),
            Compare::ContainsWord => self.contains_word(input),
            Compare::BeginsWith => input.starts_with(p),
            Compare::EndsWith => input.ends_with(p),
            Compare::Within => input.is_empty() || Finder::new(input).find(p).is_some(),
        }
    }

    /// The parameter occurs in `input` delimited by non-letters (or the ends).
    fn contains_word(&self, input: &[u8]) -> bool {
        let p = self.param.as_slice();
        if p.is_empty() {
            return true;
        }
        let is_letter = |i: usize| input.get(i).is_some_and(u8::is_ascii_alphabetic);
        self.finder.find_iter(input).any(|pos| {
            let before_ok = pos == 0 || !is_letter(pos - 1);
            before_ok && !is_letter(pos + p.len())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, param: &str, input: &[u8]) -> bool {
        StringOp::new(name, param).matches(input)
    }

    #[test]
    fn comparisons() {
        assert!(m("streq", "abc", b"abc"));
        assert!(!m("streq", "abc", b"ABC"));
        assert!(m("contains", "b", b"abc"));
        assert!(m("beginsWith", "ab", b"abc"));
        assert!(!m("beginsWith", "abcd", b"abc"));
        assert!(m("endsWith", "bc", b"abc"));
        assert!(m("within", "GET POST", b"POST"));
        assert!(!m("within", "GET POST", b"PUT"));
        assert!(m("within", "GET", b""));
        assert!(m("strmatch", "x", b"axb"));
    }

    #[test]
    fn contains_word_boundaries() {
        assert!(m("containsWord", "select", b"a select b"));
        assert!(m("containsWord", "select", b"select"));
        assert!(m("containsWord", "select", b"1select2"));
        assert!(!m("containsWord", "select", b"selection"));
        assert!(m("containsWord", "select", b"selection select"));
        assert!(m("containsWord", "", b"x"));
    }
}
