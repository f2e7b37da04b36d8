//! One `[pgbouncer]` entry (value kinds, negatives, helpful fixes) and
//! connection-string checks.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::parse::pgbouncer::{self as ini};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::Location;
use crate::units::fmt_secs;

use super::load::{Loader, is_secret_key};
use super::settings::{Kind, Setting, Value, setting, settings};
use super::{ConnParam, Database, IntError, TimeError, parse_int, parse_name_list, parse_time};

impl Loader<'_> {
    /// One `[pgbouncer]` entry.
    pub(super) fn apply(
        &mut self,
        report: bool,
        key: &str,
        key_at: Location,
        text: &str,
        at: Location,
    ) {
        let Some(s) = setting(key) else {
            if let Some(s) = settings().iter().find(|s| s.name.eq_ignore_ascii_case(key)) {
                self.emit(
                    report,
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        format!("`{key}` is not a pgbouncer setting; names are case-sensitive"),
                        Label::at(key_at, format!("did you mean `{}`?", s.name)),
                    )
                    .with_help(format!(
                        "write `{}`; pgbouncer refuses to start (\"unknown parameter\")",
                        s.name
                    )),
                );
            }
            return;
        };
        let parsed = match s.kind {
            Kind::Time => parse_time(text).map(Value::Time).map_err(|e| match e {
                TimeError::Malformed => self.malformed(s, text),
                TimeError::Negative => format!("{} value `{text}` is negative", s.name),
                TimeError::NotFinite => format!("{} value `{text}` is not a finite number", s.name),
                TimeError::TooLarge => format!(
                    "{} value `{text}` seconds is too large for pgbouncer's microsecond clock",
                    s.name
                ),
            }),
            Kind::List => Ok(Value::List(parse_name_list(text))),
            Kind::Lookup => s
                .choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(text))
                .map(|c| Value::Word(c.clone()))
                .ok_or_else(|| match word_comment_tail(s, text) {
                    Some(_) => format!(
                        "{} value `{text}` has text after the word: a trailing comment is part of the value",
                        s.name
                    ),
                    None => format!(
                        "{} value `{text}` is not one of {}",
                        s.name,
                        s.choices.join(", ")
                    ),
                }),
            Kind::IntSecs | Kind::IntMillis | Kind::Count | Kind::Flag => match parse_int(text) {
                Err(IntError::Malformed) => Err(self.malformed(s, text)),
                Err(IntError::OutOfRange) => Err(format!(
                    "{} value `{text}` does not fit in pgbouncer's 32-bit integer",
                    s.name
                )),
                Ok(n) => Ok(self.int_value(report, s, n, text, at)),
            },
        };
        match parsed {
            Ok(v) => {
                self.values
                    .insert(s.name, Sourced::new(v, Origin::File(at)));
            }
            Err(message) => {
                let help = self.help(s, text);
                self.emit(
                    report,
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        message,
                        Label::at(at, format!("not {}", s.shape())),
                    )
                    .with_help(format!(
                        "{help}; pgbouncer refuses to start (\"invalid value\"), and this \
                         occurrence is ignored here"
                    )),
                );
            }
        }
    }

    /// A valid integer as the model's value; negatives warn and read as 0.
    fn int_value(&mut self, report: bool, s: &Setting, n: i64, text: &str, at: Location) -> Value {
        if s.kind == Kind::Flag {
            return Value::Flag(n != 0);
        }
        if n < 0 {
            let what = match s.kind {
                Kind::Count => "a negative count is not meaningful",
                _ => {
                    "pgbouncer passes it to setsockopt, which rejects a negative value, so \
                     socket setup fails"
                }
            };
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!("{} value `{text}` is negative; read as 0", s.name),
                    Label::at(at, "read as 0"),
                )
                .with_severity(Severity::Warning)
                .with_help(format!(
                    "{what}; write 0 for the default, or a positive value"
                )),
            );
        }
        let n = u64::try_from(n).unwrap_or(0);
        match s.kind {
            Kind::IntSecs => Value::Time(Duration::from_secs(n)),
            Kind::IntMillis => Value::Time(Duration::from_millis(n)),
            _ => Value::Count(n),
        }
    }

    fn malformed(&self, s: &Setting, text: &str) -> String {
        if text.is_empty() {
            return format!("{} has an empty value; it must be {}", s.name, s.shape());
        }
        if comment_tail(text).is_some() {
            return format!(
                "{} value `{text}` has text after the number: a trailing comment is part of the value",
                s.name
            );
        }
        format!("{} value `{text}` is not {}", s.name, s.shape())
    }

    /// The help line for a rejected value: a corrected line when one can be
    /// guessed.
    fn help(&self, s: &Setting, text: &str) -> String {
        if let Some(word) = word_comment_tail(s, text) {
            return format!(
                "`#` and `;` start a comment only at the beginning of a line; move the comment \
                 to its own line and write `{} = {word}`",
                s.name
            );
        }
        if let Some(number) = comment_tail(text) {
            return format!(
                "`#` and `;` start a comment only at the beginning of a line; move the comment \
                 to its own line and write `{} = {number}`",
                s.name
            );
        }
        let unit = match s.kind {
            Kind::Time => Some(1_000.0),
            Kind::IntSecs => Some(1_000.0),
            Kind::IntMillis => Some(1.0),
            _ => None,
        };
        let converted = unit
            .zip(with_unit_ms(text))
            .map(|(per, ms)| ms / per)
            .filter(|n| n.is_finite() && *n < 1e12);
        if let Some(n) = converted {
            let plain = match Duration::try_from_secs_f64(n) {
                Ok(d) if s.kind == Kind::Time => fmt_secs(d).trim_end_matches(" s").to_string(),
                _ => format!("{}", n.round()),
            };
            let unit = if s.kind == Kind::IntMillis {
                "milliseconds"
            } else {
                "seconds"
            };
            return format!(
                "pgbouncer accepts no units here, only a number of {unit}: write `{} = {plain}`",
                s.name
            );
        }
        match s.kind {
            Kind::Time => format!(
                "pgbouncer reads times with strtod and rejects any text after the number; \
                 write seconds, e.g. `{} = {}`",
                s.name, s.default
            ),
            Kind::Flag => format!("write `{} = 1` (on) or `{} = 0` (off)", s.name, s.name),
            Kind::Lookup => format!(
                "write `{} = ` followed by one of {}",
                s.name,
                s.choices.join(", ")
            ),
            _ => format!(
                "pgbouncer reads this with strtol and rejects fractions and any text after the \
                 number; write e.g. `{} = {}`",
                s.name, s.default
            ),
        }
    }

    /// Checks the connection string of a `[databases]`, `[users]` or
    /// `[peers]` entry; returns the database (passwords left out) when it
    /// parses.
    pub(super) fn connstring(
        &mut self,
        report: bool,
        name: &str,
        name_at: Location,
        text: &str,
        at: Location,
    ) -> Option<Database> {
        let (pairs, err) = ini::lex_connstring(text, at.span.start);
        if let Some(e) = err {
            self.emit(
                report,
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    format!(
                        "connection string of `{name}` does not parse: {}",
                        e.message
                    ),
                    Label::at(Location::new(at.file, e.span), "syntax error here"),
                )
                .with_help(
                    "pgbouncer refuses to start (\"syntax error in connection string\"); write \
                     space-separated key=value pairs and quote values with spaces as 'a b'",
                ),
            );
            return None;
        }
        for p in pairs.iter().filter(|p| p.key == "pool_mode") {
            if super::PoolMode::parse(&p.value).is_none() {
                self.emit(
                    report,
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        format!(
                            "pool_mode value `{}` of `{name}` is not session, transaction or statement",
                            p.value
                        ),
                        Label::at(Location::new(at.file, p.value_span), "not a pool mode"),
                    )
                    .with_help(
                        "pgbouncer rejects the entry (\"invalid pool mode\"); write \
                         pool_mode=session, pool_mode=transaction or pool_mode=statement",
                    ),
                );
            }
        }
        let params = pairs
            .into_iter()
            .filter(|p| !is_secret_key(&p.key))
            .map(|p| ConnParam {
                key: p.key,
                value: p.value,
                location: Location::new(at.file, p.value_span),
            })
            .collect();
        Some(Database {
            name: name.to_string(),
            location: name_at,
            params,
        })
    }
}

/// The number before a trailing `# ...` / `; ...` comment, when `text` is
/// a number, whitespace, then `#` or `;`.
fn comment_tail(text: &str) -> Option<&str> {
    let cut = text.find(['#', ';'])?;
    let head = text[..cut].trim_end();
    let number = !head.is_empty() && (parse_time(head).is_ok() || parse_int(head).is_ok());
    number.then_some(head)
}

/// The word before a trailing `# ...` / `; ...` comment, when `s` is a
/// `CF_LOOKUP` setting and `text` is one of its words, whitespace, then `#`
/// or `;`.
fn word_comment_tail<'t>(s: &Setting, text: &'t str) -> Option<&'t str> {
    if s.kind != Kind::Lookup {
        return None;
    }
    let cut = text.find(['#', ';'])?;
    let head = text[..cut].trim_end();
    s.choices
        .iter()
        .any(|c| c.eq_ignore_ascii_case(head))
        .then_some(head)
}

/// Milliseconds of a number written with a unit, e.g. `10min`, `30 s`,
/// `500ms`, `1.5h`, `2d`; `None` for anything else.
fn with_unit_ms(text: &str) -> Option<f64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let n: f64 = t[..split].parse().ok()?;
    let factor = match t[split..].trim().to_ascii_lowercase().as_str() {
        "ms" => 1.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
        "h" | "hr" | "hour" | "hours" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        _ => return None,
    };
    Some(n * factor)
}
