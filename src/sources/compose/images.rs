//! Which server an image runs, and the environment variables its entrypoint
//! turns into settings.

use crate::sources::System;

/// A recognised server image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Image {
    /// Which system it runs.
    pub system: System,
    /// The repository without registry and `library/` (`mysql`,
    /// `bitnami/postgresql`, `edoburu/pgbouncer`).
    pub product: &'static str,
    /// The server version read from the tag (`8.0.30`, `16`), when it has one.
    pub version: Option<String>,
}

/// The images recognised, by repository (Docker Hub names; the same
/// repositories on another registry are recognised too).
const IMAGES: &[(&str, System)] = &[
    ("mysql", System::Mysql),
    ("mysql/mysql-server", System::Mysql),
    ("mariadb", System::Mysql),
    ("percona", System::Mysql),
    ("percona/percona-server", System::Mysql),
    ("bitnami/mysql", System::Mysql),
    ("bitnami/mariadb", System::Mysql),
    ("postgres", System::Postgres),
    ("bitnami/postgresql", System::Postgres),
    ("postgis/postgis", System::Postgres),
    ("timescale/timescaledb", System::Postgres),
    ("timescale/timescaledb-ha", System::Postgres),
    ("edoburu/pgbouncer", System::PgBouncer),
    ("bitnami/pgbouncer", System::PgBouncer),
    ("pgbouncer/pgbouncer", System::PgBouncer),
];

/// Recognises an image reference `[registry/][namespace/]repo[:tag][@digest]`,
/// parsed by [`crate::sources::embedded::image_reference`]
/// (https://docs.docker.com/reference/cli/docker/image/tag/): the registry
/// is the first component when it holds a `.` or `:` or is `localhost`
/// (`docker.io/library/mysql`, `quay.io/...`, `public.ecr.aws/...` are
/// stripped), `library/` is Docker Hub's namespace of official images.
/// `None` for any other image (an app, redis, a locally built `pgbouncer`).
///
/// Version from the tag: its leading `v`-less dotted number (`16-alpine` ->
/// `16`, `8.0.30` -> `8.0.30`, bitnami `16.2.0-debian-12-r5` -> `16.2.0`,
/// postgis `16-3.4` -> `16`, the PostgreSQL major first); for timescale
/// images the `pgNN` part (`2.14.2-pg16` -> `16`). `latest`, no tag, or a
/// tag without a number: no version.
pub(crate) fn recognise(reference: &str) -> Option<Image> {
    let (repo, version) = crate::sources::embedded::image_reference(reference)?;
    let (product, system) = IMAGES.iter().find(|(p, _)| *p == repo)?;
    Some(Image {
        system: *system,
        product,
        version,
    })
}

/// How an image turns one environment variable into settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnvRole {
    /// A config-file key (`server_idle_timeout`) written from the variable.
    Setting(&'static str),
    /// Extra server flags, split on blanks and read as the server's
    /// command line (bitnami `MYSQL_EXTRA_FLAGS`).
    ExtraFlags,
}

/// edoburu/pgbouncer: `entrypoint.sh` at
/// https://github.com/edoburu/docker-pgbouncer/blob/91a581b7e9ea0c6b3e9001db39d67efa8b05dfb2/entrypoint.sh
/// writes `key = ${VAR}` into `[pgbouncer]` only when the variable is not
/// empty (`${VAR:+...}`, or `${VAR:-default}` for the first few).
const EDOBURU: &[(&str, &str)] = &[
    ("LISTEN_ADDR", "listen_addr"),
    ("LISTEN_PORT", "listen_port"),
    ("AUTH_TYPE", "auth_type"),
    ("AUTH_USER", "auth_user"),
    ("AUTH_QUERY", "auth_query"),
    ("AUTH_DBNAME", "auth_dbname"),
    ("POOL_MODE", "pool_mode"),
    ("MAX_CLIENT_CONN", "max_client_conn"),
    ("POOL_SIZE", "pool_size"),
    ("DEFAULT_POOL_SIZE", "default_pool_size"),
    ("MIN_POOL_SIZE", "min_pool_size"),
    ("RESERVE_POOL_SIZE", "reserve_pool_size"),
    ("RESERVE_POOL_TIMEOUT", "reserve_pool_timeout"),
    ("MAX_DB_CONNECTIONS", "max_db_connections"),
    ("MAX_USER_CONNECTIONS", "max_user_connections"),
    ("SERVER_ROUND_ROBIN", "server_round_robin"),
    ("IGNORE_STARTUP_PARAMETERS", "ignore_startup_parameters"),
    ("DISABLE_PQEXEC", "disable_pqexec"),
    ("APPLICATION_NAME_ADD_HOST", "application_name_add_host"),
    ("TIMEZONE", "timezone"),
    ("MAX_PREPARED_STATEMENTS", "max_prepared_statements"),
    ("LOG_CONNECTIONS", "log_connections"),
    ("LOG_DISCONNECTIONS", "log_disconnections"),
    ("LOG_POOLER_ERRORS", "log_pooler_errors"),
    ("LOG_STATS", "log_stats"),
    ("STATS_PERIOD", "stats_period"),
    ("VERBOSE", "verbose"),
    ("ADMIN_USERS", "admin_users"),
    ("STATS_USERS", "stats_users"),
    ("SERVER_RESET_QUERY", "server_reset_query"),
    ("SERVER_RESET_QUERY_ALWAYS", "server_reset_query_always"),
    ("SERVER_CHECK_DELAY", "server_check_delay"),
    ("SERVER_CHECK_QUERY", "server_check_query"),
    ("SERVER_LIFETIME", "server_lifetime"),
    ("SERVER_IDLE_TIMEOUT", "server_idle_timeout"),
    ("SERVER_CONNECT_TIMEOUT", "server_connect_timeout"),
    ("SERVER_LOGIN_RETRY", "server_login_retry"),
    ("CLIENT_LOGIN_TIMEOUT", "client_login_timeout"),
    ("AUTODB_IDLE_TIMEOUT", "autodb_idle_timeout"),
    ("DNS_MAX_TTL", "dns_max_ttl"),
    ("DNS_NXDOMAIN_TTL", "dns_nxdomain_ttl"),
    ("CLIENT_TLS_SSLMODE", "client_tls_sslmode"),
    ("SERVER_TLS_SSLMODE", "server_tls_sslmode"),
    ("QUERY_TIMEOUT", "query_timeout"),
    ("QUERY_WAIT_TIMEOUT", "query_wait_timeout"),
    ("CLIENT_IDLE_TIMEOUT", "client_idle_timeout"),
    ("IDLE_TRANSACTION_TIMEOUT", "idle_transaction_timeout"),
    ("PKT_BUF", "pkt_buf"),
    ("MAX_PACKET_SIZE", "max_packet_size"),
    ("LISTEN_BACKLOG", "listen_backlog"),
    ("SBUF_LOOPCNT", "sbuf_loopcnt"),
    ("SUSPEND_TIMEOUT", "suspend_timeout"),
    ("TCP_DEFER_ACCEPT", "tcp_defer_accept"),
    ("TCP_KEEPALIVE", "tcp_keepalive"),
    ("TCP_KEEPCNT", "tcp_keepcnt"),
    ("TCP_KEEPIDLE", "tcp_keepidle"),
    ("TCP_KEEPINTVL", "tcp_keepintvl"),
    ("TCP_USER_TIMEOUT", "tcp_user_timeout"),
];

/// bitnami/pgbouncer: `pgbouncer_initialize` in
/// https://github.com/bitnami/containers/blob/a3df972040321719b27b305f73a6ac3770bce07f/bitnami/pgbouncer/1/debian-12/rootfs/opt/bitnami/scripts/libpgbouncer.sh
/// sets each `[pgbouncer]` key from its variable when the value is not
/// empty (`! is_empty_value`).
const BITNAMI_PGBOUNCER: &[(&str, &str)] = &[
    ("PGBOUNCER_PORT", "listen_port"),
    ("PGBOUNCER_LISTEN_ADDRESS", "listen_addr"),
    ("PGBOUNCER_AUTH_TYPE", "auth_type"),
    ("PGBOUNCER_AUTH_QUERY", "auth_query"),
    ("PGBOUNCER_STATS_USERS", "stats_users"),
    ("PGBOUNCER_CLIENT_TLS_SSLMODE", "client_tls_sslmode"),
    ("PGBOUNCER_SERVER_TLS_SSLMODE", "server_tls_sslmode"),
    ("PGBOUNCER_POOL_MODE", "pool_mode"),
    ("PGBOUNCER_MAX_CLIENT_CONN", "max_client_conn"),
    ("PGBOUNCER_MAX_DB_CONNECTIONS", "max_db_connections"),
    (
        "PGBOUNCER_IDLE_TRANSACTION_TIMEOUT",
        "idle_transaction_timeout",
    ),
    ("PGBOUNCER_SERVER_RESET_QUERY", "server_reset_query"),
    ("PGBOUNCER_DEFAULT_POOL_SIZE", "default_pool_size"),
    ("PGBOUNCER_MIN_POOL_SIZE", "min_pool_size"),
    ("PGBOUNCER_RESERVE_POOL_SIZE", "reserve_pool_size"),
    ("PGBOUNCER_RESERVE_POOL_TIMEOUT", "reserve_pool_timeout"),
    (
        "PGBOUNCER_IGNORE_STARTUP_PARAMETERS",
        "ignore_startup_parameters",
    ),
    ("PGBOUNCER_LOG_CONNECTIONS", "log_connections"),
    ("PGBOUNCER_LOG_DISCONNECTIONS", "log_disconnections"),
    ("PGBOUNCER_LOG_POOLER_ERRORS", "log_pooler_errors"),
    ("PGBOUNCER_LOG_STATS", "log_stats"),
    ("PGBOUNCER_STATS_PERIOD", "stats_period"),
    ("PGBOUNCER_SERVER_ROUND_ROBIN", "server_round_robin"),
    ("PGBOUNCER_SERVER_FAST_CLOSE", "server_fast_close"),
    ("PGBOUNCER_SERVER_LIFETIME", "server_lifetime"),
    ("PGBOUNCER_SERVER_IDLE_TIMEOUT", "server_idle_timeout"),
    ("PGBOUNCER_SERVER_CONNECT_TIMEOUT", "server_connect_timeout"),
    ("PGBOUNCER_SERVER_LOGIN_RETRY", "server_login_retry"),
    ("PGBOUNCER_CLIENT_LOGIN_TIMEOUT", "client_login_timeout"),
    ("PGBOUNCER_AUTODB_IDLE_TIMEOUT", "autodb_idle_timeout"),
    ("PGBOUNCER_QUERY_TIMEOUT", "query_timeout"),
    ("PGBOUNCER_QUERY_WAIT_TIMEOUT", "query_wait_timeout"),
    ("PGBOUNCER_CLIENT_IDLE_TIMEOUT", "client_idle_timeout"),
    (
        "PGBOUNCER_MAX_PREPARED_STATEMENTS",
        "max_prepared_statements",
    ),
    (
        "PGBOUNCER_APPLICATION_NAME_ADD_HOST",
        "application_name_add_host",
    ),
];

/// bitnami/postgresql: the variables its README
/// (https://github.com/bitnami/containers/blob/main/bitnami/postgresql/README.md,
/// "Customizable environment variables") documents as setting a
/// postgresql.conf parameter on the connection path.
const BITNAMI_POSTGRESQL: &[(&str, &str)] = &[
    ("POSTGRESQL_MAX_CONNECTIONS", "max_connections"),
    ("POSTGRESQL_TCP_KEEPALIVES_IDLE", "tcp_keepalives_idle"),
    (
        "POSTGRESQL_TCP_KEEPALIVES_INTERVAL",
        "tcp_keepalives_interval",
    ),
    ("POSTGRESQL_TCP_KEEPALIVES_COUNT", "tcp_keepalives_count"),
    ("POSTGRESQL_STATEMENT_TIMEOUT", "statement_timeout"),
];

/// What the environment variable `name` does in `product`'s image, if
/// anything. bitnami/mysql and bitnami/mariadb read `MYSQL_EXTRA_FLAGS` /
/// `MARIADB_EXTRA_FLAGS` as extra mysqld flags (`mysql_extra_flags` in
/// bitnami's `libmysql.sh`: `read -r -a userExtraFlags`).
pub(crate) fn env_role(product: &str, name: &str) -> Option<EnvRole> {
    let table: &[(&str, &str)] = match product {
        "edoburu/pgbouncer" => EDOBURU,
        "bitnami/pgbouncer" => BITNAMI_PGBOUNCER,
        "bitnami/postgresql" => BITNAMI_POSTGRESQL,
        "bitnami/mysql" => {
            return (name == "MYSQL_EXTRA_FLAGS").then_some(EnvRole::ExtraFlags);
        }
        "bitnami/mariadb" => {
            return (name == "MARIADB_EXTRA_FLAGS").then_some(EnvRole::ExtraFlags);
        }
        _ => return None,
    };
    table
        .iter()
        .find(|(v, _)| *v == name)
        .map(|(_, k)| EnvRole::Setting(k))
}
