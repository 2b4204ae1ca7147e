//! Service tokens for Rust services behind the rampart gateway.
//!
//! A service signs short-lived JWTs with its own private key ([`ServiceTokenMinter`]: `iss` and
//! `sub` are its name, `aud` the service it calls), keeps one per target and renews it when a
//! fifth of its lifetime is left, and calls the target through the gateway with
//! [`ServiceClient`], which adds `Authorization: Bearer ...` to every request. The gateway's
//! route for the target accepts only tokens whose audience is the target's name and whose
//! issuer is one of the callers it lists (docs/auth.md, "Service tokens").
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use rampart_service_auth::{ServiceClient, ServiceTokenMinter};
//!
//! let pem = std::fs::read("checkout-key.pem")?;
//! let minter = Arc::new(ServiceTokenMinter::from_pem("checkout", &pem)?.with_key_id("checkout"));
//! let orders = ServiceClient::new(minter, "http://gateway:8080", "orders")?;
//! let response = orders.get("/orders/42").await?;
//! println!("{} {}", response.status(), response.text());
//! # Ok(())
//! # }
//! ```

mod client;
mod error;
mod response;
mod target;

pub use client::{ServiceClient, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, DEFAULT_TOKEN_TTL};
pub use error::ServiceCallError;
pub use rampart_auth::{Clock, JwtAlgorithm, ManualClock, MintError, ServiceTokenMinter};
pub use response::ServiceResponse;
