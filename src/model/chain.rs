//! The chain view: one row per element from app pool to server, for
//! `timeoutlint chain`. Built from the model so renderers never see it.

use std::time::Duration;

use serde::Serialize;

use crate::model::idle::{
    End, IdleKiller, KillerKind, Segment, app_keepalive, driver_name, end_keepalive, first_killer,
    idle_killers, linked_segments, mariadb_keepalive_applies, pgbouncer_retirement, pool_mode,
    segments,
};
use crate::model::{ConnectionPath, DbServer, Hop};
use crate::provenance::Sourced;
use crate::source::{Location, SourceMap};
use crate::systems::pgbouncer::{PoolMode, PoolModeScope};
use crate::systems::sysctl::KernelSettings;
use crate::units::{Retirement, fmt_secs, fmt_secs_long};

/// One row of the chain table.
#[derive(Clone, Debug, Serialize)]
pub struct ChainRow {
    /// Layer: `app pool "default" (SQLAlchemy, PyMySQL)`, `app host kernel`, `hop "sg"`, ...
    pub layer: String,
    /// Setting name.
    pub setting: String,
    /// Effective value with unit.
    pub value: String,
    /// Where it came from: `file:line`, a documented default with its source, the manifest.
    pub source: String,
    /// What it means on this path.
    pub note: String,
    /// True on the element that kills an idle connection first.
    pub first_idle_killer: bool,
    /// Where the value lives (a file, the manifest, a default's anchor), so
    /// a report can tell which paths a finding concerns. Not in the JSON.
    #[serde(skip)]
    pub at: Option<Location>,
}

/// What a [`Mark`] on a segment's timeline is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkKind {
    /// An element that closes or forgets a connection idle this long.
    Killer,
    /// A hop that would kill, but keepalive probes keep its flow busy.
    KeptAlive,
    /// When the client end's keepalive sends its first probe.
    Keepalive,
    /// When the client end retires a connection (pool age, PgBouncer
    /// `server_idle_timeout` / `server_lifetime`).
    Retirement,
}

/// One mark on a segment's timeline, for the pictures (`chain --format
/// mermaid` and `svg`): a limit measured from the moment a connection
/// goes idle (or, for a pool age, opens).
#[derive(Clone, Debug, Serialize)]
pub struct Mark {
    /// What it is.
    pub kind: MarkKind,
    /// Who: `hop "aws nlb" idle_timeout`, `MySQL wait_timeout`,
    /// `app pool_recycle`, `app host keepalive`.
    pub label: String,
    /// The limit; `None` = never (a pool that never retires connections).
    pub at: Option<Duration>,
    /// The value as the table shows it: `350 s (5m50s)`, `never`.
    pub value: String,
    /// Where it came from, as in the table's source column.
    pub source: String,
    /// True on the killer that strikes first.
    pub first: bool,
    /// Where the value lives (as [`ChainRow::at`]), so the language
    /// server's hover can find a row's limits. Not in the JSON.
    #[serde(skip)]
    pub location: Option<Location>,
}

/// The chain of one path.
#[derive(Clone, Debug, Serialize)]
pub struct Chain {
    /// Path name.
    pub name: String,
    /// Rows from app pool to server.
    pub rows: Vec<ChainRow>,
    /// One sentence naming the first idle killer and the retirement.
    pub verdict: String,
    /// The killers, keepalive and retirement of the segment, in the order
    /// of [`idle_killers`] then keepalive then retirement. Not in the JSON
    /// (its rows carry the same values).
    #[serde(skip)]
    pub timeline: Vec<Mark>,
    /// Where the path is declared (the manifest entry), when anywhere.
    #[serde(skip)]
    pub declared_at: Option<Location>,
}

fn row<T>(
    layer: &str,
    setting: &str,
    value: String,
    v: &Sourced<T>,
    note: impl Into<String>,
    sources: &SourceMap,
) -> ChainRow {
    ChainRow {
        layer: layer.to_string(),
        setting: setting.to_string(),
        value,
        source: v.origin.describe(sources),
        note: note.into(),
        first_idle_killer: false,
        at: v.origin.location(),
    }
}

fn opt_secs(v: Option<Duration>, none: &str) -> String {
    v.map(fmt_secs).unwrap_or_else(|| none.to_string())
}

/// Per-socket keepalive options of a driver (libpq `keepalives_idle`,
/// `keepalives_interval`, `keepalives_count`) that replace the host's
/// sysctls for its sockets (`tcp(7)`); `None` where the sysctl applies.
#[derive(Clone, Copy, Default)]
struct SocketKeepalive {
    idle: Option<Duration>,
    interval: Option<Duration>,
    count: Option<u64>,
}

fn app_socket_keepalive(app: &crate::systems::app::AppPool) -> SocketKeepalive {
    let libpq = app
        .pg
        .as_ref()
        .and_then(|p| p.libpq.as_ref())
        .filter(|_| app.so_keepalive() == Some(true));
    match libpq {
        Some(l) => SocketKeepalive {
            idle: l.keepalives_idle.value.filter(|d| !d.is_zero()),
            interval: l.keepalives_interval.value.filter(|d| !d.is_zero()),
            count: l.keepalives_count.value.filter(|n| *n > 0),
        },
        None => SocketKeepalive::default(),
    }
}

fn kernel_rows(
    layer: &str,
    k: &KernelSettings,
    keepalive_note: &str,
    socket: SocketKeepalive,
    sources: &SourceMap,
    out: &mut Vec<ChainRow>,
) {
    out.push(row(
        layer,
        "net.ipv4.tcp_keepalive_time",
        fmt_secs_long(k.tcp_keepalive_time.value),
        &k.tcp_keepalive_time,
        keepalive_note,
        sources,
    ));
    out.push(row(
        layer,
        "net.ipv4.tcp_keepalive_intvl",
        fmt_secs(k.tcp_keepalive_intvl.value),
        &k.tcp_keepalive_intvl,
        socket
            .interval
            .map(|d| {
                format!(
                    "not used: the driver sets keepalives_interval = {}",
                    fmt_secs(d)
                )
            })
            .unwrap_or_default(),
        sources,
    ));
    let idle = socket.idle.unwrap_or(k.tcp_keepalive_time.value);
    let interval = socket.interval.unwrap_or(k.tcp_keepalive_intvl.value);
    let count = socket
        .count
        .unwrap_or(u64::from(k.tcp_keepalive_probes.value));
    let detect = idle + interval * u32::try_from(count).unwrap_or(u32::MAX);
    let mut note = format!("dead peer detected after {}", fmt_secs_long(detect));
    if let Some(n) = socket.count {
        note = format!("not used: the driver sets keepalives_count = {n}; {note}");
    }
    out.push(row(
        layer,
        "net.ipv4.tcp_keepalive_probes",
        k.tcp_keepalive_probes.value.to_string(),
        &k.tcp_keepalive_probes,
        note,
        sources,
    ));
}

/// Builds the chain views of `path`: one per segment (two when a PgBouncer
/// splits the path).
pub fn chains(path: &ConnectionPath, sources: &SourceMap) -> Vec<Chain> {
    let segs = segments(path);
    let many = segs.len() > 1;
    segs.iter()
        .map(|seg| {
            let name = if many {
                format!("{} ({})", path.name, seg.label())
            } else {
                path.name.clone()
            };
            segment_chain(path, seg, name, sources)
        })
        .collect()
}

fn segment_chain(
    path: &ConnectionPath,
    seg: &Segment<'_>,
    name: String,
    sources: &SourceMap,
) -> Chain {
    let mut rows = Vec::new();
    let killers = idle_killers(path, seg);
    let first = first_killer(&killers).map(|k| k.kind);
    match seg.client {
        End::App(app) => {
            app_rows(app, sources, &mut rows);
            let note = match (app_keepalive(path), app.keepalive_idle()) {
                (Some(true), Some(idle)) => format!(
                    "not used: the driver sets keepalives_idle = {} ({})",
                    fmt_secs(idle.value),
                    idle.origin.describe(sources)
                ),
                (Some(true), None) => format!(
                    "driver enables SO_KEEPALIVE: first probe after {} idle",
                    fmt_secs(path.app_kernel.tcp_keepalive_time.value)
                ),
                (Some(false), _) => "unused: the driver never enables SO_KEEPALIVE".to_string(),
                (None, _) => "driver not known to enable SO_KEEPALIVE".to_string(),
            };
            kernel_rows(
                "app host kernel",
                &path.app_kernel,
                &note,
                app_socket_keepalive(app),
                sources,
                &mut rows,
            );
        }
        End::PgBouncer(b) => pgbouncer_pool_rows(path, b, sources, &mut rows),
        End::Missing => kernel_rows(
            "app host kernel",
            &path.app_kernel,
            "",
            SocketKeepalive::default(),
            sources,
            &mut rows,
        ),
        End::Server(_) => {}
    }
    for k in &killers {
        let KillerKind::Hop(h) = k.kind else { continue };
        let Hop::Network(hop) = &path.hops[h] else {
            continue;
        };
        let mut note = format!(
            "{} when idle; keepalive {}",
            hop.on_idle.value.as_str(),
            if hop.keepalive_resets.value {
                "counts as activity"
            } else {
                "does not count"
            }
        );
        match &k.kept_alive {
            Some(ka) => note.push_str(&format!(
                "; kept open by {} keepalive ({} < {})",
                ka.who,
                fmt_secs(ka.keepalive_time.value),
                fmt_secs(k.timeout.value)
            )),
            None => note.push_str("; kills idle connections"),
        }
        let mut r = row(
            &format!("hop \"{}\"", hop.name),
            "idle_timeout",
            fmt_secs_long(k.timeout.value),
            &k.timeout,
            note,
            sources,
        );
        r.first_idle_killer = first == Some(k.kind);
        rows.push(r);
    }
    match seg.server {
        End::PgBouncer(b) => {
            let layer = format!("PgBouncer \"{}\" (client side)", b.name);
            let s = &b.settings;
            let mut r = row(
                &layer,
                "client_idle_timeout",
                off_or_secs(s.client_idle_timeout.value),
                &s.client_idle_timeout,
                "closes app connections idle this long",
                sources,
            );
            r.first_idle_killer = first == Some(KillerKind::PgBouncerClientIdle);
            rows.push(r);
            let mode = pool_mode(path, b);
            let note = match (mode.mode.value, &mode.scope) {
                (PoolMode::Session, _) => {
                    "each app connection holds one server connection until it disconnects: the server's idle limits reach the app".to_string()
                }
                (m, _) => format!(
                    "server connections go back to the pool after each {}: PgBouncer replaces one the server closed",
                    if m == PoolMode::Transaction { "transaction" } else { "statement" }
                ),
            };
            let setting = match &mode.scope {
                PoolModeScope::Global => "pool_mode".to_string(),
                PoolModeScope::Database(d) => format!("pool_mode ([databases] {d})"),
                PoolModeScope::User(u) => format!("pool_mode ([users] {u})"),
            };
            rows.push(row(
                &layer,
                &setting,
                mode.mode.value.as_str().to_string(),
                &mode.mode,
                note,
                sources,
            ));
            rows.push(row(
                &layer,
                "tcp_keepalive",
                s.tcp_keepalive.value.to_string(),
                &s.tcp_keepalive,
                "SO_KEEPALIVE on every socket",
                sources,
            ));
            rows.push(row(
                &layer,
                "tcp_keepidle",
                off_or_secs(s.tcp_keepidle.value),
                &s.tcp_keepidle,
                keepidle_note(path, seg.server, sources),
                sources,
            ));
            rows.push(row(
                &layer,
                "query_timeout",
                off_or_secs(s.query_timeout.value),
                &s.query_timeout,
                "",
                sources,
            ));
            rows.push(row(
                &layer,
                "max_client_conn",
                s.max_client_conn.value.to_string(),
                &s.max_client_conn,
                "",
                sources,
            ));
        }
        End::Server(DbServer::Mysql(server)) => {
            let own = mariadb_keepalive_applies(server);
            kernel_rows(
                "db host kernel",
                &path.db_kernel,
                if own {
                    "unused for the idle time: the server's tcp_keepalive_time applies"
                } else {
                    "MySQL server enables SO_KEEPALIVE"
                },
                SocketKeepalive::default(),
                sources,
                &mut rows,
            );
            let s = "MySQL server";
            let mut w = row(
                s,
                "wait_timeout",
                fmt_secs_long(server.wait_timeout.value),
                &server.wait_timeout,
                "closes connections idle between commands",
                sources,
            );
            w.first_idle_killer = first == Some(KillerKind::MysqlWaitTimeout);
            rows.push(w);
            rows.push(row(
                s,
                "interactive_timeout",
                fmt_secs_long(server.interactive_timeout.value),
                &server.interactive_timeout,
                "not applied: Python drivers never set CLIENT_INTERACTIVE",
                sources,
            ));
            rows.push(row(
                s,
                "net_read_timeout",
                fmt_secs(server.net_read_timeout.value),
                &server.net_read_timeout,
                "mid-command reads",
                sources,
            ));
            rows.push(row(
                s,
                "net_write_timeout",
                fmt_secs(server.net_write_timeout.value),
                &server.net_write_timeout,
                "mid-result writes",
                sources,
            ));
            rows.push(row(
                s,
                "connect_timeout",
                fmt_secs(server.connect_timeout.value),
                &server.connect_timeout,
                "handshake",
                sources,
            ));
            rows.push(row(
                s,
                "max_connections",
                server.max_connections.value.to_string(),
                &server.max_connections,
                "",
                sources,
            ));
            if server.tcp_keepalive_time.origin.is_explicit() {
                let note = match &server.product {
                    _ if server.tcp_keepalive_time.value.is_zero() => {
                        "0 = the db host's net.ipv4.tcp_keepalive_time"
                    }
                    _ if !own => "ignored: MySQL has no such variable (MariaDB 10.3.3+ only)",
                    Some(_) => "MariaDB's own keepalive idle time on client sockets",
                    None => {
                        "MariaDB's own keepalive idle time (MariaDB 10.3.3+ only; the product \
                         is not known, so it is taken as MariaDB)"
                    }
                };
                rows.push(row(
                    s,
                    "tcp_keepalive_time",
                    off_or_secs(server.tcp_keepalive_time.value),
                    &server.tcp_keepalive_time,
                    note,
                    sources,
                ));
            }
        }
        End::Server(DbServer::Postgres(pg)) => {
            kernel_rows(
                "db host kernel",
                &path.db_kernel,
                "used when tcp_keepalives_idle = 0",
                SocketKeepalive::default(),
                sources,
                &mut rows,
            );
            let s = "PostgreSQL server";
            let mut w = row(
                s,
                "idle_session_timeout",
                off_or_ms(pg.idle_session_timeout.value),
                &pg.idle_session_timeout,
                "closes sessions idle outside a transaction",
                sources,
            );
            w.first_idle_killer = first == Some(KillerKind::PostgresIdleSession);
            rows.push(w);
            rows.push(row(
                s,
                "idle_in_transaction_session_timeout",
                off_or_ms(pg.idle_in_transaction_session_timeout.value),
                &pg.idle_in_transaction_session_timeout,
                "sessions idle inside a transaction",
                sources,
            ));
            rows.push(row(
                s,
                "statement_timeout",
                off_or_ms(pg.statement_timeout.value),
                &pg.statement_timeout,
                "",
                sources,
            ));
            rows.push(row(
                s,
                "lock_timeout",
                off_or_ms(pg.lock_timeout.value),
                &pg.lock_timeout,
                "",
                sources,
            ));
            rows.push(row(
                s,
                "tcp_keepalives_idle",
                off_or_secs(pg.tcp_keepalives_idle.value),
                &pg.tcp_keepalives_idle,
                keepidle_note(path, seg.server, sources),
                sources,
            ));
            rows.push(row(
                s,
                "tcp_user_timeout",
                off_or_ms(pg.tcp_user_timeout.value),
                &pg.tcp_user_timeout,
                "",
                sources,
            ));
            rows.push(row(
                s,
                "max_connections",
                pg.max_connections.value.to_string(),
                &pg.max_connections,
                "",
                sources,
            ));
        }
        End::App(_) | End::Missing => {}
    }
    let verdict = verdict(path, seg, &killers, sources);
    let timeline = timeline(path, seg, &killers, sources);
    Chain {
        name,
        rows,
        verdict,
        timeline,
        declared_at: path.location,
    }
}

/// The marks of a segment's timeline: each idle killer (the first one
/// marked, those kept open by keepalive as such), the client end's
/// keepalive when a hop is on the segment and it is on, and the client
/// end's retirement.
fn timeline(
    path: &ConnectionPath,
    seg: &Segment<'_>,
    killers: &[IdleKiller],
    sources: &SourceMap,
) -> Vec<Mark> {
    let first = first_killer(killers).map(|k| k.kind);
    let mut out: Vec<Mark> = killers
        .iter()
        .map(|k| {
            let label = match k.kind {
                KillerKind::Hop(_) => format!("{} idle_timeout", k.label),
                _ => k.label.clone(),
            };
            Mark {
                kind: if k.is_effective() {
                    MarkKind::Killer
                } else {
                    MarkKind::KeptAlive
                },
                label,
                at: Some(k.timeout.value),
                value: fmt_secs_long(k.timeout.value),
                source: k.timeout.origin.describe(sources),
                first: first == Some(k.kind),
                location: k.timeout.origin.location(),
            }
        })
        .collect();
    if !seg.hops.is_empty()
        && let Some(ka) = end_keepalive(path, seg.client)
        && ka.enabled == Some(true)
    {
        out.push(Mark {
            kind: MarkKind::Keepalive,
            label: format!("{} keepalive ({})", ka.who, ka.setting),
            at: Some(ka.idle.value),
            value: fmt_secs_long(ka.idle.value),
            source: ka.idle.origin.describe(sources),
            first: false,
            location: ka.idle.origin.location(),
        });
    }
    let retire = match seg.client {
        End::App(app) => app.effective_retirement().map(|r| {
            let who = format!("app {}", app.framework.retirement_key());
            (r, who)
        }),
        End::PgBouncer(b) => {
            let r = pgbouncer_retirement(b);
            Some((r.value, format!("PgBouncer \"{}\" {}", b.name, r.setting)))
        }
        _ => None,
    };
    if let Some((r, label)) = retire {
        let (at, value) = match r.value {
            Retirement::Never => (None, "never".to_string()),
            Retirement::After(d) => (Some(d), fmt_secs_long(d)),
        };
        out.push(Mark {
            kind: MarkKind::Retirement,
            label,
            at,
            value,
            source: r.origin.describe(sources),
            first: false,
            location: r.origin.location(),
        });
    }
    out
}

fn off_or_secs(d: Duration) -> String {
    if d.is_zero() {
        "0 (off)".to_string()
    } else {
        fmt_secs_long(d)
    }
}

fn off_or_ms(d: Duration) -> String {
    if d.is_zero() {
        "0 (off)".to_string()
    } else if d.subsec_millis() != 0 || d.as_secs() == 0 {
        format!("{} ms", d.as_millis())
    } else {
        fmt_secs_long(d)
    }
}

fn app_rows(app: &crate::systems::app::AppPool, sources: &SourceMap, rows: &mut Vec<ChainRow>) {
    let fw = app.framework.display_name();
    let layer = format!(
        "app pool \"{}\" ({fw}, {})",
        app.name,
        driver_name(&app.driver.value)
    );
    let (rname, vname) = (
        app.framework.retirement_key(),
        app.framework.validation_key(),
    );
    let (value, note) = match app.retirement.value {
        Retirement::Never => ("never".to_string(), "connections are never retired by age"),
        Retirement::After(d) if d.is_zero() => (
            "0 s".to_string(),
            "not reused: a new connection per request/checkout",
        ),
        Retirement::After(d) => (fmt_secs_long(d), "retired at checkout once older than this"),
    };
    rows.push(row(&layer, rname, value, &app.retirement, note, sources));
    rows.push(row(
        &layer,
        vname,
        app.validation.value.to_string(),
        &app.validation,
        if app.validation.value {
            "validates on checkout"
        } else {
            "off: a dead connection is found by the first query on it"
        },
        sources,
    ));
    if let Some(idle) = app.keepalive_idle() {
        rows.push(row(
            &layer,
            "keepalives_idle",
            fmt_secs(idle.value),
            &idle,
            "first keepalive probe after this idle time (replaces net.ipv4.tcp_keepalive_time)",
            sources,
        ));
    }
    rows.push(row(
        &layer,
        "connect_timeout",
        opt_secs(app.connect_timeout.value, "driver default"),
        &app.connect_timeout,
        "",
        sources,
    ));
    rows.push(row(
        &layer,
        "read_timeout",
        opt_secs(app.read_timeout.value, "none (waits forever)"),
        &app.read_timeout,
        "bounds a read on a dead connection",
        sources,
    ));
    rows.push(row(
        &layer,
        "write_timeout",
        opt_secs(app.write_timeout.value, "none (waits forever)"),
        &app.write_timeout,
        "",
        sources,
    ));
}

fn pgbouncer_pool_rows(
    path: &ConnectionPath,
    b: &crate::model::PgBouncerHop,
    sources: &SourceMap,
    rows: &mut Vec<ChainRow>,
) {
    let layer = format!("PgBouncer \"{}\" (server pool)", b.name);
    let s = &b.settings;
    let retire = pgbouncer_retirement(b);
    let note = |setting: &str| {
        if retire.setting == setting {
            "closes pooled server connections first"
        } else {
            ""
        }
    };
    rows.push(row(
        &layer,
        "server_idle_timeout",
        off_or_secs(s.server_idle_timeout.value),
        &s.server_idle_timeout,
        note("server_idle_timeout"),
        sources,
    ));
    rows.push(row(
        &layer,
        "server_lifetime",
        off_or_secs(s.server_lifetime.value),
        &s.server_lifetime,
        note("server_lifetime"),
        sources,
    ));
    rows.push(row(
        &layer,
        "default_pool_size",
        s.default_pool_size.value.to_string(),
        &s.default_pool_size,
        "per user/database pair",
        sources,
    ));
    rows.push(row(
        &layer,
        "tcp_keepidle",
        off_or_secs(s.tcp_keepidle.value),
        &s.tcp_keepidle,
        keepidle_note(path, End::PgBouncer(b), sources),
        sources,
    ));
}

/// The note of a keepalive idle setting (PgBouncer `tcp_keepidle`,
/// PostgreSQL `tcp_keepalives_idle`): the effective first-probe time of
/// that end ([`end_keepalive`]), with where it comes from when it is the
/// host's sysctl or its default.
fn keepidle_note(path: &ConnectionPath, end: End<'_>, sources: &SourceMap) -> String {
    let Some(ka) = end_keepalive(path, end) else {
        return String::new();
    };
    if ka.enabled != Some(true) {
        return "unused: SO_KEEPALIVE is off".to_string();
    }
    if ka.setting == "net.ipv4.tcp_keepalive_time" {
        format!(
            "0: the host's net.ipv4.tcp_keepalive_time applies, first probe after {} ({})",
            fmt_secs(ka.idle.value),
            ka.idle.origin.brief(sources)
        )
    } else {
        format!(
            "first keepalive probe after {} idle",
            fmt_secs(ka.idle.value)
        )
    }
}

fn verdict(
    path: &ConnectionPath,
    seg: &Segment<'_>,
    killers: &[IdleKiller],
    sources: &SourceMap,
) -> String {
    // In session mode the app's connection also meets the killers behind
    // the PgBouncer (linked_segments).
    let segs = segments(path);
    let mut linked: Vec<IdleKiller> = Vec::new();
    if let End::App(_) = seg.client {
        for (j, _, _) in linked_segments(path, &segs, seg.index) {
            linked.extend(idle_killers(path, &segs[j]));
        }
    }
    let own = first_killer(killers);
    let behind = first_killer(&linked);
    let k = match (own, behind) {
        (Some(a), Some(b)) if b.timeout.value < a.timeout.value => b,
        (Some(a), _) => a,
        (None, Some(b)) => b,
        (None, None) => {
            return "nothing on this segment kills idle connections".to_string();
        }
    };
    let through = if behind.is_some_and(|b| std::ptr::eq(b, k)) {
        " (behind PgBouncer in session mode)"
    } else {
        ""
    };
    let mut s = format!(
        "an idle connection is killed first by {}{through} after {} ({})",
        k.label,
        fmt_secs_long(k.timeout.value),
        k.timeout.origin.describe(sources)
    );
    let retire = match seg.client {
        End::App(app) => app
            .effective_retirement()
            .map(|r| (r.value, "the app retires connections")),
        End::PgBouncer(b) => Some((
            pgbouncer_retirement(b).value.value,
            "PgBouncer closes pooled server connections",
        )),
        _ => None,
    };
    if let Some((r, who)) = retire {
        let ok = matches!(r, Retirement::After(d) if d < k.timeout.value);
        let when = match r {
            Retirement::Never => "never".to_string(),
            Retirement::After(d) => format!("after {}", fmt_secs(d)),
        };
        s.push_str(&format!(
            "; {who} {when}{}",
            if ok { ", before that" } else { ", too late" }
        ));
    }
    let _ = path;
    s
}
