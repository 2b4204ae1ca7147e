//! Reading `.data` files for `@pmFromFile` and `@ipMatchFromFile`.

use std::path::Path;

use super::{CompileContext, OperatorError};

/// The largest data file accepted, so a mistaken path cannot exhaust memory at load.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads every file named in `param` (space-separated, relative to `ctx.base_dir`) and returns
/// their lines, without blank lines and `#` comment lines.
pub(super) fn read_lines(
    operator: &'static str,
    param: &str,
    ctx: &CompileContext<'_>,
) -> Result<Vec<Vec<u8>>, OperatorError> {
    let mut lines = Vec::new();
    let mut files = 0;
    for name in param.split_ascii_whitespace() {
        files += 1;
        let path = ctx.base_dir.join(name);
        let bytes = read_file(operator, &path)?;
        lines.extend(bytes.split(|&b| b == b'\n').filter_map(keep_line));
    }
    if files == 0 {
        return Err(OperatorError::InvalidParameter {
            operator,
            reason: "no data file named".to_string(),
        });
    }
    Ok(lines)
}

/// A data line without its `\r`, or `None` for a blank or comment line.
fn keep_line(line: &[u8]) -> Option<Vec<u8>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let first = line.iter().position(|b| !b.is_ascii_whitespace())?;
    (line[first] != b'#').then(|| line.to_vec())
}

fn read_file(operator: &'static str, path: &Path) -> Result<Vec<u8>, OperatorError> {
    let fail = |source| OperatorError::DataFile { operator, path: path.to_path_buf(), source };
    let size = std::fs::metadata(path).map_err(fail)?.len();
    if size > MAX_FILE_BYTES {
        let too_big = std::io::Error::other(format!("larger than {MAX_FILE_BYTES} bytes"));
        return Err(fail(too_big));
    }
    std::fs::read(path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.data"), "# c\n\nfoo\r\n  # x\nbar baz\n   \n").unwrap();
        let ctx = CompileContext { base_dir: dir.path() };
        let lines = read_lines("pmFromFile", "a.data", &ctx).unwrap();
        assert_eq!(lines, vec![b"foo".to_vec(), b"bar baz".to_vec()]);
    }

    #[test]
    fn missing_file_names_the_path() {
        let ctx = CompileContext { base_dir: Path::new("/nonexistent-dir") };
        let err = read_lines("pmFromFile", "x.data", &ctx).unwrap_err().to_string();
        assert!(err.starts_with("cannot read data file '/nonexistent-dir/x.data'"), "{err}");
    }
}
