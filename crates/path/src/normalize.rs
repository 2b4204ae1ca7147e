//! Request path normalization: the path every route, policy and exclusion matches on.

use crate::decode::{escape_at, is_unreserved};
use crate::{EncodedSlashes, PathError, PathOptions, PathParameters};

/// Normalizes a request path (the request target without its query) for matching.
///
/// The result starts with `/`, has dot segments resolved (a climb above the root is clamped),
/// unreserved escapes decoded, other escapes in uppercase hex and, by default, runs of `/`
/// merged. A trailing slash is kept. Normalizing the result again returns it unchanged.
///
/// # Errors
/// A [`PathError`] naming the first malformed construct; the request deserves a 400.
pub fn normalize_path(raw: &str, opts: &PathOptions) -> Result<String, PathError> {
    check_form(raw)?;
    check_bytes(raw)?;

    let mut out = String::with_capacity(raw.len());
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 1;
    let mut segments = raw.get(1..).unwrap_or_default().split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        let start = out.len();
        out.push('/');
        write_segment(segment, offset, opts, &mut out)?;
        offset += segment.len() + 1;
        place_segment(&mut out, &mut starts, start, last, opts.merge_slashes);
    }

    if out.is_empty() {
        out.push('/');
    }
    Ok(out)
}

/// Rejects the empty path, the asterisk form and anything not starting with `/`.
fn check_form(raw: &str) -> Result<(), PathError> {
    match raw {
        "" => Err(PathError::Empty),
        "*" => Err(PathError::AsteriskForm),
        _ if !raw.starts_with('/') => Err(PathError::NotAbsolute),
        _ => Ok(()),
    }
}

/// Rejects bytes that are never valid anywhere in a path, including stripped parameters.
fn check_bytes(raw: &str) -> Result<(), PathError> {
    for (position, b) in raw.bytes().enumerate() {
        match b {
            b'#' => return Err(PathError::Fragment { position }),
            0..=0x20 | 0x7f => return Err(PathError::ControlCharacter { position }),
            0x80.. => return Err(PathError::NonAscii { position }),
            _ => {}
        }
    }
    Ok(())
}

/// Applies the dot-segment and empty-segment rules to the segment just written at `start`.
fn place_segment(out: &mut String, starts: &mut Vec<usize>, start: usize, last: bool, merge: bool) {
    match out.get(start + 1..).unwrap_or_default() {
        "." => {
            out.truncate(start);
            close_directory(out, last);
        }
        ".." => {
            out.truncate(start);
            if let Some(parent) = starts.pop() {
                out.truncate(parent);
            }
            close_directory(out, last);
        }
        // A trailing empty segment is the trailing slash itself: keep it.
        "" if last => {}
        "" if merge => out.truncate(start),
        _ => starts.push(start),
    }
}

/// A dot segment at the end of the path names a directory: keep its trailing slash.
fn close_directory(out: &mut String, last: bool) {
    if last {
        out.push('/');
    }
}

/// Writes one raw segment (between slashes) to `out`, normalized. `base` is its byte offset.
fn write_segment(
    segment: &str,
    base: usize,
    opts: &PathOptions,
    out: &mut String,
) -> Result<(), PathError> {
    let segment = strip_parameters(segment, base, opts.path_parameters)?;
    let bytes = segment.as_bytes();

    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let position = base + i;
        match b {
            b'%' => {
                let value =
                    escape_at(bytes, i).ok_or(PathError::InvalidPercentEncoding { position })?;
                write_escape(value, position, opts.encoded_slashes, out)?;
                i += 3;
            }
            b'\\' => {
                write_escape(b'\\', position, opts.encoded_slashes, out)
                    .map_err(|_| PathError::Backslash { position })?;
                i += 1;
            }
            _ => {
                out.push(char::from(b));
                i += 1;
            }
        }
    }
    Ok(())
}

/// Cuts a segment at its first `;`, or rejects it, per the configured treatment.
fn strip_parameters(
    segment: &str,
    base: usize,
    treatment: PathParameters,
) -> Result<&str, PathError> {
    match (segment.find(';'), treatment) {
        (None, _) => Ok(segment),
        (Some(at), PathParameters::Reject) => Err(PathError::PathParameter { position: base + at }),
        (Some(at), PathParameters::Strip) => Ok(segment.get(..at).unwrap_or_default()),
    }
}

/// Writes the byte an escape (or a literal backslash) stands for: decoded if unreserved,
/// otherwise as an uppercase escape; slashes and controls per policy.
fn write_escape(
    value: u8,
    position: usize,
    slashes: EncodedSlashes,
    out: &mut String,
) -> Result<(), PathError> {
    match (value, slashes) {
        (v, _) if is_unreserved(v) => out.push(char::from(v)),
        (b'/', EncodedSlashes::Reject) => return Err(PathError::EncodedSlash { position }),
        (b'\\', EncodedSlashes::Reject) => return Err(PathError::EncodedBackslash { position }),
        (0..=0x1f | 0x7f, _) => return Err(PathError::EncodedControlCharacter { position }),
        (v, _) => push_escape(v, out),
    }
    Ok(())
}

/// Appends `%XY` with uppercase hex digits.
fn push_escape(value: u8, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(value >> 4)]));
    out.push(char::from(HEX[usize::from(value & 0x0f)]));
}
