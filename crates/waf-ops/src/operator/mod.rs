//! SecLang operators (`@rx`, `@pm`, `@eq`, ...) with ModSecurity v3 semantics.
//!
//! [`Operator::compile`] does all the expensive work once (regexes, Aho-Corasick automata, IP
//! sets, data files); [`Operator::matches`] then runs without allocating, except to copy
//! capture groups into a caller-owned [`Captures`].

mod captures;
mod datafile;
mod error;
mod injection;
mod ip;
mod numeric;
mod phrase;
pub(crate) mod regex;
mod strings;
mod validate;
mod verify_cc;

use std::path::Path;

pub use captures::{Captures, MAX_CAPTURES};
pub use error::OperatorError;

/// What an operator compiles against.
#[derive(Debug, Clone, Copy)]
pub struct CompileContext<'a> {
    /// Directory that relative data files (`@pmFromFile`, `@ipMatchFromFile`) are read from:
    /// the directory of the rule file that names them.
    pub base_dir: &'a Path,
}

/// A compiled operator, ready to match many inputs.
#[derive(Debug, Clone)]
pub struct Operator {
    name: &'static str,
    kind: Kind,
}

/// The compiled form of each operator.
#[derive(Debug, Clone)]
enum Kind {
    Rx(regex::Rx),
    Phrases(phrase::Phrases),
    Strings(strings::StringOp),
    Numeric(numeric::Numeric),
    Ip(ip::IpSet),
    ByteRange(validate::ByteRange),
    UrlEncoding,
    Utf8Encoding,
    Sqli,
    Xss,
    VerifyCc(verify_cc::VerifyCc),
    Always(bool),
}

/// Canonical names of the operators this crate knows, for case-insensitive lookup.
const NAMES: &[&str] = &[
    "rx",
    "pm",
    "pmf",
    "pmFromFile",
    "streq",
    "contains",
    "containsWord",
    "beginsWith",
    "endsWith",
    "within",
    "strmatch",
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "ipMatch",
    "ipMatchF",
    "ipMatchFromFile",
    "validateByteRange",
    "validateUrlEncoding",
    "validateUtf8Encoding",
    "detectSQLi",
    "detectXSS",
    "unconditionalMatch",
    "noMatch",
    "validateDTD",
    "validateSchema",
    "verifyCC",
    "verifyCPF",
    "verifySSN",
    "verifySVNR",
    "geoLookup",
    "gsbLookup",
    "rbl",
    "inspectFile",
    "fuzzyHash",
    "validateHash",
];

impl Operator {
    /// `name` without '@' (case-insensitive); `param` already macro-expanded by the engine
    /// (the engine compiles at load when param has no %{...}, and at run time, cached,
    /// otherwise).
    pub fn compile(
        name: &str,
        param: &str,
        ctx: &CompileContext<'_>,
    ) -> Result<Operator, OperatorError> {
        let canonical = NAMES
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
            .copied()
            .ok_or_else(|| OperatorError::Unknown { name: name.to_string() })?;
        let kind = compile_kind(canonical, param, ctx)?;
        Ok(Operator { name: canonical, kind })
    }

    /// Negation ('!') is applied by the engine, not here.
    ///
    /// When `captures` is given, it is cleared and then filled for operators that capture
    /// (see [`Operator::supports_capture`]) when the input matches.
    pub fn matches(&self, input: &[u8], mut captures: Option<&mut Captures>) -> bool {
        if let Some(c) = captures.as_deref_mut() {
            c.clear();
        }
        match &self.kind {
            Kind::Rx(rx) => rx.matches(input, captures),
            Kind::Phrases(p) => p.matches(input, captures),
            Kind::Strings(s) => s.matches(input),
            Kind::Numeric(n) => n.matches(input),
            Kind::Ip(set) => set.contains_text(input),
            Kind::ByteRange(r) => r.has_invalid(input),
            Kind::UrlEncoding => validate::url_encoding_invalid(input),
            Kind::Utf8Encoding => validate::utf8_invalid(input),
            Kind::Sqli => injection::detect_sqli(input, captures),
            Kind::Xss => injection::detect_xss(input, captures),
            Kind::VerifyCc(v) => v.matches(input, captures),
            Kind::Always(result) => *result,
        }
    }

    /// Whether a match can fill [`Captures`], as in ModSecurity v3: `@rx` its groups, `@pm`
    /// (and `@pmFromFile`) the phrase found, `@detectSQLi` the fingerprint, `@detectXSS` the
    /// input, `@verifyCC` the card number. Other operators leave `TX:0` alone.
    pub fn supports_capture(&self) -> bool {
        matches!(
            self.kind,
            Kind::Rx(_) | Kind::Phrases(_) | Kind::Sqli | Kind::Xss | Kind::VerifyCc(_)
        )
    }

    /// A necessary condition for a match, for the engine's prefilter: literals one of which
    /// (ignoring ASCII case) every input this operator matches contains. None when there is
    /// no usable condition; the operator must then run on every value. Only `@rx` and
    /// `@pm`/`@pmFromFile` give one.
    pub fn required_literals(&self) -> Option<Vec<Vec<u8>>> {
        match &self.kind {
            Kind::Rx(rx) => rx.required_literals(),
            Kind::Phrases(p) => p.required_literals(),
            _ => None,
        }
    }

    /// The canonical operator name, without `@` (for logs and `MATCHED_VAR` messages).
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// Compiles one operator by canonical name.
fn compile_kind(
    name: &'static str,
    param: &str,
    ctx: &CompileContext<'_>,
) -> Result<Kind, OperatorError> {
    let kind = match name {
        "rx" => Kind::Rx(regex::Rx::compile(param)?),
        "pm" => Kind::Phrases(phrase::Phrases::from_param(param)),
        "pmf" | "pmFromFile" => Kind::Phrases(phrase::Phrases::from_files(param, ctx)?),
        "streq" | "contains" | "containsWord" | "beginsWith" | "endsWith" | "within"
        | "strmatch" => Kind::Strings(strings::StringOp::new(name, param)),
        "eq" | "ne" | "gt" | "ge" | "lt" | "le" => {
            Kind::Numeric(numeric::Numeric::new(name, param))
        }
        "ipMatch" => Kind::Ip(ip::IpSet::from_param(param)?),
        "ipMatchF" | "ipMatchFromFile" => Kind::Ip(ip::IpSet::from_files(param, ctx)?),
        "validateByteRange" => Kind::ByteRange(validate::ByteRange::parse(param)?),
        "validateUrlEncoding" => Kind::UrlEncoding,
        "validateUtf8Encoding" => Kind::Utf8Encoding,
        "detectSQLi" => Kind::Sqli,
        "detectXSS" => Kind::Xss,
        "verifyCC" => Kind::VerifyCc(verify_cc::VerifyCc::compile(param)?),
        "unconditionalMatch" => Kind::Always(true),
        "noMatch" => Kind::Always(false),
        other => return Err(OperatorError::Unsupported { name: other }),
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(name: &str, param: &str) -> Operator {
        let ctx = CompileContext { base_dir: Path::new(".") };
        match Operator::compile(name, param, &ctx) {
            Ok(op) => op,
            Err(e) => panic!("compile {name} {param}: {e}"),
        }
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(op("RX", "a").name(), "rx");
        assert_eq!(op("unconditionalmatch", "").name(), "unconditionalMatch");
    }

    #[test]
    fn unknown_and_unsupported() {
        let ctx = CompileContext { base_dir: Path::new(".") };
        let err = Operator::compile("bogus", "", &ctx).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("unknown operator '@bogus'"));
        let err = Operator::compile("rbl", "x", &ctx).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("operator '@rbl' is not supported by rampart"));
    }

    #[test]
    fn constant_operators() {
        assert!(op("unconditionalMatch", "").matches(b"", None));
        assert!(!op("noMatch", "").matches(b"x", None));
    }
}
