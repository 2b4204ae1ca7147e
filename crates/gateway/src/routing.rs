//! Route matching: host, path (exact, prefix, template) and method; the first match wins.
//!
//! Paths are matched after normalization (see the `rampart-path` crate), so `//admin` and
//! `/a/../admin` are seen as `/admin` here. Template parameters are percent-decoded once.

use http::Method;
use thiserror::Error;

/// A path pattern from the config, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPattern {
    /// The path must equal this string.
    Exact(String),
    /// The path must start with this string, which ends in `/` (written `/api/*`).
    Prefix(String),
    /// Segment by segment, with `{name}` parameters and an optional trailing `*`.
    Template {
        /// The segments, in order.
        segments: Vec<Segment>,
        /// Whether the pattern ends in `/*`, taking any further segments.
        open_ended: bool,
    },
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Must equal this text.
    Literal(String),
    /// Matches any one non-empty segment, captured under this name.
    Param(String),
}

/// Why a path pattern in the config is unusable.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PatternError {
    /// Patterns are absolute paths.
    #[error("path pattern `{0}` must start with `/`")]
    NotAbsolute(String),
    /// `*` may only close a pattern, as `/prefix/*`.
    #[error("path pattern `{0}` may use `*` only as its last segment, as in `/api/*`")]
    MisplacedWildcard(String),
    /// A `{` without its `}`, or an empty name.
    #[error("path pattern `{0}` has a malformed parameter; write `{{name}}` as a whole segment")]
    BadParameter(String),
    /// The same parameter twice.
    #[error("path pattern `{0}` names the parameter `{1}` twice")]
    DuplicateParameter(String, String),
}

impl PathPattern {
    /// Compiles a pattern as written in a route's `match.path`.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        if !text.starts_with('/') {
            return Err(PatternError::NotAbsolute(text.to_owned()));
        }

        let (body, open_ended) = match text.strip_suffix('*') {
            Some(rest) if rest.ends_with('/') => (rest, true),
            Some(_) => return Err(PatternError::MisplacedWildcard(text.to_owned())),
            None => (text, false),
        };
        if body.contains('*') {
            return Err(PatternError::MisplacedWildcard(text.to_owned()));
        }

        if !body.contains(['{', '}']) {
            return Ok(if open_ended {
                Self::Prefix(body.to_owned())
            } else {
                Self::Exact(body.to_owned())
            });
        }
        Self::parse_template(text, body, open_ended)
    }

    fn parse_template(text: &str, body: &str, open_ended: bool) -> Result<Self, PatternError> {
        let trimmed = body.strip_suffix('/').filter(|_| open_ended).unwrap_or(body);
        let mut segments = Vec::new();
        let mut names: Vec<&str> = Vec::new();

        for part in trimmed[1..].split('/') {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) if is_param_name(name) => {
                    if names.contains(&name) {
                        return Err(PatternError::DuplicateParameter(text.into(), name.into()));
                    }
                    names.push(name);
                    segments.push(Segment::Param(name.to_owned()));
                }
                Some(_) => return Err(PatternError::BadParameter(text.to_owned())),
                None if part.contains(['{', '}']) => {
                    return Err(PatternError::BadParameter(text.to_owned()))
                }
                None => segments.push(Segment::Literal(part.to_owned())),
            }
        }
        Ok(Self::Template { segments, open_ended })
    }

    /// Matches a normalized path, appending template parameters to `params`.
    pub fn matches(&self, path: &str, params: &mut Vec<(String, String)>) -> bool {
        match self {
            Self::Exact(exact) => path == exact,
            Self::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Self::Template { segments, open_ended } => {
                match_template(segments, *open_ended, path, params)
            }
        }
    }
}

fn is_param_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn match_template(
    segments: &[Segment],
    open_ended: bool,
    path: &str,
    params: &mut Vec<(String, String)>,
) -> bool {
    let start = params.len();
    let mut parts = path[1.min(path.len())..].split('/');

    for segment in segments {
        let Some(part) = parts.next() else {
            params.truncate(start);
            return false;
        };
        let ok = match segment {
            Segment::Literal(text) => part == text,
            Segment::Param(name) if !part.is_empty() => {
                params.push((name.clone(), rampart_path::percent_decode_segment(part).into()));
                true
            }
            Segment::Param(_) => false,
        };
        if !ok {
            params.truncate(start);
            return false;
        }
    }

    let rest_ok = match parts.next() {
        None => !open_ended,
        Some(_) => open_ended,
    };
    if !rest_ok {
        params.truncate(start);
    }
    rest_ok
}

/// A host pattern: an exact name or `*.suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    /// The normalized host must equal this name.
    Exact(String),
    /// The host must end with this suffix, which starts with `.`.
    Suffix(String),
}

impl HostPattern {
    /// Compiles a host pattern, normalized like request hosts (lowercase, no trailing dot).
    pub fn parse(text: &str) -> Self {
        let lowered = text.trim_end_matches('.').to_ascii_lowercase();
        match lowered.strip_prefix('*') {
            Some(suffix) => Self::Suffix(suffix.to_owned()),
            None => Self::Exact(lowered),
        }
    }

    /// Whether a normalized host name matches.
    pub fn matches(&self, host: &str) -> bool {
        match self {
            Self::Exact(name) => host == name,
            Self::Suffix(suffix) => host.len() > suffix.len() && host.ends_with(suffix.as_str()),
        }
    }
}

/// What one route matches on.
#[derive(Debug, Clone)]
pub struct RouteMatcher {
    /// Host pattern, when the route names one.
    pub host: Option<HostPattern>,
    /// Path pattern.
    pub path: PathPattern,
    /// Accepted methods; all when empty.
    pub methods: Vec<Method>,
}

impl RouteMatcher {
    /// Whether a request matches, appending template parameters to `params`.
    pub fn matches(
        &self,
        host: &str,
        method: &Method,
        path: &str,
        params: &mut Vec<(String, String)>,
    ) -> bool {
        if let Some(pattern) = &self.host {
            if !pattern.matches(host) {
                return false;
            }
        }
        if !self.methods.is_empty() && !self.methods.contains(method) {
            return false;
        }
        self.path.matches(path, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params_of(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
        let mut params = Vec::new();
        PathPattern::parse(pattern).unwrap().matches(path, &mut params).then_some(params)
    }

    #[test]
    fn exact_and_prefix() {
        assert!(params_of("/health", "/health").is_some());
        assert!(params_of("/health", "/health/").is_none());
        assert!(params_of("/api/data/*", "/api/data/7").is_some());
        assert!(params_of("/api/data/*", "/api/data/").is_some());
        assert!(params_of("/api/data/*", "/api/data").is_none());
        assert!(params_of("/api/data/*", "/api/database").is_none());
    }

    #[test]
    fn templates_capture_decoded_parameters() {
        let params = params_of("/items/{id}", "/items/a%20b").unwrap();
        assert_eq!(params, vec![("id".to_owned(), "a b".to_owned())]);
        assert!(params_of("/items/{id}", "/items/").is_none());
        assert!(params_of("/items/{id}", "/items/1/2").is_none());
        let params = params_of("/u/{user}/files/*", "/u/ann/files/x/y").unwrap();
        assert_eq!(params, vec![("user".to_owned(), "ann".to_owned())]);
        assert!(params_of("/u/{user}/files/*", "/u/ann/files").is_none());
    }

    #[test]
    fn malformed_patterns_are_refused() {
        assert_eq!(PathPattern::parse("api"), Err(PatternError::NotAbsolute("api".into())));
        assert!(matches!(PathPattern::parse("/a*"), Err(PatternError::MisplacedWildcard(_))));
        assert!(matches!(PathPattern::parse("/*/a"), Err(PatternError::MisplacedWildcard(_))));
        assert!(matches!(PathPattern::parse("/a/{b"), Err(PatternError::BadParameter(_))));
        assert!(matches!(PathPattern::parse("/a/x{b}"), Err(PatternError::BadParameter(_))));
        assert!(matches!(
            PathPattern::parse("/{a}/{a}"),
            Err(PatternError::DuplicateParameter(_, _))
        ));
    }

    #[test]
    fn hosts_match_case_insensitively_with_wildcards() {
        assert!(HostPattern::parse("API.example.com.").matches("api.example.com"));
        assert!(HostPattern::parse("*.example.com").matches("a.b.example.com"));
        assert!(!HostPattern::parse("*.example.com").matches("example.com"));
    }
}
