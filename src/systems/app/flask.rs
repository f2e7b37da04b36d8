//! Flask-SQLAlchemy 3.x config: top-level `SQLALCHEMY_DATABASE_URI` and
//! `SQLALCHEMY_ENGINE_OPTIONS` (the `create_engine` keyword arguments of the
//! default engine, named `default`).
//!
//! Two Flask-SQLAlchemy facts matter (DOMAIN.md 4.2):
//! - for URLs whose driver name starts with `mysql`, 3.x calls
//!   `options.setdefault("pool_recycle", 7200)` unless a `pool_class` option
//!   names a pool other than QueuePool. `mariadb://` URLs do not match.
//! - `SQLALCHEMY_POOL_RECYCLE`, `_POOL_SIZE`, `_POOL_TIMEOUT` and `_MAX_OVERFLOW`
//!   were removed in 3.0 and are silently ignored: they are recorded in
//!   [`AppPool::removed_keys`](super::AppPool::removed_keys) and set nothing.

use std::time::Duration;

use crate::parse::tree::{Key, Node};
use crate::provenance::{Origin, Sourced};
use crate::units::Retirement;

use super::sqlalchemy::{build_pool, default_recycle, read_options};
use super::url::parse_db_url;
use super::values::Ctx;
use super::{AppPool, Framework};

/// The database URL key.
pub(super) const URI: &str = "SQLALCHEMY_DATABASE_URI";
/// The engine options key.
pub(super) const ENGINE_OPTIONS: &str = "SQLALCHEMY_ENGINE_OPTIONS";
/// Keys removed in Flask-SQLAlchemy 3.0.
pub(super) const REMOVED: [&str; 4] = [
    "SQLALCHEMY_POOL_RECYCLE",
    "SQLALCHEMY_POOL_SIZE",
    "SQLALCHEMY_POOL_TIMEOUT",
    "SQLALCHEMY_MAX_OVERFLOW",
];

const SYSTEM: &str = "Flask-SQLAlchemy 3.x";
const SOURCE: &str = "https://github.com/pallets-eco/flask-sqlalchemy/blob/3.1.x/src/flask_sqlalchemy/extension.py (options.setdefault(\"pool_recycle\", 7200) for MySQL)";

/// True for the top-level keys that make a file a Flask-SQLAlchemy config.
pub(super) fn is_flask_key(key: &str) -> bool {
    key == URI || key == ENGINE_OPTIONS || REMOVED.contains(&key)
}

/// Reads the Flask-SQLAlchemy keys of the top-level mapping `root`;
/// `first` is the first Flask key met (where a missing URI is reported).
pub(super) fn read(ctx: &mut Ctx<'_>, root: &Node, first: &Key, pools: &mut Vec<AppPool>) {
    let Some((uri_key, uri)) = root.entry(URI) else {
        let msg = format!(
            "missing {URI}: {} is set without it; no Flask-SQLAlchemy engine is read",
            first.text
        );
        ctx.invalid(
            first.span,
            msg,
            "add SQLALCHEMY_DATABASE_URI next to this key",
        );
        return;
    };
    let options = match root.get(ENGINE_OPTIONS) {
        Some(o) => ctx.mapping(ENGINE_OPTIONS, o),
        None => None,
    };
    let is_mysql = uri
        .as_str()
        .and_then(|s| parse_db_url(s).ok())
        .is_some_and(|u| u.dialect.starts_with("mysql"));
    let queue_pool = options
        .and_then(|o| o.get("pool_class"))
        .is_none_or(|p| p.as_str().is_some_and(|s| s.ends_with("QueuePool")));
    let implicit = is_mysql && queue_pool;
    let fallback = if implicit {
        "the Flask-SQLAlchemy 3.x default 7200 s is used"
    } else {
        "the SQLAlchemy default -1 (never) is used"
    };
    let empty = Node::new(crate::parse::tree::NodeKind::Map(Vec::new()), uri_key.span);
    let opts = read_options(ctx, options.unwrap_or(&empty), fallback);
    let anchor = ctx.loc(uri_key.span);
    let recycle_default = if implicit {
        Sourced::new(
            Retirement::After(Duration::from_secs(7200)),
            Origin::default_of(SYSTEM, SOURCE).anchored(Some(anchor)),
        )
    } else {
        default_recycle(anchor)
    };
    let mut pool = build_pool(
        ctx,
        "default",
        Framework::FlaskSqlAlchemy,
        uri_key,
        Some(uri),
        opts,
        recycle_default,
    );
    pool.removed_keys = root
        .as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|(k, _)| REMOVED.contains(&k.text.as_str()))
        .map(|(k, _)| (k.text.clone(), ctx.loc(k.span)))
        .collect();
    pools.push(pool);
}
