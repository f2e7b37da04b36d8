//! The settings timeoutlint models (`bouncer_params` in `src/main.c`):
//! name, value kind, default, source; and the defaults they take.

use std::time::Duration;

use crate::provenance::{Origin, Sourced};
use crate::source::{FileId, Location};

use super::{Database, PgBouncer};

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
}

/// A parsed value, in the model's unit.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Time(Duration),
    Count(u64),
    Flag(bool),
    List(Vec<String>),
}

pub(super) struct Setting {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    /// The default in the model's unit (seconds, ms, count or 0/1).
    pub(super) default: u64,
    pub(super) source: &'static str,
}

const fn setting(name: &'static str, kind: Kind, default: u64, source: &'static str) -> Setting {
    Setting {
        name,
        kind,
        default,
        source,
    }
}

/// The modelled settings; defaults from `src/main.c` `bouncer_params`.
/// How many settings are modelled (the length of [`SETTINGS`]).
pub(super) const SETTING_COUNT: usize = 17;

pub(super) static SETTINGS: [Setting; SETTING_COUNT] = [
    setting(
        "server_idle_timeout",
        Kind::Time,
        600,
        "https://www.pgbouncer.org/config.html#server_idle_timeout",
    ),
    setting(
        "server_lifetime",
        Kind::Time,
        3600,
        "https://www.pgbouncer.org/config.html#server_lifetime",
    ),
    setting(
        "client_idle_timeout",
        Kind::Time,
        0,
        "https://www.pgbouncer.org/config.html#client_idle_timeout",
    ),
    setting(
        "query_timeout",
        Kind::Time,
        0,
        "https://www.pgbouncer.org/config.html#query_timeout",
    ),
    setting(
        "query_wait_timeout",
        Kind::Time,
        120,
        "https://www.pgbouncer.org/config.html#query_wait_timeout",
    ),
    setting(
        "idle_transaction_timeout",
        Kind::Time,
        0,
        "https://www.pgbouncer.org/config.html#idle_transaction_timeout",
    ),
    setting(
        "tcp_keepalive",
        Kind::Flag,
        1,
        "https://www.pgbouncer.org/config.html#tcp_keepalive",
    ),
    setting(
        "tcp_keepidle",
        Kind::IntSecs,
        0,
        "https://www.pgbouncer.org/config.html#tcp_keepidle",
    ),
    setting(
        "tcp_keepintvl",
        Kind::IntSecs,
        0,
        "https://www.pgbouncer.org/config.html#tcp_keepintvl",
    ),
    setting(
        "tcp_keepcnt",
        Kind::Count,
        0,
        "https://www.pgbouncer.org/config.html#tcp_keepcnt",
    ),
    setting(
        "tcp_user_timeout",
        Kind::IntMillis,
        0,
        "https://www.pgbouncer.org/config.html#tcp_user_timeout",
    ),
    setting(
        "default_pool_size",
        Kind::Count,
        20,
        "https://www.pgbouncer.org/config.html#default_pool_size",
    ),
    setting(
        "reserve_pool_size",
        Kind::Count,
        0,
        "https://www.pgbouncer.org/config.html#reserve_pool_size",
    ),
    setting(
        "max_client_conn",
        Kind::Count,
        100,
        "https://www.pgbouncer.org/config.html#max_client_conn",
    ),
    setting(
        "max_db_connections",
        Kind::Count,
        0,
        "https://www.pgbouncer.org/config.html#max_db_connections",
    ),
    setting(
        "ignore_startup_parameters",
        Kind::List,
        0,
        "https://www.pgbouncer.org/config.html#ignore_startup_parameters",
    ),
    setting(
        "min_pool_size",
        Kind::Count,
        0,
        "https://www.pgbouncer.org/config.html#min_pool_size",
    ),
];

impl Setting {
    pub(super) fn default_value(&self) -> Value {
        match self.kind {
            Kind::Time | Kind::IntSecs => Value::Time(Duration::from_secs(self.default)),
            Kind::IntMillis => Value::Time(Duration::from_millis(self.default)),
            Kind::Count => Value::Count(self.default),
            Kind::Flag => Value::Flag(self.default != 0),
            Kind::List => Value::List(Vec::new()),
        }
    }

    /// A value in words for messages: `600 s`, `20`, `on`, `a, b`.
    pub(super) fn describe(&self, v: &Value) -> String {
        match v {
            Value::Time(d) => crate::units::fmt_secs(*d),
            Value::Count(n) => n.to_string(),
            Value::Flag(f) => if *f { "on" } else { "off" }.to_string(),
            Value::List(names) => names.join(", "),
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
        }
    }
}

/// The settings from the values set (by index of [`SETTINGS`]), the others
/// at their documented defaults anchored at `anchor`.
pub(super) fn finish(
    values: [Option<Sourced<Value>>; SETTING_COUNT],
    anchor: Location,
    databases: Vec<Database>,
    files: Vec<FileId>,
) -> PgBouncer {
    let mut values = values.into_iter();
    let mut next = |idx: usize| -> Sourced<Value> {
        values.next().flatten().unwrap_or_else(|| {
            let s = &SETTINGS[idx];
            Sourced::new(
                s.default_value(),
                Origin::default_of("PgBouncer", s.source).anchored(Some(anchor)),
            )
        })
    };
    let time = |v: Sourced<Value>| match v.value {
        Value::Time(d) => Sourced::new(d, v.origin),
        _ => Sourced::new(Duration::ZERO, v.origin),
    };
    let count = |v: Sourced<Value>| match v.value {
        Value::Count(n) => Sourced::new(n, v.origin),
        _ => Sourced::new(0, v.origin),
    };
    let server_idle_timeout = time(next(0));
    let server_lifetime = time(next(1));
    let client_idle_timeout = time(next(2));
    let query_timeout = time(next(3));
    let query_wait_timeout = time(next(4));
    let idle_transaction_timeout = time(next(5));
    let keepalive = next(6);
    let tcp_keepalive = Sourced::new(
        matches!(keepalive.value, Value::Flag(true)),
        keepalive.origin,
    );
    let tcp_keepidle = time(next(7));
    let tcp_keepintvl = time(next(8));
    let tcp_keepcnt = count(next(9)).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let tcp_user_timeout = time(next(10));
    let default_pool_size = count(next(11));
    let reserve_pool_size = count(next(12));
    let max_client_conn = count(next(13));
    let max_db_connections = count(next(14));
    let list = next(15);
    let ignore_startup_parameters = match list.value {
        Value::List(names) => Sourced::new(names, list.origin),
        _ => Sourced::new(Vec::new(), list.origin),
    };
    let min_pool_size = count(next(16));
    PgBouncer {
        server_idle_timeout,
        server_lifetime,
        client_idle_timeout,
        query_timeout,
        query_wait_timeout,
        idle_transaction_timeout,
        tcp_keepalive,
        tcp_keepidle,
        tcp_keepintvl,
        tcp_keepcnt,
        tcp_user_timeout,
        default_pool_size,
        reserve_pool_size,
        min_pool_size,
        max_client_conn,
        max_db_connections,
        ignore_startup_parameters,
        databases,
        anchor: Some(anchor),
        files,
    }
}
