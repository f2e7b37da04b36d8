//! A finding's identity and seriousness, at the bottom of the module graph:
//! [`crate::diagnostic`] and [`crate::rules::codes`] (the constants) both
//! build on it, so neither imports the other (STYLE.md "Module boundaries").

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never a failure by default (`note` in gcc output).
    Info,
    /// Likely a problem.
    Warning,
    /// A connection will break, or an input could not be used.
    Error,
}

impl Severity {
    /// Lower-case word used in JSON and gcc output (`info` is `note` in gcc).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule's identity and default severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    /// Stable id, e.g. `TL101`.
    pub id: &'static str,
    /// Kebab-case name describing the bad pattern.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
}

pub(crate) const fn code(id: &'static str, name: &'static str, severity: Severity) -> Code {
    Code { id, name, severity }
}
