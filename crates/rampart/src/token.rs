//! `rampart token mint` and `rampart token inspect`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand};
use rampart_auth::{JwtAlgorithm, MintRequest, SigningKeySource, UNVERIFIED_NOTICE};
use serde_json::{Map, Value};

/// Token subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a signed JWT (for tests, and for services calling each other).
    Mint(MintArgs),
    /// Decode a JWT without verifying it, and say why a provider would deny it.
    Inspect(InspectArgs),
    /// Print the JWKS (public key) of a PEM private key, for a provider's `jwks_file`.
    Jwks(JwksArgs),
}

/// Arguments of `rampart token mint`.
#[derive(Debug, Args)]
pub struct MintArgs {
    /// The `iss` claim.
    #[arg(long)]
    issuer: String,
    /// The `aud` claim; repeat for several audiences.
    #[arg(long = "audience", required = true)]
    audiences: Vec<String>,
    /// The `sub` claim.
    #[arg(long)]
    subject: Option<String>,
    /// A scope to grant; repeat, or separate with spaces.
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// Lifetime, such as 300s, 5m or 1h.
    #[arg(long, default_value = "5m")]
    ttl: String,
    /// An extra claim as NAME=VALUE (VALUE parsed as JSON when it is JSON, else a string).
    #[arg(long = "claim")]
    claims: Vec<String>,
    /// The `kid` header.
    #[arg(long)]
    kid: Option<String>,
    /// Signature algorithm: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384, EdDSA.
    /// Default: from the --key (RSA: RS256, EC P-256: ES256, P-384: ES384, Ed25519: EdDSA),
    /// HS256 with --secret-env.
    #[arg(long = "alg")]
    algorithm: Option<String>,
    /// Environment variable holding the HMAC secret (HS* algorithms).
    #[arg(long, conflicts_with = "key")]
    secret_env: Option<String>,
    /// PEM private key file (RS*, PS*, ES*, EdDSA).
    #[arg(long)]
    key: Option<PathBuf>,
}

/// Arguments of `rampart token jwks`.
#[derive(Debug, Args)]
pub struct JwksArgs {
    /// PEM private key file (PKCS#8; PKCS#1 also works for RSA).
    #[arg(long)]
    key: PathBuf,
    /// The `kid` to give the key (tokens minted with the same --kid select it).
    #[arg(long)]
    kid: Option<String>,
    /// The algorithm; default from the key type, as for `mint`.
    #[arg(long = "alg")]
    algorithm: Option<String>,
}

/// Arguments of `rampart token inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The token; `-` or absent reads it from standard input.
    token: Option<String>,
    /// A gateway config whose provider should judge the token.
    #[arg(long, requires = "provider")]
    config: Option<PathBuf>,
    /// The provider (a key of `jwt_providers`) to judge the token with.
    #[arg(long, requires = "config")]
    provider: Option<String>,
}

/// Runs a token subcommand.
pub fn run(command: &TokenCommand) -> ExitCode {
    let result = match command {
        TokenCommand::Mint(args) => mint(args),
        TokenCommand::Inspect(args) => inspect(args),
        TokenCommand::Jwks(args) => jwks(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("rampart token: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn mint(args: &MintArgs) -> anyhow::Result<ExitCode> {
    let key = match (&args.secret_env, &args.key) {
        (Some(var), None) => SigningKeySource::HmacEnv(var.clone()),
        (None, Some(path)) => SigningKeySource::PemFile(path.clone()),
        _ => bail!("give --secret-env VAR (HS*) or --key FILE.pem (RS*, PS*, ES*, EdDSA)"),
    };
    let algorithm = match (&args.algorithm, &args.key) {
        (Some(name), _) => algorithm_named(name)?,
        (None, Some(path)) => key_algorithm(&read_key(path)?, path)?,
        (None, None) => JwtAlgorithm::HS256,
    };
    let ttl = rampart_gateway::config::duration::parse_duration(&args.ttl)
        .map_err(|message| anyhow!("--ttl: {message}"))?;

    let request = MintRequest {
        issuer: args.issuer.clone(),
        audiences: args.audiences.clone(),
        subject: args.subject.clone(),
        scopes: args.scopes.iter().flat_map(|s| s.split_whitespace()).map(str::to_owned).collect(),
        ttl,
        extra_claims: parse_claims(&args.claims)?,
        kid: args.kid.clone(),
        algorithm,
        key,
    };
    println!("{}", rampart_auth::mint(&request)?);
    Ok(ExitCode::SUCCESS)
}

fn jwks(args: &JwksArgs) -> anyhow::Result<ExitCode> {
    let pem = read_key(&args.key)?;
    let algorithm = match &args.algorithm {
        Some(name) => algorithm_named(name)?,
        None => key_algorithm(&pem, &args.key)?,
    };
    if algorithm.is_hmac() {
        bail!("--alg {algorithm}: a JWKS holds public keys; HMAC secrets are never published");
    }

    let document = rampart_auth::public_jwks(&pem, algorithm, args.kid.as_deref())
        .with_context(|| args.key.display().to_string())?;
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(ExitCode::SUCCESS)
}

fn algorithm_named(name: &str) -> anyhow::Result<JwtAlgorithm> {
    JwtAlgorithm::from_name(name).ok_or_else(|| {
        anyhow!("unknown algorithm `{name}`; use HS256/384/512, RS*, PS*, ES256, ES384 or EdDSA")
    })
}

/// The algorithm a key file's type implies (`--alg` absent).
fn key_algorithm(pem: &[u8], path: &Path) -> anyhow::Result<JwtAlgorithm> {
    rampart_auth::infer_algorithm(pem).with_context(|| {
        format!("{}: cannot tell the algorithm from the key; give --alg", path.display())
    })
}

fn read_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read key file {}", path.display()))
}

fn parse_claims(pairs: &[String]) -> anyhow::Result<Map<String, Value>> {
    let mut claims = Map::new();
    for pair in pairs {
        let (name, value) =
            pair.split_once('=').ok_or_else(|| anyhow!("--claim `{pair}`: write NAME=VALUE"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        claims.insert(name.to_owned(), value);
    }
    Ok(claims)
}

fn inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let token = match args.token.as_deref() {
        Some(token) if token != "-" => token.to_owned(),
        _ => {
            let mut text = String::new();
            std::io::stdin().take(1 << 20).read_to_string(&mut text).context("reading stdin")?;
            text.trim().to_owned()
        }
    };

    let inspection =
        rampart_auth::inspect(&token).map_err(|error| anyhow!("{}", error.description()))?;
    eprintln!("{UNVERIFIED_NOTICE}");
    let shown = serde_json::json!({
        "header": inspection.header,
        "claims": inspection.claims,
        "signature_bytes": inspection.signature_bytes,
    });
    println!("{}", serde_json::to_string_pretty(&shown)?);

    let (Some(config_path), Some(provider)) = (&args.config, &args.provider) else {
        return Ok(ExitCode::SUCCESS);
    };
    let config = rampart_gateway::config::load(config_path)?;
    let provider_config = config.jwt_providers.get(provider).ok_or_else(|| {
        anyhow!("{}: no provider `{provider}` in jwt_providers", config_path.display())
    })?;
    let base_dir = config_path.parent().map(PathBuf::from).unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let reasons = runtime.block_on(rampart_auth::explain(&token, provider_config, &base_dir));
    if reasons.iter().all(|reason| reason.starts_with("accepted")) {
        println!("provider `{provider}` would accept this token");
        for line in &reasons {
            println!("  {line}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!("provider `{provider}` would deny this token:");
    for reason in &reasons {
        println!("  - {reason}");
    }
    Ok(ExitCode::from(1))
}
