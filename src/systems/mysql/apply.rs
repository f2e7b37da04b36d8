//! Applying one occurrence of an option: its number, range and clamp.

use crate::diagnostic::{Diagnostic, Label};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::Location;

use super::load::Loader;
use super::settings::{Var, var};
use super::{
    NumberError, NumberSyntax, normalize_option_name, parse_number, parse_plain_number,
    server_suffix_reading,
};

impl Loader<'_> {
    /// Applies one occurrence of an option in a server-read group (or one
    /// row of a dump), its value written in `syntax`. Returns the variable
    /// it set, if it set one.
    pub(super) fn apply(
        &mut self,
        report: bool,
        name: &str,
        name_at: Location,
        value: Option<(&str, Location)>,
        syntax: NumberSyntax,
    ) -> Option<&'static Var> {
        let norm = normalize_option_name(name)?;
        let var = var(&norm)?;
        let unit = if var.seconds {
            "a number of seconds"
        } else {
            "a number"
        };
        let Some((text, at)) = value else {
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "`{name}` has no value; {} needs a number ({unit})",
                        var.name
                    ),
                    Label::at(name_at, "no `= value`"),
                )
                .with_help(format!(
                    "write it as `{} = {}`; the server refuses to start without a value",
                    var.name, var.default
                )),
            );
            return None;
        };
        let raw = self.sources.get(at.file).slice(at.span).to_string();
        let shown = if raw.is_empty() { text } else { raw.as_str() };
        let lenient = match (syntax, parse_number(text)) {
            (NumberSyntax::Option, Err(NumberError::Malformed)) => server_suffix_reading(text),
            _ => None,
        };
        if let Some((n, suffix, tail)) = lenient {
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "{} value `{shown}` is read by mysqld as {n}{}: the suffix `{suffix}` multiplies by a power of 1024 and the text `{tail}` after it is ignored",
                        var.name,
                        if var.seconds { " s" } else { "" }
                    ),
                    Label::at(at, "suffix, not a unit"),
                )
                .with_severity(crate::diagnostic::Severity::Warning)
                .with_help(format!(
                    "MySQL reads whole seconds and has no time units; write the number of seconds, e.g. `{} = 600` for ten minutes",
                    var.name
                )),
            );
        }
        let parsed = match (lenient, syntax) {
            (Some((n, _, _)), _) => Ok(n),
            (None, NumberSyntax::Option) => parse_number(text),
            (None, NumberSyntax::Plain) => parse_plain_number(text),
        };
        let n = match parsed {
            Ok(n) => n,
            Err(err) => {
                let (msg, help) = match err {
                    NumberError::Malformed if syntax == NumberSyntax::Plain => (
                        format!("{} value `{shown}` is not a plain integer", var.name),
                        format!(
                            "`SHOW VARIABLES` prints {} as a whole number{}, so this value \
                             was edited or cut; take a fresh dump",
                            var.name,
                            if var.seconds { " of seconds" } else { "" }
                        ),
                    ),
                    NumberError::Malformed if var.seconds => (
                        format!(
                            "{} value `{shown}` is not an integer with an optional K/M/G suffix",
                            var.name
                        ),
                        format!(
                            "MySQL reads whole seconds; K/M/G multiply by 1024 and other letters \
                             such as `h` are rejected, so write e.g. `{} = 3600` for one hour",
                            var.name
                        ),
                    ),
                    NumberError::Malformed => (
                        format!(
                            "{} value `{shown}` is not an integer with an optional K/M/G suffix",
                            var.name
                        ),
                        format!("write a plain count, e.g. `{} = {}`", var.name, var.default),
                    ),
                    NumberError::TooLarge => (
                        format!("{} value `{shown}` does not fit in 64 bits", var.name),
                        format!("the maximum is {}", var.fmt(var.max)),
                    ),
                };
                let consequence = match syntax {
                    NumberSyntax::Option => "the server refuses to start",
                    NumberSyntax::Plain => "the default is assumed unless another row sets it",
                };
                self.emit(
                    report,
                    Diagnostic::new(codes::INVALID_VALUE, msg, Label::at(at, "not a number"))
                        .with_help(format!(
                            "{help}; this occurrence is ignored ({consequence})"
                        )),
                );
                return None;
            }
        };
        let clamped = n.clamp(i128::from(var.min), i128::from(var.max));
        let value = u64::try_from(clamped).unwrap_or(var.min);
        if clamped != n {
            let (side, bound) = if n < i128::from(var.min) {
                ("below the minimum", var.min)
            } else {
                ("above the maximum", var.max)
            };
            let what = if shown == n.to_string() {
                format!("`{shown}`")
            } else {
                format!("`{shown}` (= {n})")
            };
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "{} value {what} is {side} {}; the server clamps it to {}",
                        var.name,
                        var.fmt(bound),
                        var.fmt(value)
                    ),
                    Label::at(at, format!("used as {}", var.fmt(value))),
                )
                .with_help(format!(
                    "the server accepts {} to {}; write the value you mean within that range",
                    var.fmt(var.min),
                    var.fmt(var.max)
                )),
            );
        }
        self.values
            .insert(var.name, Sourced::new(value, Origin::File(at)));
        Some(var)
    }
}
