//! `rdjson` format: one reviewdog `DiagnosticResult` (CONVENTIONS.md section
//! 3.3, `reviewdog/reviewdog` `proto/rdf`):
//!
//! ```json
//! {"source": {"name": "timeoutlint", "url": "..."},
//!  "severity": "ERROR",
//!  "diagnostics": [{"message": "...",
//!    "location": {"path": "app.yaml",
//!      "range": {"start": {"line": 3, "column": 17}, "end": {"line": 3, "column": 21}}},
//!    "severity": "ERROR",
//!    "code": {"value": "TL101", "url": "..."},
//!    "related_locations": [{"message": "...", "location": {...}}]}]}
//! ```
//!
//! Lines are 1-based. **Columns are UTF-8 byte columns** (1-based), as
//! rdjson specifies, unlike every other format here, which counts
//! characters: they are computed from the byte span, as the offset from the
//! start of the line plus one. The end position is exclusive. The top-level
//! `severity` (rdjson's default for diagnostics that set none) is the
//! highest severity present, `INFO` when there are no findings. A finding
//! with no file (a command-line flag) has no `location`. The message carries
//! the help after a newline.
//!
//! A failure that kept the run from checking everything (exit code 2) is a
//! diagnostic with severity `ERROR`, its message, no `code`, and a
//! `location` with only the `path` when the file is known; failures come
//! first, and make the top-level `severity` `ERROR`.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{HOMEPAGE, RunError, rule_url};
use crate::rules::catalogue::RuleDoc;
use crate::source::{Location, SourceMap};

#[derive(Serialize)]
struct Output {
    source: Source,
    severity: &'static str,
    diagnostics: Vec<RdDiagnostic>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: &'static str,
}

#[derive(Serialize)]
struct RdDiagnostic {
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<RdLocation>,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<Code>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Related>,
}

#[derive(Serialize)]
struct Code {
    value: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Related {
    message: String,
    location: RdLocation,
}

#[derive(Serialize)]
struct RdLocation {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<Range>,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

fn location(loc: Location, sources: &SourceMap) -> RdLocation {
    let file = sources.get(loc.file);
    let pos = |offset| {
        let at = file.byte_line_col(offset);
        Position {
            line: at.line,
            column: at.column,
        }
    };
    RdLocation {
        path: file.name().to_string(),
        range: Some(Range {
            start: pos(loc.span.start),
            end: pos(loc.span.end),
        }),
    }
}

fn failure(e: &RunError) -> RdDiagnostic {
    RdDiagnostic {
        message: e.message.clone(),
        location: e.file.as_ref().map(|f| RdLocation {
            path: f.clone(),
            range: None,
        }),
        severity: "ERROR",
        code: None,
        related_locations: Vec::new(),
    }
}

/// Renders the failures and diagnostics as one pretty-printed rdjson
/// document. `docs` is unused (rule URLs come from the code).
pub fn render(
    diags: &[Diagnostic],
    run_errors: &[RunError],
    sources: &SourceMap,
    _docs: &[RuleDoc],
) -> String {
    let worst = diags.iter().map(|d| d.severity).max();
    let out = Output {
        source: Source {
            name: "timeoutlint",
            url: HOMEPAGE,
        },
        severity: severity(if run_errors.is_empty() {
            worst.unwrap_or(Severity::Info)
        } else {
            Severity::Error
        }),
        diagnostics: run_errors
            .iter()
            .map(failure)
            .chain(diags.iter().map(|d| {
                let mut message = d.message.clone();
                if let Some(help) = &d.help {
                    message.push_str("\nhelp: ");
                    message.push_str(help);
                }
                RdDiagnostic {
                    message,
                    location: d.primary.location.map(|l| location(l, sources)),
                    severity: severity(d.severity),
                    code: Some(Code {
                        value: d.code.id,
                        url: rule_url(d.code.id, d.code.name),
                    }),
                    related_locations: d
                        .related
                        .iter()
                        .filter_map(|l| {
                            Some(Related {
                                message: l.message.clone(),
                                location: location(l.location?, sources),
                            })
                        })
                        .collect(),
                }
            }))
            .collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use crate::source::SourceFile;

    #[test]
    fn byte_columns_count_utf8_bytes() {
        let text = "ab\n# café = 1\n";
        let f = SourceFile::new("a", "a", text.to_string());
        let at = |o| {
            let p = f.byte_line_col(o);
            (p.line, p.column)
        };
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(3), (2, 1));
        let one = text.find('1').unwrap();
        // "# café = " is 9 characters but 10 bytes.
        assert_eq!(at(one), (2, 11));
        assert_eq!(at(text.len()), (3, 1));
        // Inside `é`: moved back to its first byte.
        let e = text.find('é').unwrap();
        assert_eq!(at(e + 1), at(e));
    }
}
