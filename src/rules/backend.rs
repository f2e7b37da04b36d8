//! TL006 app-backend-differs-from-db-config.
//!
//! The app's URL scheme or Django ENGINE names a database family other than
//! the path's db config (a MySQL option file): the server checks are skipped
//! for that pool, so say so rather than stay silent.

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::rules::codes;
use crate::systems::app::Backend;

pub(super) fn check(path: &ConnectionPath, out: &mut Vec<Diagnostic>) {
    let (Some(app), Some(server)) = (&path.app, &path.server) else {
        return;
    };
    let family = match app.backend {
        Backend::MySql => return,
        Backend::PostgreSql => "PostgreSQL",
        Backend::Sqlite => "SQLite",
        Backend::Other => "a non-MySQL database",
    };
    out.push(
        Diagnostic::new(
            codes::BACKEND_MISMATCH,
            format!(
                "pool \"{}\" connects to {family}, but the path's db config is a MySQL option file; server checks are skipped",
                app.name
            ),
            Label::maybe(app.driver.origin.location(), format!("{family} driver")),
        )
        .with_related(Label::maybe(server.wait_timeout.origin.location(), "MySQL server settings"))
        .with_help("point `db` at the configuration of the server this pool connects to"),
    );
}
