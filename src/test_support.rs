//! Helpers shared by the unit tests of the system loaders: one harness
//! ([`Loaded`], [`load_with`], [`load_text_with`]) for every loader of the
//! shape `fn(&Path, &mut SourceMap, &mut Vec<Diagnostic>) -> Result<T, LoadError>`.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::provenance::Origin;
use crate::source::{DEFAULT_MAX_FILE_SIZE, FileId, LoadError, ReadPolicy, SourceMap};

/// What a loader gave, with the sources and findings of the load.
pub(crate) struct Loaded<T> {
    /// The loader's result.
    pub out: T,
    /// The files read.
    pub sources: SourceMap,
    /// The findings, unsorted, as the loader pushed them.
    pub diags: Vec<Diagnostic>,
}

impl<T> Loaded<T> {
    /// `(code id, text at the primary location)` of every finding.
    pub fn diags(&self) -> Vec<(&'static str, String)> {
        diag_texts(&self.diags, &self.sources)
    }

    /// `(file name, text)` where an origin points.
    pub fn at(&self, origin: &Origin) -> (String, String) {
        origin_text(&self.sources, origin)
    }

    /// The file names of `files`.
    pub fn file_names(&self, files: &[FileId]) -> Vec<String> {
        file_names(&self.sources, files)
    }

    /// The masked text of every file read, concatenated.
    pub fn all_text(&self) -> String {
        self.sources
            .files()
            .map(|(_, f)| f.masked_text().to_string())
            .collect()
    }
}

/// Loads `path` with `load`, the project root (and read policy) at `root`;
/// panics when the loader returns an error.
pub(crate) fn load_with<T>(
    path: &Path,
    root: &Path,
    load: impl FnOnce(&Path, &mut SourceMap, &mut Vec<Diagnostic>) -> Result<T, LoadError>,
) -> Loaded<T> {
    let mut sources = SourceMap::new(Some(root.to_path_buf()))
        .with_policy(ReadPolicy::new(Some(root), DEFAULT_MAX_FILE_SIZE));
    let mut diags = Vec::new();
    let out = load(path, &mut sources, &mut diags).expect("loads");
    Loaded {
        out,
        sources,
        diags,
    }
}

/// Loads `text`, written as file `name` alone in a temporary project, with
/// `load`.
pub(crate) fn load_text_with<T>(
    name: &str,
    text: &str,
    load: impl FnOnce(&Path, &mut SourceMap, &mut Vec<Diagnostic>) -> Result<T, LoadError>,
) -> Loaded<T> {
    let dir = tree(&[(name, text)]);
    load_with(&dir.path().join(name), dir.path(), load)
}

/// `(code id, text at the primary location)` of every diagnostic.
pub(crate) fn diag_texts(diags: &[Diagnostic], sources: &SourceMap) -> Vec<(&'static str, String)> {
    diags
        .iter()
        .map(|d| {
            let text = d
                .primary
                .location
                .map(|l| sources.text_at(l).to_string())
                .unwrap_or_default();
            (d.code.id, text)
        })
        .collect()
}

/// `(file name, text)` where an origin points; panics when it has no location.
pub(crate) fn origin_text(sources: &SourceMap, origin: &Origin) -> (String, String) {
    let l = origin.location().expect("a location");
    let f = sources.get(l.file);
    let name = f
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    (name.unwrap_or_default(), f.slice(l.span).to_string())
}

/// The file names (last path component) of `files`.
pub(crate) fn file_names(sources: &SourceMap, files: &[FileId]) -> Vec<String> {
    files
        .iter()
        .map(|id| {
            let p = sources.get(*id).path();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.unwrap_or_default()
        })
        .collect()
}

/// A temporary folder holding `files` (`(relative path, text)`, parent
/// folders created), for include-tree tests.
pub(crate) fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// Assignments for door tests: `text` holds `name=value` words (a leading
/// `--` is dropped from the name); a value `?why` is unresolved. The text is
/// added to `sources` as file `file`, so every name and value has its span.
pub(crate) fn assignments(
    sources: &mut SourceMap,
    file: &str,
    text: &str,
    set_by: crate::sources::SetBy,
) -> Vec<crate::sources::Assignment> {
    use crate::source::{Location, Span};
    use crate::sources::{Assignment, Written};
    let id = sources.add(std::path::Path::new(file), text.to_string());
    let mut out = Vec::new();
    let mut at = 0;
    for word in text.split(' ') {
        let start = at + word.len() - word.trim_start_matches('-').len();
        at += word.len() + 1;
        let Some((name, value)) = word.trim_start_matches('-').split_once('=') else {
            continue;
        };
        let value_start = start + name.len() + 1;
        let span = |s: usize, len: usize| Location::new(id, Span::new(s, s + len));
        out.push(Assignment {
            name: name.to_string(),
            name_at: span(start, name.len()),
            value: match value.strip_prefix('?') {
                Some(why) => Written::Unresolved(why.to_string()),
                None => Written::Text(value.to_string()),
            },
            value_at: span(value_start, value.len()),
            set_by,
        });
    }
    out
}
