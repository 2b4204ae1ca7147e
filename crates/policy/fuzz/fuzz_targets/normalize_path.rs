//! Any path either fails with an error or normalizes to a fixed point, under every option.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_path::{normalize_path, EncodedSlashes, PathOptions, PathParameters};

fuzz_target!(|data: (&str, u8)| {
    let (raw, bits) = data;
    let opts = PathOptions {
        encoded_slashes: if bits & 1 == 0 {
            EncodedSlashes::Reject
        } else {
            EncodedSlashes::KeepOpaque
        },
        path_parameters: if bits & 2 == 0 { PathParameters::Reject } else { PathParameters::Strip },
        merge_slashes: bits & 4 == 0,
    };
    if let Ok(once) = normalize_path(raw, &opts) {
        assert_eq!(normalize_path(&once, &opts).as_deref(), Ok(once.as_str()));
    }
});
