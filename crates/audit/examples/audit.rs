//! A stand-alone `rampart audit` for trying the crate before the main binary wires it:
//! `cargo run -p rampart-audit --example audit -- examples/audit/`.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use rampart_audit::{run, AuditArgs};

/// Audit Kubernetes and Istio manifests.
#[derive(Parser)]
#[command(name = "rampart-audit")]
struct Cli {
    #[command(flatten)]
    audit: AuditArgs,
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    cli.audit.color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let code = run(
        &cli.audit,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
