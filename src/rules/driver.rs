//! Driver-level settings against the path.
//!
//! - TL112 startup-parameter-rejected-by-pgbouncer / TL113
//!   startup-parameter-ignored-by-pgbouncer: PgBouncer accepts only
//!   `client_encoding`, `datestyle`, `timezone`, `standard_conforming_strings`
//!   (+ `track_extra_parameters`, default `IntervalStyle`) in a startup packet;
//!   others fail the connection unless listed in `ignore_startup_parameters`,
//!   and then they are dropped (`pgbouncer/pgbouncer doc/config.md`).
//! - TL114 unknown-driver-option: connect_args / Django OPTIONS keys the
//!   driver does not accept fail at connect.
//! - TL115 django-pool-misconfigured / TL116 django-pool-without-health-checks:
//!   Django 5.1+ native pool (`django/db/backends/postgresql/base.py`;
//!   `psycopg_pool/pool.py`: `max_lifetime` is checked only when a connection
//!   is returned, and the `min_size` connections are never closed for idleness).

use crate::diagnostic::{Diagnostic, Label};
use crate::model::ConnectionPath;
use crate::model::idle::{End, driver_name, idle_killers, segments};
use crate::rules::codes;
use crate::systems::app::{Driver, StartupVia, accepts_option, drivers_accepting};
use crate::units::Retirement;

/// Startup parameters PgBouncer always accepts (lower-case).
const PGBOUNCER_ACCEPTS: &[&str] = &[
    "client_encoding",
    "datestyle",
    "timezone",
    "standard_conforming_strings",
    "application_name",
    "intervalstyle",
];

pub(super) fn check(path: &ConnectionPath, out: &mut Vec<Diagnostic>) {
    let Some(app) = &path.app else { return };
    startup_parameters(path, out);
    for (key, loc) in &app.driver_options {
        if accepts_option(&app.driver.value, app.framework, key) != Some(false) {
            continue;
        }
        let driver = driver_name(&app.driver.value);
        let others = drivers_accepting(key);
        let help = if others.is_empty() {
            format!("remove `{key}`; no known driver accepts it")
        } else {
            format!(
                "`{key}` is an option of {}; remove it, or use the driver that takes it",
                others.join(", ")
            )
        };
        out.push(
            Diagnostic::new(
                codes::UNKNOWN_DRIVER_OPTION,
                format!("{driver} does not accept the option `{key}`: connecting fails"),
                Label::at(*loc, format!("not an option of {driver}")),
            )
            .with_related(Label::maybe(
                app.driver.origin.location(),
                format!("the driver is {driver}"),
            ))
            .with_help(help),
        );
    }
    if let Some(pool) = &app.django_pool {
        let persistent = !matches!(app.retirement.value, Retirement::After(d) if d.is_zero());
        if persistent {
            out.push(
                Diagnostic::new(
                    codes::DJANGO_POOL_MISCONFIGURED,
                    "Django's connection pool needs CONN_MAX_AGE = 0: Django raises ImproperlyConfigured(\"Pooling doesn't support persistent connections.\")",
                    Label::maybe(app.retirement.origin.location(), "persistent connections"),
                )
                .with_related(Label::at(pool.location, "pool enabled here"))
                .with_help("remove CONN_MAX_AGE (or set it to 0) when OPTIONS[\"pool\"] is set"),
            );
        }
        if app.driver.value == Driver::Psycopg2 {
            out.push(
                Diagnostic::new(
                    codes::DJANGO_POOL_MISCONFIGURED,
                    "Django's connection pool requires psycopg 3; with psycopg2 Django raises \"Database pooling requires psycopg >= 3\"",
                    Label::at(pool.location, "pool enabled here"),
                )
                .with_related(Label::maybe(app.driver.origin.location(), "psycopg2"))
                .with_help("install psycopg (3) with psycopg_pool, or remove OPTIONS[\"pool\"]"),
            );
        }
        if !app.validation.value {
            let killer = segments(path).first().and_then(|seg| {
                idle_killers(path, seg)
                    .into_iter()
                    .filter(|k| k.is_effective())
                    .min_by_key(|k| k.timeout.value)
            });
            if let Some(k) = killer {
                out.push(
                    Diagnostic::new(
                        codes::DJANGO_POOL_WITHOUT_HEALTH_CHECKS,
                        format!(
                            "Django's connection pool without CONN_HEALTH_CHECKS can hand out connections that {} killed after {} idle",
                            k.label,
                            crate::units::fmt_secs(k.timeout.value)
                        ),
                        Label::at(pool.location, "psycopg_pool keeps min_size connections open and checks max_lifetime only on return"),
                    )
                    .with_related(Label::maybe(k.timeout.origin.location(), format!("{} kills idle connections", k.label)))
                    .with_related(Label::maybe(app.validation.origin.location(), "CONN_HEALTH_CHECKS"))
                    .with_help("set CONN_HEALTH_CHECKS = True so Django passes check=ConnectionPool.check_connection"),
                );
            }
        }
    }
}

fn startup_parameters(path: &ConnectionPath, out: &mut Vec<Diagnostic>) {
    let Some(app) = &path.app else { return };
    let Some(pg) = &app.pg else { return };
    if pg.startup_parameters.is_empty() {
        return;
    }
    let Some(seg) = segments(path).into_iter().next() else {
        return;
    };
    let End::PgBouncer(b) = seg.server else {
        return;
    };
    let ignored = &b.settings.ignore_startup_parameters;
    for p in &pg.startup_parameters {
        // libpq sends `-c` settings inside the one `options` parameter.
        let sent = match p.via {
            StartupVia::LibpqOptions => "options".to_string(),
            StartupVia::AsyncpgServerSettings => p.name.clone(),
        };
        if PGBOUNCER_ACCEPTS.contains(&sent.as_str()) {
            continue;
        }
        // PgBouncer 1.2x splits `options` into its `-c` settings and accepts a
        // setting whose own name is listed (`client.c set_startup_options`).
        let listed = ignored
            .value
            .iter()
            .any(|n| *n == sent || (p.via == StartupVia::LibpqOptions && *n == p.name));
        if listed {
            out.push(
                Diagnostic::new(
                    codes::STARTUP_PARAMETER_IGNORED,
                    format!(
                        "PgBouncer \"{}\" drops the startup parameter `{sent}`: {} = {} is never applied",
                        b.name, p.name, p.value
                    ),
                    Label::at(p.location, "silently dropped by PgBouncer"),
                )
                .with_related(Label::maybe(ignored.origin.location(), format!("`{sent}` is in ignore_startup_parameters")))
                .with_help(format!(
                    "set {} on the server (ALTER ROLE ... SET, postgresql.conf) or per transaction with SET LOCAL",
                    p.name
                )),
            );
        } else {
            out.push(
                Diagnostic::new(
                    codes::STARTUP_PARAMETER_REJECTED,
                    format!(
                        "PgBouncer \"{}\" rejects the startup parameter `{sent}` ({} = {}): connecting fails with \"unsupported startup parameter\"",
                        b.name, p.name, p.value
                    ),
                    Label::at(p.location, "sent in the startup packet"),
                )
                .with_related(Label::maybe(
                    ignored.origin.location(),
                    format!("ignore_startup_parameters does not list `{sent}`"),
                ))
                .with_help(format!(
                    "set {} on the server (ALTER ROLE ... SET) instead; listing `{sent}` in ignore_startup_parameters only makes PgBouncer drop it",
                    p.name
                )),
            );
        }
    }
}
