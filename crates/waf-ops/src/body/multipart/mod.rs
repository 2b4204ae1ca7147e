//! MULTIPART body processor (`multipart/form-data`) with ModSecurity v3's strictness flags.
//!
//! The parser follows ModSecurity v3's line-oriented state machine (4096-byte line buffer,
//! boundary recognition only at line starts, CRLF/LF bookkeeping, soft header errors that
//! set REQBODY_ERROR but let parsing go on, arguments and files published only when the body
//! completes). Two deliberate differences: line breaks inside a multi-line form field value
//! are kept (ModSecurity v3 drops them, a known bug), and MULTIPART_FILE_LIMIT_EXCEEDED is
//! raised whenever there are more file parts than `max_files` (ModSecurity raises it only
//! when it stores uploads on disk).

mod boundary;
mod disposition;
mod parser;

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
    /// Line buffer size (ModSecurity's MULTIPART_BUF_SIZE, 4096): a part header line longer
    /// than this is a parse error; longer data lines are handled in pieces.
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
    /// MULTIPART_UNMATCHED_BOUNDARY is 1: something looked like a boundary but was not one.
    pub unmatched_boundary: bool,
    /// The exact value ModSecurity v3 gives MULTIPART_UNMATCHED_BOUNDARY: 0, 1, or 2 (2 once
    /// a second matching boundary is seen, i.e. for most well-formed bodies).
    pub unmatched_boundary_code: u8,
    /// ModSecurity's internal error flag (a malformed Content-Type or boundary line): no
    /// variable of its own, it counts towards MULTIPART_STRICT_ERROR. REQBODY_ERROR comes from
    /// [`Multipart::error`] instead.
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

    /// Every flag as `(variable name, value)` with ModSecurity's exact numbers (only
    /// MULTIPART_UNMATCHED_BOUNDARY can be 2), for the engine's variable table.
    pub fn values(&self) -> [(&'static str, u8); 14] {
        self.variables().map(|(name, on)| match name {
            "MULTIPART_UNMATCHED_BOUNDARY" => (name, self.unmatched_boundary_code),
            _ => (name, u8::from(on)),
        })
    }

    /// Every flag as `(variable name, value)`, for the engine's variable table.
    pub fn variables(&self) -> [(&'static str, bool); 14] {
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
    /// The last entry of `names` (kept for callers that want one value).
    pub name: Vec<u8>,
    /// The last entry of `filenames` (kept for callers that want one value).
    pub filename: Vec<u8>,
    /// MULTIPART_NAME: every `name` parameter seen, in order (a collection in ModSecurity v3).
    pub names: Vec<Vec<u8>>,
    /// MULTIPART_FILENAME: every `filename` parameter seen, in order.
    pub filenames: Vec<Vec<u8>>,
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
    let boundary = match boundary::parse(content_type.as_bytes()) {
        Ok(b) => b,
        Err(problem) => return header_problem(problem),
    };
    let mut out = parser::Parser::new(boundary, limits).run(body);
    out.name = out.names.last().cloned().unwrap_or_default();
    out.filename = out.filenames.last().cloned().unwrap_or_default();
    out
}

/// The result for a Content-Type that cannot be used: only flags and the error.
fn header_problem(problem: boundary::HeaderProblem) -> Multipart {
    let b = problem.partial;
    let flags = MultipartFlags {
        boundary_quoted: b.quoted,
        boundary_whitespace: b.whitespace,
        missing_semicolon: b.missing_semicolon,
        error: problem.message.is_some(),
        ..MultipartFlags::default()
    };
    let error =
        problem.message.map(|m| super::BodyError::Multipart { reason: format!("Multipart: {m}") });
    Multipart { flags, error, ..Multipart::default() }
}

#[cfg(test)]
mod tests;
