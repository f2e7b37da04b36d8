//! TL006 app-backend-differs-from-db-config.
//!
//! The app's URL scheme or Django ENGINE names a database family other than
//! the path's db config (a MySQL option file): the server checks are skipped
//! for that pool, so say so rather than stay silent. When the family is
//! unknown (a custom ENGINE or dialect), the help names the manifest keys
//! that declare it (`backend`, `driver`; docs/manifest.md).

use crate::diagnostic::{Diagnostic, Label};
use crate::model::{ConnectionPath, DbServer};
use crate::rules::codes;
use crate::rules::retirement::server_family;
use crate::systems::app::Backend;

pub(super) fn check(path: &ConnectionPath, out: &mut Vec<Diagnostic>) {
    let (Some(app), Some(server)) = (&path.app, &path.server) else {
        return;
    };
    let expected = match server {
        DbServer::Mysql(_) => Backend::MySql,
        DbServer::Postgres(_) => Backend::PostgreSql,
    };
    if app.backend.value == expected {
        return;
    }
    let family = match app.backend.value {
        Backend::MySql => "MySQL",
        Backend::PostgreSql => "PostgreSQL",
        Backend::Sqlite => "SQLite",
        Backend::Other => "an unknown database",
    };
    let server_family = server_family(server);
    let help = if app.backend.value == Backend::Other {
        let key = match expected {
            Backend::MySql => "mysql",
            _ => "postgresql",
        };
        format!(
            "if this ENGINE or dialect wraps a {server_family} backend, declare it in the manifest: `backend = \"{key}\"` (and `driver = ...`) in this [[path]]; else point `db` at the configuration of the server this pool connects to"
        )
    } else {
        "point `db` at the configuration of the server this pool connects to".to_string()
    };
    out.push(
        Diagnostic::new(
            codes::BACKEND_MISMATCH,
            format!(
                "pool \"{}\" connects to {family}, but the path's db config is for {server_family}; server checks are skipped",
                app.name
            ),
            Label::maybe(app.backend.origin.location(), format!("{family} driver")),
        )
        .with_related(Label::maybe(server_anchor(server), format!("{server_family} server settings")))
        .with_help(help),
    );
}

/// Where a server's settings are: its first file.
fn server_anchor(server: &DbServer) -> Option<crate::source::Location> {
    let files = match server {
        DbServer::Mysql(m) => &m.files,
        DbServer::Postgres(p) => &p.files,
    };
    files
        .first()
        .map(|f| crate::source::Location::new(*f, crate::source::Span::new(0, 0)))
}
