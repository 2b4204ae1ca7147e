//! The CRS "albedo" test backend on a socket, for end-to-end corpus runs (bench/waf/e2e):
//! `cargo run -p rampart-waf --example albedo -- [ADDRESS]` (default `127.0.0.1:0`). Prints
//! `albedo listening on ADDRESS` once it accepts connections, then serves until killed.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address: SocketAddr =
        std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into()).parse()?;
    let listener = TcpListener::bind(address)?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "albedo listening on {}", listener.local_addr()?)?;
    stdout.flush()?;
    rampart_waf::ftw::backend::serve(&listener);
    Ok(())
}
