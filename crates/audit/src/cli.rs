//! The `rampart audit` command line: arguments and the run function the binary calls.

use std::io::{Read, Write};
use std::path::PathBuf;

use crate::engine::{audit, AuditOptions};
use crate::finding::{PssLevel, PssVersion, Severity};
use crate::manifest::{load_paths, InputProblem, Limits};
use crate::output::{json, sarif, text, Format, Summary};
use crate::reach;
use crate::suppress::SuppressionConfig;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage or input error (nothing could be read, bad suppression file ...).
pub const EXIT_ERROR: u8 = 2;

/// Audit Kubernetes and Istio manifests for security problems.
#[derive(Debug, Clone, clap::Args)]
pub struct AuditArgs {
    /// Evaluate only the Pod Security controls of this level (restricted includes
    /// baseline); without it every check runs, Pod Security at restricted.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub pss_level: Option<PssLevel>,

    /// Pod Security Admission version to evaluate: "latest" or "v1.N".
    #[arg(long, value_name = "v1.N", default_value = "latest")]
    pub pss_version: PssVersion,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = Severity::High)]
    pub fail_on: Severity,

    /// Suppression file (YAML, see docs/audit.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print notes about skipped documents, kinds and suppressions to stderr, and a
    /// per-namespace NetworkPolicy summary after text output.
    #[arg(short, long)]
    pub verbose: bool,

    /// Manifest files or directories (searched for .yaml, .yml, .json); "-" reads stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Colour text output; the binary sets this when stdout is a terminal.
    #[arg(skip)]
    pub color: bool,
}

/// Runs an audit and writes the report to `out`, problems to `err`; returns the exit code.
pub fn run(args: &AuditArgs, stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let suppressions = match &args.config {
        Some(path) => match SuppressionConfig::load(path) {
            Ok(config) => config,
            Err(e) => return fail(err, &e.to_string()),
        },
        None => SuppressionConfig::default(),
    };
    let loaded = load_paths(&args.paths, stdin, &Limits::default());
    report_problems(err, "error", &loaded.errors);
    if loaded.files_read == 0 {
        return fail(err, "no manifest could be read");
    }

    let options =
        AuditOptions { pss_level: args.pss_level, pss_version: args.pss_version, suppressions };
    let report = audit(&loaded.resources, &options);
    if args.verbose {
        report_problems(err, "note", &loaded.notes);
        report_problems(err, "note", &report.notes);
    }
    let summary = Summary::new(
        &report,
        loaded.files_read,
        loaded.errors,
        args.fail_on,
        args.pss_level,
        args.pss_version,
    );
    let rendered = match args.format {
        Format::Text if args.verbose => {
            let network = reach::render_text(&reach::summarise(&loaded.resources));
            let findings = text::render(&report.findings, &summary, args.color);
            Ok(format!(
                "{findings}\nnetwork policy summary (who may reach each workload):\n{network}"
            ))
        }
        Format::Text => Ok(text::render(&report.findings, &summary, args.color)),
        Format::Json => {
            json::render(&report.findings, &summary, &reach::summarise(&loaded.resources))
        }
        Format::Sarif => sarif::render(&report.findings),
    };
    let written = rendered
        .map_err(|e| e.to_string())
        .and_then(|s| out.write_all(s.as_bytes()).map_err(|e| e.to_string()));
    if let Err(e) = written {
        return fail(err, &format!("cannot write the report: {e}"));
    }
    if summary.failing > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn fail(err: &mut dyn Write, message: &str) -> u8 {
    let _ = writeln!(err, "rampart audit: error: {message}");
    EXIT_ERROR
}

fn report_problems(err: &mut dyn Write, label: &str, problems: &[InputProblem]) {
    for p in problems {
        let place = match p.line {
            Some(line) => format!("{}:{line}", p.file),
            None => p.file.clone(),
        };
        let _ = writeln!(err, "rampart audit: {label}: {place}: {}", p.message);
    }
}
