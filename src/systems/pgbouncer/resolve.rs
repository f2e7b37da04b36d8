//! The PgBouncer door for settings found in deployment files.

use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::{Origin, Sourced};
use crate::source::{Location, SourceMap};
use crate::sources::{Assignment, SetBy, Written};
use crate::systems::include::Follower;

use super::PgBouncer;
use super::load::{INCLUDES, Loader, Section};
use super::settings::{SETTING_COUNT, SETTINGS, Value, finish};

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
        follow: Follower::new(&INCLUDES)
            .with_files(base.map(|b| b.files.clone()).unwrap_or_default()),
    };
    let mut set_by: [Option<SetBy>; SETTING_COUNT] = Default::default();
    if let Some(b) = base {
        for (idx, v) in base_values(b).into_iter().enumerate() {
            if matches!(v.origin, Origin::File(_)) {
                set_by[idx] = Some(SetBy::OptionFile);
                loader.values[idx] = Some(v);
            }
        }
    }
    let mut ordered: Vec<&Assignment> = assignments.iter().collect();
    ordered.sort_by_key(|a| a.set_by);
    for a in ordered {
        let idx = SETTINGS.iter().position(|s| s.name == a.name);
        let text = match (&a.value, idx) {
            (Written::Text(t), _) => t,
            (Written::Unresolved(why), Some(idx)) => {
                let s = &SETTINGS[idx];
                let kept = loader.values[idx].as_ref().map_or_else(
                    || format!("the default {}", s.describe(&s.default_value())),
                    |v| s.describe(&v.value),
                );
                crate::sources::report_unresolved(loader.diags, s.name, a, why, &kept);
                continue;
            }
            (Written::Unresolved(_), None) | (Written::Unset, _) => continue,
        };
        let before = idx.and_then(|i| loader.values[i].clone());
        loader.apply(true, &a.name, a.name_at, text, a.value_at);
        let Some(idx) = idx else { continue };
        let s = &SETTINGS[idx];
        let after = loader.values[idx].clone();
        if let (Some(prev_by), Some(old), Some(new)) = (set_by[idx], before, after.as_ref())
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
            set_by[idx] = Some(a.set_by);
        }
    }
    let files = loader.follow.take_files();
    finish(loader.values, anchor, loader.databases, files)
}

/// The explicit and default values of `b`, by index of [`SETTINGS`].
fn base_values(b: &PgBouncer) -> [Sourced<Value>; SETTING_COUNT] {
    let t = |v: &Sourced<Duration>| v.clone().map(Value::Time);
    let c = |v: &Sourced<u64>| v.clone().map(Value::Count);
    [
        t(&b.server_idle_timeout),
        t(&b.server_lifetime),
        t(&b.client_idle_timeout),
        t(&b.query_timeout),
        t(&b.query_wait_timeout),
        t(&b.idle_transaction_timeout),
        b.tcp_keepalive.clone().map(Value::Flag),
        t(&b.tcp_keepidle),
        t(&b.tcp_keepintvl),
        b.tcp_keepcnt.clone().map(|n| Value::Count(u64::from(n))),
        t(&b.tcp_user_timeout),
        c(&b.default_pool_size),
        c(&b.reserve_pool_size),
        c(&b.max_client_conn),
        c(&b.max_db_connections),
        b.ignore_startup_parameters.clone().map(Value::List),
        c(&b.min_pool_size),
    ]
}
