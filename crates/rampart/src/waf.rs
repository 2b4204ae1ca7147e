//! `rampart waf ftw`: the go-ftw regression runner, in-process or end to end through a running
//! `rampart serve`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use rampart_waf::ftw::{self, EndToEndOptions, FtwOptions};

/// WAF subcommands.
#[derive(Debug, Subcommand)]
pub enum WafCommand {
    /// Run tests in the go-ftw YAML format against the engine, or with --target through a
    /// running gateway (exit 0 when none fails).
    Ftw(FtwArgs),
}

/// Arguments of `rampart waf ftw`.
#[derive(Debug, Args)]
pub struct FtwArgs {
    /// Rule files, loaded in order (for CRS: the setup file, then rules/*.conf). In-process
    /// only: with --target the gateway's route config names the rules.
    #[arg(long = "rules", num_args = 1.., required_unless_present = "target")]
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
    /// Send every request over TCP to this plain-HTTP listener of `rampart serve`
    /// (http://HOST:PORT) and judge the gateway's waf events instead of running in-process.
    #[arg(long, requires = "events", conflicts_with = "rules")]
    target: Option<String>,
    /// With --target: the gateway's event file (events.sink: file, events.path).
    #[arg(long, requires = "target")]
    events: Option<PathBuf>,
    /// With --target: seconds to wait for each response and for the run's events.
    #[arg(long, default_value_t = 60, requires = "target")]
    timeout: u64,
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
    let result = match (&args.target, &args.events) {
        (Some(target), Some(events)) => {
            let target = EndToEndOptions {
                target: target.clone(),
                events: events.clone(),
                timeout: Duration::from_secs(args.timeout),
            };
            ftw::run_end_to_end(&options, &target, &mut stdout)
        }
        _ => ftw::run(&options, &mut stdout),
    };
    match result {
        // No test at all is a wrong path or filter, not a pass: a CI job must not go green.
        Ok(summary) if summary.passed + summary.failed == 0 => {
            let (tests, filter) = (args.tests.display(), args.filter.as_deref().unwrap_or(""));
            eprintln!(
                "rampart waf ftw: no test ran: {tests} holds no go-ftw test that is not skipped \
                 (filter: `{filter}`); check --tests and --filter"
            );
            ExitCode::from(2)
        }
        Ok(summary) if summary.failed == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            eprintln!("rampart waf ftw: {error}");
            ExitCode::from(2)
        }
    }
}
