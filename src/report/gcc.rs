//! `gcc` format: one line per finding,
//! `file:line:col: error|warning|note: message [RULE-ID]`, as vim's
//! errorformat, emacs compile mode and VS Code's `$gcc` problem matcher read it
//! (CONVENTIONS.md section 3.4). Lines and columns are 1-based; columns count
//! characters.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Renders every diagnostic as one line (with a trailing newline).
pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let word = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        let message = d.message.replace('\n', " ");
        match d.primary.location {
            Some(loc) => {
                let r = sources.resolve(loc);
                out.push_str(&format!(
                    "{}:{}:{}: {word}: {message} [{}]\n",
                    r.file, r.start.line, r.start.column, d.code.id
                ));
            }
            None => out.push_str(&format!("timeoutlint: {word}: {message} [{}]\n", d.code.id)),
        }
    }
    out
}
