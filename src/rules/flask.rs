//! TL108 flask-sqlalchemy-removed-config-key.
//!
//! Flask-SQLAlchemy 3.0 removed `SQLALCHEMY_POOL_RECYCLE`, `_POOL_SIZE`,
//! `_POOL_TIMEOUT` and `_MAX_OVERFLOW`; 3.x ignores them silently
//! (`pallets-eco/flask-sqlalchemy docs/config.rst`, "versionchanged 3.0").

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::rules::codes;
use crate::rules::retirement::retirement_text;
use crate::source::SourceMap;

pub(super) fn check(path: &ConnectionPath, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let Some(app) = &path.app else { return };
    for (key, loc) in &app.removed_keys {
        let option = key
            .strip_prefix("SQLALCHEMY_")
            .unwrap_or(key)
            .to_ascii_lowercase();
        let mut d = Diagnostic::new(
            codes::FLASK_SQLALCHEMY_REMOVED_KEY,
            format!("{key} was removed in Flask-SQLAlchemy 3.0 and is silently ignored"),
            Label::at(*loc, "ignored by Flask-SQLAlchemy 3.x"),
        )
        .with_help(format!(
            "move it into SQLALCHEMY_ENGINE_OPTIONS as \"{option}\""
        ));
        if key == "SQLALCHEMY_POOL_RECYCLE" {
            d = d.with_related(Label::maybe(
                app.retirement.origin.location(),
                format!("the effective value is {}", retirement_text(app, sources)),
            ));
        }
        out.push(d);
    }
}
