//! `human` format: miette graphical reports with source snippets.
//!
//! The primary label sits on the value to change; related labels in the same
//! file join it, labels in other files become related reports with their own
//! snippet; labels with no file (command-line flags) become notes. Links are
//! always off (miette emits OSC-8 hyperlinks even when piped, CRATES.md §4).

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::report::summary;
use crate::source::{FileId, SourceMap};

/// Colour choice for the human renderer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// ANSI colours and unicode drawing.
    Always,
    /// Plain unicode drawing, no escapes (deterministic; used when piped).
    Never,
}

struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

fn named(sources: &SourceMap, file: FileId) -> NamedSource<String> {
    let f = sources.get(file);
    NamedSource::new(f.name(), f.masked_text().to_string())
}

fn span_of(label: &Label) -> Option<SourceSpan> {
    label
        .location
        .map(|l| SourceSpan::new(l.span.start.into(), l.span.len()))
}

fn build(d: &Diagnostic, sources: &SourceMap) -> Report {
    let primary_file = d.primary.location.map(|l| l.file);
    let mut labels = Vec::new();
    if let Some(span) = span_of(&d.primary) {
        labels.push(LabeledSpan::new_primary_with_span(
            Some(d.primary.message.clone()),
            span,
        ));
    }
    let mut notes = Vec::new();
    let mut related = Vec::new();
    for l in &d.related {
        match (l.location, span_of(l)) {
            (Some(loc), Some(span)) if Some(loc.file) == primary_file => {
                labels.push(LabeledSpan::new_with_span(Some(l.message.clone()), span));
            }
            (Some(loc), Some(span)) => related.push(Report {
                message: l.message.clone(),
                code: String::new(),
                severity: miette::Severity::Advice,
                help: None,
                source: Some(named(sources, loc.file)),
                labels: vec![LabeledSpan::new_primary_with_span(None, span)],
                related: Vec::new(),
            }),
            _ => notes.push(format!("note: {}", l.message)),
        }
    }
    let mut help = d.help.clone();
    if !notes.is_empty() {
        let joined = notes.join("\n");
        help = Some(match help {
            Some(h) => format!("{h}\n{joined}"),
            None => joined,
        });
    }
    Report {
        message: d.message.clone(),
        code: format!("{} {}", d.code.id, d.code.name),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        help,
        source: primary_file.map(|f| named(sources, f)),
        labels,
        related,
    }
}

/// Renders every diagnostic as a graphical report, then a summary line.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: Color) -> String {
    let theme = match color {
        Color::Always => GraphicalTheme::unicode(),
        Color::Never => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let mut out = String::new();
    for d in diags {
        let report = build(d, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", d.code.id, d.message));
        }
        out.push('\n');
    }
    out.push_str(&summary(diags));
    out.push('\n');
    out
}
