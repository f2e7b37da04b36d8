//! The settings registry: every model setting a rule may name, by a stable
//! dotted name (`app.retirement`, `server.wait_timeout`, ...), with an
//! extractor that reads it from a [`ConnectionPath`].
//!
//! The catalogue (`rules/*.toml`, key `settings`) and the custom rules of the
//! lint configuration (`[[lint.rule]]`, keys `left`, `right`, `setting`) name
//! settings from here; both are validated against [`lookup`] at load.
//!
//! Values are plain numbers in one unit per [`Kind`]: seconds for durations,
//! a count for counts. Each system's own "no limit" spelling becomes
//! `f64::INFINITY`, so an ordering reads the same on every system:
//! `pool_recycle = -1` and `CONN_MAX_AGE = None` (never retired), PostgreSQL
//! `idle_session_timeout` / `statement_timeout` / `lock_timeout = 0`,
//! PgBouncer `client_idle_timeout` / `server_idle_timeout` / `query_timeout = 0`,
//! a driver timeout that is not set, SQLAlchemy `pool_size = 0` and a negative
//! `max_overflow`. An extractor returns `None` when the element is not on the
//! path (no app, a MySQL-only setting on a PostgreSQL path, no PgBouncer, no
//! network hop, a path limit the manifest does not declare): rules skip it.

use std::time::Duration;

use crate::model::{ConnectionPath, Hop};
use crate::provenance::Sourced;
use crate::systems::app::AppPool;
use crate::units::{Retirement, fmt_secs};

/// The unit of a setting's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Seconds (`f64::INFINITY` = no limit).
    Duration,
    /// A count of connections, processes or probes (`f64::INFINITY` = no limit).
    Count,
}

impl Kind {
    /// `duration` or `count`, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Duration => "duration",
            Kind::Count => "count",
        }
    }

    /// A value of this kind for messages: `600 s`, `151`, `no limit`.
    pub fn format(self, v: f64) -> String {
        if v.is_infinite() {
            return "no limit".to_string();
        }
        match self {
            Kind::Duration => fmt_secs(Duration::from_secs_f64(v.max(0.0))),
            Kind::Count => format!("{v}"),
        }
    }
}

/// Reads one setting from a path.
pub type Extractor = fn(&ConnectionPath) -> Option<Sourced<f64>>;

/// A named setting of the model.
#[derive(Clone, Copy)]
pub struct SettingRef {
    /// The stable dotted name, e.g. `app.retirement`.
    pub name: &'static str,
    /// Seconds or a count.
    pub kind: Kind,
    /// What it reads, for docs and messages.
    pub doc: &'static str,
    /// How "no limit" reads for this setting: `no limit`, or `never` for a
    /// retirement age.
    pub unlimited: &'static str,
    extract: Extractor,
}

impl std::fmt::Debug for SettingRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingRef")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish()
    }
}

impl PartialEq for SettingRef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl SettingRef {
    /// The value on `path`, or `None` when the element is not on the path.
    pub fn get(&self, path: &ConnectionPath) -> Option<Sourced<f64>> {
        (self.extract)(path)
    }

    /// A value of this setting for messages: `600 s`, `151`, `no limit`, `never`.
    pub fn format(&self, v: f64) -> String {
        if v.is_infinite() {
            self.unlimited.to_string()
        } else {
            self.kind.format(v)
        }
    }

    const fn unlimited(mut self, word: &'static str) -> Self {
        self.unlimited = word;
        self
    }
}

const fn setting(
    name: &'static str,
    kind: Kind,
    doc: &'static str,
    extract: Extractor,
) -> SettingRef {
    SettingRef {
        name,
        kind,
        doc,
        unlimited: "no limit",
        extract,
    }
}

fn secs(s: &Sourced<Duration>) -> Sourced<f64> {
    s.clone().map(|d| d.as_secs_f64())
}

/// Seconds, with 0 meaning "disabled" (no limit).
fn secs_zero_off(s: &Sourced<Duration>) -> Sourced<f64> {
    s.clone().map(|d| {
        if d.is_zero() {
            f64::INFINITY
        } else {
            d.as_secs_f64()
        }
    })
}

/// Seconds, with `None` meaning "not set" (no limit).
fn secs_opt(s: &Sourced<Option<Duration>>) -> Sourced<f64> {
    s.clone()
        .map(|d| d.map_or(f64::INFINITY, |d| d.as_secs_f64()))
}

fn count(s: &Sourced<u64>) -> Sourced<f64> {
    s.clone().map(|n| n as f64)
}

fn count32(s: &Sourced<u32>) -> Sourced<f64> {
    s.clone().map(f64::from)
}

fn app(p: &ConnectionPath) -> Option<&AppPool> {
    p.app.as_ref()
}

fn first_pgbouncer(p: &ConnectionPath) -> Option<&crate::systems::pgbouncer::PgBouncer> {
    p.pgbouncers().next().map(|b| &b.settings)
}

/// Every registered setting, in name order.
pub const ALL: &[SettingRef] = &[
    setting(
        "app.connect_timeout",
        Kind::Duration,
        "driver connect timeout (connect_args / OPTIONS / URL, else the driver default; not set = no limit)",
        |p| app(p).map(|a| secs_opt(&a.connect_timeout)),
    ),
    setting(
        "app.max_overflow",
        Kind::Count,
        "SQLAlchemy max_overflow (default 10; negative = no limit)",
        |p| {
            app(p)?.max_overflow.as_ref().map(|s| {
                s.clone().map(|n| {
                    if n == u64::MAX {
                        f64::INFINITY
                    } else {
                        n as f64
                    }
                })
            })
        },
    ),
    setting(
        "app.pool_size",
        Kind::Count,
        "SQLAlchemy pool_size (default 5; 0 = no limit)",
        |p| {
            app(p)?.pool_size.as_ref().map(|s| {
                s.clone()
                    .map(|n| if n == 0 { f64::INFINITY } else { n as f64 })
            })
        },
    ),
    setting(
        "app.pool_timeout",
        Kind::Duration,
        "SQLAlchemy pool_timeout: wait for a free pooled connection (default 30 s)",
        |p| app(p)?.pool_timeout.as_ref().map(secs),
    ),
    setting(
        "app.read_timeout",
        Kind::Duration,
        "driver read timeout (not set = no limit)",
        |p| app(p).map(|a| secs_opt(&a.read_timeout)),
    ),
    setting(
        "app.retirement",
        Kind::Duration,
        "connection retirement age: SQLAlchemy pool_recycle or Django CONN_MAX_AGE (never = no limit; 0 = not reused)",
        |p| {
            app(p).map(|a| {
                a.retirement.clone().map(|r| match r {
                    Retirement::Never => f64::INFINITY,
                    Retirement::After(d) => d.as_secs_f64(),
                })
            })
        },
    )
    .unlimited("never"),
    setting(
        "app.write_timeout",
        Kind::Duration,
        "driver write timeout (not set = no limit)",
        |p| app(p).map(|a| secs_opt(&a.write_timeout)),
    ),
    setting(
        "app_kernel.tcp_keepalive_intvl",
        Kind::Duration,
        "app host net.ipv4.tcp_keepalive_intvl (Linux default 75 s)",
        |p| Some(secs(&p.app_kernel.tcp_keepalive_intvl)),
    ),
    setting(
        "app_kernel.tcp_keepalive_probes",
        Kind::Count,
        "app host net.ipv4.tcp_keepalive_probes (Linux default 9)",
        |p| Some(count32(&p.app_kernel.tcp_keepalive_probes)),
    ),
    setting(
        "app_kernel.tcp_keepalive_time",
        Kind::Duration,
        "app host net.ipv4.tcp_keepalive_time (Linux default 7200 s)",
        |p| Some(secs(&p.app_kernel.tcp_keepalive_time)),
    ),
    setting(
        "db_kernel.tcp_keepalive_intvl",
        Kind::Duration,
        "database host net.ipv4.tcp_keepalive_intvl (Linux default 75 s)",
        |p| Some(secs(&p.db_kernel.tcp_keepalive_intvl)),
    ),
    setting(
        "db_kernel.tcp_keepalive_probes",
        Kind::Count,
        "database host net.ipv4.tcp_keepalive_probes (Linux default 9)",
        |p| Some(count32(&p.db_kernel.tcp_keepalive_probes)),
    ),
    setting(
        "db_kernel.tcp_keepalive_time",
        Kind::Duration,
        "database host net.ipv4.tcp_keepalive_time (Linux default 7200 s)",
        |p| Some(secs(&p.db_kernel.tcp_keepalive_time)),
    ),
    setting(
        "hop.min_idle_timeout",
        Kind::Duration,
        "the shortest idle timeout of the network hops on the path (keepalive coverage not considered)",
        |p| {
            p.hops
                .iter()
                .filter_map(|h| match h {
                    Hop::Network(n) => Some(&n.idle_timeout),
                    Hop::PgBouncer(_) => None,
                })
                .min_by_key(|t| t.value)
                .map(secs)
        },
    ),
    setting(
        "path.max_statement_time",
        Kind::Duration,
        "the longest statement the app is expected to run (manifest max_statement_time)",
        |p| p.max_statement_time.as_ref().map(secs),
    ),
    setting(
        "path.processes",
        Kind::Count,
        "processes that each hold their own pool (manifest processes; default 1)",
        |p| Some(count(&p.processes)),
    ),
    setting(
        "path.request_timeout",
        Kind::Duration,
        "the deadline the app works under (manifest request_timeout)",
        |p| p.request_timeout.as_ref().map(secs),
    ),
    setting(
        "path.threads",
        Kind::Count,
        "threads per process using the database (manifest threads; default 1); Django opens one connection per thread",
        |p| Some(count(&p.threads)),
    ),
    setting(
        "pgbouncer.client_idle_timeout",
        Kind::Duration,
        "PgBouncer client_idle_timeout of the first PgBouncer (0 = no limit)",
        |p| first_pgbouncer(p).map(|b| secs_zero_off(&b.client_idle_timeout)),
    ),
    setting(
        "pgbouncer.default_pool_size",
        Kind::Count,
        "PgBouncer default_pool_size of the first PgBouncer",
        |p| first_pgbouncer(p).map(|b| count(&b.default_pool_size)),
    ),
    setting(
        "pgbouncer.idle_transaction_timeout",
        Kind::Duration,
        "PgBouncer idle_transaction_timeout of the first PgBouncer (0 = no limit)",
        |p| first_pgbouncer(p).map(|b| secs_zero_off(&b.idle_transaction_timeout)),
    ),
    setting(
        "pgbouncer.max_client_conn",
        Kind::Count,
        "PgBouncer max_client_conn of the first PgBouncer",
        |p| first_pgbouncer(p).map(|b| count(&b.max_client_conn)),
    ),
    setting(
        "pgbouncer.query_timeout",
        Kind::Duration,
        "PgBouncer query_timeout of the first PgBouncer (0 = no limit)",
        |p| first_pgbouncer(p).map(|b| secs_zero_off(&b.query_timeout)),
    ),
    setting(
        "pgbouncer.server_idle_timeout",
        Kind::Duration,
        "PgBouncer server_idle_timeout of the first PgBouncer (0 = no limit)",
        |p| first_pgbouncer(p).map(|b| secs_zero_off(&b.server_idle_timeout)),
    ),
    setting(
        "pgbouncer.server_lifetime",
        Kind::Duration,
        "PgBouncer server_lifetime of the first PgBouncer (0 = each server connection is used once)",
        |p| first_pgbouncer(p).map(|b| secs(&b.server_lifetime)),
    ),
    setting(
        "server.connect_timeout",
        Kind::Duration,
        "MySQL connect_timeout (handshake; default 10 s)",
        |p| p.mysql().map(|m| secs(&m.connect_timeout)),
    ),
    setting(
        "server.idle_in_transaction_session_timeout",
        Kind::Duration,
        "PostgreSQL idle_in_transaction_session_timeout (0 = no limit)",
        |p| {
            p.postgres()
                .map(|s| secs_zero_off(&s.idle_in_transaction_session_timeout))
        },
    ),
    setting(
        "server.idle_session_timeout",
        Kind::Duration,
        "PostgreSQL idle_session_timeout (0 = no limit)",
        |p| p.postgres().map(|s| secs_zero_off(&s.idle_session_timeout)),
    ),
    setting(
        "server.interactive_timeout",
        Kind::Duration,
        "MySQL interactive_timeout (default 28800 s)",
        |p| p.mysql().map(|m| secs(&m.interactive_timeout)),
    ),
    setting(
        "server.lock_timeout",
        Kind::Duration,
        "PostgreSQL lock_timeout (0 = no limit)",
        |p| p.postgres().map(|s| secs_zero_off(&s.lock_timeout)),
    ),
    setting(
        "server.max_connections",
        Kind::Count,
        "MySQL or PostgreSQL max_connections",
        |p| {
            p.mysql()
                .map(|m| count(&m.max_connections))
                .or_else(|| p.postgres().map(|s| count(&s.max_connections)))
        },
    ),
    setting(
        "server.net_read_timeout",
        Kind::Duration,
        "MySQL net_read_timeout (default 30 s)",
        |p| p.mysql().map(|m| secs(&m.net_read_timeout)),
    ),
    setting(
        "server.net_write_timeout",
        Kind::Duration,
        "MySQL net_write_timeout (default 60 s)",
        |p| p.mysql().map(|m| secs(&m.net_write_timeout)),
    ),
    setting(
        "server.statement_timeout",
        Kind::Duration,
        "PostgreSQL statement_timeout (0 = no limit)",
        |p| p.postgres().map(|s| secs_zero_off(&s.statement_timeout)),
    ),
    setting(
        "server.wait_timeout",
        Kind::Duration,
        "MySQL global wait_timeout (default 28800 s)",
        |p| p.mysql().map(|m| secs(&m.wait_timeout)),
    ),
];

/// The setting called `name`, if registered.
pub fn lookup(name: &str) -> Option<SettingRef> {
    ALL.iter().copied().find(|s| s.name == name)
}

/// Every registered name, for "expected one of" messages.
pub fn names() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|s| s.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_unique_and_dotted() {
        let names: Vec<&str> = names().collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
        for n in names {
            let (scope, key) = n.split_once('.').expect("dotted");
            assert!(
                [
                    "app",
                    "app_kernel",
                    "db_kernel",
                    "hop",
                    "path",
                    "pgbouncer",
                    "server"
                ]
                .contains(&scope),
                "{n}"
            );
            assert!(
                key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{n}"
            );
        }
    }

    #[test]
    fn lookup_finds_registered_names_only() {
        assert_eq!(
            lookup("app.retirement").map(|s| s.kind),
            Some(Kind::Duration)
        );
        assert_eq!(
            lookup("server.max_connections").map(|s| s.kind),
            Some(Kind::Count)
        );
        assert!(lookup("app.pool_recycle").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn formats_values() {
        assert_eq!(Kind::Duration.format(600.0), "600 s");
        assert_eq!(Kind::Duration.format(0.5), "0.5 s");
        assert_eq!(Kind::Duration.format(f64::INFINITY), "no limit");
        assert_eq!(Kind::Count.format(151.0), "151");
        let r = lookup("app.retirement").unwrap();
        assert_eq!(
            (r.format(f64::INFINITY), r.format(300.0)),
            ("never".into(), "300 s".into())
        );
    }
}
