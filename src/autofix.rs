//! `timeoutlint check --fix`: writes the one-value fixes
//! ([`crate::diagnostic::Fix`]) into the files they concern.
//!
//! Per file, the fixes of all findings are gathered; identical edits (two
//! findings fixed by the same value, e.g. TL101 and TL103 on one
//! `pool_recycle`) count once; an edit that overlaps one kept before it (in
//! file order) is skipped and said. A file is written only when its bytes
//! on disk are still exactly the text that was checked (not changed since,
//! plain UTF-8 without a byte-order mark): otherwise it is skipped and
//! said. Only files the check read are written; they are inside the
//! project root by the read policy ([`crate::source::ReadPolicy`]). The
//! file is rewritten in place (its permissions kept).

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap, Span};

/// What `--fix` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings whose fix was written.
    pub findings: usize,
    /// Display names of the files written, sorted.
    pub files: Vec<String>,
    /// Why a fix or a file was left alone, one line each.
    pub skipped: Vec<String>,
}

/// Applies the fixes of `diags` to their files. I/O errors become
/// [`Applied::skipped`] lines; nothing panics.
pub fn apply(diags: &[Diagnostic], sources: &SourceMap) -> Applied {
    // (span start, span end, replacement) -> findings fixed by it.
    let mut per_file: BTreeMap<FileId, BTreeMap<(usize, usize, String), usize>> = BTreeMap::new();
    for d in diags {
        if let Some(f) = &d.fix {
            let key = (
                f.location.span.start,
                f.location.span.end,
                f.replacement.clone(),
            );
            *per_file
                .entry(f.location.file)
                .or_default()
                .entry(key)
                .or_default() += 1;
        }
    }
    let mut out = Applied::default();
    for (id, edits) in per_file {
        let file = sources.get(id);
        let name = file.name().to_string();
        let text = file.text();
        match std::fs::read(file.path()) {
            Ok(bytes) if bytes == text.as_bytes() => {}
            Ok(_) => {
                out.skipped.push(format!(
                    "{name}: not fixed: it changed since it was checked, or is not plain UTF-8"
                ));
                continue;
            }
            Err(e) => {
                out.skipped.push(format!(
                    "{name}: not fixed: {}",
                    crate::source::io_reason(&e)
                ));
                continue;
            }
        }
        // Keep edits in file order that do not overlap the one before.
        let mut kept: Vec<(Span, &str, usize)> = Vec::new();
        for ((start, end, replacement), n) in &edits {
            let span = Span::new(*start, *end);
            let overlaps = kept.last().is_some_and(|(prev, _, _)| {
                span.start < prev.end || (span.start == prev.start && span.is_empty())
            });
            if !(text.is_char_boundary(*start) && text.is_char_boundary(*end) && start <= end) {
                out.skipped.push(format!(
                    "{name}: a fix at byte {start} is not on the text: not applied"
                ));
                continue;
            }
            if overlaps {
                out.skipped.push(format!(
                    "{name}: a fix at byte {start} overlaps another one: left for the next run"
                ));
                continue;
            }
            kept.push((span, replacement, *n));
        }
        let mut new = text.to_string();
        for (span, replacement, _) in kept.iter().rev() {
            new.replace_range(span.start..span.end, replacement);
        }
        match std::fs::write(file.path(), new) {
            Ok(()) => {
                out.findings += kept.iter().map(|(_, _, n)| n).sum::<usize>();
                out.files.push(name);
            }
            Err(e) => out.skipped.push(format!(
                "{name}: not fixed: {}",
                crate::source::io_reason(&e)
            )),
        }
    }
    out.files.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Label};
    use crate::rules::codes;
    use crate::source::Location;

    /// A finding on `file` with a fix replacing `start..end` by `text`.
    fn finding(file: FileId, start: usize, end: usize, text: &str) -> Diagnostic {
        let at = Location::new(file, Span::new(start, end));
        Diagnostic::new(
            codes::POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT,
            "m",
            Label::at(at, "x"),
        )
        .with_fix(Some(Fix {
            title: format!("set pool_recycle = {text}"),
            location: at,
            replacement: text.to_string(),
        }))
    }

    #[test]
    fn applies_in_place_counts_duplicates_once_and_skips_overlaps() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.yaml");
        let text = "pool_recycle: 3600\nother: 7200\n";
        std::fs::write(&path, text).unwrap();
        let mut sources = SourceMap::new(Some(dir.path().to_path_buf()));
        let id = sources.load(&path).unwrap();
        let diags = vec![
            finding(id, 14, 18, "3240"),
            // TL103 on the same value: the same edit, once.
            finding(id, 14, 18, "3240"),
            // Overlapping another: skipped, said.
            finding(id, 15, 17, "99"),
            finding(id, 26, 30, "540"),
        ];
        let applied = apply(&diags, &sources);
        assert_eq!(applied.findings, 3);
        assert_eq!(applied.files.len(), 1);
        assert_eq!(applied.skipped.len(), 1, "{applied:?}");
        assert!(applied.skipped[0].contains("overlaps"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "pool_recycle: 3240\nother: 540\n"
        );
        // The file changed since it was read: left alone.
        let again = apply(&diags, &sources);
        assert_eq!(again.findings, 0);
        assert!(again.skipped[0].contains("changed since it was checked"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "pool_recycle: 3240\nother: 540\n"
        );
    }

    #[test]
    fn no_fixes_writes_nothing() {
        let sources = SourceMap::new(None);
        assert_eq!(apply(&[], &sources), Applied::default());
    }
}
