//! The chain view: one row per element from app pool to server, for
//! `timeoutlint chain`. Built from the model so renderers never see it.

use std::time::Duration;

use serde::Serialize;

use crate::model::ConnectionPath;
use crate::model::idle::{
    KeepaliveEnd, KillerKind, app_keepalive, driver_name, first_killer, idle_killers,
};
use crate::provenance::Sourced;
use crate::source::SourceMap;
use crate::systems::app::Framework;
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
    }
}

fn opt_secs(v: Option<Duration>, none: &str) -> String {
    v.map(fmt_secs).unwrap_or_else(|| none.to_string())
}

fn kernel_rows(
    layer: &str,
    k: &KernelSettings,
    keepalive_note: &str,
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
        "",
        sources,
    ));
    let detect =
        k.tcp_keepalive_time.value + k.tcp_keepalive_intvl.value * k.tcp_keepalive_probes.value;
    out.push(row(
        layer,
        "net.ipv4.tcp_keepalive_probes",
        k.tcp_keepalive_probes.value.to_string(),
        &k.tcp_keepalive_probes,
        format!("dead peer detected after {}", fmt_secs_long(detect)),
        sources,
    ));
}

/// Builds the chain view of `path`.
pub fn chain(path: &ConnectionPath, sources: &SourceMap) -> Chain {
    let mut rows = Vec::new();
    let killers = idle_killers(path);
    let first = first_killer(&killers).map(|k| k.kind);
    if let Some(app) = &path.app {
        let fw = match app.framework {
            Framework::SqlAlchemy => "SQLAlchemy",
            Framework::FlaskSqlAlchemy => "Flask-SQLAlchemy",
            Framework::Django => "Django",
        };
        let layer = format!(
            "app pool \"{}\" ({fw}, {})",
            app.name,
            driver_name(&app.driver.value)
        );
        let (rname, vname) = match app.framework {
            Framework::Django => ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS"),
            _ => ("pool_recycle", "pool_pre_ping"),
        };
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
            "validates on checkout",
            sources,
        ));
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
    let app_note = match app_keepalive(path) {
        Some(true) => "driver enables SO_KEEPALIVE",
        Some(false) => "unused: the driver never enables SO_KEEPALIVE",
        None if path.app.is_some() => "driver not known to enable SO_KEEPALIVE",
        None => "",
    };
    kernel_rows(
        "app host kernel",
        &path.app_kernel,
        app_note,
        sources,
        &mut rows,
    );
    for k in &killers {
        let KillerKind::Hop(h) = k.kind else { continue };
        let hop = &path.hops[h];
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
                match ka.end {
                    KeepaliveEnd::App => "app host",
                    KeepaliveEnd::Server => "database host",
                },
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
    if let Some(server) = &path.server {
        kernel_rows(
            "db host kernel",
            &path.db_kernel,
            "MySQL server enables SO_KEEPALIVE",
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
        w.first_idle_killer = first == Some(KillerKind::Server);
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
    }
    let verdict = verdict(path, &killers, sources);
    Chain {
        name: path.name.clone(),
        rows,
        verdict,
    }
}

fn verdict(
    path: &ConnectionPath,
    killers: &[crate::model::idle::IdleKiller],
    sources: &SourceMap,
) -> String {
    let Some(k) = first_killer(killers) else {
        return "nothing on this path kills idle connections".to_string();
    };
    let mut s = format!(
        "an idle connection is killed first by {} after {} ({})",
        k.label,
        fmt_secs_long(k.timeout.value),
        k.timeout.origin.describe(sources)
    );
    if let Some(app) = &path.app {
        let retire = match app.retirement.value {
            Retirement::Never => "never".to_string(),
            Retirement::After(d) => fmt_secs(d),
        };
        let ok = matches!(app.retirement.value, Retirement::After(d) if d < k.timeout.value);
        s.push_str(&format!(
            "; the app retires connections {}{}",
            if retire == "never" {
                "never".to_string()
            } else {
                format!("after {retire}")
            },
            if ok { ", before that" } else { ", too late" }
        ));
    }
    s
}
