//! `concise` format, ruff-style: one line per finding,
//! `file:line:col: TL101 message`, with no severity word, then the summary
//! line of [`crate::report::run_summary`]. Lines and columns are 1-based;
//! columns count characters. A finding with no file (a command-line flag) is
//! shown as `timeoutlint: TL101 message`.
//!
//! File names and messages are escaped as [`crate::report::escape`]
//! describes (no control character, no line starting with `::`, long quoted
//! values cut). When the run could not check everything, the summary line
//! says `could not check: N input(s) could not be read`; the failures
//! themselves go to standard error.

use crate::diagnostic::Diagnostic;
use crate::report::escape;
use crate::report::{RunError, run_summary};
use crate::rules::catalogue::RuleDoc;
use crate::source::SourceMap;

/// Renders one line per diagnostic and the summary line (each with a
/// trailing newline). `docs` is unused.
pub fn render(
    diags: &[Diagnostic],
    errors: &[RunError],
    sources: &SourceMap,
    _docs: &[RuleDoc],
) -> String {
    let mut out = String::new();
    for d in diags {
        let message = escape::text(&d.message);
        match d.primary.location {
            Some(loc) => {
                let r = sources.resolve(loc);
                out.push_str(&format!(
                    "{}:{}:{}: {} {message}\n",
                    escape::file_name(&r.file),
                    r.start.line,
                    r.start.column,
                    d.code.id
                ));
            }
            None => out.push_str(&format!("timeoutlint: {} {message}\n", d.code.id)),
        }
    }
    out.push_str(&run_summary(diags, errors));
    out.push('\n');
    if let Some(note) = super::fixable_note(diags) {
        out.push_str(&note);
        out.push('\n');
    }
    out
}
