//! HAProxy configuration (INTERFACE STUB: to be implemented).

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::source::{LoadError, SourceMap};
use crate::systems::proxy::ProxyLookup;

/// Reads `files` as one HAProxy configuration (in order, like `haproxy -f a
/// -f b`) and resolves the proxy `name` (`listen name`, or `frontend name`
/// with its default backend).
///
/// Errors: [`LoadError`] when a file cannot be read.
pub fn load_haproxy(
    files: &[PathBuf],
    name: &str,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<ProxyLookup, LoadError> {
    let _ = (files, name, sources, diags);
    Err(LoadError::Invalid("haproxy support not built yet".into()))
}
