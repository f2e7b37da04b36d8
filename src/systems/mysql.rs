//! MySQL / MariaDB server settings from option files (my.cnf).
//!
//! INTERFACE STUB: to be implemented (see module docs of parse::mycnf).

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::Sourced;
use crate::source::{FileId, LoadError, SourceMap};

/// The server settings timeoutlint models, each with its origin.
///
/// Times are [`Duration`]s (MySQL stores whole seconds).
#[derive(Clone, Debug)]
pub struct MysqlServer {
    /// Global `wait_timeout`: idle seconds between commands before the server
    /// closes a non-interactive session. Default 28800.
    pub wait_timeout: Sourced<Duration>,
    /// `interactive_timeout`: only for clients that set CLIENT_INTERACTIVE. Default 28800.
    pub interactive_timeout: Sourced<Duration>,
    /// `net_read_timeout`. Default 30.
    pub net_read_timeout: Sourced<Duration>,
    /// `net_write_timeout`. Default 60.
    pub net_write_timeout: Sourced<Duration>,
    /// `connect_timeout` (handshake). Default 10.
    pub connect_timeout: Sourced<Duration>,
    /// `max_connections`. Default 151.
    pub max_connections: Sourced<u64>,
    /// Every file read, the named one first, then includes in read order.
    pub files: Vec<FileId>,
}

/// Reads the option file at `path`, following `!include` / `!includedir`.
///
/// Errors: [`LoadError`] only when `path` itself cannot be read. Problems
/// inside files (syntax, bad values, unreadable includes) become diagnostics.
pub fn load_option_file(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<MysqlServer, LoadError> {
    let _ = (path, sources, diags);
    Err(LoadError::Invalid("my.cnf support not built yet".into()))
}
