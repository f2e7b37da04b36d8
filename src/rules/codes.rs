//! Stable rule codes. Each code has a catalogue file `rules/<ID>-<name>.toml`
//! holding its documentation; a test checks the two lists agree.
//!
//! Ranges: `TL0xx` input problems (parse errors, invalid values, manifest
//! errors); `TL1xx` connection-path mismatches. Codes are never reused.

pub use crate::code::Code;
use crate::code::{Severity, code};

/// A file that does not parse in its format.
pub const SYNTAX_ERROR: Code = code("TL001", "config-syntax-error", Severity::Error);
/// A value that is not valid for its setting (bad number, unknown suffix, out of range).
pub const INVALID_VALUE: Code = code("TL002", "invalid-setting-value", Severity::Error);
/// An `!include` / `!includedir` target that cannot be read.
pub const INCLUDE_UNREADABLE: Code = code("TL003", "include-not-readable", Severity::Error);
/// A manifest entry that is wrong (unknown key, bad duration, missing alias).
pub const MANIFEST_ERROR: Code = code("TL004", "manifest-entry-invalid", Severity::Error);
/// sysctl text after a value that the file format does not treat as a comment.
pub const SYSCTL_TRAILING_TEXT: Code = code(
    "TL005",
    "sysctl-trailing-text-after-value",
    Severity::Warning,
);
/// The app file names a database the db config is not for (e.g. PostgreSQL URL, my.cnf).
pub const BACKEND_MISMATCH: Code = code(
    "TL006",
    "app-backend-differs-from-db-config",
    Severity::Warning,
);

/// A PostgreSQL `*_timeout` written as a bare number under 1000: milliseconds, probably meant as seconds.
pub const BARE_TIMEOUT_IN_MILLISECONDS: Code = code(
    "TL007",
    "bare-number-timeout-in-milliseconds",
    Severity::Warning,
);
/// A value given for a preset hop outside the device's documented range, or a
/// preset whose default is not confirmed and no value was given.
pub const PRESET_VALUE_INVALID: Code = code("TL008", "preset-value-invalid", Severity::Error);
/// An inline `# timeoutlint: ignore[...]` that suppresses nothing.
pub const UNUSED_SUPPRESSION: Code = code("TL009", "unused-suppression", Severity::Warning);
/// An inline suppression without a reason, or naming an unknown rule.
pub const INVALID_SUPPRESSION: Code = code("TL010", "invalid-suppression", Severity::Warning);
/// A `[lint]` / `[tool.timeoutlint]` configuration key or value that is not valid.
pub const INVALID_CONFIG: Code = code("TL011", "invalid-lint-config", Severity::Error);
/// A Python setting whose value the tool cannot know without running the code.
pub const UNKNOWN_PYTHON_VALUE: Code = code("TL012", "unknown-python-value", Severity::Info);
/// A Django setting placed where Django ignores it (e.g. `CONN_MAX_AGE` at module level).
pub const SETTING_IGNORED_BY_FRAMEWORK: Code =
    code("TL013", "setting-ignored-by-framework", Severity::Warning);
/// A setting assigned twice in one file: the last assignment wins.
pub const SETTING_OVERRIDDEN_LATER: Code =
    code("TL014", "setting-overridden-later", Severity::Warning);

/// SQLAlchemy / Flask-SQLAlchemy `pool_recycle` at or above the server's `wait_timeout`.
pub const POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT: Code = code(
    "TL101",
    "pool-recycle-exceeds-wait-timeout",
    Severity::Error,
);
/// Django `CONN_MAX_AGE` at or above the server's `wait_timeout`.
pub const CONN_MAX_AGE_EXCEEDS_WAIT_TIMEOUT: Code = code(
    "TL102",
    "conn-max-age-exceeds-wait-timeout",
    Severity::Error,
);
/// Retirement age at or above the idle timeout of a hop that keepalive does not keep open.
pub const RETIREMENT_EXCEEDS_HOP_IDLE_TIMEOUT: Code = code(
    "TL103",
    "retirement-exceeds-hop-idle-timeout",
    Severity::Error,
);
/// Retirement age below an idle killer but within the safety margin.
pub const RETIREMENT_WITHIN_MARGIN: Code = code(
    "TL104",
    "retirement-within-margin-of-idle-timeout",
    Severity::Warning,
);
/// Keepalive sysctls tuned on the app host, but the driver never enables SO_KEEPALIVE.
pub const KEEPALIVE_SYSCTL_UNUSED: Code = code(
    "TL105",
    "keepalive-sysctl-unused-by-driver",
    Severity::Warning,
);
/// Server `wait_timeout` longer than a silently dropping hop's idle timeout.
pub const WAIT_TIMEOUT_EXCEEDS_DROPPING_HOP: Code = code(
    "TL106",
    "wait-timeout-exceeds-dropping-hop",
    Severity::Warning,
);
/// Retirement set above 0 but under 60 s: a reconnect every few requests.
pub const RETIREMENT_CAUSES_RECONNECT_CHURN: Code = code(
    "TL107",
    "retirement-causes-reconnect-churn",
    Severity::Warning,
);
/// Flask-SQLAlchemy configuration keys removed in 3.0 (silently ignored).
pub const FLASK_SQLALCHEMY_REMOVED_KEY: Code = code(
    "TL108",
    "flask-sqlalchemy-removed-config-key",
    Severity::Warning,
);

/// PostgreSQL `idle_session_timeout` at or below PgBouncer's `server_idle_timeout` or `server_lifetime`.
pub const IDLE_SESSION_TIMEOUT_KILLS_POOLED: Code = code(
    "TL109",
    "idle-session-timeout-kills-pooled-connections",
    Severity::Warning,
);
/// PgBouncer `client_idle_timeout` at or below the app's retirement age.
pub const CLIENT_IDLE_TIMEOUT_NOT_ABOVE_RETIREMENT: Code = code(
    "TL110",
    "client-idle-timeout-not-above-retirement",
    Severity::Error,
);
/// PgBouncer `query_timeout` without a smaller server `statement_timeout`.
pub const QUERY_TIMEOUT_WITHOUT_STATEMENT_TIMEOUT: Code = code(
    "TL111",
    "query-timeout-without-smaller-statement-timeout",
    Severity::Warning,
);
/// Startup parameters (`options=-c ...`, asyncpg `server_settings`) that PgBouncer rejects.
pub const STARTUP_PARAMETER_REJECTED: Code = code(
    "TL112",
    "startup-parameter-rejected-by-pgbouncer",
    Severity::Error,
);
/// Startup parameters that PgBouncer accepts but silently drops (`ignore_startup_parameters`).
pub const STARTUP_PARAMETER_IGNORED: Code = code(
    "TL113",
    "startup-parameter-ignored-by-pgbouncer",
    Severity::Warning,
);
/// A connect_args / Django OPTIONS key the driver does not accept.
pub const UNKNOWN_DRIVER_OPTION: Code = code("TL114", "unknown-driver-option", Severity::Error);
/// Django native pool with `CONN_MAX_AGE != 0` or with psycopg2.
pub const DJANGO_POOL_MISCONFIGURED: Code =
    code("TL115", "django-pool-misconfigured", Severity::Error);
/// Django native pool without `CONN_HEALTH_CHECKS` while an idle killer is on the path.
pub const DJANGO_POOL_WITHOUT_HEALTH_CHECKS: Code = code(
    "TL116",
    "django-pool-without-health-checks",
    Severity::Warning,
);
/// PostgreSQL `lock_timeout >= statement_timeout > 0`.
pub const LOCK_TIMEOUT_NOT_BELOW_STATEMENT_TIMEOUT: Code = code(
    "TL117",
    "lock-timeout-not-below-statement-timeout",
    Severity::Info,
);
/// MySQL `interactive_timeout` differs from `wait_timeout`; apps get `wait_timeout`.
pub const INTERACTIVE_TIMEOUT_DIFFERS: Code = code(
    "TL118",
    "interactive-timeout-differs-from-wait-timeout",
    Severity::Info,
);
/// Retirement at or above PostgreSQL `idle_session_timeout`.
pub const RETIREMENT_EXCEEDS_IDLE_SESSION_TIMEOUT: Code = code(
    "TL119",
    "retirement-exceeds-idle-session-timeout",
    Severity::Error,
);
/// A proxy (HAProxy, nginx stream, Envoy) without an idle timeout on a database listener: no timeout.
pub const PROXY_TIMEOUT_MISSING: Code = code("TL120", "proxy-timeout-missing", Severity::Warning);
/// A proxy timeout written as a bare number far too small to be meant as its unit (HAProxy: ms).
pub const PROXY_TIMEOUT_BARE_NUMBER: Code = code(
    "TL121",
    "proxy-timeout-bare-number-too-small",
    Severity::Warning,
);
/// A database listener in HAProxy `mode http`.
pub const DATABASE_PROXY_IN_HTTP_MODE: Code =
    code("TL122", "database-proxy-in-http-mode", Severity::Error);
/// The pools of every path to one database exceed its connection limit.
pub const POOLS_EXCEED_MAX_CONNECTIONS: Code =
    code("TL123", "pools-exceed-max-connections", Severity::Error);
/// A client or server statement limit below the expected longest statement.
pub const STATEMENT_LIMIT_BELOW_MAX_STATEMENT_TIME: Code = code(
    "TL124",
    "statement-limit-below-max-statement-time",
    Severity::Error,
);
/// Pool wait (+ connect + statement limit) at or above the request deadline.
pub const DATABASE_WAIT_EXCEEDS_REQUEST_TIMEOUT: Code = code(
    "TL125",
    "database-wait-exceeds-request-timeout",
    Severity::Warning,
);
/// A silently dropping hop with no read timeout and no tcp_user_timeout: queries can hang ~924 s.
pub const SILENT_DROP_WITHOUT_READ_TIMEOUT: Code = code(
    "TL126",
    "silent-drop-without-read-timeout",
    Severity::Warning,
);
/// A server idle limit for a connection held by a request (MySQL
/// `wait_timeout`, PostgreSQL `idle_in_transaction_session_timeout`, PgBouncer
/// `idle_transaction_timeout`) below the request deadline: retirement and
/// validation act only at checkout.
pub const REQUEST_TIMEOUT_EXCEEDS_HELD_IDLE_LIMIT: Code = code(
    "TL127",
    "request-timeout-exceeds-held-connection-idle-limit",
    Severity::Warning,
);
/// A server setting or idle limit in a deployment file whose value cannot be
/// known without deploying (a Terraform variable without a value, an RDS
/// formula, a template).
pub const UNRESOLVED_SETTING_VALUE: Code =
    code("TL015", "unresolved-setting-value", Severity::Info);
/// A server setting given different values in two places (a compose flag and
/// a mounted my.cnf): the server uses one of them.
pub const SERVER_SETTING_SET_TWICE: Code =
    code("TL016", "server-setting-set-twice", Severity::Warning);
/// Discovery could not link an app's database host to anything in the
/// repository (no manifest): the path is checked without a server.
pub const DATABASE_HOST_NOT_LINKED: Code =
    code("TL017", "database-host-not-linked", Severity::Info);

/// Every code, in id order.
pub const ALL: &[Code] = &[
    SYNTAX_ERROR,
    INVALID_VALUE,
    INCLUDE_UNREADABLE,
    MANIFEST_ERROR,
    SYSCTL_TRAILING_TEXT,
    BACKEND_MISMATCH,
    BARE_TIMEOUT_IN_MILLISECONDS,
    PRESET_VALUE_INVALID,
    UNUSED_SUPPRESSION,
    INVALID_SUPPRESSION,
    INVALID_CONFIG,
    UNKNOWN_PYTHON_VALUE,
    SETTING_IGNORED_BY_FRAMEWORK,
    SETTING_OVERRIDDEN_LATER,
    UNRESOLVED_SETTING_VALUE,
    SERVER_SETTING_SET_TWICE,
    DATABASE_HOST_NOT_LINKED,
    POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT,
    CONN_MAX_AGE_EXCEEDS_WAIT_TIMEOUT,
    RETIREMENT_EXCEEDS_HOP_IDLE_TIMEOUT,
    RETIREMENT_WITHIN_MARGIN,
    KEEPALIVE_SYSCTL_UNUSED,
    WAIT_TIMEOUT_EXCEEDS_DROPPING_HOP,
    RETIREMENT_CAUSES_RECONNECT_CHURN,
    FLASK_SQLALCHEMY_REMOVED_KEY,
    IDLE_SESSION_TIMEOUT_KILLS_POOLED,
    CLIENT_IDLE_TIMEOUT_NOT_ABOVE_RETIREMENT,
    QUERY_TIMEOUT_WITHOUT_STATEMENT_TIMEOUT,
    STARTUP_PARAMETER_REJECTED,
    STARTUP_PARAMETER_IGNORED,
    UNKNOWN_DRIVER_OPTION,
    DJANGO_POOL_MISCONFIGURED,
    DJANGO_POOL_WITHOUT_HEALTH_CHECKS,
    LOCK_TIMEOUT_NOT_BELOW_STATEMENT_TIMEOUT,
    INTERACTIVE_TIMEOUT_DIFFERS,
    RETIREMENT_EXCEEDS_IDLE_SESSION_TIMEOUT,
    PROXY_TIMEOUT_MISSING,
    PROXY_TIMEOUT_BARE_NUMBER,
    DATABASE_PROXY_IN_HTTP_MODE,
    POOLS_EXCEED_MAX_CONNECTIONS,
    STATEMENT_LIMIT_BELOW_MAX_STATEMENT_TIME,
    DATABASE_WAIT_EXCEEDS_REQUEST_TIMEOUT,
    SILENT_DROP_WITHOUT_READ_TIMEOUT,
    REQUEST_TIMEOUT_EXCEEDS_HELD_IDLE_LIMIT,
];
