//! App pool settings: SQLAlchemy `create_engine` kwargs, Flask-SQLAlchemy
//! config and Django `DATABASES`, read from YAML or TOML.
//!
//! A file is recognised by its top-level keys, and may hold several shapes
//! (pools are returned in file order):
//! - `sqlalchemy:` — one engine `default` (`sqlalchemy: {url: ..., pool_recycle: ...}`)
//!   or named engines (`sqlalchemy: {primary: {url: ...}}`); see [`sqlalchemy`].
//! - `SQLALCHEMY_DATABASE_URI` / `SQLALCHEMY_ENGINE_OPTIONS` — Flask-SQLAlchemy 3.x,
//!   one engine `default`; see [`flask`].
//! - `DATABASES` — Django, one pool per alias; see [`django`].
//!
//! An Airflow `airflow.cfg` (configparser syntax) is read by [`airflow`]
//! instead, with `AIRFLOW__…` environment values ([`load_airflow_with`]).
//! A Python `superset_config.py` is read as a Flask config over Superset's
//! defaults, by [`superset`] (through [`python`]).
//!
//! TOML files use tables for the same shapes (`[sqlalchemy]`, `[DATABASES.default]`).
//! Every value carries its location; unset values carry the documented default
//! with its source, anchored at the engine or alias key. Passwords (URL userinfo,
//! `?password=`, `password=` inside strings, and any key named like
//! `password`/`passwd`) are marked as secret spans of the loaded
//! [`crate::source::SourceFile`]; outputs mask them (see [`crate::secrets`]).

pub mod airflow;
mod connect;
pub mod django;
pub mod django_pool;
pub mod driver_options;
pub mod flask;
pub mod pg;
pub mod pins;
pub mod pool_class;
pub mod python;
pub mod session;
pub mod sqlalchemy;
pub mod startup;
pub mod superset;
pub mod url;
mod values;

use std::path::Path;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::parse::tree::{Key, Node, parse_toml, parse_yaml_documents};
use crate::provenance::{Origin, Sourced};
use crate::rules::codes;
use crate::source::{FileId, LoadError, Location, SourceMap, Span};
use crate::units::Retirement;

pub use django_pool::DjangoPool;
pub use driver_options::{accepts_option, drivers_accepting};
pub use pg::{AsyncpgParams, LibpqParams, PgParams, StartupParameter, StartupVia};
pub use pool_class::PoolClass;

use url::DbUrl;
use values::Ctx;

/// Which settings shape the file used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    /// `sqlalchemy:` create_engine kwargs.
    SqlAlchemy,
    /// Flask-SQLAlchemy `SQLALCHEMY_DATABASE_URI` / `SQLALCHEMY_ENGINE_OPTIONS`.
    FlaskSqlAlchemy,
    /// Django `DATABASES`.
    Django,
    /// Apache Airflow's metadata-database engine, built by
    /// `airflow/settings.py` `prepare_engine_args` from `airflow.cfg`
    /// `[database]` (`[core]` before 2.3) `sql_alchemy_*` options; a
    /// SQLAlchemy engine whose settings carry Airflow's names
    /// (<https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#database>).
    Airflow,
    /// Apache Superset's metadata-database engine: a `superset_config.py`
    /// read as a Flask config over Superset's own defaults, built by
    /// Flask-SQLAlchemy 2.5.1 (see [`superset`]).
    Superset,
}

impl Framework {
    /// How messages name the framework: `SQLAlchemy`, `Flask-SQLAlchemy`,
    /// `Django`, `Airflow`.
    pub fn display_name(self) -> &'static str {
        match self {
            Framework::SqlAlchemy => "SQLAlchemy",
            Framework::FlaskSqlAlchemy => "Flask-SQLAlchemy",
            Framework::Django => "Django",
            Framework::Airflow => "Airflow",
            Framework::Superset => "Superset",
        }
    }

    /// The name of the retirement age (seconds) as the user writes it:
    /// `pool_recycle` (SQLAlchemy `create_engine`, Flask-SQLAlchemy
    /// `SQLALCHEMY_ENGINE_OPTIONS`), `CONN_MAX_AGE` (Django),
    /// `sql_alchemy_pool_recycle` (Airflow `[database]`).
    pub fn retirement_key(self) -> &'static str {
        match self {
            Framework::Django => "CONN_MAX_AGE",
            Framework::SqlAlchemy | Framework::FlaskSqlAlchemy | Framework::Superset => {
                "pool_recycle"
            }
            Framework::Airflow => "sql_alchemy_pool_recycle",
        }
    }

    /// The name of the validation-on-checkout switch: `pool_pre_ping`,
    /// `CONN_HEALTH_CHECKS` (Django), `sql_alchemy_pool_pre_ping` (Airflow).
    pub fn validation_key(self) -> &'static str {
        match self {
            Framework::Django => "CONN_HEALTH_CHECKS",
            Framework::SqlAlchemy | Framework::FlaskSqlAlchemy | Framework::Superset => {
                "pool_pre_ping"
            }
            Framework::Airflow => "sql_alchemy_pool_pre_ping",
        }
    }

    /// The name of the pool's kept-connection count (connections):
    /// `pool_size`, `sql_alchemy_pool_size` (Airflow). Django has none; its
    /// native pool's `max_size` is named where it is read.
    pub fn pool_size_key(self) -> &'static str {
        match self {
            Framework::Airflow => "sql_alchemy_pool_size",
            _ => "pool_size",
        }
    }

    /// The name of the pool's overflow count (connections): `max_overflow`,
    /// `sql_alchemy_max_overflow` (Airflow).
    pub fn max_overflow_key(self) -> &'static str {
        match self {
            Framework::Airflow => "sql_alchemy_max_overflow",
            _ => "max_overflow",
        }
    }

    /// Where the driver's `connect()` arguments go: `connect_args`
    /// (SQLAlchemy, Flask-SQLAlchemy), `OPTIONS` (Django),
    /// `sql_alchemy_connect_args` (Airflow: an import path to a dict).
    pub fn driver_options_key(self) -> &'static str {
        match self {
            Framework::Django => "OPTIONS",
            Framework::SqlAlchemy | Framework::FlaskSqlAlchemy | Framework::Superset => {
                "connect_args"
            }
            Framework::Airflow => "sql_alchemy_connect_args",
        }
    }

    /// How a NullPool is chosen: `poolclass = NullPool`, or Airflow's
    /// `sql_alchemy_pool_enabled = False` (`airflow/settings.py`
    /// `prepare_engine_args`).
    pub fn null_pool_setting(self) -> &'static str {
        match self {
            Framework::Airflow => "sql_alchemy_pool_enabled = False",
            _ => "poolclass = NullPool",
        }
    }
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
    /// psycopg2 (`postgresql`, `postgresql+psycopg2`), on libpq.
    Psycopg2,
    /// psycopg 3 (`postgresql+psycopg`, Django's PostgreSQL backend), on libpq.
    ///
    /// Django's `django.db.backends.postgresql` prefers psycopg 3 (Django 4.2+)
    /// and falls back to psycopg2 only when psycopg 3 is not installed, which no
    /// settings file shows: Django pools are taken as psycopg 3 whatever their
    /// `OPTIONS`.
    Psycopg,
    /// asyncpg (`postgresql+asyncpg`).
    Asyncpg,
    /// Any other driver name (kept verbatim, never containing credentials).
    Other(String),
}

/// One branch taken where a Python settings file could not be read without
/// running it: an `if` whose condition is not known, or a `try` whose body
/// may raise (see `python/mod.rs`, "Variants").
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// What holds in this branch, e.g. `when os.getenv("DB") == "postgres"`
    /// or `when not (DEBUG)` or `when ImportError is raised`.
    pub text: String,
    /// The condition (or the `try` / `except` clause) in the settings file.
    pub location: Location,
}

/// The variants of a settings file a pool exists in, when not all of them.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// The branches that lead to this pool (all of them hold).
    pub conditions: Vec<Condition>,
    /// The settings file the variants are of.
    pub file: FileId,
    /// The variants (0-based, in the order read) this pool exists in.
    pub runs: Vec<usize>,
    /// How many variants of the file were read.
    pub of: usize,
}

/// One app pool: an engine or a Django alias.
#[derive(Clone, Debug, PartialEq)]
pub struct AppPool {
    /// Engine or alias name (`default` when the file has one engine).
    pub name: String,
    /// The settings shape.
    pub framework: Framework,
    /// Where the engine / alias is declared (its key), the anchor for defaults.
    pub anchor: Location,
    /// Database family, located at the URL scheme or ENGINE value, or at the
    /// manifest's `backend` / `driver` key when it overrides them.
    pub backend: Sourced<Backend>,
    /// Driver, located at the URL scheme or ENGINE value, or at the manifest's
    /// `driver` key.
    pub driver: Sourced<Driver>,
    /// SQLAlchemy `poolclass` (`None` for Django): as written, else the
    /// dialect's default (see [`pool_class::default_pool_class`]).
    pub pool_class: Option<Sourced<PoolClass>>,
    /// Retirement age: `pool_recycle` (SQLAlchemy default -1 = never; Flask-SQLAlchemy
    /// 3.x implicit 7200 for MySQL) or `CONN_MAX_AGE` (default 0; null = never).
    pub retirement: Sourced<Retirement>,
    /// Validation on checkout: `pool_pre_ping` (default false) or
    /// `CONN_HEALTH_CHECKS` (default false).
    pub validation: Sourced<bool>,
    /// `pool_timeout` (s), SQLAlchemy only (default 30).
    pub pool_timeout: Option<Sourced<Duration>>,
    /// `pool_size`, SQLAlchemy only (default 5; 0 = no limit).
    pub pool_size: Option<Sourced<u64>>,
    /// `max_overflow`, SQLAlchemy only (default 10). A negative value (no overflow
    /// limit) is stored as `u64::MAX`: add with saturating arithmetic.
    pub max_overflow: Option<Sourced<u64>>,
    /// Driver connect timeout (s); `None` inside = not set / driver default.
    /// From `connect_args` / Django `OPTIONS`, else the URL query, else the
    /// driver's default (PyMySQL 10 s; others not set). A written `0` is "not
    /// set" (mysqlclient); PyMySQL rejects `0` (TL002). PostgreSQL drivers: the
    /// libpq `connect_timeout` (`None` = wait indefinitely; psycopg 3: 130 s
    /// when unset or <= 0) or asyncpg's `timeout` (default 60 s), as in [`AppPool::pg`].
    pub connect_timeout: Sourced<Option<Duration>>,
    /// Driver read timeout (s); `None` inside = no timeout.
    pub read_timeout: Sourced<Option<Duration>>,
    /// Driver write timeout (s); `None` inside = no timeout.
    pub write_timeout: Sourced<Option<Duration>>,
    /// Flask-SQLAlchemy keys removed in 3.0 that the file still sets, with locations.
    pub removed_keys: Vec<(String, Location)>,
    /// PostgreSQL driver parameters; `Some` for every PostgreSQL pool.
    pub pg: Option<PgParams>,
    /// Every key of `connect_args` (SQLAlchemy, Flask-SQLAlchemy) or Django
    /// `OPTIONS`, as written, with the key's location (see [`accepts_option`]).
    pub driver_options: Vec<(String, Location)>,
    /// Django's native pool (`OPTIONS.pool`, Django 5.1+), when it is on.
    pub django_pool: Option<DjangoPool>,
    /// `Some` when the pool exists only in some variants of a Python
    /// settings file (branches of an undecided `if` or `try`).
    pub variant: Option<Variant>,
    /// Session variables set on each new connection: MySQL `init_command`
    /// (`SET SESSION wait_timeout = 600`, [`session`]) and the `SET`
    /// statements of a SQLAlchemy `connect` event listener (Python
    /// settings). They replace the server's values for this pool's sessions.
    pub session_settings: Vec<session::SessionSetting>,
    /// Where the pool connects, when the settings say it: the URL's
    /// `host[:port]` (SQLAlchemy, Flask-SQLAlchemy, Airflow) or Django's
    /// `HOST` / `PORT`, after environment resolution. Discovery
    /// ([`crate::discover`]) links the app to a server by it.
    pub endpoint: Option<Endpoint>,
    /// The database name the pool asks for, when the settings say it: the
    /// URL's path (`orders` in `postgresql://app@pgbouncer/orders`) or
    /// Django's `NAME`. A PgBouncer picks its `[databases]` entry by it.
    pub database: Option<String>,
    /// The user name the pool logs in as, when the settings say it: the
    /// URL's userinfo or Django's `USER`. A PgBouncer picks its `[users]`
    /// entry by it.
    pub user: Option<String>,
}

/// The host and port an app pool connects to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Host name or address as resolved (`db`, `orders.abc.eu-west-1.rds.amazonaws.com`).
    pub host: String,
    /// The port, when written (else the backend's default applies).
    pub port: Option<u16>,
    /// Where the host is written (the URL's `host:port`, Django's `HOST`).
    pub at: Location,
}

impl AppPool {
    /// The retirement the idle-killer rules compare, after the pool class:
    /// - `None` when no kept connection can meet an idle killer, or when that
    ///   is unknown: `NullPool` opens a connection per checkout and closes it
    ///   at check-in (nothing idles in the pool), and an unknown class is not
    ///   guessed (the reader reported it, TL012);
    /// - `StaticPool`: never retired, located at `poolclass` (its one
    ///   connection is used for every request and recycle is "only partially
    ///   supported"), whatever `pool_recycle` says;
    /// - otherwise [`AppPool::retirement`] (QueuePool, AsyncAdaptedQueuePool,
    ///   SingletonThreadPool, AssertionPool, Django).
    ///
    /// Source: <https://docs.sqlalchemy.org/en/20/core/pooling.html> (class
    /// reference: NullPool, StaticPool).
    pub fn effective_retirement(&self) -> Option<Sourced<Retirement>> {
        let Some(class) = &self.pool_class else {
            return Some(self.retirement.clone());
        };
        match (
            class.value.keeps_connections(),
            class.value.honours_recycle(),
        ) {
            (Some(true), Some(true)) => Some(self.retirement.clone()),
            (Some(true), Some(false)) => {
                Some(Sourced::new(Retirement::Never, class.origin.clone()))
            }
            _ => None,
        }
    }

    /// Whether the pool's sockets have SO_KEEPALIVE on: libpq `keepalives`
    /// (default on) for psycopg2 / psycopg 3; never for asyncpg (asyncpg issue
    /// #606, DOMAIN.md section 6); else [`enables_so_keepalive`].
    pub fn so_keepalive(&self) -> Option<bool> {
        match &self.driver.value {
            Driver::Psycopg2 | Driver::Psycopg => Some(
                self.pg
                    .as_ref()
                    .and_then(|p| p.libpq.as_ref())
                    .is_none_or(|l| l.keepalives.value),
            ),
            Driver::Asyncpg => Some(false),
            other => enables_so_keepalive(other),
        }
    }

    /// The per-socket keepalive idle time (TCP_KEEPIDLE), which overrides the
    /// host's `net.ipv4.tcp_keepalive_time` (`tcp(7)`): libpq `keepalives_idle`
    /// when set above 0 and keepalives are on; else `None` (the sysctl applies).
    pub fn keepalive_idle(&self) -> Option<Sourced<Duration>> {
        if self.so_keepalive() != Some(true) {
            return None;
        }
        let idle = &self.pg.as_ref()?.libpq.as_ref()?.keepalives_idle;
        let d = idle.value?;
        Some(Sourced::new(d, idle.origin.clone()))
    }
}

/// Whether the driver turns on SO_KEEPALIVE for TCP connections.
///
/// `Some(true)`: PyMySQL, mysqlclient, mysql-connector C extension, aiomysql,
/// asyncmy, MariaDB Connector, psycopg2 and psycopg 3 (libpq `keepalives`
/// defaults to on) (DOMAIN.md section 6). `Some(false)`: pure-Python
/// mysql-connector, asyncpg. `None`: unknown driver. A pool's own settings
/// (libpq `keepalives=0`) are in [`AppPool::so_keepalive`].
pub fn enables_so_keepalive(driver: &Driver) -> Option<bool> {
    match driver {
        Driver::PyMySql
        | Driver::MysqlClient
        | Driver::AioMysql
        | Driver::AsyncMy
        | Driver::MariaDbConnector
        | Driver::Psycopg2
        | Driver::Psycopg => Some(true),
        Driver::Asyncpg => Some(false),
        Driver::MysqlConnector { use_pure } => Some(!use_pure),
        Driver::Other(_) => None,
    }
}

/// Backend and driver declared in the manifest (`backend = "postgresql"`,
/// `driver = "psycopg"` on a `[[path]]`, docs/manifest.md): they replace
/// what the URL scheme or Django ENGINE says for every pool of the app file,
/// with the manifest key as their origin. A `driver` alone also sets its
/// family as the backend.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    /// `backend`, located at the manifest key.
    pub backend: Option<Sourced<Backend>>,
    /// `driver`, located at the manifest key.
    pub driver: Option<Sourced<Driver>>,
}

impl Overrides {
    /// The backend and driver after the overrides.
    pub fn apply(
        &self,
        backend: Sourced<Backend>,
        driver: Sourced<Driver>,
    ) -> (Sourced<Backend>, Sourced<Driver>) {
        let backend = match (&self.backend, &self.driver) {
            (Some(b), _) => b.clone(),
            (None, Some(d)) => match driver_family(&d.value) {
                Some(f) => Sourced::new(f, d.origin.clone()),
                None => backend,
            },
            (None, None) => backend,
        };
        (backend, self.driver.clone().unwrap_or(driver))
    }
}

/// The backend a manifest `backend` value names: `postgresql` (or
/// `postgres`), `mysql` (or `mariadb`, the same family here).
pub fn backend_named(name: &str) -> Option<Backend> {
    match name {
        "postgresql" | "postgres" => Some(Backend::PostgreSql),
        "mysql" | "mariadb" => Some(Backend::MySql),
        _ => None,
    }
}

/// The driver a manifest `driver` value names, by its SQLAlchemy driver name
/// (<https://docs.sqlalchemy.org/en/20/dialects/>): `psycopg` (psycopg 3),
/// `psycopg2`, `asyncpg`, `pymysql`, `mysqlclient` (or `mysqldb`),
/// `mysqlconnector`, `aiomysql`, `asyncmy`, `mariadbconnector`.
pub fn driver_named(name: &str) -> Option<Driver> {
    Some(match name {
        "psycopg" | "psycopg3" => Driver::Psycopg,
        "psycopg2" => Driver::Psycopg2,
        "asyncpg" => Driver::Asyncpg,
        "pymysql" => Driver::PyMySql,
        "mysqlclient" | "mysqldb" => Driver::MysqlClient,
        "mysqlconnector" => Driver::MysqlConnector { use_pure: false },
        "aiomysql" => Driver::AioMysql,
        "asyncmy" => Driver::AsyncMy,
        "mariadbconnector" => Driver::MariaDbConnector,
        _ => return None,
    })
}

/// The database family a driver speaks to (`None` for an unknown driver).
pub fn driver_family(driver: &Driver) -> Option<Backend> {
    match driver {
        Driver::Psycopg | Driver::Psycopg2 | Driver::Asyncpg => Some(Backend::PostgreSql),
        Driver::PyMySql
        | Driver::MysqlClient
        | Driver::MysqlConnector { .. }
        | Driver::AioMysql
        | Driver::AsyncMy
        | Driver::MariaDbConnector => Some(Backend::MySql),
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
/// vs `.toml`; an Airflow config, see [`airflow::is_airflow_cfg`], is read by
/// [`airflow::read_airflow`] without environment values; anything else is
/// tried as YAML).
///
/// Errors: [`LoadError`] when `path` cannot be read. Syntax errors (TL001) and
/// bad values (TL002) become diagnostics; the returned settings hold what could
/// be read (no pools when the file does not parse).
pub fn load_app(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<AppSettings, LoadError> {
    load_app_with(path, &Overrides::default(), sources, diags)
}

/// [`load_app`] with the manifest's backend / driver [`Overrides`].
///
/// Errors: as [`load_app`].
pub fn load_app_with(
    path: &Path,
    overrides: &Overrides,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<AppSettings, LoadError> {
    let file = sources.load(path)?;
    Ok(read_app_with(file, overrides, sources, diags))
}

/// Reads an app settings file already in `sources` (see [`load_app`]), then
/// marks its passwords as secret spans (the text itself is kept, so a second
/// read of the same file sees the real values).
pub fn read_app(file: FileId, sources: &mut SourceMap, diags: &mut Vec<Diagnostic>) -> AppSettings {
    read_app_with(file, &Overrides::default(), sources, diags)
}

/// [`read_app`] with the manifest's backend / driver [`Overrides`].
pub fn read_app_with(
    file: FileId,
    overrides: &Overrides,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> AppSettings {
    if airflow::is_airflow_cfg(sources.get(file).path(), sources.get(file).text()) {
        return airflow::read_airflow(
            file,
            &crate::env::EnvValues::new(),
            overrides,
            sources,
            diags,
        );
    }
    let text = sources.get(file).text().to_string();
    let is_toml = sources
        .get(file)
        .path()
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let parsed = if is_toml {
        parse_toml(&text).map(|n| vec![n])
    } else {
        parse_yaml_documents(&text)
    };
    let docs = match parsed {
        Ok(docs) => docs,
        Err(e) => {
            for span in values::secret_spans_in_text(&text) {
                sources.get_mut(file).mark_secret(span);
            }
            let format = if is_toml { "TOML" } else { "YAML" };
            let message = format!("invalid {format}: {}", e.message.trim_end_matches('.'));
            let label = Label::at(Location::new(file, e.span), "here");
            diags.push(Diagnostic::new(codes::SYNTAX_ERROR, message, label));
            return AppSettings {
                file,
                pools: Vec::new(),
            };
        }
    };
    let mut ctx = Ctx {
        file,
        text: &text,
        diags,
        origins: Vec::new(),
        overrides: overrides.clone(),
        spaces: Vec::new(),
    };
    let secrets: Vec<Span> = docs
        .iter()
        .flat_map(|d| values::secret_spans(&ctx, d))
        .collect();
    let pools = read_shapes(&mut ctx, &docs);
    for span in secrets {
        sources.get_mut(file).mark_secret(span);
    }
    AppSettings { file, pools }
}

fn read_shapes(ctx: &mut Ctx<'_>, docs: &[Node]) -> Vec<AppPool> {
    let mut pools = Vec::new();
    let mut found = false;
    for doc in docs {
        let mut flask_done = false;
        for (key, value) in doc.as_map().unwrap_or(&[]) {
            match key.text.as_str() {
                "sqlalchemy" => {
                    found = true;
                    sqlalchemy::read_section(ctx, key, value, &mut pools);
                }
                "DATABASES" => {
                    found = true;
                    django::read(ctx, value, &mut pools);
                }
                k if flask::is_flask_key(k) && !flask_done => {
                    found = true;
                    flask_done = true;
                    flask::read(ctx, doc, key, &mut pools);
                }
                _ => {}
            }
        }
    }
    if !found {
        let msg = "no app settings found: expected a top-level `sqlalchemy`, `SQLALCHEMY_DATABASE_URI` or `DATABASES` key".to_string();
        ctx.invalid(Span::new(0, 0), msg, "app settings file");
    }
    pools
}

/// The PostgreSQL parameters of a pool (`None` for other backends) and its
/// connect timeout: the PostgreSQL driver's own when it has one, else `connect`.
fn postgres_params(
    ctx: &mut Ctx<'_>,
    backend: Backend,
    driver: &Driver,
    input: &pg::Input<'_>,
    connect: Sourced<Option<Duration>>,
) -> (Option<PgParams>, Sourced<Option<Duration>>) {
    if backend != Backend::PostgreSql {
        return (None, connect);
    }
    let params = pg::read(ctx, input, driver);
    let connect = params.connect_timeout().unwrap_or(connect);
    (Some(params), connect)
}

/// Every key of a `connect_args` / `OPTIONS` mapping, with its location.
fn option_keys(ctx: &Ctx<'_>, args: Option<&Node>) -> Vec<(String, Location)> {
    args.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .map(|(k, _)| (k.text.clone(), ctx.loc(k.span)))
        .collect()
}

/// Backend, driver (located at the URL scheme, or at the manifest key that
/// overrides them) and parsed URL of an engine.
struct ResolvedUrl {
    backend: Sourced<Backend>,
    driver: Sourced<Driver>,
    url: Option<DbUrl>,
}

/// Parses an engine's URL node; problems are TL002 errors that never quote the URL.
fn resolve_url(ctx: &mut Ctx<'_>, name: &str, node: Option<&Node>, anchor: &Key) -> ResolvedUrl {
    let overrides = ctx.overrides.clone();
    let unknown = |origin: Origin| {
        let (backend, driver) = overrides.apply(
            Sourced::new(Backend::Other, origin.clone()),
            Sourced::new(Driver::Other("unknown".into()), origin),
        );
        ResolvedUrl {
            backend,
            driver,
            url: None,
        }
    };
    let Some(node) = node else {
        let msg = format!("engine `{name}` has no database URL; backend and driver are unknown");
        ctx.invalid(anchor.span, msg, "add a url");
        return unknown(Origin::File(ctx.loc(anchor.span)));
    };
    let Some(text) = node.as_str() else {
        let msg = format!(
            "the database URL of engine `{name}` must be a string, found {}; backend and driver are unknown",
            node.type_name()
        );
        ctx.invalid(node.span, msg, "expected dialect+driver://...");
        return unknown(ctx.at(node));
    };
    match url::parse_db_url(text) {
        Ok(u) => {
            let span = ctx.inner_span(node, u.scheme.clone());
            let origin = ctx.at_part(node, span);
            let (backend, driver) = overrides.apply(
                Sourced::new(u.backend, origin.clone()),
                Sourced::new(u.driver.clone(), origin),
            );
            ResolvedUrl {
                backend,
                driver,
                url: Some(u),
            }
        }
        Err(e) => {
            let msg = format!("{e} (engine `{name}`); backend and driver are unknown");
            ctx.invalid(node.span, msg, "expected dialect+driver://...");
            unknown(ctx.at(node))
        }
    }
}

#[cfg(test)]
mod tests;

/// Reads app settings from Python source without running it (Django
/// `settings.py`, Flask config classes, modules calling `create_engine`).
/// `object` names the config class / engine when the file has several;
/// `env` holds deploy-time values of environment variables the code reads.
///
/// See [`python`] for what is read. The Python file is parsed with ruff's
/// parser (`ruff_python_parser`); syntax errors are TL001 diagnostics and
/// what the parser recovers is read.
///
/// Errors: [`LoadError`] when `path` cannot be read; Python that does not
/// parse is a located diagnostic.
pub fn load_python(
    path: &Path,
    object: Option<&str>,
    env: &crate::env::EnvValues,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<AppSettings, LoadError> {
    load_python_with(path, object, env, &Overrides::default(), sources, diags)
}

/// [`load_python`] with the manifest's backend / driver [`Overrides`].
///
/// Errors: as [`load_python`].
pub fn load_python_with(
    path: &Path,
    object: Option<&str>,
    env: &crate::env::EnvValues,
    overrides: &Overrides,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<AppSettings, LoadError> {
    // Env values are not in any loaded file: their secrets are scrubbed from
    // outputs by value (see `crate::secrets`).
    for v in env.secret_values() {
        sources.add_secret_value(v);
    }
    let file = sources.load(path)?;
    Ok(python::read_python(
        file, object, env, overrides, sources, diags,
    ))
}

/// Reads an Airflow `airflow.cfg` (see [`airflow`]) with the deploy-time
/// `AIRFLOW__{SECTION}__{KEY}` values of `env` (manifest `[path.env]`,
/// `--env-file`), which win over the file as in Airflow, and the manifest's
/// backend / driver [`Overrides`].
///
/// Errors: [`LoadError`] when `path` cannot be read; syntax errors are TL001
/// and bad values TL002 diagnostics.
pub fn load_airflow_with(
    path: &Path,
    env: &crate::env::EnvValues,
    overrides: &Overrides,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Result<AppSettings, LoadError> {
    let file = sources.load(path)?;
    Ok(airflow::read_airflow(file, env, overrides, sources, diags))
}
