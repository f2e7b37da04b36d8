//! `concise` format, ruff-style: one line per finding,
//! `file:line:col: TL101 message`, with no severity word, then the summary
//! line of [`crate::report::summary`]. Lines and columns are 1-based; columns
//! count characters. A finding with no file (a command-line flag) is shown as
//! `timeoutlint: TL101 message`.

use crate::diagnostic::Diagnostic;
use crate::report::summary;
use crate::rules::catalogue::RuleDoc;
use crate::source::SourceMap;

/// Renders one line per diagnostic and the summary line (each with a
/// trailing newline). `docs` is unused.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, _docs: &[RuleDoc]) -> String {
    let mut out = String::new();
    for d in diags {
        let message = d.message.replace(['\r', '\n'], " ");
        match d.primary.location {
            Some(loc) => {
                let r = sources.resolve(loc);
                out.push_str(&format!(
                    "{}:{}:{}: {} {message}\n",
                    r.file, r.start.line, r.start.column, d.code.id
                ));
            }
            None => out.push_str(&format!("timeoutlint: {} {message}\n", d.code.id)),
        }
    }
    out.push_str(&summary(diags));
    out.push('\n');
    out
}
