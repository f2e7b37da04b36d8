//! TL123 pools-exceed-max-connections: the pools of every path that shares a
//! server (or a PgBouncer) must fit within its connection limit
//! (DOMAIN.md rules 21–23; SQLAlchemy `pool/impl.py`; PostgreSQL
//! `max_connections − superuser_reserved_connections − reserved_connections`;
//! PgBouncer `max_client_conn`, `default_pool_size`).

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::model::budget::budgets;
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
        out.push(d.with_help(
            "lower the pool sizes or the process counts, raise the limit, or put a PgBouncer in transaction mode between them",
        ));
    }
}
