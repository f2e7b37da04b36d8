//! Applying one occurrence of a setting: number, unit, range, and the
//! bare-milliseconds check.

use crate::diagnostic::{Diagnostic, Label};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::Location;

use super::load::Loader;
use super::number::unit_suggestion;
use super::settings::{OTHER_MS_TIMEOUTS, Var, var};
use super::{BaseUnit, IntError, ParsedInt, parse_int};

/// A value to apply: the text the server parses, where it is, and how it
/// was written.
pub(super) struct ValueRef<'t> {
    pub(super) text: &'t str,
    pub(super) at: Location,
    /// From a dump (units explicit there: no TL007).
    pub(super) dump: bool,
}

impl Loader<'_> {
    /// Applies one occurrence of a setting.
    /// Returns the setting it set, if it set one.
    pub(super) fn apply(
        &mut self,
        report: bool,
        name: &str,
        value: ValueRef<'_>,
    ) -> Option<&'static Var> {
        let at = value.at;
        let raw = self.sources.get(at.file).slice(at.span).to_string();
        let shown = if raw.is_empty() { value.text } else { &raw };
        if !value.dump && OTHER_MS_TIMEOUTS.contains(&name) {
            // Not modelled: only the unit trap is checked.
            if let Ok(parsed) = parse_int(value.text, BaseUnit::Milliseconds) {
                self.bare_ms_check(report, name, shown, value.text, &parsed, at);
            }
            return None;
        }
        let var = var(name)?;
        let parsed = match parse_int(value.text, var.unit) {
            Ok(p) => p,
            Err(err) => {
                let d = invalid_value(var, shown, value.text, &err, at);
                self.emit(report, d);
                return None;
            }
        };
        if parsed.value < var.min || parsed.value > var.max {
            let n = parsed.value;
            let what = if parsed.unit.is_some() {
                format!("`{shown}` (= {})", var.fmt(n))
            } else {
                format!("`{shown}`")
            };
            let side = if n < var.min {
                format!("below the minimum {}", var.fmt(var.min))
            } else {
                format!("above the maximum {}", var.fmt(var.max))
            };
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!("{} value {what} is {side}", var.name),
                    Label::at(at, "out of range; ignored"),
                )
                .with_help(format!(
                    "PostgreSQL accepts {}; the server rejects this value, so this \
                     occurrence is ignored",
                    var.range()
                )),
            );
            return None;
        }
        if !value.dump && var.bare_ms_timeout() {
            self.bare_ms_check(report, var.name, shown, value.text, &parsed, at);
        }
        self.values
            .insert(var.name, Sourced::new(parsed.value, Origin::File(at)));
        Some(var)
    }
}

impl Loader<'_> {
    /// [`codes::BARE_TIMEOUT_IN_MILLISECONDS`] for an ms `*_timeout` written
    /// as a bare number between 0 and 1000.
    fn bare_ms_check(
        &mut self,
        report: bool,
        name: &str,
        shown: &str,
        text: &str,
        parsed: &ParsedInt,
        at: Location,
    ) {
        if parsed.unit.is_some() || parsed.number <= 0.0 || parsed.number >= 1000.0 {
            return;
        }
        let num = text.trim();
        self.emit(
            report,
            Diagnostic::new(
                codes::BARE_TIMEOUT_IN_MILLISECONDS,
                format!(
                    "`{name} = {shown}` is {} ms; PostgreSQL reads a bare number in milliseconds",
                    parsed.value
                ),
                Label::at(at, format!("used as {} ms", parsed.value)),
            )
            .with_help(format!(
                "if you meant seconds, write `{name} = '{num}s'`; write `'{num}ms'` to keep \
                 milliseconds and make the unit explicit"
            )),
        );
    }
}

/// The TL002 diagnostic for a value `parse_int` rejected.
fn invalid_value(var: &Var, shown: &str, text: &str, err: &IntError, at: Location) -> Diagnostic {
    let example = match var.unit {
        BaseUnit::Milliseconds => format!("`{} = '30s'`", var.name),
        BaseUnit::Seconds => format!("`{} = '60s'`", var.name),
        BaseUnit::Count => format!("`{} = {}`", var.name, var.default.max(var.min)),
    };
    let units = "valid units are us, ms, s, min, h and d (case-sensitive)";
    let (msg, label, help) = match err {
        IntError::NotANumber if var.unit == BaseUnit::Count => (
            format!("{} value `{shown}` is not a whole number", var.name),
            "not a number".to_string(),
            format!("write a plain count, e.g. {example}"),
        ),
        IntError::NotANumber => (
            format!(
                "{} value `{shown}` is not a number with an optional unit",
                var.name
            ),
            "not a number".to_string(),
            format!("write a number and a unit, e.g. {example}; {units}"),
        ),
        IntError::UnitNotAllowed(u) => (
            format!(
                "{} value `{shown}` has a unit `{u}`, but {} is a plain count",
                var.name, var.name
            ),
            "no unit allowed".to_string(),
            format!("write a plain count, e.g. {example}"),
        ),
        IntError::InvalidUnit(u) => {
            let number = text.trim().strip_suffix(u.as_str()).unwrap_or("").trim();
            let fix = match unit_suggestion(u) {
                Some(s) if !number.is_empty() => {
                    format!("write `{} = '{number}{s}'`; {units}", var.name)
                }
                _ => format!("e.g. {example}; {units}"),
            };
            (
                format!("{} value `{shown}` has an invalid unit `{u}`", var.name),
                format!("unit `{u}` is not valid"),
                fix,
            )
        }
        IntError::OutOfIntRange => (
            format!(
                "{} value `{shown}` is above the maximum {}",
                var.name,
                var.fmt(var.max)
            ),
            "out of range".to_string(),
            format!("PostgreSQL accepts {}", var.range()),
        ),
    };
    Diagnostic::new(codes::INVALID_VALUE, msg, Label::at(at, label)).with_help(format!(
        "{help}; the server rejects this value, so this occurrence is ignored"
    ))
}
