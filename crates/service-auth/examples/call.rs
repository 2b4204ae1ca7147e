//! A service calling another through the gateway with a service token.
//!
//! ```text
//! cargo run -p rampart-service-auth --example call -- \
//!     checkout examples/service-tokens/checkout.pem orders http://127.0.0.1:8080 /orders/42
//! ```
//!
//! Arguments: the calling service's name (the tokens' `iss`, `sub` and `kid`), its PEM private
//! key (RSA, EC P-256/P-384 or Ed25519; the algorithm follows from the key), the service to
//! call (the tokens' `aud`), the gateway's base URL and the path. It makes the call twice, to
//! show that the second reuses the cached token, and prints the status and body of each.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;

use rampart_service_auth::{ServiceClient, ServiceTokenMinter};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [service, key_path, target, base_url, path] = args.as_slice() else {
        return Err("usage: call SERVICE KEY.pem TARGET_SERVICE GATEWAY_URL PATH".into());
    };

    let pem = std::fs::read(key_path).map_err(|e| format!("cannot read {key_path}: {e}"))?;
    let minter = ServiceTokenMinter::from_pem(service, &pem)?.with_key_id(service);
    println!("{service} signs with {}", minter.algorithm());
    let client = ServiceClient::new(Arc::new(minter), base_url, target)?;

    for _ in 0..2 {
        let response = client.get(path).await?;
        println!("GET {path} -> {}", response.status());
        println!("{}", response.text().trim_end());
    }
    Ok(())
}
