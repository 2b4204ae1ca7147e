#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! docs/audit.md carries the generated check reference; this test keeps it current.
//! Regenerate with `UPDATE_AUDIT_DOCS=1 cargo test -p rampart-audit --test docs`.

mod common;

use rampart_audit::output::docs::{render_reference, BEGIN_MARKER, END_MARKER};

#[test]
fn docs_reference_is_up_to_date() {
    let path = common::workspace_dir().join("docs/audit.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find(BEGIN_MARKER).expect("begin marker") + BEGIN_MARKER.len();
    let end = text.find(END_MARKER).expect("end marker");
    let generated = format!("\n{}\n", render_reference());
    if text[start..end] == generated {
        return;
    }
    if std::env::var_os("UPDATE_AUDIT_DOCS").is_some() {
        let updated = format!("{}{}{}", &text[..start], generated, &text[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!(
        "docs/audit.md is stale: run UPDATE_AUDIT_DOCS=1 cargo test -p rampart-audit --test docs"
    );
}

#[test]
fn every_check_doc_has_all_headings() {
    for check in rampart_audit::checks::all() {
        let doc = &check.doc;
        for (heading, text) in
            [("what", doc.what), ("why", doc.why), ("example", doc.example), ("fix", doc.fix)]
        {
            assert!(text.len() > 10, "{}: {heading} is too short", check.id);
        }
        assert!(!check.remediation.is_empty() && !check.summary.is_empty(), "{}", check.id);
    }
}
