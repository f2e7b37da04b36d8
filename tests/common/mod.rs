//! Shared by the corpus tests: find `../shared/corpus/<kind>` or say (past
//! the harness's output capture) that the tests skip, and describe
//! diagnostics for assertion messages.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use timeoutlint::diagnostic::Diagnostic;
use timeoutlint::source::{DEFAULT_MAX_FILE_SIZE, ReadPolicy, SourceMap};

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
