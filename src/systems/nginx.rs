//! nginx `stream` configuration (INTERFACE STUB: to be implemented).

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::source::{LoadError, SourceMap};
use crate::systems::proxy::ProxyLookup;

/// Reads nginx.conf at `path` (following `include`) and resolves the `stream`
/// server whose `listen` value is `listen` (e.g. `3306`).
///
/// Errors: [`LoadError`] when `path` cannot be read.
pub fn load_nginx_stream(
    path: &Path,
    listen: &str,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<ProxyLookup, LoadError> {
    let _ = (path, listen, sources, diags);
    Err(LoadError::Invalid("nginx support not built yet".into()))
}
