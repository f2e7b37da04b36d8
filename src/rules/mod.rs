//! The rules: each checks one pattern over a [`ConnectionPath`] and emits
//! [`Diagnostic`]s. The catalogue (docs, ids, names) is data in `rules/`,
//! embedded by [`catalogue`].

mod backend;
mod budget;
mod capacity;
pub mod catalogue;
pub mod codes;
mod driver;
mod flask;
mod held;
mod keepalive;
mod pgbouncer;
mod retirement;
mod server;
pub mod settings;
pub mod templates;
mod zombie;

use crate::diagnostic::{Diagnostic, Fix, Label};
use crate::model::ConnectionPath;
use crate::provenance::Origin;
use crate::source::SourceMap;

/// Settings shared by the rules.
#[derive(Clone, Copy, Debug)]
pub struct RuleOptions {
    /// Safety margin of the ordering rules, as a fraction (0.10 = 10 %): a
    /// retirement above `(1 - margin) × killer` is reported by TL104.
    pub margin: f64,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions { margin: 0.10 }
    }
}

/// Runs every rule on one path.
pub fn check_path(
    path: &ConnectionPath,
    sources: &SourceMap,
    opts: &RuleOptions,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    backend::check(path, &mut out);
    retirement::check(path, sources, opts, &mut out);
    keepalive::check(path, &mut out);
    zombie::check(path, sources, opts, &mut out);
    flask::check(path, sources, &mut out);
    driver::check(path, &mut out);
    pgbouncer::check(path, sources, &mut out);
    server::check(path, sources, &mut out);
    budget::check(path, sources, &mut out);
    held::check(path, sources, &mut out);
    out
}

/// A label on a value: `what` when the value is written somewhere; for a
/// documented default, a label at its anchor saying the setting is absent.
pub(crate) fn value_label(
    origin: &Origin,
    setting: &str,
    value: &str,
    what: impl Into<String>,
) -> Label {
    match origin {
        Origin::Default { system, .. } => Label::maybe(
            origin.location(),
            format!("{setting} is not set here, so the {system} default {value} applies"),
        ),
        _ => Label::maybe(origin.location(), what),
    }
}

/// A fix that sets `setting` to `secs` seconds where its value is written
/// (a config file or the manifest), keeping the value's quotes: `3600`
/// becomes `3240`, `"3600"` becomes `"3240"`, `None` or `-1` (never)
/// becomes `3240`. `None` when the value is a default, a preset, a flag or
/// an environment variable (nothing to replace), or when its text is not a
/// plain number, a never-keyword or arithmetic (`60 * 60`): a value with a
/// unit suffix or a call is left to the user.
pub(crate) fn set_seconds_fix(
    origin: &Origin,
    setting: &str,
    secs: u64,
    sources: &SourceMap,
) -> Option<Fix> {
    let (Origin::File(at) | Origin::Manifest(at)) = origin else {
        return None;
    };
    let text = sources
        .get(at.file)
        .text()
        .get(at.span.start..at.span.end)?;
    let (quote, inner) = match text.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if last == q && text.len() >= 2 => {
            (&text[..1], &text[1..text.len() - 1])
        }
        _ => ("", text),
    };
    let inner = inner.trim();
    let never = matches!(inner, "None" | "null" | "~" | "none" | "-1");
    let arithmetic = !inner.is_empty()
        && inner.chars().any(|c| c.is_ascii_digit())
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || " .*+-_()".contains(c));
    if !(never || arithmetic) || (never && !quote.is_empty()) {
        return None;
    }
    Some(Fix {
        title: format!("set {setting} = {secs}"),
        location: *at,
        replacement: format!("{quote}{secs}{quote}"),
    })
}

/// Runs the rules that look at several paths at once (shared servers).
pub fn check_fleet(paths: &[ConnectionPath]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    capacity::check(paths, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Location, Span};
    use std::path::Path;

    /// The fix for a value written as `text` in a file, if any.
    fn fix_for(text: &str) -> Option<String> {
        let mut sources = SourceMap::new(None);
        let id = sources.add(Path::new("/x/settings.py"), format!("v = {text}\n"));
        let at = Location::new(id, Span::new(4, 4 + text.len()));
        set_seconds_fix(&Origin::File(at), "pool_recycle", 3240, &sources).map(|f| {
            assert_eq!(f.title, "set pool_recycle = 3240");
            assert_eq!(f.location, at);
            f.replacement
        })
    }

    #[test]
    fn set_seconds_fix_accepts_numbers_never_and_arithmetic() {
        for (written, replacement) in [
            ("3600", "3240"),
            ("3600.5", "3240"),
            ("\"3600\"", "\"3240\""),
            ("'3600'", "'3240'"),
            ("None", "3240"),
            ("null", "3240"),
            ("~", "3240"),
            ("-1", "3240"),
            ("60 * 60", "3240"),
            ("(2 * 3600)", "3240"),
            ("1_800", "3240"),
        ] {
            assert_eq!(fix_for(written).as_deref(), Some(replacement), "{written}");
        }
    }

    #[test]
    fn set_seconds_fix_rejects_units_calls_and_quoted_keywords() {
        for written in [
            "1h",
            "\"1h\"",
            "timedelta(hours=1)",
            "os.environ['X']",
            "\"None\"",
            "",
            "\"\"",
        ] {
            assert_eq!(fix_for(written), None, "{written}");
        }
    }

    #[test]
    fn set_seconds_fix_needs_a_written_value() {
        let sources = SourceMap::new(None);
        let default = Origin::default_of("SQLAlchemy", "https://docs.sqlalchemy.org");
        assert!(set_seconds_fix(&default, "pool_recycle", 3240, &sources).is_none());
        let flag = Origin::Flag("--hop".into());
        assert!(set_seconds_fix(&flag, "pool_recycle", 3240, &sources).is_none());
    }
}
