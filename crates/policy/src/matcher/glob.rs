//! Namespace patterns, where Istio turns every `*` into a regex wildcard.

/// A pattern with `*` anywhere, each matching any run of characters (possibly empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    /// The literal pieces between the stars, in order.
    pieces: Vec<String>,
}

impl Glob {
    /// Prepares a pattern.
    pub(crate) fn new(pattern: &str) -> Self {
        Self { pieces: pattern.split('*').map(str::to_owned).collect() }
    }

    /// True when the whole value matches.
    pub(crate) fn matches(&self, value: Option<&str>) -> bool {
        let Some(value) = value else { return false };
        let Some((first, rest)) = self.pieces.split_first() else { return false };
        let Some(mut remaining) = value.strip_prefix(first.as_str()) else { return false };
        let Some((last, middle)) = rest.split_last() else { return remaining.is_empty() };

        for piece in middle {
            match remaining.find(piece.as_str()) {
                Some(at) => remaining = remaining.get(at + piece.len()..).unwrap_or_default(),
                None => return false,
            }
        }
        remaining.ends_with(last.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, value: &str) -> bool {
        Glob::new(pattern).matches(Some(value))
    }

    #[test]
    fn stars_match_anywhere() {
        assert!(matches("prod", "prod"));
        assert!(!matches("prod", "prod-eu"));
        assert!(matches("prod-*", "prod-eu"));
        assert!(matches("*-eu", "prod-eu"));
        assert!(matches("team-*-prod", "team-a-prod"));
        assert!(!matches("team-*-prod", "team-a-dev"));
        assert!(matches("a*b*c", "abc"));
        assert!(!matches("ab*ba", "aba"));
        assert!(matches("*", "anything"));
        assert!(!Glob::new("*").matches(None));
    }
}
