//! SQLAlchemy pool classes (`create_engine(poolclass=...)`) and what each one
//! means for the rules.
//!
//! Facts, from the SQLAlchemy 2.0 pooling docs
//! (<https://docs.sqlalchemy.org/en/20/core/pooling.html>, class reference at
//! the end of that page) and `lib/sqlalchemy/pool/impl.py`:
//! - `QueuePool` is the default of every sync engine; async dialects
//!   (asyncpg, aiomysql, asyncmy, and any engine made by
//!   `create_async_engine`) default to `AsyncAdaptedQueuePool`, its asyncio
//!   version (`FallbackAsyncAdaptedQueuePool` is another variant). They keep
//!   up to `pool_size` idle connections and open `max_overflow` more; the base
//!   `Pool` checks `pool_recycle` at checkout.
//! - `NullPool` "does not pool connections": each checkout opens a DBAPI
//!   connection and each check-in closes it, so no connection is ever idle in
//!   the pool; "reconnect-related functions such as recycle and connection
//!   invalidation are not supported by this Pool implementation, since no
//!   connections are held persistently". It bounds nothing: one connection
//!   per concurrent checkout.
//! - `StaticPool` holds "exactly one connection, used for all requests";
//!   recycle and invalidation "are only partially supported right now and may
//!   not yield good results". timeoutlint treats its one connection as never
//!   retired (`pool_recycle` is not relied on), so the idle killers apply.
//! - `SingletonThreadPool` "maintains one connection per thread", keeping at
//!   most `pool_size` (default 5) of them and closing the others; the base
//!   `Pool` checks `pool_recycle` for it as for QueuePool.
//! - `AssertionPool` "allows at most one checked out connection at any given
//!   time" (it raises on a second): one connection, kept, recycled as usual.
//!
//! The SQLite dialect chooses its own default (`SingletonThreadPool` for a
//! `:memory:` database with pysqlite, `QueuePool` for a file, SQLAlchemy 2.0;
//! <https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#threading-pooling-behavior>).

use crate::provenance::{Origin, Sourced};
use crate::source::Location;

use super::{Backend, Driver};

const SYSTEM: &str = "SQLAlchemy";
/// The pooling chapter, the source of every fact in this module.
pub const POOLING_DOC: &str = "https://docs.sqlalchemy.org/en/20/core/pooling.html";
const QUEUE_DOC: &str = "https://docs.sqlalchemy.org/en/20/core/pooling.html#sqlalchemy.pool.QueuePool (default pool of sync engines)";
const ASYNC_DOC: &str = "https://docs.sqlalchemy.org/en/20/core/pooling.html#sqlalchemy.pool.AsyncAdaptedQueuePool (default pool of async dialects and create_async_engine)";
const SQLITE_DOC: &str = "https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#threading-pooling-behavior (SingletonThreadPool for :memory:, QueuePool for a file)";

/// A SQLAlchemy pool class, as named by `poolclass` or chosen by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolClass {
    /// `QueuePool`: `pool_size` kept + `max_overflow` more; the sync default.
    QueuePool,
    /// `AsyncAdaptedQueuePool`: QueuePool for asyncio; the async default.
    AsyncAdaptedQueuePool,
    /// `FallbackAsyncAdaptedQueuePool`: behaves as `AsyncAdaptedQueuePool`.
    FallbackAsyncAdaptedQueuePool,
    /// `NullPool`: no pooling, a new connection per checkout.
    NullPool,
    /// `StaticPool`: exactly one connection for all requests, not reliably recycled.
    StaticPool,
    /// `SingletonThreadPool`: one connection per thread (up to `pool_size`).
    SingletonThreadPool,
    /// `AssertionPool`: at most one checked-out connection.
    AssertionPool,
    /// A class timeoutlint does not know (a subclass, a third-party pool),
    /// kept as written (letters, digits, `_` and `.` only).
    Unknown(String),
}

impl PoolClass {
    /// Reads a class name: `NullPool`, `pool.NullPool`, `sqlalchemy.NullPool`,
    /// `sqlalchemy.pool.NullPool` or `sqlalchemy.pool.impl.NullPool`; anything
    /// else is [`PoolClass::Unknown`].
    pub fn parse(text: &str) -> PoolClass {
        let t = text.trim();
        let name = [
            "sqlalchemy.pool.impl.",
            "sqlalchemy.pool.",
            "sqlalchemy.",
            "pool.",
        ]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
        match name {
            "QueuePool" => PoolClass::QueuePool,
            "AsyncAdaptedQueuePool" => PoolClass::AsyncAdaptedQueuePool,
            "FallbackAsyncAdaptedQueuePool" => PoolClass::FallbackAsyncAdaptedQueuePool,
            "NullPool" => PoolClass::NullPool,
            "StaticPool" => PoolClass::StaticPool,
            "SingletonThreadPool" => PoolClass::SingletonThreadPool,
            "AssertionPool" => PoolClass::AssertionPool,
            _ => PoolClass::Unknown(
                t.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                    .take(80)
                    .collect(),
            ),
        }
    }

    /// The class name (the written text for an unknown class).
    pub fn name(&self) -> &str {
        match self {
            PoolClass::QueuePool => "QueuePool",
            PoolClass::AsyncAdaptedQueuePool => "AsyncAdaptedQueuePool",
            PoolClass::FallbackAsyncAdaptedQueuePool => "FallbackAsyncAdaptedQueuePool",
            PoolClass::NullPool => "NullPool",
            PoolClass::StaticPool => "StaticPool",
            PoolClass::SingletonThreadPool => "SingletonThreadPool",
            PoolClass::AssertionPool => "AssertionPool",
            PoolClass::Unknown(s) => s,
        }
    }

    /// Whether connections stay open between checkouts (`Some(false)` for
    /// NullPool; `None` for an unknown class).
    pub fn keeps_connections(&self) -> Option<bool> {
        match self {
            PoolClass::NullPool => Some(false),
            PoolClass::Unknown(_) => None,
            _ => Some(true),
        }
    }

    /// Whether `pool_recycle` is relied on to retire kept connections:
    /// `Some(false)` for StaticPool (documented as only partially supported)
    /// and NullPool (nothing is kept); `None` for an unknown class.
    pub fn honours_recycle(&self) -> Option<bool> {
        match self {
            PoolClass::NullPool | PoolClass::StaticPool => Some(false),
            PoolClass::Unknown(_) => None,
            _ => Some(true),
        }
    }

    /// Whether this is a QueuePool (sync or async): `pool_size` +
    /// `max_overflow` bound it.
    pub fn is_queue_pool(&self) -> bool {
        matches!(
            self,
            PoolClass::QueuePool
                | PoolClass::AsyncAdaptedQueuePool
                | PoolClass::FallbackAsyncAdaptedQueuePool
        )
    }
}

/// Whether the driver is an asyncio DBAPI, whose SQLAlchemy dialect defaults
/// to `AsyncAdaptedQueuePool` (dialects set `poolclass =
/// pool.AsyncAdaptedQueuePool`; [`POOLING_DOC`]).
fn is_async_driver(driver: &Driver) -> bool {
    match driver {
        Driver::Asyncpg | Driver::AioMysql | Driver::AsyncMy => true,
        Driver::Other(name) => matches!(name.as_str(), "aiosqlite" | "psycopg_async" | "aioodbc"),
        _ => false,
    }
}

/// The pool class SQLAlchemy chooses when `poolclass` is not written, as a
/// documented default anchored at the engine: `AsyncAdaptedQueuePool` for
/// `create_async_engine` (`async_engine`) or an async driver; for SQLite,
/// `SingletonThreadPool` when the database is in memory (`url` is
/// `sqlite://` or names `:memory:` / `mode=memory`); else `QueuePool`.
pub fn default_pool_class(
    backend: Backend,
    driver: &Driver,
    url: Option<&str>,
    async_engine: bool,
    anchor: Location,
) -> Sourced<PoolClass> {
    let origin = |source| Origin::default_of(SYSTEM, source).anchored(Some(anchor));
    if async_engine || is_async_driver(driver) {
        return Sourced::new(PoolClass::AsyncAdaptedQueuePool, origin(ASYNC_DOC));
    }
    if backend == Backend::Sqlite {
        let memory = url.is_some_and(|u| {
            let rest = u.split_once("://").map_or("", |(_, r)| r);
            rest.is_empty() || u.contains(":memory:") || u.contains("mode=memory")
        });
        let class = if memory {
            PoolClass::SingletonThreadPool
        } else {
            PoolClass::QueuePool
        };
        return Sourced::new(class, origin(SQLITE_DOC));
    }
    Sourced::new(PoolClass::QueuePool, origin(QUEUE_DOC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    #[test]
    fn accepts_every_documented_spelling() {
        let cases: &[(&str, PoolClass)] = &[
            ("NullPool", PoolClass::NullPool),
            ("pool.NullPool", PoolClass::NullPool),
            ("sqlalchemy.NullPool", PoolClass::NullPool),
            ("sqlalchemy.pool.NullPool", PoolClass::NullPool),
            ("sqlalchemy.pool.impl.NullPool", PoolClass::NullPool),
            (" QueuePool ", PoolClass::QueuePool),
            ("AsyncAdaptedQueuePool", PoolClass::AsyncAdaptedQueuePool),
            (
                "FallbackAsyncAdaptedQueuePool",
                PoolClass::FallbackAsyncAdaptedQueuePool,
            ),
            ("sqlalchemy.pool.StaticPool", PoolClass::StaticPool),
            ("SingletonThreadPool", PoolClass::SingletonThreadPool),
            ("AssertionPool", PoolClass::AssertionPool),
        ];
        for (text, want) in cases {
            assert_eq!(&PoolClass::parse(text), want, "{text}");
        }
    }

    #[test]
    fn rejects_other_names_without_guessing() {
        let cases: &[(&str, &str)] = &[
            ("nullpool", "nullpool"),
            ("myapp.pools.NullPoolish", "myapp.pools.NullPoolish"),
            ("sqlalchemy.pool.Pool", "sqlalchemy.pool.Pool"),
            (
                "psycopg_pool.NullConnectionPool",
                "psycopg_pool.NullConnectionPool",
            ),
            ("<class 'x'>", "classx"),
            ("", ""),
        ];
        for (text, kept) in cases {
            let p = PoolClass::parse(text);
            assert_eq!(p, PoolClass::Unknown((*kept).to_string()), "{text}");
            assert_eq!(p.keeps_connections(), None);
            assert_eq!(p.honours_recycle(), None);
        }
    }

    #[test]
    fn semantics_per_class() {
        use PoolClass::*;
        // (class, keeps connections, honours pool_recycle, queue bound)
        let table = [
            (QueuePool, true, true, true),
            (AsyncAdaptedQueuePool, true, true, true),
            (FallbackAsyncAdaptedQueuePool, true, true, true),
            (NullPool, false, false, false),
            (StaticPool, true, false, false),
            (SingletonThreadPool, true, true, false),
            (AssertionPool, true, true, false),
        ];
        for (class, keeps, recycles, queue) in table {
            assert_eq!(class.keeps_connections(), Some(keeps), "{class:?}");
            assert_eq!(class.honours_recycle(), Some(recycles), "{class:?}");
            assert_eq!(class.is_queue_pool(), queue, "{class:?}");
            assert_eq!(PoolClass::parse(class.name()), class);
        }
    }

    #[test]
    fn defaults_follow_the_dialect() {
        let at = Location::new(FileId(0), Span::new(0, 0));
        let d = |b, drv: Driver, url: Option<&str>, a| default_pool_class(b, &drv, url, a, at);
        let pg = Backend::PostgreSql;
        assert_eq!(
            d(pg, Driver::Psycopg2, None, false).value,
            PoolClass::QueuePool
        );
        assert_eq!(
            d(pg, Driver::Asyncpg, None, false).value,
            PoolClass::AsyncAdaptedQueuePool
        );
        assert_eq!(
            d(pg, Driver::Psycopg, None, true).value,
            PoolClass::AsyncAdaptedQueuePool
        );
        assert_eq!(
            d(Backend::MySql, Driver::AioMysql, None, false).value,
            PoolClass::AsyncAdaptedQueuePool
        );
        let lite = |u| {
            d(
                Backend::Sqlite,
                Driver::Other("pysqlite".into()),
                Some(u),
                false,
            )
            .value
        };
        assert_eq!(lite("sqlite://"), PoolClass::SingletonThreadPool);
        assert_eq!(lite("sqlite:///:memory:"), PoolClass::SingletonThreadPool);
        assert_eq!(lite("sqlite:///app.db"), PoolClass::QueuePool);
        let o = d(pg, Driver::Psycopg2, None, false).origin;
        assert!(matches!(
            o,
            Origin::Default {
                anchor: Some(_),
                ..
            }
        ));
    }
}
