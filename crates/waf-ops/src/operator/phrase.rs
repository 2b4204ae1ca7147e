//! `@pm`, `@pmf` and `@pmFromFile`: case-insensitive phrase matching with Aho-Corasick.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::{datafile, Captures, CompileContext, OperatorError};

/// A compiled set of phrases; an empty set never matches.
#[derive(Debug, Clone)]
pub(super) struct Phrases {
    automaton: Option<AhoCorasick>,
    /// The phrases, for [`Phrases::required_literals`].
    phrases: Vec<Vec<u8>>,
}

/// Shortest phrase worth a prefilter condition: shorter ones occur in most values anyway.
const MIN_CONDITION_LEN: usize = 3;

impl Phrases {
    /// `@pm` parameter: whitespace-separated phrases, after ModSecurity's content parsing
    /// (surrounding quotes, `|hex|` bytes and `\` escapes of `:;\"`).
    pub(super) fn from_param(param: &str) -> Phrases {
        let content = parse_content(param.as_bytes());
        let phrases = content
            .split(|b| b.is_ascii_whitespace())
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        Phrases::build(phrases)
    }

    /// `@pmFromFile` parameter: one or more data files, one phrase per line.
    pub(super) fn from_files(
        param: &str,
        ctx: &CompileContext<'_>,
    ) -> Result<Phrases, OperatorError> {
        Ok(Phrases::build(datafile::read_lines("pmFromFile", param, ctx)?))
    }

    fn build(phrases: Vec<Vec<u8>>) -> Phrases {
        if phrases.is_empty() {
            return Phrases { automaton: None, phrases };
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&phrases)
            .ok();
        Phrases { automaton, phrases }
    }

    /// The phrases themselves: a match contains one of them (ignoring ASCII case), which is
    /// exactly the prefilter's condition. None when a phrase is too short to be selective or
    /// the phrases did not compile (then nothing matches and no condition is needed).
    pub(super) fn required_literals(&self) -> Option<Vec<Vec<u8>>> {
        self.automaton.as_ref()?;
        if self.phrases.iter().any(|p| p.len() < MIN_CONDITION_LEN) {
            return None;
        }
        Some(self.phrases.clone())
    }

    /// Whether any phrase occurs in `input`; the first one found is capture group 0.
    pub(super) fn matches(&self, input: &[u8], captures: Option<&mut Captures>) -> bool {
        let Some(ac) = &self.automaton else {
            return false;
        };
        let Some(found) = ac.find(input) else {
            return false;
        };
        if let Some(c) = captures {
            c.set(0, &input[found.range()]);
        }
        true
    }
}

/// ModSecurity's `@pm` content parsing; on a malformed `|hex|` or escape, the parameter is
/// used as written (as ModSecurity does).
fn parse_content(param: &[u8]) -> Vec<u8> {
    let Some(start) = param.iter().position(|&b| b != b' ' && b != b'\t') else {
        return param.to_vec();
    };
    let mut body = &param[start..];
    if body.len() >= 2 && body[0] == b'"' && body[body.len() - 1] == b'"' {
        body = &body[1..body.len() - 1];
    }
    if body.is_empty() {
        return param.to_vec();
    }
    decode_content(body).unwrap_or_else(|| param.to_vec())
}

fn decode_content(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let (mut hex, mut escaped) = (false, false);
    let mut pending: Option<u8> = None;
    for &c in body {
        if c == b'|' {
            hex = !hex;
        } else if !escaped && c == b'\\' {
            escaped = true;
        } else if hex {
            let digit = char::from(c).to_digit(16)? as u8;
            match pending.take() {
                Some(high) => out.push(high * 16 + digit),
                None => pending = Some(digit),
            }
        } else if escaped {
            if !matches!(c, b':' | b';' | b'\\' | b'"') {
                return None;
            }
            out.push(c);
            escaped = false;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_phrases() {
        let pm = Phrases::from_param("UNION select");
        let mut caps = Captures::new();
        assert!(pm.matches(b"1 UnIoN 2", Some(&mut caps)));
        assert_eq!(caps.get(0), Some(&b"UnIoN"[..]));
        assert!(pm.matches(b"xSELECTx", None));
        assert!(!pm.matches(b"nothing", None));
    }

    #[test]
    fn content_syntax() {
        assert_eq!(parse_content(b"\"a b\""), b"a b");
        assert_eq!(parse_content(b"|4142|c"), b"ABc");
        assert_eq!(parse_content(b"|41 42|"), b"|41 42|");
        assert_eq!(parse_content(b"a\\;b"), b"a;b");
        assert_eq!(parse_content(b"a\\qb"), b"a\\qb");
        assert_eq!(parse_content(b"|4G|"), b"|4G|");
        assert!(Phrases::from_param("|41|b").matches(b"xaBy", None));
    }

    #[test]
    fn empty_never_matches() {
        assert!(!Phrases::from_param("   ").matches(b"   ", None));
    }
}
