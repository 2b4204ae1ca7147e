#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Every operator in the OWASP CRS v4 rule files (../shared/crs) compiles, with its data
//! files, except those whose parameter holds a macro (compiled by the engine at run time).

mod crs;

use rampart_waf_ops::{CompileContext, Operator};

#[test]
fn every_crs_operator_compiles() {
    let rules_dir = crs::root().join("rules");
    let ctx = CompileContext { base_dir: &rules_dir };
    let mut compiled = 0;
    let mut failures = Vec::new();
    for op in crs::operators(&rules_dir) {
        if op.param.contains("%{") {
            continue;
        }
        match Operator::compile(&op.name, &op.param, &ctx) {
            Ok(_) => compiled += 1,
            Err(e) => failures.push(format!("{} line {}: {e}", op.file, op.line)),
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    // CRS v4.28 has 665 operators without macros; fewer means the extraction broke.
    assert!(compiled >= 660, "only {compiled} operators found");
}
