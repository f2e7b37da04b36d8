//! The settings timeoutlint models (`guc_tables.c`: name, base unit,
//! range, default, source) and their defaults.

use super::{BaseUnit, INT_MAX, PostgresInput, PostgresServer};

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use crate::provenance::{Origin, Sourced};
use crate::source::{FileId, Location};
use crate::systems::settings_table::{self, Unit};

/// One modelled setting: name, base unit, range, default and source, read
/// from the row of the same name in `settings/postgres.toml`
/// ([`crate::systems::settings_table`]).
pub(super) struct Var {
    pub(super) name: &'static str,
    pub(super) unit: BaseUnit,
    pub(super) min: i64,
    pub(super) max: i64,
    pub(super) default: i64,
    pub(super) source: &'static str,
}

/// The system name in default origins.
const SYSTEM: &str = "PostgreSQL";

/// The modelled settings, in table order; empty when the embedded table is
/// invalid (a build defect the unit tests catch; then no name matches).
pub(super) fn vars() -> &'static [Var] {
    static VARS: OnceLock<Vec<Var>> = OnceLock::new();
    VARS.get_or_init(|| {
        let Some(table) = settings_table::table("postgres") else {
            return Vec::new();
        };
        table
            .settings
            .iter()
            .filter_map(|s| {
                let (min, max) = s.range?;
                let unit = match s.unit {
                    Unit::Milliseconds => BaseUnit::Milliseconds,
                    Unit::Seconds => BaseUnit::Seconds,
                    Unit::Count => BaseUnit::Count,
                    Unit::Flag | Unit::List | Unit::Word => return None,
                };
                Some(Var {
                    name: &s.name,
                    unit,
                    min,
                    max,
                    default: s.default.number()?,
                    source: &s.source,
                })
            })
            .collect()
    })
}

/// The modelled setting named `name` (lower case).
pub(super) fn var(name: &str) -> Option<&'static Var> {
    vars().iter().find(|v| v.name == name)
}

/// Values set so far, in base units, by name.
pub(super) type Values = BTreeMap<&'static str, Sourced<i64>>;

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

/// The server's settings from the values set (by name, in base units), the
/// others at their documented defaults anchored at `anchor`.
pub(super) fn finish(
    mut values: Values,
    anchor: Option<Location>,
    files: Vec<FileId>,
    input: PostgresInput,
) -> PostgresServer {
    let mut take = |name: &'static str| {
        values.remove(name).unwrap_or_else(|| match var(name) {
            Some(v) => Sourced::new(
                v.default,
                Origin::default_of(SYSTEM, v.source).anchored(anchor),
            ),
            None => Sourced::new(
                0,
                Origin::default_of(SYSTEM, settings_table::missing_row_source("postgres"))
                    .anchored(anchor),
            ),
        })
    };
    let ms = |s: Sourced<i64>| s.map(|n| Duration::from_millis(n.max(0).unsigned_abs()));
    let secs = |s: Sourced<i64>| s.map(|n| Duration::from_secs(n.max(0).unsigned_abs()));
    let count = |s: Sourced<i64>| s.map(|n| n.max(0).unsigned_abs());
    PostgresServer {
        idle_session_timeout: ms(take("idle_session_timeout")),
        idle_in_transaction_session_timeout: ms(take("idle_in_transaction_session_timeout")),
        statement_timeout: ms(take("statement_timeout")),
        lock_timeout: ms(take("lock_timeout")),
        transaction_timeout: ms(take("transaction_timeout")),
        tcp_keepalives_idle: secs(take("tcp_keepalives_idle")),
        tcp_keepalives_interval: secs(take("tcp_keepalives_interval")),
        tcp_keepalives_count: take("tcp_keepalives_count")
            .map(|n| u32::try_from(n.max(0)).unwrap_or(u32::MAX)),
        tcp_user_timeout: ms(take("tcp_user_timeout")),
        max_connections: count(take("max_connections")),
        superuser_reserved_connections: count(take("superuser_reserved_connections")),
        reserved_connections: count(take("reserved_connections")),
        files,
        input,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The source of a default, or `None` for another origin.
    fn source(o: &Origin) -> Option<&'static str> {
        match o {
            Origin::Default { source, .. } => Some(source),
            _ => None,
        }
    }

    #[test]
    fn every_row_is_modelled_and_every_field_has_its_row() {
        let table = settings_table::table("postgres").expect("settings/postgres.toml loads");
        assert_eq!(vars().len(), table.settings.len(), "a row was left out");
        let p = finish(Values::new(), None, Vec::new(), PostgresInput::ConfFile);
        let fields = [
            (
                "idle_session_timeout",
                source(&p.idle_session_timeout.origin),
            ),
            (
                "idle_in_transaction_session_timeout",
                source(&p.idle_in_transaction_session_timeout.origin),
            ),
            ("statement_timeout", source(&p.statement_timeout.origin)),
            ("lock_timeout", source(&p.lock_timeout.origin)),
            ("transaction_timeout", source(&p.transaction_timeout.origin)),
            ("tcp_keepalives_idle", source(&p.tcp_keepalives_idle.origin)),
            (
                "tcp_keepalives_interval",
                source(&p.tcp_keepalives_interval.origin),
            ),
            (
                "tcp_keepalives_count",
                source(&p.tcp_keepalives_count.origin),
            ),
            ("tcp_user_timeout", source(&p.tcp_user_timeout.origin)),
            ("max_connections", source(&p.max_connections.origin)),
            (
                "superuser_reserved_connections",
                source(&p.superuser_reserved_connections.origin),
            ),
            (
                "reserved_connections",
                source(&p.reserved_connections.origin),
            ),
        ];
        assert_eq!(fields.len(), table.settings.len(), "a row has no field");
        for (name, src) in fields {
            let row = table.get(name).unwrap_or_else(|| panic!("no row `{name}`"));
            assert_eq!(src, Some(row.source.as_str()), "{name}");
        }
        assert_eq!(p.max_connections.value, 100);
        assert_eq!(p.superuser_reserved_connections.value, 3);
    }
}
