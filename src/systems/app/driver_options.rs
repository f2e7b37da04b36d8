//! Which keyword arguments each driver's `connect()` accepts, for checking the
//! keys of SQLAlchemy `connect_args` and Django `OPTIONS`.
//!
//! A key a driver does not accept fails every connection: Python raises
//! `TypeError: ... unexpected keyword argument`, and libpq (psycopg2, psycopg 3)
//! raises `invalid connection option "..."`. The lists are keyword names, exact
//! and case-sensitive, each with the source it was read from. Where a list lags
//! a new release, a key is missing and a rule would report it: lists err on the
//! side of including keys that older or newer versions accept.

use super::{Driver, Framework};

/// libpq connection keywords (psycopg2 and psycopg 3 pass unknown keyword
/// arguments straight to libpq).
///
/// Source: `postgres/postgres:src/interfaces/libpq/fe-connect.c`
/// `PQconninfoOptions[]` (stored version with `sslnegotiation`,
/// `scram_client_key`); PostgreSQL 18 adds `min_protocol_version` /
/// `max_protocol_version` (commit 285613c60a7), `sslkeylogfile` and the
/// `oauth_*` keys (PG 18 docs, `libpq-connect.html`); `requiressl`, `authtype`
/// and `tty` are accepted by older libpq releases.
pub const LIBPQ: &[&str] = &[
    "service",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "sslkeylogfile",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "min_protocol_version",
    "max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "replication",
    "target_session_attrs",
    "load_balance_hosts",
    "scram_client_key",
    "scram_server_key",
    "oauth_issuer",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_scope",
    "requiressl",
    "authtype",
    "tty",
];

/// psycopg2's own keyword arguments, next to the libpq keywords.
///
/// Source: `psycopg/psycopg2:lib/__init__.py` `connect(dsn=None,
/// connection_factory=None, cursor_factory=None, **kwargs)`, which pops
/// `async` / `async_`; `lib/extensions.py` `make_dsn` maps `database` to `dbname`.
pub const PSYCOPG2: &[&str] = &[
    "dsn",
    "connection_factory",
    "cursor_factory",
    "async",
    "async_",
    "database",
];

/// psycopg 3's own keyword arguments, next to the libpq keywords.
///
/// Source: `psycopg/psycopg:psycopg/psycopg/connection.py` `Connection.connect(
/// conninfo="", *, autocommit=False, prepare_threshold=5, context=None,
/// row_factory=None, cursor_factory=None, **kwargs)`.
pub const PSYCOPG: &[&str] = &[
    "conninfo",
    "autocommit",
    "prepare_threshold",
    "context",
    "row_factory",
    "cursor_factory",
];

/// asyncpg `connect()` keyword arguments (no `**kwargs`: anything else is a
/// `TypeError`).
///
/// Source: `MagicStack/asyncpg:asyncpg/connection.py` `async def connect(dsn=None,
/// *, host, port, user, password, passfile, database, loop, timeout=60,
/// statement_cache_size=100, max_cached_statement_lifetime=300,
/// max_cacheable_statement_size, command_timeout=None, ssl, direct_tls,
/// connection_class, record_class, server_settings, target_session_attrs,
/// krbsrvname, gsslib)`.
pub const ASYNCPG: &[&str] = &[
    "dsn",
    "host",
    "port",
    "user",
    "password",
    "passfile",
    "database",
    "loop",
    "timeout",
    "statement_cache_size",
    "max_cached_statement_lifetime",
    "max_cacheable_statement_size",
    "command_timeout",
    "ssl",
    "direct_tls",
    "connection_class",
    "record_class",
    "server_settings",
    "target_session_attrs",
    "krbsrvname",
    "gsslib",
];

/// Keys SQLAlchemy's asyncpg dialect takes out of the connect arguments before
/// calling `asyncpg.connect()`.
///
/// Source: `sqlalchemy/sqlalchemy:lib/sqlalchemy/dialects/postgresql/asyncpg.py`
/// `AsyncAdapt_asyncpg_dbapi.connect` (`kw.pop("async_fallback")`,
/// `"async_creator_fn"`, `"prepared_statement_cache_size"`,
/// `"prepared_statement_name_func"`).
pub const SQLALCHEMY_ASYNCPG: &[&str] = &[
    "async_fallback",
    "async_creator_fn",
    "prepared_statement_cache_size",
    "prepared_statement_name_func",
];

/// Keys SQLAlchemy's aiomysql and asyncmy dialects take out of the connect
/// arguments (`AsyncAdapt_aiomysql_dbapi.connect`, `AsyncAdapt_asyncmy_dbapi.connect`
/// in `sqlalchemy/dialects/mysql/aiomysql.py` / `asyncmy.py`).
pub const SQLALCHEMY_ASYNC_MYSQL: &[&str] = &["async_fallback", "async_creator_fn"];

/// PyMySQL `Connection.__init__` keyword arguments (keyword-only, no `**kwargs`).
///
/// Source: `PyMySQL/PyMySQL@0305ab3:pymysql/connections.py`.
pub const PYMYSQL: &[&str] = &[
    "user",
    "password",
    "host",
    "database",
    "unix_socket",
    "port",
    "charset",
    "collation",
    "sql_mode",
    "read_default_file",
    "conv",
    "use_unicode",
    "client_flag",
    "cursorclass",
    "init_command",
    "connect_timeout",
    "read_default_group",
    "autocommit",
    "local_infile",
    "max_allowed_packet",
    "defer_connect",
    "auth_plugin_map",
    "read_timeout",
    "write_timeout",
    "bind_address",
    "binary_prefix",
    "program_name",
    "server_public_key",
    "ssl",
    "ssl_ca",
    "ssl_cert",
    "ssl_disabled",
    "ssl_key",
    "ssl_key_password",
    "ssl_verify_cert",
    "ssl_verify_identity",
    "compress",
    "named_pipe",
    "passwd",
    "db",
];

/// mysqlclient (MySQLdb) keyword arguments: the `_mysql.connect` kwlist plus the
/// keys `MySQLdb.connections.Connection.__init__` consumes itself.
///
/// Source: `PyMySQL/mysqlclient:src/MySQLdb/_mysql.c` `kwlist[]` (with
/// `server_public_key_path`) and `src/MySQLdb/connections.py` (`db`, `passwd`,
/// `cursorclass`, `collation`, `use_unicode`, `sql_mode`, `binary_prefix`,
/// `multi_statements`, `autocommit`; docstring: `local_infile_dir`).
pub const MYSQLCLIENT: &[&str] = &[
    "host",
    "user",
    "password",
    "database",
    "port",
    "unix_socket",
    "conv",
    "connect_timeout",
    "compress",
    "named_pipe",
    "init_command",
    "read_default_file",
    "read_default_group",
    "client_flag",
    "ssl",
    "ssl_mode",
    "local_infile",
    "local_infile_dir",
    "read_timeout",
    "write_timeout",
    "charset",
    "auth_plugin",
    "server_public_key_path",
    "db",
    "passwd",
    "cursorclass",
    "collation",
    "use_unicode",
    "sql_mode",
    "binary_prefix",
    "multi_statements",
    "autocommit",
];

/// mysql-connector-python `connect()` keyword arguments.
///
/// Source: `mysql/mysql-connector-python:mysql-connector-python/lib/mysql/connector/constants.py`
/// `DEFAULT_CONFIGURATION` and `CNX_POOL_ARGS`; `option_files`, `option_groups`
/// and `failover` are read by `mysql.connector.connect()` itself (`pooling.py`).
pub const MYSQL_CONNECTOR: &[&str] = &[
    "database",
    "user",
    "password",
    "password1",
    "password2",
    "password3",
    "host",
    "port",
    "unix_socket",
    "use_unicode",
    "charset",
    "collation",
    "converter_class",
    "converter_str_fallback",
    "autocommit",
    "time_zone",
    "sql_mode",
    "get_warnings",
    "raise_on_warnings",
    "connection_timeout",
    "read_timeout",
    "write_timeout",
    "client_flags",
    "compress",
    "buffered",
    "raw",
    "ssl_ca",
    "ssl_cert",
    "ssl_key",
    "ssl_verify_cert",
    "ssl_verify_identity",
    "ssl_cipher",
    "tls_ciphersuites",
    "ssl_disabled",
    "tls_versions",
    "passwd",
    "db",
    "connect_timeout",
    "dsn",
    "force_ipv6",
    "auth_plugin",
    "allow_local_infile",
    "allow_local_infile_in_path",
    "consume_results",
    "conn_attrs",
    "dns_srv",
    "use_pure",
    "krb_service_principal",
    "oci_config_file",
    "oci_config_profile",
    "webauthn_callback",
    "kerberos_auth_mode",
    "init_command",
    "openid_token_file",
    "pool_name",
    "pool_size",
    "pool_reset_session",
    "option_files",
    "option_groups",
    "failover",
];

/// aiomysql `connect()` keyword arguments.
///
/// Source: `aio-libs/aiomysql:aiomysql/connection.py` `connect(host, user,
/// password, db, port, unix_socket, charset, sql_mode, read_default_file, conv,
/// use_unicode, client_flag, cursorclass, init_command, connect_timeout,
/// read_default_group, autocommit, echo, local_infile, loop, ssl, auth_plugin,
/// program_name, server_public_key)`; `no_delay` in older releases.
pub const AIOMYSQL: &[&str] = &[
    "host",
    "user",
    "password",
    "db",
    "port",
    "unix_socket",
    "charset",
    "sql_mode",
    "read_default_file",
    "conv",
    "use_unicode",
    "client_flag",
    "cursorclass",
    "init_command",
    "connect_timeout",
    "read_default_group",
    "autocommit",
    "echo",
    "local_infile",
    "loop",
    "ssl",
    "auth_plugin",
    "program_name",
    "server_public_key",
    "no_delay",
];

/// asyncmy `Connection.__init__` keyword arguments (keyword-only).
///
/// Source: `long2ice/asyncmy:asyncmy/connection.pyx` `Connection.__init__`.
pub const ASYNCMY: &[&str] = &[
    "user",
    "password",
    "host",
    "database",
    "unix_socket",
    "port",
    "charset",
    "sql_mode",
    "read_default_file",
    "conv",
    "use_unicode",
    "client_flag",
    "cursor_cls",
    "init_command",
    "connect_timeout",
    "read_default_group",
    "autocommit",
    "local_infile",
    "max_allowed_packet",
    "auth_plugin_map",
    "read_timeout",
    "write_timeout",
    "binary_prefix",
    "program_name",
    "server_public_key",
    "echo",
    "ssl",
    "db",
];

/// `OPTIONS` keys Django's PostgreSQL backend consumes itself (never passed to psycopg).
///
/// Source: Django 5.2 `django/db/backends/postgresql/base.py`
/// `get_connection_params` (pops `isolation_level`, `server_side_binding`,
/// `assume_role`, `pool`; DOMAIN.md section 5).
pub const DJANGO_POSTGRESQL: &[&str] = &[
    "isolation_level",
    "pool",
    "server_side_binding",
    "assume_role",
];

/// `OPTIONS` keys Django's MySQL backend consumes itself.
///
/// Source: Django 5.2 `django/db/backends/mysql/base.py` `get_connection_params`
/// (pops `isolation_level`; DOMAIN.md section 5).
pub const DJANGO_MYSQL: &[&str] = &["isolation_level"];

/// A driver whose keyword list is known, with its display name.
#[derive(Clone, Copy)]
struct Known {
    name: &'static str,
    lists: &'static [&'static [&'static str]],
}

/// Every known driver in display order, for [`drivers_accepting`].
const KNOWN: &[Known] = &[
    Known {
        name: "psycopg2",
        lists: &[LIBPQ, PSYCOPG2],
    },
    Known {
        name: "psycopg 3",
        lists: &[LIBPQ, PSYCOPG],
    },
    Known {
        name: "asyncpg",
        lists: &[ASYNCPG],
    },
    Known {
        name: "PyMySQL",
        lists: &[PYMYSQL],
    },
    Known {
        name: "mysqlclient",
        lists: &[MYSQLCLIENT],
    },
    Known {
        name: "mysql-connector-python",
        lists: &[MYSQL_CONNECTOR],
    },
    Known {
        name: "aiomysql",
        lists: &[AIOMYSQL],
    },
    Known {
        name: "asyncmy",
        lists: &[ASYNCMY],
    },
];

fn known(driver: &Driver) -> Option<Known> {
    let i = match driver {
        Driver::Psycopg2 => 0,
        Driver::Psycopg => 1,
        Driver::Asyncpg => 2,
        Driver::PyMySql => 3,
        Driver::MysqlClient => 4,
        Driver::MysqlConnector { .. } => 5,
        Driver::AioMysql => 6,
        Driver::AsyncMy => 7,
        Driver::MariaDbConnector | Driver::Other(_) => return None,
    };
    Some(KNOWN[i])
}

/// Keys the framework takes out of the driver arguments itself, for this driver.
fn framework_keys(driver: &Driver, framework: Framework) -> &'static [&'static str] {
    match (framework, driver) {
        (Framework::Django, Driver::Psycopg | Driver::Psycopg2) => DJANGO_POSTGRESQL,
        (Framework::Django, Driver::MysqlClient) => DJANGO_MYSQL,
        (
            Framework::SqlAlchemy
            | Framework::FlaskSqlAlchemy
            | Framework::Airflow
            | Framework::Superset,
            Driver::Asyncpg,
        ) => SQLALCHEMY_ASYNCPG,
        (
            Framework::SqlAlchemy
            | Framework::FlaskSqlAlchemy
            | Framework::Airflow
            | Framework::Superset,
            Driver::AioMysql | Driver::AsyncMy,
        ) => SQLALCHEMY_ASYNC_MYSQL,
        _ => &[],
    }
}

/// Whether `key`, given in `connect_args` (SQLAlchemy, Flask-SQLAlchemy) or
/// Django `OPTIONS`, is accepted: by the framework itself or by the driver's
/// `connect()`. `None` when the driver's keyword list is not known
/// (`Driver::Other`, MariaDB Connector/Python).
pub fn accepts_option(driver: &Driver, framework: Framework, key: &str) -> Option<bool> {
    let k = known(driver)?;
    let accepted = framework_keys(driver, framework).contains(&key)
        || k.lists.iter().any(|list| list.contains(&key));
    Some(accepted)
}

/// Display names of the known drivers whose `connect()` accepts `key`, in a
/// fixed order (PostgreSQL drivers first), e.g. `command_timeout` -> `["asyncpg"]`.
pub fn drivers_accepting(key: &str) -> Vec<&'static str> {
    KNOWN
        .iter()
        .filter(|k| k.lists.iter().any(|list| list.contains(&key)))
        .map(|k| k.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_have_no_duplicates() {
        let all: &[(&str, &[&str])] = &[
            ("libpq", LIBPQ),
            ("psycopg2", PSYCOPG2),
            ("psycopg", PSYCOPG),
            ("asyncpg", ASYNCPG),
            ("pymysql", PYMYSQL),
            ("mysqlclient", MYSQLCLIENT),
            ("connector", MYSQL_CONNECTOR),
            ("aiomysql", AIOMYSQL),
            ("asyncmy", ASYNCMY),
        ];
        for (name, list) in all {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "duplicate key in {name}");
        }
    }
}
