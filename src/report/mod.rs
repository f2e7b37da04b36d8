//! Renderers: one file per output format. They see only sorted
//! [`Diagnostic`]s (or chain rows) and the [`SourceMap`], never the model.

pub mod chain;
pub mod checkstyle;
pub mod concise;
pub mod gcc;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod rdjson;
pub mod sarif;
pub mod xml;

use crate::diagnostic::{Diagnostic, Severity};

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

/// `1 error, 2 warnings` / `no problems`.
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
