//! TL006 app-backend-differs-from-db-config.
//!
//! The app's URL scheme or Django ENGINE names a database family other than
//! the path's db config (a MySQL option file): the server checks are skipped
//! for that pool, so say so rather than stay silent.

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
    if app.backend == expected {
        return;
    }
    let family = match app.backend {
        Backend::MySql => "MySQL",
        Backend::PostgreSql => "PostgreSQL",
        Backend::Sqlite => "SQLite",
        Backend::Other => "an unknown database",
    };
    let server_family = server_family(server);
    out.push(
        Diagnostic::new(
            codes::BACKEND_MISMATCH,
            format!(
                "pool \"{}\" connects to {family}, but the path's db config is for {server_family}; server checks are skipped",
                app.name
            ),
            Label::maybe(app.driver.origin.location(), format!("{family} driver")),
        )
        .with_related(Label::maybe(server_anchor(server), format!("{server_family} server settings")))
        .with_help("point `db` at the configuration of the server this pool connects to"),
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
