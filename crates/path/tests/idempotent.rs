#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

//! Property-style test: for many generated paths, normalizing the output again changes nothing,
//! and the output never contains a dot segment, an empty segment (when merging), or a `;`.

use rampart_path::{normalize_host, normalize_path, EncodedSlashes, PathOptions, PathParameters};

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
    assert_escapes_canonical(normalized);
}

/// Every escape is uppercase and stands for a byte that is not unreserved.
fn assert_escapes_canonical(normalized: &str) {
    let bytes = normalized.as_bytes();
    for (at, _) in normalized.match_indices('%') {
        let hex = &bytes[at + 1..at + 3];
        assert!(hex.iter().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()), "{normalized}");
        let value = u8::from_str_radix(std::str::from_utf8(hex).unwrap(), 16).unwrap();
        let unreserved = value.is_ascii_alphanumeric() || b"-._~".contains(&value);
        assert!(!unreserved && value >= 0x20 && value != 0x7f, "{normalized}");
    }
}

#[test]
fn random_hosts_never_panic_and_are_canonical() {
    const HOST_PIECES: &[&str] =
        &["a", "B", ".", "..", ":", "80", "443", "8080", "[", "]", "::1", "@", "-", "_", " ", "é"];
    let mut rng = Rng(0x0dd_ba11);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let len = 1 + rng.next() % 6;
        let host: String = (0..len)
            .map(|_| HOST_PIECES[usize::try_from(rng.next() % HOST_PIECES.len() as u64).unwrap()])
            .collect();
        let Ok(normalized) = normalize_host(&host) else { continue };
        accepted += 1;
        assert!(!normalized.name.ends_with('.'), "{host:?}");
        assert_eq!(normalized.name, normalized.name.to_ascii_lowercase(), "{host:?}");
        assert!(!matches!(normalized.port, Some(0 | 80 | 443)), "{host:?}");
        let again = match normalized.port {
            Some(port) => format!("{}:{port}", normalized.name),
            None => normalized.name.clone(),
        };
        assert_eq!(normalize_host(&again).unwrap(), normalized, "{host:?}");
    }
    assert!(accepted > 1_000, "only {accepted} hosts accepted");
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
