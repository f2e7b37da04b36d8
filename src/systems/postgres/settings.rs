//! The settings timeoutlint models (`guc_tables.c`: name, base unit,
//! range, default, source) and their defaults.

use super::{BaseUnit, INT_MAX, MAX_BACKENDS, PostgresInput, PostgresServer};

use std::time::Duration;

use crate::provenance::{Origin, Sourced};
use crate::source::{FileId, Location};

/// One modelled setting: name, unit, range (`guc_tables.c`), default, source.
pub(super) struct Var {
    pub(super) name: &'static str,
    pub(super) unit: BaseUnit,
    pub(super) min: i64,
    pub(super) max: i64,
    pub(super) default: i64,
    pub(super) source: &'static str,
}

pub(super) const N_VARS: usize = 12;

pub(super) const VARS: [Var; N_VARS] = [
    Var {
        name: "idle_session_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-IDLE-SESSION-TIMEOUT",
    },
    Var {
        name: "idle_in_transaction_session_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-IDLE-IN-TRANSACTION-SESSION-TIMEOUT",
    },
    Var {
        name: "statement_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT",
    },
    Var {
        name: "lock_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT",
    },
    Var {
        name: "transaction_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-TRANSACTION-TIMEOUT",
    },
    Var {
        name: "tcp_keepalives_idle",
        unit: BaseUnit::Seconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-TCP-KEEPALIVES-IDLE",
    },
    Var {
        name: "tcp_keepalives_interval",
        unit: BaseUnit::Seconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-TCP-KEEPALIVES-INTERVAL",
    },
    Var {
        name: "tcp_keepalives_count",
        unit: BaseUnit::Count,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-TCP-KEEPALIVES-COUNT",
    },
    Var {
        name: "tcp_user_timeout",
        unit: BaseUnit::Milliseconds,
        min: 0,
        max: INT_MAX,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-TCP-USER-TIMEOUT",
    },
    Var {
        name: "max_connections",
        unit: BaseUnit::Count,
        min: 1,
        max: MAX_BACKENDS,
        default: 100,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS",
    },
    Var {
        name: "superuser_reserved_connections",
        unit: BaseUnit::Count,
        min: 0,
        max: MAX_BACKENDS,
        default: 3,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-SUPERUSER-RESERVED-CONNECTIONS",
    },
    Var {
        name: "reserved_connections",
        unit: BaseUnit::Count,
        min: 0,
        max: MAX_BACKENDS,
        default: 0,
        source: "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-RESERVED-CONNECTIONS",
    },
];

impl Var {
    pub(super) fn fmt(&self, n: i64) -> String {
        format!("{n}{}", self.unit.suffix())
    }

    /// `min to max` for messages, with a readable form of `INT_MAX` ms.
    pub(super) fn range(&self) -> String {
        let about = match (self.unit, self.max) {
            (BaseUnit::Milliseconds, INT_MAX) => " (about 24.8 days)",
            (BaseUnit::Seconds, INT_MAX) => " (about 68 years)",
            _ => "",
        };
        format!("{} to {}{about}", self.fmt(self.min), self.fmt(self.max))
    }

    /// An ms-based `*_timeout`: where a bare small number is a likely slip.
    pub(super) fn bare_ms_timeout(&self) -> bool {
        self.unit == BaseUnit::Milliseconds && self.name.ends_with("_timeout")
    }
}

/// Other `*_timeout` settings with base unit ms (`guc_tables.c`): not
/// modelled, but checked for [`codes::BARE_TIMEOUT_IN_MILLISECONDS`].
pub(super) const OTHER_MS_TIMEOUTS: &[&str] = &[
    "deadlock_timeout",
    "wal_sender_timeout",
    "wal_receiver_timeout",
];

/// The server's settings from the values set (by index of [`VARS`], in base
/// units), the others at their documented defaults anchored at `anchor`.
pub(super) fn finish(
    mut values: [Option<Sourced<i64>>; N_VARS],
    anchor: Option<Location>,
    files: Vec<FileId>,
    input: PostgresInput,
) -> PostgresServer {
    let resolved: [Sourced<i64>; N_VARS] = std::array::from_fn(|i| {
        values[i].take().unwrap_or_else(|| {
            Sourced::new(
                VARS[i].default,
                Origin::default_of("PostgreSQL", VARS[i].source).anchored(anchor),
            )
        })
    });
    let [
        idle_session,
        idle_in_transaction,
        statement,
        lock,
        transaction,
        keepalives_idle,
        keepalives_interval,
        keepalives_count,
        user_timeout,
        max_connections,
        superuser_reserved,
        reserved,
    ] = resolved;
    let ms = |s: Sourced<i64>| s.map(|n| Duration::from_millis(n.max(0).unsigned_abs()));
    let secs = |s: Sourced<i64>| s.map(|n| Duration::from_secs(n.max(0).unsigned_abs()));
    let count = |s: Sourced<i64>| s.map(|n| n.max(0).unsigned_abs());
    PostgresServer {
        idle_session_timeout: ms(idle_session),
        idle_in_transaction_session_timeout: ms(idle_in_transaction),
        statement_timeout: ms(statement),
        lock_timeout: ms(lock),
        transaction_timeout: ms(transaction),
        tcp_keepalives_idle: secs(keepalives_idle),
        tcp_keepalives_interval: secs(keepalives_interval),
        tcp_keepalives_count: keepalives_count.map(|n| u32::try_from(n.max(0)).unwrap_or(u32::MAX)),
        tcp_user_timeout: ms(user_timeout),
        max_connections: count(max_connections),
        superuser_reserved_connections: count(superuser_reserved),
        reserved_connections: count(reserved),
        files,
        input,
    }
}
