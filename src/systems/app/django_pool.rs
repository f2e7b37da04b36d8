//! Django's native connection pool (Django 5.1+, PostgreSQL with psycopg 3):
//! `OPTIONS: {pool: true}` or `OPTIONS: {pool: {min_size: ..., ...}}`.
//!
//! Django (`django/db/backends/postgresql/base.py`, `DatabaseWrapper.pool`)
//! builds no pool when `pool` is falsy (`false`, `null`, `{}`), uses the
//! psycopg_pool defaults for `true`, and passes a mapping as keyword arguments
//! to `psycopg_pool.ConnectionPool`. Defaults (DOMAIN.md section 5,
//! `psycopg@c079c37:psycopg_pool/psycopg_pool/pool.py`, `docs/api/pool.rst`):
//! `min_size` 4, `max_size` None (= `min_size`), `timeout` 30 s,
//! `max_lifetime` 3600 s (checked when a connection is returned, not when it is
//! handed out), `max_idle` 600 s (only connections above `min_size` are closed
//! for idleness). Only the raw values are kept here; rules judge them.

use std::time::Duration;

use crate::parse::tree::{Key, Node, NodeKind};
use crate::provenance::{Origin, Sourced};
use crate::source::Location;

use super::values::Ctx;

const SYSTEM: &str = "psycopg_pool";
const SOURCE: &str = "psycopg/psycopg@c079c37:psycopg_pool/psycopg_pool/pool.py (min_size=4, max_size=None, timeout=30.0, max_lifetime=3600.0, max_idle=600.0)";

/// The native pool of a Django PostgreSQL alias.
#[derive(Clone, Debug, PartialEq)]
pub struct DjangoPool {
    /// Where the `pool` key is.
    pub location: Location,
    /// `min_size` (default 4): connections kept open, never closed for idleness.
    pub min_size: Sourced<u64>,
    /// `max_size` (default None = `min_size`).
    pub max_size: Sourced<Option<u64>>,
    /// `timeout` (s, default 30): longest wait for a connection.
    pub timeout: Sourced<Duration>,
    /// `max_lifetime` (s, default 3600): age limit, checked when a connection is returned.
    pub max_lifetime: Sourced<Duration>,
    /// `max_idle` (s, default 600): idle limit for connections above `min_size`.
    pub max_idle: Sourced<Duration>,
}

/// Reads `OPTIONS.pool` (`key` and its value); `None` when no pool is built.
pub(super) fn read(
    ctx: &mut Ctx<'_>,
    section: &str,
    key: &Key,
    value: &Node,
) -> Option<DjangoPool> {
    let location = ctx.loc(key.span);
    let name = format!("{section}.pool");
    let options: &[(Key, Node)] = match &value.kind {
        NodeKind::Bool(true) => &[],
        NodeKind::Bool(false) | NodeKind::Null => return None,
        NodeKind::Map(entries) if entries.is_empty() => return None,
        NodeKind::Map(entries) => entries,
        _ => {
            let msg = format!(
                "invalid {name} = {}: expected true or a mapping of psycopg_pool options; no pool is assumed",
                ctx.shown(value)
            );
            ctx.invalid(value.span, msg, "expected true or a mapping");
            return None;
        }
    };
    let secs = |n| Sourced::new(Duration::from_secs(n), default_at(location));
    let mut pool = DjangoPool {
        location,
        min_size: Sourced::new(4, default_at(location)),
        max_size: Sourced::new(None, default_at(location)),
        timeout: secs(30),
        max_lifetime: secs(3600),
        max_idle: secs(600),
    };
    for (k, v) in options {
        let field = format!("{name}.{}", k.text);
        match k.text.as_str() {
            "min_size" => {
                if let Some(n) = ctx.count(&field, v, "the psycopg_pool default 4 is used") {
                    pool.min_size = n;
                }
            }
            "max_size" => {
                if v.kind == NodeKind::Null {
                    pool.max_size = Sourced::new(None, ctx.at(v));
                } else if let Some(n) =
                    ctx.count(&field, v, "the psycopg_pool default (min_size) is used")
                {
                    pool.max_size = n.map(Some);
                }
            }
            "timeout" => {
                if let Some(d) = ctx.duration(&field, v, "the psycopg_pool default 30 s is used") {
                    pool.timeout = d;
                }
            }
            "max_lifetime" => {
                if let Some(d) = ctx.duration(&field, v, "the psycopg_pool default 3600 s is used")
                {
                    pool.max_lifetime = d;
                }
            }
            "max_idle" => {
                if let Some(d) = ctx.duration(&field, v, "the psycopg_pool default 600 s is used") {
                    pool.max_idle = d;
                }
            }
            _ => {}
        }
    }
    Some(pool)
}

fn default_at(at: Location) -> Origin {
    Origin::default_of(SYSTEM, SOURCE).anchored(Some(at))
}
