//! rampart's security gateway: listeners, TLS, routing, the request pipeline, proxying, the
//! admin listener and config reload. Domain logic (JWT, events, ...) lives in its own crates;
//! this crate composes them.

pub mod admin;
pub mod config;
pub mod demo;
pub mod ext_authz;
pub mod forwarding;
pub mod handler;
pub mod metrics;
pub mod pipeline;
pub mod proxy;
pub mod reload;
pub mod respond;
pub mod routing;
pub mod server;
pub mod tls;
pub mod upstream;

mod runtime;

pub use runtime::{run, start, RunningGateway, StartError, StartOptions};
