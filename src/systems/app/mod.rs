//! App pool settings: SQLAlchemy `create_engine` kwargs, Flask-SQLAlchemy
//! config and Django `DATABASES`, read from YAML or TOML.
//!
//! INTERFACE STUB: to be implemented.

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::Sourced;
use crate::source::{FileId, LoadError, Location, SourceMap};
use crate::units::Retirement;

/// Which settings shape the file used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    /// `sqlalchemy:` create_engine kwargs.
    SqlAlchemy,
    /// Flask-SQLAlchemy `SQLALCHEMY_DATABASE_URI` / `SQLALCHEMY_ENGINE_OPTIONS`.
    FlaskSqlAlchemy,
    /// Django `DATABASES`.
    Django,
}

/// The database family the app connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// MySQL or MariaDB.
    MySql,
    /// PostgreSQL.
    PostgreSql,
    /// SQLite (no network path).
    Sqlite,
    /// Anything else.
    Other,
}

/// The DB-API driver, from the URL scheme or the Django ENGINE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Driver {
    /// PyMySQL (`mysql+pymysql`).
    PyMySql,
    /// mysqlclient / MySQLdb (`mysql`, `mysql+mysqldb`, Django's mysql backend).
    MysqlClient,
    /// mysql-connector-python (`mysql+mysqlconnector`); `use_pure` from connect_args.
    MysqlConnector {
        /// `use_pure=True` selects the pure-Python socket without SO_KEEPALIVE.
        use_pure: bool,
    },
    /// aiomysql (`mysql+aiomysql`).
    AioMysql,
    /// asyncmy (`mysql+asyncmy`).
    AsyncMy,
    /// MariaDB Connector/Python (`mariadb+mariadbconnector`).
    MariaDbConnector,
    /// Any other driver name (kept verbatim, never containing credentials).
    Other(String),
}

/// One app pool: an engine or a Django alias.
#[derive(Clone, Debug)]
pub struct AppPool {
    /// Engine or alias name (`default` when the file has one engine).
    pub name: String,
    /// The settings shape.
    pub framework: Framework,
    /// Where the engine / alias is declared (its key), the anchor for defaults.
    pub anchor: Location,
    /// Database family, from the URL scheme or ENGINE.
    pub backend: Backend,
    /// Driver, located at the URL scheme or ENGINE value.
    pub driver: Sourced<Driver>,
    /// Retirement age: `pool_recycle` (SQLAlchemy default -1 = never; Flask-SQLAlchemy
    /// 3.x implicit 7200 for MySQL) or `CONN_MAX_AGE` (default 0; null = never).
    pub retirement: Sourced<Retirement>,
    /// Validation on checkout: `pool_pre_ping` (default false) or
    /// `CONN_HEALTH_CHECKS` (default false).
    pub validation: Sourced<bool>,
    /// `pool_timeout` (s), SQLAlchemy only (default 30).
    pub pool_timeout: Option<Sourced<Duration>>,
    /// `pool_size`, SQLAlchemy only (default 5).
    pub pool_size: Option<Sourced<u64>>,
    /// `max_overflow`, SQLAlchemy only (default 10).
    pub max_overflow: Option<Sourced<u64>>,
    /// Driver connect timeout (s); `None` inside = not set / driver default.
    pub connect_timeout: Sourced<Option<Duration>>,
    /// Driver read timeout (s); `None` inside = no timeout.
    pub read_timeout: Sourced<Option<Duration>>,
    /// Driver write timeout (s); `None` inside = no timeout.
    pub write_timeout: Sourced<Option<Duration>>,
    /// Flask-SQLAlchemy keys removed in 3.0 that the file still sets, with locations.
    pub removed_keys: Vec<(String, Location)>,
}

/// Whether the driver turns on SO_KEEPALIVE for TCP connections.
///
/// `Some(true)`: PyMySQL, mysqlclient, mysql-connector C extension, aiomysql,
/// asyncmy, MariaDB Connector (DOMAIN.md section 6). `Some(false)`: pure-Python
/// mysql-connector. `None`: unknown driver.
pub fn enables_so_keepalive(driver: &Driver) -> Option<bool> {
    match driver {
        Driver::PyMySql
        | Driver::MysqlClient
        | Driver::AioMysql
        | Driver::AsyncMy
        | Driver::MariaDbConnector => Some(true),
        Driver::MysqlConnector { use_pure } => Some(!use_pure),
        Driver::Other(_) => None,
    }
}

/// Every pool found in one app settings file.
#[derive(Clone, Debug)]
pub struct AppSettings {
    /// The file.
    pub file: FileId,
    /// Pools in file order.
    pub pools: Vec<AppPool>,
}

/// Reads an app settings file (YAML or TOML, chosen by extension, `.yml`/`.yaml`
/// vs `.toml`; anything else is tried as YAML).
///
/// Errors: [`LoadError`] when `path` cannot be read. Syntax errors and bad
/// values become diagnostics; the returned settings hold what could be read.
pub fn load_app(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<AppSettings, LoadError> {
    let _ = (path, sources, diags);
    Err(LoadError::Invalid("app settings support not built yet".into()))
}
