//! Tests of the prefilter: the set's search, the conditions of regex constructs, and the
//! soundness property (a match implies a candidate) on generated strings, CRS patterns and the
//! CRS regression payloads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod constructs;
mod crs;
mod crs_soundness;
mod sample;
mod set;
mod soundness;

use std::path::Path;

use crate::{CompileContext, Operator};

/// The `@rx` operator exactly as the engine compiles it.
fn rx(pattern: &str) -> Operator {
    let ctx = CompileContext { base_dir: Path::new(".") };
    Operator::compile("rx", pattern, &ctx).unwrap()
}

/// The condition of `pattern` as strings, for readable assertions.
fn lits(pattern: &str) -> Option<Vec<String>> {
    let literals = super::required_literals(pattern)?;
    Some(literals.into_iter().map(|l| String::from_utf8_lossy(&l).into_owned()).collect())
}
