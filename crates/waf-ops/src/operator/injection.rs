//! `@detectSQLi` and `@detectXSS`: libinjection's tokenizing detectors.
//!
//! They come from `libinjectionrs`, a pure-Rust port of libinjection (the C library that
//! ModSecurity links). It agrees with every expectation of the CRS regression tests for
//! rules 942100 and 941100 (see `tests/libinjection_corpus.rs`). A panic inside the port on
//! hostile input is caught and counted as a detection, so the WAF fails closed.

use std::panic::{catch_unwind, AssertUnwindSafe};

use libinjectionrs::{SqliFlags, SqliState};

use super::Captures;

/// `@detectSQLi`: whether `input` tokenizes as SQL injection; on a match, capture group 0 is
/// libinjection's fingerprint (as ModSecurity stores it in `TX:0`).
pub(super) fn detect_sqli(input: &[u8], captures: Option<&mut Captures>) -> bool {
    let found = catch_unwind(AssertUnwindSafe(|| {
        // One tokenizing pass; the crate's `detect_sqli` helper runs a second one just to
        // report the fingerprint, which only a capturing match needs.
        let mut state = SqliState::new(input, SqliFlags::FLAG_NONE);
        let is_sqli = state.detect();
        (is_sqli, is_sqli.then(|| state.fingerprint_string()))
    }));
    let (is_sqli, fingerprint) = found.unwrap_or((true, None));
    if let (true, Some(c)) = (is_sqli, captures) {
        c.set(0, fingerprint.unwrap_or_default().as_bytes());
    }
    is_sqli
}

/// `@detectXSS`: whether `input` holds an XSS vector in any HTML context; on a match,
/// capture group 0 is the input (as ModSecurity stores it in `TX:0`).
pub(super) fn detect_xss(input: &[u8], captures: Option<&mut Captures>) -> bool {
    let is_xss =
        catch_unwind(AssertUnwindSafe(|| libinjectionrs::detect_xss(input).is_injection()))
            .unwrap_or(true);
    if let (true, Some(c)) = (is_xss, captures) {
        c.set(0, input);
    }
    is_xss
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqli_with_fingerprint() {
        let mut c = Captures::new();
        assert!(detect_sqli(b"1' OR '1'='1", Some(&mut c)));
        assert!(c.get(0).is_some_and(|fp| !fp.is_empty() && fp.len() <= 8));
        for attack in [&b"1' OR '1'='1"[..], b"1 UNION SELECT 1,2--", b"x\" or 1=1 #"] {
            assert!(detect_sqli(attack, Some(&mut c)));
            let reference = libinjectionrs::detect_sqli(attack).fingerprint.map(|f| f.to_string());
            let ours = c.get(0).map(|fp| String::from_utf8_lossy(fp).into_owned());
            assert_eq!(ours, reference);
        }
        assert!(!detect_sqli(b"hello world", None));
        assert!(!detect_sqli(b"", None));
    }

    #[test]
    fn xss_vectors() {
        assert!(detect_xss(b"<script>alert(1)</script>", None));
        assert!(detect_xss(b"<img src=x onerror=alert(1)>", None));
        assert!(!detect_xss(b"just some text", None));
    }

    #[test]
    fn hostile_bytes_do_not_escape() {
        // A deterministic pseudo-random sweep: every call must return, never unwind.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 0..2000usize {
            let bytes: Vec<u8> = (0..len % 97)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    b"'\"<>/=;-#()`\\ aZ0\x00\xff"[(state % 19) as usize]
                })
                .collect();
            let _ = detect_sqli(&bytes, None);
            let _ = detect_xss(&bytes, None);
        }
    }
}
