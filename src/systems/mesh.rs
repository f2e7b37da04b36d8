//! Envoy `tcp_proxy` and Istio `DestinationRule` idle timeouts (INTERFACE
//! STUB: to be implemented).

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::source::{LoadError, SourceMap};
use crate::systems::proxy::ProxyLookup;

/// Reads an Envoy config (YAML) and resolves the `tcp_proxy` of listener `listener`.
///
/// Errors: [`LoadError`] when `path` cannot be read.
pub fn load_envoy(
    path: &Path,
    listener: &str,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<ProxyLookup, LoadError> {
    let _ = (path, listener, sources, diags);
    Err(LoadError::Invalid("envoy support not built yet".into()))
}

/// Reads an Istio `DestinationRule` (YAML, possibly several documents) and
/// resolves the rule named `name` (or the only one when `name` is `None`).
///
/// Errors: [`LoadError`] when `path` cannot be read.
pub fn load_istio(
    path: &Path,
    name: Option<&str>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<ProxyLookup, LoadError> {
    let _ = (path, name, sources, diags);
    Err(LoadError::Invalid("istio support not built yet".into()))
}
