//! The rules: each checks one pattern over a [`ConnectionPath`] and emits
//! [`Diagnostic`]s. The catalogue (docs, ids, names) is data in `rules/`,
//! embedded by [`catalogue`].

mod backend;
mod budget;
mod capacity;
pub mod catalogue;
pub mod codes;
mod driver;
mod fix;
mod flask;
mod held;
mod keepalive;
mod pgbouncer;
mod retirement;
mod server;
pub mod settings;
pub mod templates;
mod zombie;

use crate::diagnostic::{Diagnostic, Label};
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

/// Runs the rules that look at several paths at once (shared servers).
pub fn check_fleet(paths: &[ConnectionPath]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    capacity::check(paths, &mut out);
    out
}

pub(crate) use fix::{insert_flask_options_fix, insert_keyword_fix, set_seconds_fix};
