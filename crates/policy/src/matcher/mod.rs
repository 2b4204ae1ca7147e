//! Prepared matchers: Istio's string match forms, CIDR blocks and path templates.

mod glob;
mod ip;
mod path;
mod string;

pub(crate) use glob::Glob;
pub(crate) use ip::parse_cidr;
pub(crate) use path::PathMatch;
pub(crate) use string::{StringMatch, Wildcard};
