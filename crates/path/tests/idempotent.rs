#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

//! Property-style test: for many generated paths, normalizing the output again changes nothing,
//! and the output never contains a dot segment, an empty segment (when merging), or a `;`.

use rampart_path::{normalize_path, EncodedSlashes, PathOptions, PathParameters};

/// Pieces that exercise every rule of the normalizer.
const PIECES: &[&str] = &[
    "/", "//", "a", "B", ".", "..", "%2e", "%2E", "%2f", "%5C", "\\", ";", ";x=1", "%3b", "%41",
    "%7e", "%20", "%c0%ae", "%25", "%252e", "-", "~", "_", "%", "%zz", "#", "%00", "*", ":", "@",
];

/// A small deterministic generator (xorshift64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn path(&mut self) -> String {
        let len = 1 + self.next() % 12;
        let mut path = String::from("/");
        for _ in 0..len {
            let index = usize::try_from(self.next() % PIECES.len() as u64).unwrap();
            path.push_str(PIECES[index]);
        }
        path
    }
}

fn all_options() -> Vec<PathOptions> {
    let mut all = Vec::new();
    for encoded_slashes in [EncodedSlashes::Reject, EncodedSlashes::KeepOpaque] {
        for path_parameters in [PathParameters::Reject, PathParameters::Strip] {
            for merge_slashes in [true, false] {
                all.push(PathOptions { encoded_slashes, path_parameters, merge_slashes });
            }
        }
    }
    all
}

fn assert_canonical(normalized: &str, opts: &PathOptions) {
    assert!(normalized.starts_with('/'), "{normalized}");
    assert!(!normalized.contains(';'), "{normalized}");
    let segments: Vec<&str> = normalized[1..].split('/').collect();
    let (last, inner) = segments.split_last().unwrap();
    for segment in inner {
        assert!(*segment != "." && *segment != "..", "{normalized}");
        assert!(!(opts.merge_slashes && segment.is_empty()), "{normalized}");
    }
    assert!(*last != "." && *last != "..", "{normalized}");
}

#[test]
fn normalizing_twice_changes_nothing() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let raw = rng.path();
        for opts in all_options() {
            let Ok(once) = normalize_path(&raw, &opts) else { continue };
            accepted += 1;
            let twice = normalize_path(&once, &opts).unwrap();
            assert_eq!(once, twice, "raw {raw:?} with {opts:?}");
            assert_canonical(&once, &opts);
        }
    }
    // The generator must reach the accepting paths, or the test proves nothing.
    assert!(accepted > 10_000, "only {accepted} paths accepted");
}
