//! `gcc` format: one line per finding,
//! `file:line:col: error|warning|note: message [RULE-ID]`, as vim's
//! errorformat, emacs compile mode and VS Code's `$gcc` problem matcher read it
//! (CONVENTIONS.md section 3.4). Lines and columns are 1-based; columns count
//! characters.
//!
//! File names and messages are escaped as [`crate::report::escape`]
//! describes (no control character, no line starting with `::`, long quoted
//! values cut). Each failure that kept the run from checking everything
//! (exit code 2) ends the output with one more line,
//! `timeoutlint: error: MESSAGE` (`FILE: error: MESSAGE` when the file is
//! known), as gcc reports a file it cannot read.

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{RunError, escape};
use crate::source::SourceMap;

/// Renders every diagnostic as one line, then one line per failure (each
/// with a trailing newline).
pub fn render(diags: &[Diagnostic], errors: &[RunError], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let word = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        let message = escape::text(&d.message);
        match d.primary.location {
            Some(loc) => {
                let r = sources.resolve(loc);
                out.push_str(&format!(
                    "{}:{}:{}: {word}: {message} [{}]\n",
                    escape::file_name(&r.file),
                    r.start.line,
                    r.start.column,
                    d.code.id
                ));
            }
            None => out.push_str(&format!("timeoutlint: {word}: {message} [{}]\n", d.code.id)),
        }
    }
    for e in errors {
        let file = e.file.as_deref().unwrap_or("timeoutlint");
        out.push_str(&format!(
            "{}: error: {}\n",
            escape::file_name(file),
            escape::text(&e.message)
        ));
    }
    out
}
