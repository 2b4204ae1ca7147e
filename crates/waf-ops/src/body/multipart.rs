//! MULTIPART body processor (`multipart/form-data`) with ModSecurity v3's strictness flags.

/// Caps for the multipart processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultipartLimits {
    /// Most file parts kept (SecUploadFileLimit, default 100); more set
    /// MULTIPART_FILE_LIMIT_EXCEEDED.
    pub max_files: usize,
    /// Most parts of any kind processed; more is a parse error.
    pub max_parts: usize,
    /// Most header lines per part; more is a parse error.
    pub max_part_headers: usize,
    /// Longest header line; longer is a parse error.
    pub max_header_line: usize,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        MultipartLimits {
            max_files: 100,
            max_parts: 1_000,
            max_part_headers: 64,
            max_header_line: 4096,
        }
    }
}

/// One uploaded file part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartFile {
    /// The form field name (FILES_NAMES).
    pub name: Vec<u8>,
    /// The client's file name (FILES).
    pub filename: Vec<u8>,
    /// The content size in bytes (FILES_SIZES).
    pub size: usize,
    /// The part's Content-Type, if any.
    pub content_type: Option<Vec<u8>>,
}

/// The strictness flags ModSecurity v3 sets while parsing (each is a `MULTIPART_*` variable).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MultipartFlags {
    /// MULTIPART_BOUNDARY_QUOTED: the boundary parameter was quoted.
    pub boundary_quoted: bool,
    /// MULTIPART_BOUNDARY_WHITESPACE: the boundary parameter holds whitespace.
    pub boundary_whitespace: bool,
    /// MULTIPART_DATA_BEFORE: data before the first boundary.
    pub data_before: bool,
    /// MULTIPART_DATA_AFTER: data after the last boundary.
    pub data_after: bool,
    /// MULTIPART_HEADER_FOLDING: a part header was folded.
    pub header_folding: bool,
    /// MULTIPART_INVALID_HEADER_FOLDING: a folded header was malformed.
    pub invalid_header_folding: bool,
    /// MULTIPART_LF_LINE: a line ended with LF only.
    pub lf_line: bool,
    /// MULTIPART_CRLF_LF_LINES: both CRLF and LF line endings were seen.
    pub crlf_lf_lines: bool,
    /// MULTIPART_MISSING_SEMICOLON: a Content-Disposition parameter lacked its `;`.
    pub missing_semicolon: bool,
    /// MULTIPART_INVALID_QUOTING: bad quoting in Content-Disposition.
    pub invalid_quoting: bool,
    /// MULTIPART_INVALID_PART: a part was malformed.
    pub invalid_part: bool,
    /// MULTIPART_FILE_LIMIT_EXCEEDED: more files than the limit.
    pub file_limit_exceeded: bool,
    /// MULTIPART_UNMATCHED_BOUNDARY: something looked like a boundary but was not one.
    pub unmatched_boundary: bool,
    /// Any parse error (counts towards MULTIPART_STRICT_ERROR).
    pub error: bool,
}

impl MultipartFlags {
    /// MULTIPART_STRICT_ERROR: any of the strictness flags (as ModSecurity v3 computes it).
    pub fn strict_error(&self) -> bool {
        self.error
            || self.boundary_quoted
            || self.boundary_whitespace
            || self.data_before
            || self.data_after
            || self.header_folding
            || self.lf_line
            || self.missing_semicolon
            || self.invalid_quoting
            || self.invalid_part
            || self.invalid_header_folding
            || self.file_limit_exceeded
    }

    /// Every flag as `(variable name, value)`, for the engine's variable table.
    pub fn variables(&self) -> [(&'static str, bool); 15] {
        [
            ("MULTIPART_STRICT_ERROR", self.strict_error()),
            ("MULTIPART_BOUNDARY_QUOTED", self.boundary_quoted),
            ("MULTIPART_BOUNDARY_WHITESPACE", self.boundary_whitespace),
            ("MULTIPART_DATA_BEFORE", self.data_before),
            ("MULTIPART_DATA_AFTER", self.data_after),
            ("MULTIPART_HEADER_FOLDING", self.header_folding),
            ("MULTIPART_INVALID_HEADER_FOLDING", self.invalid_header_folding),
            ("MULTIPART_LF_LINE", self.lf_line),
            ("MULTIPART_CRLF_LF_LINES", self.crlf_lf_lines),
            ("MULTIPART_MISSING_SEMICOLON", self.missing_semicolon),
            ("MULTIPART_INVALID_QUOTING", self.invalid_quoting),
            ("MULTIPART_INVALID_PART", self.invalid_part),
            ("MULTIPART_FILE_LIMIT_EXCEEDED", self.file_limit_exceeded),
            ("MULTIPART_UNMATCHED_BOUNDARY", self.unmatched_boundary),
            ("REQBODY_PROCESSOR_ERROR", self.error),
        ]
    }
}

/// What the multipart processor produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multipart {
    /// Non-file parts as `(name, value)` (ARGS_POST).
    pub args: Vec<(Vec<u8>, Vec<u8>)>,
    /// File parts (FILES, FILES_NAMES, FILES_SIZES).
    pub files: Vec<MultipartFile>,
    /// Every part header as `(part name, "Header: value")` (MULTIPART_PART_HEADERS).
    pub part_headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// MULTIPART_NAME: the `name` of the last part parsed.
    pub name: Vec<u8>,
    /// MULTIPART_FILENAME: the `filename` of the last file part parsed.
    pub filename: Vec<u8>,
    /// The strictness flags.
    pub flags: MultipartFlags,
    /// The parse error, if any (REQBODY_ERROR, REQBODY_ERROR_MSG).
    pub error: Option<super::BodyError>,
    /// Bytes of the body outside file contents (for SecRequestBodyNoFilesLimit).
    pub no_files_length: usize,
}

impl Multipart {
    /// FILES_COMBINED_SIZE: the total size of all files.
    pub fn combined_file_size(&self) -> usize {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Parses a `multipart/form-data` body; `content_type` is the request's Content-Type header
/// (it carries the boundary).
pub fn parse_multipart(body: &[u8], content_type: &str, limits: &MultipartLimits) -> Multipart {
    let _ = (body, content_type, limits);
    Multipart {
        error: Some(super::BodyError::Multipart { reason: "not implemented yet".to_string() }),
        flags: MultipartFlags { error: true, ..MultipartFlags::default() },
        ..Multipart::default()
    }
}
