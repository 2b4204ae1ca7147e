//! Runs go-ftw tests in-process: `cargo run -p rampart-waf --example ftw -- TESTS [FILTER]`
//! with the CRS corpus configuration from ../shared/crs (the lead wires the real CLI).

use std::path::PathBuf;

use rampart_waf::ftw::{run, FtwOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let crs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crs");
    let mut rules = vec![crs.join("regression-setup.conf"), crs.join("crs-setup.conf.example")];
    let mut files: Vec<PathBuf> = std::fs::read_dir(crs.join("rules"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    files.sort();
    rules.extend(files);

    let mut args = std::env::args().skip(1);
    let tests = args.next().map_or_else(|| crs.join("tests/regression/tests"), PathBuf::from);
    let options = FtwOptions {
        rules,
        tests,
        overrides: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ftw-overrides.yaml")),
        filter: args.next(),
        show_failures: true,
    };
    let summary = run(&options, &mut std::io::stdout())?;
    std::process::exit(i32::from(summary.failed > 0));
}
