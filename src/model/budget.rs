//! Connection-count budgets: what each path's pools may open against the
//! limit of the server (or PgBouncer) they share (DOMAIN.md rules 21–23).
//!
//! Paths share a server when they name the same `db` file (the source map
//! reads a file once, so they hold the same [`FileId`]).

use serde::Serialize;

use crate::model::{ConnectionPath, DbServer};
use crate::provenance::Sourced;
use crate::source::{FileId, Location, SourceMap};
use crate::systems::app::{AppPool, Framework, PoolClass};

/// The most connections one process of a path's app may hold.
#[derive(Clone, Debug)]
pub struct PoolMax {
    /// `None` when the pool has no bound.
    pub connections: Option<u64>,
    /// How it is computed: `pool_size 5 + max_overflow 10`.
    pub how: String,
    /// Where to change it (the pool_size value, or the pool's anchor).
    pub location: Option<Location>,
    /// The pool itself has no bound by design: NullPool opens one connection
    /// per concurrent checkout, so the count follows the app's concurrency.
    pub by_concurrency: bool,
}

/// The pool maximum of one app pool:
/// - SQLAlchemy / Flask-SQLAlchemy QueuePool (and AsyncAdaptedQueuePool):
///   `pool_size + max_overflow` (defaults 5 + 10; `pool_size = 0` or
///   `max_overflow = -1` = no bound; `lib/sqlalchemy/pool/impl.py`), named
///   as the framework writes them ([`Framework::pool_size_key`]: Airflow's
///   `sql_alchemy_pool_size + sql_alchemy_max_overflow`);
/// - other pool classes (<https://docs.sqlalchemy.org/en/20/core/pooling.html>):
///   NullPool has no bound (one connection per concurrent checkout; marked
///   [`PoolMax::by_concurrency`]); StaticPool and AssertionPool one
///   connection; SingletonThreadPool `pool_size` (one per thread, the
///   others closed); an unknown class no known bound;
/// - Django native pool: `max_size` (default `min_size`, 4; psycopg_pool),
///   one pool per process shared by its threads (Django keeps it in the
///   class-level `DatabaseWrapper._connection_pools`, keyed by alias;
///   `django/db/backends/postgresql/base.py`);
/// - Django without a pool: one connection per thread of the process
///   (`threads`, default 1): "each thread maintains its own connection"
///   (<https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections>).
///
/// `threads` (the path's manifest `threads`) multiplies only the last case:
/// a SQLAlchemy pool is one per process, shared by its threads, so
/// `pool_size + max_overflow` already bounds them all.
pub fn pool_max(app: &AppPool, threads: &Sourced<u64>) -> PoolMax {
    if app.framework == Framework::Django {
        return match &app.django_pool {
            Some(p) => {
                let n = p.max_size.value.unwrap_or(p.min_size.value);
                PoolMax {
                    connections: Some(n),
                    how: format!("pool max_size {n}"),
                    location: p.max_size.origin.location().or(Some(p.location)),
                    by_concurrency: false,
                }
            }
            None if threads.origin.is_explicit() => PoolMax {
                connections: Some(threads.value),
                how: format!(
                    "one connection per thread × {} thread{} (Django without a pool)",
                    threads.value,
                    if threads.value == 1 { "" } else { "s" }
                ),
                location: threads.origin.location().or(Some(app.anchor)),
                by_concurrency: false,
            },
            None => PoolMax {
                connections: Some(threads.value),
                how: "one connection per process (Django without a pool)".to_string(),
                location: Some(app.anchor),
                by_concurrency: false,
            },
        };
    }
    let (size_key, overflow_key) = (
        app.framework.pool_size_key(),
        app.framework.max_overflow_key(),
    );
    let size = app.pool_size.as_ref().map(|s| s.value).unwrap_or(5);
    let overflow = app.max_overflow.as_ref().map(|s| s.value).unwrap_or(10);
    let location = app
        .pool_size
        .as_ref()
        .and_then(|s| s.origin.location())
        .or(Some(app.anchor));
    if let Some(class) = &app.pool_class
        && !class.value.is_queue_pool()
    {
        let at = class.origin.location().or(Some(app.anchor));
        let (connections, how) = match &class.value {
            PoolClass::NullPool => (
                None,
                match app.framework {
                    Framework::Airflow => format!(
                        "{} (NullPool): one connection per concurrent checkout, no pool bound",
                        app.framework.null_pool_setting()
                    ),
                    _ => "NullPool: one connection per concurrent checkout, no pool bound"
                        .to_string(),
                },
            ),
            PoolClass::StaticPool | PoolClass::AssertionPool => {
                (Some(1), format!("{}: one connection", class.value.name()))
            }
            PoolClass::SingletonThreadPool => (
                Some(size.max(1)),
                format!(
                    "SingletonThreadPool: one connection per thread, at most {size_key} {size} kept"
                ),
            ),
            other => (None, format!("poolclass {}: unknown bound", other.name())),
        };
        return PoolMax {
            connections,
            how,
            location: at,
            by_concurrency: class.value == PoolClass::NullPool,
        };
    }
    if size == 0 || overflow == u64::MAX {
        return PoolMax {
            connections: None,
            how: if size == 0 {
                format!("{size_key} = 0 (no limit)")
            } else {
                format!("{overflow_key} = -1 (no limit)")
            },
            location,
            by_concurrency: false,
        };
    }
    PoolMax {
        connections: size.checked_add(overflow),
        how: format!("{size_key} {size} + {overflow_key} {overflow}"),
        location,
        by_concurrency: false,
    }
}

/// One path's share of a server's connections.
#[derive(Clone, Debug)]
pub struct Share {
    /// Path name.
    pub path: String,
    /// Per-process maximum.
    pub pool: PoolMax,
    /// Processes holding their own pool.
    pub processes: Sourced<u64>,
}

impl Share {
    /// Connections the path may open in total (`None` = unbounded).
    pub fn total(&self) -> Option<u64> {
        self.pool
            .connections
            .and_then(|c| c.checked_mul(self.processes.value))
    }
}

/// The limit that bounds a group of shares.
#[derive(Clone, Debug)]
pub struct Limit {
    /// What it is: `MySQL max_connections`, `PgBouncer "x" max_client_conn`.
    pub label: String,
    /// Usable connections.
    pub usable: u64,
    /// How it is computed: `max_connections 100 − superuser_reserved 3 − reserved 0`.
    pub how: String,
    /// Where to change it.
    pub value: Sourced<u64>,
}

/// One shared limit with every path that draws on it.
#[derive(Clone, Debug)]
pub struct Budget {
    /// The limit.
    pub limit: Limit,
    /// The paths, in input order.
    pub shares: Vec<Share>,
}

impl Budget {
    /// Σ of the shares (`None` when one is unbounded).
    pub fn demand(&self) -> Option<u64> {
        self.shares
            .iter()
            .try_fold(0u64, |acc, s| s.total().and_then(|t| acc.checked_add(t)))
    }
}

fn server_limit(server: &DbServer) -> Limit {
    match server {
        DbServer::Mysql(m) => Limit {
            label: "MySQL max_connections".to_string(),
            usable: m.max_connections.value,
            how: format!("max_connections {}", m.max_connections.value),
            value: m.max_connections.clone(),
        },
        DbServer::Postgres(p) => {
            let (max, su, res) = (
                p.max_connections.value,
                p.superuser_reserved_connections.value,
                p.reserved_connections.value,
            );
            Limit {
                label: "PostgreSQL max_connections".to_string(),
                usable: max.saturating_sub(su).saturating_sub(res),
                how: format!(
                    "max_connections {max} − superuser_reserved_connections {su} − reserved_connections {res}"
                ),
                value: p.max_connections.clone(),
            }
        }
    }
}

fn server_files(server: &DbServer) -> Option<FileId> {
    match server {
        DbServer::Mysql(m) => m.files.first().copied(),
        DbServer::Postgres(p) => p.files.first().copied(),
    }
}

/// Groups the paths by the limit their app pools draw on: the first
/// PgBouncer's `max_client_conn` when the path goes through one (and then
/// PgBouncer's own server pool against the server), else the server's
/// connection limit.
pub fn budgets(paths: &[ConnectionPath]) -> Vec<Budget> {
    let mut out: Vec<(String, Budget)> = Vec::new();
    let mut counted_pools = std::collections::BTreeSet::new();
    let mut add =
        |key: String, limit: Limit, share: Share| match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, b)) => b.shares.push(share),
            None => out.push((
                key,
                Budget {
                    limit,
                    shares: vec![share],
                },
            )),
        };
    for path in paths {
        let Some(app) = &path.app else { continue };
        let share = Share {
            path: path.name.clone(),
            pool: pool_max(app, &path.threads),
            processes: path.processes.clone(),
        };
        if let Some(b) = path.pgbouncers().next() {
            let s = &b.settings;
            let key = format!("pgbouncer:{:?}", s.files.first());
            add(
                key,
                Limit {
                    label: format!("PgBouncer \"{}\" max_client_conn", b.name),
                    usable: s.max_client_conn.value,
                    how: format!("max_client_conn {}", s.max_client_conn.value),
                    value: s.max_client_conn.clone(),
                },
                share,
            );
            if let Some(server) = &path.server {
                let pairs = s.databases.len().max(1) as u64;
                let per_pair = s.default_pool_size.value + s.reserve_pool_size.value;
                let mut n = per_pair.saturating_mul(pairs);
                let mut how = format!(
                    "(default_pool_size {} + reserve_pool_size {}) × {pairs} database(s)",
                    s.default_pool_size.value, s.reserve_pool_size.value
                );
                if s.max_db_connections.value > 0 {
                    let cap = s.max_db_connections.value.saturating_mul(pairs);
                    if cap < n {
                        n = cap;
                        how = format!(
                            "max_db_connections {} × {pairs} database(s)",
                            s.max_db_connections.value
                        );
                    }
                }
                let pool_share = Share {
                    path: format!("PgBouncer \"{}\"", b.name),
                    pool: PoolMax {
                        connections: Some(n),
                        how,
                        location: s.default_pool_size.origin.location().or(s.anchor),
                        by_concurrency: false,
                    },
                    processes: Sourced::new(1, s.default_pool_size.origin.clone()),
                };
                // A PgBouncer's server pool is counted once, however many
                // paths go through it.
                let key = format!("server:{:?}", server_files(server));
                if counted_pools.insert(format!("{key}:{:?}", s.files.first())) {
                    add(key, server_limit(server), pool_share);
                }
            }
        } else if let Some(server) = &path.server {
            add(
                format!("server:{:?}", server_files(server)),
                server_limit(server),
                share,
            );
        }
    }
    out.into_iter().map(|(_, b)| b).collect()
}

/// A budget as table rows, for `timeoutlint chain`.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetView {
    /// The limit: `PostgreSQL max_connections 100 − … = 97 (db/postgresql.conf:3)`.
    pub limit: String,
    /// One row per path: `[path, per process, processes, total]`.
    pub rows: Vec<[String; 4]>,
    /// `240 of 97: over by 143`.
    pub verdict: String,
}

/// The views of every budget.
pub fn views(budgets: &[Budget], sources: &SourceMap) -> Vec<BudgetView> {
    budgets
        .iter()
        .map(|b| {
            let rows = b
                .shares
                .iter()
                .map(|s| {
                    [
                        s.path.clone(),
                        match s.pool.connections {
                            Some(n) => format!("{n} ({})", s.pool.how),
                            None => s.pool.how.clone(),
                        },
                        format!(
                            "{} ({})",
                            s.processes.value,
                            s.processes.origin.brief(sources)
                        ),
                        s.total()
                            .map(|t| t.to_string())
                            .unwrap_or_else(|| "unbounded".to_string()),
                    ]
                })
                .collect();
            let verdict = match b.demand() {
                None => format!("unbounded against {}", b.limit.usable),
                Some(d) if d > b.limit.usable => {
                    format!("{d} of {}: over by {}", b.limit.usable, d - b.limit.usable)
                }
                Some(d) => format!("{d} of {}: fits", b.limit.usable),
            };
            BudgetView {
                limit: format!(
                    "{} = {} ({}; {})",
                    b.limit.label,
                    b.limit.usable,
                    b.limit.how,
                    b.limit.value.origin.brief(sources)
                ),
                rows,
                verdict,
            }
        })
        .collect()
}
