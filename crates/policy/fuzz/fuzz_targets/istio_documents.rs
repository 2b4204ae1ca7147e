//! Any YAML text is either refused with an error or parsed and compiled without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_policy::{IstioDocuments, Policies, PolicyConfig};

fuzz_target!(|text: &str| {
    if let Ok(documents) = IstioDocuments::parse(text, "fuzz") {
        let _ = Policies::compile(&PolicyConfig::default(), &documents);
    }
});
