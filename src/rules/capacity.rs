//! TL123 pools-exceed-max-connections: the pools of every path that shares a
//! server (or a PgBouncer) must fit within its connection limit
//! (DOMAIN.md rules 21–23; SQLAlchemy `pool/impl.py`; PostgreSQL
//! `max_connections − superuser_reserved_connections − reserved_connections`;
//! PgBouncer `max_client_conn`, `default_pool_size`). A group whose only
//! unbounded pools are NullPools is an info: NullPool opens one connection
//! per concurrent checkout (<https://docs.sqlalchemy.org/en/20/core/pooling.html#sqlalchemy.pool.NullPool>),
//! a bound set by the app's concurrency, not by any file read here.

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::model::budget::{Share, budgets};
use crate::rules::codes;

pub(super) fn check(paths: &[ConnectionPath], out: &mut Vec<Diagnostic>) {
    for b in budgets(paths) {
        let parts: Vec<String> = b
            .shares
            .iter()
            .map(|s| match s.total() {
                Some(t) => format!(
                    "\"{}\" {} × {} = {t}",
                    s.path,
                    s.pool.connections.unwrap_or_default(),
                    s.processes.value
                ),
                None => format!("\"{}\" unbounded ({})", s.path, s.pool.how),
            })
            .collect();
        let limit = &b.limit;
        let message = match b.demand() {
            Some(d) if d <= limit.usable => continue,
            Some(d) => format!(
                "pools may open {d} connections but {} allows {} ({}): {}",
                limit.label,
                limit.usable,
                limit.how,
                parts.join(", ")
            ),
            None => format!(
                "a pool has no bound, so connections to {} (allows {}) cannot be budgeted: {}",
                limit.label,
                limit.usable,
                parts.join(", ")
            ),
        };
        // Only NullPools are unbounded: their count is the app's concurrency,
        // which no config file gives. Said as an info, not an error.
        // The bounded pools alone may still exceed the limit: then it stays an error.
        let bounded: u64 = b
            .shares
            .iter()
            .filter_map(Share::total)
            .fold(0, u64::saturating_add);
        let only_nullpools = b.demand().is_none()
            && bounded <= limit.usable
            && b.shares
                .iter()
                .filter(|s| s.total().is_none())
                .all(|s| s.pool.by_concurrency);
        let message = if only_nullpools {
            format!(
                "pools using NullPool open one connection per concurrent checkout, so connections to {} (allows {}) are bounded by the app's concurrency, which timeoutlint cannot see: {}",
                limit.label,
                limit.usable,
                parts.join(", ")
            )
        } else {
            message
        };
        let mut d = Diagnostic::new(
            codes::POOLS_EXCEED_MAX_CONNECTIONS,
            message,
            Label::maybe(
                limit.value.origin.location(),
                format!("{} = {}", limit.label, limit.value.value),
            ),
        );
        for s in &b.shares {
            d = d.with_related(Label::maybe(
                s.pool.location,
                format!("\"{}\": {}", s.path, s.pool.how),
            ));
            if s.processes.origin.is_explicit() {
                d = d.with_related(Label::maybe(
                    s.processes.origin.location(),
                    format!("\"{}\": {} processes", s.path, s.processes.value),
                ));
            }
        }
        if only_nullpools {
            out.push(
                d.with_severity(crate::diagnostic::Severity::Info).with_help(
                    "make sure processes × concurrent checkouts (threads, tasks) stays below the limit; NullPool: https://docs.sqlalchemy.org/en/20/core/pooling.html#sqlalchemy.pool.NullPool",
                ),
            );
            continue;
        }
        out.push(d.with_help(
            "lower the pool sizes or the process counts (for Django pools without a native pool, the thread counts), raise the limit, or put a PgBouncer in transaction mode between them",
        ));
    }
}
