//! TL127 request-timeout-exceeds-held-connection-idle-limit: a connection
//! checked out by a request and left idle inside it is not protected by
//! retirement or validation, which act only at checkout (SQLAlchemy
//! `pool_recycle` and `pool_pre_ping`, `lib/sqlalchemy/pool/base.py`
//! `_ConnectionRecord.checkout`; Django `CONN_MAX_AGE` and
//! `CONN_HEALTH_CHECKS` at request start and end,
//! `django/db/backends/base/base.py close_if_unusable_or_obsolete`). When the
//! request deadline (manifest `request_timeout`, gunicorn `--timeout`, uwsgi
//! `harakiri`) exceeds a server idle limit that applies to a held
//! connection, a request can hold its connection idle past that limit and
//! lose it. The idle limits of a held connection:
//! - MySQL `wait_timeout` (the session value non-interactive clients start
//!   from), whether or not a transaction is open (lab: a held connection
//!   failed with `pool_recycle = 2` against `wait_timeout = 3`);
//! - PostgreSQL `idle_in_transaction_session_timeout` when above 0: a
//!   PEP 249 driver opens a transaction at the first statement and
//!   SQLAlchemy keeps it until commit or close, so a held SQLAlchemy
//!   connection is "idle in transaction" (lab: `InternalError
//!   (IdleInTransactionSessionTimeout)` with `pool_recycle = 2`); a Django
//!   connection is, inside `atomic()` or with `ATOMIC_REQUESTS`;
//! - PostgreSQL `idle_session_timeout` when above 0, for Django only (its
//!   autocommit leaves a held connection outside a transaction between
//!   queries) and only without a PgBouncer (through one, whether the kill
//!   reaches the app depends on `pool_mode`);
//! - PgBouncer `idle_transaction_timeout` when above 0: PgBouncer closes a
//!   server connection that has been idle in a transaction that long
//!   (`src/janitor.c`, "idle transaction timeout"), in every pool mode.
//!
//! Warning, not error: the request deadline is a worst-case bound. Only a
//! request that holds its connection idle longer than the limit fails, and
//! whether any does (a call to another service inside a transaction, slow
//! rendering with the session open) depends on code the tool does not see.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::model::{ConnectionPath, DbServer};
use crate::provenance::Sourced;
use crate::rules::{codes, value_label};
use crate::source::SourceMap;
use crate::systems::app::{AppPool, Backend, Framework};
use crate::units::fmt_secs;

/// One idle limit that applies to a connection held by a request.
struct HeldKiller<'a> {
    /// The setting as the user writes it: `wait_timeout`,
    /// `PgBouncer "pgbouncer" idle_transaction_timeout`.
    setting: String,
    /// Its value and provenance.
    value: &'a Sourced<Duration>,
    /// When the held connection is exposed: `idle`, `idle in a transaction`.
    state: &'static str,
    /// What the element does at the limit, for the label.
    action: String,
    /// Why a held connection is in the state the limit measures, as a note.
    note: Option<&'static str>,
    /// What to do besides raising the limit.
    release: &'static str,
}

/// Why a held connection of this app is inside a transaction.
fn in_transaction_why(app: &AppPool) -> &'static str {
    match app.framework {
        Framework::Django => "a Django connection inside atomic() or with ATOMIC_REQUESTS",
        _ => {
            "SQLAlchemy keeps a checked-out connection in a transaction from its first statement until commit or close"
        }
    }
}

fn held_killers<'a>(path: &'a ConnectionPath, app: &AppPool) -> Vec<HeldKiller<'a>> {
    let mut out = Vec::new();
    let commit = "commit or roll back before slow work in a request";
    match (&path.server, app.backend.value) {
        (Some(DbServer::Mysql(m)), Backend::MySql) => out.push(HeldKiller {
            setting: "wait_timeout".to_string(),
            value: &m.wait_timeout,
            state: "idle",
            action: format!(
                "MySQL closes a connection idle for {}, checked out or not",
                fmt_secs(m.wait_timeout.value)
            ),
            note: None,
            release: "return the connection to the pool (close the session) before slow work in a request",
        }),
        (Some(DbServer::Postgres(pg)), Backend::PostgreSql) => {
            let t = &pg.idle_in_transaction_session_timeout;
            if t.value > Duration::ZERO {
                out.push(HeldKiller {
                    setting: "idle_in_transaction_session_timeout".to_string(),
                    value: t,
                    state: "idle in a transaction",
                    action: format!(
                        "PostgreSQL terminates a session idle in a transaction for {}",
                        fmt_secs(t.value)
                    ),
                    note: Some(in_transaction_why(app)),
                    release: commit,
                });
            }
            let s = &pg.idle_session_timeout;
            if app.framework == Framework::Django
                && s.value > Duration::ZERO
                && path.pgbouncers().next().is_none()
            {
                out.push(HeldKiller {
                    setting: "idle_session_timeout".to_string(),
                    value: s,
                    state: "idle between autocommit queries",
                    action: format!(
                        "PostgreSQL terminates a session idle outside a transaction for {}",
                        fmt_secs(s.value)
                    ),
                    note: Some(
                        "Django's autocommit leaves a held connection outside a transaction between queries",
                    ),
                    release: "close the connection (django.db.connection.close()) before slow work in a request",
                });
            }
        }
        _ => {}
    }
    if app.backend.value == Backend::PostgreSql {
        for b in path.pgbouncers() {
            let t = &b.settings.idle_transaction_timeout;
            if t.value > Duration::ZERO {
                out.push(HeldKiller {
                    setting: format!("PgBouncer \"{}\" idle_transaction_timeout", b.name),
                    value: t,
                    state: "idle in a transaction",
                    action: format!(
                        "PgBouncer disconnects a client idle in a transaction for {}",
                        fmt_secs(t.value)
                    ),
                    note: Some(in_transaction_why(app)),
                    release: commit,
                });
            }
        }
    }
    out
}

pub(super) fn check(path: &ConnectionPath, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let (Some(deadline), Some(app)) = (&path.request_timeout, &path.app) else {
        return;
    };
    for k in held_killers(path, app) {
        if deadline.value <= k.value.value {
            continue;
        }
        let t = fmt_secs(k.value.value);
        let name = k.setting.rsplit(' ').next().unwrap_or(&k.setting);
        let mut d = Diagnostic::new(
            codes::REQUEST_TIMEOUT_EXCEEDS_HELD_IDLE_LIMIT,
            format!(
                "{} = {t} ({}) is below request_timeout = {} ({}): a request that holds its connection {} for {t} loses it, and retirement and validation act only at checkout",
                k.setting,
                k.value.origin.brief(sources),
                fmt_secs(deadline.value),
                deadline.origin.brief(sources),
                k.state
            ),
            value_label(&k.value.origin, name, &t, k.action),
        )
        .with_related(Label::maybe(
            deadline.origin.location(),
            "the request deadline: a request may hold a connection this long",
        ));
        if let Some(n) = k.note {
            d = d.with_related(Label::maybe(None, n));
        }
        out.push(d.with_help(format!(
            "raise {name} above the request deadline ({}), or {}",
            fmt_secs(deadline.value),
            k.release
        )));
    }
}
