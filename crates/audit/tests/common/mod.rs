//! Helpers shared by the integration tests: run the CLI in-process.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use clap::Parser;
use rampart_audit::{run, AuditArgs};

/// A parser wrapper so tests parse exactly what the binary will.
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    audit: AuditArgs,
}

/// Output of one in-process run.
pub struct Outcome {
    pub code: u8,
    pub out: String,
    pub err: String,
}

impl Outcome {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.out).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", self.out))
    }

    /// Check ids of the JSON findings.
    pub fn checks(&self) -> Vec<String> {
        let json = self.json();
        let findings = json["findings"].as_array().cloned().unwrap_or_default();
        findings.iter().map(|f| f["check"].as_str().unwrap_or("").to_string()).collect()
    }
}

/// Parses `args` like the binary and runs with `stdin` text.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Outcome {
    let mut argv = vec!["audit"];
    argv.extend_from_slice(args);
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return Outcome { code: 2, out: String::new(), err: e.to_string() },
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&cli.audit, &mut stdin.as_bytes(), &mut out, &mut err);
    Outcome {
        code,
        out: String::from_utf8_lossy(&out).into(),
        err: String::from_utf8_lossy(&err).into(),
    }
}

/// Runs with empty stdin.
pub fn run_args(args: &[&str]) -> Outcome {
    run_with_stdin(args, "")
}

/// The crate directory.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root.
pub fn workspace_dir() -> PathBuf {
    crate_dir().join("../..")
}

/// A path as a string for argv.
pub fn arg(path: &Path) -> String {
    path.display().to_string()
}
