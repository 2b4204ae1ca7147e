//! Splitting and decoding a query string into (name, value) pairs.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// Why a query string was refused before any parameter was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QueryError {
    /// More pairs than the limit.
    TooManyPairs(usize),
    /// A name or value does not decode to UTF-8.
    BadEncoding,
}

impl QueryError {
    /// The message for the client.
    pub(crate) fn message(&self) -> String {
        match self {
            Self::TooManyPairs(max) => format!("query string has more than {max} parameters"),
            Self::BadEncoding => "query string does not decode to valid UTF-8".to_owned(),
        }
    }
}

/// Decoded query pairs, in order; names may repeat.
pub(crate) type Pairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// Splits `query` on `&`, decodes `+` and percent escapes, and keeps at most `max_pairs`.
pub(crate) fn parse(query: &str, max_pairs: usize) -> Result<Pairs<'_>, QueryError> {
    let mut pairs = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        if pairs.len() == max_pairs {
            return Err(QueryError::TooManyPairs(max_pairs));
        }
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((decode(name)?, decode(value)?));
    }
    Ok(pairs)
}

fn decode(text: &str) -> Result<Cow<'_, str>, QueryError> {
    if !text.contains(['%', '+']) {
        return Ok(Cow::Borrowed(text));
    }
    let spaced = text.replace('+', " ");
    let decoded = percent_decode_str(&spaced).decode_utf8().map_err(|_| QueryError::BadEncoding)?;
    Ok(Cow::Owned(decoded.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded() {
        let pairs = parse("a=1&b=x+y%21&&c&a=2", 10).unwrap();
        let flat: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (&**n, &**v)).collect();
        assert_eq!(flat, [("a", "1"), ("b", "x y!"), ("c", ""), ("a", "2")]);
    }

    #[test]
    fn limits_and_bad_encoding_are_refused() {
        assert_eq!(parse("a&b&c", 2), Err(QueryError::TooManyPairs(2)));
        assert_eq!(parse("a=%ff", 2), Err(QueryError::BadEncoding));
    }
}
