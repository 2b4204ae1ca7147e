//! Pure building blocks of rampart's SecLang (ModSecurity v3 compatible) WAF engine.
//!
//! This crate holds no rule or transaction state. It provides:
//! - [`transform`]: the SecLang transformations (`t:urlDecodeUni`, `t:htmlEntityDecode`, ...),
//! - [`operator`]: the SecLang operators (`@rx`, `@pm`, `@detectSQLi`, ...), compiled once,
//! - [`body`]: the request body processors (URLENCODED, JSON, XML, MULTIPART).
//! - [`prefilter`]: literal conditions that prove an `@rx` rule cannot match a value.
//!
//! Semantics follow ModSecurity v3, which the OWASP Core Rule Set targets, down to its quirks
//! where a rule can observe them (each is documented where it is implemented). Where
//! libmodsecurity releases differ, rampart follows 3.0.9 (the reference nginx setup), except
//! where a later release fixed a bug that CRS's tests expose (multipart part-header lines
//! without their CRLF, header-name validation). Every operator in CRS v4.28 compiles (`tests/crs_operators.rs`), and
//! `@detectSQLi`/`@detectXSS` agree with every CRS regression test of rules 942100 and 941100
//! (`tests/libinjection_corpus.rs`).
//!
//! # Known gaps
//! - Operators not implemented (compile returns [`OperatorError::Unsupported`], so a rule
//!   using one is reported at load, never skipped): `@validateDTD`, `@validateSchema`,
//!   `@verifyCPF`, `@verifySSN`, `@verifySVNR`, `@geoLookup`, `@gsbLookup`, `@rbl`,
//!   `@inspectFile`, `@fuzzyHash`, `@validateHash`. CRS v4 uses none of them.
//! - `SecUnicodeMapFile` is not supported: `%uXXXX` decodes to its low byte (plus the
//!   full-width ASCII mapping), which is ModSecurity's behaviour without a map file.
//! - `@rx` runs on the linear-time `regex` crate: a pattern needing backreferences,
//!   lookaround, atomic groups or possessive quantifiers fails to compile with
//!   [`OperatorError::InvalidRegex`] naming the pattern (no CRS v4.28 pattern does).
//! - XML: entities declared in a DTD are never expanded (kept as `&name;`); non-UTF-8
//!   documents are not transcoded; `SecParseXmlIntoArgs` is not provided.
//! - Multipart: file contents are not kept (no `FILES_TMP_CONTENT`), and line breaks inside a
//!   multi-line form field are kept where ModSecurity v3 drops them (a ModSecurity bug).
//! - JSON error texts are rampart's own, not yajl's (REQBODY_ERROR_MSG differs in wording).

pub mod body;
pub mod operator;
pub mod prefilter;
pub mod transform;

pub use operator::{Captures, CompileContext, Operator, OperatorError};
pub use prefilter::{required_literals, CandidateBits, PrefilterSet, PrefilterSetBuilder};
pub use transform::Transform;
