//! Matching a request path against the document's path templates, prepared once at load.
//!
//! Templates are split into segments and grouped by segment count; within a group, templates
//! with more literal segments come first, so `/items/mine` wins over `/items/{id}` as OpenAPI
//! requires. A lookup splits the request path once and compares segments; nothing is parsed
//! again per request. Lookup is linear in the templates of the same length, fine for documents
//! of a few hundred paths; a segment trie would make it logarithmic.

use std::collections::HashMap;

use http::Method;
use percent_encoding::percent_decode_str;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Matches exactly this text.
    Literal(String),
    /// Captures a parameter, optionally between fixed text (`{name}.json`).
    Param { prefix: String, name: String, suffix: String },
}

/// A path template and the operations declared on it.
#[derive(Debug)]
pub(crate) struct PathEntry {
    segments: Vec<Segment>,
    /// (method, index into the document's operations).
    operations: Vec<(Method, usize)>,
    /// The declared methods, for 405 answers.
    pub(crate) allowed: Vec<Method>,
}

/// The result of a lookup, before it is tied to operations.
pub(crate) enum Lookup<'a> {
    /// An operation matched, with its path parameters decoded.
    Found(usize, Vec<(&'a str, String)>),
    /// No template matches the path.
    NoPath,
    /// A template matches but declares other methods.
    NoMethod(&'a [Method]),
}

/// All path templates, grouped by segment count.
#[derive(Debug, Default)]
pub(crate) struct Router {
    by_length: HashMap<usize, Vec<PathEntry>>,
}

impl Router {
    /// Adds an operation on `template`; `None` if the template is malformed.
    pub(crate) fn add(&mut self, template: &str, method: Method, index: usize) -> Option<()> {
        let segments = parse_template(template)?;
        let group = self.by_length.entry(segments.len()).or_default();
        let entry = match group.iter_mut().position(|e| e.segments == segments) {
            Some(at) => &mut group[at],
            None => {
                group.push(PathEntry { segments, operations: Vec::new(), allowed: Vec::new() });
                group.last_mut()?
            }
        };
        entry.allowed.push(method.clone());
        entry.operations.push((method, index));
        Some(())
    }

    /// Orders each group so templates with more literal segments are tried first.
    pub(crate) fn finish(&mut self) {
        for group in self.by_length.values_mut() {
            group.sort_by_key(|e| std::cmp::Reverse(literal_rank(&e.segments)));
        }
    }

    /// Finds the operation for `method` on `path` (the request path, without the query).
    pub(crate) fn lookup<'a>(&'a self, method: &Method, path: &str) -> Lookup<'a> {
        let Some(rest) = path.strip_prefix('/') else { return Lookup::NoPath };
        let parts: Vec<&str> = rest.split('/').collect();
        let Some(group) = self.by_length.get(&parts.len()) else { return Lookup::NoPath };

        for entry in group {
            let Some(params) = capture(&entry.segments, &parts) else { continue };
            return match entry.operations.iter().find(|(m, _)| m == method) {
                Some((_, index)) => Lookup::Found(*index, params),
                None => Lookup::NoMethod(&entry.allowed),
            };
        }
        Lookup::NoPath
    }
}

/// Splits `/a/{b}/c` into segments; `None` for a template without a leading slash or with a
/// malformed brace.
fn parse_template(template: &str) -> Option<Vec<Segment>> {
    template.strip_prefix('/')?.split('/').map(parse_segment).collect()
}

fn parse_segment(text: &str) -> Option<Segment> {
    let Some(open) = text.find('{') else {
        return (!text.contains('}')).then(|| Segment::Literal(text.to_owned()));
    };
    let close = text.get(open..)?.find('}')? + open;
    let prefix = text.get(..open)?;
    let name = text.get(open + 1..close)?;
    let suffix = text.get(close + 1..)?;
    if name.is_empty() || suffix.contains(['{', '}']) || prefix.contains('}') {
        return None;
    }
    Some(Segment::Param { prefix: prefix.into(), name: name.into(), suffix: suffix.into() })
}

/// Literal segments count 2, partly literal ones 1: a higher rank is more specific.
fn literal_rank(segments: &[Segment]) -> usize {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(_) => 2,
            Segment::Param { prefix, suffix, .. } => {
                usize::from(!prefix.is_empty() || !suffix.is_empty())
            }
        })
        .sum()
}

/// The decoded parameters if every segment matches.
fn capture<'a>(segments: &'a [Segment], parts: &[&str]) -> Option<Vec<(&'a str, String)>> {
    let mut params = Vec::new();
    for (segment, part) in segments.iter().zip(parts) {
        match segment {
            Segment::Literal(text) if text == part => {}
            Segment::Literal(_) => return None,
            Segment::Param { prefix, name, suffix } => {
                let raw = part.strip_prefix(prefix.as_str())?.strip_suffix(suffix.as_str())?;
                if raw.is_empty() {
                    return None;
                }
                params.push((name.as_str(), percent_decode_str(raw).decode_utf8_lossy().into()));
            }
        }
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router {
        let mut r = Router::default();
        r.add("/items/{id}", Method::GET, 0).unwrap();
        r.add("/items/{id}", Method::DELETE, 1).unwrap();
        r.add("/items/mine", Method::GET, 2).unwrap();
        r.add("/files/{name}.json", Method::GET, 3).unwrap();
        r.finish();
        r
    }

    #[test]
    fn literal_templates_win_and_params_are_decoded() {
        let r = router();
        assert!(matches!(r.lookup(&Method::GET, "/items/mine"), Lookup::Found(2, _)));
        match r.lookup(&Method::GET, "/items/a%20b") {
            Lookup::Found(0, params) => assert_eq!(params, [("id", "a b".to_owned())]),
            _ => panic!("no match"),
        }
        match r.lookup(&Method::GET, "/files/report.json") {
            Lookup::Found(3, params) => assert_eq!(params, [("name", "report".to_owned())]),
            _ => panic!("no match"),
        }
    }

    #[test]
    fn unknown_paths_and_methods() {
        let r = router();
        assert!(matches!(r.lookup(&Method::GET, "/items"), Lookup::NoPath));
        assert!(matches!(r.lookup(&Method::GET, "/items/"), Lookup::NoPath));
        assert!(matches!(r.lookup(&Method::GET, "items/1"), Lookup::NoPath));
        match r.lookup(&Method::PUT, "/items/1") {
            Lookup::NoMethod(allowed) => assert_eq!(allowed, [Method::GET, Method::DELETE]),
            _ => panic!("expected 405"),
        }
    }

    #[test]
    fn malformed_templates_are_refused() {
        let mut r = Router::default();
        assert!(r.add("items", Method::GET, 0).is_none());
        assert!(r.add("/items/{id", Method::GET, 0).is_none());
        assert!(r.add("/items/{}", Method::GET, 0).is_none());
    }
}
