//! `json` format, version 1:
//!
//! ```json
//! {"version": 1,
//!  "diagnostics": [{"rule": "TL101", "name": "pool-recycle-exceeds-wait-timeout",
//!    "severity": "error", "message": "...", "file": "app/settings.yaml",
//!    "line": 4, "column": 17, "end_line": 4, "end_column": 21,
//!    "related": [{"file": "db/my.cnf", "line": 3, "column": 16, "message": "..."}],
//!    "help": "...",
//!    "fix": {"message": "set pool_recycle = 540", "edits": [{"file": "app/settings.yaml",
//!      "line": 4, "column": 17, "end_line": 4, "end_column": 21, "content": "540"}]}}],
//!  "summary": {"errors": 1, "warnings": 0, "infos": 0},
//!  "errors": [{"message": "timeoutlint.toml:2: cannot read missing.yaml: ...", "file": null}]}
//! ```
//!
//! `errors` lists the failures that kept the run from checking everything
//! (the run exits with 2); it is always present, empty when the run checked
//! everything, so a consumer must not read an empty `diagnostics` as clean
//! unless `errors` is empty too. `file` is the display name of the file
//! concerned, or `null`.
//!
//! `fix` is present only where one edit fixes the finding (the value to change
//! is written in a file): replace the span of each edit with its `content`,
//! in the file's own syntax (ruff's `fix.edits` shape).
//!
//! Lines and columns are 1-based (columns in characters); `end_*` is the
//! exclusive end of the span. `file`/`line`/`column` are `null` for a value
//! that lives in no file (a command-line flag). Order is the one global sort.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Label};
use crate::report::{RunError, counts};
use crate::source::SourceMap;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    message: &'a str,
    file: Option<&'a str>,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    related: Vec<Related<'a>>,
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
struct Edit<'a> {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: &'a str,
}

#[derive(Serialize)]
struct Related<'a> {
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    message: &'a str,
}

fn related<'a>(l: &'a Label, sources: &SourceMap) -> Related<'a> {
    let r = l.location.map(|x| sources.resolve(x));
    Related {
        file: r.as_ref().map(|r| r.file.clone()),
        line: r.as_ref().map(|r| r.start.line),
        column: r.as_ref().map(|r| r.start.column),
        end_line: r.as_ref().map(|r| r.end.line),
        end_column: r.as_ref().map(|r| r.end.column),
        message: &l.message,
    }
}

/// Renders the diagnostics and failures as one pretty-printed JSON document.
pub fn render(diags: &[Diagnostic], run_errors: &[RunError], sources: &SourceMap) -> String {
    let (errors, warnings, infos) = counts(diags);
    let out = Output {
        version: 1,
        diagnostics: diags
            .iter()
            .map(|d| {
                let p = related(&d.primary, sources);
                JsonDiagnostic {
                    rule: d.code.id,
                    name: d.code.name,
                    severity: d.severity.as_str(),
                    message: &d.message,
                    file: p.file,
                    line: p.line,
                    column: p.column,
                    end_line: p.end_line,
                    end_column: p.end_column,
                    related: d.related.iter().map(|l| related(l, sources)).collect(),
                    help: d.help.as_deref(),
                    fix: d.fix.as_ref().map(|f| {
                        let r = sources.resolve(f.location);
                        JsonFix {
                            message: &f.title,
                            edits: vec![Edit {
                                file: r.file,
                                line: r.start.line,
                                column: r.start.column,
                                end_line: r.end.line,
                                end_column: r.end.column,
                                content: &f.replacement,
                            }],
                        }
                    }),
                }
            })
            .collect(),
        summary: Summary {
            errors,
            warnings,
            infos,
        },
        errors: run_errors
            .iter()
            .map(|e| JsonError {
                message: &e.message,
                file: e.file.as_deref(),
            })
            .collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}
