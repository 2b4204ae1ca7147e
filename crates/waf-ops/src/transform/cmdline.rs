//! `t:cmdLine`: normalises shell command evasions (as ModSecurity v3 and CRS 932 expect).

/// Drops `"` `'` `\` `^`; folds runs of space, `,` `;` tab, CR, LF to one space; drops a space
/// before `/` or `(`; lower-cases everything else.
pub(super) fn normalize(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut space = false;
    for &c in input {
        match c {
            b'"' | b'\'' | b'\\' | b'^' => {}
            b' ' | b',' | b';' | b'\t' | b'\r' | b'\n' => {
                if !space {
                    out.push(b' ');
                    space = true;
                }
            }
            b'/' | b'(' => {
                if space {
                    out.pop();
                }
                space = false;
                out.push(c);
            }
            _ => {
                out.push(c.to_ascii_lowercase());
                space = false;
            }
        }
    }
    super::changed(input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_evasions() {
        let got = normalize(b"C^a\"t' ,; /E\\tc/PASSWD (x)").unwrap_or_default();
        assert_eq!(got, b"cat/etc/passwd(x)");
        assert_eq!(normalize(b"ls -la"), None);
    }
}
