//! The MySQL door for settings found in deployment files.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::provenance::{Origin, Sourced};
use crate::source::{FileId, Location, SourceMap};
use crate::sources::{Assignment, SetBy, Written};
use crate::systems::include::Follower;

use super::load::{INCLUDES, Loader};
use super::settings::{finish, var};
use super::{MysqlServer, MysqlSourceKind, NumberSyntax, normalize_option_name};

/// The MySQL door for settings found outside option files: compose and
/// container command-line flags, RDS / Cloud SQL / Azure parameter groups,
/// settings embedded in Kubernetes ConfigMaps or Helm values
/// ([`crate::sources`]).
///
/// Each [`Assignment`] goes through the same rules as a my.cnf line: names
/// normalised (`-` = `_`, `loose-` dropped, `maximum-` ignored), numbers with
/// K/M/G suffixes, ranges clamped, each problem a [`codes::INVALID_VALUE`](crate::rules::codes::INVALID_VALUE)
/// at the value. `base` is the option file the server also reads (a
/// mounted my.cnf), whose explicit values count as [`SetBy::OptionFile`].
/// Precedence: a higher [`SetBy`] wins whatever the order (mysqld reads
/// option files before its command line,
/// https://dev.mysql.com/doc/refman/8.0/en/option-files.html), and the last
/// occurrence of one kind wins; a setting given different values by two
/// kinds is [`codes::SERVER_SETTING_SET_TWICE`](crate::rules::codes::SERVER_SETTING_SET_TWICE), located at the value the
/// server ignores. A [`Written::Unresolved`] value is
/// [`codes::UNRESOLVED_SETTING_VALUE`](crate::rules::codes::UNRESOLVED_SETTING_VALUE) (info) and is not applied: the value
/// below it (the option file's, or the default) stays, and the message
/// says so. Settings not set anywhere take their documented defaults,
/// anchored at `anchor` (the block, service or object that holds the
/// settings).
pub fn resolve(
    assignments: &[Assignment],
    base: Option<&MysqlServer>,
    anchor: Option<Location>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> MysqlServer {
    let mut loader = Loader {
        sources,
        diags,
        root: anchor.map_or(FileId(0), |a| a.file),
        values: Default::default(),
        anchor: None,
        product: base.and_then(|b| b.product.clone()),
        follow: Follower::new(&INCLUDES)
            .with_files(base.map(|b| b.files.clone()).unwrap_or_default()),
    };
    let mut set_by: BTreeMap<&'static str, (SetBy, Location)> = BTreeMap::new();
    if let Some(b) = base {
        let secs = |v: &Sourced<Duration>| v.clone().map(|d| d.as_secs());
        let seeded = [
            ("wait_timeout", secs(&b.wait_timeout)),
            ("interactive_timeout", secs(&b.interactive_timeout)),
            ("net_read_timeout", secs(&b.net_read_timeout)),
            ("net_write_timeout", secs(&b.net_write_timeout)),
            ("connect_timeout", secs(&b.connect_timeout)),
            ("max_connections", b.max_connections.clone()),
            ("tcp_keepalive_time", secs(&b.tcp_keepalive_time)),
            ("tcp_keepalive_interval", secs(&b.tcp_keepalive_interval)),
            ("tcp_keepalive_probes", b.tcp_keepalive_probes.clone()),
        ];
        for (name, v) in seeded {
            if let Origin::File(at) = v.origin
                && let Some(var) = var(name)
            {
                set_by.insert(var.name, (SetBy::OptionFile, at));
                loader.values.insert(var.name, v);
            }
        }
    }
    let mut ordered: Vec<&Assignment> = assignments.iter().collect();
    ordered.sort_by_key(|a| a.set_by);
    for a in ordered {
        let Some(norm) = normalize_option_name(&a.name) else {
            continue;
        };
        let Some(var) = var(&norm) else {
            continue;
        };
        let text = match &a.value {
            Written::Text(t) => t,
            Written::Unresolved(why) => {
                let below = loader
                    .values
                    .get(var.name)
                    .map(|v| var.fmt(v.value))
                    .unwrap_or_else(|| format!("the default {}", var.fmt(var.default)));
                crate::sources::report_unresolved(loader.diags, var.name, a, why, &below);
                continue;
            }
            Written::Unset => continue,
        };
        let before = loader.values.get(var.name).map(|v| v.value);
        if loader
            .apply(
                true,
                &a.name,
                a.name_at,
                Some((text, a.value_at)),
                NumberSyntax::Option,
            )
            .is_none()
        {
            continue;
        }
        if let (Some((prev_by, prev_at)), Some(old)) = (set_by.get(var.name).copied(), before) {
            let new = loader.values.get(var.name).map_or(old, |v| v.value);
            if prev_by != a.set_by && old != new {
                crate::sources::report_set_twice(
                    loader.diags,
                    var.name,
                    (prev_by, prev_at, &var.fmt(old)),
                    (a.set_by, a.value_at, &var.fmt(new)),
                    "mysqld reads option files first and its command line after them; \
                     a parameter group replaces the option file",
                );
            }
        }
        set_by.insert(var.name, (a.set_by, a.value_at));
    }
    let files = loader.follow.take_files();
    let product = loader.product.take();
    finish(
        loader.values,
        anchor,
        files,
        base.map_or(MysqlSourceKind::Deployment, |b| b.source_kind),
        product,
    )
}
