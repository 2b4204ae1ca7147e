//! Istio's string match forms: exact, prefix `x*`, suffix `*x`, and `*`.

/// What a lone `*` means for the attribute being matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wildcard {
    /// `*` matches any non-empty value (principals, paths, claims, ...).
    NonEmpty,
    /// `*` matches any value that is present, even empty (headers, methods, hosts).
    Present,
}

/// One prepared Istio string pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StringMatch {
    /// The value equals the text.
    Exact(String),
    /// The value starts with the text (`text*`).
    Prefix(String),
    /// The value ends with the text (`*text`).
    Suffix(String),
    /// Any non-empty value (`*`).
    NonEmpty,
    /// Any present value (`*` on headers and hosts).
    Present,
}

impl StringMatch {
    /// Prepares a pattern the way Istio does: `*` first, then a leading `*` (suffix match),
    /// then a trailing `*` (prefix match), otherwise exact.
    pub(crate) fn new(pattern: &str, wildcard: Wildcard) -> Self {
        if pattern == "*" {
            return match wildcard {
                Wildcard::NonEmpty => Self::NonEmpty,
                Wildcard::Present => Self::Present,
            };
        }
        if let Some(suffix) = pattern.strip_prefix('*') {
            return Self::Suffix(suffix.to_owned());
        }
        match pattern.strip_suffix('*') {
            Some(prefix) => Self::Prefix(prefix.to_owned()),
            None => Self::Exact(pattern.to_owned()),
        }
    }

    /// Prepares a pattern that matches case-insensitively (hosts): the text is lowercased and
    /// the value must be lowercase already.
    pub(crate) fn new_lowercase(pattern: &str, wildcard: Wildcard) -> Self {
        Self::new(&pattern.to_ascii_lowercase(), wildcard)
    }

    /// True when the value matches; an absent value matches nothing.
    pub(crate) fn matches(&self, value: Option<&str>) -> bool {
        let Some(value) = value else { return false };
        match self {
            Self::Exact(text) => value == text,
            Self::Prefix(text) => value.starts_with(text.as_str()),
            Self::Suffix(text) => value.ends_with(text.as_str()),
            Self::NonEmpty => !value.is_empty(),
            Self::Present => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_istio_precedence() {
        assert_eq!(StringMatch::new("*", Wildcard::NonEmpty), StringMatch::NonEmpty);
        assert_eq!(StringMatch::new("*a*", Wildcard::NonEmpty), StringMatch::Suffix("a*".into()));
        assert_eq!(StringMatch::new("/x/*", Wildcard::NonEmpty), StringMatch::Prefix("/x/".into()));
        assert_eq!(StringMatch::new("a", Wildcard::NonEmpty), StringMatch::Exact("a".into()));
    }

    #[test]
    fn wildcard_kinds_differ_on_empty_values() {
        assert!(!StringMatch::NonEmpty.matches(Some("")));
        assert!(StringMatch::Present.matches(Some("")));
        assert!(!StringMatch::Present.matches(None));
    }
}
