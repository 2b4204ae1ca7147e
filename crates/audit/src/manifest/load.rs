//! Reads manifest files, directories and stdin into resources, collecting input problems.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::parse::{parse_documents, Limits};
use super::resource::Resource;
use super::value::Value;

/// Extensions read when walking a directory.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Deepest directory recursion followed.
const MAX_DIR_DEPTH: usize = 32;

/// A problem with one input, reported with file and line; other inputs are still read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputProblem {
    /// The file (`-` for stdin).
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// What went wrong, lowercase.
    pub message: String,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Objects with a kind, in input order.
    pub resources: Vec<Resource>,
    /// Files (or stdin) that yielded at least one document.
    pub files_read: usize,
    /// Files that could not be read or parsed (fully or in part).
    pub errors: Vec<InputProblem>,
    /// Documents skipped on purpose (not an object, no kind).
    pub notes: Vec<InputProblem>,
}

/// Reads every path (`-` is stdin); directories are walked for yaml, yml and json files.
pub fn load_paths(paths: &[PathBuf], stdin: &mut dyn Read, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let text = read_limited(stdin, limits.max_bytes);
            loaded.add_text("-", text, limits);
        } else if path.is_dir() {
            for file in walk(path, &mut loaded) {
                loaded.add_file(&file, limits);
            }
        } else {
            loaded.add_file(path, limits);
        }
    }
    loaded
}

/// Reads manifests from a string, as if from a file named `file`.
pub fn load_str(file: &str, text: &str, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    loaded.add_text(file, Ok(text.to_string()), limits);
    loaded
}

fn read_limited(reader: &mut dyn Read, max: usize) -> Result<String, String> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(limit).read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() > max {
        return Err(format!("larger than {max} bytes; refusing it"));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

fn walk(root: &Path, loaded: &mut Loaded) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                loaded.error(
                    &dir.display().to_string(),
                    None,
                    format!("cannot read directory: {e}"),
                );
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if is_dir && depth < MAX_DIR_DEPTH {
                pending.push((path, depth + 1));
            } else if !is_dir && has_manifest_extension(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn has_manifest_extension(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    EXTENSIONS.iter().any(|known| ext.eq_ignore_ascii_case(known))
}

impl Loaded {
    fn error(&mut self, file: &str, line: Option<usize>, message: String) {
        self.errors.push(InputProblem { file: file.to_string(), line, message });
    }

    fn note(&mut self, file: &str, line: Option<usize>, message: String) {
        self.notes.push(InputProblem { file: file.to_string(), line, message });
    }

    fn add_file(&mut self, path: &Path, limits: &Limits) {
        let name = path.display().to_string();
        let text = match fs::File::open(path) {
            Ok(mut file) => read_limited(&mut file, limits.max_bytes),
            Err(e) => Err(format!("cannot open: {e}")),
        };
        self.add_text(&name, text, limits);
    }

    fn add_text(&mut self, name: &str, text: Result<String, String>, limits: &Limits) {
        let text = match text {
            Ok(text) => text,
            Err(message) => return self.error(name, None, message),
        };
        let parsed = parse_documents(&text, limits);
        let file: Arc<str> = Arc::from(name);
        if !parsed.documents.is_empty() || parsed.error.is_none() {
            self.files_read += 1;
        }
        for doc in parsed.documents {
            self.add_document(doc, &file);
        }
        if let Some(e) = parsed.error {
            self.error(name, Some(e.line()), e.to_string());
        }
    }

    fn add_document(&mut self, doc: Value, file: &Arc<str>) {
        match doc {
            Value::Null => {}
            Value::Map(_) if is_list(&doc) => self.add_list(doc, file),
            Value::Map(_) => match Resource::from_value(doc, file.clone()) {
                Some(resource) => self.resources.push(resource),
                None => self.note(file, None, "object without a kind skipped".into()),
            },
            _ => self.note(file, None, "document is not an object; skipped".into()),
        }
    }

    fn add_list(&mut self, list: Value, file: &Arc<str>) {
        let line = list.line();
        let Value::Map(map) = list else { return };
        let items = map.entries.into_iter().find(|(k, _)| k == "items").map(|(_, v)| v);
        let Some(Value::Seq(items)) = items else {
            return self.note(file, line, "List without items skipped".into());
        };
        for item in items {
            match Resource::from_value(item, file.clone()) {
                Some(resource) => self.resources.push(resource),
                None => self.note(file, line, "List item without a kind skipped".into()),
            }
        }
    }
}

fn is_list(doc: &Value) -> bool {
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    kind == "List" || (kind.ends_with("List") && doc.get("items").is_some())
}
