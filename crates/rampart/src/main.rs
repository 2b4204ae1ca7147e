//! The `rampart` command: `serve`, `check`, `token`, and the tools around them.

mod keys;
mod serve;
mod token;
mod waf;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// rampart: a security gateway and Kubernetes auditor in one binary.
#[derive(Debug, Parser)]
#[command(name = "rampart", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the security gateway.
    Serve(serve::ServeArgs),
    /// Validate a config file without serving (exit 0 when valid, 2 otherwise).
    Check(serve::CheckArgs),
    /// Mint and inspect JWTs.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Audit Kubernetes and Istio manifests (exit 0 clean, 1 findings, 2 usage or input error).
    Audit(rampart_audit::AuditArgs),
    /// WAF tools: run go-ftw regression tests against the engine.
    #[command(subcommand)]
    Waf(waf::WafCommand),
    /// API keys: create, disable, enable (docs/limits.md).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::serve(&args),
        Command::Check(args) => serve::check(&args),
        Command::Token(command) => token::run(&command),
        Command::Audit(mut args) => audit(&mut args),
        Command::Waf(command) => waf::run(&command),
        Command::Keys(command) => keys::run(&command),
    }
}

fn audit(args: &mut rampart_audit::AuditArgs) -> ExitCode {
    use std::io::IsTerminal;

    args.color = std::io::stdout().is_terminal();
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    ExitCode::from(rampart_audit::run(args, &mut stdin, &mut stdout, &mut stderr))
}
