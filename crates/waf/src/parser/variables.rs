//! Splits a target list (`ARGS|!ARGS:foo|&TX:x|ARGS:/^a|b$/`) into its parts.

use super::ParseError;

/// One target as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTarget {
    /// `!` in front: an exclusion.
    pub exclude: bool,
    /// `&` in front: count the values instead of inspecting them.
    pub count: bool,
    /// The collection or variable name, upper-cased.
    pub name: String,
    /// What follows the colon.
    pub selector: Option<RawSelector>,
}

/// The part of a target after the colon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawSelector {
    /// A literal key, quotes removed.
    Key(String),
    /// A `/regex/` selector, slashes removed.
    Regex(String),
}

/// Splits `text` at `|` outside regex selectors and quotes.
pub fn parse_targets(text: &str) -> Result<Vec<RawTarget>, ParseError> {
    let mut out = Vec::new();
    let mut rest = text.trim();

    while !rest.is_empty() {
        let (target, tail) = one_target(rest)?;
        out.push(target);
        rest = tail.trim_start_matches(|c: char| c == '|' || c.is_whitespace());
    }
    if out.is_empty() {
        return Err(ParseError::EmptyTargets);
    }
    Ok(out)
}

fn one_target(text: &str) -> Result<(RawTarget, &str), ParseError> {
    let mut rest = text;
    let exclude = rest.starts_with('!');
    if exclude {
        rest = &rest[1..];
    }
    let count = rest.starts_with('&');
    if count {
        rest = &rest[1..];
    }

    let end = rest.find([':', '|']).unwrap_or(rest.len());
    let name = rest[..end].trim().to_ascii_uppercase();
    rest = &rest[end..];
    let mut target = RawTarget { exclude, count, name, selector: None };
    if let Some(after) = rest.strip_prefix(':') {
        // XML selectors are XPath expressions, which start with a slash but are no regex.
        let (selector, tail) = if target.name == "XML" {
            let end = after.find('|').unwrap_or(after.len());
            (RawSelector::Key(after[..end].trim().to_string()), &after[end..])
        } else {
            selector(after, text)?
        };
        target.selector = Some(selector);
        rest = tail;
    }
    Ok((target, rest))
}

fn selector<'a>(text: &'a str, whole: &str) -> Result<(RawSelector, &'a str), ParseError> {
    if let Some(body) = text.strip_prefix('/') {
        let end = closing(body, '/').ok_or_else(|| unterminated(whole))?;
        return Ok((RawSelector::Regex(body[..end].to_string()), &body[end + 1..]));
    }
    if let Some(body) = text.strip_prefix('\'') {
        let end = closing(body, '\'').ok_or_else(|| unterminated(whole))?;
        let inner = &body[..end];
        if let Some(re) = inner.strip_prefix('/').and_then(|s| s.strip_suffix('/')) {
            return Ok((RawSelector::Regex(re.to_string()), &body[end + 1..]));
        }
        return Ok((RawSelector::Key(inner.to_string()), &body[end + 1..]));
    }
    let end = text.find('|').unwrap_or(text.len());
    Ok((RawSelector::Key(text[..end].trim().to_string()), &text[end..]))
}

/// The index of the first unescaped `close` in `text`.
fn closing(text: &str, close: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == close {
            return Some(i);
        }
    }
    None
}

fn unterminated(whole: &str) -> ParseError {
    ParseError::UnterminatedSelector(whole.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Option<RawSelector> {
        Some(RawSelector::Key(s.into()))
    }

    #[test]
    fn splits_targets_with_selectors() {
        let got = parse_targets("ARGS|!ARGS:foo|&TX:x|REQUEST_HEADERS:'User-Agent'").unwrap();
        assert_eq!(got.len(), 4);
        let want =
            RawTarget { exclude: true, count: false, name: "ARGS".into(), selector: key("foo") };
        assert_eq!(got[1], want);
        assert!(got[2].count);
        assert_eq!(got[3].selector, key("User-Agent"));
    }

    #[test]
    fn regex_selector_may_hold_pipes() {
        let got = parse_targets("ARGS:/^(a|b)$/|TX:/^MSC_/").unwrap();
        assert_eq!(got[0].selector, Some(RawSelector::Regex("^(a|b)$".into())));
        assert_eq!(got[1].selector, Some(RawSelector::Regex("^MSC_".into())));
    }

    #[test]
    fn xpath_selector_is_a_key() {
        let got = parse_targets("XML:/*|ARGS:/a").unwrap_err();
        assert_eq!(got, ParseError::UnterminatedSelector("ARGS:/a".into()));
        let got = parse_targets("XML:/*|ARGS").unwrap();
        assert_eq!(got[0].selector, key("/*"));
    }
}
