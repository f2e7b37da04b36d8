//! `checkstyle` format: Checkstyle 4.3 XML as ShellCheck writes it and
//! reviewdog (`-f=checkstyle`) and Jenkins read it (CONVENTIONS.md section
//! 3.5):
//!
//! ```xml
//! <?xml version='1.0' encoding='UTF-8'?>
//! <checkstyle version='4.3'>
//! <file name='app.yaml'>
//! <error line='3' column='17' severity='error' message='...' source='timeoutlint.TL101'/>
//! </file>
//! </checkstyle>
//! ```
//!
//! One `<file>` per file in file-name order, its errors in the global order.
//! Lines and columns are 1-based, columns in characters; the format has no
//! end position. Severity is `error`, `warning` or `info`. The message
//! carries the help after a newline (`&#10;`). Findings with no file
//! (command-line flags) go under a first `<file name='timeoutlint'>`, without
//! `line`/`column`.
//!
//! A failure that kept the run from checking everything (exit code 2) is an
//! `<error severity='error' message='...' source='timeoutlint.input'/>`
//! without `line`/`column`, under the `<file>` it concerns, or under
//! `<file name='timeoutlint'>` when that is not known; failures come before
//! the findings of their file.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::report::RunError;
use crate::report::xml::escape;
use crate::rules::catalogue::RuleDoc;
use crate::source::SourceMap;

/// Renders the diagnostics and failures as one Checkstyle XML document.
/// `docs` is unused.
pub fn render(
    diags: &[Diagnostic],
    run_errors: &[RunError],
    sources: &SourceMap,
    _docs: &[RuleDoc],
) -> String {
    let mut files: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for e in run_errors {
        files.entry(e.file.clone()).or_default().push(format!(
            "<error severity='error' message='{}' source='timeoutlint.input'/>\n",
            escape(&e.message)
        ));
    }
    for d in diags {
        let r = d.primary.location.map(|l| sources.resolve(l));
        let position = match &r {
            Some(r) => format!("line='{}' column='{}' ", r.start.line, r.start.column),
            None => String::new(),
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        files.entry(r.map(|r| r.file)).or_default().push(format!(
            "<error {position}severity='{}' message='{}' source='timeoutlint.{}'/>\n",
            d.severity.as_str(),
            escape(&message),
            escape(d.code.id),
        ));
    }
    let mut out =
        String::from("<?xml version='1.0' encoding='UTF-8'?>\n<checkstyle version='4.3'>\n");
    for (file, errors) in &files {
        out.push_str(&format!(
            "<file name='{}'>\n",
            escape(file.as_deref().unwrap_or("timeoutlint"))
        ));
        for e in errors {
            out.push_str(e);
        }
        out.push_str("</file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
