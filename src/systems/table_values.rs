//! Whether a value text is one a server accepts for a modelled setting,
//! with the names and units of the settings tables (`settings/*.toml`,
//! [`super::settings_table`]) and each server's own number parser. Used to
//! validate the data tables of image and managed-service defaults
//! ([`super::images`], [`super::providers`]), so they name only modelled
//! settings and hold values the doors read without a finding.

use crate::sources::System;

use super::settings_table::{self, Unit};
use super::{mysql, pgbouncer, postgres};

/// `None` when `name` is not a setting of `system`'s table; else whether
/// `value` is a non-negative value the server reads for it: mysqld numbers
/// (`my_getopt`, K/M/G suffixes), PostgreSQL integers in the setting's base
/// unit (`guc.c` `parse_int`), PgBouncer times (`CF_TIME_USEC`), words
/// (`CF_LOOKUP`, case-insensitive) or integers.
pub(crate) fn accepts(system: System, name: &str, value: &str) -> Option<bool> {
    let table = settings_table::table(system.as_str())?;
    let row = table.get(name)?;
    Some(match system {
        System::Mysql => mysql::parse_number(value).is_ok_and(|n| n >= 0),
        System::Postgres => {
            let unit = match row.unit {
                Unit::Milliseconds => postgres::BaseUnit::Milliseconds,
                Unit::Seconds => postgres::BaseUnit::Seconds,
                _ => postgres::BaseUnit::Count,
            };
            postgres::parse_int(value, unit).is_ok_and(|p| p.value >= 0)
        }
        System::PgBouncer => match row.syntax.as_deref() {
            Some("CF_TIME_USEC") => pgbouncer::parse_time(value).is_ok(),
            Some("CF_LOOKUP") => row.choices.iter().any(|c| c.eq_ignore_ascii_case(value)),
            _ => pgbouncer::parse_int(value).is_ok_and(|n| n >= 0),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_table() {
        let table: &[(System, &str, &str, Option<bool>)] = &[
            (System::Mysql, "wait_timeout", "600", Some(true)),
            (System::Mysql, "wait_timeout", "1K", Some(true)),
            (System::Mysql, "wait_timeout", "-1", Some(false)),
            (System::Mysql, "wait_timeout", "10min", Some(false)),
            (System::Mysql, "innodb_buffer_pool_size", "1", None),
            (System::Postgres, "tcp_keepalives_idle", "300", Some(true)),
            (System::Postgres, "idle_session_timeout", "5min", Some(true)),
            (System::Postgres, "max_connections", "5min", Some(false)),
            (System::Postgres, "shared_buffers", "1GB", None),
            (System::PgBouncer, "server_idle_timeout", "0.5", Some(true)),
            (System::PgBouncer, "default_pool_size", "0.5", Some(false)),
            (System::PgBouncer, "pool_mode", "session", Some(true)),
            (System::PgBouncer, "pool_mode", "Transaction", Some(true)),
            (System::PgBouncer, "pool_mode", "txn", Some(false)),
        ];
        for (system, name, value, want) in table {
            assert_eq!(accepts(*system, name, value), *want, "{name} = {value}");
        }
    }
}
