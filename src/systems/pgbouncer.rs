//! PgBouncer settings from pgbouncer.ini (`[databases]`, `[pgbouncer]`,
//! `%include`).
//!
//! INTERFACE STUB: to be implemented.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::Sourced;
use crate::source::{FileId, LoadError, Location, SourceMap};

/// The PgBouncer settings timeoutlint models, each with its origin. Times are
/// plain (fractional) seconds in the file, except `tcp_user_timeout` (ms).
/// A zero duration means "off" / "OS default", as documented per field.
#[derive(Clone, Debug)]
pub struct PgBouncer {
    /// `server_idle_timeout`: a pooled server connection idle longer is closed. Default 600 s; 0 disables.
    pub server_idle_timeout: Sourced<Duration>,
    /// `server_lifetime`: an unused server connection older than this is closed. Default 3600 s.
    pub server_lifetime: Sourced<Duration>,
    /// `client_idle_timeout`: client connections idle longer are closed. Default 0 (off).
    pub client_idle_timeout: Sourced<Duration>,
    /// `query_timeout`: queries running longer are cancelled. Default 0 (off).
    pub query_timeout: Sourced<Duration>,
    /// `query_wait_timeout`: max wait for a server connection. Default 120 s.
    pub query_wait_timeout: Sourced<Duration>,
    /// `idle_transaction_timeout`. Default 0.
    pub idle_transaction_timeout: Sourced<Duration>,
    /// `tcp_keepalive`: SO_KEEPALIVE on every socket. Default true.
    pub tcp_keepalive: Sourced<bool>,
    /// `tcp_keepidle` (s). Default 0 = OS.
    pub tcp_keepidle: Sourced<Duration>,
    /// `tcp_keepintvl` (s). Default 0 = OS.
    pub tcp_keepintvl: Sourced<Duration>,
    /// `tcp_keepcnt`. Default 0 = OS.
    pub tcp_keepcnt: Sourced<u32>,
    /// `tcp_user_timeout` (ms in the file). Default 0 = OS.
    pub tcp_user_timeout: Sourced<Duration>,
    /// `default_pool_size` (per user/database pair). Default 20.
    pub default_pool_size: Sourced<u64>,
    /// `reserve_pool_size`. Default 0.
    pub reserve_pool_size: Sourced<u64>,
    /// `max_client_conn`. Default 100.
    pub max_client_conn: Sourced<u64>,
    /// `max_db_connections`. Default 0 (unlimited).
    pub max_db_connections: Sourced<u64>,
    /// `ignore_startup_parameters`, lower-cased names. Default empty.
    pub ignore_startup_parameters: Sourced<Vec<String>>,
    /// Where the `[pgbouncer]` section header is (anchor for defaults).
    pub anchor: Option<Location>,
    /// Files read, in read order.
    pub files: Vec<FileId>,
}

/// Reads pgbouncer.ini at `path`, following `%include`.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read.
pub fn load_pgbouncer(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<PgBouncer, LoadError> {
    let _ = (path, sources, diags);
    Err(LoadError::Invalid(
        "pgbouncer.ini support not built yet".into(),
    ))
}
