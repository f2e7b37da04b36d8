//! The settings timeoutlint models (rows of `settings/pgbouncer.toml`, from
//! `bouncer_params` in `src/main.c`): name, value kind, default, source; and
//! the defaults they take.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use crate::provenance::{Origin, Sourced};
use crate::source::{FileId, Location};
use crate::systems::settings_table::{self, Unit, Value as TableValue};

use super::{Database, PgBouncer, PoolMode, parse_name_list};

/// How a setting's value is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `CF_TIME_USEC`: strtod seconds.
    Time,
    /// `CF_INT` whole seconds.
    IntSecs,
    /// `CF_INT` whole milliseconds.
    IntMillis,
    /// `CF_INT` count.
    Count,
    /// `CF_INT` used as a flag.
    Flag,
    /// `CF_STR` list of names.
    List,
    /// `CF_LOOKUP`: one word of the row's `choices`, compared
    /// case-insensitively (`cf_set_lookup`, strcasecmp).
    Lookup,
}

/// A parsed value, in the model's unit.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Time(Duration),
    Count(u64),
    Flag(bool),
    List(Vec<String>),
    /// A `CF_LOOKUP` word, lower case.
    Word(String),
}

/// One modelled setting: name, value kind, default and source, read from
/// the row of the same name in `settings/pgbouncer.toml`
/// ([`crate::systems::settings_table`]).
pub(super) struct Setting {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    /// The default in the model's unit (seconds, ms, count or 0/1).
    pub(super) default: u64,
    /// The default text of a list or word setting.
    default_text: &'static str,
    pub(super) source: &'static str,
    /// The accepted words of a `CF_LOOKUP` setting (lower case).
    pub(super) choices: &'static [String],
}

/// The system name in default origins.
const SYSTEM: &str = "PgBouncer";

/// The value kind of a row: its unit and its `bouncer_params` type.
fn kind(unit: Unit, syntax: Option<&str>) -> Option<Kind> {
    Some(match (unit, syntax?) {
        (Unit::Seconds, "CF_TIME_USEC") => Kind::Time,
        (Unit::Seconds, "CF_INT") => Kind::IntSecs,
        (Unit::Milliseconds, "CF_INT") => Kind::IntMillis,
        (Unit::Count, "CF_INT") => Kind::Count,
        (Unit::Flag, "CF_INT") => Kind::Flag,
        (Unit::List, "CF_STR") => Kind::List,
        (Unit::Word, "CF_LOOKUP") => Kind::Lookup,
        _ => return None,
    })
}

/// The modelled settings, in table order; a row whose unit and syntax map
/// to no [`Kind`] is left out (the unit tests check that none is), and the
/// list is empty when the embedded table is invalid (a build defect the
/// unit tests catch; then no name matches).
pub(super) fn settings() -> &'static [Setting] {
    static SETTINGS: OnceLock<Vec<Setting>> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let Some(table) = settings_table::table("pgbouncer") else {
            return Vec::new();
        };
        table
            .settings
            .iter()
            .filter_map(|s| {
                let kind = kind(s.unit, s.syntax.as_deref())?;
                let (default, default_text) = match &s.default {
                    TableValue::Number(n) => (u64::try_from(*n).ok()?, ""),
                    TableValue::Text(t) => (0, t.as_str()),
                };
                Some(Setting {
                    name: &s.name,
                    kind,
                    default,
                    default_text,
                    source: &s.source,
                    choices: &s.choices,
                })
            })
            .collect()
    })
}

/// The modelled setting named `name` (exact, as PgBouncer compares).
pub(super) fn setting(name: &str) -> Option<&'static Setting> {
    settings().iter().find(|s| s.name == name)
}

/// Values set so far (since the last `[pgbouncer]` header), by name.
pub(super) type Values = BTreeMap<&'static str, Sourced<Value>>;

impl Setting {
    pub(super) fn default_value(&self) -> Value {
        match self.kind {
            Kind::Time | Kind::IntSecs => Value::Time(Duration::from_secs(self.default)),
            Kind::IntMillis => Value::Time(Duration::from_millis(self.default)),
            Kind::Count => Value::Count(self.default),
            Kind::Flag => Value::Flag(self.default != 0),
            Kind::List => Value::List(parse_name_list(self.default_text)),
            Kind::Lookup => Value::Word(self.default_text.to_string()),
        }
    }

    /// A value in words for messages: `600 s`, `20`, `on`, `a, b`.
    pub(super) fn describe(&self, v: &Value) -> String {
        match v {
            Value::Time(d) => crate::units::fmt_secs(*d),
            Value::Count(n) => n.to_string(),
            Value::Flag(f) => if *f { "on" } else { "off" }.to_string(),
            Value::List(names) => names.join(", "),
            Value::Word(w) => w.clone(),
        }
    }

    /// What the value must be, for messages.
    pub(super) fn shape(&self) -> &'static str {
        match self.kind {
            Kind::Time => "a plain number of seconds (fractions allowed, no unit)",
            Kind::IntSecs => "a whole number of seconds (no unit)",
            Kind::IntMillis => "a whole number of milliseconds (no unit)",
            Kind::Count => "a whole number",
            Kind::Flag => "an integer (0 off, 1 on)",
            Kind::List => "a list of names",
            Kind::Lookup => "one of the words pgbouncer knows for it",
        }
    }
}

/// The default of setting `name` with its origin anchored at `anchor`; the
/// value 0 when its row is missing from an invalid table.
fn default_of(name: &str, anchor: Location) -> Sourced<Value> {
    match setting(name) {
        Some(s) => Sourced::new(
            s.default_value(),
            Origin::default_of(SYSTEM, s.source).anchored(Some(anchor)),
        ),
        None => Sourced::new(
            Value::Count(0),
            Origin::default_of(SYSTEM, settings_table::missing_row_source("pgbouncer"))
                .anchored(Some(anchor)),
        ),
    }
}

/// The settings from the values set (by name), the others at their
/// documented defaults anchored at `anchor`.
pub(super) fn finish(
    mut values: Values,
    anchor: Location,
    databases: Vec<Database>,
    users: Vec<Database>,
    files: Vec<FileId>,
) -> PgBouncer {
    let mut take = |name: &'static str| -> Sourced<Value> {
        values
            .remove(name)
            .unwrap_or_else(|| default_of(name, anchor))
    };
    let time = |v: Sourced<Value>| match v.value {
        Value::Time(d) => Sourced::new(d, v.origin),
        _ => Sourced::new(Duration::ZERO, v.origin),
    };
    let count = |v: Sourced<Value>| match v.value {
        Value::Count(n) => Sourced::new(n, v.origin),
        _ => Sourced::new(0, v.origin),
    };
    let keepalive = take("tcp_keepalive");
    let list = take("ignore_startup_parameters");
    let mode = take("pool_mode");
    PgBouncer {
        server_idle_timeout: time(take("server_idle_timeout")),
        server_lifetime: time(take("server_lifetime")),
        client_idle_timeout: time(take("client_idle_timeout")),
        query_timeout: time(take("query_timeout")),
        query_wait_timeout: time(take("query_wait_timeout")),
        idle_transaction_timeout: time(take("idle_transaction_timeout")),
        tcp_keepalive: Sourced::new(
            matches!(keepalive.value, Value::Flag(true)),
            keepalive.origin,
        ),
        tcp_keepidle: time(take("tcp_keepidle")),
        tcp_keepintvl: time(take("tcp_keepintvl")),
        tcp_keepcnt: count(take("tcp_keepcnt")).map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        tcp_user_timeout: time(take("tcp_user_timeout")),
        default_pool_size: count(take("default_pool_size")),
        reserve_pool_size: count(take("reserve_pool_size")),
        min_pool_size: count(take("min_pool_size")),
        max_client_conn: count(take("max_client_conn")),
        max_db_connections: count(take("max_db_connections")),
        ignore_startup_parameters: match list.value {
            Value::List(names) => Sourced::new(names, list.origin),
            _ => Sourced::new(Vec::new(), list.origin),
        },
        pool_mode: Sourced::new(
            match &mode.value {
                Value::Word(w) => PoolMode::parse(w).unwrap_or(PoolMode::Session),
                _ => PoolMode::Session,
            },
            mode.origin,
        ),
        databases,
        users,
        anchor: Some(anchor),
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    /// The source of a default, or `None` for another origin.
    fn source(o: &Origin) -> Option<&'static str> {
        match o {
            Origin::Default { source, .. } => Some(source),
            _ => None,
        }
    }

    #[test]
    fn every_row_is_modelled_and_every_field_has_its_row() {
        let table = settings_table::table("pgbouncer").expect("settings/pgbouncer.toml loads");
        assert_eq!(settings().len(), table.settings.len(), "a row has no kind");
        let at = Location::new(FileId(0), Span::new(0, 0));
        let p = finish(Values::new(), at, Vec::new(), Vec::new(), Vec::new());
        let fields = [
            ("server_idle_timeout", source(&p.server_idle_timeout.origin)),
            ("server_lifetime", source(&p.server_lifetime.origin)),
            ("client_idle_timeout", source(&p.client_idle_timeout.origin)),
            ("query_timeout", source(&p.query_timeout.origin)),
            ("query_wait_timeout", source(&p.query_wait_timeout.origin)),
            (
                "idle_transaction_timeout",
                source(&p.idle_transaction_timeout.origin),
            ),
            ("tcp_keepalive", source(&p.tcp_keepalive.origin)),
            ("tcp_keepidle", source(&p.tcp_keepidle.origin)),
            ("tcp_keepintvl", source(&p.tcp_keepintvl.origin)),
            ("tcp_keepcnt", source(&p.tcp_keepcnt.origin)),
            ("tcp_user_timeout", source(&p.tcp_user_timeout.origin)),
            ("default_pool_size", source(&p.default_pool_size.origin)),
            ("reserve_pool_size", source(&p.reserve_pool_size.origin)),
            ("min_pool_size", source(&p.min_pool_size.origin)),
            ("max_client_conn", source(&p.max_client_conn.origin)),
            ("max_db_connections", source(&p.max_db_connections.origin)),
            (
                "ignore_startup_parameters",
                source(&p.ignore_startup_parameters.origin),
            ),
            ("pool_mode", source(&p.pool_mode.origin)),
        ];
        assert_eq!(fields.len(), table.settings.len(), "a row has no field");
        for (name, src) in fields {
            let row = table.get(name).unwrap_or_else(|| panic!("no row `{name}`"));
            assert_eq!(src, Some(row.source.as_str()), "{name}");
        }
        assert_eq!(p.server_idle_timeout.value, Duration::from_secs(600));
        assert!(p.tcp_keepalive.value);
        assert!(p.ignore_startup_parameters.value.is_empty());
    }
}
