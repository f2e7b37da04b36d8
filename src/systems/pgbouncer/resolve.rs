//! The PgBouncer door for settings found in deployment files.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::{Origin, Sourced};
use crate::source::{Location, SourceMap};
use crate::sources::{Assignment, SetBy, Written};
use crate::systems::include::Follower;

use super::PgBouncer;
use super::load::{INCLUDES, Loader, Section};
use super::settings::{Value, finish, setting};

/// The PgBouncer door for settings found outside pgbouncer.ini: the
/// environment variables of PgBouncer images (edoburu/pgbouncer,
/// bitnami/pgbouncer), which their entrypoints write into the config, and
/// CloudNativePG `Pooler` parameters ([`crate::sources`]). The adapter maps
/// each variable to its pgbouncer.ini key; here each [`Assignment`] goes
/// through the same rules as a `[pgbouncer]` line (case-sensitive names,
/// units, ranges). `base` is a pgbouncer.ini the process also reads, whose
/// explicit values count as [`SetBy::OptionFile`]; a higher [`SetBy`] wins,
/// different values from two kinds are [`codes::SERVER_SETTING_SET_TWICE`](crate::rules::codes::SERVER_SETTING_SET_TWICE),
/// [`Written::Unresolved`] is [`codes::UNRESOLVED_SETTING_VALUE`](crate::rules::codes::UNRESOLVED_SETTING_VALUE). Defaults
/// are anchored at `anchor`.
pub fn resolve(
    assignments: &[Assignment],
    base: Option<&PgBouncer>,
    anchor: Location,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> PgBouncer {
    let mut loader = Loader {
        sources,
        diags,
        section: Some(Section::Main),
        values: Default::default(),
        anchor: Some(anchor),
        databases: base.map(|b| b.databases.clone()).unwrap_or_default(),
        users: base.map(|b| b.users.clone()).unwrap_or_default(),
        follow: Follower::new(&INCLUDES)
            .with_files(base.map(|b| b.files.clone()).unwrap_or_default()),
    };
    let mut set_by: BTreeMap<&'static str, SetBy> = BTreeMap::new();
    if let Some(b) = base {
        for (name, v) in base_values(b) {
            if matches!(v.origin, Origin::File(_))
                && let Some(s) = setting(name)
            {
                set_by.insert(s.name, SetBy::OptionFile);
                loader.values.insert(s.name, v);
            }
        }
    }
    let mut ordered: Vec<&Assignment> = assignments.iter().collect();
    ordered.sort_by_key(|a| a.set_by);
    for a in ordered {
        let known = setting(&a.name);
        let text = match (&a.value, known) {
            (Written::Text(t), _) => t,
            (Written::Unresolved(why), Some(s)) => {
                let kept = loader.values.get(s.name).map_or_else(
                    || format!("the default {}", s.describe(&s.default_value())),
                    |v| s.describe(&v.value),
                );
                crate::sources::report_unresolved(loader.diags, s.name, a, why, &kept);
                continue;
            }
            (Written::Unresolved(_), None) | (Written::Unset, _) => continue,
        };
        let before = known.and_then(|s| loader.values.get(s.name).cloned());
        loader.apply(true, &a.name, a.name_at, text, a.value_at);
        let Some(s) = known else { continue };
        let after = loader.values.get(s.name).cloned();
        if let (Some(prev_by), Some(old), Some(new)) =
            (set_by.get(s.name).copied(), before, after.as_ref())
            && prev_by != a.set_by
            && old.value != new.value
            && let Some(old_at) = old.origin.location()
        {
            crate::sources::report_set_twice(
                loader.diags,
                s.name,
                (prev_by, old_at, &s.describe(&old.value)),
                (a.set_by, a.value_at, &s.describe(&new.value)),
                "the image's entrypoint writes its environment variables into the config \
                 after the file's own lines",
            );
        }
        if after.is_some_and(|v| v.origin == Origin::File(a.value_at)) {
            set_by.insert(s.name, a.set_by);
        }
    }
    let files = loader.follow.take_files();
    finish(loader.values, anchor, loader.databases, loader.users, files)
}

/// The explicit and default values of `b`, by setting name.
fn base_values(b: &PgBouncer) -> [(&'static str, Sourced<Value>); 18] {
    let t = |v: &Sourced<Duration>| v.clone().map(Value::Time);
    let c = |v: &Sourced<u64>| v.clone().map(Value::Count);
    [
        ("server_idle_timeout", t(&b.server_idle_timeout)),
        ("server_lifetime", t(&b.server_lifetime)),
        ("client_idle_timeout", t(&b.client_idle_timeout)),
        ("query_timeout", t(&b.query_timeout)),
        ("query_wait_timeout", t(&b.query_wait_timeout)),
        ("idle_transaction_timeout", t(&b.idle_transaction_timeout)),
        ("tcp_keepalive", b.tcp_keepalive.clone().map(Value::Flag)),
        ("tcp_keepidle", t(&b.tcp_keepidle)),
        ("tcp_keepintvl", t(&b.tcp_keepintvl)),
        (
            "tcp_keepcnt",
            b.tcp_keepcnt.clone().map(|n| Value::Count(u64::from(n))),
        ),
        ("tcp_user_timeout", t(&b.tcp_user_timeout)),
        ("default_pool_size", c(&b.default_pool_size)),
        ("reserve_pool_size", c(&b.reserve_pool_size)),
        ("max_client_conn", c(&b.max_client_conn)),
        ("max_db_connections", c(&b.max_db_connections)),
        (
            "ignore_startup_parameters",
            b.ignore_startup_parameters.clone().map(Value::List),
        ),
        ("min_pool_size", c(&b.min_pool_size)),
        (
            "pool_mode",
            b.pool_mode
                .clone()
                .map(|m| Value::Word(m.as_str().to_string())),
        ),
    ]
}
