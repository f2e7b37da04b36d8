//! Renderers: one file per output format. They see only sorted
//! [`Diagnostic`]s (or chain rows), the [`RunError`]s that kept the run from
//! checking everything, and the [`SourceMap`], never the model.
//!
//! Every text a pull-request author controls (file names, values, messages
//! quoting them) is escaped before it is printed; see [`escape`] for the
//! rules of the text formats.
//!
//! [`SourceMap`]: crate::source::SourceMap

pub mod chain;
pub mod checkstyle;
pub mod concise;
pub mod escape;
pub mod gcc;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod mermaid;
pub mod rdjson;
pub mod sarif;
pub mod svg;
pub mod xml;

use crate::diagnostic::{Diagnostic, Severity};

/// A failure that kept the run from checking everything: an input that
/// does not exist or cannot be read, a manifest or configuration error. The
/// run exits with 2, and every format says so (SARIF
/// `executionSuccessful: false`, a JSON `errors` entry, an `::error::` line,
/// and so on), so that a failed run never looks like a clean one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    /// What went wrong, e.g. `timeoutlint.toml:2: cannot read missing.yaml: no
    /// such file or directory`.
    pub message: String,
    /// The display name of the file concerned, when known.
    pub file: Option<String>,
}

impl From<String> for RunError {
    fn from(message: String) -> Self {
        RunError::new(message)
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl RunError {
    /// A failure concerning `file` (a display name).
    pub fn in_file(message: impl Into<String>, file: impl Into<String>) -> Self {
        RunError {
            message: message.into(),
            file: Some(file.into()),
        }
    }

    /// A failure with no file.
    pub fn new(message: impl Into<String>) -> Self {
        RunError {
            message: message.into(),
            file: None,
        }
    }
}

/// The project's home page: SARIF `tool.driver.informationUri`, rdjson
/// `source.url`. Placeholder until the repository has its public address.
pub const HOMEPAGE: &str = "https://github.com/timeoutlint/timeoutlint";

/// Where rule `id`'s documentation lives: its catalogue file, which is also
/// what `timeoutlint explain ID` prints (SARIF `helpUri`, rdjson `code.url`).
pub fn rule_url(id: &str, name: &str) -> String {
    format!("{HOMEPAGE}/blob/main/rules/{id}-{name}.toml")
}

/// Counts by severity: `(errors, warnings, infos)`.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize, usize) {
    let n = |s| diags.iter().filter(|d| d.severity == s).count();
    (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
}

/// `1 error, 2 warnings` / `no problems found`: the summary of a run that
/// checked everything (see [`run_summary`] for one that may not have).
pub fn summary(diags: &[Diagnostic]) -> String {
    let (e, w, i) = counts(diags);
    let mut parts = Vec::new();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if e > 0 {
        parts.push(plural(e, "error"));
    }
    if w > 0 {
        parts.push(plural(w, "warning"));
    }
    if i > 0 {
        parts.push(plural(i, "note"));
    }
    if parts.is_empty() {
        "no problems found".to_string()
    } else {
        parts.join(", ")
    }
}

/// `1 fixable with --fix` (ruff's note), `None` when no finding has a fix:
/// the line after the summary of the `human` and `concise` formats.
pub fn fixable_note(diags: &[Diagnostic]) -> Option<String> {
    let n = diags.iter().filter(|d| d.fix.is_some()).count();
    (n > 0).then(|| format!("{n} fixable with --fix"))
}

/// The summary line of the `human` and `concise` formats: [`summary`] when
/// the run checked everything; otherwise `could not check: 1 input could not
/// be read`, after the counts when there are findings
/// (`1 error; could not check: 2 inputs could not be read`). Never
/// `no problems found` for a failed run.
pub fn run_summary(diags: &[Diagnostic], errors: &[RunError]) -> String {
    if errors.is_empty() {
        return summary(diags);
    }
    let n = errors.len();
    let failed = format!(
        "could not check: {n} input{} could not be read",
        if n == 1 { "" } else { "s" }
    );
    if diags.is_empty() {
        failed
    } else {
        format!("{}; {failed}", summary(diags))
    }
}
