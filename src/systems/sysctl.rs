//! Linux kernel settings from sysctl.conf, a sysctl.d folder, `sysctl -a`
//! output or a /proc/sys tree.
//!
//! INTERFACE STUB: to be implemented.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::Sourced;
use crate::source::{FileId, LoadError, SourceMap};

/// The kernel settings timeoutlint models, each with its origin.
#[derive(Clone, Debug)]
pub struct KernelSettings {
    /// `net.ipv4.tcp_keepalive_time`: idle time before the first probe. Default 7200 s.
    pub tcp_keepalive_time: Sourced<Duration>,
    /// `net.ipv4.tcp_keepalive_intvl`: time between probes. Default 75 s.
    pub tcp_keepalive_intvl: Sourced<Duration>,
    /// `net.ipv4.tcp_keepalive_probes`: unanswered probes before reset. Default 9.
    pub tcp_keepalive_probes: Sourced<u32>,
    /// `net.ipv4.tcp_retries2`. Default 15.
    pub tcp_retries2: Sourced<u32>,
    /// `net.netfilter.nf_conntrack_tcp_timeout_established`. Default 432000 s.
    pub nf_conntrack_tcp_timeout_established: Sourced<Duration>,
    /// Files read, in application order.
    pub files: Vec<FileId>,
}

impl KernelSettings {
    /// Linux defaults only (no file given).
    pub fn defaults() -> Self {
        todo!()
    }
}

/// Reads kernel settings from a sysctl.conf file, a sysctl.d folder, a
/// `sysctl -a` dump or a /proc/sys-style tree (auto-detected).
///
/// Errors: [`LoadError`] when `path` cannot be read.
pub fn load_kernel(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<KernelSettings, LoadError> {
    let _ = (path, sources, diags);
    Err(LoadError::Invalid("sysctl support not built yet".into()))
}
