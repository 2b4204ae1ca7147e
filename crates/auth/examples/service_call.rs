//! A Rust service calling another through the gateway with a service token.
//!
//! `cargo run -p rampart-auth --example service_call -- ISSUER AUDIENCE KEY.pem ALG URL`
//! mints (and caches) a token with `ServiceTokenMinter`, sends `GET URL` with
//! `Authorization: Bearer ...` and prints the status and body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rampart_auth::{JwtAlgorithm, ServiceTokenMinter};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [issuer, audience, key_path, alg, url] = args.as_slice() else {
        return Err("usage: service_call ISSUER AUDIENCE KEY.pem ALG URL".into());
    };
    let alg = JwtAlgorithm::from_name(alg).ok_or("ALG must be RS256, PS256, ES256, EdDSA ...")?;
    let minter = ServiceTokenMinter::new(issuer, &std::fs::read(key_path)?, alg)?;

    let token = minter.token_for(audience, Duration::from_secs(300))?;
    let request = http::Request::get(url.as_str())
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Empty::<Bytes>::new())?;
    let client = Client::builder(TokioExecutor::new()).build_http();
    let response = client.request(request).await?;

    println!("{}", response.status());
    let body = response.into_body().collect().await?.to_bytes();
    println!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
