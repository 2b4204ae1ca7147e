//! The line-oriented multipart state machine (ModSecurity v3's `Multipart::process`).

use super::boundary::{find, Boundary};
use super::disposition;
use super::{Multipart, MultipartFile, MultipartFlags, MultipartLimits};
use crate::body::BodyError;
use crate::transform::is_c_space;

/// A part being built.
#[derive(Default)]
struct Part {
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    header_lines: Vec<Vec<u8>>,
    last_header_name: Option<usize>,
    last_header_line: Vec<u8>,
    name: Vec<u8>,
    filename: Vec<u8>,
    content_type: Option<Vec<u8>>,
    is_file: bool,
    in_data: bool,
    data_read: bool,
    value: Vec<u8>,
    size: usize,
}

/// Why parsing stopped for good.
struct Stop(String);

/// Parser state over one body.
pub(super) struct Parser<'a> {
    boundary: Vec<u8>,
    /// `--` followed by the boundary, searched for inside lines.
    dash_boundary: Vec<u8>,
    limits: &'a MultipartLimits,
    out: Multipart,
    part: Option<Part>,
    parts: Vec<Part>,
    part_count: usize,
    boundary_count: usize,
    complete: bool,
    line_start: bool,
    previous_last: u8,
    bare_lf_at_end: bool,
    reserve: Vec<u8>,
    crlf_line: bool,
    soft_error: Option<String>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(b: Boundary, limits: &'a MultipartLimits) -> Parser<'a> {
        let flags = MultipartFlags {
            boundary_quoted: b.quoted,
            boundary_whitespace: b.whitespace,
            missing_semicolon: b.missing_semicolon,
            ..MultipartFlags::default()
        };
        let mut dash_boundary = b"--".to_vec();
        dash_boundary.extend_from_slice(&b.value);
        Parser {
            dash_boundary,
            boundary: b.value,
            limits,
            out: Multipart { flags, ..Multipart::default() },
            part: None,
            parts: Vec::new(),
            part_count: 0,
            boundary_count: 0,
            complete: false,
            line_start: true,
            previous_last: 0,
            bare_lf_at_end: false,
            reserve: Vec::new(),
            crlf_line: false,
            soft_error: None,
        }
    }

    /// Parses `body` and finishes (ModSecurity's `process` then `multipart_complete`).
    pub(super) fn run(mut self, body: &[u8]) -> Multipart {
        let leftover = match self.process(body) {
            Ok(rest) => rest,
            Err(Stop(reason)) => {
                self.out.flags.error = true;
                return self.finish(Some(reason));
            }
        };
        if !body.is_empty() && !self.complete {
            if let Err(missing) = self.complete_at_end(leftover) {
                return self.finish(Some(missing));
            }
        }
        for part in std::mem::take(&mut self.parts) {
            self.add_part(part);
        }
        let soft = self.soft_error.take();
        self.finish(soft)
    }

    /// Feeds every full line (or buffer-sized piece); returns the unprocessed tail.
    fn process<'b>(&mut self, body: &'b [u8]) -> Result<&'b [u8], Stop> {
        let size = self.limits.max_header_line.max(8);
        let mut pos = 0;
        while pos < body.len() {
            let Some((end, cut_before_cr)) = next_chunk(body, pos, size) else {
                return Ok(&body[pos..]);
            };
            let chunk = &body[pos..end];
            self.chunk(chunk, cut_before_cr)?;
            self.after_chunk(chunk);
            pos = end;
            if self.complete && pos < body.len() {
                self.out.flags.data_after = true;
                return Ok(&[]);
            }
        }
        Ok(&[])
    }

    /// Line-start and CR/LF bookkeeping after a chunk: whether the next chunk starts a line,
    /// and whether this line ended with a bare LF (ModSecurity's `m_crlf_state_buf_end`).
    fn after_chunk(&mut self, chunk: &[u8]) {
        let last = chunk.last().copied().unwrap_or(0);
        self.line_start = last == b'\n';
        if self.line_start {
            let before = match chunk.len() {
                0 | 1 => self.previous_last,
                n => chunk[n - 2],
            };
            self.bare_lf_at_end = before != b'\r';
        }
        self.previous_last = last;
    }

    /// One chunk: a boundary, or part header or data.
    fn chunk(&mut self, chunk: &[u8], cut_before_cr: bool) -> Result<(), Stop> {
        let text = until_nul(chunk);
        let mut handled = false;
        if self.line_start && text.len() > 3 && text.starts_with(b"--") {
            handled = self.boundary_line(text)?;
        } else if self.line_start && self.contains_boundary(chunk) {
            self.set_unmatched(1);
        }
        if handled {
            return Ok(());
        }
        let Some(part) = self.part.as_ref() else {
            self.out.flags.data_before = true;
            return Ok(());
        };
        if part.in_data {
            self.part_data(chunk);
            return Ok(());
        }
        if !chunk.ends_with(b"\n") || cut_before_cr {
            let size = self.limits.max_header_line;
            return Err(Stop(format!("Multipart: Part header line over {size} bytes long")));
        }
        self.part_header(chunk)
    }

    /// A line starting with `--`: returns whether it was taken as a boundary.
    fn boundary_line(&mut self, text: &[u8]) -> Result<bool, Stop> {
        let blen = self.boundary.len();
        if !(text.len() >= blen + 2 && text[2..].starts_with(&self.boundary)) {
            self.near_miss(text)?;
            return Ok(false);
        }
        if self.bare_lf_at_end {
            self.out.flags.lf_line = true;
        }
        let data_read = self.part.as_ref().is_some_and(|p| p.data_read);
        if !data_read && self.boundary_count > 0 {
            self.out.flags.invalid_part = true;
            return Ok(false);
        }
        if self.boundary_count > 0 {
            self.set_unmatched(2);
        }
        let mut rest = &text[2 + blen..];
        let is_final = rest.starts_with(b"--");
        if is_final {
            rest = &rest[2..];
            if self.complete {
                return Err(Stop("Multipart: Invalid boundary (final duplicate).".into()));
            }
        }
        match rest {
            b"\r\n" => self.crlf_line = true,
            b"\n" => self.out.flags.lf_line = true,
            _ => {
                let line = String::from_utf8_lossy(text).into_owned();
                return Err(Stop(format!("Multipart: Invalid boundary: {line}")));
            }
        }
        self.process_boundary(is_final)?;
        self.complete |= is_final;
        self.boundary_count += 1;
        Ok(true)
    }

    /// A `--` line that is not our boundary: quoting or whitespace tricks are errors.
    fn near_miss(&mut self, text: &[u8]) -> Result<(), Stop> {
        let b = self.boundary.as_slice();
        let quoted_attempt =
            text.len() > b.len() + 2 && text[2] == b'"' && text[3..].starts_with(b);
        if self.out.flags.boundary_quoted && quoted_attempt {
            return Err(Stop("Multipart: Invalid boundary (quotes).".into()));
        }
        let spaces = text[2..].iter().take_while(|&&c| is_c_space(c)).count();
        if spaces > 0 && text[2 + spaces..].starts_with(b) {
            return Err(Stop("Multipart: Invalid boundary (whitespace).".into()));
        }
        self.set_unmatched(1);
        Ok(())
    }

    fn contains_boundary(&self, chunk: &[u8]) -> bool {
        find(chunk, &self.dash_boundary).is_some()
    }

    fn set_unmatched(&mut self, code: u8) {
        self.out.flags.unmatched_boundary_code = code;
        self.out.flags.unmatched_boundary = code == 1;
    }

    /// Closes the part being built and, unless final, starts the next one.
    fn process_boundary(&mut self, last: bool) -> Result<(), Stop> {
        if let Some(mut part) = self.part.take() {
            for line in part.header_lines.drain(..) {
                self.out.part_headers.push((part.name.clone(), line));
            }
            if part.name.is_empty() {
                self.out.flags.invalid_part = true;
            } else {
                self.parts.push(part);
            }
        }
        self.reserve.clear();
        if last {
            return Ok(());
        }
        self.part_count += 1;
        if self.part_count > self.limits.max_parts {
            let max = self.limits.max_parts;
            return Err(Stop(format!("Multipart: more than {max} parts")));
        }
        self.part = Some(Part::default());
        Ok(())
    }

    /// Data inside a part: the line's own CRLF/LF is held back until more data follows, so
    /// the line break before a boundary never counts as content.
    fn part_data(&mut self, chunk: &[u8]) {
        let held = if chunk.ends_with(b"\r\n") { 2 } else { usize::from(chunk.ends_with(b"\n")) };
        let content = &chunk[..chunk.len() - held];
        let Some(part) = self.part.as_mut() else {
            return;
        };
        part.data_read = true;
        if part.is_file {
            part.size += self.reserve.len() + content.len();
        } else {
            self.out.no_files_length += self.reserve.len() + content.len();
            part.value.extend_from_slice(&self.reserve);
            part.value.extend_from_slice(content);
        }
        self.reserve.clear();
        self.reserve.extend_from_slice(&chunk[chunk.len() - held..]);
    }

    /// A part header line (or the empty line that ends the headers).
    fn part_header(&mut self, chunk: &[u8]) -> Result<(), Stop> {
        if chunk.contains(&0) {
            self.soft("Multipart: Nul byte in part headers.".to_string());
            return Ok(());
        }
        self.out.no_files_length += chunk.len();
        let crlf = chunk.len() > 1 && chunk[chunk.len() - 2] == b'\r';
        if crlf {
            self.crlf_line = true;
        } else {
            self.out.flags.lf_line = true;
        }
        if chunk == b"\r\n" || chunk == b"\n" {
            self.end_of_headers();
            return Ok(());
        }
        let line = &chunk[..chunk.len() - if crlf { 2 } else { 1 }];
        if is_c_space(chunk[0]) {
            return self.folded_header(line);
        }
        self.new_header(line)
    }

    fn end_of_headers(&mut self) {
        let Some(part) = self.part.as_mut() else {
            return;
        };
        flush_header_line(part);
        let cd = part
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(b"Content-Disposition"))
            .map(|(_, v)| v.clone());
        let Some(cd) = cd else {
            self.soft("Multipart: Part missing Content-Disposition header.".to_string());
            return;
        };
        let parsed = disposition::parse(&cd);
        self.out.names.extend(parsed.seen_names);
        self.out.filenames.extend(parsed.seen_filenames);
        self.out.flags.invalid_quoting |= parsed.disposition.invalid_quoting;
        if let Err(code) = parsed.result {
            let value = String::from_utf8_lossy(&cd);
            self.soft(format!("Multipart: Invalid Content-Disposition header ({code}): {value}"));
            return;
        }
        self.accept_disposition(parsed.disposition, &cd);
    }

    fn accept_disposition(&mut self, d: disposition::Disposition, cd: &[u8]) {
        if d.name.is_empty() {
            self.soft("Multipart: Content-Disposition header missing name field.".to_string());
            return;
        }
        if !d.filename.is_empty() && find(cd, b"filename=").is_none() {
            self.soft("Multipart: Invalid Content-Disposition header (filename).".to_string());
            return;
        }
        let Some(part) = self.part.as_mut() else {
            return;
        };
        part.is_file = !d.filename.is_empty();
        part.name = d.name;
        part.filename = d.filename;
        part.content_type = part
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(b"Content-Type"))
            .map(|(_, v)| v.clone());
        part.in_data = true;
        part.data_read = false;
        part.last_header_name = None;
    }

    fn folded_header(&mut self, line: &[u8]) -> Result<(), Stop> {
        self.out.flags.header_folding = true;
        let lead = line.iter().take_while(|&&c| is_c_space(c)).count();
        if line[..lead].iter().any(|&c| c != b' ' && c != b'\t') {
            self.out.flags.invalid_header_folding = true;
        }
        let max = self.limits.max_header_line;
        let Some(part) = self.part.as_mut() else {
            return Ok(());
        };
        let Some(index) = part.last_header_name else {
            self.soft("Multipart: Invalid part header (folding error).".to_string());
            return Ok(());
        };
        let (name, value) = &mut part.headers[index];
        value.push(b' ');
        value.extend_from_slice(chomp(&line[lead..]));
        if value.len() > max {
            return Err(Stop("Multipart: Part header too long.".to_string()));
        }
        let mut full = name.clone();
        full.extend_from_slice(b": ");
        full.extend_from_slice(value);
        part.last_header_line = full;
        Ok(())
    }

    fn new_header(&mut self, line: &[u8]) -> Result<(), Stop> {
        let max_headers = self.limits.max_part_headers;
        let Some(part) = self.part.as_mut() else {
            return Ok(());
        };
        flush_header_line(part);
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            let text = String::from_utf8_lossy(line).into_owned();
            self.soft(format!("Multipart: Invalid part header (colon missing): {text}"));
            return Ok(());
        };
        let name = &line[..colon];
        if name.is_empty() {
            self.soft("Multipart: Invalid part header (header name missing).".to_string());
            return Ok(());
        }
        if name.iter().any(|&c| !(33..=126).contains(&c)) {
            let msg = "Multipart: Invalid part header (contains invalid character).";
            self.soft(msg.to_string());
            return Ok(());
        }
        let value_start = colon + 1 + count_blank(&line[colon + 1..]);
        let value = chomp(&line[value_start..]).to_vec();
        if part.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Ok(());
        }
        if part.headers.len() >= max_headers {
            return Err(Stop(format!("Multipart: more than {max_headers} headers in a part")));
        }
        part.headers.push((name.to_vec(), value));
        part.last_header_name = Some(part.headers.len() - 1);
        part.last_header_line = line.to_vec();
        Ok(())
    }

    /// The body ended without its final boundary on a line of its own: accept a final
    /// boundary with no line break, else report it missing (then nothing is published).
    fn complete_at_end(&mut self, leftover: &[u8]) -> Result<(), String> {
        if self.boundary_count == 0 {
            return Err("Multipart: No boundaries found in payload.".to_string());
        }
        let mut last = b"--".to_vec();
        last.extend_from_slice(&self.boundary);
        last.extend_from_slice(b"--");
        if !(self.line_start && leftover == last.as_slice()) {
            return Err("Multipart: Final boundary missing.".to_string());
        }
        if self.bare_lf_at_end {
            self.out.flags.lf_line = true;
        }
        if !self.part.as_ref().is_some_and(|p| p.data_read) {
            self.out.flags.invalid_part = true;
        }
        self.process_boundary(true).map_err(|Stop(reason)| reason)?;
        self.complete = true;
        Ok(())
    }

    fn add_part(&mut self, part: Part) {
        if !part.is_file {
            self.out.args.push((part.name, part.value));
            return;
        }
        self.out.files.push(MultipartFile {
            name: part.name,
            filename: part.filename,
            size: part.size,
            content_type: part.content_type,
        });
        if self.out.files.len() > self.limits.max_files {
            self.out.flags.file_limit_exceeded = true;
        }
    }

    fn finish(mut self, error: Option<String>) -> Multipart {
        self.out.flags.crlf_lf_lines = self.crlf_line && self.out.flags.lf_line;
        let error = error.or(self.soft_error.take());
        self.out.error = error.map(|reason| BodyError::Multipart { reason });
        self.out
    }

    /// A header problem ModSecurity reports (REQBODY_ERROR) while parsing goes on.
    fn soft(&mut self, message: String) {
        self.soft_error = Some(message);
    }
}

/// Records the header line being built into the part's header lines.
fn flush_header_line(part: &mut Part) {
    if !part.last_header_line.is_empty() {
        part.header_lines.push(std::mem::take(&mut part.last_header_line));
    }
}

/// The end of the next chunk from `pos`, as ModSecurity's buffer fills: through `\n`, or
/// `size` bytes, or `size - 1` bytes when the next is `\r` (then `true`). `None` when the
/// input ends before any of these (the tail stays unprocessed).
fn next_chunk(body: &[u8], pos: usize, size: usize) -> Option<(usize, bool)> {
    let window = &body[pos..body.len().min(pos + size)];
    if let Some(nl) = window.iter().position(|&c| c == b'\n') {
        return Some((pos + nl + 1, false));
    }
    if window.len() < size {
        return None;
    }
    if window[size - 1] == b'\r' {
        return Some((pos + size - 1, true));
    }
    Some((pos + size, false))
}

fn until_nul(chunk: &[u8]) -> &[u8] {
    chunk.iter().position(|&c| c == 0).map_or(chunk, |n| &chunk[..n])
}

/// Drops trailing CR and LF characters (ModSecurity's `chomp`).
fn chomp(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&c| c != b'\r' && c != b'\n').map_or(0, |i| i + 1);
    &s[..end]
}

fn count_blank(s: &[u8]) -> usize {
    s.iter().take_while(|&&c| c == b' ' || c == b'\t').count()
}
