//! Stable rule codes. Each code has a catalogue file `rules/<ID>-<name>.toml`
//! holding its documentation; a test checks the two lists agree.
//!
//! Ranges: `TL0xx` input problems (parse errors, invalid values, manifest
//! errors); `TL1xx` connection-path mismatches. Codes are never reused.

use crate::diagnostic::Severity;

/// A rule's identity and default severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    /// Stable id, e.g. `TL101`.
    pub id: &'static str,
    /// Kebab-case name describing the bad pattern.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
}

const fn code(id: &'static str, name: &'static str, severity: Severity) -> Code {
    Code { id, name, severity }
}

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

/// Every code, in id order.
pub const ALL: &[Code] = &[
    SYNTAX_ERROR,
    INVALID_VALUE,
    INCLUDE_UNREADABLE,
    MANIFEST_ERROR,
    SYSCTL_TRAILING_TEXT,
    BACKEND_MISMATCH,
    POOL_RECYCLE_EXCEEDS_WAIT_TIMEOUT,
    CONN_MAX_AGE_EXCEEDS_WAIT_TIMEOUT,
    RETIREMENT_EXCEEDS_HOP_IDLE_TIMEOUT,
    RETIREMENT_WITHIN_MARGIN,
    KEEPALIVE_SYSCTL_UNUSED,
    WAIT_TIMEOUT_EXCEEDS_DROPPING_HOP,
    RETIREMENT_CAUSES_RECONNECT_CHURN,
    FLASK_SQLALCHEMY_REMOVED_KEY,
];
