//! Renderers: one file per output format. They see only sorted
//! [`Diagnostic`]s (or chain rows) and the [`SourceMap`], never the model.

pub mod chain;
pub mod gcc;
pub mod human;
pub mod json;

use crate::diagnostic::{Diagnostic, Severity};

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
