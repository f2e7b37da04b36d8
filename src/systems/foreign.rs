//! Files that are not configs of the expected kind.
//!
//! A pull request author can point an include (or a manifest entry) at any
//! file inside the project root: `.env`, a key, a README. Quoting its lines in
//! syntax findings would print that file into CI logs, annotations and SARIF.
//! So when at least half the meaningful lines of an included file (all of a
//! named file) do not parse as its kind, its
//! per-line findings are dropped and replaced by one finding that quotes
//! nothing ("`x` is not a my.cnf: 37 of 37 lines do not parse").

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Label};
use crate::rules::codes;
use crate::source::{FileId, Location, SourceMap};

/// A file is foreign when at least this many lines fail to parse...
const MIN_BAD_LINES: usize = 2;

/// ...and they are at least half of its meaningful lines (an included
/// file), or all of them (a file the manifest or command line names: there
/// the line-by-line findings of a config full of typos stay useful, as long
/// as some line is a config line).
fn is_foreign(bad: usize, total: usize, included: bool) -> bool {
    bad >= MIN_BAD_LINES
        && if included {
            bad * 2 >= total
        } else {
            bad == total
        }
}

/// Meaningful lines: not blank, not a `#` or `;` comment.
fn meaningful_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let t = l.trim();
        (!t.is_empty() && !t.starts_with('#') && !t.starts_with(';')).then_some((i + 1, t))
    })
}

/// Checks file `file` after its reader pushed `diags[from..]`.
///
/// A line does not parse when a [`codes::SYNTAX_ERROR`] finding sits on it,
/// or when `looks_bad` (the kind's own line test, for parsers that stop at
/// the first error) says so. When the file is foreign, every finding located
/// in it is removed; then, for an include (`at` is the directive), one
/// finding is pushed there, and `Ok(())` is returned; for a file named by the
/// user (`at` is `None`), the message is returned as `Err` for the loader to
/// report as an input that cannot be used.
///
/// Errors: the "not a {kind}" message, when `at` is `None` and the file is
/// foreign.
pub fn collapse(
    diags: &mut Vec<Diagnostic>,
    from: usize,
    file: FileId,
    sources: &SourceMap,
    kind: &str,
    at: Option<Location>,
    looks_bad: Option<&dyn Fn(&str) -> bool>,
) -> Result<(), String> {
    let f = sources.get(file);
    let in_file = |d: &Diagnostic| d.primary.location.is_some_and(|l| l.file == file);
    let mut bad: BTreeSet<usize> = diags[from.min(diags.len())..]
        .iter()
        .filter(|d| d.code == codes::SYNTAX_ERROR && in_file(d))
        .filter_map(|d| d.primary.location)
        .map(|l| f.line_col(l.span.start).line)
        .collect();
    let mut total = 0;
    for (line, text) in meaningful_lines(f.text()) {
        total += 1;
        if looks_bad.is_some_and(|p| p(text)) {
            bad.insert(line);
        }
    }
    let bad = bad.len().min(total);
    if !is_foreign(bad, total, at.is_some()) {
        return Ok(());
    }
    let mut i = from.min(diags.len());
    while i < diags.len() {
        if in_file(&diags[i]) {
            diags.remove(i);
        } else {
            i += 1;
        }
    }
    let message = format!(
        "`{}` is not {kind}: {bad} of {total} lines do not parse; none of it is shown",
        f.name()
    );
    match at {
        Some(at) => {
            diags.push(
                Diagnostic::new(
                    codes::INCLUDE_UNREADABLE,
                    message,
                    Label::at(at, "not a config"),
                )
                .with_help(
                    "include only configs of this kind; the file's lines are not quoted \
                         because it may hold anything (keys, tokens)",
                ),
            );
            Ok(())
        }
        None => Err(message),
    }
}

/// Reports the first NUL byte of file `id`, if any, as [`codes::SYNTAX_ERROR`]:
/// the servers read option files with C string functions, so a line ends
/// for them at a NUL, and what follows on it is lost (a `[mysqld\0]` header
/// is "Wrong group definition"). Text files never hold one; it is also a
/// sign of a binary file. The rest of the file is still read as written.
pub fn report_nul_byte(id: FileId, sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
    let text = sources.get(id).text();
    if let Some(at) = text.find('\0') {
        diags.push(
            Diagnostic::new(
                codes::SYNTAX_ERROR,
                "a NUL byte in the file; the server ends the line here",
                Label::at(
                    Location::new(id, crate::source::Span::new(at, at + 1)),
                    "NUL byte",
                ),
            )
            .with_help("remove the NUL bytes: a config file is text"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn setup(text: &str, bad_lines: &[usize]) -> (SourceMap, FileId, Vec<Diagnostic>) {
        let mut m = SourceMap::new(None);
        let id = m.add(std::path::Path::new("x.cnf"), text.to_string());
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let diags = bad_lines
            .iter()
            .map(|l| {
                let s = starts[l - 1];
                Diagnostic::new(
                    codes::SYNTAX_ERROR,
                    "bad",
                    Label::at(Location::new(id, Span::new(s, s + 1)), "x"),
                )
            })
            .collect();
        (m, id, diags)
    }

    #[test]
    fn most_lines_bad_is_foreign_and_quotes_nothing() {
        let text = "root:x:0:0\n# c\n\ndaemon:x:1:1\nbin:x:2:2\n";
        let (m, id, mut diags) = setup(text, &[1, 4]);
        let at = Location::new(FileId(99), Span::new(0, 1));
        collapse(&mut diags, 0, id, &m, "a my.cnf", Some(at), None).unwrap();
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].primary.location, Some(at));
        assert!(
            diags[0].message.contains("2 of 3 lines"),
            "{}",
            diags[0].message
        );
        assert!(!diags[0].message.contains("root"));
        // A named file: the message comes back as an error.
        let (m, id, mut diags) = setup(text, &[1, 4, 5]);
        let err = collapse(&mut diags, 0, id, &m, "a my.cnf", None, None).unwrap_err();
        assert!(diags.is_empty());
        assert!(err.contains("is not a my.cnf"));
    }

    #[test]
    fn a_config_with_a_typo_keeps_its_findings() {
        let text = "[mysqld]\nwait_timeout = 60\nbad line\nmax_connections = 10\n";
        let (m, id, mut diags) = setup(text, &[3]);
        collapse(&mut diags, 0, id, &m, "a my.cnf", None, None).unwrap();
        assert_eq!(diags.len(), 1);
        // One bad line of four is not foreign.
        let (m, id, mut diags) = setup(text, &[3]);
        let at = Location::new(FileId(99), Span::new(0, 1));
        collapse(&mut diags, 0, id, &m, "a my.cnf", Some(at), None).unwrap();
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "bad");
        // Half of them is (a git config read as a postgresql.conf).
        let (m, id, mut diags) = setup(text, &[1, 3]);
        collapse(&mut diags, 0, id, &m, "a my.cnf", Some(at), None).unwrap();
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("2 of 4"), "{}", diags[0].message);
        // A named file with one config line keeps its findings.
        let (m, id, mut diags) = setup(text, &[1, 3, 4]);
        collapse(&mut diags, 0, id, &m, "a my.cnf", None, None).unwrap();
        assert_eq!(diags.len(), 3);
    }

    #[test]
    fn line_test_counts_for_parsers_that_stop_early() {
        let text = "root:x:0:0\ndaemon:x:1:1\nbin:x:2:2\n";
        let (m, id, mut diags) = setup(text, &[1]);
        let bad = |l: &str| !l.ends_with(';');
        let err = collapse(&mut diags, 0, id, &m, "an nginx config", None, Some(&bad)).unwrap_err();
        assert!(err.contains("3 of 3"), "{err}");
    }
}
