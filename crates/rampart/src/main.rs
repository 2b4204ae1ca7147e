//! The `rampart` command: `serve`, `check`, `token`, and the tools around them.

mod serve;
mod token;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::serve(&args),
        Command::Check(args) => serve::check(&args),
        Command::Token(command) => token::run(&command),
    }
}
