//! `rampart keys`: create API keys and enable or disable them in the keys file.
//!
//! A running gateway watches the keys file (checked every second, like its config), so keys
//! created, disabled or enabled here take effect without a reload; the admin API
//! (`POST /keys/{id}/disable`) applies at once.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use rampart_limits::{apikeys, CompiledLimits};

/// Manage API keys.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key on a usage plan; prints the key once (only its hash is stored).
    Create(CreateArgs),
    /// Disable a key by id (a running gateway refuses it with 401 within a second).
    Disable(ToggleArgs),
    /// Enable a disabled key by id.
    Enable(ToggleArgs),
}

/// Where the keys file is: `--keys`, or the gateway config's `rate_limiting.api_keys.file`.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// The keys file (YAML, or JSON when it ends in .json).
    #[arg(long)]
    keys: Option<PathBuf>,
    /// The gateway config; names the keys file and defines the usage plans.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// `rampart keys create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The usage plan the key is bound to (defined in the config's rate_limiting.usage_plans).
    #[arg(long)]
    plan: String,
    /// Expiry: a duration from now (30d, 12h) or an RFC 3339 time; never when absent.
    #[arg(long)]
    expires: Option<String>,
    #[command(flatten)]
    files: FileArgs,
}

/// `rampart keys disable|enable ID`.
#[derive(Debug, Args)]
pub struct ToggleArgs {
    /// The key id (`key_...`), as printed by `keys create`.
    id: String,
    #[command(flatten)]
    files: FileArgs,
}

/// Runs a keys command: exit 0 on success, 2 on any error.
pub fn run(command: &KeysCommand) -> ExitCode {
    let result = match command {
        KeysCommand::Create(args) => create(args),
        KeysCommand::Disable(args) => toggle(args, false),
        KeysCommand::Enable(args) => toggle(args, true),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rampart keys: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn create(args: &CreateArgs) -> anyhow::Result<()> {
    let Some(config) = &args.files.config else {
        bail!("--config is required: the usage plans are defined there");
    };
    let (limits, configured) = load_limits(config)?;
    let keys =
        args.files.keys.clone().or(configured).context(
            "no keys file: pass --keys or set rate_limiting.api_keys.file in the config",
        )?;
    let now = time::OffsetDateTime::now_utc();
    let (secret, record) =
        apikeys::create_in_file(&keys, &args.plan, args.expires.as_deref(), &limits, now)?;
    println!("{}", secret.expose());
    eprintln!(
        "created key {} on plan {} in {}; the key above is shown only once",
        record.id,
        record.plan,
        keys.display()
    );
    Ok(())
}

fn toggle(args: &ToggleArgs, enabled: bool) -> anyhow::Result<()> {
    let keys = match (&args.files.keys, &args.files.config) {
        (Some(keys), _) => keys.clone(),
        (None, Some(config)) => load_limits(config)?
            .1
            .context("the config sets no rate_limiting.api_keys.file; pass --keys")?,
        (None, None) => bail!("pass --keys FILE or --config GATEWAY.yaml"),
    };
    apikeys::set_enabled_in_file(&keys, &args.id, enabled)?;
    let state = if enabled { "enabled" } else { "disabled" };
    eprintln!(
        "key {} {state} in {}; running gateways apply it within a second",
        args.id,
        keys.display()
    );
    Ok(())
}

/// The compiled limits of a gateway config and its keys file (relative to the config).
fn load_limits(config: &Path) -> anyhow::Result<(CompiledLimits, Option<PathBuf>)> {
    let parsed = rampart_gateway::config::load(config)?;
    let Some(section) = &parsed.rate_limiting else {
        bail!("{}: the config has no rate_limiting section", config.display());
    };
    let limits = CompiledLimits::compile(section, "rate_limiting.")
        .with_context(|| config.display().to_string())?;
    let base = config.parent().unwrap_or(Path::new("."));
    let keys = limits.api_keys.file.as_ref().map(|file| base.join(file));
    Ok((limits, keys))
}
