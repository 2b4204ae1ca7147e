//! Reads SecLang files (with Include) and hands each directive to the directive handler.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::directive::Builder;
use super::{LoadError, RuleSet};
use crate::parser::{directives, ParseError};

/// Deepest Include nesting accepted; deeper means a loop.
const MAX_INCLUDE_DEPTH: usize = 32;

/// Loads the files in order into one rule set.
pub fn load_files(paths: &[PathBuf]) -> Result<RuleSet, LoadError> {
    let mut builder = Builder::default();
    for path in paths {
        load_file(&mut builder, path, 0)?;
    }
    builder.finish()
}

/// Loads SecLang text; relative paths resolve against `base_dir`.
pub fn load_str(text: &str, base_dir: &Path) -> Result<RuleSet, LoadError> {
    let mut builder = Builder::default();
    load_text(&mut builder, text, "<string>", base_dir, 0)?;
    builder.finish()
}

fn load_file(builder: &mut Builder, path: &Path, depth: usize) -> Result<(), LoadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    load_text(builder, &text, &path.display().to_string(), &base, depth)
}

fn load_text(
    builder: &mut Builder,
    text: &str,
    file: &str,
    base_dir: &Path,
    depth: usize,
) -> Result<(), LoadError> {
    let file: Arc<str> = Arc::from(file);
    let list = directives(text).map_err(|(line, source)| LoadError::Directive {
        file: file.to_string(),
        line,
        directive: "directive".into(),
        source,
    })?;

    for d in list {
        let fail = |source| LoadError::Directive {
            file: file.to_string(),
            line: d.line,
            directive: d.name.clone(),
            source,
        };
        if d.name.eq_ignore_ascii_case("Include") || d.name.eq_ignore_ascii_case("IncludeOptional")
        {
            let optional = d.name.eq_ignore_ascii_case("IncludeOptional");
            include(builder, &d.args, base_dir, depth, optional).map_err(|e| match e {
                Nested::Here(source) => fail(source),
                Nested::Inner(err) => err,
            })?;
            continue;
        }
        builder.directive(&d, &file, base_dir).map_err(|(name, source)| LoadError::Directive {
            file: file.to_string(),
            line: d.line,
            directive: name,
            source,
        })?;
    }
    Ok(())
}

enum Nested {
    Here(ParseError),
    Inner(LoadError),
}

fn include(
    builder: &mut Builder,
    args: &[String],
    base_dir: &Path,
    depth: usize,
    optional: bool,
) -> Result<(), Nested> {
    let [pattern] = args else {
        return Err(Nested::Here(ParseError::ArgumentCount { expected: "1", found: args.len() }));
    };
    if depth >= MAX_INCLUDE_DEPTH {
        return Err(Nested::Here(ParseError::IncludeDepth(MAX_INCLUDE_DEPTH)));
    }
    let full = base_dir.join(pattern);
    let include_err = |reason: String| ParseError::Include { path: pattern.clone(), reason };
    let paths: Vec<PathBuf> = glob::glob(&full.to_string_lossy())
        .map_err(|e| Nested::Here(include_err(e.to_string())))?
        .filter_map(Result::ok)
        .collect();
    if paths.is_empty() && !optional {
        return Err(Nested::Here(include_err("no file matches".into())));
    }
    for path in paths {
        load_file(builder, &path, depth + 1).map_err(Nested::Inner)?;
    }
    Ok(())
}
