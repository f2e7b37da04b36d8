//! Time budgets for active work.
//!
//! - TL124 statement-limit-below-max-statement-time: a limit that ends a
//!   running statement (asyncpg `command_timeout`, PyMySQL/mysqlclient
//!   `read_timeout`, PostgreSQL `statement_timeout`, PgBouncer
//!   `query_timeout`) below the path's `max_statement_time` kills
//!   legitimate work (founding incident 3: 60 s against 535 s). So does a
//!   hop that ends a flow after N seconds without data (HAProxy `timeout
//!   server` / `client` or `tunnel`, nginx stream `proxy_timeout`, Envoy and
//!   Istio idle timeouts, an ALB; a NAT, load balancer or firewall unless
//!   keepalive refreshes it): a statement that returns nothing for N seconds
//!   is cut. Server idle limits (`wait_timeout`, `idle_session_timeout`,
//!   PgBouncer `client_idle_timeout`) measure time between commands and never
//!   fire while a statement runs, so they are not compared.
//! - TL125 database-wait-exceeds-request-timeout: pool wait (+ connect + the
//!   statement limit) at or above `request_timeout`.
//! - TL126 silent-drop-without-read-timeout (heuristic): a silently dropping
//!   hop and no read timeout: a query on a forgotten flow is retransmitted
//!   until `tcp_retries2` gives up (about 924.6 s with 15; `tcp(7)`,
//!   ip-sysctl.rst).

use std::time::Duration;

use crate::diagnostic::{Diagnostic, Label};
use crate::model::OnIdle;
use crate::model::idle::{KillerKind, idle_killers, segments};
use crate::model::{ConnectionPath, Hop};
use crate::provenance::Sourced;
use crate::rules::codes;
use crate::rules::retirement::caveat_label;
use crate::source::SourceMap;
use crate::systems::app::{AppPool, Backend, Driver};
use crate::units::fmt_secs;

/// A limit that ends a running statement, with its name.
struct StatementLimit {
    name: String,
    value: Sourced<Duration>,
}

fn statement_limits(path: &ConnectionPath) -> Vec<StatementLimit> {
    let mut out = Vec::new();
    if let Some(app) = &path.app {
        if let Some(d) = app.read_timeout.value
            && app.backend.value == Backend::MySql
        {
            out.push(StatementLimit {
                name: "read_timeout".to_string(),
                value: Sourced::new(d, app.read_timeout.origin.clone()),
            });
        }
        if let Some(a) = app.pg.as_ref().and_then(|p| p.asyncpg.as_ref())
            && let Some(d) = a.command_timeout.value
        {
            out.push(StatementLimit {
                name: "asyncpg command_timeout".to_string(),
                value: Sourced::new(d, a.command_timeout.origin.clone()),
            });
        }
    }
    for b in path.pgbouncers() {
        let q = &b.settings.query_timeout;
        if q.value > Duration::ZERO {
            out.push(StatementLimit {
                name: format!("PgBouncer \"{}\" query_timeout", b.name),
                value: q.clone(),
            });
        }
    }
    if let Some(pg) = path.postgres()
        && pg.statement_timeout.value > Duration::ZERO
    {
        out.push(StatementLimit {
            name: "statement_timeout".to_string(),
            value: pg.statement_timeout.clone(),
        });
    }
    out
}

pub(super) fn check(path: &ConnectionPath, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let limits = statement_limits(path);
    if let Some(max) = &path.max_statement_time {
        for l in limits.iter().filter(|l| l.value.value < max.value) {
            out.push(
                Diagnostic::new(
                    codes::STATEMENT_LIMIT_BELOW_MAX_STATEMENT_TIME,
                    format!(
                        "{} = {} ({}) ends statements before the longest expected one, max_statement_time = {}",
                        l.name,
                        fmt_secs(l.value.value),
                        l.value.origin.brief(sources),
                        fmt_secs(max.value)
                    ),
                    Label::maybe(l.value.origin.location(), "kills legitimate work"),
                )
                .with_related(Label::maybe(max.origin.location(), "the longest statement the app runs"))
                .with_help(format!(
                    "raise {} above {}, or run the long work outside this path (a job queue with its own connection)",
                    l.name,
                    fmt_secs(max.value)
                )),
            );
        }
        silence_cuts(path, max, sources, out);
    }
    if let Some(deadline) = &path.request_timeout {
        request_budget(path, deadline, &limits, sources, out);
    }
    silent_drop(path, sources, out);
}

/// TL124 for the hops of every segment: a hop whose idle timeout is not
/// above `max_statement_time` ends the flow while a statement that sends
/// nothing runs. A hop kept open by keepalive ([`idle_killers`]: probes go
/// out on a socket without data, a running statement's included) and a
/// device that measures idleness between requests (RDS Proxy) are skipped.
fn silence_cuts(
    path: &ConnectionPath,
    max: &Sourced<Duration>,
    sources: &SourceMap,
    out: &mut Vec<Diagnostic>,
) {
    for seg in segments(path) {
        for k in idle_killers(path, &seg) {
            let KillerKind::Hop(i) = k.kind else {
                continue;
            };
            let Hop::Network(hop) = &path.hops[i] else {
                continue;
            };
            if !k.is_effective() || hop.idle_between_requests || k.timeout.value > max.value {
                continue;
            }
            let t = fmt_secs(k.timeout.value);
            let help = if hop.keepalive_resets.value {
                format!(
                    "raise the idle timeout of {} above {}, or keep the flow alive: a keepalive idle time below {t} on an end that enables SO_KEEPALIVE refreshes the hop while a statement runs",
                    k.label,
                    fmt_secs(max.value)
                )
            } else {
                format!(
                    "raise the idle timeout of {} above {} (it counts data, not keepalive probes), or run the long work outside this path (a job queue with its own connection)",
                    k.label,
                    fmt_secs(max.value)
                )
            };
            let mut d = Diagnostic::new(
                codes::STATEMENT_LIMIT_BELOW_MAX_STATEMENT_TIME,
                format!(
                    "the idle timeout of {} = {t} ({}) is not above max_statement_time = {}: a statement that returns no data for {t} is cut",
                    k.label,
                    k.timeout.origin.brief(sources),
                    fmt_secs(max.value)
                ),
                Label::maybe(
                    k.timeout.origin.location(),
                    format!("{} ends a flow after {t} without data, even while a statement runs", k.label),
                ),
            )
            .with_related(Label::maybe(max.origin.location(), "the longest statement the app runs"));
            if let Some(l) = caveat_label(path, k.kind) {
                d = d.with_related(l);
            }
            out.push(d.with_help(help));
        }
    }
}

fn request_budget(
    path: &ConnectionPath,
    deadline: &Sourced<Duration>,
    limits: &[StatementLimit],
    sources: &SourceMap,
    out: &mut Vec<Diagnostic>,
) {
    let Some(app) = &path.app else { return };
    let wait = app
        .django_pool
        .as_ref()
        .map(|p| p.timeout.clone())
        .or_else(|| app.pool_timeout.clone());
    let Some(wait) = wait else { return };
    let connect = app
        .pg
        .as_ref()
        .and_then(|p| p.connect_timeout())
        .unwrap_or_else(|| app.connect_timeout.clone());
    let statement = limits.iter().min_by_key(|l| l.value.value);
    let d = |what: String, total: Duration| {
        Diagnostic::new(
            codes::DATABASE_WAIT_EXCEEDS_REQUEST_TIMEOUT,
            format!(
                "{what} is not below request_timeout = {} ({}): the worker is killed before the database error surfaces",
                fmt_secs(deadline.value),
                deadline.origin.brief(sources)
            ),
            Label::maybe(wait.origin.location(), format!("pool wait {}", fmt_secs(wait.value))),
        )
        .with_related(Label::maybe(deadline.origin.location(), "the request deadline"))
        .with_help(format!(
            "keep the database wait below the deadline ({} now): lower pool_timeout, connect_timeout or the statement limit",
            fmt_secs(total)
        ))
    };
    if wait.value >= deadline.value {
        out.push(d(
            format!("pool_timeout = {}", fmt_secs(wait.value)),
            wait.value,
        ));
        return;
    }
    if let (Some(c), Some(s)) = (connect.value, statement) {
        let total = wait.value + c + s.value.value;
        if total >= deadline.value {
            out.push(
                d(
                    format!(
                        "pool_timeout {} + connect_timeout {} + {} {} = {}",
                        fmt_secs(wait.value),
                        fmt_secs(c),
                        s.name,
                        fmt_secs(s.value.value),
                        fmt_secs(total)
                    ),
                    total,
                )
                .with_related(Label::maybe(s.value.origin.location(), s.name.clone())),
            );
        }
    }
}

/// The connection's bound on a read that gets no answer, with the setting's
/// name: PyMySQL / mysqlclient (and the other MySQL drivers) `read_timeout`,
/// asyncpg `command_timeout` (the default timeout of every operation,
/// `asyncpg/connection.py`), libpq `tcp_user_timeout` (psycopg2, psycopg 3:
/// TCP_USER_TIMEOUT bounds unacknowledged data, `tcp(7)`; 0 = none).
/// `None` when the connection has none: a request sent on a flow a hop
/// dropped silently is then retransmitted until `tcp_retries2` gives up.
pub(crate) fn read_bound(app: &AppPool) -> (&'static str, Option<Sourced<Duration>>) {
    let pg = app.pg.as_ref();
    match &app.driver.value {
        Driver::Asyncpg => (
            "command_timeout",
            pg.and_then(|p| p.asyncpg.as_ref()).and_then(|a| {
                a.command_timeout
                    .value
                    .map(|d| Sourced::new(d, a.command_timeout.origin.clone()))
            }),
        ),
        Driver::Psycopg | Driver::Psycopg2 => (
            "tcp_user_timeout",
            pg.and_then(|p| p.libpq.as_ref()).and_then(|l| {
                l.tcp_user_timeout
                    .value
                    .filter(|d| !d.is_zero())
                    .map(|d| Sourced::new(d, l.tcp_user_timeout.origin.clone()))
            }),
        ),
        _ => (
            "read_timeout",
            app.read_timeout
                .value
                .map(|d| Sourced::new(d, app.read_timeout.origin.clone())),
        ),
    }
}

/// TCP gives up on unacknowledged data after `tcp_retries2` retransmissions,
/// the RTO doubling from 200 ms up to 120 s: 924.6 s for 15 (ip-sysctl.rst).
pub(crate) fn retransmission_give_up(retries2: u32) -> Duration {
    let mut total = 0.0;
    let mut rto = 0.2_f64;
    for _ in 0..=retries2.min(64) {
        total += rto.min(120.0);
        rto *= 2.0;
    }
    Duration::from_secs_f64(total)
}

fn silent_drop(path: &ConnectionPath, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let Some(app) = &path.app else { return };
    let Some(seg) = segments(path).into_iter().next() else {
        return;
    };
    let dropping = idle_killers(path, &seg).into_iter().find(|k| {
        k.is_effective()
            && matches!(k.kind, KillerKind::Hop(i) if matches!(&path.hops[i], Hop::Network(h) if h.on_idle.value == OnIdle::Drop))
    });
    let Some(hop) = dropping else { return };
    let (guard, bound) = read_bound(app);
    if bound.is_some() {
        return;
    }
    let retries = &path.app_kernel.tcp_retries2;
    let hang = retransmission_give_up(retries.value);
    out.push(
        Diagnostic::new(
            codes::SILENT_DROP_WITHOUT_READ_TIMEOUT,
            format!(
                "heuristic: {} drops idle flows silently and the pool has no {guard}: a query on a dropped flow can hang about {} until TCP gives up (tcp_retries2 = {}, {})",
                hop.label,
                fmt_secs(Duration::from_secs(hang.as_secs())),
                retries.value,
                retries.origin.brief(sources)
            ),
            Label::maybe(app.anchor.into(), format!("pool \"{}\" has no {guard}", app.name)),
        )
        .with_related(Label::maybe(hop.timeout.origin.location(), format!("{} silently drops flows idle for {}", hop.label, fmt_secs(hop.timeout.value))))
        .with_help(format!(
            "set {guard} (bounded by the longest statement), or keep the flow alive with keepalive below {}{}",
            fmt_secs(hop.timeout.value),
            if app.validation.value {
                format!(
                    "; {} does not help: its checkout ping hangs the same way",
                    app.framework.validation_key()
                )
            } else {
                String::new()
            }
        )),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_gives_up_after_924_6_s_with_15_retries() {
        assert_eq!(retransmission_give_up(15).as_millis(), 924_600);
        assert_eq!(retransmission_give_up(8).as_millis(), 102_200);
    }
}
