//! Shared by the corpus tests: find `../shared/corpus/<kind>` or say (past
//! the harness's output capture) that the tests skip, and describe
//! diagnostics for assertion messages.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::source::{DEFAULT_MAX_FILE_SIZE, LoadError, ReadPolicy, SourceMap};

/// The corpus folder of `kind`, or `None` (after printing that the tests
/// skip) when CI's `../shared` is not beside the checkout.
pub fn corpus_dir(kind: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(kind);
    if dir.is_dir() {
        Some(dir)
    } else {
        // Written to the real stderr, past the test harness's capture, so a
        // run without the corpus says that it skipped.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: corpus folder {} does not exist",
            dir.display()
        );
        None
    }
}

/// `ID file:line `text`: message` of each diagnostic, for messages.
pub fn describe(diags: &[Diagnostic], sources: &SourceMap) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            let at = d
                .primary
                .location
                .map(|loc| {
                    sources.short(loc) + " `" + sources.get(loc.file).masked_slice(loc.span) + "`"
                })
                .unwrap_or_default();
            format!("{} {at}: {}", d.code.id, d.message)
        })
        .collect()
}

/// A read policy confined to `root` (the corpus file's folder), so a test
/// never follows an include into the host (`!includedir /etc/...`).
pub fn confined_to(root: Option<&Path>) -> ReadPolicy {
    ReadPolicy::new(root, DEFAULT_MAX_FILE_SIZE)
}

/// The files of corpus folder `dir` as `(file name, path)`, sorted by path.
pub fn corpus_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, path)
        })
        .collect()
}

/// What a loader gave for one file, with the sources and findings of the
/// load.
pub struct Loaded<T> {
    /// The loader's result.
    pub out: T,
    /// The files read.
    pub sources: SourceMap,
    /// The findings, as the loader pushed them.
    pub diags: Vec<Diagnostic>,
}

impl<T> Loaded<T> {
    /// [`describe`] of the findings, for assertion messages.
    pub fn describe(&self) -> Vec<String> {
        describe(&self.diags, &self.sources)
    }

    /// `(code id, text at the primary location)` of each finding, sorted.
    pub fn found(&self) -> Vec<(&'static str, String)> {
        let mut v: Vec<_> = self
            .diags
            .iter()
            .map(|d| {
                let text = d
                    .primary
                    .location
                    .map(|loc| self.sources.text_at(loc).to_string())
                    .unwrap_or_default();
                (d.code.id, text)
            })
            .collect();
        v.sort();
        v
    }
}

/// Loads `path` with `load` (a system's `load_*`), its project root and read
/// policy confined to the file's folder ([`confined_to`]); panics, naming
/// the file, when the loader cannot read it.
pub fn load_confined<T>(
    path: &Path,
    load: impl FnOnce(&Path, &mut SourceMap, &mut Vec<Diagnostic>) -> Result<T, LoadError>,
) -> Loaded<T> {
    let mut sources = SourceMap::new(path.parent().map(Path::to_path_buf))
        .with_policy(confined_to(path.parent()));
    let mut diags = Vec::new();
    let out =
        load(path, &mut sources, &mut diags).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Loaded {
        out,
        sources,
        diags,
    }
}

/// Checks the fixture project `tests/fixtures/<folder>/<case>` (a manifest
/// and its configs): the (rule, severity) list found, and the gcc output
/// for its snapshot. A load error fails the test.
pub fn check_fixture(folder: &str, case: &str) -> (Vec<(String, String)>, String) {
    use timeoutlint::report::gcc;
    use timeoutlint::run::{RunOptions, run};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder)
        .join(case);
    let outcome = run(&[dir], &RunOptions::default());
    assert!(outcome.load_errors.is_empty(), "{:?}", outcome.load_errors);
    let found = outcome
        .diagnostics
        .iter()
        .map(|d| (d.code.id.to_string(), d.severity.as_str().to_string()))
        .collect();
    (
        found,
        gcc::render(&outcome.diagnostics, &[], &outcome.sources),
    )
}

/// One test per fixture project: `case!(test, "dir", [("TL101", "error")])`
/// asserts the exact (rule, severity) list and snapshots the gcc output.
/// The calling file defines `fn check(case: &str)` for its folder.
#[macro_export]
macro_rules! case {
    ($test:ident, $dir:literal, [$(($id:literal, $sev:literal)),* $(,)?]) => {
        #[test]
        fn $test() {
            let (found, text) = check($dir);
            let expected: Vec<(String, String)> = vec![$(($id.to_string(), $sev.to_string())),*];
            assert_eq!(found, expected, "{text}");
            insta::assert_snapshot!($dir, text);
        }
    };
}

/// Copies the folder `from` (files and subfolders) to `to`, creating it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}
