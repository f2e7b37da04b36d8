//! TL106 wait-timeout-exceeds-dropping-hop.
//!
//! A hop that silently drops an idle flow never forwards the client's later
//! FIN or RST, so the server keeps the session, counted against
//! `max_connections`, until its own `wait_timeout` (DOMAIN.md section 1.1) or
//! its keepalive detection (`tcp_keepalive_time + intvl × probes`, 7875 s by
//! default, `tcp(7)`; MariaDB's own `tcp_keepalive_*` variables replace the
//! db host's where set, [`mysql_dead_peer_detection`]) ends it. Keepalive that keeps the hop open prevents the
//! drop (MODEL.md, "Server zombies").

use crate::diagnostic::{Diagnostic, Label};
use crate::model::OnIdle;
use crate::model::idle::{KillerKind, idle_killers, mysql_dead_peer_detection, segments};
use crate::model::{ConnectionPath, Hop};
use crate::rules::RuleOptions;
use crate::rules::{codes, value_label};
use crate::source::SourceMap;
use crate::systems::mysql::MysqlProduct;
use crate::units::fmt_secs;

pub(super) fn check(
    path: &ConnectionPath,
    sources: &SourceMap,
    opts: &RuleOptions,
    out: &mut Vec<Diagnostic>,
) {
    let Some(server) = path.mysql() else { return };
    let wait = &server.wait_timeout;
    let Some(seg) = segments(path).pop() else {
        return;
    };
    for k in idle_killers(path, &seg).iter().filter(|k| k.is_effective()) {
        let KillerKind::Hop(i) = k.kind else { continue };
        let Hop::Network(hop) = &path.hops[i] else {
            continue;
        };
        if hop.on_idle.value != OnIdle::Drop || wait.value <= hop.idle_timeout.value {
            continue;
        }
        let detect = mysql_dead_peer_detection(path, server);
        let held = detect.min(wait.value);
        let suggest = (hop.idle_timeout.value.as_secs_f64() * (1.0 - opts.margin)).floor() as u64;
        let mut d =
            Diagnostic::new(
                codes::WAIT_TIMEOUT_EXCEEDS_DROPPING_HOP,
                format!(
                    "wait_timeout = {} ({}) outlives {} ({}, drops silently): the server keeps dropped sessions for up to {} against max_connections = {}",
                    fmt_secs(wait.value),
                    wait.origin.brief(sources),
                    k.label,
                    fmt_secs(hop.idle_timeout.value),
                    fmt_secs(held),
                    server.max_connections.value
                ),
                value_label(&wait.origin, "wait_timeout", &fmt_secs(wait.value), "server idle limit"),
            )
            .with_related(Label::maybe(
                hop.idle_timeout.origin.location(),
                format!(
                    "{} silently drops flows idle for {}",
                    k.label,
                    fmt_secs(hop.idle_timeout.value)
                ),
            ))
            .with_help(format!(
                "lower wait_timeout below {} (e.g. {suggest}) while keeping it above the app's retirement, or keep the hop open with keepalive: net.ipv4.tcp_keepalive_time below {} on a host whose sockets enable SO_KEEPALIVE{}",
                fmt_secs(hop.idle_timeout.value),
                fmt_secs(hop.idle_timeout.value),
                if server.product.as_ref().map(|p| p.value) == Some(MysqlProduct::Mysql) {
                    String::new()
                } else {
                    format!(
                        ", or on MariaDB 10.3.3+ the server's own tcp_keepalive_time below {}",
                        fmt_secs(hop.idle_timeout.value)
                    )
                }
            ));
        if let Some(c) = &hop.caveat {
            d = d.with_related(Label::maybe(
                None,
                format!("preset caveat for {}: {c}", hop.name),
            ));
        }
        out.push(d);
    }
}
