#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Mutated manifests never panic the loader, the checks or the renderers.
//! A deterministic stand-in for a fuzz target (no nightly toolchain needed).

use std::fs;
use std::path::Path;

use rampart_audit::engine::{audit, AuditOptions};
use rampart_audit::manifest::{load_str, Limits};
use rampart_audit::output::{json, sarif, text, Summary};
use rampart_audit::{PssVersion, Severity};

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] =
    &["[", "]", "{", "}", ":", "- ", "\n", "&a ", "*a", "'", "\"", "---\n", "null", "\t", "  "];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(3) {
            0 => bytes.truncate(at),
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            _ => {
                if at < bytes.len() {
                    bytes.remove(at);
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn exercise(text: &str, with_sarif: bool) {
    let loaded = load_str("mutated.yaml", text, &Limits::default());
    let report = audit(&loaded.resources, &AuditOptions::default());
    let summary = Summary::new(&report, 1, loaded.errors, Severity::High, None, PssVersion::LATEST);
    json::render(&report.findings, &summary, &[]).unwrap();
    if with_sarif {
        sarif::render(&report.findings).unwrap();
    }
    text::render(&report.findings, &summary, false);
}

#[test]
fn mutated_fixtures_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks");
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut runs = 0;
    for dir in fs::read_dir(root).unwrap() {
        for file in fs::read_dir(dir.unwrap().path()).unwrap() {
            let text = fs::read_to_string(file.unwrap().path()).unwrap();
            for _ in 0..8 {
                exercise(&mutate(&text, &mut rng), runs % 16 == 0);
                runs += 1;
            }
        }
    }
    assert!(runs > 800, "{runs}");
}
