//! The PostgreSQL door for settings found in deployment files.

use super::{PostgresInput, PostgresServer};

use std::collections::BTreeMap;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::{Origin, Sourced};
use crate::source::{Location, SourceMap};
use crate::sources::{Assignment, SetBy, Written};
use crate::systems::include::Follower;

use super::apply::ValueRef;
use super::load::{INCLUDES, Loader};
use super::settings::{finish, var};

/// The PostgreSQL door for settings found outside postgresql.conf: `-c`
/// flags of a compose or container command, RDS / Cloud SQL / Azure
/// parameter groups, CloudNativePG `postgresql.parameters`, configs embedded
/// in Helm values ([`crate::sources`]).
///
/// Each [`Assignment`] goes through the same rules as a postgresql.conf
/// line: GUC names are case-insensitive (and a command-line `--name=value`
/// may write `-` for `_`, as `ParseLongOption` in `src/backend/utils/misc/guc.c`
/// accepts), units and base units (a bare `idle_session_timeout` is ms,
/// TL007), ranges ([`codes::INVALID_VALUE`](crate::rules::codes::INVALID_VALUE), the occurrence ignored).
/// `base` is a postgresql.conf the server also reads, whose explicit values
/// count as [`SetBy::OptionFile`]. Precedence: a higher [`SetBy`] wins
/// whatever the order (`PGC_S_ARGV` beats `PGC_S_FILE`,
/// https://www.postgresql.org/docs/current/config-setting.html), the last of
/// one kind wins; different values from two kinds are
/// [`codes::SERVER_SETTING_SET_TWICE`](crate::rules::codes::SERVER_SETTING_SET_TWICE); [`Written::Unresolved`] is
/// [`codes::UNRESOLVED_SETTING_VALUE`](crate::rules::codes::UNRESOLVED_SETTING_VALUE) and not applied. Defaults are
/// anchored at `anchor`.
pub fn resolve(
    assignments: &[Assignment],
    base: Option<&PostgresServer>,
    anchor: Option<Location>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> PostgresServer {
    let mut loader = Loader {
        sources,
        diags,
        values: Default::default(),
        follow: Follower::new(&INCLUDES)
            .with_files(base.map(|b| b.files.clone()).unwrap_or_default()),
    };
    let mut set_by: BTreeMap<&'static str, SetBy> = BTreeMap::new();
    if let Some(b) = base {
        let d = |v: &Sourced<Duration>, ms: bool| {
            v.clone().map(|d| {
                let n = if ms {
                    d.as_millis()
                } else {
                    u128::from(d.as_secs())
                };
                i64::try_from(n).unwrap_or(i64::MAX)
            })
        };
        let c = |v: &Sourced<u64>| v.clone().map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let seeded = [
            ("idle_session_timeout", d(&b.idle_session_timeout, true)),
            (
                "idle_in_transaction_session_timeout",
                d(&b.idle_in_transaction_session_timeout, true),
            ),
            ("statement_timeout", d(&b.statement_timeout, true)),
            ("lock_timeout", d(&b.lock_timeout, true)),
            ("transaction_timeout", d(&b.transaction_timeout, true)),
            ("tcp_keepalives_idle", d(&b.tcp_keepalives_idle, false)),
            (
                "tcp_keepalives_interval",
                d(&b.tcp_keepalives_interval, false),
            ),
            (
                "tcp_keepalives_count",
                b.tcp_keepalives_count.clone().map(i64::from),
            ),
            ("tcp_user_timeout", d(&b.tcp_user_timeout, true)),
            ("max_connections", c(&b.max_connections)),
            (
                "superuser_reserved_connections",
                c(&b.superuser_reserved_connections),
            ),
            ("reserved_connections", c(&b.reserved_connections)),
        ];
        for (name, v) in seeded {
            if matches!(v.origin, Origin::File(_))
                && let Some(var) = var(name)
            {
                set_by.insert(var.name, SetBy::OptionFile);
                loader.values.insert(var.name, v);
            }
        }
    }
    let mut ordered: Vec<&Assignment> = assignments.iter().collect();
    ordered.sort_by_key(|a| a.set_by);
    for a in ordered {
        let mut name = a.name.to_ascii_lowercase();
        if a.set_by == SetBy::CommandLine {
            name = name.replace('-', "_");
        }
        let known = var(&name);
        let text = match (&a.value, known) {
            (Written::Text(t), _) => t,
            (Written::Unresolved(why), Some(var)) => {
                let kept = loader.values.get(var.name).map_or_else(
                    || format!("the default {}", var.fmt(var.default)),
                    |v| var.fmt(v.value),
                );
                crate::sources::report_unresolved(loader.diags, var.name, a, why, &kept);
                continue;
            }
            (Written::Unresolved(_), None) | (Written::Unset, _) => continue,
        };
        let before = known.and_then(|v| {
            loader
                .values
                .get(v.name)
                .map(|s| (s.value, s.origin.location()))
        });
        let value = ValueRef {
            text,
            at: a.value_at,
            dump: false,
        };
        let Some(var) = loader.apply(true, &name, value) else {
            continue;
        };
        if let (Some(prev_by), Some((old, Some(old_at)))) = (set_by.get(var.name).copied(), before)
        {
            let new = loader.values.get(var.name).map_or(old, |v| v.value);
            if prev_by != a.set_by && old != new {
                crate::sources::report_set_twice(
                    loader.diags,
                    var.name,
                    (prev_by, old_at, &var.fmt(old)),
                    (a.set_by, a.value_at, &var.fmt(new)),
                    "postgres applies command-line options over postgresql.conf, and a \
                     parameter group replaces the config file",
                );
            }
        }
        set_by.insert(var.name, a.set_by);
    }
    let values = std::mem::take(&mut loader.values);
    let files = loader.follow.take_files();
    finish(
        values,
        anchor,
        files,
        base.map_or(PostgresInput::Deployment, |b| b.input),
    )
}
