//! Path patterns: Istio's string forms plus the `{*}` and `{**}` path templates.

use crate::matcher::{StringMatch, Wildcard};

/// One prepared `paths` / `notPaths` pattern, matched against the normalized path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathMatch {
    /// Exact, prefix `/x/*`, suffix `*/x` or `*` (any non-empty path).
    String(StringMatch),
    /// A template such as `/api/{*}/items/{**}`, one element per segment.
    Template(Vec<TemplateSegment>),
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateSegment {
    /// The segment equals this text.
    Literal(String),
    /// `{*}`: exactly one non-empty segment.
    One,
    /// `{**}`: everything that follows, possibly empty; only as the last segment.
    Rest,
}

/// Why a path template is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TemplateError {
    /// An operator shares its segment with other text, or is not `{*}` / `{**}`.
    BadOperator,
    /// `{**}` is followed by more segments.
    RestNotLast,
}

impl PathMatch {
    /// Prepares a pattern: a template when it contains `{`, otherwise a string match.
    pub(crate) fn new(pattern: &str) -> Result<Self, TemplateError> {
        if !pattern.contains('{') && !pattern.contains('}') {
            return Ok(Self::String(StringMatch::new(pattern, Wildcard::NonEmpty)));
        }

        let segments: Vec<&str> = pattern.split('/').collect();
        let mut template = Vec::with_capacity(segments.len());
        for (index, segment) in segments.iter().enumerate() {
            let element = template_segment(segment)?;
            if element == TemplateSegment::Rest && index + 1 != segments.len() {
                return Err(TemplateError::RestNotLast);
            }
            template.push(element);
        }
        Ok(Self::Template(template))
    }

    /// True when the normalized path matches.
    pub(crate) fn matches(&self, path: &str) -> bool {
        match self {
            Self::String(pattern) => pattern.matches(Some(path)),
            Self::Template(template) => template_matches(template, path),
        }
    }
}

/// Classifies one template segment.
fn template_segment(segment: &str) -> Result<TemplateSegment, TemplateError> {
    match segment {
        "{*}" => Ok(TemplateSegment::One),
        "{**}" => Ok(TemplateSegment::Rest),
        _ if segment.contains('{') || segment.contains('}') => Err(TemplateError::BadOperator),
        _ => Ok(TemplateSegment::Literal(segment.to_owned())),
    }
}

/// Walks template and path segments side by side.
fn template_matches(template: &[TemplateSegment], path: &str) -> bool {
    let mut parts = path.split('/');
    for element in template {
        let Some(part) = parts.next() else { return false };
        match element {
            TemplateSegment::Literal(text) if text != part => return false,
            TemplateSegment::One if part.is_empty() => return false,
            TemplateSegment::Rest => return true,
            _ => {}
        }
    }
    parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_matches_a_single_segment() {
        let pattern = PathMatch::new("/api/{*}/items").unwrap();
        assert!(pattern.matches("/api/v1/items"));
        assert!(!pattern.matches("/api/v1/v2/items"));
        assert!(!pattern.matches("/api//items"));
        assert!(!pattern.matches("/api/v1/items/x"));
    }

    #[test]
    fn rest_matches_what_follows() {
        let pattern = PathMatch::new("/files/{**}").unwrap();
        assert!(pattern.matches("/files/a/b/c"));
        assert!(pattern.matches("/files/"));
        assert!(!pattern.matches("/files"));
        assert!(!pattern.matches("/other/a"));
    }

    #[test]
    fn rejects_malformed_templates() {
        assert_eq!(PathMatch::new("/a/{**}/b"), Err(TemplateError::RestNotLast));
        assert_eq!(PathMatch::new("/a/x{*}"), Err(TemplateError::BadOperator));
        assert_eq!(PathMatch::new("/a/{id}"), Err(TemplateError::BadOperator));
    }
}
