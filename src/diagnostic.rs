//! Our own diagnostic type. Parsers and rules produce it; renderers consume it.
//!
//! miette appears only in the human renderer (`report::human`).

pub use crate::code::{Code, Severity};
use crate::source::{Location, SourceMap};

/// A position with a message: the primary label sits on the value to change,
/// related labels on the other end of a mismatch.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    /// Where, when the value lives in a file (a CLI flag has no location).
    pub location: Option<Location>,
    /// What this end contributes, e.g. `wait_timeout = 600 s`.
    pub message: String,
}

impl Label {
    /// A label at `location`.
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        Label {
            location: Some(location),
            message: message.into(),
        }
    }

    /// A label at an optional location.
    pub fn maybe(location: Option<Location>, message: impl Into<String>) -> Self {
        Label {
            location,
            message: message.into(),
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// The rule's stable code and name.
    pub code: Code,
    /// Severity of this instance (rules may soften their default).
    pub severity: Severity,
    /// One line, lower-case start, no trailing period.
    pub message: String,
    /// The value to change.
    pub primary: Label,
    /// The other end(s) of the mismatch.
    pub related: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// The fix as an edit, where the value to change is written in a file
    /// and one value fixes it (the language server's quick fix).
    pub fix: Option<Fix>,
}

/// A machine-applicable fix: replace the text at `location` (a value as
/// written in its file) with `replacement`, written in the file's own
/// syntax and unit (quotes kept).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    /// What the edit does, e.g. `set pool_recycle = 3240`.
    pub title: String,
    /// The value text to replace.
    pub location: Location,
    /// The new value text.
    pub replacement: String,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>, primary: Label) -> Self {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            primary,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// Overrides the severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds a related label.
    pub fn with_related(mut self, label: Label) -> Self {
        self.related.push(label);
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches a fix (none when `fix` is `None`).
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}

/// Sorts diagnostics once, before any renderer, and drops exact duplicates
/// (a file shared by two paths is parsed once per path).
///
/// Order: file display name, line, column, rule id, message.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>, sources: &SourceMap) {
    let key = |d: &Diagnostic| {
        let pos = d.primary.location.map(|l| sources.resolve(l));
        (
            pos.as_ref().map(|r| r.file.clone()),
            pos.as_ref().map(|r| (r.start, r.end)),
            d.code.id,
            d.message.clone(),
            d.related
                .iter()
                .map(|l| (l.location.map(|x| sources.resolve(x)), l.message.clone()))
                .collect::<Vec<_>>(),
        )
    };
    let mut keyed: Vec<_> = diags.drain(..).map(|d| (key(&d), d)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    diags.extend(keyed.into_iter().map(|(_, d)| d));
}
