//! The connection-path model: app pool -> app host kernel -> hops -> database
//! host kernel -> server, every value with its provenance.
//!
//! [`idle`] derives which elements kill an idle connection, taking keepalive
//! into account (MODEL.md, "What kills an idle connection").

pub mod idle;

use crate::manifest::HopSpec;
use crate::source::Location;
use crate::systems::app::AppPool;
use crate::systems::mysql::MysqlServer;
use crate::systems::sysctl::KernelSettings;

/// One database connection path, assembled from the manifest (or the files and
/// flags given on the command line).
#[derive(Clone, Debug)]
pub struct ConnectionPath {
    /// Display name.
    pub name: String,
    /// Where the path is declared (manifest entry), if anywhere.
    pub location: Option<Location>,
    /// The app's pool, when an app file was given.
    pub app: Option<AppPool>,
    /// App host kernel settings (Linux defaults when no file was given).
    pub app_kernel: KernelSettings,
    /// Network hops from app to database.
    pub hops: Vec<HopSpec>,
    /// Database host kernel settings (Linux defaults when no file was given).
    pub db_kernel: KernelSettings,
    /// The MySQL server, when a db config was given.
    pub server: Option<MysqlServer>,
}
pub mod chain;
