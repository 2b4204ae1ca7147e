//! `t:lowercase` and `t:uppercase`: ASCII-only case folding, as ModSecurity's `tolower`.

/// ASCII letters to lower case; `None` when there is none.
pub(super) fn lowercase(input: &[u8]) -> Option<Vec<u8>> {
    input.iter().any(u8::is_ascii_uppercase).then(|| input.to_ascii_lowercase())
}

/// ASCII letters to upper case; `None` when there is none.
pub(super) fn uppercase(input: &[u8]) -> Option<Vec<u8>> {
    input.iter().any(u8::is_ascii_lowercase).then(|| input.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_ascii_only() {
        assert_eq!(lowercase(b"SeLeCT \xc3\x89").as_deref(), Some(&b"select \xc3\x89"[..]));
        assert_eq!(lowercase(b"already"), None);
        assert_eq!(uppercase(b"abc1").as_deref(), Some(&b"ABC1"[..]));
    }
}
