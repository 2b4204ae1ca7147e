//! Any host either fails with an error or normalizes to lowercase without a default port.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_path::normalize_host;

fuzz_target!(|host: &str| {
    if let Ok(normalized) = normalize_host(host) {
        assert_eq!(normalized.name, normalized.name.to_ascii_lowercase());
        assert!(!matches!(normalized.port, Some(80 | 443)));
    }
});
