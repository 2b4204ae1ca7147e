//! `rampart waf ftw`: the go-ftw regression runner, in-process.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use rampart_waf::ftw::{self, FtwOptions};

/// WAF subcommands.
#[derive(Debug, Subcommand)]
pub enum WafCommand {
    /// Run tests in the go-ftw YAML format against the engine (exit 0 when none fails).
    Ftw(FtwArgs),
}

/// Arguments of `rampart waf ftw`.
#[derive(Debug, Args)]
pub struct FtwArgs {
    /// Rule files, loaded in order (for CRS: the setup file, then rules/*.conf).
    #[arg(long = "rules", required = true, num_args = 1..)]
    rules: Vec<PathBuf>,
    /// A test file, or a directory searched recursively for *.yaml.
    #[arg(long)]
    tests: PathBuf,
    /// Tests known not to pass, with the reason.
    #[arg(long)]
    overrides: Option<PathBuf>,
    /// Only tests whose name (such as 920100-2) matches this regex.
    #[arg(long)]
    filter: Option<String>,
    /// Print every failure with expected and seen rule ids.
    #[arg(long)]
    show_failures: bool,
}

/// Runs a WAF subcommand.
pub fn run(command: &WafCommand) -> ExitCode {
    let WafCommand::Ftw(args) = command;
    let options = FtwOptions {
        rules: args.rules.clone(),
        tests: args.tests.clone(),
        overrides: args.overrides.clone(),
        filter: args.filter.clone(),
        show_failures: args.show_failures,
    };
    let mut stdout = std::io::stdout().lock();
    match ftw::run(&options, &mut stdout) {
        Ok(summary) if summary.failed == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            eprintln!("rampart waf ftw: {error}");
            ExitCode::from(2)
        }
    }
}
