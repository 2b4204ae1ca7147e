//! Pure building blocks of rampart's SecLang (ModSecurity v3 compatible) WAF engine.
//!
//! This crate holds no rule or transaction state. It provides:
//! - [`transform`]: the SecLang transformations (`t:urlDecodeUni`, `t:htmlEntityDecode`, ...),
//! - [`operator`]: the SecLang operators (`@rx`, `@pm`, `@detectSQLi`, ...), compiled once,
//! - [`body`]: the request body processors (URLENCODED, JSON, XML, MULTIPART).
//!
//! Semantics follow ModSecurity v3 (libmodsecurity), which the OWASP Core Rule Set targets.

pub mod body;
pub mod operator;
pub mod transform;

pub use operator::{Captures, CompileContext, Operator, OperatorError};
pub use transform::Transform;
