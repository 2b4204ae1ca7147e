//! `rampart serve` and `rampart check`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use tracing_subscriber::EnvFilter;

/// Arguments of `rampart serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The YAML config file.
    #[arg(long, short)]
    config: PathBuf,
    /// Operational log format (security events go to the configured sink).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// Arguments of `rampart check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The YAML config file.
    #[arg(long, short)]
    config: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Runs the gateway until SIGTERM or SIGINT.
pub fn serve(args: &ServeArgs) -> ExitCode {
    init_logs(args.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("rampart: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };

    let options = rampart_gateway::StartOptions::new(&args.config);
    match runtime.block_on(rampart_gateway::run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rampart: {error}");
            ExitCode::from(2)
        }
    }
}

/// Validates a config file: parses and compiles it exactly as `serve` would, binding nothing.
pub fn check(args: &CheckArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("rampart: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let metrics = std::sync::Arc::new(rampart_gateway::metrics::Metrics::new());
    let result = runtime.block_on(async {
        let config = rampart_gateway::config::load(&args.config)?;
        rampart_gateway::config::compile(config, &args.config, &metrics)
    });
    match result {
        Ok(snapshot) => {
            println!(
                "{}: ok ({} listeners, {} routes, {} upstreams)",
                args.config.display(),
                snapshot.config.listeners.len(),
                snapshot.routes.len(),
                snapshot.config.upstreams.len()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("rampart: config error: {error}");
            ExitCode::from(2)
        }
    }
}

fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_env("RAMPART_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
