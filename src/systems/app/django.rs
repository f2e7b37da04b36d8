//! Django `DATABASES`: one pool per alias.
//!
//! Per alias (Django 5.2, <https://docs.djangoproject.com/en/5.2/ref/settings/#databases>):
//! `ENGINE` gives backend and driver; `CONN_MAX_AGE` is the connection age in
//! seconds (default 0 = closed at the end of each request; `null` = unlimited);
//! `CONN_HEALTH_CHECKS` (default false, Django 4.1+) checks a reused connection
//! once per request; `OPTIONS` goes to the driver's `connect()` (mysqlclient:
//! `connect_timeout`, `read_timeout`, `write_timeout` in int seconds).

use std::time::Duration;

use crate::parse::tree::{Key, Node, NodeKind};
use crate::provenance::{Origin, Sourced};
use crate::units::Retirement;

use super::values::{Ctx, Seconds};
use super::{
    AppPool, Backend, Driver, Framework, connect, django_pool, option_keys, pg, postgres_params,
};

const SYSTEM: &str = "Django";
const CONN_MAX_AGE: &str = "https://docs.djangoproject.com/en/5.2/ref/settings/#conn-max-age";
const CONN_HEALTH_CHECKS: &str =
    "https://docs.djangoproject.com/en/5.2/ref/settings/#conn-health-checks";
const ENGINE: &str = "https://docs.djangoproject.com/en/5.2/ref/settings/#engine";

/// Backend and driver of a Django `ENGINE`.
///
/// `django.db.backends.mysql` uses mysqlclient; `mysql.connector.django` is
/// mysql-connector-python's own backend; Django's PostgreSQL backend is taken
/// as psycopg 3 (Django 4.2+ prefers it and uses psycopg2 only when psycopg 3
/// is not installed, which settings do not show; `OPTIONS` do not change
/// this); SQLite uses the `sqlite3` module. GIS variants map like their base
/// backend.
///
/// Wrapper backends that subclass a Django backend map like the backend they
/// wrap (docs/manifest.md, "Backends"):
/// - `django_prometheus.db.backends.{postgresql,postgis,mysql,sqlite3}`
///   (django-prometheus `django_prometheus/db/backends/*/base.py` subclass
///   Django's backends, adding metrics only);
/// - `django_tenants.postgresql_backend` (django-tenants subclasses Django's
///   PostgreSQL / PostGIS backend, setting `search_path`);
/// - `django_db_geventpool.backends.postgresql_psycopg2` (psycopg2) and
///   `.postgresql_psycopg3` (psycopg 3): django-db-geventpool's own pool
///   (`MAX_CONNS`, `REUSE_CONNS`) is not modelled;
/// - `dj_db_conn_pool.backends.{mysql,postgresql}` (django-db-connection-pool,
///   a SQLAlchemy QueuePool under Django's backend, `POOL_OPTIONS`): the pool
///   is not modelled.
///
/// Any other engine keeps its last dotted part, with an unknown backend
/// (the manifest's `backend` / `driver` keys can name it).
pub fn classify_engine(engine: &str) -> (Backend, Driver) {
    match engine {
        "django.db.backends.mysql"
        | "django.contrib.gis.db.backends.mysql"
        | "django_prometheus.db.backends.mysql"
        | "dj_db_conn_pool.backends.mysql" => (Backend::MySql, Driver::MysqlClient),
        "mysql.connector.django" => (Backend::MySql, Driver::MysqlConnector { use_pure: false }),
        "django.db.backends.postgresql"
        | "django.db.backends.postgresql_psycopg2"
        | "django.contrib.gis.db.backends.postgis"
        | "django_prometheus.db.backends.postgresql"
        | "django_prometheus.db.backends.postgis"
        | "django_tenants.postgresql_backend"
        | "django_db_geventpool.backends.postgresql_psycopg3"
        | "dj_db_conn_pool.backends.postgresql" => (Backend::PostgreSql, Driver::Psycopg),
        "django_db_geventpool.backends.postgresql_psycopg2" => {
            (Backend::PostgreSql, Driver::Psycopg2)
        }
        "django.db.backends.sqlite3"
        | "django.contrib.gis.db.backends.spatialite"
        | "django_prometheus.db.backends.sqlite3" => {
            (Backend::Sqlite, Driver::Other("sqlite3".into()))
        }
        other => {
            let last = other.rsplit('.').next().unwrap_or(other);
            let name: String = last
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            let name = if name.is_empty() {
                "unknown".to_string()
            } else {
                name
            };
            (Backend::Other, Driver::Other(name))
        }
    }
}

/// Reads the `DATABASES` mapping at `key`, one pool per alias in file order.
pub(super) fn read(ctx: &mut Ctx<'_>, databases: &Node, pools: &mut Vec<AppPool>) {
    let Some(databases) = ctx.mapping("DATABASES", databases) else {
        return;
    };
    for (alias, settings) in databases.as_map().unwrap_or(&[]) {
        let section = format!("DATABASES.{}", alias.text);
        if let Some(settings) = ctx.mapping(&section, settings) {
            pools.push(read_alias(ctx, &section, alias, settings));
        }
    }
}

fn read_alias(ctx: &mut Ctx<'_>, section: &str, alias: &Key, settings: &Node) -> AppPool {
    let anchor = ctx.loc(alias.span);
    let default = |source| Origin::default_of(SYSTEM, source).anchored(Some(anchor));

    let (backend, driver) = match settings.get("ENGINE") {
        Some(node) => match node.as_str() {
            Some(engine) => {
                let (b, d) = classify_engine(engine);
                (b, Sourced::new(d, ctx.at(node)))
            }
            None => {
                let msg = format!(
                    "invalid {section}.ENGINE: expected a string, found {}; backend and driver are unknown",
                    node.type_name()
                );
                ctx.invalid(node.span, msg, "expected e.g. django.db.backends.mysql");
                (
                    Backend::Other,
                    Sourced::new(Driver::Other("unknown".into()), ctx.at(node)),
                )
            }
        },
        None => {
            let msg = format!("missing ENGINE in {section}; backend and driver are unknown");
            ctx.invalid(alias.span, msg, "add ENGINE, e.g. django.db.backends.mysql");
            (
                Backend::Other,
                Sourced::new(Driver::Other("unknown".into()), default(ENGINE)),
            )
        }
    };
    let (backend, mut driver) = ctx
        .overrides
        .apply(Sourced::new(backend, driver.origin.clone()), driver);

    let fallback = "the Django default 0 s (close at the end of each request) is used";
    let retirement = settings
        .get("CONN_MAX_AGE")
        .and_then(|node| conn_max_age(ctx, section, node, fallback))
        .unwrap_or_else(|| Sourced::new(Retirement::After(Duration::ZERO), default(CONN_MAX_AGE)));

    let validation = settings
        .get("CONN_HEALTH_CHECKS")
        .and_then(|node| {
            ctx.boolean(
                &format!("{section}.CONN_HEALTH_CHECKS"),
                node,
                "the Django default false is used",
            )
        })
        .unwrap_or_else(|| Sourced::new(false, default(CONN_HEALTH_CHECKS)));

    let options = match settings.get("OPTIONS") {
        Some(o) => ctx.mapping(&format!("{section}.OPTIONS"), o),
        None => None,
    };
    let options_section = format!("{section}.OPTIONS");
    let args = connect::read(ctx, &options_section, options, None, &driver.value);
    if let Driver::MysqlConnector { use_pure } = &mut driver.value {
        *use_pure = args.use_pure.as_ref().is_some_and(|u| u.value);
    }
    let written_connect = args.connect.clone();
    let timeouts = connect::with_defaults(args, &driver.value, anchor);
    let input = pg::Input {
        section: &options_section,
        args: options,
        url: None,
        anchor,
        written_connect,
    };
    let (pg, connect_timeout) =
        postgres_params(ctx, backend.value, &driver.value, &input, timeouts.connect);
    let driver_options = option_keys(ctx, options);
    let session_settings = if backend.value == Backend::MySql {
        super::session::read(ctx, options)
    } else {
        Vec::new()
    };
    let django_pool = match options.and_then(|o| o.entry("pool")) {
        Some((key, value)) if backend.value == Backend::PostgreSql => {
            django_pool::read(ctx, &options_section, key, value)
        }
        _ => None,
    };

    let text_of = |key: &str| {
        settings
            .get(key)
            .and_then(|n| n.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let endpoint = settings
        .get("HOST")
        .and_then(|h| Some((h.as_str()?, h.span)))
        .filter(|(h, _)| !h.is_empty())
        .map(|(host, span)| super::Endpoint {
            host: host.to_string(),
            port: settings.get("PORT").and_then(|p| match &p.kind {
                NodeKind::Int(n) => u16::try_from(*n).ok(),
                NodeKind::Str(s) => s.trim().parse().ok(),
                _ => None,
            }),
            at: ctx.loc(span),
        });
    AppPool {
        name: alias.text.clone(),
        framework: Framework::Django,
        anchor,
        backend,
        driver,
        pool_class: None,
        retirement,
        validation,
        pool_timeout: None,
        pool_size: None,
        max_overflow: None,
        connect_timeout,
        read_timeout: timeouts.read,
        write_timeout: timeouts.write,
        removed_keys: Vec::new(),
        pg,
        driver_options,
        django_pool,
        variant: None,
        session_settings,
        endpoint,
        database: text_of("NAME"),
        user: text_of("USER"),
    }
}

/// `CONN_MAX_AGE`: `null` = never retired; seconds of 0 or more; negatives are errors.
fn conn_max_age(
    ctx: &mut Ctx<'_>,
    section: &str,
    node: &Node,
    fallback: &str,
) -> Option<Sourced<Retirement>> {
    let name = format!("{section}.CONN_MAX_AGE");
    if node.kind == NodeKind::Null {
        return Some(Sourced::new(Retirement::Never, ctx.at(node)));
    }
    match ctx.seconds(&name, node, fallback)? {
        Seconds::NonNegative(d) => Some(Sourced::new(Retirement::After(d), ctx.at(node))),
        Seconds::Negative(x) => {
            let msg = format!(
                "invalid {name} = {x} s: negative (use null for unlimited persistent connections); {fallback}"
            );
            ctx.invalid(node.span, msg, "must be 0 or more, or null");
            None
        }
    }
}
