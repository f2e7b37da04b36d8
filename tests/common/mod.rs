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
