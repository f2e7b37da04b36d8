//! PostgreSQL server settings from postgresql.conf (with includes and
//! postgresql.auto.conf) or from a live dump (`SHOW ALL` output, a
//! `pg_settings` CSV).
//!
//! INTERFACE STUB: to be implemented.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::Sourced;
use crate::source::{FileId, LoadError, SourceMap};

/// The server settings timeoutlint models, each with its origin. A zero
/// duration means "off" (timeouts) or "use the OS default" (keepalive, user timeout).
#[derive(Clone, Debug)]
pub struct PostgresServer {
    /// `idle_session_timeout` (base unit ms). Default 0 (off).
    pub idle_session_timeout: Sourced<Duration>,
    /// `idle_in_transaction_session_timeout` (ms). Default 0.
    pub idle_in_transaction_session_timeout: Sourced<Duration>,
    /// `statement_timeout` (ms). Default 0.
    pub statement_timeout: Sourced<Duration>,
    /// `lock_timeout` (ms). Default 0.
    pub lock_timeout: Sourced<Duration>,
    /// `transaction_timeout` (ms, PG17+). Default 0.
    pub transaction_timeout: Sourced<Duration>,
    /// `tcp_keepalives_idle` (base unit s). Default 0 = OS (`net.ipv4.tcp_keepalive_time`).
    pub tcp_keepalives_idle: Sourced<Duration>,
    /// `tcp_keepalives_interval` (s). Default 0 = OS.
    pub tcp_keepalives_interval: Sourced<Duration>,
    /// `tcp_keepalives_count`. Default 0 = OS.
    pub tcp_keepalives_count: Sourced<u32>,
    /// `tcp_user_timeout` (ms). Default 0 = OS.
    pub tcp_user_timeout: Sourced<Duration>,
    /// `max_connections`. Default 100.
    pub max_connections: Sourced<u64>,
    /// `superuser_reserved_connections`. Default 3.
    pub superuser_reserved_connections: Sourced<u64>,
    /// `reserved_connections` (PG16+). Default 0.
    pub reserved_connections: Sourced<u64>,
    /// Files read, in read order.
    pub files: Vec<FileId>,
}

/// True when `text` looks like a PostgreSQL config or dump rather than a MySQL
/// option file (used to tell what `db = "..."` names).
pub fn looks_like_postgres(text: &str) -> bool {
    let _ = text;
    false
}

/// Reads postgresql.conf at `path` (following includes, then
/// postgresql.auto.conf beside it) or a `SHOW ALL` / `pg_settings` CSV dump.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read.
pub fn load_postgres(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<PostgresServer, LoadError> {
    let _ = (path, sources, diags);
    Err(LoadError::Invalid(
        "postgresql.conf support not built yet".into(),
    ))
}
