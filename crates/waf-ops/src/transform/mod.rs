//! SecLang transformations (`t:` actions) with ModSecurity v3 semantics.
//!
//! Each transformation maps bytes to bytes. [`Transform::apply`] keeps the input borrowed when
//! the transformation leaves it unchanged, so a chain over benign input rarely allocates.

mod base64;
mod case;
mod cmdline;
mod comments;
mod css;
mod escape;
mod hash;
mod hex;
mod html;
mod js;
mod parity;
mod path;
mod url;
mod utf8;
mod whitespace;

use std::borrow::Cow;

pub(crate) use whitespace::is_space as is_c_space;

/// URL-decodes (`%XX`, `+`) and reports whether an invalid `%` escape was seen, for the
/// URLENCODED body processor.
pub(crate) fn url_decode_counting(input: &[u8]) -> (Vec<u8>, bool) {
    let d = url::decode_counting(input, false);
    (d.bytes, d.invalid > 0)
}

/// One SecLang transformation, as named after `t:` in a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transform {
    /// `t:none`: no change (in a rule it also clears the inherited chain; the engine does that).
    None,
    /// `t:lowercase`: ASCII letters to lower case.
    Lowercase,
    /// `t:uppercase`: ASCII letters to upper case.
    Uppercase,
    /// `t:urlDecode`: `%XX` and `+` decoding; invalid escapes are kept as they are.
    UrlDecode,
    /// `t:urlDecodeUni`: like `urlDecode`, plus `%uXXXX` with ModSecurity's full-width mapping.
    UrlDecodeUni,
    /// `t:urlEncode`: percent-encodes everything but unreserved characters.
    UrlEncode,
    /// `t:htmlEntityDecode`: named, decimal and hex HTML entities, `;` optional.
    HtmlEntityDecode,
    /// `t:jsDecode`: JavaScript escapes (`\xHH`, `\uHHHH`, `\n`, octal, ...).
    JsDecode,
    /// `t:cssDecode`: CSS 2 escapes (`\HHHHHH`, `\c`).
    CssDecode,
    /// `t:cmdLine`: command-line evasion normalisation (drops `\ " ' ^`, folds spaces, ...).
    CmdLine,
    /// `t:compressWhitespace`: every run of whitespace to one space.
    CompressWhitespace,
    /// `t:removeWhitespace`: drops all whitespace (including the non-breaking space 0xa0).
    RemoveWhitespace,
    /// `t:removeNulls`: drops NUL bytes.
    RemoveNulls,
    /// `t:replaceNulls`: NUL bytes to spaces.
    ReplaceNulls,
    /// `t:replaceComments`: each C comment `/* ... */` (even unterminated) to one space.
    ReplaceComments,
    /// `t:removeComments`: drops C, HTML, `--` and `#` comments.
    RemoveComments,
    /// `t:removeCommentsChar`: drops the comment markers `/*`, `*/`, `<!--`, `-->`, `--`, `#`.
    RemoveCommentsChar,
    /// `t:normalizePath` (alias `normalisePath`): resolves `.`, `..` and `//` in a path.
    NormalizePath,
    /// `t:normalizePathWin` (alias `normalisePathWin`): `\` to `/`, then `normalizePath`.
    NormalizePathWin,
    /// `t:base64Decode`: decodes base64 up to the first invalid character.
    Base64Decode,
    /// `t:base64DecodeExt`: decodes base64, skipping invalid characters.
    Base64DecodeExt,
    /// `t:base64Encode`: standard base64 with padding.
    Base64Encode,
    /// `t:hexDecode`: pairs of hex digits to bytes.
    HexDecode,
    /// `t:hexEncode`: bytes to lower-case hex pairs.
    HexEncode,
    /// `t:sqlHexDecode`: decodes SQL hex literals `0xHHHH`.
    SqlHexDecode,
    /// `t:utf8toUnicode`: multi-byte UTF-8 sequences to `%uHHHH`.
    Utf8ToUnicode,
    /// `t:escapeSeqDecode`: ANSI C escapes (`\n`, `\xHH`, octal, ...).
    EscapeSeqDecode,
    /// `t:length`: the input's length in bytes, as decimal digits.
    Length,
    /// `t:sha1`: the raw 20-byte SHA-1 digest.
    Sha1,
    /// `t:md5`: the raw 16-byte MD5 digest.
    Md5,
    /// `t:trim`: drops leading and trailing whitespace.
    Trim,
    /// `t:trimLeft`: drops leading whitespace.
    TrimLeft,
    /// `t:trimRight`: drops trailing whitespace.
    TrimRight,
    /// `t:parityEven7bit`: bit 7 set to make the byte's parity even.
    ParityEven7bit,
    /// `t:parityOdd7bit`: bit 7 set to make the byte's parity odd.
    ParityOdd7bit,
    /// `t:parityZero7bit`: bit 7 cleared.
    ParityZero7bit,
}

/// Every transformation with its canonical SecLang name, for lookup and listing.
const NAMES: &[(&str, Transform)] = &[
    ("none", Transform::None),
    ("lowercase", Transform::Lowercase),
    ("uppercase", Transform::Uppercase),
    ("urlDecode", Transform::UrlDecode),
    ("urlDecodeUni", Transform::UrlDecodeUni),
    ("urlEncode", Transform::UrlEncode),
    ("htmlEntityDecode", Transform::HtmlEntityDecode),
    ("jsDecode", Transform::JsDecode),
    ("cssDecode", Transform::CssDecode),
    ("cmdLine", Transform::CmdLine),
    ("compressWhitespace", Transform::CompressWhitespace),
    ("removeWhitespace", Transform::RemoveWhitespace),
    ("removeNulls", Transform::RemoveNulls),
    ("replaceNulls", Transform::ReplaceNulls),
    ("replaceComments", Transform::ReplaceComments),
    ("removeComments", Transform::RemoveComments),
    ("removeCommentsChar", Transform::RemoveCommentsChar),
    ("normalizePath", Transform::NormalizePath),
    ("normalizePathWin", Transform::NormalizePathWin),
    ("base64Decode", Transform::Base64Decode),
    ("base64DecodeExt", Transform::Base64DecodeExt),
    ("base64Encode", Transform::Base64Encode),
    ("hexDecode", Transform::HexDecode),
    ("hexEncode", Transform::HexEncode),
    ("sqlHexDecode", Transform::SqlHexDecode),
    ("utf8toUnicode", Transform::Utf8ToUnicode),
    ("escapeSeqDecode", Transform::EscapeSeqDecode),
    ("length", Transform::Length),
    ("sha1", Transform::Sha1),
    ("md5", Transform::Md5),
    ("trim", Transform::Trim),
    ("trimLeft", Transform::TrimLeft),
    ("trimRight", Transform::TrimRight),
    ("parityEven7bit", Transform::ParityEven7bit),
    ("parityOdd7bit", Transform::ParityOdd7bit),
    ("parityZero7bit", Transform::ParityZero7bit),
];

/// British spellings ModSecurity also accepts.
const ALIASES: &[(&str, Transform)] = &[
    ("normalisePath", Transform::NormalizePath),
    ("normalisePathWin", Transform::NormalizePathWin),
];

impl Transform {
    /// `name` as written after `t:` (case-insensitive); None for an unknown name.
    pub fn from_name(name: &str) -> Option<Transform> {
        NAMES.iter().chain(ALIASES).find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, t)| *t)
    }

    /// The canonical SecLang name (as ModSecurity documents it).
    pub fn name(&self) -> &'static str {
        NAMES.iter().find(|(_, t)| t == self).map_or("none", |(n, _)| n)
    }

    /// Every transformation this crate implements, for listings and exhaustive tests.
    pub fn all() -> impl Iterator<Item = Transform> {
        NAMES.iter().map(|(_, t)| *t)
    }

    /// Applies the transformation; the result stays borrowed when nothing changed.
    pub fn apply<'a>(&self, input: Cow<'a, [u8]>) -> Cow<'a, [u8]> {
        match self.run(&input) {
            Some(changed) => Cow::Owned(changed),
            None => input,
        }
    }

    /// Runs the transformation; `None` means the output equals the input.
    fn run(&self, input: &[u8]) -> Option<Vec<u8>> {
        match self {
            Transform::None => None,
            Transform::Lowercase => case::lowercase(input),
            Transform::Uppercase => case::uppercase(input),
            Transform::UrlDecode => url::decode(input, false),
            Transform::UrlDecodeUni => url::decode(input, true),
            Transform::UrlEncode => url::encode(input),
            Transform::HtmlEntityDecode => html::decode(input),
            Transform::JsDecode => js::decode(input),
            Transform::CssDecode => css::decode(input),
            Transform::CmdLine => cmdline::normalize(input),
            Transform::CompressWhitespace => whitespace::compress(input),
            Transform::RemoveWhitespace => whitespace::remove(input),
            Transform::RemoveNulls => whitespace::remove_nulls(input),
            Transform::ReplaceNulls => whitespace::replace_nulls(input),
            Transform::ReplaceComments => comments::replace(input),
            Transform::RemoveComments => comments::remove(input),
            Transform::RemoveCommentsChar => comments::remove_chars(input),
            Transform::NormalizePath => path::normalize(input, false),
            Transform::NormalizePathWin => path::normalize(input, true),
            Transform::Base64Decode => Some(base64::decode(input)),
            Transform::Base64DecodeExt => Some(base64::decode_ext(input)),
            Transform::Base64Encode => Some(base64::encode(input)),
            Transform::HexDecode => Some(hex::decode(input)),
            Transform::HexEncode => Some(hex::encode(input)),
            Transform::SqlHexDecode => hex::sql_decode(input),
            Transform::Utf8ToUnicode => utf8::to_unicode(input),
            Transform::EscapeSeqDecode => escape::decode(input),
            Transform::Length => Some(input.len().to_string().into_bytes()),
            Transform::Sha1 => Some(hash::sha1(input)),
            Transform::Md5 => Some(hash::md5(input)),
            Transform::Trim => whitespace::trim(input, true, true),
            Transform::TrimLeft => whitespace::trim(input, true, false),
            Transform::TrimRight => whitespace::trim(input, false, true),
            Transform::ParityEven7bit => parity::apply(input, parity::Parity::Even),
            Transform::ParityOdd7bit => parity::apply(input, parity::Parity::Odd),
            Transform::ParityZero7bit => parity::apply(input, parity::Parity::Zero),
        }
    }
}

/// Returns `Some(out)` only when `out` differs from `input`.
fn changed(input: &[u8], out: Vec<u8>) -> Option<Vec<u8>> {
    (out != input).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for t in Transform::all() {
            assert_eq!(Transform::from_name(t.name()), Some(t));
            assert_eq!(Transform::from_name(&t.name().to_ascii_uppercase()), Some(t));
        }
        assert_eq!(Transform::from_name("normalisePathWin"), Some(Transform::NormalizePathWin));
        assert_eq!(Transform::from_name("base64decode"), Some(Transform::Base64Decode));
        assert_eq!(Transform::from_name("nope"), None);
    }

    #[test]
    fn apply_keeps_unchanged_input_borrowed() {
        for t in Transform::all() {
            if matches!(t, Transform::Length | Transform::Sha1 | Transform::Md5)
                || matches!(t, Transform::HexEncode | Transform::Base64Encode)
                || matches!(t, Transform::HexDecode | Transform::Base64Decode)
                || matches!(t, Transform::Base64DecodeExt | Transform::UrlEncode)
                || matches!(t, Transform::Uppercase | Transform::ParityEven7bit)
                || matches!(t, Transform::ParityOdd7bit)
            {
                continue;
            }
            let out = t.apply(Cow::Borrowed(b"plaintext"));
            assert!(matches!(out, Cow::Borrowed(_)), "{} allocated", t.name());
        }
    }

    #[test]
    fn chains_compose_like_crs_942100() {
        let mut v: Cow<'_, [u8]> = Cow::Borrowed(b"1%u0027%20OR%201=1\xc3\xa9%00");
        for name in ["utf8toUnicode", "urlDecodeUni", "removeNulls"] {
            v = Transform::from_name(name).map_or(v.clone(), |t| t.apply(v));
        }
        assert_eq!(&*v, b"1' OR 1=1\xe9");
    }
}
