//! JSON body processor: every scalar becomes an argument named as ModSecurity v3 names it.
//!
//! Names follow ModSecurity v3 (its yajl callbacks): the top level is `json`; object members
//! append `.key`; array elements append `.array_N`; an empty key is `empty-key`. So
//! `{"a":{"b":[1,{"c":2}]}}` gives `json.a.b.array_0` = `1` and `json.a.b.array_1.c` = `2`.
//! Values are the raw text for numbers, `true`/`false`, and the empty string for `null`.
//!
//! The parser is iterative (no recursion), strict RFC 8259 like yajl (no comments, no
//! trailing data, UTF-8 validated), and bounded by [`JsonLimits`].

mod parser;

use super::BodyError;

/// Caps for the JSON processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    /// Deepest nesting of objects and arrays (SecRequestBodyJsonDepthLimit; ModSecurity's
    /// default is 10000).
    pub max_depth: usize,
    /// Most arguments to produce (what is left of SecArgumentsLimit for this request);
    /// one more is an error, as in ModSecurity.
    pub max_args: usize,
    /// Most bytes of argument names and values together: deep nesting repeats long names
    /// for every value, so this bounds memory whatever the body's shape.
    pub max_total_bytes: usize,
}

impl Default for JsonLimits {
    fn default() -> Self {
        JsonLimits { max_depth: 10_000, max_args: 1_000, max_total_bytes: 16 * 1024 * 1024 }
    }
}

/// What the JSON processor produced: the arguments parsed before any error, and the error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonBody {
    /// `(name, value)` pairs in document order.
    pub args: Vec<(String, Vec<u8>)>,
    /// Why parsing stopped early, if it did (the engine sets REQBODY_ERROR).
    pub error: Option<BodyError>,
}

/// Parses a JSON body into arguments; any error discards them (see [`parse_json_partial`] to
/// keep the arguments found before the error, as ModSecurity does). An empty body gives no
/// arguments and no error, as in ModSecurity.
pub fn parse_json(body: &[u8], limits: &JsonLimits) -> Result<Vec<(String, Vec<u8>)>, BodyError> {
    let parsed = parse_json_partial(body, limits);
    match parsed.error {
        Some(e) => Err(e),
        None => Ok(parsed.args),
    }
}

/// Parses a JSON body, keeping the arguments produced before an error.
pub fn parse_json_partial(body: &[u8], limits: &JsonLimits) -> JsonBody {
    if body.is_empty() {
        return JsonBody::default();
    }
    parser::Parser::new(body, limits).run()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(body: &str) -> Vec<(String, String)> {
        let parsed = parse_json(body.as_bytes(), &JsonLimits::default());
        let parsed = parsed.unwrap_or_else(|e| panic!("{body}: {e}"));
        parsed.into_iter().map(|(n, v)| (n, String::from_utf8_lossy(&v).into_owned())).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn names_like_modsecurity() {
        assert_eq!(
            args(r#"{"a":1,"b":{"c":"x","d":[true,null,{"e":-1.5e3}]},"":"k"}"#),
            pairs(&[
                ("json.a", "1"),
                ("json.b.c", "x"),
                ("json.b.d.array_0", "true"),
                ("json.b.d.array_1", ""),
                ("json.b.d.array_2.e", "-1.5e3"),
                ("json.empty-key", "k"),
            ])
        );
        assert_eq!(
            args(r#"[1,[2,3],{"a":4}]"#),
            pairs(&[
                ("json.array_0", "1"),
                ("json.array_1.array_0", "2"),
                ("json.array_1.array_1", "3"),
                ("json.array_2.a", "4"),
            ])
        );
        assert_eq!(args(r#""top""#), pairs(&[("json", "top")]));
        assert_eq!(args(""), Vec::new());
    }

    #[test]
    fn decodes_strings() {
        assert_eq!(
            args(r#"{"k\u00e9":"a\"b\\c\/\n\u003c\ud83d\ude00"}"#),
            pairs(&[("json.k\u{e9}", "a\"b\\c/\n<\u{1f600}")])
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "{",
            "{\"a\"}",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1 2",
            "[1]x",
            "\"\\x\"",
            "'a'",
            "{\"a\":tru}",
            "\"\u{1}\"",
            "/*c*/1",
            "[\"\\ud800\"]",
            "-",
            "1.",
            "1e",
            "  ",
        ] {
            assert!(parse_json(bad.as_bytes(), &JsonLimits::default()).is_err(), "{bad:?}");
        }
        assert!(parse_json(b"\"\xff\"", &JsonLimits::default()).is_err());
    }

    #[test]
    fn keeps_arguments_before_an_error() {
        let parsed = parse_json_partial(br#"{"a":"1","b":"2","c":}"#, &JsonLimits::default());
        assert_eq!(parsed.args.len(), 2);
        let err = parsed.error.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err, "JSON parsing error: expected a value at byte 21");
    }

    #[test]
    fn depth_and_count_limits() {
        let limits = JsonLimits { max_depth: 3, ..JsonLimits::default() };
        assert!(parse_json(b"[[[1]]]", &limits).is_ok());
        let err = parse_json(b"[[[[1]]]]", &limits).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("JSON parsing error: nesting deeper than 3 levels at byte 3")
        );
        let limits = JsonLimits { max_args: 2, ..JsonLimits::default() };
        assert!(parse_json(b"[1,2]", &limits).is_ok());
        let err = parse_json(b"[1,2,3]", &limits).err();
        assert_eq!(err, Some(BodyError::TooManyArguments { limit: 2 }));
        let deep = "[".repeat(100_000);
        assert!(parse_json(deep.as_bytes(), &JsonLimits::default()).is_err());
    }

    #[test]
    fn total_size_limit() {
        let limits = JsonLimits { max_total_bytes: 20, ..JsonLimits::default() };
        assert!(parse_json(br#"{"a":"0123456789"}"#, &limits).is_ok());
        assert!(parse_json(br#"{"a":"0123456789","b":"0123456789"}"#, &limits).is_err());
    }
}
