//! Helpers shared by the unit tests of the system loaders.

use crate::diagnostic::Diagnostic;
use crate::provenance::Origin;
use crate::source::{FileId, SourceMap};

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
